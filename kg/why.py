"""`kg query ... --why`: each row of a canned query followed by the listings that support it.

A canned query NAME has a companion `queries/why/NAME.rq`, a SELECT of ?title ?page ?line: the papers
behind one row, with the page and line of each listing that shows them. Its `# @values` markers name
the canned query's parameters and the row's columns; both are bound as RDF terms, the row's values
exactly as the engine returned them, so nothing is pasted into the query text.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.queries import BoundTerm, CannedQuery, Engine, bind_values, select
from kg.render import visible
from kg.resources import queries_dir
from kg.terms import text_of, text_or_none

if TYPE_CHECKING:
    from kg.api import Graph
    from kg.render import Solutions

_MARKER_NAME = re.compile(r"^[ \t]*#[ \t]*@values[ \t]+([A-Za-z_]\w*)", re.M)


@dataclass(frozen=True)
class Support:
    title: str
    page: str
    line: int | None

    def __str__(self) -> str:
        where = f"{self.page}:{self.line}" if self.line is not None else self.page
        return f"{where}  {self.title}"


def why_query(canned: CannedQuery) -> str | None:
    """The text of NAME's companion query, or None when it has none."""
    path = queries_dir() / "why" / f"{canned.name}.rq"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def supports(
    engine: Engine,
    text: str,
    params: Mapping[str, Sequence[BoundTerm]],
    columns: Sequence[str],
    row: Sequence[object],
) -> list[Support]:
    """The listings behind one row; none when a column the companion query needs is unbound."""
    values: dict[str, list[BoundTerm]] = {name: list(terms) for name, terms in params.items()}
    for name, term in zip(columns, row, strict=True):
        if isinstance(term, (ox.NamedNode, ox.Literal)):
            values[name] = [term]
    if any(name not in values for name in _MARKER_NAME.findall(text)):
        return []
    found = select(engine, bind_values(text, values))
    out = []
    for title, page, line in found.rows:
        out.append(
            Support(
                text_or_none(title) or "",
                text_or_none(page) or "",
                int(text_of(line)) if line is not None else None,
            )
        )
    return out


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
            out.extend(_wrapped(f"    from {visible(str(support))}", width))
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
    from kg.render import Solutions

    rows = [
        (*row, ox.Literal("; ".join(str(s) for s in found)))
        for row, found in zip(answer.rows, supports_per_row, strict=True)
    ]
    return Solutions([*answer.vars, WHY_COLUMN], rows)


def write_why(
    graph: Graph,
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
    from kg import render
    from kg.render import Solutions
    from kg.result import Result

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
