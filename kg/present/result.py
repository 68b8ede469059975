"""`Result`: a query's answer for Python code, as plain values or a pandas DataFrame.

The engines answer in pyoxigraph terms (kg.query.answers' `Solutions`, `bool`, `Triples`); a notebook wants
`str`, `int`, `float`, `bool` and `datetime.date`. The conversion follows the literal's XSD datatype, so
every engine (local store, Oxigraph server, Virtuoso) gives the same Python values. A literal whose text
does not fit its datatype stays a string rather than being dropped. pandas is imported only by
`to_pandas`.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from kg.errors import KgError

if TYPE_CHECKING:
    import pandas
    import pyoxigraph as ox

    from kg.model.terms import BoundTerm
    from kg.query.answers import Answer, Term
    from kg.query.canned import CannedQuery

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
        "gYear",
    )
}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}

Value = str | int | float | bool | datetime.date | None

HTML_ROWS = 50  # rows a notebook shows of an answer

# The columns of a CONSTRUCT/DESCRIBE answer, and of an ASK answer.
TRIPLE_COLUMNS = ["subject", "predicate", "object"]
ASK_COLUMNS = ["boolean"]


def plain(term: Term | None) -> Value:
    """An RDF term as a plain Python value: IRIs as str, blank nodes as `_:id`, literals by datatype."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return _literal_value(term.value, term.datatype.value)
    return str(term)  # a quoted triple (RDF-star): its N-Triples text


def _literal_value(text: str, datatype: str) -> Value:
    try:
        if datatype in _INTEGERS:
            return int(text.strip())
        if datatype in _FLOATS:
            return float(text.strip())
        if datatype == XSD + "boolean":
            return _BOOLEANS[text.strip()]
        if datatype == XSD + "date":
            return datetime.date.fromisoformat(text.strip()[:10])
        if datatype == XSD + "dateTime":
            return datetime.datetime.fromisoformat(text.strip())
    except (ValueError, KeyError):
        pass  # not a valid form of its datatype: the text as it is, never lost
    return text


class Result:
    """A query's answer: iterate it for rows (dicts of plain values); `columns` names them.

    SELECT gives its variables as columns; ASK one row with the column `boolean` (also `.boolean`);
    CONSTRUCT/DESCRIBE one row per triple with `subject`, `predicate`, `object` (also `.triples`).
    `notes` are what kg took for granted, e.g. which person a partial name was taken as."""

    def __init__(self, answer: Answer, notes: list[str] | None = None):
        from kg.query.answers import Solutions, Triples

        self.answer = answer  # as the engine gave it: kg.render.format_result prints it as the CLI does
        self.notes = list(notes or [])
        self.asked: tuple[CannedQuery, dict[str, list[BoundTerm]]] | None = (
            None  # a canned query's, for --why
        )
        self.boolean: bool | None = None
        self.triples: list[ox.Triple] | None = None
        if isinstance(answer, bool):
            self.boolean = answer
            self.columns = list(ASK_COLUMNS)
            self._terms: list[tuple[Term | bool | None, ...]] = [(answer,)]
        elif isinstance(answer, Triples):
            self.triples = list(answer.triples)
            self.columns = list(TRIPLE_COLUMNS)
            self._terms = [(t.subject, t.predicate, t.object) for t in self.triples]
        elif isinstance(answer, Solutions):
            self.columns = list(answer.vars)
            self._terms = list(answer.rows)
        else:
            raise TypeError(f"not a query answer: {type(answer).__name__}")

    def __len__(self) -> int:
        return len(self._terms)

    def __iter__(self) -> Iterator[dict[str, Value]]:
        for row in self._terms:
            yield {
                column: term if isinstance(term, bool) else plain(term)
                for column, term in zip(self.columns, row, strict=True)
            }

    def __repr__(self) -> str:
        from kg.present.terminal import counted

        return f"<kg.Result: {counted(len(self), 'row')} of {', '.join(self.columns)}>"

    def _repr_html_(self) -> str:
        """A notebook shows the answer as a table: the first HTML_ROWS rows, and how many there are."""
        from html import escape

        head = "".join(f"<th>{escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>"
            + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row.values())
            + "</tr>"
            for row in itertools.islice(self, HTML_ROWS)
        )
        from kg.present.terminal import counted

        more = f"<p>the first {HTML_ROWS} of {counted(len(self), 'row')}</p>" if len(self) > HTML_ROWS else ""
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"

    def rows(self) -> list[dict[str, Value]]:
        """Every row as a dict of plain values (None where a variable is unbound)."""
        return list(self)

    def format(self, fmt: str = "table") -> str:
        """The text `kg query`/`kg sparql` prints for this answer: table, csv, tsv, json, xml (SELECT, ASK);
        turtle, ntriples, jsonld, rdfxml (CONSTRUCT, DESCRIBE)."""
        from kg.present import render

        try:
            return render.format_result(self.answer, fmt)
        except ValueError as e:
            raise KgError(str(e)) from None

    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame with a column per variable, typed: integers int64 (Int64 with gaps), floats float64,
        booleans bool (boolean with gaps), dates datetime64; text and IRIs as objects (str)."""
        try:
            import pandas as pd
        except ImportError:
            raise KgError("Result.to_pandas needs pandas: pip install 'kg[pandas]'") from None
        rows = self.rows()
        frame: pandas.DataFrame = pd.DataFrame(  # pandas-stubs types the constructor as giving Any
            {column: [row[column] for row in rows] for column in self.columns}, columns=self.columns
        )
        for column in self.columns:
            dtype = _column_dtype([row[column] for row in rows])
            if dtype == "datetime64[ns]":
                frame[column] = pd.to_datetime(frame[column])
            elif dtype is not None:
                frame[column] = frame[column].astype(dtype)
        return frame


def _column_dtype(
    values: list[Value],
) -> Literal["object", "boolean", "bool", "Int64", "int64", "float64", "datetime64[ns]"] | None:
    """The pandas dtype all the values of a column fit (None: leave it as pandas reads it)."""
    present = [v for v in values if v is not None]
    if not present:
        return "object"  # nothing to tell the type by: not the float64 pandas gives an empty column
    gaps = len(present) < len(values)
    kinds = {type(v) for v in present}
    if kinds == {bool}:
        return "boolean" if gaps else "bool"
    if kinds == {int}:
        return "Int64" if gaps else "int64"
    if kinds <= {int, float}:
        return "float64"
    if kinds == {datetime.date} or kinds == {datetime.datetime}:
        return "datetime64[ns]"
    return None
