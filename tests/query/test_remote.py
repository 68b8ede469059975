"""Beyond one machine: `kg push` to, and `kg query/sparql --endpoint` against, a real Oxigraph server;
`kg serve`; and what the user sees when an endpoint is wrong, down, failing, slow or wants a password.

The real server is `oxigraph serve` (the `oxigraph` package's CLI, read-write for push) on a free
loopback port in a temporary folder, killed at the end. Failures a real server will not produce on
demand (500, 503, 401, a slow answer) come from a tiny http.server in a thread.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_main
from servers import free_port, kg_serving, kg_subprocess, stop, wait_until_answering

from kg.errors import KgError
from kg.features import push_targets as push_module
from kg.model.terms import bind_values
from kg.model.vocab import DEFAULT_BASE, KG
from kg.query.answers import Solutions
from kg.query.canned import Catalogue, LocalEngine, run_canned
from kg.query.endpoint import Endpoint
from kg.query.person_lookup import PersonResolver
from kg.query.remote import HttpEngine
from kg.store.generations import KgStore, StoreWriter

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
CRAFTED = 'x" } UNION { ?s ?p ?o } #'
PEOPLE = ["Suyog Gupta", "Deepak Narayanan", "Mahdi Nazemi"]


# --- helpers -------------------------------------------------------------------------------------


kg = run_main  # `kg ARGS` through the real entry point: exit code, stdout, stderr


class TinyServer:
    """An http.server in a thread whose answers come from `respond(handler) -> (status, headers, body)`."""

    def __init__(self, respond):
        self.requests: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                status, headers, payload = respond(self)
                self.send_response(status)
                for name, value in {"Content-Length": str(len(payload)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                if payload:
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = handle_one

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that hung up first; printing would land in the output under test

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tiny():
    servers = []

    def start(respond):
        servers.append(TinyServer(respond))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def local_graph_counts(store_path: Path) -> dict[str, int]:
    kg_store = KgStore.open_read(store_path)
    return {
        g.value: sum(1 for _ in kg_store.store.quads_for_pattern(None, None, None, g))
        for g in kg_store.store.named_graphs()
    }


# --- the real Oxigraph server, and the fixture graph pushed to it --------------------------------


@pytest.fixture(scope="module")
def remote(oxigraph_server, pushed) -> HttpEngine:
    assert pushed[0] == 0, pushed
    return HttpEngine(f"{oxigraph_server}/query")


def test_push_reports_what_it_sent(pushed, fixture_store):
    code, out, err = pushed
    assert (code, err) == (0, "")
    counts = local_graph_counts(fixture_store)
    match = re.fullmatch(
        r"pushed (\d+) graphs, (\d+) triples to \S+/store in [\d.]+ s \((\d+) requests, [\d,]+ triples/s\)\n",
        out,
    )
    assert match, out
    graphs, triples, requests = map(int, match.groups())
    assert (graphs, triples) == (len(counts), sum(counts.values()))
    code, out, _ = run_main("stats", "--store", str(fixture_store), "--format", "json")
    assert json.loads(out)["triples"] == triples  # the one count of triples: kg stats says what kg push sent
    # Many graphs a request to Oxigraph, none over 500 triples: a HEAD, then per batch a DROP and POSTs.
    assert -(-triples // 500) < requests < len(counts) + 2 * -(-triples // 500)


def test_the_remote_named_graphs_equal_the_local_ones(remote, oxigraph_server, fixture_store):
    local = KgStore.open_read(fixture_store).store
    listed = remote.run("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert {g.value: int(n.value) for g, n in listed.rows} == local_graph_counts(fixture_store)
    for graph in local.named_graphs():  # and triple for triple, read back with the Graph Store Protocol
        url = f"{oxigraph_server}/store?graph={urllib.parse.quote(graph.value, safe='')}"
        with urllib.request.urlopen(
            urllib.request.Request(url, headers={"Accept": "application/n-triples"})
        ) as answer:
            there = {q.triple for q in ox.parse(answer.read(), format=ox.RdfFormat.N_TRIPLES)}
        assert there == {q.triple for q in local.quads_for_pattern(None, None, None, graph)}, graph


def test_pushing_again_replaces_rather_than_adds(remote, oxigraph_server, fixture_store):
    code, out, _ = kg("push", "--endpoint", f"{oxigraph_server}/store", "--store", str(fixture_store))
    assert code == 0 and out.startswith("pushed ")
    (count,) = remote.run("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0]
    assert int(count.value) == sum(local_graph_counts(fixture_store).values())


def canned_arguments(query) -> list[str]:
    args = []
    for i, param in enumerate(query.params):
        args += (
            PEOPLE
            if param.kind == "people"
            else [PEOPLE[i % len(PEOPLE)]]
            if param.kind == "person"
            else ["2"]
        )
    return args


def has_final_order_by(text: str) -> bool:
    """ORDER BY after the last closing brace: the whole result is ordered (not just a subquery)."""
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return bool(re.search(r"ORDER\s+BY", code[code.rfind("}") :], re.I))


@pytest.mark.parametrize("name", Catalogue().names())
def test_every_canned_query_gives_the_same_rows_remote_as_local(name, remote, fixture_store):
    query = Catalogue().get(name)
    args = canned_arguments(query)
    local_engine = LocalEngine(KgStore.open_read(fixture_store).store)
    local = run_canned(local_engine, query, args, PersonResolver(local_engine, DEFAULT_BASE))
    there = run_canned(remote, query, args, PersonResolver(remote, DEFAULT_BASE))
    assert isinstance(local, Solutions) and isinstance(there, Solutions)
    assert there.vars == local.vars
    assert local.rows, f"{name} {args} finds nothing: pick arguments that exercise it"
    if has_final_order_by(query.text):
        assert there.rows == local.rows
    else:
        assert sorted(map(str, there.rows)) == sorted(map(str, local.rows))


def test_kg_query_on_the_endpoint_prints_what_it_prints_locally(remote, oxigraph_server, fixture_store):
    local = kg("query", "coauthors-of", "suyog gupta", "--store", str(fixture_store))
    there = kg(
        "query",
        "coauthors-of",
        "suyog gupta",
        "--endpoint",
        f"{oxigraph_server}/query",
        "--store",
        "/nonexistent",
    )
    assert there == local
    assert there[0] == 0 and len(there[1].splitlines()) == 2 + 22  # header, rule, Suyog Gupta's 22 coauthors


def test_the_crafted_name_matches_nobody_remotely(remote, oxigraph_server):
    code, out, err = kg("query", "coauthors-of", CRAFTED, "--endpoint", f"{oxigraph_server}/query")
    assert (code, out) == (1, "")
    assert err.startswith(f'kg: no person named "{CRAFTED}"')
    # As a bound literal it is one string: the query parses on the server and matches no name.
    query = bind_values(
        f"PREFIX kg: <{KG}>\nSELECT ?person WHERE {{\n  # @values name\n  ?person kg:name ?name .\n}}",
        {"name": [ox.Literal(CRAFTED)]},
    )
    assert remote.run(query).rows == []


def test_kg_sparql_on_the_endpoint(remote, oxigraph_server):
    code, out, err = kg(
        "sparql",
        f"PREFIX kg: <{KG}> SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a kg:Paper }}",
        "--endpoint",
        f"{oxigraph_server}/query",
        "--format",
        "csv",
    )
    assert (code, out, err) == (0, "n\r\n59\r\n", "")
    code, out, _ = kg(
        "sparql",
        f"DESCRIBE <{DEFAULT_BASE}person/suyog-gupta>",
        "--endpoint",
        f"{oxigraph_server}/query",
        "--format",
        "ntriples",
    )
    assert code == 0 and f'<{DEFAULT_BASE}person/suyog-gupta> <{KG}name> "Suyog Gupta" .' in out
    code, _, err = kg("sparql", "CLEAR ALL", "--endpoint", f"{oxigraph_server}/query")
    assert code == 2 and "refusing a SPARQL update" in err


def test_query_list_needs_no_store(tmp_path):
    code, out, err = kg("query", "--list", "--store", str(tmp_path / "nothing"))
    assert (code, err) == (0, "") and "coauthors-of PERSON" in out


# --- endpoints that are wrong, down, failing or slow ---------------------------------------------


def one_line_error(code: int, out: str, err: str) -> str:
    assert (code, out) == (2, ""), err
    assert err.startswith("kg: ") and err.count("\n") == 1, err
    return err


def test_a_server_that_is_down():
    url = f"http://127.0.0.1:{free_port()}/query"
    err = one_line_error(*kg("sparql", "ASK {}", "--endpoint", url))
    assert err == f"kg: cannot reach {url}: connection refused (is the server running?)\n"
    one_line_error(*kg("query", "coauthors-of", "Suyog Gupta", "--endpoint", url))


def test_a_wrong_url_on_the_real_server(oxigraph_server):
    err = one_line_error(*kg("sparql", "ASK {}", "--endpoint", f"{oxigraph_server}/sparqll"))
    assert "404 Not Found: no SPARQL query service there; give the query URL" in err
    err = one_line_error(*kg("sparql", "ASK {}", "--endpoint", "not a url"))
    assert "is not an endpoint URL" in err


def test_a_server_that_answers_500(tiny):
    server = tiny(lambda h: (500, {"Content-Type": "text/plain"}, b"database on fire\nline two"))
    err = one_line_error(*kg("sparql", "ASK {}", "--endpoint", f"{server.url}/query"))
    assert (
        err
        == f"kg: {server.url}/query answered 500 Internal Server Error to the query: database on fire line two\n"
    )


def test_a_server_that_answers_too_slowly(tiny):
    server = tiny(lambda h: (time.sleep(2), (200, {}, b""))[1])
    err = one_line_error(
        *kg("sparql", "ASK {}", "--endpoint", f"{server.url}/query", env={"KG_HTTP_TIMEOUT": "0.3"})
    )
    assert err == f"kg: {server.url}/query did not answer within 0.3 s (set KG_HTTP_TIMEOUT to wait longer)\n"


def test_a_server_that_answers_something_else(tiny):
    server = tiny(lambda h: (200, {"Content-Type": "text/html"}, b"<html>hello</html>"))
    err = one_line_error(*kg("sparql", "ASK {}", "--endpoint", server.url))
    assert "answered with text/html, not SPARQL results" in err


def test_the_query_travels_as_the_sparql_protocol_says(tiny):
    """A form-encoded POST, which every SPARQL 1.1 engine answers (Virtuoso 7 never answers a
    `Content-Type: application/sparql-query` one)."""
    answer = json.dumps(
        {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "é"}}]}}
    ).encode()
    server = tiny(lambda h: (200, {"Content-Type": "application/sparql-results+json"}, answer))
    assert kg("sparql", "SELECT ?x WHERE {}", "--endpoint", f"{server.url}/sparql?key=1", "--format", "tsv")[
        :2
    ] == (0, '?x\n"é"\n')
    (request,) = server.requests
    assert (request["method"], request["path"]) == ("POST", "/sparql?key=1")
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qsl(request["body"].decode()) == [("query", "SELECT ?x WHERE {}")]
    assert request["headers"]["Accept"].startswith("application/sparql-results+json")


def test_the_graphs_to_read_travel_as_protocol_parameters(tiny):
    answer = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": []}}).encode()
    server = tiny(lambda h: (200, {"Content-Type": "application/sparql-results+json"}, answer))
    args = (
        "sparql",
        "SELECT ?n WHERE {}",
        "--endpoint",
        f"{server.url}/sparql",
        "--graph",
        "urn:g:1",
        "--graph",
        "urn:g:2",
    )
    assert kg(*args)[0] == 0
    assert (
        kg(
            "sparql",
            "SELECT ?n WHERE {}",
            "--endpoint",
            f"{server.url}/sparql",
            env={"KG_GRAPHS": "urn:g:1 urn:g:2"},
        )[0]
        == 0
    )
    for request in server.requests:
        fields = urllib.parse.parse_qsl(request["body"].decode())
        assert [v for k, v in fields if k == "default-graph-uri"] == ["urn:g:1", "urn:g:2"]
        assert [v for k, v in fields if k == "named-graph-uri"] == ["urn:g:1", "urn:g:2"]


def test_booleans_written_as_digits_are_shown_as_true_and_false(tiny):
    """Virtuoso writes every xsd:boolean as 1 or 0: the same values, shown as the local store shows them."""
    boolean = "http://www.w3.org/2001/XMLSchema#boolean"
    rows = [{"b": {"type": "typed-literal", "datatype": boolean, "value": v}} for v in ("1", "0", "true")]
    server = tiny(lambda h: (200, {"Content-Type": "application/sparql-results+json"}, results(["b"], rows)))
    assert kg("sparql", "SELECT ?b WHERE {}", "--endpoint", f"{server.url}/sparql", "--format", "csv")[
        :2
    ] == (0, "b\r\ntrue\r\nfalse\r\ntrue\r\n")


def test_an_answer_with_a_header_line_per_graph_is_read(tiny):
    """Virtuoso echoes one X-SPARQL-default-graph line per graph named: thousands for a big graph."""
    graphs = [f"urn:g:{i}" for i in range(1500)]
    answer = results(["n"], [{"n": {"type": "literal", "value": "1"}}])
    server = tiny(
        lambda h: (
            200,
            {
                "Content-Type": "application/sparql-results+json",
                **{f"X-SPARQL-default-graph-{i}": g for i, g in enumerate(graphs)},
            },
            answer,
        )
    )
    assert HttpEngine(f"{server.url}/sparql", graphs=graphs).run("SELECT ?n WHERE {}").rows == [
        (ox.Literal("1"),)
    ]


def results(variables: list[str], rows: list[dict]) -> bytes:
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}).encode()


ASK_AS_ROWS = {  # what Virtuoso answers to an ASK without CaseMode 2: a result set, not a boolean
    True: results(
        ["__ASK_RETVAL"],
        [
            {
                "__ASK_RETVAL": {
                    "type": "typed-literal",
                    "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                    "value": "1",
                }
            }
        ],
    ),
    False: results(["__ASK_RETVAL"], []),
}


@pytest.mark.parametrize("truth", [True, False])
def test_an_ask_answered_as_rows_is_read_as_the_boolean_it_is(tiny, truth):
    server = tiny(lambda h: (200, {"Content-Type": "application/sparql-results+json"}, ASK_AS_ROWS[truth]))
    assert HttpEngine(f"{server.url}/sparql").run("ASK { ?s ?p ?o }") is truth
    code, _out, err = kg("query", "coauthors-of", "Suyog Gupta", "--endpoint", f"{server.url}/sparql")
    if not truth:  # nobody exists on an empty endpoint: the name is not taken as found
        assert code == 1 and err.startswith('kg: no person named "Suyog Gupta"')


def test_an_ask_answered_with_rows_that_are_no_boolean_is_an_error(tiny):
    two = results(["x"], [{"x": {"type": "literal", "value": "1"}}] * 2)
    server = tiny(lambda h: (200, {"Content-Type": "application/sparql-results+json"}, two))
    err = one_line_error(*kg("sparql", "ASK {}", "--endpoint", f"{server.url}/sparql"))
    assert "answered an ASK query with rows, not true or false" in err


def test_blank_nodes_of_any_spelling_are_read(tiny):
    rows = [
        {"s": {"type": "bnode", "value": label}}
        for label in ("nodeID://b10006", "nodeID://b10007", "b0", "b_3a_")
    ]
    server = tiny(lambda h: (200, {"Content-Type": "application/sparql-results+json"}, results(["s"], rows)))
    found = HttpEngine(f"{server.url}/sparql").run("SELECT ?s WHERE { ?s ?p ?o }")
    assert all(isinstance(s, ox.BlankNode) for (s,) in found.rows)
    assert len({s for (s,) in found.rows}) == 4  # labels stay distinct
    xml = b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="s"/></head><results><result><binding name="s"><bnode>nodeID://b1</bnode></binding></result></results></sparql>'
    server = tiny(lambda h: (200, {"Content-Type": "application/sparql-results+xml"}, xml))
    ((s,),) = HttpEngine(f"{server.url}/sparql").run("SELECT ?s WHERE { ?s ?p ?o }").rows
    assert isinstance(s, ox.BlankNode)


def test_an_answer_cut_at_the_row_cap_is_an_error(tiny):
    rows = [{"n": {"type": "literal", "value": str(i)}} for i in range(3)]
    capped = tiny(
        lambda h: (
            200,
            {"Content-Type": "application/sparql-results+json", "X-SPARQL-MaxRows": "3"},
            results(["n"], rows),
        )
    )
    err = one_line_error(*kg("sparql", "SELECT ?n WHERE { ?s ?p ?n }", "--endpoint", f"{capped.url}/sparql"))
    assert (
        err
        == f"kg: {capped.url}/sparql cut the answer at its row cap of 3 rows (X-SPARQL-MaxRows): kg does not show it as complete (Virtuoso: raise ResultSetMaxRows in [SPARQL] of virtuoso.ini)\n"
    )
    # Fewer rows than the cap, or fewer asked for with --limit: complete.
    assert kg(
        "sparql",
        "SELECT ?n WHERE { ?s ?p ?n }",
        "--endpoint",
        f"{capped.url}/sparql",
        "--limit",
        "2",
        "--format",
        "csv",
    )[:2] == (0, "n\r\n0\r\n1\r\n")
    under = tiny(
        lambda h: (
            200,
            {"Content-Type": "application/sparql-results+json", "X-SPARQL-MaxRows": "4"},
            results(["n"], rows),
        )
    )
    assert (
        kg("sparql", "SELECT ?n WHERE { ?s ?p ?n }", "--endpoint", f"{under.url}/sparql", "--format", "csv")[
            0
        ]
        == 0
    )


def test_an_answer_cut_by_the_time_limit_is_an_error(tiny):
    partial = results(["n"], [{"n": {"type": "literal", "value": "1"}}])
    server = tiny(
        lambda h: (
            200,
            {
                "Content-Type": "application/sparql-results+json",
                "X-SQL-State": "S1TAT",
                "X-SQL-Message": "RC...: Returning incomplete results",
            },
            partial,
        )
    )
    err = one_line_error(*kg("sparql", "SELECT ?n WHERE { ?s ?p ?n }", "--endpoint", f"{server.url}/sparql"))
    assert "answered with a partial result (X-SQL-State: S1TAT, its time limit was reached)" in err
    assert "raise MaxQueryExecutionTime" in err


# --- credentials in the URL, and for queries -------------------------------------------------------


def test_credentials_in_the_url_are_used_and_never_shown(tiny):
    server = basic_auth_server(tiny, "ana", "p@ss word")
    url = server.url.replace("http://", "http://ana:p%40ss%20word@") + "/sparql"
    code, _out, err = kg("sparql", "ASK {}", "--endpoint", url)
    assert code == 2 and "p%40ss" not in err and "ana:" not in err  # the stand-in answers 204, no results
    assert (
        server.requests[-1]["headers"]["Authorization"]
        == "Basic " + base64.b64encode(b"ana:p@ss word").decode()
    )
    wrong = server.url.replace("http://", "http://ana:nope@") + "/sparql"
    err = one_line_error(*kg("sparql", "ASK {}", "--endpoint", wrong))
    assert (
        err == f"kg: {server.url}/sparql refused the query: 401 Unauthorized (wrong or missing credentials)\n"
    )
    err = one_line_error(
        *kg("push", "--endpoint", wrong.replace("/sparql", "/store"), "--store", "/nonexistent")
    )
    assert "nope" not in err
    err = one_line_error(
        *kg("sparql", "ASK {}", "--endpoint", url, "--user", "bob", env={"KG_ENDPOINT_PASSWORD": "x"})
    )
    assert (
        err == f"kg: {server.url}/sparql names a user in the URL and --user names another: give one of them\n"
    )
    err = one_line_error(*kg("sparql", "ASK {}", "--endpoint", "http://ana:secret@127.0.0.1:notaport/x"))
    assert "secret" not in err and "port that is not a number" in err


def test_a_query_can_send_credentials_from_the_environment(tiny):
    server = basic_auth_server(tiny, "ana", "right")
    err = one_line_error(*kg("sparql", "ASK {}", "--endpoint", f"{server.url}/sparql"))
    assert "refused the query: 401 Unauthorized (wrong or missing credentials)" in err
    _code, _, err = kg(
        "sparql",
        "ASK {}",
        "--endpoint",
        f"{server.url}/sparql",
        "--user",
        "ana",
        env={"KG_ENDPOINT_PASSWORD": "right"},
    )
    assert "401" not in err
    assert (
        server.requests[-1]["headers"]["Authorization"] == "Basic " + base64.b64encode(b"ana:right").decode()
    )
    err = one_line_error(*kg("sparql", "ASK {}", "--endpoint", f"{server.url}/sparql", "--user", "ana"))
    assert (
        err
        == "kg: --user ana needs the password in the environment variable KG_ENDPOINT_PASSWORD (it is never given on the command line)\n"
    )


# --- push: failures, retries, auth ---------------------------------------------------------------


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(push_module, "BACKOFF", 0.01)


def test_push_stops_at_once_on_a_refusal_and_says_how_far_it_got(tiny, fixture_store, quick_retries):
    total = len(local_graph_counts(fixture_store))
    server = tiny(
        lambda h: (
            (204, {}, b"")
            if len(server.requests) <= 2
            else (400, {"Content-Type": "text/plain"}, b"bad triples")
        )
    )
    err = one_line_error(*kg("push", "--endpoint", f"{server.url}/store", "--store", str(fixture_store)))
    assert err.startswith(f"kg: push stopped after sending 2 of {total} graphs, at <{DEFAULT_BASE}graph/")
    assert err.endswith("answered 400 Bad Request to PUT: bad triples; the remote copy is incomplete\n")
    assert len(server.requests) == 3  # a 400 is not retried
    assert all(
        r["method"] == "PUT" and r["path"].startswith("/store?graph=https%3A%2F%2F") for r in server.requests
    )
    assert server.requests[0]["headers"]["Content-Type"] == "application/n-triples"


def test_push_retries_transient_failures(tiny, fixture_store, quick_retries):
    failures = {1: 503, 2: 429, 4: 502}  # by request number: twice in a row on the first graph, once later
    server = tiny(lambda h: (failures.get(len(server.requests), 204), {}, b""))
    code, out, err = kg("push", "--endpoint", f"{server.url}/store", "--store", str(fixture_store))
    assert (code, err) == (0, "")
    assert ", 3 retried" in out
    assert len(server.requests) == len(local_graph_counts(fixture_store)) + 3


def test_push_gives_up_after_three_tries(tiny, fixture_store, quick_retries):
    server = tiny(lambda h: (503, {"Retry-After": "0"}, b"busy"))
    err = one_line_error(*kg("push", "--endpoint", f"{server.url}/store", "--store", str(fixture_store)))
    assert (
        "push stopped after sending 0 of" in err
        and "503 Service Unavailable to PUT: busy (tried 3 times)" in err
    )
    assert len(server.requests) == 3


def test_push_to_a_server_that_is_down(fixture_store, quick_retries):
    url = f"http://127.0.0.1:{free_port()}/store"
    err = one_line_error(*kg("push", "--endpoint", url, "--store", str(fixture_store)))
    assert f"cannot reach {url}: connection refused (is the server running?) (tried 3 times)" in err


def test_push_to_the_query_url_by_mistake(remote, oxigraph_server, fixture_store):
    err = one_line_error(*kg("push", "--endpoint", f"{oxigraph_server}/query", "--store", str(fixture_store)))
    assert "no Graph Store service there; give the Graph Store URL" in err


def test_push_without_a_store(tmp_path):
    err = one_line_error(
        *kg("push", "--endpoint", "http://127.0.0.1:9/store", "--store", str(tmp_path / "none"))
    )
    assert err == f"kg: no graph at {tmp_path / 'none'}: run kg build PAGES\n"


def basic_auth_server(tiny, user: str, password: str):
    wanted = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def respond(h):
        if h.headers.get("Authorization") != wanted:
            return 401, {"WWW-Authenticate": 'Basic realm="kg"'}, b"who are you?"
        return 204, {}, b""

    return tiny(respond)


def test_push_basic_auth_takes_the_password_from_the_environment(tiny, fixture_store):
    server = basic_auth_server(tiny, "ana", "s3cret: with spaces")
    env = {"KG_PUSH_USER": "ana", "MY_PASSWORD": "s3cret: with spaces"}
    code, _out, err = kg(
        "push",
        "--endpoint",
        f"{server.url}/store",
        "--store",
        str(fixture_store),
        "--password-env",
        "MY_PASSWORD",
        env=env,
    )
    assert (code, err) == (0, ""), err
    # Credentials go once asked for, then up front: one 401, then every graph in one request.
    assert [r["headers"].get("Authorization") is None for r in server.requests].count(True) == 1
    assert len(server.requests) == len(local_graph_counts(fixture_store)) + 1


def test_push_with_a_wrong_password(tiny, fixture_store):
    server = basic_auth_server(tiny, "ana", "right")
    env = {"KG_PUSH_PASSWORD": "wrong"}
    err = one_line_error(
        *kg(
            "push",
            "--endpoint",
            f"{server.url}/store",
            "--store",
            str(fixture_store),
            "--user",
            "ana",
            env=env,
        )
    )
    assert "refused PUT: 401 Unauthorized (wrong or missing credentials)" in err


def test_push_needs_credentials_it_was_not_given(tiny, fixture_store):
    server = basic_auth_server(tiny, "ana", "right")
    err = one_line_error(*kg("push", "--endpoint", f"{server.url}/store", "--store", str(fixture_store)))
    assert "401 Unauthorized (wrong or missing credentials)" in err
    err = one_line_error(
        *kg(
            "push",
            "--endpoint",
            f"{server.url}/store",
            "--store",
            str(fixture_store),
            "--user",
            "ana",
            env={"KG_PUSH_PASSWORD": ""},
        )
    )
    assert (
        err
        == "kg: --user ana needs the password in the environment variable KG_PUSH_PASSWORD (it is never given on the command line)\n"
    )


def test_there_is_no_password_option(fixture_store):
    code, _out, err = kg(
        "push",
        "--endpoint",
        "http://127.0.0.1:9/store",
        "--user",
        "ana",
        "--password",
        "x",
        "--store",
        str(fixture_store),
    )
    assert code == 2 and re.search(r"No such option:? '?--password\b", err), err


def test_push_digest_auth(tiny, fixture_store):
    """Virtuoso's /sparql-graph-crud-auth asks for Digest: answered as RFC 7616 says (MD5, qop=auth)."""
    realm, nonce, user, password = "SPARQL", "abc123", "dba", "pw"

    def respond(h):
        auth = h.headers.get("Authorization", "")
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', auth))
        if auth.startswith("Digest "):
            ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
            ha2 = hashlib.md5(f"{h.command}:{fields['uri']}".encode()).hexdigest()
            expected = hashlib.md5(
                f"{ha1}:{nonce}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}".encode()
            ).hexdigest()
            if fields["response"] == expected and fields["uri"] == h.path:
                return 204, {}, b""
        return (
            401,
            {"WWW-Authenticate": f'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm=MD5'},
            b"",
        )

    server = tiny(respond)
    code, _out, err = kg(
        "push",
        "--endpoint",
        f"{server.url}/sparql-graph-crud-auth",
        "--store",
        str(fixture_store),
        "--user",
        user,
        env={"KG_PUSH_PASSWORD": password},
    )
    assert (code, err) == (0, ""), err
    assert len(server.requests) == len(local_graph_counts(fixture_store)) + 1


