"""The one shape of a feature's answer (kg coi, kg people, kg search, kg diff), and its one way out.

A feature's answer is `Tabular`: `columns`, `rows()` of plain values for the table formats, and
`to_json()` for scripts (which may say more than the rows: an IRI, a score, the counts). The Python API
returns it; `format_tabular` writes it in every --format, as the command line and kg serve's pages
show it: a table that fits the terminal, CSV, TSV, or JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kg.present import render


class Tabular(Protocol):
    @property
    def columns(self) -> Sequence[str]: ...

    def rows(self) -> list[dict[str, object]]: ...

    def to_json(self) -> object: ...


def format_tabular(answer: Tabular, fmt: str, width: int | None = None) -> str:
    """The answer in `fmt` (table, csv, tsv, json); a table's columns fit `width` (None: whole cells)."""
    if fmt == "json":
        return render.format_json(answer.to_json())
    return render.format_records(answer.rows(), fmt, answer.columns, width=width if fmt == "table" else None)
