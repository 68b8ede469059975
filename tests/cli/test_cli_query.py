"""`kg query` and `kg sparql` as a user runs them: output, messages on stderr, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_main

from kg.query.canned import Catalogue

TESTS = Path(__file__).parents[1]
FIXTURE = TESTS / "fixtures" / "query-graph.trig"
SEEDS = TESTS.parent.parent / "shared" / "seeds"


kg = run_main  # `kg ARGS` through the real entry point: exit code, stdout, stderr


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory) -> str:
    """The fixture graph in a store folder laid out as kg.store writes it."""
    root = tmp_path_factory.mktemp("query-store") / "kg-store"
    root.mkdir()
    database = ox.Store(str(root / "gen-000001"))
    database.bulk_load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    database.flush()
    del database  # closes it: readers open it read-only
    (root / "gen-000001.json").write_text(json.dumps({"base": "https://kg.example.org/id/"}))
    (root / "CURRENT").write_text("gen-000001\n")
    return str(root)


# --- kg query ------------------------------------------------------------------------------------


def test_coauthors_table(store_dir):
    code, out, err = kg("query", "coauthors-of", "Ada Lovelace", "--store", store_dir)
    assert (code, err) == (0, "")
    assert out == (
        "coauthor      sharedPapers  lowerBound\n"
        "------------  ------------  ----------\n"
        "Grace Hopper             3  true\n"
        "Alan Turing              2  true\n"
        "Zoe Gupta                2  true\n"
        "Émile Durand             2  true\n"
        "Ravi Gupta               1  false\n"
    )


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("csv", "coauthor,sharedPapers,lowerBound\r\nGrace Hopper,3,true\r\nAlan Turing,2,true\r\n"),
        ("tsv", '?coauthor\t?sharedPapers\t?lowerBound\n"Grace Hopper"\t3\ttrue\n"Alan Turing"\t2\ttrue\n'),
    ],
)
def test_coauthors_in_other_formats(store_dir, fmt, expected):
    code, out, _ = kg(
        "query", "coauthors-of", "ada lovelace", "--store", store_dir, "--format", fmt, "--limit", "2"
    )
    assert (code, out) == (0, expected)


def test_coauthors_as_json(store_dir):
    code, out, _ = kg(
        "query", "coauthors-of", "Ada Lovelace", "--store", store_dir, "--format", "json", "--limit", "1"
    )
    assert code == 0
    assert json.loads(out) == {
        "head": {"vars": ["coauthor", "sharedPapers", "lowerBound"]},
        "results": {
            "bindings": [
                {
                    "coauthor": {"type": "literal", "value": "Grace Hopper"},
                    "sharedPapers": {
                        "type": "literal",
                        "value": "3",
                        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                    },
                    "lowerBound": {
                        "type": "literal",
                        "value": "true",
                        "datatype": "http://www.w3.org/2001/XMLSchema#boolean",
                    },
                }
            ]
        },
    }


def test_the_store_comes_from_kg_store(store_dir, monkeypatch):
    monkeypatch.setenv("KG_STORE", store_dir)
    code, out, _ = kg("query", "timeline", "Ada Lovelace")
    assert code == 0 and out.splitlines()[2].split() == ["2021", "1"]


def test_a_partial_name_is_taken_with_a_note(store_dir):
    code, out, err = kg("query", "orgs-of", "lovelace", "--store", store_dir)
    assert code == 0
    assert err == 'kg: taking "lovelace" as Ada Lovelace\n'
    assert out.splitlines()[2:] == ["cmu            2", "nvidia         1", "stanford       1"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["coauthors-of", "Ada Lovelac"], 'kg: no person named "Ada Lovelac"; closest names: Ada Lovelace\n'),
        (
            ["coauthors-of", "gupta"],
            'kg: "gupta" matches 2 people: Ravi Gupta, Zoe Gupta; give more of the name\n',
        ),
        (["coauthors-of", 'x" } UNION { ?s ?p ?o } #'], 'kg: no person named "x" } UNION { ?s ?p ?o } #"\n'),
        (["coi", "Ada Lovelace", "Nobody Atall"], 'kg: no person named "Nobody Atall"\n'),
    ],
)
def test_unknown_and_ambiguous_people_exit_1(store_dir, args, message):
    code, out, err = kg("query", *args, "--store", store_dir)
    assert (code, out, err) == (1, "", message)


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["coauthors-of"],
            "Error: coauthors-of takes 1 argument (PERSON), got 0. PERSON: the researcher whose coauthors to list\n",
        ),
        (
            ["shared-papers", "a", "b", "c"],
            "Error: shared-papers takes 2 arguments (PERSON OTHER), got 3. PERSON: one researcher; OTHER: the other researcher\n",
        ),
        (
            ["coi"],
            "Error: coi takes at least 1 argument (PEOPLE...), got 0. PEOPLE...: the people to check against each other\n",
        ),
        (["hidden-owner", "x"], "Error: hidden-owner takes 0 arguments (no arguments), got 1\n"),
        (["coauthor-of", "x"], 'Error: no query named "coauthor-of"; did you mean coauthors-of?\n'),
        (["nonsense"], 'Error: no query named "nonsense"; kg query --list shows them\n'),
        ([], "Error: name a query; kg query --list shows them\n"),
    ],
)
def test_usage_errors_exit_2(store_dir, args, message):
    code, out, err = kg("query", *args, "--store", store_dir)
    assert code == 2 and out == ""
    assert err.startswith("Usage: kg query [OPTIONS] [NAME] [ARGS]...\n")
    assert err.endswith(message)


def test_wrong_argument_count_is_caught_before_the_store_is_opened(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = kg("query", "coauthors-of")
    assert code == 2 and "coauthors-of takes 1 argument" in err


@pytest.mark.parametrize("command", [["query", "coauthors-of", "Ada Lovelace"], ["sparql", "ASK {}"]])
def test_no_store(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    assert kg(*command) == (2, "", "kg: no graph at ./kg-store: run kg build PAGES\n")
    assert kg(*command, "--store", "elsewhere/st") == (
        2,
        "",
        "kg: no graph at ./elsewhere/st: run kg build PAGES\n",
    )


def test_list_shows_every_query_with_help_and_parameters():
    code, out, _ = kg("query", "--list")
    assert code == 0
    for canned in Catalogue().all():
        assert f"{canned.usage}\n    {canned.help}\n" in out
    assert "coauthors-of PERSON\n" in out
    assert "shared-papers PERSON OTHER\n" in out
    assert "    PEOPLE...  the people to check against each other (one or more names)\n" in out


@pytest.mark.parametrize("command", [["--help"], ["query", "--help"], ["sparql", "--help"]])
def test_help(command):
    code, out, _ = kg(*command)
    assert code == 0 and "Usage: kg" in out


def test_query_help_names_the_formats():
    out = kg("query", "--help")[1]
    assert "--format [table|csv|tsv|json|xml]" in out and "--limit N" in out and "--store" in out


# --- kg sparql -----------------------------------------------------------------------------------

NAMES = (
    "PREFIX kg: <https://kg.example.org/ns#> SELECT DISTINCT ?name WHERE { ?p kg:name ?name } ORDER BY ?name"
)


def test_sparql_select(store_dir):
    code, out, _ = kg("sparql", NAMES, "--store", store_dir, "--limit", "3")
    assert (code, out) == (0, "name\n------------\nAda Lovelace\nAlan Turing\nEmile Durand\n")


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("csv", "name\r\nAda Lovelace\r\n"),
        ("tsv", '?name\n"Ada Lovelace"\n'),
        (
            "json",
            '{"head": {"vars": ["name"]}, "results": {"bindings": [{"name": {"type": "literal", "value": "Ada Lovelace"}}]}}\n',
        ),
    ],
)
def test_sparql_select_formats(store_dir, fmt, expected):
    assert kg("sparql", NAMES, "--store", store_dir, "--limit", "1", "--format", fmt) == (0, expected, "")


@pytest.mark.parametrize(
    "fmt, expected", [(None, "true\n"), ("json", '{"head": {}, "boolean": true}\n'), ("csv", "true\n")]
)
def test_sparql_ask(store_dir, fmt, expected):
    args = ["sparql", "ASK { ?s a <https://kg.example.org/ns#Person> }", "--store", store_dir]
    assert kg(*args, *(["--format", fmt] if fmt else [])) == (0, expected, "")


CMU = "https://kg.example.org/id/org/cmu"


def test_sparql_construct_is_turtle_by_default(store_dir):
    code, out, _ = kg("sparql", f"CONSTRUCT WHERE {{ <{CMU}> ?p ?o }}", "--store", store_dir)
    assert code == 0
    assert "@prefix kg: <https://kg.example.org/ns#> .\n" in out and "foaf" not in out
    assert {q.triple for q in ox.parse(out.encode(), format=ox.RdfFormat.TURTLE)} == {
        ox.Triple(
            ox.NamedNode(CMU),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://kg.example.org/ns#Organization"),
        ),
        ox.Triple(ox.NamedNode(CMU), ox.NamedNode("https://kg.example.org/ns#slug"), ox.Literal("cmu")),
        ox.Triple(
            ox.NamedNode(CMU),
            ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
            ox.Literal("cmu"),
        ),
    }


@pytest.mark.parametrize(
    "fmt, parse_as",
    [
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("rdfxml", ox.RdfFormat.RDF_XML),
        ("turtle", ox.RdfFormat.TURTLE),
    ],
)
def test_sparql_describe_formats(store_dir, fmt, parse_as):
    code, out, _ = kg("sparql", f"DESCRIBE <{CMU}>", "--store", store_dir, "--format", fmt)
    assert code == 0
    assert len({q.triple for q in ox.parse(out.encode(), format=parse_as)}) == 3  # type, slug, label


def test_sparql_from_a_file_and_from_stdin(store_dir, tmp_path):
    query_file = tmp_path / "names.rq"
    query_file.write_text(NAMES)
    from_file = kg("sparql", f"@{query_file}", "--store", store_dir, "--limit", "1")
    from_stdin = kg("sparql", "-", "--store", store_dir, "--limit", "1", stdin=NAMES)
    assert (
        from_file == from_stdin == (0, "name\n------------\nAda Lovelace\n", "kg: 1 of 7 rows (--limit 1)\n")
    )


def test_sparql_from_a_missing_file(store_dir, tmp_path):
    assert kg("sparql", f"@{tmp_path}/nope.rq", "--store", store_dir) == (
        2,
        "",
        f"kg: cannot read the query file {tmp_path}/nope.rq: No such file or directory\n",
    )


@pytest.mark.parametrize(
    "update, form",
    [
        ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "INSERT"),
        ("PREFIX kg: <https://kg.example.org/ns#>\n# remove\nDELETE WHERE { ?s kg:name ?o }", "DELETE"),
        ("LOAD <http://example.org/x.ttl>", "LOAD"),
        ("clear all", "CLEAR"),
        ("DROP GRAPH <https://kg.example.org/id/graph/page/p1>", "DROP"),
    ],
)
def test_sparql_refuses_updates(store_dir, update, form):
    message = f"kg: refusing a SPARQL update ({form}): kg sparql only reads; the graph changes only through kg build\n"
    assert kg("sparql", update, "--store", store_dir) == (2, "", message)
    assert kg("sparql", "ASK { ?s ?p ?o }", "--store", store_dir)[1] == "true\n"  # nothing changed


def test_sparql_syntax_error(store_dir):
    code, out, err = kg("sparql", "SELECT * WHERE { ?s ?p }", "--store", store_dir)
    assert (code, out) == (2, "")
    assert err.startswith("kg: SPARQL syntax error at line 1, column ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "query, fmt, message",
    [
        (
            "SELECT * {}",
            "turtle",
            "Error: --format turtle is not for SELECT queries; use table, csv, tsv, json, xml\n",
        ),
        (
            "ASK {}",
            "ntriples",
            "Error: --format ntriples is not for ASK queries; use table, csv, tsv, json, xml\n",
        ),
        (
            "CONSTRUCT WHERE {}",
            "csv",
            "Error: --format csv is not for CONSTRUCT queries; use turtle, ntriples, jsonld, rdfxml\n",
        ),
    ],
)
def test_sparql_format_must_fit_the_query(store_dir, query, fmt, message):
    code, _, err = kg("sparql", query, "--store", store_dir, "--format", fmt)
    assert code == 2 and err.endswith(message)


# --- the query path stays light ------------------------------------------------------------------


def test_the_query_path_imports_neither_pyshacl_nor_owlrl(store_dir):
    script = (
        "import sys\n"
        "from kg.cli import main\n"
        f"for args in (['query', 'coauthors-of', 'Ada Lovelace', '--store', {store_dir!r}], ['sparql', 'ASK {{}}', '--store', {store_dir!r}]):\n"
        "    sys.argv = ['kg', *args]\n"
        "    try:\n"
        "        main(restore_signals=True)\n"
        "    except SystemExit as e:\n"
        "        assert not e.code, e.code\n"
        "heavy = [m for m in ('pyshacl', 'owlrl') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


# --- the real pages ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory) -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"the real pages are not at {SEEDS}")
    path = str(tmp_path_factory.mktemp("seeds") / "kg-store")
    code, _, err = kg("build", str(SEEDS), "--store", path, "--as-of", "2026-11-24", "--quiet")
    assert code == 0, err
    return path


def test_suyog_guptas_coauthors_on_the_real_pages(seeds_store):
    code, out, _ = kg("query", "coauthors-of", "Suyog Gupta", "--store", seeds_store, "--format", "csv")
    assert code == 0
    rows = [line.split(",") for line in out.split("\r\n")[1:-1]]
    assert len(rows) == 22
    twice = [
        "Aaron Blakeman",
        "Aaron Grattafiori",
        "Aarti Basant",
        "Berkin Akin",
        "Deepak Narayanan",
        "Kailash Gopalakrishnan",
        "Wei Zhang",
    ]
    assert [name for name, shared, _ in rows if shared == "2"] == twice
    assert all(shared == "1" for _, shared, _ in rows[len(twice) :])


@pytest.mark.parametrize("canned", Catalogue().all(), ids=lambda q: q.name)
def test_every_query_runs_on_the_real_pages(seeds_store, canned):
    args = {"person": ["Suyog Gupta"], "people": ["Suyog Gupta", "Berkin Akin"]}
    given = [name for p in canned.params for name in args.get(p.kind, ["1"])]
    code, out, err = kg("query", canned.name, *given, "--store", seeds_store)
    assert code == 0, err
    assert len(out.splitlines()) > 2  # header, rule, and at least one row
