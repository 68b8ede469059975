"""kg against a real Virtuoso 7 (Debian's virtuoso-opensource, started by the `virtuoso` fixture):
push through its Digest-authenticated Graph Store endpoint, queries over the SPARQL protocol, counting
over kg's graphs only, and the bulk loader path for graphs too big to push.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_main as kg
from test_remote import local_graph_counts, one_line_error
from virtuoso_server import PASSWORD, USER

from kg.query.remote import HttpEngine
from kg.store.generations import KgStore

PUSH_ENV = {"KG_PUSH_PASSWORD": PASSWORD}


@pytest.fixture
def pushed_to_virtuoso(virtuoso_pushed) -> str:
    return virtuoso_pushed


def test_push_to_virtuoso_meets_its_digest_challenge(pushed_to_virtuoso, virtuoso, fixture_store):
    counts = local_graph_counts(fixture_store)
    assert re.fullmatch(
        rf"pushed {len(counts)} graphs, {sum(counts.values())} triples to {re.escape(virtuoso.gsp_url)} in [\d.]+ s \(\d+ requests, [\d,]+ triples/s\)\n",
        pushed_to_virtuoso,
    )
    listed = HttpEngine(virtuoso.sparql_url).run(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    there = {g.value: int(n.value) for g, n in listed.rows}
    assert {g: there.get(g) for g in counts} == counts


def test_pushing_again_and_again_never_loses_the_race(pushed_to_virtuoso, virtuoso, fixture_store):
    """Each push is a new process meeting a new challenge: none may fail or leave a graph short."""
    for _ in range(5):
        code, out, err = kg(
            "push",
            "--endpoint",
            virtuoso.gsp_url,
            "--user",
            USER,
            "--store",
            str(fixture_store),
            env=PUSH_ENV,
        )
        assert (code, err) == (0, ""), err
    counts = local_graph_counts(fixture_store)
    code, out, _ = kg(
        "sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "--endpoint",
        virtuoso.sparql_url,
        "--graph",
        "kg",
        "--format",
        "csv",
    )
    assert (code, out) == (0, f"n\r\n{sum(counts.values())}\r\n")


def test_a_refused_push_is_reported_as_a_401(virtuoso, fixture_store):
    err = one_line_error(*kg("push", "--endpoint", virtuoso.gsp_url, "--store", str(fixture_store)))
    assert "refused the push: 401 Unauthorized (wrong or missing credentials); nothing was sent" in err, err
    err = one_line_error(
        *kg(
            "push",
            "--endpoint",
            virtuoso.gsp_url,
            "--user",
            USER,
            "--store",
            str(fixture_store),
            env={"KG_PUSH_PASSWORD": "wrong"},
        )
    )
    assert "refused the push: 401 Unauthorized (wrong or missing credentials); nothing was sent" in err, err
    assert "wrong" not in err.replace("wrong or missing", "")


def test_credentials_in_the_url_push_too(pushed_to_virtuoso, virtuoso, fixture_store):
    url = virtuoso.gsp_url.replace("http://", f"http://{USER}:{PASSWORD.replace(' ', '%20')}@")
    code, out, err = kg("push", "--endpoint", url, "--store", str(fixture_store))
    assert (code, err) == (0, ""), err
    assert (
        out.startswith("pushed ") and f" to {virtuoso.gsp_url} in " in out and PASSWORD.split()[0] not in out
    )


def test_queries_to_virtuoso_authenticated_endpoint(pushed_to_virtuoso, virtuoso):
    """/sparql-auth asks for Digest: a query meets the challenge with the user's credentials."""
    url = virtuoso.sparql_url + "-auth"
    ask = "ASK { ?person <https://kg.example.org/ns#name> 'Suyog Gupta' }"
    assert kg("sparql", ask, "--endpoint", url, "--user", USER, env={"KG_ENDPOINT_PASSWORD": PASSWORD})[
        :2
    ] == (0, "true\n")
    err = one_line_error(*kg("sparql", ask, "--endpoint", url))
    assert err == f"kg: {url} refused the query: 401 Unauthorized (wrong or missing credentials)\n"


