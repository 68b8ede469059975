"""The inferred graph of a store, kept right as pages come and go.

All inferred triples live in one named graph, `B graph/inferred`, each once however many pages entail
it. A full build bulk-loads every page's consequences (the store keeps one copy of each). When a page is
replaced, what only its old triples entailed must go: every consequence of the old page that the new
page does not entail is looked up for another premise in the asserted graphs (`Schema.premises` names
the patterns that entail it) and removed when none is left. That costs lookups in proportion to the
page, not to the store.

The coauthor rule (two distinct authors of one paper) joins across pages: it is redone for everyone on a
full build, and for the people a small update touched otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from kg.infer import Schema
from kg.mapping import Triple, iri, nquads
from kg.vocab import KG, Iris

HAS_AUTHOR = ox.NamedNode(KG + "hasAuthor")
COAUTHOR = ox.NamedNode(KG + "coauthorWith")


def term(text: str):
    """An N-Triples term string back into a pyoxigraph term."""
    if text.startswith("<"):
        return ox.NamedNode(text[1:-1])
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    return next(iter(ox.parse(f"<x:s> <x:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))).object


def asserted_graph_test(iris: Iris) -> Callable[[ox.NamedNode | ox.DefaultGraph], bool]:
    page_prefix, plain = iris.page_graph_prefix, {iris.ontology_graph, iris.facts_graph}

    def is_asserted(graph) -> bool:
        return isinstance(graph, ox.NamedNode) and (
            graph.value.startswith(page_prefix) or graph.value in plain
        )

    return is_asserted


def page_triples(store: ox.Store, graph: str) -> list[Triple]:
    """A page graph's own triples, without the build's provenance stamp about the graph itself."""
    node = ox.NamedNode(graph)
    return [
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store.quads_for_pattern(None, None, None, node)
        if q.subject != node
    ]


def is_supported(store: ox.Store, triple: Triple, schema: Schema, is_asserted) -> bool:
    """Whether some asserted triple still entails `triple` (or states it)."""
    for s, p, o in schema.premises(triple):
        pattern = (term(s) if s else None, ox.NamedNode(p[1:-1]), term(o) if o else None)
        if any(is_asserted(q.graph_name) for q in store.quads_for_pattern(*pattern, None)):
            return True
    return False


def retract(store: ox.Store, iris: Iris, schema: Schema, candidates: Iterable[Triple]) -> int:
    """Remove the candidates no asserted triple entails any more; how many were removed."""
    graph = ox.NamedNode(iris.inferred_graph)
    is_asserted = asserted_graph_test(iris)
    removed = 0
    for triple in candidates:
        quad = ox.Quad(term(triple[0]), term(triple[1]), term(triple[2]), graph)
        if quad in store and not is_supported(store, triple, schema, is_asserted):
            store.remove(quad)
            removed += 1
    return removed


def add(store: ox.Store, iris: Iris, triples: Iterable[Triple]) -> int:
    """Add consequences one by one (a small update), counting those that were new."""
    graph = ox.NamedNode(iris.inferred_graph)
    added = 0
    for s, p, o in triples:
        quad = ox.Quad(term(s), term(p), term(o), graph)
        if quad not in store:
            store.add(quad)
            added += 1
    return added


def reinfer_all(store: ox.Store, support: ox.Store, iris: Iris, schema: Schema) -> None:
    """Drop the inferred graph and entail it again from the ontology and every page (the ontology changed).

    A page's consequences come from its own graph and the shared facts it stated, taken together."""
    from kg.mapping import ontology_statements

    ontology = ontology_statements(iris.base)
    graph = ox.NamedNode(iris.inferred_graph)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    for named in list(store.named_graphs()):
        if named.value == iris.ontology_graph:
            statements = page_triples(store, named.value)
        elif named.value.startswith(iris.page_graph_prefix):
            statements = page_triples(store, named.value) + page_triples(support, named.value)
        else:
            continue
        store.bulk_load(
            nquads(schema.infer(statements, ontology), iris.inferred_graph), format=ox.RdfFormat.N_QUADS
        )


