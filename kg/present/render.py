"""The one output helper every command uses: results as a terminal table, CSV, TSV, JSON or RDF.

What can be shown:

- `Solutions` (a SPARQL SELECT result: variable names and rows of RDF terms) in `table`, or in the
  W3C SPARQL 1.1 Query Results formats `csv`, `tsv` and `json`;
- a `bool` (a SPARQL ASK result) in the same formats;
- `Triples` (a CONSTRUCT/DESCRIBE result) in `turtle`, `ntriples`, `jsonld` or `rdfxml`;
- plain records (a list of dicts, for stats and build summaries) in any of the table formats.

`emit(result, fmt)` writes any of them to stdout; the `format_*` functions return the text;
`write_rows` and `write_triples` write an answer to a file as its rows come, so that
`kg sparql` keeps no more than a table's first rows in memory, whatever the answer's size.

Tables fit the terminal (kg.present.terminal): `terminal_width()` is `COLUMNS`, else the width of the terminal stdout is,
else none (a pipe or a file gets whole cells). A table cannot know its columns' widths before its last
row, so it takes them from its first `TABLE_SAMPLE` rows, shares the terminal's width among the columns
(narrow columns keep their width; the wide ones split the rest), and cuts longer cells with `…`; the
full values are in the other formats.

Control characters from the data (C0 such as ESC, BEL and CR, DEL, C1, bidirectional overrides and
isolates, line and paragraph separators) never reach a terminal raw: the table shows them as `\x1b`
or `\u202e`; TSV, Turtle, N-Triples and JSON write them as the escapes those syntaxes define (the same
data); CSV has no escapes, so it keeps them (quoted) unless stdout is a terminal; XML, which cannot
hold C0 characters at all, writes those as visible `\x1b` text and the rest as character references.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from json.encoder import encode_basestring
from typing import IO

import click
import pyoxigraph as ox

from kg.model.vocab import PREFIXES, RDF, XSD
from kg.present.terminal import (
    _SHOWN_ESCAPED,
    TableLayout,
    aligned,
    is_terminal,
    terminal_width,
    visible,
)
from kg.query.answers import Answer, Record, Solutions, Term, Triples

TABLE_FORMATS = ("table", "csv", "tsv", "json")
RESULT_FORMATS = (*TABLE_FORMATS, "xml")  # a SELECT/ASK answer: the table formats and W3C SPARQL XML
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")


_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def emit(result: Answer, fmt: str) -> None:
    """Write a result to stdout in `fmt`; a table fits the terminal (`terminal_width`)."""
    if isinstance(result, Solutions):
        write_rows(result.vars, iter(result.rows), fmt, sys.stdout, width=terminal_width())
        return
    click.echo(format_result(result, fmt), nl=False)


def format_result(result: Answer, fmt: str) -> str:
    if isinstance(result, bool):
        return format_boolean(result, fmt)
    if isinstance(result, Solutions):
        return format_solutions(result, fmt)
    if isinstance(result, Triples):
        return format_graph(result.triples, fmt)
    return format_records(list(result), fmt)


def format_solutions(solutions: Solutions, fmt: str, width: int | None = None) -> str:
    """The text of a SELECT result; a table's columns fit `width` (None: whole cells)."""
    out = io.StringIO()
    write_rows(
        solutions.vars, iter(solutions.rows), fmt, out, width=width, sample=max(len(solutions.rows), 1)
    )
    return out.getvalue()


Row = Sequence[Term | None]


TABLE_SAMPLE = 100  # the rows a streamed table takes its column widths from


def write_rows(
    variables: Sequence[str],
    rows: Iterator[Row],
    fmt: str,
    out: IO[str],
    *,
    width: int | None = None,
    sample: int = TABLE_SAMPLE,
) -> int:
    """Write a SELECT answer to `out` as its rows come (nothing is kept but a table's first `sample`
    rows); the number of rows written. `width`: the terminal's, for a table."""
    if fmt == "table":
        return _write_table(list(variables), rows, out, width, sample)
    if fmt not in RESULT_FORMATS:
        raise _unknown(fmt, RESULT_FORMATS)
    writers: dict[str, type[_CsvRows | _TsvRows | _JsonRows | _XmlRows]] = {
        "csv": _CsvRows,
        "tsv": _TsvRows,
        "json": _JsonRows,
        "xml": _XmlRows,
    }
    writer = writers[fmt](list(variables), out)
    count = 0
    for row in rows:
        writer.row(row)
        count += 1
    writer.end()
    return count


# XML's escapes, written here: xml.sax.saxutils imports urllib.request (http.client, email), 40 ms of
# the start of every command that can print results
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})
_XML_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def _xml_attribute(value: str) -> str:
    """An XML attribute's value, quoted."""
    return f'"{value.translate(_XML_ATTRIBUTE)}"'