class HangUpServer:
    """Answers an unauthenticated request as Virtuoso does: 401 and `Connection: close` straight after the
    headers, hanging up without reading the body. Authenticated requests are read whole and get 201."""

    def __init__(self, user: str, password: str):
        self.wanted = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.seen: list[tuple[str, bool, int]] = []  # (method, authenticated, Content-Length)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(connection,), daemon=True).start()

    def _talk(self, connection: socket.socket):
        stream = connection.makefile("rb")
        with connection, stream:
            while True:
                line = stream.readline()
                if not line:
                    return
                headers = {}
                while (header := stream.readline().decode()) not in ("\r\n", ""):
                    name, _, value = header.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", 0))
                authenticated = headers.get("authorization") == self.wanted
                self.seen.append((line.split()[0].decode(), authenticated, length))
                if not authenticated:
                    connection.sendall(
                        b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="kg"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'
                    )
                    connection.shutdown(socket.SHUT_WR)
                    return  # closing with the body unread: the client sees a reset or a broken pipe
                stream.read(length)
                connection.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")

    def close(self):
        self.listener.close()


@pytest.fixture
def hang_up_server():
    server = HangUpServer("kg", "pw")
    yield server
    server.close()


def test_push_meets_the_challenge_before_sending_any_body(hang_up_server, fixture_store):
    server = hang_up_server
    code, _out, err = kg(
        "push",
        "--endpoint",
        f"{server.url}/sparql-graph-crud-auth",
        "--store",
        str(fixture_store),
        "--user",
        "kg",
        env={"KG_PUSH_PASSWORD": "pw"},
    )
    assert (code, err) == (0, ""), err
    unauthenticated = [seen for seen in server.seen if not seen[1]]
    assert unauthenticated == [("HEAD", False, 0)]  # one bodyless request fetched the challenge
    assert [method for method, _, _ in server.seen] == ["HEAD", "HEAD"] + ["PUT"] * len(
        local_graph_counts(fixture_store)
    )  # asking which engine answers, then one PUT a graph (a Graph Store kg does not know)


