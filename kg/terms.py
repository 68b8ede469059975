"""Reading pyoxigraph terms as text, whatever kind of term a query or a quad gives."""

from __future__ import annotations

import pyoxigraph as ox

AnyTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def text_of(term: AnyTerm) -> str:
    """An IRI, a blank node's id or a literal's lexical form; a quoted triple (RDF 1.2) as N-Triples."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def text_or_none(term: AnyTerm | None) -> str | None:
    """text_of an optional term: None for a variable the solution leaves unbound."""
    return None if term is None else text_of(term)
