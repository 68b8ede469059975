"""The Python API (`import kg`): what a notebook user does, against the store and against `kg serve`;
the Python examples of docs/python.md, run; the same answers and messages as the CLI."""

from __future__ import annotations

import datetime
import doctest
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest
from conftest import AS_OF, BAD_PAGES, FIXTURE_PAGES, run_main

import kg

ROOT = Path(__file__).resolve().parents[2]
PYTHON_DOC = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
SUYOG = "Suyog Gupta"

try:
    import pandas  # noqa: F401

    NO_PANDAS = ""
except ImportError as e:
    NO_PANDAS = f"pandas is not installed ({e}): pip install 'kg[pandas]'"


@pytest.fixture(params=["store", "endpoint"])
def graph(request, fixture_store):
    """The fixture graph opened from its store, and through `kg serve`."""
    if request.param == "store":
        opened = kg.open(fixture_store)
    else:
        opened = kg.open(endpoint=request.getfixturevalue("served_store"))
    with opened as g:
        yield g


def cli_json(*args: str):
    code, out, err = run_main(*args)
    assert code == 0, err
    return json.loads(out)


# --- importing ---------------------------------------------------------------------------------


def test_importing_kg_loads_no_heavy_library():
    code = (
        "import sys, kg\n"
        "kg.KgError, kg.NameNotFound, kg.__version__\n"
        "print(sorted(m for m in ('pyoxigraph','rdflib','pyshacl','owlrl','pandas','networkx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_a_query_loads_neither_pandas_nor_networkx_nor_rdflib(fixture_store):
    code = (
        "import sys, kg\n"
        "with kg.open(sys.argv[1]) as g: rows = g.query('coauthors-of', 'Suyog Gupta').rows()\n"
        "print(len(rows), sorted(m for m in ('rdflib','pyshacl','owlrl','pandas','networkx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(fixture_store)], capture_output=True, text=True)
    assert result.stdout.strip() == "22 []", result.stderr


def test_kg_build_is_the_api_function():
    from kg.api import build

    assert kg.build is build
    assert {"build", "open", "Graph", "Result", "KgError"} <= set(dir(kg))


def test_python_dash_m_kg_is_the_command(fixture_store):
    result = subprocess.run(
        [sys.executable, "-m", "kg", "stats", "--store", str(fixture_store), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["papers"] == 59


# --- docs/python.md's examples -----------------------------------------------------------------------


def python_examples(text: str) -> str:
    return "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.S))


def test_the_python_doc_has_the_notebook_example():
    examples = python_examples(PYTHON_DOC)
    assert (
        'kg.open("kg-store")' in examples
        and 'g.query("coauthors-of", "Suyog Gupta")' in examples
        and "to_pandas()" in examples
    )
    assert "endpoint=" in examples


@pytest.mark.skipif(bool(NO_PANDAS), reason=NO_PANDAS or "-")
def test_the_python_doc_examples(tmp_path, monkeypatch, served_store):
    """Every ```python block of docs/python.md, in order, as one doctest in a user's folder; the served
    store stands in for the tour's `kg serve`."""
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    monkeypatch.chdir(tmp_path)
    text = python_examples(PYTHON_DOC).replace("http://127.0.0.1:7878/query", served_store)
    test = doctest.DocTestParser().get_doctest(
        text, {}, "docs/python.md", str(ROOT / "docs" / "python.md"), 0
    )
    assert len(test.examples) >= 10
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kg.KgNote)
        outcome = runner.run(test, out=report.append)
    assert outcome.failed == 0, "".join(report)


# --- the done-when example, and the values ---------------------------------------------------------


@pytest.mark.skipif(bool(NO_PANDAS), reason=NO_PANDAS or "-")
def test_coauthors_as_a_dataframe_with_an_integer_count(graph):
    df = graph.query("coauthors-of", SUYOG).to_pandas()
    assert list(df.columns) == ["coauthor", "sharedPapers", "lowerBound"]
    assert len(df) == 22
    assert str(df["sharedPapers"].dtype) == "int64"
    assert str(df["lowerBound"].dtype) == "bool"
    assert df.iloc[0]["coauthor"] == "Aaron Blakeman" and df.iloc[0]["sharedPapers"] == 2


@pytest.mark.skipif(bool(NO_PANDAS), reason=NO_PANDAS or "-")
def test_virtuoso_gives_the_same_dataframes(fixture_store, virtuoso, virtuoso_pushed):
    """An engine whose default graph holds more than kg's data, read through graphs=["kg"]."""
    for name in ("coauthors-of", "papers-of", "profile"):
        with kg.open(fixture_store) as local, kg.open(endpoint=virtuoso.sparql_url, graphs=["kg"]) as remote:
            assert remote.query(name, SUYOG).to_pandas().equals(local.query(name, SUYOG).to_pandas()), name


@pytest.mark.skipif(bool(NO_PANDAS), reason=NO_PANDAS or "-")
def test_dates_and_gaps_get_typed_columns(fixture_store):
    with kg.open(fixture_store) as g:
        papers = g.query("papers-of", SUYOG).to_pandas()
        profile = g.query("profile", SUYOG).to_pandas()
    assert str(papers["date"].dtype).startswith("datetime64")
    assert str(papers["truncated"].dtype) == "bool"
    assert str(profile["hIndex"].dtype) in ("int64", "Int64")


@pytest.mark.skipif(bool(NO_PANDAS), reason=NO_PANDAS or "-")
def test_an_empty_answer_is_an_empty_dataframe_with_its_columns(fixture_store):
    with kg.open(fixture_store) as g:
        df = g.sparql("SELECT ?x ?y WHERE { ?x a <urn:nothing> }").to_pandas()
    assert list(df.columns) == ["x", "y"] and len(df) == 0
    assert {str(t) for t in df.dtypes} == {"object"}


def test_rows_are_plain_python_values(graph):
    rows = graph.query("papers-of", SUYOG).rows()
    assert rows and all(type(row["date"]) is datetime.date for row in rows if row["date"] is not None)
    assert all(type(row["title"]) is str and type(row["truncated"]) is bool for row in rows)
    coauthors = graph.query("coauthors-of", SUYOG)
    assert coauthors.columns == ["coauthor", "sharedPapers", "lowerBound"]
    assert next(iter(coauthors)) == {"coauthor": "Aaron Blakeman", "sharedPapers": 2, "lowerBound": True}
    assert len(graph.query("coauthors-of", SUYOG, limit=3)) == 3


def test_the_csv_text_is_what_kg_query_prints(fixture_store):
    code, out, _ = run_main("query", "coauthors-of", SUYOG, "--store", str(fixture_store), "--format", "csv")
    assert code == 0
    with kg.open(fixture_store) as g:
        assert g.query("coauthors-of", SUYOG).format("csv") == out


def test_to_pandas_without_pandas_names_the_extra(fixture_store, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    with kg.open(fixture_store) as g:
        result = g.query("coauthors-of", SUYOG)
    with pytest.raises(kg.KgError, match=re.escape("pip install 'kg[pandas]'")):
        result.to_pandas()


def test_sparql_ask_and_construct(graph):
    assert graph.sparql("ASK { ?s a <https://kg.example.org/ns#Paper> }") is True  # a bool, as ASK answers
    triples = graph.sparql(
        "CONSTRUCT { ?p a <https://kg.example.org/ns#Paper> } WHERE { ?p a <https://kg.example.org/ns#Paper> }"
    )
    assert triples.columns == ["subject", "predicate", "object"] and len(triples) == 59
    assert (
        graph.sparql("SELECT ?p WHERE { ?p a <https://kg.example.org/ns#Paper> }", limit=5)
        .rows()[0]["p"]
        .startswith("https://")
    )


# --- people and the coauthor network -----------------------------------------------------------------


def test_a_partial_name_is_taken_with_a_note(graph):
    with pytest.warns(kg.KgNote, match='taking "suyog" as Suyog Gupta'):
        result = graph.query("coauthors-of", "suyog")
    assert result.notes == ['taking "suyog" as Suyog Gupta'] and len(result) == 22
    assert graph.query("coauthors-of", SUYOG).notes == []


def test_notes_go_to_the_function_given_instead_of_warnings(fixture_store):
    notes: list[str] = []
    with kg.open(fixture_store, note=notes.append) as g, warnings.catch_warnings():
        warnings.simplefilter("error")  # a KgNote warning would fail the test
        result = g.query("coauthors-of", "suyog")
    assert notes == result.notes == ['taking "suyog" as Suyog Gupta']


def test_supports_are_what_kg_query_why_prints(graph, fixture_store):
    result = graph.query("coauthors-of", SUYOG, limit=2)
    supports = graph.supports(result)
    assert len(supports) == 2 and all(supports)
    first = supports[0][0]
    assert first.page.endswith(".txt") and first.line and first.title
    code, out, _ = run_main(
        "query", "coauthors-of", SUYOG, "--why", "--limit", "2", "--store", str(fixture_store)
    )
    assert code == 0 and f"    from {first}\n" in out
    with pytest.raises(kg.KgError, match="only the rows of a canned query"):
        graph.supports(graph.sparql("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"))


def test_sparql_refuses_service_when_asked(fixture_store):
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with kg.open(fixture_store) as g, pytest.raises(kg.KgError, match="refusing a query with SERVICE"):
        g.sparql(service, allow_service=False)


def test_person_and_people(graph):
    person = graph.person("SUYOG  gupta")
    assert (person.iri, person.name) == ("https://kg.example.org/id/person/suyog-gupta", SUYOG)
    assert len(graph.people()) == 114
    assert [p.name for p in graph.people("gupta")] == [SUYOG]


def test_an_ambiguous_name_lists_the_candidates_as_the_cli_does(fixture_store):
    code, _, err = run_main("query", "coauthors-of", "Aaron", "--store", str(fixture_store))
    with kg.open(fixture_store) as g, pytest.raises(kg.NameNotFound) as caught:
        g.person("Aaron")
    assert code == caught.value.exit_code == 1
    assert err.strip() == f"kg: {caught.value}"
    assert "matches" in str(caught.value) and "Aaron Blakeman" in str(caught.value)


def test_the_coauthor_network_has_the_counts_of_the_query(graph):
    network = graph.coauthors(SUYOG)
    ego = "https://kg.example.org/id/person/suyog-gupta"
    assert network.number_of_nodes() == 23 and network.nodes[ego]["hops"] == 0
    by_name = {row["coauthor"]: row for row in graph.query("coauthors-of", SUYOG)}
    for other in network.neighbors(ego):
        edge, row = network.edges[ego, other], by_name[network.nodes[other]["label"]]
        assert (edge["weight"], edge["lower_bound"]) == (row["sharedPapers"], row["lowerBound"])
    assert graph.coauthors(SUYOG, depth=2).number_of_nodes() > 23
    with pytest.raises(kg.KgError, match="depth must be 1 or 2"):
        graph.coauthors(SUYOG, depth=3)
    drawn = graph.coauthor_network(SUYOG)  # what kg graph coauthors-of draws
    assert (len(drawn.nodes), len(drawn.edges)) == (23, 44) and drawn.ego.iri == ego


# --- errors, with the CLI's messages ------------------------------------------------------------------


def test_errors_say_what_the_cli_says(fixture_store):
    with kg.open(fixture_store) as g:
        with pytest.raises(kg.QueryNotFound, match='no query named "coauthor-of"; did you mean coauthors-of'):
            g.query("coauthor-of", SUYOG)
        with pytest.raises(kg.ArgumentError, match=r"coauthors-of takes 1 argument \(PERSON\), got 0"):
            g.query("coauthors-of")
        with pytest.raises(kg.KgError, match=r"refusing a SPARQL update \(DELETE\)"):
            g.sparql("DELETE WHERE { ?s ?p ?o }")
        with pytest.raises(kg.SparqlSyntaxError):
            g.sparql("SELEC ?x")
    with pytest.raises(kg.KgError, match="a store or an endpoint, not both"):
        kg.open(fixture_store, endpoint="http://127.0.0.1:1/query")
    with pytest.raises(kg.KgError, match="only apply with an endpoint"):
        kg.open(fixture_store, user="someone")
    with pytest.raises(kg.KgError, match="is not an endpoint URL"):
        kg.open(endpoint="localhost:7878")
    with pytest.raises(kg.StoreMissing) as caught:
        kg.open(fixture_store.parent / "nothing-here")
    code, _, err = run_main("stats", "--store", str(fixture_store.parent / "nothing-here"))
    assert err.strip() == f"kg: {caught.value}" and code == caught.value.exit_code == 2


def test_a_closed_graph_says_so(fixture_store):
    g = kg.open(fixture_store)
    g.close()
    with pytest.raises(kg.KgError, match="was closed"):
        g.query("coauthors-of", SUYOG)
    with pytest.raises(kg.KgError, match="was closed"):
        g.stats()


def test_what_reads_the_store_files_needs_the_store(served_store):
    with kg.open(endpoint=served_store) as g:
        for call in (g.validate, lambda: g.export(io.BytesIO())):
            with pytest.raises(
                kg.NeedsLocalStore,
                match=f"reads the store's own files, which the endpoint {re.escape(served_store)} does not serve",
            ):
                call()


def test_kg_export_offers_no_endpoint_and_the_api_says_why(kg_cli, served_store):
    """kg export reads the store's own files: it has no --endpoint (exit 2, a usage error), and
    Graph.export on an endpoint says in one line that it needs the store."""
    code, out, err = kg_cli("export", "--endpoint", served_store)
    assert (code, out) == (2, "") and "No such option '--endpoint'" in err
    with kg.open(endpoint=served_store) as g, pytest.raises(kg.KgError) as caught:
        g.export("-")
    assert caught.value.message == (
        f"export reads the store's own files, which the endpoint {served_store} does not serve: "
        "use the store itself"
    )


def test_kg_stats_counts_the_same_on_an_endpoint(kg_cli, fixture_store, served_store):
    """The endpoint's named graphs, counted in SPARQL, give the counts the builds kept in the store."""
    local = kg_cli("stats", "--store", str(fixture_store), "--format", "json")
    remote = kg_cli("stats", "--endpoint", served_store, "--format", "json")
    assert local[0] == remote[0] == 0, remote[2]
    assert json.loads(remote[1]) == json.loads(local[1])
    assert json.loads(local[1])["triples_inferred"] > 2000
    code, _, err = kg_cli("stats", "--endpoint", served_store, "--base", "https://elsewhere.example/id/")
    assert code == 2 and "shows no named graph under https://elsewhere.example/id/graph/page/" in err


# --- stats, validate, export: the CLI's answers -------------------------------------------------------


def test_stats_validate_export_match_the_cli(fixture_store, tmp_path):
    with kg.open(fixture_store) as g:
        assert g.stats() == cli_json("stats", "--store", str(fixture_store), "--format", "json")
        assert g.validate().conforms
        g.export(tmp_path / "api.nt", format="ntriples")
        binary, text = io.BytesIO(), io.StringIO()
        g.export(binary, format="nquads")
        g.export(text, format="turtle")
        with pytest.raises(kg.KgError, match="unknown export format 'rdfxml'"):
            g.export(tmp_path / "x", format="rdfxml")
    code, _, _ = run_main(
        "export", "--store", str(fixture_store), "--format", "ntriples", "-o", str(tmp_path / "cli.nt")
    )
    assert code == 0
    assert sorted((tmp_path / "api.nt").read_text().splitlines()) == sorted(
        (tmp_path / "cli.nt").read_text().splitlines()
    )
    assert len(binary.getvalue().splitlines()) > len((tmp_path / "cli.nt").read_text().splitlines()) // 2
    assert text.getvalue().startswith("@prefix")


def test_export_writes_text_to_a_file_opened_in_text_mode(fixture_store, tmp_path):
    """A file opened for text takes the export as text, even one that is no io.TextIOBase (a tempfile's)."""
    with kg.open(fixture_store) as g, tempfile.NamedTemporaryFile("w+", suffix=".nt") as file:
        g.export(file, format="ntriples")
        g.export(tmp_path / "path.nt")
        file.seek(0)
        text = file.read()
    assert text
    assert sorted(text.splitlines()) == sorted((tmp_path / "path.nt").read_text().splitlines())


# --- build -----------------------------------------------------------------------------------------


def test_build_reports_bad_records_and_keeps_the_rest(tmp_path):
    seen: list[tuple[int, int | None]] = []
    report = kg.build(
        [FIXTURE_PAGES, BAD_PAGES / "impossible_date.txt"],
        tmp_path / "store",
        as_of=AS_OF.isoformat(),
        progress=lambda phase, done, total: seen.append((done, total)) if phase == "reading pages" else None,
    )
    assert report.rejected == 1
    assert str(report.diagnostics[0]).startswith(
        f"{BAD_PAGES / 'impossible_date.txt'}:19: error: impossible date"
    )
    assert seen and seen[-1] == (6, 6)
    with kg.open(tmp_path / "store") as g:
        assert g.stats()["pages"] == 6


def test_build_takes_the_store_from_kg_store(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "from-env"))
    kg.build(FIXTURE_PAGES / os.listdir(FIXTURE_PAGES)[0], as_of=AS_OF)
    with kg.open() as g:
        assert g.stats()["pages"] == 1


def test_build_refuses_a_bad_date_and_missing_pages(tmp_path):
    with pytest.raises(kg.KgError, match="'24/11/2026' is not a date like 2026-11-24"):
        kg.build(FIXTURE_PAGES, tmp_path / "s", as_of="24/11/2026")
    with pytest.raises(kg.KgError, match="no such file or folder: nowhere"):
        kg.build("nowhere", tmp_path / "s")


def test_build_with_a_progress_bar_ends_it(tmp_path, capsys):
    report = kg.build(FIXTURE_PAGES, tmp_path / "s", as_of=AS_OF, progress=True)
    assert report.rejected == 0 and report.summary()["pages"] == 5
    assert "Traceback" not in capsys.readouterr().err


def test_closing_an_endpoint_graph_closes_its_connection(served_store):
    g = kg.open(endpoint=served_store)
    assert len(g.query("coauthors-of", SUYOG)) == 22
    endpoint = g.engine.endpoint
    assert endpoint._connection is not None
    g.close()
    assert endpoint._connection is None
    with pytest.raises(kg.KgError, match="was closed"):
        g.sparql("ASK { ?s ?p ?o }")


XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    "text, datatype, value",
    [
        ("42", "integer", 42),
        ("2021", "gYear", 2021),
        ("0.5", "decimal", 0.5),
        ("1.5E2", "double", 150.0),
        ("1", "boolean", True),
        ("false", "boolean", False),
        ("2021-02-28", "date", datetime.date(2021, 2, 28)),
        ("2026-11-24T10:00:00", "dateTime", datetime.datetime(2026, 11, 24, 10, 0)),
        ("forty", "integer", "forty"),  # not a valid integer: kept as the text, not lost
        ("2021-02-30", "date", "2021-02-30"),
        ("plain", "string", "plain"),
    ],
)
def test_literals_become_python_values_by_their_datatype(text, datatype, value):
    import pyoxigraph as ox

    from kg.present.result import plain

    got = plain(ox.Literal(text, datatype=ox.NamedNode(XSD + datatype)))
    assert got == value and type(got) is type(value)


def test_other_terms_become_strings():
    import pyoxigraph as ox

    from kg.present.result import plain

    assert plain(ox.Literal("Grüße", language="de")) == "Grüße"
    assert plain(ox.NamedNode("https://kg.example.org/id/person/x")) == "https://kg.example.org/id/person/x"
    assert plain(ox.BlankNode("b1")) == "_:b1"
    assert plain(None) is None


# --- everyday use from Python ---------------------------------------------------------------------


def test_an_ambiguous_name_is_its_own_kind_of_error(fixture_store):
    with kg.open(fixture_store) as g, pytest.raises(kg.AmbiguousName) as caught:
        g.query("coauthors-of", "Zhang")
    assert caught.value.candidates == ["Hengrui Zhang", "Wei Zhang"]
    assert isinstance(caught.value, kg.NameNotFound) and caught.value.exit_code == 1
    with kg.open(fixture_store) as g, pytest.raises(kg.NameNotFound) as caught:
        g.query("coauthors-of", "Nobody Atall")
    assert not isinstance(caught.value, kg.AmbiguousName)


def test_a_result_shows_as_a_table_in_a_notebook(fixture_store):
    with kg.open(fixture_store) as g:
        result = g.query("coauthors-of", "Suyog Gupta")
        one = g.query("profile", "Suyog Gupta")
    html = result._repr_html_()
    assert html.startswith("<table><thead><tr><th>coauthor</th><th>sharedPapers</th><th>lowerBound</th>")
    assert html.count("<tr>") == 1 + 22 and "<td>Aaron Blakeman</td><td>2</td><td>True</td>" in html
    assert repr(one) == f"<kg.Result: 1 row of {', '.join(one.columns)}>"


def test_search_hits_carry_dates_as_results_do(fixture_store):
    with kg.open(fixture_store) as g:
        hits = g.search("nemotron nano", limit=3)
        papers = g.query("papers-of", "Suyog Gupta")
    assert all(isinstance(hit.date, datetime.date) for hit in hits)
    assert type(hits[0].date) is type(next(iter(papers))["date"])


# --- reading without a store: kg.parse and kg.validate_file ------------------------------------------


def test_parse_gives_what_kg_parse_prints():
    parsed = kg.parse(FIXTURE_PAGES, as_of=AS_OF)
    code, out, err = run_main("parse", str(FIXTURE_PAGES), "--as-of", AS_OF.isoformat(), "--format", "json")
    assert code == 0 and err == ""
    assert [json.loads(line) for line in out.splitlines()] == parsed.to_json()
    assert len(parsed.rows()) == 65 and not parsed.rejected and parsed.diagnostics == []


def test_parse_reports_a_rejected_record_with_its_file_and_line():
    parsed = kg.parse(BAD_PAGES / "impossible_date.txt", as_of="2026-11-24")
    assert parsed.rejected
    assert any(
        str(d).endswith("impossible date Feb 30, 2021; the listing is skipped") for d in parsed.diagnostics
    )


def test_validate_file_checks_an_export(fixture_store, tmp_path):
    export = tmp_path / "graph.trig"
    with kg.open(fixture_store) as graph:
        graph.export(str(export))
    outcome = kg.validate_file(export)
    assert outcome.conforms