def test_push_without_credentials_to_a_server_that_hangs_up_reports_the_401(
    hang_up_server, fixture_store, quick_retries
):
    err = one_line_error(
        *kg(
            "push",
            "--endpoint",
            f"{hang_up_server.url}/sparql-graph-crud-auth",
            "--store",
            str(fixture_store),
        )
    )
    assert "refused the push: 401 Unauthorized (wrong or missing credentials)" in err, err
    assert "pipe" not in err.lower() and "reset" not in err.lower()
    err = one_line_error(
        *kg(
            "push",
            "--endpoint",
            f"{hang_up_server.url}/sparql-graph-crud-auth",
            "--store",
            str(fixture_store),
            "--user",
            "kg",
            env={"KG_PUSH_PASSWORD": "wrong"},
        )
    )
    assert "refused the push: 401 Unauthorized (wrong or missing credentials)" in err, err


def test_a_hang_up_on_a_big_body_is_reported_as_the_401_it_was(hang_up_server):
    """3 MB is more than the socket buffers hold: the server mostly hangs up while the body is still
    going out, and the client sees a broken pipe or a reset rather than the answer."""
    for _ in range(5):
        assert (
            Endpoint(f"{hang_up_server.url}/store").request("PUT", "graph=x", b"x" * 3_000_000).status == 401
        )


