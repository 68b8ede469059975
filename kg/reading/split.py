"""Author lines, and the fused title+authors lines of layout B.

Layout B prints a title and its author list with nothing between them:
`...Dense Tensor Cores on GPUsYuke Wang, Boyuan Feng, Zheng Wang et al.` What is certain comes off
first: the orgs after ` · `, the ` et al.`, and the names after the first author, which stand between
`, ` (at most three names are shown). Only the first author's start is in doubt, and it lies inside one
glued word: the title's last word and the first author's first word written as one.

Every place inside the glued words of the last comma-separated pieces is a candidate reading. Each
reading gets a score (kg.names scores the names; the title's end, the kind of junction and what the run
has seen add to it), and the best reading is taken. What the run knows is evidence: a title seen in
layout A settles the split; names seen in places that are not in doubt (second and third authors,
layout-A author lines, owners) and title words (layout-A titles, the start of layout-B titles) lean it.
A reading whose title ends in a cut-off name (`Frank Mc` + `Sherry`) or a list of names loses. Where the
runner-up comes close, the split is reported as doubtful, naming both readings.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from kg.reading.author_lines import SHOWN, AuthorLine, _name_shaped, split_orgs, strip_et_al
from kg.reading.names import (
    APOSTROPHES,
    CAMEL,
    CAMEL_PREFIXES,
    CAP,
    INITIAL,
    NICK,
    OTHER,
    PARTICLE,
    PARTICLES,
    SUFFIX,
    fold_word,
    is_group,
    name_score,
    word_kind,
)
from kg.reading.text import fold

__all__ = ["CAMEL_PREFIXES", "PARTICLES", "FusedSplit", "Lexicon", "split_fused_line"]


# A title does not end in these: a split right after one would cut a word.
JOINERS = "-‐–—/_([{&@"

# Scores (log-odds in spirit; see kg.names).
KNOWN_TITLE = 15.0
KNOWN_FIRST_AUTHOR = 4.0
KNOWN_OTHER_AUTHOR = 1.0
NAME_WORD_SEEN = 1.5
TITLE_WORD_SEEN = 1.0
ODD_NAME = -7.0  # a name kg's grammar does not read, between commas where a name must be
DOUBT_MARGIN = 3.0  # a runner-up this close makes the reading doubtful
RISKY_DOUBT_MARGIN = (
    6.0  # the same, for a reading of an unusual shape (a name in lower case, a cut in capitals)
)
FLOOR = -12.0  # below this no reading stands
# the most the title's end and the lexicon add to a reading, but for a known title: first author known,
# an organisation in its own title, the two words at the junction seen, a camel-case given name
BONUS_BOUND = KNOWN_FIRST_AUTHOR + 3.0 + NAME_WORD_SEEN + 2 * TITLE_WORD_SEEN + 1.5


_folded = lru_cache(maxsize=1 << 16)(fold)


@dataclass
class Lexicon:
    """What the run has seen in places that are not in doubt, folded: titles, names, and their words."""

    titles: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    title_words: Counter[str] = field(default_factory=Counter)
    name_words: Counter[str] = field(default_factory=Counter)
    parent: Lexicon | None = None  # a page's own lexicon reads through to the run's
    title_first_words: set[str] = field(default_factory=set)
    lists_learned: bool = False  # the run has learned from every layout-B page already

    def add_title(self, title: str) -> None:
        folded = fold(title)
        if folded in self.titles:
            return  # the same paper on another page: its words are counted once
        self.titles.add(folded)
        self.title_first_words.add(folded.split(" ", 1)[0])
        self.add_title_words(title.split())

    def add_title_words(self, words: list[str]) -> None:
        for word in words:
            folded = fold_word(word)
            if folded and any(c.isalpha() for c in folded):
                self.title_words[folded] += 1

    def add_name(self, name: str) -> None:
        folded = _folded(name)
        if folded in self.names:
            return  # an owner, or a coauthor met again: its words are counted once
        self.names.add(folded)
        for word in name.split():
            folded = fold_word(word)
            if len(folded) > 1 and folded not in PARTICLES:
                self.name_words[folded] += 1

    def learn_listed(self, titles: list[str], names: list[str]) -> None:
        """What a layout-A page lists: its titles and names (kg.parse.lexicon_entries)."""
        for title in titles:
            self.add_title(title)
        for name in names:
            self.add_name(name)

    def knows_title(self, title: str) -> bool:
        return self.knows_folded_title(fold(title))

    def knows_folded_title(self, folded: str) -> bool:
        return folded in self.titles or (self.parent is not None and self.parent.knows_folded_title(folded))

    def knows_name(self, name: str) -> bool:
        return self.knows_folded_name(_folded(name))

    def knows_folded_name(self, folded: str) -> bool:
        return folded in self.names or (self.parent is not None and self.parent.knows_folded_name(folded))

    def starts_a_title(self, folded_word: str) -> bool:
        """Whether a known title starts with this (folded) word: else no title of a line starting so is known."""
        return folded_word in self.title_first_words or (
            self.parent is not None and self.parent.starts_a_title(folded_word)
        )

    def name_word_count(self, folded: str) -> int:
        return self.name_words.get(folded, 0) + (self.parent.name_word_count(folded) if self.parent else 0)

    def title_word_count(self, folded: str) -> int:
        return self.title_words.get(folded, 0) + (self.parent.title_word_count(folded) if self.parent else 0)

    def learn_fused_line(self, text: str) -> None:
        """What a layout-B line shows beyond doubt: its later names and the start of its title."""
        names, words = fused_line_entries(text)
        self.learn_fused(names, words)

    def learn_fused(self, names: list[str], title_words: list[str]) -> None:
        """What `fused_line_entries` found, added (the same whatever the order)."""
        for name in names:
            self.add_name(name)
        self.add_title_words(title_words)


def fused_line_entries(text: str) -> tuple[list[str], list[str]]:
    """(names, title words) a layout-B line shows beyond doubt: its later names and its title's start."""
    head, _orgs = split_orgs(text)
    head, truncated = strip_et_al(head)
    pieces = head.split(", ")
    certain = [] if len(pieces) < 2 else pieces[-2:] if truncated and len(pieces) >= 3 else pieces[-1:]
    names = [name for name in certain if (score := name_score(name)) is not None and score >= -3.0]
    earliest = pieces[-min(SHOWN, len(pieces))]
    before = ", ".join(pieces[: -min(SHOWN, len(pieces))])
    return names, before.split() + earliest.split()[:-7]