def _write_table(
    variables: list[str], rows: Iterator[Row], out: IO[str], width: int | None, sample: int
) -> int:
    first: list[Row] = []
    for row in rows:
        first.append(row)
        if len(first) >= sample:
            break
    cells = [[_plain(term) for term in row] for row in first]
    numeric = [
        all(_is_number(row[i]) for row in first if row[i] is not None)
        and any(row[i] is not None for row in first)
        for i in range(len(variables))
    ]
    table = TableLayout(variables, cells, numeric, width)
    out.write(table.head())
    for line in cells:
        out.write(table.line(line))
    count = len(first)
    for row in rows:
        out.write(table.line([_plain(term) for term in row]))
        count += 1
    return count


class _CsvRows:
    """W3C SPARQL 1.1 CSV: RFC 4180, CRLF line ends."""

    def __init__(self, variables: list[str], out: IO[str]):
        self.writer = csv.writer(out, lineterminator="\r\n")
        self.shown = is_terminal(out)  # a terminal is shown the control characters, not sent them
        self.writer.writerow(variables)

    def row(self, row: Row) -> None:
        cells = [_csv_cell(term) for term in row]
        self.writer.writerow([visible(cell) for cell in cells] if self.shown else cells)

    def end(self) -> None:
        pass


class _TsvRows:
    """W3C SPARQL 1.1 TSV: terms in Turtle syntax."""

    def __init__(self, variables: list[str], out: IO[str]):
        self.out = out
        out.write("\t".join("?" + v for v in variables) + "\n")

    def row(self, row: Row) -> None:
        self.out.write("\t".join(_tsv_cell(term) for term in row) + "\n")

    def end(self) -> None:
        pass


class _JsonRows:
    """W3C SPARQL 1.1 JSON results, one binding a line."""

    def __init__(self, variables: list[str], out: IO[str]):
        self.out, self.variables, self.first = out, variables, True
        self.keys = [_json_string(v) for v in variables]
        out.write('{"head": {"vars": ' + _json_text(variables) + '}, "results": {"bindings": [')

    def row(self, row: Row) -> None:
        # written by hand, not json.dumps per row: the same text, twice as fast on long answers
        parts = [
            f"{key}: {_json_term_text(term)}"
            for key, term in zip(self.keys, row, strict=False)
            if term is not None
        ]
        self.out.write(("{" if self.first else ",\n{") + ", ".join(parts) + "}")
        self.first = False

    def end(self) -> None:
        self.out.write("]}}\n")


class _XmlRows:
    """W3C SPARQL Query Results XML Format."""

    def __init__(self, variables: list[str], out: IO[str]):
        self.out, self.variables = out, variables
        head = "".join(f"<variable name={_xml_attribute(v)}/>" for v in variables)
        out.write(f'<?xml version="1.0"?>\n<sparql xmlns="{_SPARQL_XML}">\n<head>{head}</head>\n<results>\n')

    def row(self, row: Row) -> None:
        bindings = "".join(
            f"<binding name={_xml_attribute(var)}>{_xml_term(term)}</binding>"
            for var, term in zip(self.variables, row, strict=False)
            if term is not None
        )
        self.out.write(f"<result>{bindings}</result>\n")

    def end(self) -> None:
        self.out.write("</results>\n</sparql>\n")


_SPARQL_XML = "http://www.w3.org/2005/sparql-results#"


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attribute = f" xml:lang={_xml_attribute(term.language)}"
        elif term.datatype.value != XSD + "string":
            attribute = f" datatype={_xml_attribute(term.datatype.value)}"
        else:
            attribute = ""
        return f"<literal{attribute}>{_xml_text(term.value)}</literal>"
    parts = "".join(
        f"<{name}>{_xml_term(part)}</{name}>"
        for name, part in (("subject", term.subject), ("predicate", term.predicate), ("object", term.object))
    )
    return f"<triple>{parts}</triple>"


_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML 1.0 cannot hold these, even as references


def _xml_text(text: str) -> str:
    return _xml_controls(text.translate(_XML_TEXT))


def _xml_controls(text: str) -> str:
    """XML with the C0 characters it cannot hold shown as `\\x1b`, and C1 and bidirectional controls as
    character references (the same characters, never raw)."""
    text = _XML_FORBIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return _SHOWN_ESCAPED.sub(lambda m: f"&#x{ord(m.group()):X};", text)


def format_boolean(value: bool, fmt: str) -> str:
    if fmt == "json":
        return _json({"head": {}, "boolean": value})
    if fmt == "xml":
        return (
            f'<?xml version="1.0"?>\n<sparql xmlns="{_SPARQL_XML}">\n<head></head>\n'
            f"<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"
        )
    if fmt in TABLE_FORMATS:
        return ("true" if value else "false") + "\n"
    raise _unknown(fmt, RESULT_FORMATS)


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
    # N-Triples form, escaped by pyoxigraph (C0 included); the other characters a terminal obeys as
    # \\uXXXX, which Turtle reads back as the same character
    return _SHOWN_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04X}", str(term))


