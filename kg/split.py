"""Author lines, and the fused title+authors lines of layout B.

Layout B prints a title and its author list with nothing between them:
`...Dense Tensor Cores on GPUsYuke Wang, Boyuan Feng, Zheng Wang et al.` The split must fall where a
non-space character is followed by a capital that starts the first author. Every such place is a
candidate; a candidate stands when every name after it is a name (a known one, or one that reads like a
person's name). A known title settles the split outright; otherwise the earliest split keeps every
name whole. Where a capitalised piece glued to the title's last word may belong to the first author
(a group such as BigScience Workshop), the reading is reported as doubtful, naming the other one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.vocab import fold

ORG_SEPARATOR = " · "
ET_AL = " et al."

# Lower-case words that stand inside a name: Rafael da Silva, Ludwig van Beethoven.
PARTICLES = frozenset(
    "da das de del della der di do dos du la le van von den ter ten bin binti ibn al el y e zu af av".split()
)
# Capitalised prefixes after which a second capital is still one name: McDonald, DeVito, LeCun, MacKay.
CAMEL_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "Du", "La", "Le", "Van", "Von", "Fitz")
APOSTROPHES = "'’"
# A title does not end in these: a split right after one would cut a word.
JOINERS = "-‐–—'’/_([{&+"


@dataclass
class Lexicon:
    """Titles and names the same run has seen in layout A pages, folded."""

    titles: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def add_title(self, title: str) -> None:
        self.titles.add(fold(title))

    def add_name(self, name: str) -> None:
        self.names.add(fold(name))

    def knows_title(self, title: str) -> bool:
        return fold(title) in self.titles

    def knows_name(self, name: str) -> bool:
        return fold(name) in self.names


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


def _is_capitalised_part(part: str) -> bool:
    """Beerel, O'Connor, McDonald: a capital, then lower-case letters, allowing the usual inner capitals."""
    if len(part) < 2 or not (part[0].isupper() and part[0].isalpha()):
        return False
    rest = part[1:]
    if rest[0] in APOSTROPHES:  # O'Connor, D'Souza
        return len(rest) > 1 and _is_capitalised_part(rest[1:])
    if all(c.isalpha() and not c.isupper() for c in rest):
        return True
    for prefix in CAMEL_PREFIXES:
        if part.startswith(prefix) and len(part) > len(prefix):
            return _is_capitalised_part(part[len(prefix) :])
    return False


def _is_name_word(word: str) -> bool:
    return all(_is_capitalised_part(p) for p in word.split("-"))


def _is_initial(word: str) -> bool:
    """A. or A.B. or J.-P."""
    letters = word.replace("-", "").split(".")
    return word.endswith(".") and all(len(x) == 1 and x.isupper() for x in letters[:-1]) and letters[-1] == ""


def looks_like_person_name(name: str) -> bool:
    """Whether `name` reads like a person's name: Peter A. Beerel, Rafael da Silva, Mike O'Connor, Aditi."""
    words = name.split(" ")
    if not 1 <= len(words) <= 6:
        return False
    for i, word in enumerate(words):
        inner = 0 < i < len(words) - 1
        if _is_name_word(word) or (inner or i == 0) and _is_initial(word) and len(words) > 1:
            continue
        if inner and word in PARTICLES:
            continue
        return False
    return True


def looks_like_author_line(text: str) -> bool:
    """An author line of layout A, as opposed to an abstract that took its place."""
    line = parse_author_line(text)
    return bool(line.authors) and len(line.authors) <= 12 and all(_acceptable_name(a) for a in line.authors)


def _acceptable_name(name: str) -> bool:
    # Groups (BigScience Workshop) and unusual names pass here when they are short: this only has to
    # tell an author line from a sentence of prose.
    return looks_like_person_name(name) or (0 < len(name.split()) <= 5 and name[:1].isupper() and "." not in name)