@dataclass
class Reading:
    title: str
    authors: list[str]
    score: float
    plain: bool = True  # the commonest shapes: a title word and a capitalised name meet at a capital
    capital: bool = (
        True  # the first author starts with a capital after a letter in lower case, a digit or a sign
    )
    own: float = (
        0.0  # the part of the score that the title and first author earn (later names are names anyway)
    )


@dataclass
class FusedSplit:
    title: str | None
    authors: AuthorLine | None
    problem: str | None = None  # why it could not be split
    doubt: str | None = None  # split, but another reading was possible: said in words
    other: Reading | None = None  # that other reading

    @property
    def ok(self) -> bool:
        return self.problem is None


def split_fused_line(text: str, lexicon: Lexicon | None = None) -> FusedSplit:
    """Split a layout-B line into its title and author line: the best reading, and a doubt if any."""
    lexicon = lexicon or Lexicon()
    head, orgs = split_orgs(text)
    head, truncated = strip_et_al(head)
    pieces = head.split(", ")
    has_list = truncated or bool(orgs) or len(pieces) > 1

    if has_list and _only_names(pieces):
        return FusedSplit(None, None, "listing has no title: the line holds only author names")
    readings = _readings(pieces, truncated, lexicon)
    if not has_list:
        # nothing on the line says a list of names follows: a name starts with a capital after a word
        readings = [
            r for r in readings if (r.capital and r.title[-1] not in JOINERS) or lexicon.knows_title(r.title)
        ]
    readings = [r for r in readings if r.own >= FLOOR]
    if not readings:
        return FusedSplit(None, None, "no author names found after the title")
    readings.sort(key=lambda r: -r.score)
    best = readings[0]
    split = FusedSplit(best.title, AuthorLine(best.authors, truncated, orgs))
    runner_up = next((r for r in readings[1:] if (r.title, r.authors) != (best.title, best.authors)), None)
    margin = DOUBT_MARGIN if best.plain else RISKY_DOUBT_MARGIN
    if runner_up is not None and best.score - runner_up.score < margin:
        split.other = runner_up
        split.doubt = (
            f'took "{best.title}" as the title and "{best.authors[0]}" as the first author; '
            f'"{runner_up.title}" by "{runner_up.authors[0]}" would also read'
        )
    elif (
        not has_list
        and " " not in best.authors[0]
        and not lexicon.knows_title(best.title)
        and not lexicon.knows_name(best.authors[0])
    ):
        split.doubt = (
            f'took "{best.title}" as the title and "{best.authors[0]}" as its only author; '
            "nothing else on the line shows where the title ends"
        )
    return split