def test_a_kept_alive_connection_the_server_dropped_is_reopened(tiny):
    def respond(h):
        h.close_connection = True  # closes after answering, without saying so
        return 204, {}, b""

    server = tiny(respond)
    endpoint = Endpoint(f"{server.url}/store")
    assert [endpoint.request("PUT", "graph=x", b"").status for _ in range(3)] == [204, 204, 204]
    assert len(server.requests) == 3


def test_the_endpoint_sends_no_credentials_unasked(tiny):
    server = tiny(lambda h: (204, {}, b""))
    endpoint = Endpoint(f"{server.url}/store", user="ana", password="pw")
    assert endpoint.request("PUT", "graph=x", b"").status == 204
    assert "Authorization" not in server.requests[0]["headers"]
    with pytest.raises(KgError, match="port that is not a number"):
        Endpoint("http://127.0.0.1:notaport/x")


# --- kg serve --------------------------------------------------------------------------------------


@pytest.fixture
def store_copy(fixture_store, tmp_path) -> Path:
    """A store of our own: serving and fake builds must not touch the session's fixture store."""
    copy = tmp_path / "kg-store"
    shutil.copytree(fixture_store, copy)
    return copy


@pytest.fixture
def served(store_copy):
    """`kg serve` on a free port in a subprocess, once it has said where it serves:
    (process, base URL, the two lines it printed)."""
    with kg_serving(store_copy) as running:
        yield running


