"""Text for a terminal: control characters from the data shown, never obeyed; counts with their nouns; the terminal's width; and a table's columns fitted to it, cells cut with `…`."""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from typing import IO

# What a terminal obeys rather than shows: C0 (ESC, BEL, CR...), DEL, C1, the bidirectional marks,
# embeddings, overrides and isolates, and the line and paragraph separators.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_CONTROL = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}]")
_SHOWN_ESCAPED = re.compile(f"[\\x7f-\\x9f{_BIDI}]")  # those that syntaxes escaping C0 still let through


def visible(text: str) -> str:
    """Text safe to show on a terminal: control characters from the data shown as \\x1b or \\u202e,
    never obeyed."""
    return _CONTROL.sub(_shown, text)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 person`, `2 people`, `1,234 rows`: a count with its noun agreeing."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def terminal_width() -> int | None:
    """The columns a table may take: COLUMNS when set, else the width of the terminal stdout is; None
    when stdout is a pipe or a file (whole cells, for whatever reads them)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if os.isatty(sys.stdout.fileno()):
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    return None


def is_terminal(out: IO[str]) -> bool:
    try:
        return out.isatty()
    except (OSError, ValueError, AttributeError):
        return False


GAP = 2  # spaces between columns
NARROWEST = 6  # a column is never cut narrower than this (or than its widest cell, if less)
CUT = "…"
SHORT = 10  # a column this narrow (a date) is cut only when nothing else can give way


class TableLayout:
    """A terminal table's header, rule and lines: columns padded, numbers right-aligned, widths taken
    from the rows it is given (the first rows of a stream) and shared out to fit `width`; cells wider
    than their column cut with `…`."""

    def __init__(
        self,
        header: Sequence[str],
        sample: Sequence[Sequence[str]],
        numeric: Sequence[bool],
        width: int | None = None,
    ):
        self.header = [visible(h) for h in header]
        self.numeric = list(numeric)
        natural = [
            max([text_width(h)] + [text_width(visible(row[i])) for row in sample])
            for i, h in enumerate(self.header)
        ]
        self.widths = fit(natural, width)

    def head(self) -> str:
        """The header, cut like the cells below it, and the rule under it."""
        header = [cut(h, w) for h, w in zip(self.header, self.widths, strict=False)]
        return self._join(header, True) + "\n" + self._join(["-" * w for w in self.widths], False) + "\n"

    def line(self, cells: Sequence[str], aligned: bool = True) -> str:
        return (
            self._join(
                [cut(visible(cell), width) for cell, width in zip(cells, self.widths, strict=False)], aligned
            )
            + "\n"
        )

    def _join(self, cells: Sequence[str], aligned: bool) -> str:
        padded = []
        for cell, width, right in zip(cells, self.widths, self.numeric, strict=False):
            gap = " " * (width - text_width(cell))
            padded.append(gap + cell if right and aligned else cell + gap)
        return (" " * GAP).join(padded).rstrip()


def fit(natural: Sequence[int], width: int | None) -> list[int]:
    """Column widths within `width` (None: as they are): columns narrower than an even share keep
    their width, the wider ones split what is left; none narrower than NARROWEST (or its cells) unless
    that is the only way to fit, when every column shares the room evenly (one column at least)."""
    if width is None or not natural:
        return list(natural)
    room = width - GAP * (len(natural) - 1)
    if sum(natural) <= room:
        return list(natural)
    widths = list(natural)
    left, count = room, len(natural)
    for i in sorted(range(len(natural)), key=lambda i: natural[i]):
        # a short column (a date, a number, a flag) stays whole while the others keep NARROWEST each
        whole = natural[i] <= SHORT and left - natural[i] >= NARROWEST * (count - 1)
        widths[i] = natural[i] if whole else max(min(natural[i], left // count), min(natural[i], NARROWEST))
        left -= widths[i]
        count -= 1
    if sum(widths) > room:  # too many columns for NARROWEST: the wide ones give up the excess
        for i in sorted(range(len(widths)), key=lambda i: -widths[i]):
            excess = sum(widths) - room
            if excess <= 0:
                break
            widths[i] = max(1, widths[i] - excess, min(widths[i], max(1, room // len(widths))))
    return widths


def cut(text: str, width: int) -> str:
    """`text` in at most `width` columns, ending in `…` when it was cut."""
    if width <= 1:
        return text if text_width(text) <= width else CUT[:width]
    if text.isascii():
        return text if len(text) <= width else text[: width - 1] + CUT
    if text_width(text) <= width:
        return text
    kept, used = [], 0
    for c in text:
        w = _char_width(c)
        if used + w > width - 1:
            break
        kept.append(c)
        used += w
    return "".join(kept) + CUT


def aligned(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool], width: int | None = None
) -> str:
    """A terminal table of plain records: header, a rule, then rows; cells cut to fit `width`."""
    table = TableLayout(header, rows, numeric, width)
    return table.head() + "".join(table.line(row) for row in rows)


def text_width(text: str) -> int:
    """Columns a string takes in a terminal: wide East Asian letters take two, combining marks none."""
    if text.isascii():
        return len(text)
    # below U+0300 every letter takes one column: only the others need looking up
    return len(text) + sum(_char_width(c) - 1 for c in _MAYBE_NOT_ONE.findall(text))


_MAYBE_NOT_ONE = re.compile("[\u0300-\U0010ffff]")


def _char_width(c: str) -> int:
    if unicodedata.combining(c):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