def test_counting_over_kg_graphs_equals_the_local_count(pushed_to_virtuoso, virtuoso, fixture_store):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    local = kg("sparql", count, "--store", str(fixture_store), "--format", "csv")
    assert local[0] == 0
    assert kg("sparql", count, "--endpoint", virtuoso.sparql_url, "--graph", "kg", "--format", "csv") == local
    # Virtuoso's own default graph also holds its system graphs: more than kg's data.
    code, out, _ = kg("sparql", count, "--endpoint", virtuoso.sparql_url, "--format", "csv")
    assert code == 0 and int(out.split()[1]) > int(local[1].split()[1])
    # The graphs can be named one by one too (here: the ontology's alone).
    ontology = KgStore.open_read(fixture_store).iris.ontology_graph
    there = kg("sparql", count, "--endpoint", virtuoso.sparql_url, "--graph", ontology, "--format", "csv")
    assert there[:2] == (0, f"n\r\n{local_graph_counts(fixture_store)[ontology]}\r\n")


def test_ask_is_a_boolean_on_virtuoso(pushed_to_virtuoso, virtuoso):
    engine = HttpEngine(virtuoso.sparql_url, graphs=["kg"])
    assert engine.run("ASK { ?person <https://kg.example.org/ns#name> 'Suyog Gupta' }") is True
    assert engine.run("ASK { ?person <https://kg.example.org/ns#name> 'Nobody At All' }") is False
    code, _out, err = kg(
        "query", "coauthors-of", "Nobody At All", "--endpoint", virtuoso.sparql_url, "--graph", "kg"
    )
    assert code == 1 and err.startswith('kg: no person named "Nobody At All"')


def test_virtuoso_blank_nodes_are_read(virtuoso):
    """Virtuoso spells blank nodes nodeID://b10000: results holding them are read all the same."""
    scratch = "urn:kg:test:blank-nodes"
    virtuoso.isql(f"SPARQL INSERT {{ GRAPH <{scratch}> {{ _:a <urn:kg:test:p> _:b }} }} WHERE {{ }};")
    try:
        for fmt in ("tsv", "json"):
            code, out, err = kg(
                "sparql",
                "SELECT ?s ?o WHERE { ?s <urn:kg:test:p> ?o }",
                "--endpoint",
                virtuoso.sparql_url,
                "--format",
                fmt,
            )
            assert (code, err) == (0, ""), err
            assert out.count("_:") == 2 if fmt == "tsv" else out.count('"bnode"') == 2
    finally:
        virtuoso.isql(f"SPARQL CLEAR GRAPH <{scratch}>;")


def test_kg_query_on_virtuoso_prints_what_it_prints_locally(pushed_to_virtuoso, virtuoso, fixture_store):
    local = kg("query", "coi", "Suyog Gupta", "Mahdi Nazemi", "--store", str(fixture_store))
    there = kg(
        "query", "coi", "Suyog Gupta", "Mahdi Nazemi", "--endpoint", virtuoso.sparql_url, "--graph", "kg"
    )
    assert there == local and local[0] == 0


def test_kg_stats_on_virtuoso_counts_what_the_store_kept(pushed_to_virtuoso, virtuoso, fixture_store):
    local = kg("stats", "--store", str(fixture_store), "--format", "json")
    there = kg("stats", "--endpoint", virtuoso.sparql_url, "--graph", "kg", "--format", "json")
    assert there[0] == 0, there[2]
    assert json.loads(there[1]) == json.loads(local[1])