def test_serve_answers_queries_refuses_updates_and_stops_cleanly_on_ctrl_c(served, store_copy):
    process, url, printed = served
    assert (
        printed
        == f"serving {store_copy} ({(store_copy / 'CURRENT').read_text().strip()}) read-only at {url}/\nSPARQL endpoint: {url}/query  (Ctrl-C stops)\n"
    )
    code, out, err = kg(
        "sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "--endpoint",
        f"{url}/query",
        "--format",
        "csv",
    )
    local = kg(
        "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--store", str(store_copy), "--format", "csv"
    )
    assert (code, out, err) == local and int(out.split()[1]) == 7856  # each triple once
    update = urllib.request.Request(
        f"{url}/update", data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
    )
    write = urllib.request.Request(
        f"{url}/store?graph=urn%3Ax",
        data=b"<urn:a> <urn:b> <urn:c> .",
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    for request in (update, write):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 403
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert (process.returncode, out) == (0, "")
    assert err == f"kg: stopped serving {store_copy}\n"
    with pytest.raises(urllib.error.URLError):  # the Oxigraph child went with it
        urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=2)


def test_serve_stops_cleanly_on_sigterm(served, store_copy):
    process, _url, _ = served
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=10)
    assert (process.returncode, err) == (0, f"kg: stopped serving {store_copy}\n")