def _only_names(pieces: list[str]) -> bool:
    """Every piece between commas is a plain name: Rafael da Silva, Teven Le Scao (no title before them)."""
    return all(_clean_name(piece) for piece in pieces)


def _clean_name(piece: str) -> bool:
    """A piece that reads as a name of the commonest shapes, with nothing glued to it."""
    score = name_score(piece)
    return score is not None and score >= -1.0 and not any(word_kind(w) == CAMEL for w in piece.split(" "))


def _readings(pieces: list[str], truncated: bool, lexicon: Lexicon) -> list[Reading]:
    """Every reading that could matter: the best, and those close enough to it to make it doubtful.

    A reading's score is its cheap part (the junction and the names) plus its title's end and what the
    lexicon says; the latter add at most BONUS_BOUND (or KNOWN_TITLE). Readings are scored fully from the
    best cheap part down, and a reading whose cheap part cannot reach the best by the doubt margin is not.
    """
    first_word = pieces[0].split(" ", 1)[0]
    titles_may_be_known = lexicon.starts_a_title(_folded(first_word))
    cheap: list[tuple[float, float, str, str, list[str], str, int, bool]] = []
    for shown in range(1, min(SHOWN, len(pieces)) + 1):
        later = pieces[len(pieces) - shown + 1 :]
        later_score = 0.0
        for name in later:
            score = name_score(name)
            later_score += (
                (ODD_NAME if not _name_shaped(name) or not name else ODD_NAME / 2) if score is None else score
            )
            if lexicon.knows_name(name):
                later_score += KNOWN_OTHER_AUTHOR
        glued = pieces[len(pieces) - shown]
        if shown > 1 and _clean_name(glued):
            continue  # a whole name between commas is not cut by a title: Dong Souvik Nguyen
        before = ", ".join(pieces[: len(pieces) - shown])
        prefix = before + ", " if before else ""
        folded_heads: dict[int, str] = {}

        # The loop's values are bound as defaults: `known` is only called within this iteration.
        def known(
            at: int, prefix: str = prefix, glued: str = glued, folded_heads: dict[int, str] = folded_heads
        ) -> bool:
            """Whether the title ending at `at` is known, folding only its last words anew."""
            if not titles_may_be_known:
                return at < len(first_word) and lexicon.knows_title(prefix + glued[:at])
            space = glued.rfind(" ", 0, at)
            if space < 0:
                return lexicon.knows_title(prefix + glued[:at])
            if space not in folded_heads:
                folded_heads[space] = fold(prefix + glued[:space])
            return lexicon.knows_folded_title(f"{folded_heads[space]} {_folded(glued[space + 1 : at])}")

        base = later_score + _count_prior(shown, truncated)
        for at in _junctions(glued):
            first = glued[at:]
            known_title = known(at)
            part = _cheap_score(first, glued, at, known_title)
            if part is not None:
                cheap.append((part + base, base, prefix + glued[:at], first, later, glued, at, known_title))
    cheap.sort(key=lambda c: -c[0])
    readings: list[Reading] = []
    best: float | None = None
    for part, base, title, first, later, glued, at, known_title in cheap:
        bound = part + (KNOWN_TITLE if known_title else 0.0) + BONUS_BOUND
        if best is not None and bound < best - RISKY_DOUBT_MARGIN:
            continue
        if not any(c.isalnum() for c in title):
            continue
        score = part + _refined_score(title, first, glued, at, lexicon, known_title)
        best = score if best is None else max(best, score)
        readings.append(
            Reading(
                title, [first, *later], score, _plain(glued, at, first), not glued[at].islower(), score - base
            )
        )
    return readings


