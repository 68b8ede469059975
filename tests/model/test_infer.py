"""Inference: kg's per-page application of the schema closure equals owlrl's full OWL RL closure."""

from __future__ import annotations

import owlrl
import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF

from kg.model.inference import compile_schema
from kg.model.ontology import ontology_graph
from kg.model.vocab import KG
from kg.store.generations import KgStore

# OWL RL rules kg does not apply to data, because what they add is true of everything:
# eq-ref (x owl:sameAs x) and the typing of every individual as owl:Thing.
NOT_APPLIED = {(OWL.sameAs, None), (RDF.type, OWL.Thing)}


def rdflib_graph(kg: KgStore, keep) -> Graph:
    quads = [q for q in kg.store.quads_for_pattern(None, None, None, None) if keep(q.graph_name.value)]
    data = ox.serialize(
        [ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES
    )
    graph = Graph()
    graph.parse(data=data, format="nt")
    return graph


def about_data(graph, base: str) -> set:
    return {
        (s, p, o)
        for s, p, o in graph
        if str(s).startswith(base) and (p, None) not in NOT_APPLIED and (p, o) not in NOT_APPLIED
    }


@pytest.fixture(scope="module")
def store(fixture_store):
    return KgStore.open_read(fixture_store)


def test_inferred_graphs_equal_owlrl_closure_of_the_seed_graph(store):
    iris = store.iris
    asserted = rdflib_graph(store, lambda g: g.startswith(iris.page_graph_prefix) or g == iris.facts_graph)
    inferred = rdflib_graph(store, lambda g: g == iris.inferred_graph)
    # the coauthor rule's output is a premise for owlrl too (its own proof is the next test)
    for triple in inferred.triples((None, URIRef(KG + "coauthorWith"), None)):
        asserted.add(triple)
    ontology = ontology_graph(iris.base)

    reference = asserted + ontology
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(reference)
    ours = asserted + ontology + inferred

    expected, got = about_data(reference, iris.base), about_data(ours, iris.base)
    missing, extra = sorted(expected - got), sorted(got - expected)
    assert not missing and not extra, f"missing {missing[:10]}\nextra {extra[:10]}"
    assert len(inferred) > len(asserted) / 2  # the closure really added something


def test_coauthor_rule_is_the_authorship_chain_without_oneself(store):
    """kg:coauthorWith = kg:authorOf ∘ kg:hasAuthor, minus x coauthorWith x (which OWL cannot exclude)."""
    iris = store.iris
    pages = rdflib_graph(store, lambda g: g.startswith(iris.page_graph_prefix) or g == iris.facts_graph)
    ontology = ontology_graph(iris.base)
    chain = BNode()
    Collection(ontology, chain, [URIRef(KG + "authorOf"), URIRef(KG + "hasAuthor")])
    ontology.add((URIRef(KG + "coauthorWith"), OWL.propertyChainAxiom, chain))
    reference = pages + ontology
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(reference)
    coauthor = URIRef(KG + "coauthorWith")
    expected = {(s, o) for s, o in reference.subject_objects(coauthor) if s != o}
    ours = set(
        rdflib_graph(store, lambda g: g == iris.inferred_graph).subject_objects(URIRef(KG + "coauthorWith"))
    )
    assert ours == expected
    assert len(ours) > 100


def test_a_triple_entails_its_alignment():
    schema = compile_schema(ontology_graph("https://kg.example.org/id/"))
    paper, person = "<https://kg.example.org/id/paper/p>", "<https://kg.example.org/id/person/a>"
    entailed = set(schema.consequences((paper, f"<{KG}hasAuthor>", person)))
    assert (paper, "<https://schema.org/author>", person) in entailed
    assert (person, f"<{KG}authorOf>", paper) in entailed
    assert (paper, f"<{RDF.type}>", "<https://schema.org/ScholarlyArticle>") in entailed
    title = '"T"'
    assert (paper, "<https://schema.org/name>", title) in set(
        schema.consequences((paper, f"<{KG}title>", title))
    )
    # a literal is never made a subject
    assert all(not s.startswith('"') for s, _, _ in schema.consequences((paper, f"<{KG}title>", title)))


def test_a_build_from_nothing_hands_the_coauthor_pairs_to_the_loader_in_pieces(monkeypatch):
    """Every ordered pair of two authors of one paper, once, and never all of them in one piece."""
    import itertools

    from kg.derive import derived_graph
    from kg.model.vocab import Iris

    people = [f"https://example.org/person/p{i}" for i in range(60)]
    authors_of = {f"paper{i}": set(people[i % 50 : i % 50 + 1 + i % 7]) for i in range(200)}
    monkeypatch.setattr(derived_graph, "PIECE_BYTES", 2_000)
    pieces = list(derived_graph.coauthor_nquads(authors_of, Iris("https://example.org/")))
    lines = [line for piece in pieces for line in piece.decode().splitlines()]
    expected = {(a, b) for authors in authors_of.values() for a, b in itertools.permutations(authors, 2)}
    assert len(lines) == len(set(lines)) == len(expected)
    quads = ox.parse(b"".join(pieces), format=ox.RdfFormat.N_QUADS)
    assert {(q.subject.value, q.object.value) for q in quads} == expected
    assert len(pieces) > 5 and max(map(len, pieces)) < 2_000 + 60 * 200  # one person's lines past the bound
