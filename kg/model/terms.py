"""Reading pyoxigraph terms as text, whatever kind of term a query or a quad gives."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from kg.errors import INTERNAL, KgError

AnyTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def text_of(term: AnyTerm) -> str:
    """An IRI, a blank node's id or a literal's lexical form; a quoted triple (RDF 1.2) as N-Triples."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def text_or_none(term: AnyTerm | None) -> str | None:
    """text_of an optional term: None for a variable the solution leaves unbound."""
    return None if term is None else text_of(term)


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