LOWER_WORD_PART = re.compile(r"[^\W\d_A-Z]+(?:['’.-][^\W\d_]*)*")


def _junctions(glued: str) -> list[int]:
    """Places inside the last words of a piece where the first author may start: in the last glued word
    (a title's word and a name's written as one: systemDerek, GPUsYuke) or after it, for no name holds one."""
    places = []
    spaces = [i for i, c in enumerate(glued) if c == " "]
    start = spaces[-9] + 1 if len(spaces) >= 9 else 0  # a first author has at most nine words (kg.names)
    word_starts = [0] + [i + 1 for i in spaces]
    for word_start in reversed(word_starts):
        if word_start <= start:
            break
        end = glued.find(" ", word_start)
        if _glued_word(glued[word_start : end if end >= 0 else len(glued)]):
            start = word_start
            break
    lowered = LOWER_WORD_PART
    for i in range(max(start, 1), len(glued)):
        c, left = glued[i], glued[i - 1]
        if c == " " or left == " ":
            continue
        if c.islower():
            # a name printed in lower case: after a lower-case letter or an acronym (GAN|dror), whole
            # words of lower case, more than one (learning|richard socher; not Ng|uyen, Tr|ansformers)
            if left.isupper() and not (i >= 2 and glued[i - 2].isupper()):
                continue
            end = glued.find(" ", i)
            if end < 0 or not lowered.fullmatch(glued, i, end):
                continue
            places.append(i)
        elif c.isalpha() or c in '("“':
            places.append(i)
    return places


@lru_cache(maxsize=1 << 16)
def _glued_word(word: str) -> bool:
    """A word no name holds: lower case running into a capital, or capitals into a capitalised word."""
    if word_kind(word) != OTHER:
        return False
    return any(
        word[j].isupper()
        and (word[j - 1].islower() or (j + 1 < len(word) and word[j - 1].isupper() and word[j + 1].islower()))
        for j in range(1, len(word))
    )


def _count_prior(shown: int, truncated: bool) -> float:
    if truncated:  # `et al.` follows three names but where the source itself said "and others"
        return {3: 0.0, 2: -3.0, 1: -5.0}[shown]
    return {3: 0.0, 2: -0.3, 1: -2.0}[shown]


def _junction_score(left: str, right: str, after: str, left_run: int) -> float | None:
    """How a title's last character and a name's first one meet (`after`: the character after that)."""
    if left in JOINERS:
        return -6.0
    if right in '("“':
        return -3.0
    if right.isupper():
        if left.isupper() and not (after.islower()):
            return -2.5  # inside a run of capitals: GPU|NVIDIA, LEARNING|WEN SUN
        return 0.0  # system|Derek, MLE|Pradeep, NVFP4|Felix, ?|John
    if right.islower():
        if left.islower():
            return -4.0  # learning|richard socher
        if left.isupper():
            return -3.5 if left_run >= 2 else -6.0  # GAN|dror freirich; Pe|ter
        return -3.0  # 2|richard, )|richard
    # a script without case: 深度学习|王小明
    return -3.0 if left.isalpha() and not left.isupper() and not left.islower() else 0.0


