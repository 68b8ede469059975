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
from collections.abc import Iterable, Sequence
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


def _readings_match(ra: list[tuple[str, tuple[Word, ...]]], rb: list[tuple[str, tuple[Word, ...]]]) -> bool:
    """A reading of each with the same family name, and the given names of one found in the other's."""
    for fa, ga in ra:
        for fb, gb in rb:
            if fa == fb and (_given_match(ga, gb) if len(ga) <= len(gb) else _given_match(gb, ga)):
                return True
    return False


@lru_cache(maxsize=NAMES)
def compact(name: str) -> str:
    """A printing's letters alone, in order: printings alike but for dots, hyphens and spaces."""
    return "".join(w.text for w in words(name))


@lru_cache(maxsize=NAMES)
def readings(name: str) -> list[tuple[str, tuple[Word, ...]]]:
    return _readings(words(name))


def _put(
    by_letter: dict[tuple[str, str], set[str]],
    initials: dict[tuple[str, str], set[str]],
    full: dict[tuple[str, str], dict[str, set[str]]],
    family: str,
    word: Word,
    name: str,
) -> None:
    """`name` indexed under a given name of its: by family and letter, then as an initial or by text."""
    key = (family, word.text[0])
    by_letter[key].add(name)
    if word.initial:
        initials[key].add(name)
    else:
        full[key][word.text].add(name)


class CompatibleIndex:
    """Many printings, indexed so that the ones a printing may be compatible with are found without
    comparing it with every printing of its family name (a common one has thousands).

    `candidates(name)` is a superset of the printings `compatible` with it, cut by what `_given_match`
    needs: the first given name of the shorter reading matches a word of the other reading, and two
    words match only when they begin alike and one is an initial, or one's letters begin the other's
    (equal, or several words printed joined)."""

    def __init__(self, names: Iterable[str], block: tuple[str, str] | None = None):
        """`block`: only this (family, initial) is indexed: the printings of one block (an update's
        `identity_update.blocks`), each found by a name through that block alone."""
        self.names = sorted(set(names))
        # (family, letter) -> printings with a given name of that initial, any position: the blocks
        self.anywhere: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.initials: dict[tuple[str, str], set[str]] = defaultdict(set)  # with an initial of that letter
        self.full: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.first: dict[tuple[str, str], set[str]] = defaultdict(set)  # first given name of that initial
        self.first_initials: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.first_full: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for name in self.names:
            for family, given in readings(name):
                if block is not None and family != block[0]:
                    continue
                for w in given:
                    if block is None or w.text[0] == block[1]:
                        _put(self.anywhere, self.initials, self.full, family, w, name)
                if block is None or given[0].text[0] == block[1]:
                    _put(self.first, self.first_initials, self.first_full, family, given[0], name)
        self._near_cache: dict[tuple[str, Word, bool], set[str]] = {}

    def candidates(self, name: str) -> set[str]:
        """A superset of the printings compatible with `name` by reading (printings alike in letters
        aside: `compact` finds those)."""
        out = self.longer(name)
        for family, given in readings(name):
            for w in given:  # the other the shorter: its first given name matches one of these
                out |= self._near(family, w, anywhere=False)
        return out

    def longer(self, name: str) -> set[str]:
        """The printings `name` may be compatible with as the shorter reading: with a given name its
        first given name may match. Every compatible pair is among the `longer` of one of the two."""
        out: set[str] = set()
        for family, given in readings(name):
            out |= self._near(family, given[0], anywhere=True)
        return out

    def _near(self, family: str, word: Word, anywhere: bool) -> set[str]:
        """The printings with a given name (any, or their first) that `word` may match."""
        found = self._near_cache.get((family, word, anywhere))
        if found is not None:
            return found
        key = (family, word.text[0])
        if word.initial:
            found = self.anywhere.get(key, set()) if anywhere else self.first.get(key, set())
        else:
            found = set(self.initials.get(key, ()) if anywhere else self.first_initials.get(key, ()))
            by_text = (self.full if anywhere else self.first_full).get(key, {})
            for text, printed in by_text.items():
                if text.startswith(word.text) or word.text.startswith(text):
                    found |= printed
        self._near_cache[(family, word, anywhere)] = found
        return found


def compatible_names(names: Iterable[str]) -> dict[str, set[str]]:
    """For each printing, the others compatible with it but printed unlike it (other letters).

    Only printings sharing a family name are compared, from the side with fewer given names, with the
    printings having a given name that its first given name may match (`CompatibleIndex.longer`)."""
    index = CompatibleIndex(names)
    # what `compatible` reads of each printing, looked up once: a corpus has more printings than the
    # caches behind `compatible` keep, and each pair here is compared once
    key = {name: identity_key(name) for name in index.names}
    letters = {name: compact(name) for name in index.names}
    read = {name: readings(name) for name in index.names}
    out: dict[str, set[str]] = defaultdict(set)
    for name in index.names:
        mine = read[name]
        found, my_letters, my_key = out[name], letters[name], key[name]
        for other in index.longer(name):  # each pair is found from its shorter side
            if (
                other not in found
                and letters[other] != my_letters
                and (key[other] == my_key or _readings_match(mine, read[other]))
            ):
                found.add(other)
                out[other].add(name)
    return out


def same_given(a: str, b: str) -> bool:
    """Full given names alike, family names not: `Melanie Weis`, `Melanie Herschel`."""
    wa, wb = words(a), words(b)
    if len(wa) < 2 or len(wb) < 2 or wa[-1].text == wb[-1].text:
        return False
    ga, gb = wa[:-1], wb[:-1]
    return all(not w.initial for w in ga + gb) and [w.text for w in ga] == [w.text for w in gb]
