"""kg.queries: the .rq catalogue and its header format, binding, running; exact rows of every canned query."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import CANNOT_RUN, INTERNAL, KgError, NameNotFound
from kg.model.vocab import KG, RDF_TYPE
from kg.query.answers import Solutions, Triples
from kg.query.canned import (
    ArgumentError,
    Catalogue,
    LocalEngine,
    QueryFileError,
    SparqlSyntaxError,
    bind_values,
    check_argument_count,
    parse_query_file,
    query_form,
    refuse_updates,
    run_canned,
)
from kg.query.person_lookup import PersonResolver

FIXTURE = Path(__file__).parents[1] / "fixtures" / "query-graph.trig"
BASE = "https://kg.example.org/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
CATALOGUE = Catalogue()


def load(path: Path = FIXTURE, skip_graphs_starting: str | None = None) -> ox.Store:
    store = ox.Store()
    quads = ox.parse(path=str(path), format=ox.RdfFormat.TRIG)
    store.extend(
        q
        for q in quads
        if not (skip_graphs_starting and str(q.graph_name.value).startswith(skip_graphs_starting))
    )
    return store


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine(load())


def plain(term):
    """A result term as a Python value, so expected rows read naturally."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        kind = term.datatype.value
        if kind == XSD + "integer":
            return int(term.value)
        if kind == XSD + "boolean":
            return term.value == "true"
        if kind == XSD + "date":
            return date.fromisoformat(term.value)
    return term.value


def run(engine, name, args, limit=None):
    resolver = PersonResolver(engine, BASE)
    result = run_canned(engine, CATALOGUE.get(name), args, resolver, limit=limit)
    assert isinstance(result, Solutions)
    return result


D = date.fromisoformat
ML, CL, LG_ML = "Machine Learning", "Computation and Language", "Machine Learning (Statistics)"

