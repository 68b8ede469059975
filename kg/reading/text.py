"""Text as a user would match it, the one folding that names, titles and searches share."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Text as a user would match it: accents stripped, case folded, spaces collapsed."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def folded_words(text: str) -> list[str]:
    """The words of a text as matching sees them: folded, split at anything not a letter or a digit
    (`Déjà-Vu Nets` gives deja, vu, nets; `Y. Wang` gives y, wang). A name's words in the summary's
    index (kg.derive.summary) and those a user types (kg.query.person_lookup) must be split alike."""
    return _WORD.findall(fold(text))
