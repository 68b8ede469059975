"""Reading pyoxigraph terms as text, whatever kind of term a query or a quad gives."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

import pyoxigraph as ox

from kg.errors import INTERNAL, KgError

AnyTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def text_of(term: AnyTerm) -> str:
    """An IRI, a blank node's id or a literal's lexical form; a quoted triple (RDF 1.2) as N-Triples."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def text_or_none(term: AnyTerm | None) -> str | None:
    """text_of an optional term: None for a variable the solution leaves unbound."""
    return None if term is None else text_of(term)


Subject = ox.NamedNode | ox.BlankNode | ox.Triple
Object = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def quads_with(
    store: ox.Store,
    subject: Subject | None,
    predicate: ox.NamedNode | None,
    obj: Object | None,
    graph: GraphName | None = None,
) -> Iterator[ox.Quad]:
    """`store.quads_for_pattern`, keeping only the quads whose object is the one asked for.

    pyoxigraph 0.5 on disk answers a look-up by a literal whose encoding ends in the byte 0xFF (the
    integers 255, 511, ..., 1791, ...) with the next 255 values as well (measured on 0.5.13: the rank
    1791 gave 256 quads); SPARQL is not affected. Every look-up by a literal goes through here."""
    for quad in store.quads_for_pattern(subject, predicate, obj, graph):
        if obj is None or quad.object == obj:
            yield quad


# Where a canned query takes a parameter's values: a `# @values NAME [?var]` line.
VALUES_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)#[ \t]*@values[ \t]+(?P<name>[A-Za-z_]\w*)(?:[ \t]+\?(?P<var>[A-Za-z_]\w*))?[ \t]*$",
    re.M,
)


BoundTerm = ox.NamedNode | ox.Literal


def bind_values(text: str, values: Mapping[str, Sequence[BoundTerm]]) -> str:
    """The query with every `# @values NAME [?var]` line replaced by a VALUES block of `values[NAME]`.

    The terms are pyoxigraph terms, already validated by their constructors; `str()` gives their
    escaped N-Triples form, the same in SPARQL. Nothing the user typed reaches the text any other way.
    """

    def block(match: re.Match[str]) -> str:
        name, var = match["name"], match["var"] or match["name"]
        if name not in values:
            raise KgError(f"no value given for the parameter {name}", exit_code=INTERNAL)
        terms = values[name]
        for term in terms:
            if not isinstance(term, (ox.NamedNode, ox.Literal)):
                raise TypeError(f"{name}: only NamedNode and Literal can be bound, not {type(term).__name__}")
        return f"{match['indent']}VALUES ?{var} {{ {' '.join(str(t) for t in terms)} }}"

    return VALUES_MARKER.sub(block, text)
