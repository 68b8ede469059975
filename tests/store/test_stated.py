"""What each page stated of the shared facts (kg.store.stated): kept as one value per page and an index
by node, read back fact for fact."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import AS_OF, FIXTURE_PAGES

from kg.building.builder import build
from kg.model.vocab import KG
from kg.store import stated
from kg.store.generations import KgStore

TITLE = "NVIDIA Nemotron 3: Efficient and Open Intelligence"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("stated") / "s"
    build([FIXTURE_PAGES], path, as_of=AS_OF)
    return KgStore.open_read(path)


def test_a_fact_is_found_on_every_page_that_states_it(store):
    title = next(
        q for q in store.store.quads_for_pattern(None, ox.NamedNode(KG + "title"), ox.Literal(TITLE), None)
    )
    triple = (str(title.subject), str(title.predicate), str(title.object))
    pages = store.stated_by_pages().pages_stating(triple)
    listed_on = {
        q.graph_name.value
        for q in store.store.quads_for_pattern(None, ox.NamedNode(KG + "listedPaper"), title.subject, None)
    }
    assert pages == sorted(listed_on) and len(pages) == 3
    assert store.stated_by_pages().pages_stating((triple[0], triple[1], '"Another title"')) == []


def test_each_page_keeps_its_facts_in_a_few_quads(store):
    support = ox.Store.read_only(str(store.support_dir))
    pages = {
        q.graph_name.value for q in support.quads_for_pattern(None, ox.NamedNode(stated.STATED_FACTS), None)
    }
    assert len(pages) == 5
    facts = sum(len(store.stated_facts(page)) for page in pages)
    index = sum(1 for _ in support.quads_for_pattern(None, ox.NamedNode(stated.STATED_ON), None))
    nodes = sum(len({s for s, _, _ in store.stated_facts(page)}) for page in pages)
    assert index == nodes and facts > 3 * index


def test_any_literal_reads_back_as_written(tmp_path):
    literals = [
        ox.Literal('a "quoted"\nline, é, 漢字 \\ tab\t'),
        ox.Literal("2020-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        ox.Literal("Titel", language="de"),
    ]
    paper = "<https://kg.example.org/data/paper/p1>"
    triples = [(paper, f"<{KG}title>", str(literal)) for literal in literals]
    triples.append(("<https://kg.example.org/data/person/a>", f"<{KG}name>", '"A"'))
    support = ox.Store(str(tmp_path / "support"))
    graph = "https://kg.example.org/data/graph/page/x"
    support.bulk_load(stated.page_nquads(graph, triples), format=ox.RdfFormat.N_QUADS)
    assert stated.facts_of(support, graph) == triples
    assert stated.StatedFacts(support).pages_stating(triples[0]) == [graph]
    assert stated.facts_of(support, "https://kg.example.org/data/graph/page/other") == []
    assert stated.page_nquads(graph, []) == b""
