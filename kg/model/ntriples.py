"""N-Triples terms as text: kg keeps triples as `('<s>', '<p>', '"o"^^<dt>')` strings, which Oxigraph loads in
bulk, rdflib parses for SHACL, and inference reads without building objects."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from kg.model.vocab import XSD

Triple = tuple[str, str, str]


def iri(value: str) -> str:
    return f"<{value}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


_ESCAPED = re.compile(r"\\(.)")
_UNESCAPE = {"n": "\n", "r": "\r"}


def value_of(text: str) -> str:
    """A term written here, read back as a store gives its value: an IRI without brackets, a literal's
    text with `_escape` undone."""
    if text.startswith("<"):
        return text[1:-1]
    lexical = text[1 : text.rindex('"')]
    return (
        _ESCAPED.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(1)), lexical) if "\\" in lexical else lexical
    )


def string(text: str) -> str:
    return f'"{_escape(text)}"'


def typed(lexical: str, datatype: str) -> str:
    return f'"{_escape(lexical)}"^^<{XSD}{datatype}>'


def integer(value: int) -> str:
    return typed(str(value), "integer")


def boolean(value: bool) -> str:
    return typed("true" if value else "false", "boolean")


def xsd_date(value: date) -> str:
    return typed(value.isoformat(), "date")


def decimal(value: Decimal) -> str:
    text = format(value, "f")
    return typed(text if "." in text else text + ".0", "decimal")


def nquads(triples: list[Triple], graph: str) -> bytes:
    g = iri(graph)
    return "".join(f"{s} {p} {o} {g} .\n" for s, p, o in triples).encode("utf-8")


def term(text: str) -> Any:
    """An N-Triples term string back into a pyoxigraph term: a NamedNode, BlankNode or Literal. Any, for
    which of them it is only the caller knows, by the place of the text in its triple (a subject, a
    predicate), and pyoxigraph's constructors take each place's own kinds."""
    if text.startswith("<"):
        return ox.NamedNode(text[1:-1])
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    return next(iter(ox.parse(f"<x:s> <x:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))).object