def _json_string(text: str) -> str:
    return _SHOWN_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", encode_basestring(text))


_IRI_TEXT: dict[str, str] = {}  # the JSON of IRIs seen lately: answers repeat their predicates and classes


def _json_term_text(term: Term) -> str:
    """`_json_term(term)` as JSON text."""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        text = _IRI_TEXT.get(iri)
        if text is None:
            if len(_IRI_TEXT) > 50_000:
                _IRI_TEXT.clear()
            text = _IRI_TEXT[iri] = '{"type": "uri", "value": ' + _json_string(iri) + "}"
        return text
    if isinstance(term, ox.Literal):
        value = _json_string(term.value)
        if term.language:
            return (
                '{"type": "literal", "value": ' + value + ', "xml:lang": ' + _json_string(term.language) + "}"
            )
        datatype = term.datatype.value
        if datatype == XSD + "string":
            return '{"type": "literal", "value": ' + value + "}"
        return '{"type": "literal", "value": ' + value + ', "datatype": ' + _json_string(datatype) + "}"
    return _json_text(_json_term(term))


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
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


def format_records(
    records: Sequence[Record], fmt: str, columns: Sequence[str] | None = None, *, width: int | None = None
) -> str:
    """Rows of plain values (str, int, float, bool, None) in any table format; a table's columns fit
    `width` (None: whole cells; `terminal_width()` is the terminal's)."""
    columns = list(columns) if columns is not None else _columns(records)
    if fmt == "json":
        return _json([dict(r) for r in records], indent=2)
    rows = [[_value_text(r.get(c)) for c in columns] for r in records]
    if fmt == "table":
        numeric = [all(_is_plain_number(r.get(c)) for r in records if r.get(c) is not None) for c in columns]
        return aligned(columns, rows, numeric, width)
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


def format_graph(triples: Iterable[ox.Triple], fmt: str) -> str:
    """The text of an RDF graph; Turtle declares the prefixes it uses."""
    triples = list(triples)
    out = io.StringIO()
    write_triples(iter(triples), fmt, out, sample=max(len(triples), 1))
    return out.getvalue()


PREFIX_SAMPLE = 1000  # the triples a streamed graph takes the prefixes it declares from


def write_triples(triples: Iterator[ox.Triple], fmt: str, out: IO[str], sample: int = PREFIX_SAMPLE) -> int:
    """Write a CONSTRUCT/DESCRIBE answer to `out` as its triples come; the number written. Turtle
    declares the prefixes its first `sample` triples use (later IRIs in other namespaces are written
    whole)."""
    if fmt not in _RDF_FORMATS:
        raise _unknown(fmt, GRAPH_FORMATS)
    first = list(itertools.islice(triples, sample))
    used = _used_prefixes(first, PREFIXES) if fmt != "ntriples" else None
    counted = _Counted(itertools.chain(first, triples))
    sink = _TextSink(out, _xml_controls if fmt == "rdfxml" else _escaped_u)
    ox.serialize(counted, sink, format=_RDF_FORMATS[fmt], prefixes=used)  # type: ignore[arg-type]
    sink.close()
    return counted.count


class _Counted:
    def __init__(self, items: Iterator[ox.Triple]):
        self.items, self.count = items, 0

    def __iter__(self) -> Iterator[ox.Triple]:
        for item in self.items:
            self.count += 1
            yield item


def _escaped_u(text: str) -> str:
    return _SHOWN_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04X}", text)


class _TextSink:
    """The binary file pyoxigraph serializes to, passing its text on to a text file: UTF-8 decoded
    across chunk boundaries, C1 and bidirectional controls escaped as the syntax allows."""

    def __init__(self, out: IO[str], escape: Callable[[str], str]):
        self.out, self.escape = out, escape
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.ends_in_newline = True

    def write(self, data: bytes) -> int:
        self._put(self.decoder.decode(bytes(data)))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._put(self.decoder.decode(b"", final=True))
        if not self.ends_in_newline:
            self.out.write("\n")

    def _put(self, text: str) -> None:
        if text:
            self.out.write(self.escape(text))
            self.ends_in_newline = text.endswith("\n")


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


def _delimited(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """RFC 4180 CSV (CRLF line ends, quotes where needed), as the W3C CSV results format asks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def format_json(value: object) -> str:
    """Plain values as indented JSON, as every command writes its JSON (a terminal's controls escaped)."""
    return _json(value, indent=2)


def _json(value: object, indent: int | None = None) -> str:
    return _json_text(value, indent) + "\n"


def _json_text(value: object, indent: int | None = None) -> str:
    """JSON; C0 escaped by json itself, and the other characters a terminal obeys as \\uXXXX too."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _SHOWN_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _unknown(fmt: str, known: Sequence[str]) -> ValueError:
    return ValueError(f"unknown format {fmt!r}; use one of {', '.join(known)}")