@dataclass
class FusedSplit:
    title: str | None
    authors: AuthorLine | None
    problem: str | None = None  # why it could not be split
    doubt: str | None = None  # split, but another reading was possible

    @property
    def ok(self) -> bool:
        return self.problem is None


def _candidate_points(text: str) -> list[int]:
    return [
        i
        for i in range(1, len(text))
        if text[i].isupper() and text[i].isalpha() and not text[i - 1].isspace() and text[i - 1] not in JOINERS
    ]


def split_fused_line(text: str, lexicon: Lexicon | None = None) -> FusedSplit:
    """Split a layout-B line into its title and author line."""
    lexicon = lexicon or Lexicon()
    head, orgs = split_orgs(text)
    head, truncated = strip_et_al(head)

    points = _candidate_points(head)
    # A title the run has seen settles the split outright, whatever the names look like (groups).
    known = [(head[:i].strip(), _names(head[i:])) for i in points if lexicon.knows_title(head[:i].strip())]
    known = [(t, a) for t, a in known if all(_acceptable_name(n) or lexicon.knows_name(n) for n in a)]
    if len(known) == 1:
        title, authors = known[0]
        return FusedSplit(title, AuthorLine(authors, truncated, orgs))

    candidates: list[tuple[int, str, list[str]]] = []
    for i in points:
        title, authors = head[:i].strip(), _names(head[i:])
        if any(c.isalnum() for c in title) and _names_stand(authors, lexicon):
            candidates.append((i, title, authors))
    if not candidates:
        whole = [a.strip() for a in head.split(",")]
        had_authors = truncated or orgs or len(whole) > 1
        if had_authors and _names_stand(whole, lexicon):
            return FusedSplit(None, None, "listing has no title: the line holds only author names")
        return FusedSplit(None, None, "no author names found after the title")

    title, authors = _settle([(t, a) for _, t, a in candidates], lexicon)
    return FusedSplit(title, AuthorLine(authors, truncated, orgs), doubt=_doubt(title, authors, lexicon))


def _names(text: str) -> list[str]:
    return [a.strip() for a in text.split(",")]


def _doubt(title: str, authors: list[str], lexicon: Lexicon) -> str | None:
    """A reading that a camel-case join could change: ModelBig|Science Workshop vs Model|BigScience Workshop.

    Names of groups (BigScience Workshop) do not follow the grammar of a person's name, so when the
    title's last word ends in a capitalised piece glued to its lower-case letters, that piece may
    belong to the first author. Said, unless the run knows the title or the name.
    """
    if lexicon.knows_title(title) or lexicon.knows_name(authors[0]):
        return None
    last_word = title.rsplit(" ", 1)[-1]
    for j in range(len(last_word) - 1, 0, -1):
        if last_word[j].isupper() and last_word[j - 1].islower() and _is_capitalised_part(last_word[j:]):
            alternative = last_word[j:] + authors[0]
            return (
                f'took "{title}" as the title and "{authors[0]}" as the first author; '
                f'"{title[: len(title) - len(last_word) + j]}" by "{alternative}" would also read'
            )
    return None


def _names_stand(authors: list[str], lexicon: Lexicon) -> bool:
    if not authors or any(not a for a in authors):
        return False
    for name in authors:
        if lexicon.knows_name(name):
            continue
        if not looks_like_person_name(name):
            return False
        # A lone one-word name is too easy to cut out of a camel-case title word (MegaBlocks); it
        # stands only beside other names, or when the run has seen it.
        if " " not in name and len(authors) == 1:
            return False
    return True


def _settle(candidates: list[tuple[str, list[str]]], lexicon: Lexicon) -> tuple[str, list[str]]:
    """The reading to take among those that stand, in the order of their split points.

    A later split always falls inside a name of an earlier reading (Yann Le|Cun, Bo Mc|Kay, De|Vito):
    the earlier reading keeps that name whole, so it wins, unless the run knows the later first author.
    """
    known = [c for c in candidates if lexicon.knows_name(c[1][0])]
    return known[0] if len(known) == 1 else candidates[0]
