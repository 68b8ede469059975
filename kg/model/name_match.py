"""When two printings of a name can be one person: the rules of names, never a list of names.

Accents, case, dots, hyphens and nicknames aside, an initial matches a given name with that letter;
given names may be dropped (middle names, or a leading given name), joined (`Engsiong` = `Eng Siong`)
or hyphenated; the family name may come first or last, and a second family name may be dropped
(`compatible`). `CompatibleIndex` finds, among many printings, the ones a printing may be compatible
with, without comparing it with every printing of its family name (kg.identity).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from kg.model.vocab import identity_key

# --- printings as words ---------------------------------------------------------------------------

# Printings whose words are kept: every name of a corpus of 100,000 pages (500,000 distinct printings).
# Fewer, and clustering reads every printing's words again for each pair it compares (measured: 100,572
# printings at 20,000 pages against a bound of 65,536 made comparing them 4x slower per pair).
NAMES = 1 << 19

_NICKNAME = re.compile(r"\([^)]*\)|\"[^\"]*\"")
_SPLIT = re.compile(r"[\s.\-\u2010-\u2015]+")


# a tuple: one is made for every word of every printing, faster than a frozen dataclass
class Word(NamedTuple):
    text: str  # folded letters
    initial: bool  # one letter, or written with a dot
    joined: bool = False  # part of a hyphenated run (`Yew-Soon`): may be printed joined


@lru_cache(maxsize=NAMES)
def words(name: str) -> tuple[Word, ...]:
    """A printed name as words: accents and case folded, nicknames in parentheses or quotes dropped,
    dots and hyphens splitting words (`C.-H.` is two initials, `Yew-Soon` two joinable words)."""
    text = _NICKNAME.sub(" ", name)
    if text.isascii():  # most printings: nothing to fold but case
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    out: list[Word] = []
    for token in text.split():
        dotted = "." in token
        parts = [p for p in _SPLIT.split(token) if p]
        for part in parts:
            letters = part if part.isalnum() else "".join(c for c in part if c.isalnum())
            if not letters:
                continue
            initial = len(letters) == 1 or (dotted and len(letters) <= 2 and token.endswith("."))
            out.append(Word(letters, initial, joined=len(parts) > 1 and not dotted))
    return tuple(out)


def _given_match(short: Sequence[Word], long: Sequence[Word]) -> bool:
    """`short`'s given names found in order among `long`'s: each equal, an initial of it, or several of
    `long`'s words printed joined; `long` may have more (dropped middle or leading given names). At least
    one full given name must agree when both print one."""
    i = j = 0
    full_agree = False
    while i < len(short):
        if j >= len(long):
            return False
        a, b = short[i], long[j]
        if a.text == b.text:
            full_agree |= not a.initial
            i, j = i + 1, j + 1
            continue
        if a.initial and not b.initial and b.text.startswith(a.text):
            i, j = i + 1, j + 1
            continue
        if b.initial and not a.initial and a.text.startswith(b.text):
            i, j = i + 1, j + 1
            continue
        if a.text[0] == b.text[0]:  # several words printed as one begin alike
            joined = _joins(a, long, j)
            if joined is not None:
                full_agree = True
                i, j = i + 1, j + joined[1]
                continue
            joined = _joins(b, short, i)
            if joined is not None:
                full_agree = True
                i, j = i + joined[1], j + 1
                continue
        j += 1  # a given name of the longer printing dropped
    # at least one full given name agrees, unless one printing gives initials only
    return full_agree or all(w.initial for w in short) or all(w.initial for w in long)


def _joins(word: Word, other: Sequence[Word], start: int) -> tuple[int, int] | None:
    """(1, n) when `word` is other[start:start+n] printed as one word (n >= 2)."""
    if word.initial:
        return None
    text = ""
    for n in range(start, len(other)):
        if other[n].initial:
            return None
        text += other[n].text
        if text == word.text and n > start:
            return (1, n - start + 1)
        if not word.text.startswith(text):
            return None
    return None


def _readings(ws: tuple[Word, ...]) -> list[tuple[str, tuple[Word, ...]]]:
    """(family name, given names) readings of a printed name: family last, or family first."""
    if len(ws) < 2:
        return []
    out = []
    if not ws[-1].initial:
        out.append((ws[-1].text, ws[:-1]))
    if not ws[0].initial and len(ws) >= 2 and not any(w.initial for w in ws[1:]):
        out.append((ws[0].text, ws[1:]))
    if len(ws) >= 3 and not ws[-1].initial and not ws[-2].initial:  # a second family name dropped
        out.append((ws[-2].text, ws[:-2]))
    return out


@lru_cache(maxsize=1 << 18)
def compatible(a: str, b: str) -> bool:
    """Can printings `a` and `b` be one person by the rules of names (never by a list of names)?"""
    if identity_key(a) == identity_key(b):
        return True
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    if len(wa) > 1 and len(wb) > 1 and compact(a) == compact(b):
        return True  # dots, hyphens, spaces and joins only
    return _readings_match(readings(a), readings(b))


@lru_cache(maxsize=NAMES)
def family_initials(name: str) -> tuple[tuple[str, str], ...]:
    """Each reading of a printing as its family name and the initials of its given names."""
    return tuple((family, "".join(w.text[0] for w in given)) for family, given in readings(name))


def _readings_match(ra: list[tuple[str, tuple[Word, ...]]], rb: list[tuple[str, tuple[Word, ...]]]) -> bool:
    """A reading of each with the same family name, and the given names of one found in the other's."""
    for fa, ga in ra:
        for fb, gb in rb:
            if fa == fb and (_given_match(ga, gb) if len(ga) <= len(gb) else _given_match(gb, ga)):
                return True
    return False


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=NAMES)
def compact(name: str) -> str:
    """A printing's letters alone, in order: printings alike but for dots, hyphens and spaces."""
    if name.isascii() and "(" not in name and '"' not in name:  # most: what `words` keeps, found at once
        return _NOT_ALNUM.sub("", name.lower())
    return "".join(w.text for w in words(name))


