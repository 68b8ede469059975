"""How much a piece of text reads like an author's name, as printed on real pages.

A name is read word by word. Each word gets a kind (a capitalised word, an initial, a particle, a
suffix, a nickname, a word in capitals or in lower case, a word of a script without case), and the name
a score: 0 for the commonest shapes (`Geoffrey Hinton`, `Peter A. Beerel`), less for rarer ones (a
one-word name, a name in lower case, five words), None for what no name looks like (`Smith A.`,
`GPUs2`, an empty word). Groups (`BigScience Workshop`, `ByteDance Seedream Team`) are names of their
own kind, told by their last word.

Scores are log-odds in spirit: the splitter of fused lines adds them to what it knows about titles and
compares readings by the sum. Nothing here is a list of people's names; the only word lists are of
particles, suffixes and the words that end a group's name.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Lower-case words inside a name: Rafael da Silva, Laurens van der Maaten, Tom Dupré la Tour.
PARTICLES = frozenset(
    [
        "da",
        "das",
        "de",
        "des",
        "del",
        "della",
        "der",
        "di",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "las",
        "los",
        "van",
        "von",
        "den",
        "ter",
        "ten",
        "te",
        "bin",
        "binti",
        "ibn",
        "al",
        "el",
        "y",
        "e",
        "zu",
        "af",
        "av",
        "vom",
        "zum",
        "zur",
        "het",
        "op",
        "st.",
        "dal",
        "dei",
        "degli",
    ]
)
# Capitalised prefixes after which a second capital is still one word: McDonald, DeVito, LeCun, MacKay.
CAMEL_PREFIXES = (
    "Mc",
    "Mac",
    "De",
    "Di",
    "Da",
    "Du",
    "La",
    "Le",
    "Van",
    "Von",
    "Fitz",
    "Del",
    "Della",
    "Des",
    "Dos",
    "St",
    "Ten",
    "Ter",
)
SUFFIXES = frozenset(["Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV", "Jnr.", "PhD", "Ph.D."])
APOSTROPHES = "'’`"
HYPHENS = "-‐"
# The last word of a group's name: BigScience Workshop, LHC Collaboration, ByteDance Seedream Team.
GROUP_WORDS = frozenset(
    [
        "team",
        "teams",
        "collaboration",
        "consortium",
        "workshop",
        "group",
        "lab",
        "labs",
        "laboratory",
        "project",
        "initiative",
        "committee",
        "alliance",
        "foundation",
        "community",
        "contributors",
        "authors",
        "society",
        "association",
        "institute",
        "center",
        "centre",
        "council",
        "organization",
        "organisation",
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "corporation",
        "corp",
        "corp.",
        "company",
        "research",
    ]
)

# kinds of words
CAP = "cap"  # Hinton, O'Connor, McDonald, Jean-Luc, d'Aspremont, Shin'ichi
INITIAL = "initial"  # A. A J.-P. A.B.
PARTICLE = "particle"  # van, de, la
SUFFIX = "suffix"  # Jr. III
NICK = "nick"  # (Jack)
CAPS = "caps"  # LI, YUEMING
LOWER = "lower"  # koray, nhật
CASELESS = "caseless"  # 王小明, 김민수
CAMEL = "camel"  # BigScience, OpenAI, HongJing: capitals inside the word that no name prefix explains
DIGITS = "digits"  # Sven2, Li1: a slip of the source, still a name
OTHER = "other"  # digits, symbols: a group's word at best


def _is_caseless_letter(c: str) -> bool:
    return c.isalpha() and not c.isupper() and not c.islower()


def _cap_part(part: str) -> bool:
    """Beerel, O'Connor, McDonald, D'Souza, ONeil: a capital, then lower case, with the usual inner capitals."""
    if len(part) < 2 or not part[0].isupper():
        return False
    rest = part[1:]
    if rest[0] in APOSTROPHES:  # O'Connor, D'Souza
        return len(rest) > 1 and _cap_part(rest[1:])
    if all(c.islower() or (c in APOSTROPHES and i > 0) for i, c in enumerate(rest)):  # Hinton, Shin'ichi
        return rest[-1] not in APOSTROPHES
    for prefix in CAMEL_PREFIXES:
        if part.startswith(prefix) and len(part) > len(prefix) + 1 and _cap_part(part[len(prefix) :]):
            return True
    # ONeil, OBrien: an apostrophe the source dropped
    return len(rest) > 2 and rest[0].isupper() and part[0] in "OD" and all(c.islower() for c in rest[1:])


def _lower_part(part: str) -> bool:
    return (part.isalpha() and part.islower()) or (
        # d'Aspremont, dell'Orco: a particle joined by an apostrophe to a capitalised word
        len(part) > 2 and any(a in part for a in APOSTROPHES) and _apostrophe_particle(part)
    )


def _apostrophe_particle(part: str) -> bool:
    for a in APOSTROPHES:
        head, sep, tail = part.partition(a)
        if (
            sep
            and head.isalpha()
            and head.islower()
            and len(head) <= 4
            and (_cap_part(tail) or (tail.isalpha() and tail.islower()))
        ):
            return True
    return False


def _is_initial(word: str) -> bool:
    """A. or A or A.B. or J.-P. or J-P; in a name printed in lower case also a. or j.-p."""
    letters = [x for x in word.replace("-", ".").replace("‐", ".").split(".") if x]
    if not letters or len(letters) > 3 or not all(len(x) == 1 and x.isalpha() for x in letters):
        return False
    if not all(x.isupper() for x in letters) and "." not in word:
        return False  # a bare lower-case letter is a word of its own (arthur d szlam)
    return len(letters) == 1 or "." in word or "-" in word


@lru_cache(maxsize=65536)
def word_kind(word: str) -> str:
    """The kind of one word of a name."""
    if not word:
        return OTHER
    if word in PARTICLES or word in ("d'", "d’"):
        return PARTICLE
    if word in SUFFIXES or word.upper() in SUFFIXES or word.capitalize() in SUFFIXES:
        return SUFFIX  # Jr. JR. jr. III iii
    if (
        len(word) > 2
        and (word[0], word[-1]) in (("(", ")"), ('"', '"'), ("“", "”"))
        and word[0] not in word[1:-1]
    ):
        # Jiecao (Jack) Chen, Curtis "Fjord" Hawthorne
        return NICK if word_kind(word[1:-1]) in (CAP, CAPS, LOWER, CASELESS, CAMEL) else OTHER
    if _is_initial(word):
        return INITIAL
    if all(_is_caseless_letter(c) for c in word):
        return CASELESS
    parts = [p for p in _split_hyphens(word)]
    if any(not p for p in parts):
        return OTHER
    if all(
        p[0].isalpha() and p[-1].isalpha() and all(c.isupper() or c in APOSTROPHES for c in p) for p in parts
    ):
        return CAPS  # LI, YUEMING, O'CONNOR, JEAN-LUC
    # Jean-Luc, Jun-ichiro, Hernández-Lobato, RJ-Skerry, Schulze-bonhage
    if (_cap_part(parts[0]) or (len(parts) > 1 and parts[0].isalpha() and parts[0].isupper())) and all(
        _cap_part(p) or (p.isalpha() and (p.islower() or p.isupper())) for p in parts[1:]
    ):
        return CAP
    if _lower_part(parts[0]) and all(_cap_part(p) or _lower_part(p) for p in parts[1:]):
        return CAP if _apostrophe_particle(parts[0]) else LOWER
    if (
        all(p.isalpha() or all(c.isalpha() or c in APOSTROPHES for c in p) for p in parts)
        and parts[0][0].isupper()
    ):
        # capitals run into a capitalised word (MLEPradeep) is an acronym glued to a word, not a name
        if any(
            p[j].isupper() and p[j + 1].isupper() and p[j + 2].islower()
            for p in parts
            for j in range(len(p) - 2)
        ):
            return OTHER
        return CAMEL
    if (
        word[0].isalpha()
        and word[-1].isdigit()
        and word.rstrip("0123456789").isalpha()
        and len(word.rstrip("0123456789")) >= 2
    ):
        return DIGITS
    return OTHER


def _split_hyphens(word: str) -> list[str]:
    for h in HYPHENS[1:]:
        word = word.replace(h, "-")
    return word.split("-")


def is_group(name: str) -> bool:
    words = name.split(" ")
    return len(words) >= 2 and words[-1].casefold() in GROUP_WORDS and words[0][:1].isupper()


# Scores of whole names. 0 is a name of the commonest shape.
WORD_COUNT = {1: -4.0, 2: 0.0, 3: -0.6, 4: -2.5, 5: -4.0, 6: -5.5}


@lru_cache(maxsize=65536)
def name_score(name: str) -> float | None:
    """How much `name` reads like one author's name as pages print it; None: it cannot be one."""
    if not name or name != name.strip() or "  " in name or len(name) > 80:
        return None
    words = name.split(" ")
    if is_group(name):
        return (
            -2.0
            if len(words) <= 8 and all(word_kind(w) != OTHER or any(c.isalnum() for c in w) for w in words)
            else None
        )
    if len(words) > 9:
        return None
    kinds = [word_kind(w) for w in words]
    if OTHER in kinds:
        return None
    for i in range(1, len(words) - 1):  # DE LA, Van Der: particles in capitals, inside a name
        if kinds[i] in (CAP, CAPS) and words[i].lower() in PARTICLES:
            kinds[i] = PARTICLE
    n = len(words)
    # words that count towards a name's length: Laurens van der Maaten, J. R. R. Tolkien have two
    core = sum(1 for k in kinds if k not in (PARTICLE, NICK, SUFFIX, INITIAL))
    if core > 6:
        return None
    if n == 1:
        kind = kinds[0]
        if kind == CASELESS:
            return -1.0 if 2 <= len(name) <= 4 else -3.0
        if kind == CAP:
            return -4.0
        if kind in (CAMEL, CAPS):
            return -5.0 if len(name) >= 3 else None  # OpenAI, NVIDIA: one word that names an organisation
        if kind == LOWER:
            return -7.0
        return None
    score = WORD_COUNT.get(max(core, 2), -5.5)
    # the last word is a family name or a suffix after one
    last = kinds[-1]
    if last in (PARTICLE, NICK):
        return None
    if last == SUFFIX:
        if n < 3 or kinds[-2] in (PARTICLE, INITIAL, SUFFIX, NICK):
            return None
        kinds, n = kinds[:-1], n - 1
    elif last == INITIAL:
        # Weinan E: a one-letter family name; "Smith A." is an initial in the wrong place
        if "." in words[-1] or n != 2 or kinds[0] not in (CAP, CAPS, LOWER):
            return None
        score -= 2.5
    if kinds[0] == PARTICLE:
        score -= 4.0
    if NICK in kinds and (kinds[0] == NICK or kinds.count(NICK) > 1):
        return None
    if kinds[-1] == INITIAL and kinds[-1] is not last:
        return None
    # printing styles
    letters = [k for k in kinds if k in (CAP, CAPS, LOWER, CAMEL, DIGITS)]
    if letters and all(k == CAPS for k in letters):
        score -= 2.0  # YUEMING LYU
    elif letters and all(k == LOWER for k in letters):
        score -= 2.5  # richard socher
    else:
        score -= 1.5 * sum(1 for k in letters if k in (CAPS, LOWER))  # Xuhong LI, koray kavukcuoglu
        if CAPS in letters and LOWER in letters:
            score -= 2.0
    score -= 2.0 * kinds.count(CAMEL)  # HongJing Lu
    score -= 3.0 * kinds[1:].count(CAMEL)  # B Technical ReportBo Adler: camel case stands first, if anywhere
    score -= 4.0 * kinds.count(DIGITS)  # Sven2 Eberhardt
    if kinds[0] == LOWER and len(words[0]) == 1:
        return None  # a lower-case initial stands inside a name only (arthur d szlam)
    if CASELESS in kinds:
        score -= 1.0 if all(k == CASELESS for k in kinds) else 2.0
    if all(k in (INITIAL, PARTICLE, SUFFIX, NICK) for k in kinds):
        return None
    return score


@lru_cache(maxsize=1 << 16)
def fold_word(word: str) -> str:
    """A word as the lexicon keeps it: accents stripped, case folded, punctuation at its ends dropped."""
    word = word.strip(".,:;!?()[]{}\"'’“”`")
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return word.casefold()
