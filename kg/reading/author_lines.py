"""An author line as pages print it: `A, B, C et al. · org1, org2` into its names, whether the list
was cut, and its organisations; and whether a line or a name reads like one at all."""

from __future__ import annotations

from dataclasses import dataclass

from kg.reading.names import (
    PARTICLES,
    name_score,
)

ORG_SEPARATOR = " · "
ET_AL = " et al."
SHOWN = 3  # a page shows at most three names


@dataclass
class AuthorLine:
    authors: list[str]
    truncated: bool
    orgs: list[str]


def parse_author_line(text: str) -> AuthorLine:
    """`A, B, C et al. · org1, org2` into its parts."""
    authors_text, orgs = split_orgs(text)
    authors_text, truncated = strip_et_al(authors_text)
    authors = [a.strip() for a in authors_text.split(",")]
    return AuthorLine([a for a in authors if a], truncated, orgs)


def split_orgs(text: str) -> tuple[str, list[str]]:
    if ORG_SEPARATOR in text:
        head, _, tail = text.rpartition(ORG_SEPARATOR)
        return head, [o.strip() for o in tail.split(",") if o.strip()]
    return text, []


def strip_et_al(text: str) -> tuple[str, bool]:
    stripped = text.rstrip()
    if stripped.endswith(ET_AL):
        return stripped[: -len(ET_AL)], True
    if stripped == ET_AL.strip():
        return "", True
    return stripped, False


def looks_like_person_name(name: str) -> bool:
    """Whether `name` reads like one author's name (a person's or a group's), as pages print them."""
    score = name_score(name)
    return score is not None and score > -4.5


def looks_like_author_line(text: str) -> bool:
    """Whether a line reads like an author line (as opposed to prose): short names between commas."""
    line = parse_author_line(text)
    if not line.authors:
        return False
    return all(_name_shaped(a) for a in line.authors)


def _name_shaped(name: str) -> bool:
    """A piece between commas that could be a name, whatever its case or characters: not a sentence."""
    if name_score(name) is not None:  # the name grammar reads it (up to nine words: given, nickname, ... Jr.)
        return True
    words = name.split()
    if not 1 <= len(words) <= 8 or len(name) > 80:
        return False
    if name.endswith((".", "!", "?", ":", ";")) and not words[-1].rstrip(".").isalpha():
        return False
    lowers = sum(1 for w in words if w[:1].islower() and w not in PARTICLES)
    return lowers <= 2 and any(c.isalpha() for c in name)