def _cheap_score(first: str, glued: str, at: int, known_title: bool) -> float | None:
    """The part of a reading's score that its first author and junction alone give; None: no reading."""
    right = glued[at]
    left_run = 0
    while left_run < at and glued[at - 1 - left_run].isupper():
        left_run += 1
    if left_run < at and glued[at - 1 - left_run].islower():
        left_run = 0  # MoEŁ|ukasz: capitals inside a camel-case word, not an acronym
    if right.islower():
        if glued[at - 1].isupper() and left_run < 2:
            return None  # Pe|ter, B|erkin: a cut inside a capitalised word
        head = first.split(" ", 1)[0]
        if not all(c.islower() or c in APOSTROPHES or c in "-." for c in head):
            return None  # only a name printed in lower case starts with a lower-case letter
    after = glued[at + 1] if at + 1 < len(glued) else " "
    junction = _junction_score(glued[at - 1], right, after, left_run)
    if junction is None:
        return None
    name = name_score(first)
    if name is None:
        # a name kg's grammar does not read (Curtis "Fjord" Hawthorne, Ananya Kumar*): short, or settled
        if not known_title and not (_name_shaped(first) and len(first.split()) <= 4 and first[0].isupper()):
            return None
        name = ODD_NAME
    return junction + name


def _refined_score(title: str, first: str, glued: str, at: int, lexicon: Lexicon, known_title: bool) -> float:
    """The rest of a reading's score: where its title ends, and what the run has seen (at most BONUS_BOUND
    above zero, or KNOWN_TITLE more for a known title)."""
    score = _title_end_score(title, first)
    if (
        " " not in first
        and len(first) >= 3
        and first[0].isupper()
        and first.casefold() in (w.casefold() for w in title.split())
    ):
        score += 3.0  # an organisation that names its own product: NVIDIA Merlin, by NVIDIA
    if known_title:
        score += KNOWN_TITLE
    # A cut inside a run of letters that starts a name in lower case but goes on in capitals (Fang|tao
    # Li) is never credited with a name the run knows: that name was printed with its capital (Tao Li),
    # so it says nothing of a word cut in two. A name printed all in lower case (MRI|yan yang) still is.
    inside_a_word = glued[at - 1].isalpha() and glued[at].islower() and any(c.isupper() for c in first)
    if lexicon.knows_name(first) and not inside_a_word:
        score += KNOWN_FIRST_AUTHOR
    head = first.split(" ", 1)[0]
    y = fold_word(head)
    x = fold_word(title.rsplit(" ", 1)[-1])
    if y:
        if inside_a_word:
            pass
        elif lexicon.name_word_count(y):
            score += NAME_WORD_SEEN
        elif lexicon.title_word_count(y):
            score -= NAME_WORD_SEEN
    if len(head) > 12:
        score -= (len(head) - 12) / 2  # hibitionarthur: a name's first word is seldom this long
    if len(x) > 2:  # a title seldom ends in a short word: in|hibitionarthur d szlam
        if lexicon.title_word_count(x):
            score += TITLE_WORD_SEEN
            if glued[at - 1].islower() and glued[at].islower():
                score += TITLE_WORD_SEEN  # learning|richard: the title's word is whole
        elif lexicon.name_word_count(x):
            score -= TITLE_WORD_SEEN
        elif x in (fold_word(w) for w in title.split()[:-1]):
            score += TITLE_WORD_SEEN / 2  # the title says the word twice: TC-GNN ... GNN
        elif (
            glued[at - 1].islower()
            and glued[at].islower()
            and any(lexicon.title_word_count(x[:j]) for j in range(max(3, len(x) - 5), len(x)))
        ):
            score -= 2.0  # networksjae|hong: a known title word and the start of a name
    # camel case: KernelsChang|Yong Oh cuts a name (Chang is a name's word), Kernels|ChangYong Oh does not
    last = title.rsplit(" ", 1)[-1]
    piece = _last_capital_piece(last)
    if piece and piece != last:
        folded = fold_word(piece)
        if lexicon.name_word_count(folded) and not lexicon.title_word_count(folded):
            score -= 2.0
    # and the other way round: Tensor|FlowAlexander glues a title word to a name, Kernels|ChangYong does not
    if _has_inner_capital(head):
        cut = next(j for j in range(1, len(head)) if head[j].isupper() and head[j - 1].islower())
        first_piece, rest_piece = fold_word(head[:cut]), fold_word(_last_capital_piece(head))
        if len(first_piece) <= 2 and head[:cut] not in CAMEL_PREFIXES:
            score -= 1.5  # GP|UsStefan: a cut in a title word, not a name like ChangYong
        elif lexicon.name_word_count(first_piece) and not lexicon.title_word_count(first_piece):
            score += 1.5
        if (
            lexicon.name_word_count(rest_piece)
            and lexicon.title_word_count(first_piece)
            and not lexicon.name_word_count(first_piece)
        ):
            score -= 2.5
    if head[:1].islower() and len(head) <= 2 and " " in first:
        score -= 1.5  # Kar|ol Gregor
    return score


