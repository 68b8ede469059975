"""Text as a user would match it, the one folding that names, titles and searches share."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Text as a user would match it: accents stripped, case folded, spaces collapsed."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(text.casefold().split())