def test_serve_follows_a_build_that_makes_a_new_generation_live(served, store_copy):
    """What kg build does at commit, done by hand: a new generation, then CURRENT pointing at it."""
    process, url, _ = served
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(process.stderr), daemon=True)
    reader.start()
    old = (store_copy / "CURRENT").read_text().strip()
    new = "gen-999999"
    ox.Store.read_only(str(store_copy / old)).backup(str(store_copy / new))
    database = ox.Store(str(store_copy / new))
    database.add(
        ox.Quad(
            ox.NamedNode("urn:kg:new"),
            ox.NamedNode("urn:kg:is"),
            ox.Literal("live"),
            ox.NamedNode("urn:kg:g"),
        )
    )
    database.flush()
    del database
    shutil.copy(store_copy / f"{old}.json", store_copy / f"{new}.json")
    (store_copy / "CURRENT.tmp").write_text(new + "\n")
    os.replace(store_copy / "CURRENT.tmp", store_copy / "CURRENT")
    engine, deadline = HttpEngine(f"{url}/query", timeout=2), time.monotonic() + 15
    notice = f"kg: now serving {new}, made live by a build\n"
    while notice not in said and time.monotonic() < deadline:
        time.sleep(0.1)
    assert said == [notice]
    assert engine.run("ASK { <urn:kg:new> <urn:kg:is> 'live' }") is True
    process.send_signal(signal.SIGINT)
    process.wait(10)
    reader.join(5)
    assert process.returncode == 0 and said[-1] == f"kg: stopped serving {store_copy}\n"