def _plain(glued: str, at: int, first: str) -> bool:
    """A reading of the commonest shape: system|Derek G Murray, MLE|Pradeep Ravikumar, NVFP4|Felix Abecassis."""
    left, right = glued[at - 1], glued[at]
    if not right.isupper() or (left.isupper() and not glued[at + 1 : at + 2].islower()):
        return False
    last = glued[:at].rsplit(" ", 1)[-1]
    if _has_inner_capital(last) and _last_capital_piece(last)[1:].islower():
        return False  # ChoicesXian|Xing Zhang or Choices|XianXing Zhang (not MoE|Łukasz Kaiser)
    return (
        all(word_kind(w) in (CAP, INITIAL, PARTICLE, SUFFIX, NICK) for w in first.split(" ")) and " " in first
    )


def _title_end_score(title: str, first: str) -> float:
    """How well a title ends where this reading ends it."""
    last = title.rsplit(" ", 1)[-1]
    score = 0.0
    # a cut-off name: Frank Mc|Sherry, Yann Le|Cun, Sean O'|Brien
    piece = _last_capital_piece(last)
    if piece and (piece in CAMEL_PREFIXES or piece[-1:] in APOSTROPHES) and first[:1].isupper():
        first_word = first.split(" ", 1)[0]
        if name_score(piece + first_word) is not None or name_score("Ann " + piece + first_word) is not None:
            score -= 6.0
    if last[-1:] in APOSTROPHES:
        score -= 4.0
    if len(last) >= 4 and last[-1].isupper() and last[-4:-1].islower() and last[-4:-1].isalpha():
        score -= 3.0  # InterpretabilityK|AIDI XU: a title word seldom ends in a lone capital
    # a camel-case last word: MegaBlocks (a title word), ModelsBig (a name cut off the author)
    if _has_inner_capital(last):
        score -= 1.5
        if piece and len(piece) <= 3 and piece[1:].islower():
            score -= 1.0
    elif (
        len(last) <= 2
        and last.isalpha()
        and not last.isupper()
        and last.lower() not in ("a", "i", "an", "to", "of", "in", "on", "at", "by", "is", "go")
    ):
        score -= 2.0  # Pe|ter: a cut word
    if len(last) <= 2 and last.isupper() and first[:2].isupper() and first[:2].isalpha():
        score -= 3.0  # AAA V|AN AAA: a cut inside a word in capitals
    if len(title) <= 3:
        score -= 4.0 if len(title) == 1 else 1.5  # N|VIDIA Merlin: hardly a title
    # a title that ends in a list of names
    if ", " in title:
        for whole in title.split(", ")[1:-1]:  # ...systemDerek G Murray, Frank McSherry, Rebecca Is|aacs
            whole_score = name_score(whole)
            if whole_score is not None and whole_score >= -5.0 and whole[:1].isupper():
                score -= 3.0
        tail = title.rsplit(", ", 1)[-1]
        if len(tail.split()) <= 2 and not any(w.islower() and len(w) > 3 for w in tail.split()[:-1]):
            score -= 2.0  # ...inhibitionarthur d szlam, Kar|ol Gregor
        tail_score = name_score(tail)
        if (
            tail_score is not None
            and tail_score >= -3.0
            and not is_group(tail)
            and tail.split(" ")[0][:1].isupper()
        ):
            score -= 4.0
    return score


def _last_capital_piece(word: str) -> str:
    """The part of a word from its last capital that follows a lower-case letter (or the whole word)."""
    for j in range(len(word) - 1, 0, -1):
        if word[j].isupper() and (word[j - 1].islower() or word[j - 1] in ".-"):
            return word[j:]
    return word if word[:1].isupper() else ""


def _has_inner_capital(word: str) -> bool:
    return any(word[j].isupper() and word[j - 1].islower() for j in range(1, len(word)))
