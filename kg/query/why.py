"""`kg query ... --why`: each row of a canned query followed by the listings that support it.

A canned query NAME has a companion `queries/why/NAME.rq`, a SELECT of ?title ?page ?line: the papers
behind one row, with the page and line of each listing that shows them. Its `# @values` markers name
the canned query's parameters and the row's columns; both are bound as RDF terms, the row's values
exactly as the engine returned them, so nothing is pasted into the query text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.model.terms import BoundTerm, bind_values, text_of, text_or_none
from kg.query.canned import CannedQuery, Engine, select
from kg.system.resources import queries_dir

if TYPE_CHECKING:
    pass

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
