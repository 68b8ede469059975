"""`kg query ... --why` shown: each row of a canned query followed by the listings that support it (a
table), or a `why` column (csv, tsv, json, xml)."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import IO, Any, Protocol

import pyoxigraph as ox

from kg.present import render, terminal
from kg.present.result import Result
from kg.query.answers import Solutions
from kg.query.why import Support


class SupportedGraph(Protocol):
    """What write_why reads of the API's Graph: a canned query's answer, and the listings behind it."""

    def query(self, name: str, *args: Any, limit: int | None = None) -> Result: ...

    def supports(self, result: Result) -> list[list[Support]]: ...


def table_with_supports(
    table: str, supports_per_row: Sequence[Sequence[Support]], width: int | None = None
) -> str:
    """A rendered table (a header, a rule, one line per row) with each row's supports beneath it,
    wrapped to `width` (None: one line each)."""
    lines = table.rstrip("\n").split("\n")
    out = lines[:2]
    rows = lines[2 : 2 + len(supports_per_row)]
    for row_line, found in zip(rows, supports_per_row, strict=False):
        out.append(row_line)
        for support in found:
            out.extend(_wrapped(f"    from {terminal.visible(str(support))}", width))
        if not found:
            out.append("    (no listing found)")
    out.extend(lines[2 + len(rows) :])  # what a table shows after its rows, such as how many were cut
    return "\n".join(out) + "\n"


def _wrapped(line: str, width: int | None) -> list[str]:
    if width is None or len(line) <= width:
        return [line]
    return textwrap.wrap(line, width, subsequent_indent=" " * 9, break_long_words=True) or [line]


WHY_COLUMN = "why"  # in csv, tsv and json: the supports of the row, `page:line  title` joined by "; "


def with_why_column(answer: Solutions, supports_per_row: Sequence[Sequence[Support]]) -> Solutions:
    """The answer with one more column, `why`: each row's supports as one text."""
    from kg.query.answers import Solutions

    rows = [
        (*row, ox.Literal("; ".join(str(s) for s in found)))
        for row, found in zip(answer.rows, supports_per_row, strict=True)
    ]
    return Solutions([*answer.vars, WHY_COLUMN], rows)


def write_why(
    graph: SupportedGraph,
    name: str,
    args: Sequence[Any],
    fmt: str = "table",
    *,
    limit: int | None = None,
    width: int | None = None,
    note: Callable[[str], None] | None = None,
    out: IO[str] | None = None,
) -> None:
    """`kg query NAME ARGS --why`: a table with the supports under each row, or in csv, tsv, json and
    xml a `why` column; with `limit`, the supports of the first rows only, and a table says how many
    rows there were."""
    out = sys.stdout if out is None else out
    result = graph.query(name, *args)
    answer = result.answer
    assert isinstance(answer, Solutions), "a canned query is a SELECT (kg.queries)"
    shown = Solutions(answer.vars, answer.rows if limit is None else answer.rows[:limit])
    first = Result(shown, result.notes)
    first.asked = result.asked
    found = graph.supports(first)
    if fmt == "table":
        table = render.format_solutions(shown, "table", width)
        out.write(table_with_supports(table, found, width))
    else:
        render.write_rows([*shown.vars, WHY_COLUMN], iter(with_why_column(shown, found).rows), fmt, out)
    if note is not None and fmt == "table":
        out.flush()
        if not shown.rows:
            note("no rows")
        elif len(shown.rows) < len(answer.rows):
            note(f"{len(shown.rows):,} of {len(answer.rows):,} rows (--limit {limit})")