def test_the_bulk_loader_path(pushed_to_virtuoso, virtuoso, fixture_store):
    """For graphs too big to push: kg export N-Quads, Virtuoso's ld_dir + rdf_loader_run + checkpoint."""
    counts = local_graph_counts(fixture_store)
    clear = "".join(f"SPARQL CLEAR GRAPH <{g}>;\n" for g in counts)
    virtuoso.isql(clear)
    assert HttpEngine(virtuoso.sparql_url, graphs=list(counts)).run("ASK { ?s ?p ?o }") is False
    dump = virtuoso.folder / "load"
    dump.mkdir()
    code, _, err = kg(
        "export", "--inferred", "--format", "nquads", "-o", str(dump / "kg.nq"), "--store", str(fixture_store)
    )
    assert code == 0, err
    virtuoso.isql(f"ld_dir('{dump}', '*.nq', 'urn:kg:unused');\nrdf_loader_run();\ncheckpoint;\n")
    errors = virtuoso.isql(
        f"SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE '{dump}/%' AND ll_error IS NOT NULL;"
    )
    assert "0 Rows." in errors, errors
    listed = HttpEngine(virtuoso.sparql_url).run(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    assert {g.value: int(n.value) for g, n in listed.rows if g.value in counts} == counts


def test_settings_that_cut_answers_or_change_ask_are_caught(tmp_path):
    """A Virtuoso with a small ResultSetMaxRows and CaseMode 1: a cut answer is an error, not shown as
    complete, and an ASK (answered as a result set then) is still a boolean."""
    from virtuoso_server import VirtuosoServer, missing

    if missing():
        pytest.skip(f"Virtuoso is not installed: {missing()}")
    server = VirtuosoServer.start(tmp_path / "capped", settings={"ResultSetMaxRows": "100", "CaseMode": "1"})
    try:
        err = one_line_error(
            *kg("sparql", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "--endpoint", server.sparql_url)
        )
        assert (
            err
            == f"kg: {server.sparql_url} cut the answer at its row cap of 100 rows (X-SPARQL-MaxRows): kg does not show it as complete (Virtuoso: raise ResultSetMaxRows in [SPARQL] of virtuoso.ini)\n"
        )
        code, out, _ = kg(
            "sparql",
            "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10",
            "--endpoint",
            server.sparql_url,
            "--format",
            "tsv",
        )
        assert code == 0 and len(out.splitlines()) == 11
        assert kg("sparql", "ASK { ?s ?p ?o }", "--endpoint", server.sparql_url)[:2] == (0, "true\n")
        assert kg("sparql", "ASK { <urn:kg:none> ?p ?o }", "--endpoint", server.sparql_url)[:2] == (
            0,
            "false\n",
        )
    finally:
        server.stop()


# --- the tour's Virtuoso recipe, run as written ----------------------------------------------------

TOUR = Path(__file__).resolve().parents[2] / "docs" / "tour.md"
PACKAGED = {
    "CaseMode": "2",
    "ResultSetMaxRows": "10000",
    "MaxQueryExecutionTime": "60",
}  # Debian's virtuoso.ini


def tour_virtuoso_section() -> str:
    text = TOUR.read_text(encoding="utf-8")
    return text[text.index("### Virtuoso\n") : text.index("### QLever")]


def test_the_tour_virtuoso_recipe_runs_as_written(tmp_path, fixture_store):
    """The tour's settings on a packaged-like Virtuoso, then its commands, on the fixture store."""
    from virtuoso_server import VirtuosoServer, missing

    if missing():
        pytest.skip(f"Virtuoso is not installed: {missing()}")
    section = tour_virtuoso_section()
    (ini,) = re.findall(r"```ini\n(.*?)```", section, re.S)
    settings = dict(re.findall(r"^(\w+) = (.*)$", ini, re.M))
    assert set(settings) == {"CaseMode", "DirsAllowed", "ResultSetMaxRows", "MaxQueryExecutionTime"}
    load = tmp_path / "load"
    settings["DirsAllowed"] = settings["DirsAllowed"].replace("/srv/kg-load", str(load))
    server = VirtuosoServer.start(tmp_path / "virtuoso", settings={**PACKAGED, **settings}, create_user=False)
    try:
        script = "\n".join(re.findall(r"```sh\n(.*?)```", section, re.S))
        for shown, real in {
            "localhost:8890": f"127.0.0.1:{server.http_port}",
            "localhost:1111": server.sql_address,
            "/srv/kg-load": str(load),
        }.items():
            script = script.replace(shown, real)
        assert "isql-vt" in script and "kg push" in script and "rdf_loader_run" in script
        load.mkdir()
        (tmp_path / "kg-store").symlink_to(fixture_store)
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        env.pop("KG_STORE", None)
        done = subprocess.run(
            ["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "*** Error" not in done.stdout + done.stderr, done.stdout
        counts = local_graph_counts(fixture_store)
        total = sum(counts.values())
        out = done.stdout
        assert (
            f"pushed {len(counts)} graphs, {total} triples to http://127.0.0.1:{server.http_port}/sparql-graph-crud-auth"
            in out
        )
        assert kg("query", "coi", "Suyog Gupta", "Mahdi Nazemi", "--store", str(fixture_store))[1] in out
        assert re.findall(r"^\s*n\s*\n-+\n\s*(\d+)\s*$", out, re.M) == [
            str(total),
            str(total),
        ]  # after push, after the bulk load
        assert "0 Rows." in out  # DB.DBA.LOAD_LIST: no file failed
    finally:
        server.stop()


def test_the_virtuoso_benchmark_runs(tmp_path):
    """A tiny run, so the benchmark keeps working (no figures asserted)."""
    from virtuoso_server import missing

    if missing():
        pytest.skip(f"Virtuoso is not installed: {missing()}")
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "virtuoso.py"
    done = subprocess.run(
        [sys.executable, str(script), "--pages", "12", "--work", str(tmp_path), "--buffers", "10000"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("| measure | figure |") and done.stdout.count("(= local)") == 2, done.stdout