# Every canned query on tests/fixtures/query-graph.trig (its header comment says what is in it).
EXPECTED = {
    "coauthors-of": (
        ["Ada Lovelace"],
        ["coauthor", "sharedPapers", "lowerBound"],
        [
            ("Grace Hopper", 3, True),
            ("Alan Turing", 2, True),
            ("Zoe Gupta", 2, True),
            ("Émile Durand", 2, True),  # printed two ways: one row, by his one label
            ("Ravi Gupta", 1, False),  # only a complete list shared
        ],
    ),
    "papers-of": (
        ["Ada Lovelace"],
        ["title", "date", "category", "code", "authors", "truncated"],
        [
            (
                "Analytical Engines for Everyone",
                D("2025-12-23"),
                ML,
                True,
                "Grace Hopper, Alan Turing, Ada Lovelace",
                False,
            ),
            ("Notes on the Difference Engine", D("2025-03-01"), ML, False, "Ravi Gupta, Ada Lovelace", False),
            ("Zero-Shot Compilers", D("2024-05-01"), CL, False, "Zoe Gupta, Alan Turing, Grace Hopper", True),
            # two pages show its authors with two spellings of Émile: one row, each name by its label
            ("Bernoulli Numbers Revisited", D("2023-02-10"), "XX", True, "Ada Lovelace, Émile Durand", False),
            ("Quiet Contributions", D("2021-01-05"), LG_ML, False, "Grace Hopper, Zoe Gupta", False),
        ],
    ),
    "profile": (
        ["Émile Durand"],
        [
            "page",
            "category",
            "hIndex",
            "paperCount",
            "citationCount",
            "noveltyPercent",
            "aiScore",
            "declaredListingCount",
            "scrapedOn",
        ],
        [
            ("p2.txt", CL, 7, 3, 321, 30, 55, 3, D("2026-11-20")),
            ("p4.txt", CL, 8, 3, 400, 31, 57, 1, D("2026-12-01")),
        ],
    ),
    "shared-papers": (
        ["Ada Lovelace", "Émile Durand"],
        ["title", "date"],
        [("Zero-Shot Compilers", D("2024-05-01")), ("Bernoulli Numbers Revisited", D("2023-02-10"))],
    ),
    "orgs-of": (
        ["Ada Lovelace"],
        ["org", "papers"],
        [("cmu", 2), ("nvidia", 1), ("stanford", 1)],
    ),
    "topics-of": (
        ["Ada Lovelace"],
        ["category", "code", "papers"],
        [(ML, "LG", 2), (CL, "CL", 1), (LG_ML, "ML", 1), ("XX", "XX", 1)],  # XX: no label, the code
    ),
    "timeline": (
        ["Ada Lovelace"],
        ["year", "papers"],
        [(2021, 1), (2023, 1), (2024, 1), (2025, 2)],
    ),
    "top-collaborators": (
        [],
        ["person1", "person2", "sharedPapers"],
        [
            ("Ada Lovelace", "Grace Hopper", 3),
            ("Alan Turing", "Grace Hopper", 3),
            ("Ada Lovelace", "Alan Turing", 2),
            ("Ada Lovelace", "Zoe Gupta", 2),
            ("Ada Lovelace", "Émile Durand", 2),  # printed two ways: one row, by his one label
            ("Grace Hopper", "Zoe Gupta", 2),
            ("Zoe Gupta", "Émile Durand", 2),
            ("Ada Lovelace", "Ravi Gupta", 1),
            ("Alan Turing", "Ravi Gupta", 1),
            ("Alan Turing", "Zoe Gupta", 1),
            ("Alan Turing", "Émile Durand", 1),
            ("Grace Hopper", "Ravi Gupta", 1),
            ("Grace Hopper", "Émile Durand", 1),
        ],
    ),
    "coi": (
        ["Ravi Gupta", "Ada Lovelace", "alan turing", "Zoe Gupta"],
        ["person1", "person2", "title", "date"],
        [
            ("Ada Lovelace", "Alan Turing", "Analytical Engines for Everyone", D("2025-12-23")),
            ("Ada Lovelace", "Alan Turing", "Zero-Shot Compilers", D("2024-05-01")),
            ("Ada Lovelace", "Ravi Gupta", "Notes on the Difference Engine", D("2025-03-01")),
            ("Ada Lovelace", "Zoe Gupta", "Zero-Shot Compilers", D("2024-05-01")),
            ("Ada Lovelace", "Zoe Gupta", "Quiet Contributions", D("2021-01-05")),
            ("Alan Turing", "Ravi Gupta", "Sorting Networks at Scale", D("2026-11-02")),
            ("Alan Turing", "Zoe Gupta", "Zero-Shot Compilers", D("2024-05-01")),
        ],
    ),
    "hidden-owner": (
        [],
        ["owner", "title", "page"],
        # Ada on Quiet Contributions is implied too, but that list is complete: not hidden
        [
            ("Ada Lovelace", "Zero-Shot Compilers", "p1.txt"),
            ("Émile Durand", "Zero-Shot Compilers", "p2.txt"),
        ],
    ),
    "papers-with-code": (
        ["Ada Lovelace"],
        ["title", "date", "category"],
        [
            ("Analytical Engines for Everyone", D("2025-12-23"), ML),
            ("Bernoulli Numbers Revisited", D("2023-02-10"), "XX"),
        ],
    ),
    "incomplete-author-lists": (
        [],
        ["title", "date", "listed", "authors"],
        [
            ("Sorting Networks at Scale", D("2026-11-02"), 3, "Alan Turing, Grace Hopper, Ravi Gupta"),
            ("Zero-Shot Compilers", D("2024-05-01"), 3, "Zoe Gupta, Alan Turing, Grace Hopper"),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_canned_query_rows(engine, name):
    args, columns, rows = EXPECTED[name]
    result = run(engine, name, args)
    assert result.vars == columns
    assert [tuple(plain(t) for t in row) for row in result.rows] == rows


def test_every_canned_query_has_expected_rows():
    assert set(CATALOGUE.names()) <= set(EXPECTED), (
        "add the new query's rows on the fixture graph to EXPECTED"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_results_do_not_depend_on_inference(engine, name):
    asserted_only = LocalEngine(load(skip_graphs_starting=BASE + "graph/inferred"))
    args = EXPECTED[name][0]
    assert run(asserted_only, name, args).rows == run(engine, name, args).rows


def test_counts_and_flags_are_typed(engine):
    row = run(engine, "coauthors-of", ["Ada Lovelace"]).rows[0]
    assert row[1] == ox.Literal(3)
    assert row[2] == ox.Literal(True)


def test_a_person_with_no_coauthors_gets_no_rows():
    store = load()
    solo = ox.NamedNode(BASE + "person/solo")
    store.add(
        ox.Quad(
            solo, ox.NamedNode(RDF_TYPE), ox.NamedNode(KG + "Person"), ox.NamedNode(BASE + "graph/page/x")
        )
    )
    assert run(LocalEngine(store), "coauthors-of", ["solo"]).rows == []


def test_limit(engine):
    assert len(run(engine, "top-collaborators", [], limit=3).rows) == 3


# --- the catalogue and its files -----------------------------------------------------------------

ALL = CATALOGUE.all()


def test_the_catalogue_is_not_empty():
    assert {"coauthors-of", "papers-of", "profile", "coi", "hidden-owner"} <= set(CATALOGUE.names())


@pytest.mark.parametrize("canned", ALL, ids=lambda q: q.name)
def test_each_query_file_says_what_it_returns(canned):
    first_line = canned.path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# ") and len(first_line) > 20
    assert canned.help == first_line[2:].strip()
    for param in canned.params:
        assert param.meaning


def dummy_values(canned) -> dict[str, list]:
    dummies = {
        "person": [ox.NamedNode(BASE + "person/a")],
        "people": [ox.NamedNode(BASE + "person/a"), ox.NamedNode(BASE + "person/b")],
        "integer": [ox.Literal(3)],
        "text": [ox.Literal("x")],
    }
    ranks = {canned.ranked: [ox.Literal(1), ox.Literal(2)]} if canned.ranked else {}
    return {**{p.name: dummies[p.kind] for p in canned.params}, **ranks}


@pytest.mark.parametrize("canned", ALL, ids=lambda q: q.name)
def test_each_query_parses_bound_and_unbound(canned):
    empty = LocalEngine(ox.Store())
    assert isinstance(empty.run(bind_values(canned.text, dummy_values(canned))), Solutions)
    assert isinstance(empty.run(canned.text), Solutions)  # the markers are comments: the raw file is SPARQL


@pytest.mark.parametrize("canned", ALL, ids=lambda q: q.name)
def test_each_query_is_listed(kg_cli, canned):
    code, out, _ = kg_cli("query", "--list")
    assert code == 0
    assert f"{canned.usage}\n    {canned.help}\n" in out
    for param in canned.params:
        assert f"    {param.metavar}  {param.meaning}" in out


@pytest.mark.parametrize(
    "text, problem",
    [
        ("SELECT * WHERE { ?s ?p ?o }", "the first line must be a comment"),
        (
            "# @param person person: who\nSELECT * WHERE { # @values person\n}",
            "the first line must be a comment",
        ),
        ("# Help.\n# @param person: who\nSELECT * {}", "cannot read '@param person: who'"),
        ("# Help.\n# @param person human: who\nSELECT * {}", "kinds are person, people, integer, text"),
        (
            "# Help.\n# @param person person: who\nSELECT * {}",
            "parameter person has no '# @values person' line",
        ),
        ("# Help.\nSELECT * {\n  # @values person\n}", "'# @values person' names no declared parameter"),
        ("# Help.\n# @param a person: x\n# @param a person: y\nSELECT * {\n# @values a\n}", "declared twice"),
        (
            "# Help.\n# @param a people: x\n# @param b person: y\nSELECT * {\n# @values a\n# @values b\n}",
            "must come last",
        ),
    ],
)
def test_malformed_query_files_are_reported(text, problem):
    with pytest.raises(QueryFileError, match=problem) as caught:
        parse_query_file("bad", text)
    assert caught.value.exit_code == INTERNAL


def test_the_header_format():
    text = "# What it returns.\n# More words.\n# @param who person: the one\n# @param n integer: how many\nSELECT * {\n  # @values who\n  # @values n ?limit\n}"
    canned = parse_query_file("x", text)
    assert canned.help == "What it returns."
    assert [(p.name, p.kind, p.meaning) for p in canned.params] == [
        ("who", "person", "the one"),
        ("n", "integer", "how many"),
    ]
    assert canned.usage == "x WHO N"


def test_unknown_query_names():
    assert CATALOGUE.get("no-such-query") is None
    assert CATALOGUE.get("../kg/cli") is None


# --- binding -------------------------------------------------------------------------------------

QUERY = "# Help.\n# @param who people: x\nSELECT ?who ?other WHERE {\n    # @values who\n  # @values who ?other\n}"


def test_binding_replaces_each_marker_with_values():
    bound = bind_values(QUERY, {"who": [ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b")]})
    assert "    VALUES ?who { <http://e/a> <http://e/b> }\n" in bound
    assert "  VALUES ?other { <http://e/a> <http://e/b> }\n" in bound
    assert "@values" not in bound.split("SELECT", 1)[1]


HOSTILE = 'x" } UNION { ?s ?p ?o } #'


def test_literals_are_escaped_not_pasted():
    bound = bind_values(QUERY, {"who": [ox.Literal(HOSTILE), ox.Literal("line\nbreak\\")]})
    assert 'VALUES ?who { "x\\" } UNION { ?s ?p ?o } #" "line\\nbreak\\\\" }' in bound
    rows = LocalEngine(ox.Store()).run(bound).rows
    assert len(rows) == 4  # two values for ?who, two for ?other: nothing else got in
    assert {row[0].value for row in rows} == {HOSTILE, "line\nbreak\\"}


def test_a_hostile_name_is_just_a_name_nobody_has(engine):
    with pytest.raises(NameNotFound, match="no person named"):
        run(engine, "coauthors-of", [HOSTILE])


def test_a_hostile_text_parameter_matches_nothing(tmp_path, engine):
    (tmp_path / "named.rq").write_text(
        "# People with exactly this name.\n# @param name text: the name\n"
        "PREFIX kg: <https://kg.example.org/ns#>\nSELECT DISTINCT ?p WHERE {\n  # @values name\n  ?p kg:name ?name .\n}\n"
    )
    canned = Catalogue(tmp_path).get("named")
    no_people = PersonResolver(engine, BASE)
    assert run_canned(engine, canned, [HOSTILE], no_people).rows == []
    assert [r[0].value for r in run_canned(engine, canned, ["Alan Turing"], no_people).rows] == [
        BASE + "person/alan-turing"
    ]


@pytest.mark.parametrize("bad", [ox.BlankNode("b"), "http://e/a", 3])
def test_only_named_nodes_and_literals_are_bound(bad):
    with pytest.raises(TypeError):
        bind_values(QUERY, {"who": [bad]})


def test_iris_with_spaces_cannot_even_be_made():
    with pytest.raises(ValueError):
        ox.NamedNode("http://e/a b> . <x")


def test_integer_parameters(tmp_path, engine):
    (tmp_path / "count.rq").write_text(
        "# Echo N.\n# @param n integer: a number\nSELECT ?n WHERE {\n  # @values n\n}\n"
    )
    canned = Catalogue(tmp_path).get("count")
    assert run_canned(engine, canned, [" 42 "], PersonResolver(engine, BASE)).rows == [(ox.Literal(42),)]
    with pytest.raises(ArgumentError, match="N must be an integer, not 'many'"):
        run_canned(engine, canned, ["many"], PersonResolver(engine, BASE))


# --- argument counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, args, message",
    [
        (
            "coauthors-of",
            [],
            "coauthors-of takes 1 argument (PERSON), got 0. PERSON: the researcher whose coauthors to list",
        ),
        ("coauthors-of", ["a", "b"], "coauthors-of takes 1 argument (PERSON), got 2."),
        (
            "shared-papers",
            ["a"],
            "shared-papers takes 2 arguments (PERSON OTHER), got 1. PERSON: one researcher; OTHER: the other researcher",
        ),
        ("coi", [], "coi takes at least 1 argument (PEOPLE...), got 0."),
        ("hidden-owner", ["a"], "hidden-owner takes 0 arguments (no arguments), got 1"),
    ],
)
def test_wrong_argument_counts(name, args, message):
    with pytest.raises(ArgumentError) as caught:
        check_argument_count(CATALOGUE.get(name), args)
    assert str(caught.value).startswith(message)
    assert caught.value.exit_code == CANNOT_RUN


@pytest.mark.parametrize(
    "name, args",
    [("coauthors-of", ["a"]), ("coi", ["a"]), ("coi", ["a", "b", "c"]), ("top-collaborators", [])],
)
def test_right_argument_counts(name, args):
    check_argument_count(CATALOGUE.get(name), args)


def test_the_same_person_twice_counts_once(engine):
    twice = run(engine, "coi", ["Ada Lovelace", "ada lovelace", "Ravi Gupta"])
    assert [tuple(plain(t) for t in r)[:3] for r in twice.rows] == [
        ("Ada Lovelace", "Ravi Gupta", "Notes on the Difference Engine")
    ]


# --- the engine and ad-hoc SPARQL ----------------------------------------------------------------


def test_engine_results_by_query_form(engine):
    assert engine.run("ASK { ?s a <https://kg.example.org/ns#Person> }") is True
    assert engine.run("ASK { ?s a <https://kg.example.org/ns#Nothing> }") is False
    graph = engine.run("CONSTRUCT WHERE { ?s <https://kg.example.org/ns#slug> ?o }")
    assert (
        isinstance(graph, Triples) and len(graph.triples) == 4
    )  # union: cmu, stanford, nvidia, berkeley, once each
    assert len(engine.run("CONSTRUCT WHERE { ?s ?p ?o }", limit=5).triples) == 5


def test_engine_reads_all_named_graphs_as_one(engine):
    rows = engine.run("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert rows == [(ox.Literal(8),)]  # 4 pages, the facts, 2 inferred, the ontology
    names = engine.run(
        "SELECT ?n WHERE { <https://kg.example.org/id/person/emile-durand> <https://kg.example.org/ns#name> ?n }"
    ).rows
    assert {r[0].value for r in names} == {"Émile Durand", "Emile Durand"}


def test_syntax_errors_carry_the_parser_message(engine):
    with pytest.raises(SparqlSyntaxError, match=r"^SPARQL syntax error at line 1, column \d+") as caught:
        engine.run("SELECT * WHERE { ?s ?p }")
    assert caught.value.exit_code == CANNOT_RUN


@pytest.mark.parametrize(
    "text, form",
    [
        ("SELECT * {}", "SELECT"),
        ("  ask {}", "ASK"),
        (
            "# a comment with SELECT\nPREFIX kg: <https://kg.example.org/ns#>\nBASE <http://x/#frag>\nCONSTRUCT {} WHERE {}",
            "CONSTRUCT",
        ),
        ("prefix : <http://x/> describe :a", "DESCRIBE"),
        ("PREFIX kg: <https://kg.example.org/ns#> INSERT DATA { <a:b> <a:b> <a:b> }", "INSERT"),
        ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ("", ""),
    ],
)
def test_query_form(text, form):
    assert query_form(text) == form


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <a:b> <a:b> <a:b> }",
        "delete where { ?s ?p ?o }",
        "# sneaky\nPREFIX x: <http://x/>\nDELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://x/g>",
        "CREATE GRAPH <http://x/g>",
        "ADD DEFAULT TO <http://x/g>",
        "MOVE <http://x/a> TO <http://x/b>",
        "COPY <http://x/a> TO <http://x/b>",
        "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(update):
    with pytest.raises(KgError, match=r"^refusing a SPARQL update \(\w+\): kg sparql only reads") as caught:
        refuse_updates(update)
    assert caught.value.exit_code == CANNOT_RUN


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * {}",
        "ASK {}",
        "CONSTRUCT WHERE {}",
        "DESCRIBE <x:y>",
        "PREFIX insert: <http://x/> SELECT * {}",
    ],
)
def test_queries_are_not_refused(query):
    refuse_updates(query)
