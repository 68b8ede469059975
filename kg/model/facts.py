"""The graph of facts: what pages state about papers, people, organisations and categories, each once.

Several pages may state one fact (a paper on three profiles). Queries see the union of all graphs, on
the local store, on `kg serve` and on any engine `kg push` fed, so the fact must sit in exactly one of
them: `B graph/facts`. Which pages state it is kept apart, in the support store (`kg.store.stated`),
never queried, read only when a page is rebuilt. A fact the old version of a page stated and the new
one does not is taken out of the graph of facts only when no other page states it: a look-up per such
fact among the pages that state facts about its subject, in proportion to the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from kg.model.ntriples import Triple, term
from kg.model.vocab import KG, Iris

_HAS_AUTHOR = f"<{KG}hasAuthor>"


def _quad(triple: Triple, graph: ox.NamedNode) -> ox.Quad:
    return ox.Quad(term(triple[0]), term(triple[1]), term(triple[2]), graph)


def add(store: ox.Store, iris: Iris, triples: Iterable[Triple]) -> list[Triple]:
    """Add facts one by one (a small update); those that were new."""
    graph = ox.NamedNode(iris.facts_graph)
    added = []
    for triple in triples:
        quad = _quad(triple, graph)
        if quad not in store:
            store.add(quad)
            added.append(triple)
    return added


def paper_authors(triples: Iterable[Triple]) -> dict[str, set[str]]:
    """{paper: its authors} (IRIs without brackets) as these facts state them."""
    authors: dict[str, set[str]] = {}
    for s, p, o in triples:
        if p == _HAS_AUTHOR:
            authors.setdefault(s[1:-1], set()).add(o[1:-1])
    return authors


def retract(
    store: ox.Store, iris: Iris, candidates: Iterable[Triple], still_stated: Callable[[Triple], bool]
) -> list[Triple]:
    """Take out the candidates no page states any more (`still_stated`); those removed.

    Call it once what each page stated is up to date (old pages removed, new ones loaded)."""
    graph = ox.NamedNode(iris.facts_graph)
    removed = []
    for triple in candidates:
        quad = _quad(triple, graph)
        if quad in store and not still_stated(triple):
            store.remove(quad)
            removed.append(triple)
    return removed