@lru_cache(maxsize=NAMES)
def readings(name: str) -> list[tuple[str, tuple[Word, ...]]]:
    return _readings(words(name))


# A printing with more given names than this is not keyed by them (2^n keys), but found by every
# printing of its family name, and finds all of them: real printings rarely have more than four.
KEYED_GIVEN = 6
_NONE: frozenset[str] = frozenset()


def _stored(w: Word) -> tuple[str, str]:
    """How a given name is keyed, to be found by `_sought` of a name it may match (not joined): a full
    name by its text and by its letter (an initial matches it), an initial by its letter twice (a full
    name or an initial of that letter match it)."""
    return (f"={w.text}", f"~{w.text[0]}") if not w.initial else (f".{w.text[0]}", f"~{w.text[0]}")


def _sought(w: Word) -> tuple[str, ...]:
    """The keys of the given names `w` may match (`_stored`): a full name, the same name or an initial of
    its letter; an initial, any name of its letter."""
    return (f"={w.text}", f".{w.text[0]}") if not w.initial else (f"~{w.text[0]}",)


def _subsequences(given: Sequence[Word]) -> set[tuple[Word, str]]:
    """Every non-empty subsequence of a printing's given names, as its first name and the others'
    initials."""
    rest = {""}  # the subsequences of the initials after position n
    found = set()
    for w in reversed(given):
        found |= {(w, r) for r in rest}
        rest |= {w.text[0] + r for r in rest}
    return found


def _runs_joined(given: Sequence[Word]) -> set[str]:
    """Each run of two or more full given names, printed joined (`Eng Siong` as `engsiong`)."""
    found = set()
    for start, first in enumerate(given):
        if first.initial:
            continue
        text = first.text
        for w in given[start + 1 :]:
            if w.initial:
                break
            text += w.text
            found.add(text)
    return found


# The tables of the index, a key's first word: a printing kept as the longer (under each subsequence of
# its given names), as the shorter (under all its given names), under each full given name, with more
# given names than are keyed, and under its family name.
LONGER, SHORTER, WORD, UNKEYED, FAMILY = "L", "S", "W", "U", "F"


def index_keys(name: str) -> set[str]:
    """Every key `CompatibleIndex` keeps `name` under (none for a printing with no reading)."""
    keys = set()
    for family, given in readings(name):
        keys.add(f"{FAMILY} {family}")
        if len(given) > KEYED_GIVEN:
            keys.add(f"{UNKEYED} {family}")
            continue
        rest = "".join(w.text[0] for w in given[1:])
        keys.update(f"{SHORTER} {family} {key} {rest}" for key in _stored(given[0]))
        for first, initials in _subsequences(given):
            keys.update(f"{LONGER} {family} {key} {initials}" for key in _stored(first))
        keys.update(f"{WORD} {family} {w.text}" for w in given if not w.initial)
    return keys


def sought_keys(name: str) -> Iterator[str]:
    """The keys under which every printing compatible with `name` is kept (with a few others)."""
    for family, given in readings(name):
        if len(given) > KEYED_GIVEN:
            yield f"{FAMILY} {family}"
            continue
        yield f"{UNKEYED} {family}"
        rest = "".join(w.text[0] for w in given[1:])
        for key in _sought(given[0]):  # `name` the shorter
            yield f"{LONGER} {family} {key} {rest}"
        for first, initials in _subsequences(given):  # `name` the longer
            for key in _sought(first):
                yield f"{SHORTER} {family} {key} {initials}"
        for text in _runs_joined(given):  # names joined: `name`'s run one name of the other's
            yield f"{WORD} {family} {text}"
        for w in given:  # or the other's run one name of `name`'s: found by the run's first name,
            # a beginning of `name`'s of two letters or more (a full name), leaving two or more
            for end in range(2, len(w.text) - 1) if not w.initial else ():
                yield f"{WORD} {family} {w.text[:end]}"


