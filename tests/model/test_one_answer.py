"""One fact, one answer: the sample store counted by hand-written queries and by every canned query,
on the local store, through `kg serve` and on an Oxigraph server (union default graph) that `kg push`
filled, checked against `kg stats` and the pages' records."""

from __future__ import annotations

import json
import shutil

import pyoxigraph as ox
import pytest
from conftest import AS_OF, FIXTURE_PAGES, run_main
from servers import kg_serving

from kg.model.vocab import KG
from kg.query.canned import Catalogue, LocalEngine, run_canned
from kg.query.person_lookup import PersonResolver
from kg.query.remote import HttpEngine
from kg.reading.parse import parse_page
from kg.store.generations import KgStore

PREFIX = f"PREFIX kg: <{KG}>\n"
BASE = "https://kg.example.org/id/"
CATALOGUE = Catalogue()
ARGS = {  # arguments for the canned queries that take some; the rest run over everybody
    "coauthors-of": ["Suyog Gupta"],
    "coi": ["Suyog Gupta", "Mahdi Nazemi", "Deepak Narayanan"],
    "orgs-of": ["Suyog Gupta"],
    "papers-of": ["Suyog Gupta"],
    "papers-with-code": ["Suyog Gupta"],
    "profile": ["Suyog Gupta"],
    "shared-papers": ["Suyog Gupta", "Aaron Blakeman"],
    "timeline": ["Suyog Gupta"],
    "topics-of": ["Suyog Gupta"],
}


@pytest.fixture(scope="module")
def local(fixture_store) -> LocalEngine:
    return LocalEngine(KgStore.open_read(fixture_store).store)


@pytest.fixture(scope="module")
def served(fixture_store, tmp_path_factory):
    """`kg serve` on a copy of the sample store: an engine on its SPARQL endpoint."""
    copy = tmp_path_factory.mktemp("served") / "kg-store"
    shutil.copytree(fixture_store, copy)
    with kg_serving(copy) as (_, url, _):
        yield HttpEngine(f"{url}/query")


@pytest.fixture(scope="module")
def pushed_engine(oxigraph_server, fixture_store):
    """A real Oxigraph server (union default graph, as Virtuoso reads graphs) after `kg push` of the sample store."""
    code, _out, err = run_main(
        "push", "--endpoint", f"{oxigraph_server}/store", "--store", str(fixture_store)
    )
    assert code == 0, err
    return HttpEngine(f"{oxigraph_server}/query")


@pytest.fixture(params=["local store", "kg serve", "kg push"])
def engine(request, local, served, pushed_engine):
    return {"local store": local, "kg serve": served, "kg push": pushed_engine}[request.param]


@pytest.fixture(scope="module")
def stats(fixture_store) -> dict:
    code, out, _ = run_main("stats", "--store", str(fixture_store), "--format", "json")
    assert code == 0
    return json.loads(out)


def count(engine, where: str) -> int:
    rows = engine.run(PREFIX + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").rows
    return int(rows[0][0].value)


@pytest.mark.parametrize(
    "kind, figure",
    [
        ("Paper", "papers"),
        ("Person", "people"),
        ("Listing", "listings"),
        ("Profile", "pages"),
        ("Organization", "orgs"),
    ],
)
def test_counting_without_distinct_gives_the_stats(engine, stats, kind, figure):
    assert count(engine, f"?x a kg:{kind}") == stats[figure]


def test_sample_figures(stats):
    assert (stats["papers"], stats["listings"], stats["people"]) == (59, 65, 114)


def test_every_triple_is_seen_once(engine, stats, fixture_store):
    kg = KgStore.open_read(fixture_store)
    ontology = len(list(kg.store.quads_for_pattern(None, None, None, ox.NamedNode(kg.iris.ontology_graph))))
    total = count(engine, "?s ?p ?o")
    assert total == count(engine, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert total == stats["triples_asserted"] + stats["triples_inferred"] + ontology


def test_the_listings_match_the_records(engine, fixture_store):
    """Each page's listings as the parser read them (the build's records), counted in the graph."""
    expected = {}
    for path in sorted(FIXTURE_PAGES.glob("*.txt")):
        parsed = parse_page(path.read_bytes(), path.name, AS_OF)
        expected[path.name] = len(parsed.listings)
    rows = engine.run(
        PREFIX
        + "SELECT ?file (COUNT(?listing) AS ?n) WHERE { ?listing kg:onPage ?page . ?page kg:sourceFile ?file } GROUP BY ?file"
    ).rows
    assert {r[0].value: int(r[1].value) for r in rows} == expected
    assert sum(expected.values()) == 65


def test_aaron_blakemans_papers_come_back_once_each(engine):
    rows = engine.run(
        PREFIX + 'SELECT ?paper WHERE { ?p kg:name "Aaron Blakeman" . ?paper kg:hasAuthor ?p }'
    ).rows
    assert len(rows) == len({r[0].value for r in rows}) == 4


@pytest.mark.parametrize("name", CATALOGUE.names())
def test_every_canned_query_gives_each_answer_once_and_the_same_everywhere(
    local, served, pushed_engine, name
):
    answers = []
    for engine in (local, served, pushed_engine):
        result = run_canned(engine, CATALOGUE.get(name), ARGS.get(name, []), PersonResolver(engine, BASE))
        answers.append(
            [
                tuple(
                    None if t is None else (t.value, getattr(getattr(t, "datatype", None), "value", None))
                    for t in row
                )
                for row in result.rows
            ]
        )
    assert answers[0] == answers[1] == answers[2]
    assert answers[0], f"{name} found nothing on the sample pages"
    assert len(answers[0]) == len(set(answers[0])), f"{name} repeats a row"


def test_coauthor_counts_match_the_shared_papers(local):
    """Suyog Gupta's 22 coauthors, each count equal to the papers the two share."""
    resolver = PersonResolver(local, BASE)
    rows = run_canned(local, CATALOGUE.get("coauthors-of"), ["Suyog Gupta"], resolver).rows
    assert len(rows) == 22
    for coauthor, shared, _ in rows:
        papers = run_canned(
            local, CATALOGUE.get("shared-papers"), ["Suyog Gupta", coauthor.value], resolver
        ).rows
        assert len(papers) == int(shared.value), coauthor.value