def test_serve_refuses_a_store_being_written(store_copy):
    with StoreWriter(store_copy, DEFAULT_BASE):
        done = kg_subprocess("serve", "--store", str(store_copy), "--bind", f"127.0.0.1:{free_port()}")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"kg: kg build is writing to {store_copy}: start kg serve when it has finished\n"


def test_serve_without_a_store(tmp_path):
    done = kg_subprocess("serve", "--store", str(tmp_path / "none"), "--bind", f"127.0.0.1:{free_port()}")
    assert (done.returncode, done.stderr) == (2, f"kg: no graph at {tmp_path / 'none'}: run kg build PAGES\n")


def test_serve_on_a_taken_address(store_copy, oxigraph_server):
    bind = oxigraph_server.removeprefix("http://")
    done = kg_subprocess("serve", "--store", str(store_copy), "--bind", bind)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"kg: cannot serve at {bind}: another server listens there; choose another --bind\n"


def test_the_pages_load_nothing_from_elsewhere(served):
    """kg's pages (kg.site; driven in a browser by tests/test_site_browser.py) name no other server,
    and their Content-Security-Policy forbids fetching from one."""
    _, url, _ = served
    for path in ("/", "/sparql", "/coi", "/doc/person/suyog-gupta", "/search?q=nemotron"):
        with urllib.request.urlopen(url + path, timeout=5) as answer:
            page = answer.read().decode()
            assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
        sources = re.findall(r'(?:src|href|action)="([^"]+)"', page)
        assert sources and not [s for s in sources if "//" in s], (path, sources)