def graph_size(store: ox.Store, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(query)))["n"].value)


# --- the coauthor rule ----------------------------------------------------------------------------
# kg:hasAuthor is only ever asserted in the graph of facts, and kg:coauthorWith only ever made by this rule.


def paper_authors_in_graph(store: ox.Store, graph: str) -> dict[str, set[str]]:
    """{paper: its authors} as one page graph states them."""
    authors: dict[str, set[str]] = defaultdict(set)
    for q in store.quads_for_pattern(None, HAS_AUTHOR, None, ox.NamedNode(graph)):
        authors[q.subject.value].add(q.object.value)
    return authors


def people_whose_coauthors_may_change(old: dict[str, set[str]], new: dict[str, list[str]]) -> set[str]:
    """The authors of every paper whose author list differs between two versions of a page."""
    people: set[str] = set()
    for paper in old.keys() | new.keys():
        before, after = old.get(paper, set()), set(new.get(paper, ()))
        if before != after:
            people |= before | after
    return people


def coauthor_pairs(store: ox.Store, people: set[str] | None) -> set[tuple[str, str]]:
    """(a, b) for every coauthorship of `people` (both directions), or of everyone when None."""
    authors_of: dict[str, set[str]] = defaultdict(set)
    if people is None:
        for q in store.quads_for_pattern(None, HAS_AUTHOR, None, None):
            authors_of[q.subject.value].add(q.object.value)
    else:
        papers = {
            q.subject
            for person in people
            for q in store.quads_for_pattern(None, HAS_AUTHOR, ox.NamedNode(person), None)
        }
        for paper in papers:
            for q in store.quads_for_pattern(paper, HAS_AUTHOR, None, None):
                authors_of[paper.value].add(q.object.value)
    return pairs_of(authors_of, people)


def coauthor_nquads(authors_of: dict[str, set[str]], iris: Iris) -> bytes:
    """The coauthor rule's triples for papers whose authors are all known here (a build from nothing)."""
    return nquads(
        [(iri(a), iri(COAUTHOR.value), iri(b)) for a, b in sorted(pairs_of(authors_of, None))],
        iris.inferred_graph,
    )


def pairs_of(authors_of: dict[str, set[str]], people: set[str] | None) -> set[tuple[str, str]]:
    pairs = set()
    for authors in authors_of.values():
        for a in authors:
            if people is None or a in people:
                for b in authors:
                    if a != b:
                        pairs.add((a, b))
                        pairs.add((b, a))
    return pairs


def run_coauthor_rule(store: ox.Store, iris: Iris, people: set[str] | None) -> int:
    """(Re)derive kg:coauthorWith for `people`, or for everyone when None; the change in triples.

    Only the difference is written: an update that leaves everyone's coauthors as they were writes
    nothing, however many coauthors its people have."""
    if people is not None and not people:
        return 0
    graph = ox.NamedNode(iris.inferred_graph)
    if people is None:
        present = store.quads_for_pattern(None, COAUTHOR, None, graph)
    else:
        present = [
            q
            for person in people
            for pattern in ((ox.NamedNode(person), COAUTHOR, None), (None, COAUTHOR, ox.NamedNode(person)))
            for q in store.quads_for_pattern(*pattern, graph)
        ]
    before = {(q.subject.value, q.object.value) for q in present}
    after = coauthor_pairs(store, people)
    for a, b in before - after:
        store.remove(ox.Quad(ox.NamedNode(a), COAUTHOR, ox.NamedNode(b), graph))
    added = sorted(after - before)
    store.bulk_load(
        nquads([(iri(a), iri(COAUTHOR.value), iri(b)) for a, b in added], iris.inferred_graph),
        format=ox.RdfFormat.N_QUADS,
    )
    return len(added) - len(before - after)