def home_key(name: str) -> str | None:
    """One key of `index_keys(name)` that holds few printings: where to look whether `name` is kept."""
    for family, given in readings(name):
        if len(given) > KEYED_GIVEN:
            return f"{UNKEYED} {family}"
        rest = "".join(w.text[0] for w in given[1:])
        return f"{SHORTER} {family} {_stored(given[0])[0]} {rest}"
    return None


def compatible_among(name: str, candidates: Iterable[Collection[str]]) -> Iterator[str]:
    """The printings of `candidates` (what `sought_keys(name)` holds) compatible with `name` but printed
    unlike it, each once, one by one (a caller that needs only the first few stops early: a short
    printing is compatible with a whole block)."""
    mine, my_letters = readings(name), compact(name)
    seen = {name}
    for printed in candidates:
        for other in printed:
            if other not in seen:
                seen.add(other)
                if compact(other) != my_letters and _readings_match(mine, readings(other)):
                    yield other


class CompatibleIndex:
    """Many printings, indexed so that the ones a printing may be compatible with are found without
    comparing it with every printing of its family name (a common one has thousands).

    `_given_match` matches each given name of the shorter printing, in order, to a given name of the
    longer (the same, or an initial of the other's letter), the longer's others dropped; or matches
    several of one's names, printed joined, to one of the other's (`Eng Siong`, `Engsiong`). So, unless
    names are joined (found by the joined word), the shorter's given names are a subsequence of the
    longer's: each printing is kept under every subsequence of its given names (as the longer) and
    under its given names (as the shorter), each keyed by a family name, its first name (`_stored`) and
    the others' initials, and under each full given name (`index_keys`). `compatible_with(name)` looks
    up both sides' keys of `name` (`sought_keys`): printings of the same initials but other given names
    after the first (`Ada Kim`, `Ada Kate`) are among what they give, and `compatible` tells them apart.
    The support store keeps the same keys for an update (kg.store.mention_index)."""

    def __init__(self, names: Iterable[str] = ()):
        self.indexed: set[str] = set()
        self.keyed: dict[str, set[str]] = defaultdict(set)  # a key -> the printings kept under it
        self.add(names)

    def add(self, names: Iterable[str]) -> None:
        """More printings, each indexed once however often given."""
        keyed, indexed = self.keyed, self.indexed
        for name in names:
            if name not in indexed:
                indexed.add(name)
                for key in index_keys(name):
                    keyed[key].add(name)

    def candidates(self, name: str) -> Iterator[Collection[str]]:
        """The index's sets that hold every printing compatible with `name` (and a few more), none
        copied."""
        return (self.keyed.get(key, _NONE) for key in sought_keys(name))

    def compatible_with(self, name: str) -> Iterator[str]:
        """The printings compatible with `name` but printed unlike it, one by one."""
        return compatible_among(name, self.candidates(name))


def compatible_pairs(printed: Iterable[str]) -> list[tuple[str, str]]:
    """The pairs (a, b), a < b, of printings in `printed` compatible but printed unlike (other letters),
    in order.

    Only printings that may be read with one family name are compared: a few printings beside one
    coauthor or on one paper. Finding every compatible pair of a whole corpus at once would be quadratic
    in the printings of a common family name (`CompatibleIndex.compatible_with` finds one printing's)."""
    by_family: dict[str, list[tuple[str, str]]] = defaultdict(list)  # family -> (printing, initials)
    for name in sorted(set(printed)):
        for family, initials in family_initials(name):
            by_family[family].append((name, initials))
    found: set[tuple[str, str]] = set()
    for named in by_family.values():
        for n, (name, initials) in enumerate(named):
            mine, my_letters = readings(name), compact(name)
            for other, other_initials in named[n + 1 :]:
                # the shorter's first given name matches one of the longer's, so begins like it
                if (
                    (initials[0] in other_initials or other_initials[0] in initials)
                    and (name, other) not in found
                    and compact(other) != my_letters
                    and _readings_match(mine, readings(other))
                ):
                    found.add((name, other))
    return sorted(found)


def same_given(a: str, b: str) -> bool:
    """Full given names alike, family names not: `Melanie Weis`, `Melanie Herschel`."""
    wa, wb = words(a), words(b)
    if len(wa) < 2 or len(wb) < 2 or wa[-1].text == wb[-1].text:
        return False
    ga, gb = wa[:-1], wb[:-1]
    return all(not w.initial for w in ga + gb) and [w.text for w in ga] == [w.text for w in gb]