# --- the tour's bulk load into Oxigraph, run as written -----------------------------------------


def test_the_tour_oxigraph_bulk_load_runs_as_written(tmp_path, fixture_store):
    readme = (Path(__file__).resolve().parents[2] / "docs" / "tour.md").read_text(encoding="utf-8")
    (command,) = re.findall(
        r"`(kg export --inferred --format nquads -o kg\.nq && oxigraph load [^`]*)`", readme
    )
    (tmp_path / "kg-store").symlink_to(fixture_store)
    env = {**os.environ, "PATH": f"{OXIGRAPH.parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("KG_STORE", None)
    done = subprocess.run(
        ["bash", "-e", "-c", command.replace("/srv/kg-db", str(tmp_path / "db"))],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    port = free_port()
    process = subprocess.Popen(
        [
            str(OXIGRAPH),
            "serve",
            "--location",
            str(tmp_path / "db"),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", process)
        listed = HttpEngine(f"http://127.0.0.1:{port}/query").run(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert {g.value: int(n.value) for g, n in listed.rows} == local_graph_counts(fixture_store)
    finally:
        stop(process)


def test_endpoint_options_without_an_endpoint_are_refused(fixture_store):
    code, out, err = kg("sparql", "ASK {}", "--store", str(fixture_store), "--graph", "kg")
    assert (code, out) == (2, "") and "--graph only apply with --endpoint" in err
    code, _, err = kg(
        "query",
        "coi",
        "Suyog Gupta",
        "Mahdi Nazemi",
        "--store",
        str(fixture_store),
        "--user",
        "ana",
        "--graph",
        "kg",
    )
    assert code == 2 and "--graph and --user only apply with --endpoint" in err
    # From the environment they are left for remote use: the local store answers.
    assert kg(
        "sparql", "ASK {}", "--store", str(fixture_store), env={"KG_GRAPHS": "kg", "KG_ENDPOINT_USER": "ana"}
    )[:2] == (0, "true\n")
