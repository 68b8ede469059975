"""The one output helper every command uses: results as a terminal table, CSV, TSV, JSON or RDF.

What can be shown:

- `Solutions` (a SPARQL SELECT result: variable names and rows of RDF terms) in `table`, or in the
  W3C SPARQL 1.1 Query Results formats `csv`, `tsv` and `json`;
- a `bool` (a SPARQL ASK result) in the same formats;
- `Graph` (a CONSTRUCT/DESCRIBE result) in `turtle`, `ntriples`, `jsonld` or `rdfxml`;
- plain records (a list of dicts, for stats and build summaries) in any of the table formats.

`emit(result, fmt)` writes any of them to stdout; the `format_*` functions return the text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import click
import pyoxigraph as ox

from kg.vocab import PREFIXES, RDF, XSD

TABLE_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")

_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Record = Mapping[str, object]


@dataclass
class Solutions:
    """A SELECT result, whatever engine produced it: variable names, and one term (or None) per variable per row."""

    vars: list[str]
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)


@dataclass
class Graph:
    """A CONSTRUCT/DESCRIBE result."""

    triples: list[ox.Triple]


Result = Solutions | bool | Graph | Sequence[Record]


def emit(result: Result, fmt: str) -> None:
    """Write a result to stdout in `fmt`."""
    click.echo(format_result(result, fmt), nl=False)


def format_result(result: Result, fmt: str) -> str:
    if isinstance(result, bool):
        return format_boolean(result, fmt)
    if isinstance(result, Solutions):
        return format_solutions(result, fmt)
    if isinstance(result, Graph):
        return format_graph(result.triples, fmt)
    return format_records(list(result), fmt)


# --- SELECT results ------------------------------------------------------------------------------


def format_solutions(solutions: Solutions, fmt: str) -> str:
    if fmt == "table":
        cells = [[_plain(term) for term in row] for row in solutions.rows]
        numeric = [
            all(_is_number(row[i]) for row in solutions.rows if row[i] is not None)
            for i in range(len(solutions.vars))
        ]
        return _aligned(solutions.vars, cells, numeric)
    if fmt == "csv":
        return _delimited(solutions.vars, ([_csv_cell(t) for t in row] for row in solutions.rows))
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in solutions.vars)]
        lines += ["\t".join(_tsv_cell(t) for t in row) for row in solutions.rows]
        return "\n".join(lines) + "\n"
    if fmt == "json":
        bindings = [
            {var: _json_term(term) for var, term in zip(solutions.vars, row, strict=True) if term is not None}
            for row in solutions.rows
        ]
        return _json({"head": {"vars": solutions.vars}, "results": {"bindings": bindings}})
    raise _unknown(fmt, TABLE_FORMATS)


def format_boolean(value: bool, fmt: str) -> str:
    if fmt == "json":
        return _json({"head": {}, "boolean": value})
    if fmt in TABLE_FORMATS:
        return ("true" if value else "false") + "\n"
    raise _unknown(fmt, TABLE_FORMATS)


def _plain(term: Term | None) -> str:
    """A term as a person reads it: literal values bare, IRIs as they are."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return " ".join(term.value.split())  # one line per row, whatever the text holds
    return str(term)


def _is_number(term: Term | None) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC


_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}


def _csv_cell(term: Term | None) -> str:
    """W3C CSV: IRIs and literal values bare (no datatype, no language), blank nodes as _:id."""
    if term is None:
        return ""
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


# Turtle's bare forms; W3C TSV lets numbers and booleans be written like this.
_BARE = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}


def _tsv_cell(term: Term | None) -> str:
    """W3C TSV: terms in SPARQL/Turtle syntax."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        bare = _BARE.get(term.datatype.value)
        if bare and bare.fullmatch(term.value):
            return term.value
    return str(term)  # N-Triples form, escaped by pyoxigraph


def _json_term(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


# --- plain records -------------------------------------------------------------------------------


def format_records(records: Sequence[Record], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Rows of plain values (str, int, float, bool, None) in any table format."""
    columns = list(columns) if columns is not None else _columns(records)
    if fmt == "json":
        return _json([dict(r) for r in records], indent=2)
    rows = [[_value_text(r.get(c)) for c in columns] for r in records]
    if fmt == "table":
        numeric = [all(_is_plain_number(r.get(c)) for r in records if r.get(c) is not None) for c in columns]
        return _aligned(columns, rows, numeric)
    if fmt == "csv":
        return _delimited(columns, rows)
    if fmt == "tsv":
        clean = [
            [" ".join(cell.split()) for cell in row] for row in rows
        ]  # a tab or newline would split a cell
        return "\n".join("\t".join(row) for row in [columns, *clean]) + "\n"
    raise _unknown(fmt, TABLE_FORMATS)


def _columns(records: Sequence[Record]) -> list[str]:
    seen: dict[str, None] = {}
    for record in records:
        seen.update(dict.fromkeys(record))
    return list(seen)


def _value_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_plain_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- RDF graphs ----------------------------------------------------------------------------------


def format_graph(triples: Iterable[ox.Triple], fmt: str, prefixes: Mapping[str, str] | None = None) -> str:
    if fmt not in _RDF_FORMATS:
        raise _unknown(fmt, GRAPH_FORMATS)
    triples = list(triples)
    used = _used_prefixes(triples, PREFIXES if prefixes is None else prefixes) if fmt != "ntriples" else None
    text = (ox.serialize(triples, format=_RDF_FORMATS[fmt], prefixes=used) or b"").decode("utf-8")
    return text if text.endswith("\n") or not text else text + "\n"


_IMPLICIT = {XSD + "string", RDF + "langString"}  # datatypes Turtle never writes out


def _used_prefixes(triples: Sequence[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """Only the prefixes some IRI of the graph starts with, so the output does not open with noise."""
    iris = {
        t.value
        for triple in triples
        for t in (triple.subject, triple.predicate, triple.object)
        if isinstance(t, ox.NamedNode)
    }
    iris |= {
        triple.object.datatype.value for triple in triples if isinstance(triple.object, ox.Literal)
    } - _IMPLICIT
    return {name: ns for name, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}


# --- shared --------------------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0 (ESC included), DEL and C1: they command a terminal


def visible(text: str) -> str:
    """Text safe to show on a terminal: control characters from the data shown as \\xNN, never obeyed."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _aligned(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> str:
    """A terminal table: header, a rule, then rows; columns padded, numbers right-aligned."""
    header = [visible(h) for h in header]
    rows = [[visible(cell) for cell in row] for row in rows]
    widths = [max([_width(h)] + [_width(row[i]) for row in rows]) for i, h in enumerate(header)]

    def line(cells: Sequence[str], rule: bool = False) -> str:
        padded = []
        for cell, width, right in zip(cells, widths, numeric, strict=True):
            gap = " " * (width - _width(cell))
            padded.append(gap + cell if right and not rule else cell + gap)
        return "  ".join(padded).rstrip()

    out = [line(header), line(["-" * w for w in widths], rule=True)]
    out += [line(row) for row in rows]
    return "\n".join(out) + "\n"


def _width(text: str) -> int:
    """Columns a string takes in a terminal: wide East Asian letters take two, combining marks none."""
    width = 0
    for c in text:
        if unicodedata.combining(c):
            continue
        width += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return width


def _delimited(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """RFC 4180 CSV (CRLF line ends, quotes where needed), as the W3C CSV results format asks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _json(value: object, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent) + "\n"


def _unknown(fmt: str, known: Sequence[str]) -> ValueError:
    return ValueError(f"unknown format {fmt!r}; use one of {', '.join(known)}")
