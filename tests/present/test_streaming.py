"""kg sparql writes its answer as it comes: a closed pipe ends it quietly, --timeout stops it, tables
fit the terminal and say when they are empty or cut, and control characters never reach a terminal raw."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.present.streaming import write_answer
from kg.present.terminal import text_width as _width
from kg.query.canned import LocalEngine

KG = [sys.executable, "-m", "kg"]
# Every triple with every triple: millions of rows from the sample store, more than anyone waits for.
ENDLESS = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }"


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run(args, capture_output=True, text=True, env=env, **kwargs)


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_a_closed_pipe_ends_a_huge_answer_at_once_and_quietly(fixture_store, fmt):
    started = time.monotonic()
    kg = " ".join(KG)
    done = run(
        [
            "bash",
            "-c",
            f"{kg} sparql '{ENDLESS}' --store {fixture_store} --format {fmt} | head -3; echo ${{PIPESTATUS[0]}}",
        ],
        timeout=120,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 4, done.stdout
    assert lines[-1] in ("0", "141")  # quietly, or as SIGPIPE would end it
    assert done.stderr == ""  # no traceback, no "Exception ignored"
    assert time.monotonic() - started < 60  # it did not go on to the end of the answer


def test_the_first_rows_come_before_the_answer_ends(fixture_store):
    process = subprocess.Popen(
        [*KG, "sparql", ENDLESS, "--store", str(fixture_store), "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        header = process.stdout.readline()
        first = process.stdout.readline()
        assert header == b"a,b,c,o,p,s\r\n"
        assert first.count(b",") >= 5
        assert process.poll() is None  # still at work: the rows came while it ran
    finally:
        process.kill()
        process.wait()


def test_timeout_stops_a_runaway_query_with_exit_2(fixture_store):
    started = time.monotonic()
    done = run(
        [
            *KG,
            "sparql",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?a ?b ?c . ?d ?e ?f }",
            "--store",
            str(fixture_store),
            "--timeout",
            "1",
        ],
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr == "kg: the query took longer than 1 s and was stopped (--timeout)\n"
    assert time.monotonic() - started < 30


def test_timeout_also_stops_a_query_that_streams(fixture_store):
    done = run(
        [*KG, "sparql", ENDLESS, "--store", str(fixture_store), "--format", "tsv", "--timeout", "1"],
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.endswith("kg: the query took longer than 1 s and was stopped (--timeout)\n")
    assert done.stdout.startswith("?a\t?b\t?c\t?o\t?p\t?s\n")


# --- tables -------------------------------------------------------------------------------------

LONG = "a title long enough that no terminal of eighty columns could show it whole, not even close to it"
ROWS = f"""SELECT ?name ?title ?n WHERE {{
  VALUES (?name ?title ?n) {{ ("Ada" "{LONG}" 1) ("Grace Hopper" "short" 22) ("Emmy" "{LONG} and more" 333) }}
}}"""


def table(query: str, width: int | None, limit: int | None = None) -> tuple[str, list[str]]:
    out, notes = io.StringIO(), []
    write_answer(LocalEngine(ox.Store()), query, "table", out, limit=limit, width=width, note=notes.append)
    return out.getvalue(), notes


def test_a_table_fits_the_width_and_cuts_long_cells_with_an_ellipsis():
    text, notes = table(ROWS, 60)
    lines = text.splitlines()
    assert max(_width(line) for line in lines) <= 60
    assert lines[0].split() == ["name", "title", "n"]
    assert lines[2].startswith("Ada           a title long enough") and lines[2].endswith("…    1")
    assert lines[3].startswith("Grace Hopper  short  ") and lines[3].endswith("   22")
    assert notes == []


def test_a_table_without_a_width_keeps_whole_cells():
    text, _ = table(ROWS, None)
    assert LONG + " and more" in text and "…" not in text


def test_a_table_says_n_of_m_rows_when_the_limit_cut_it():
    text, notes = table(ROWS, 200, limit=2)
    assert len(text.splitlines()) == 4
    assert notes == ["2 of 3 rows (--limit 2)"]
    assert table(ROWS, 200, limit=3)[1] == []  # the whole answer: nothing to say


def test_an_empty_table_prints_its_header_and_says_no_rows():
    text, notes = table("SELECT ?x ?y WHERE { FILTER(false) }", 80)
    assert text == "x  y\n-  -\n"
    assert notes == ["no rows"]


def test_the_cli_table_follows_columns(fixture_store):
    done = run([*KG, "sparql", "SELECT * WHERE { ?s ?p ?o }", "--store", str(fixture_store), "--limit", "5"])
    assert done.returncode == 0
    assert all(_width(line) <= 120 for line in done.stdout.splitlines())
    assert "…" in done.stdout
    assert done.stderr.startswith("kg: 5 of ") and done.stderr.endswith(" rows (--limit 5)\n")


# --- control characters ---------------------------------------------------------------------------

NASTY = "red\x1b[31m bell\x07 cr\rback rtl\u202eevil c1\x9b end"
NASTY_QUERY = "SELECT ?text WHERE { BIND (" + json.dumps(NASTY) + " AS ?text) }"


def written(fmt: str, query: str = NASTY_QUERY) -> str:
    out = io.StringIO()
    write_answer(LocalEngine(ox.Store()), query, fmt, out)
    return out.getvalue()


RAW = ["\x1b", "\x07", "\r", "\u202e", "\x9b"]


@pytest.mark.parametrize("fmt", ["table", "tsv", "json", "xml"])
def test_control_characters_never_reach_the_terminal_raw(fmt):
    text = written(fmt)
    assert not any(c in text for c in RAW)


def test_a_table_shows_control_characters_visibly():
    assert r"red\x1b[31m bell\x07 cr back rtl\u202eevil c1\x9b end" in written("table")


def test_json_and_tsv_keep_the_data_exactly():
    (binding,) = json.loads(written("json"))["results"]["bindings"]
    assert binding["text"]["value"] == NASTY
    tsv = written("tsv").splitlines()[1]
    assert ox.parse(f"<x:s> <x:p> {tsv} .".encode(), format=ox.RdfFormat.N_TRIPLES)
    ((triple),) = list(ox.parse(f"<x:s> <x:p> {tsv} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    assert triple.object.value == NASTY


def test_csv_keeps_the_data_when_it_goes_to_a_file(tmp_path):
    out = io.StringIO()
    write_answer(LocalEngine(ox.Store()), NASTY_QUERY, "csv", out)
    assert NASTY.replace("\r", "") in out.getvalue().replace("\r", "")


def test_xml_results_are_well_formed_and_keep_what_xml_can_hold():
    root = ET.fromstring(written("xml"))
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    literal = root.find("r:results/r:result/r:binding/r:literal", ns)
    assert literal is not None
    assert literal.text == r"red\x1b[31m bell\x07 cr" + "\rback rtl\u202eevil c1\x9b end"


def test_turtle_escapes_control_characters_and_reads_back_the_same():
    query = (
        "CONSTRUCT { <http://e/s> <http://e/p> ?text } WHERE { BIND (" + json.dumps(NASTY) + " AS ?text) }"
    )
    text = written("turtle", query)
    assert not any(c in text for c in RAW)
    (quad,) = list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))
    assert quad.object.value == NASTY


def test_the_api_writes_an_answer_as_it_comes(fixture_store):
    import kg

    out = io.StringIO()
    with kg.open(Path(fixture_store)) as g:
        written = g.write_sparql("SELECT ?s WHERE { ?s ?p ?o }", out, format="csv", limit=3)
    assert written.rows == 3 and written.cut
    assert out.getvalue().startswith("s\r\n") and len(out.getvalue().splitlines()) == 4


# --- from an endpoint -------------------------------------------------------------------------------


class Trickle(io.RawIOBase):
    """A response body that arrives a few bytes at a time."""

    def __init__(self, data: bytes, size: int):
        self.data, self.size, self.at = data, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.data[self.at : self.at + min(self.size, len(buffer))]
        buffer[: len(chunk)] = chunk
        self.at += len(chunk)
        return len(chunk)


@pytest.mark.parametrize("size", [1, 3, 7, 64])
def test_blank_node_labels_are_rewritten_as_they_arrive(size):
    from kg.query.remote import BlankNodeLabels, any_blank_nodes

    labels = ["nodeID://b10006", "nodeID://b10007", "b0", "b_3a_"]
    rows = [{"s": {"type": "bnode", "value": label}} for label in labels]
    rows.append({"s": {"value": "nodeID://b1", "type": "bnode"}})  # keys in the other order
    rows.append({"s": {"type": "literal", "value": "nodeID://not-a-node"}})
    body = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": rows}}).encode()
    fmt = ox.QueryResultsFormat.JSON
    streamed = io.BufferedReader(BlankNodeLabels(Trickle(body, size), fmt)).read()
    assert json.loads(streamed) == json.loads(any_blank_nodes(body, fmt))
    found = [s["s"] for s in ox.parse_query_results(streamed, format=fmt)]
    assert all(isinstance(s, ox.BlankNode) for s in found[:5]) and len({s.value for s in found[:5]}) == 5
    assert found[5] == ox.Literal("nodeID://not-a-node")

    xml = (
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="s"/>'
        b"</head><results>"
        + b"".join(
            f'<result><binding name="s"><bnode>{label}</bnode></binding></result>'.encode()
            for label in labels
        )
        + b"</results></sparql>"
    )
    fmt = ox.QueryResultsFormat.XML
    streamed = io.BufferedReader(BlankNodeLabels(Trickle(xml, size), fmt)).read()
    assert streamed == any_blank_nodes(xml, fmt)


@pytest.fixture
def endless_endpoint():
    """A SPARQL endpoint whose answer never ends: rows are sent until the client hangs up."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                self.wfile.write(b'{"head": {"vars": ["n"]}, "results": {"bindings": [')
                n = 0
                while True:
                    row = {
                        "n": {
                            "type": "literal",
                            "value": str(n),
                            "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                        }
                    }
                    self.wfile.write((", " if n else "").encode() + json.dumps(row).encode())
                    n += 1
                    if n % 100 == 0:
                        self.wfile.flush()
                        time.sleep(0.01)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_an_endpoint_answer_is_written_as_it_arrives(endless_endpoint):
    done = run(
        [
            "bash",
            "-c",
            f"{' '.join(KG)} sparql 'SELECT ?n WHERE {{ ?s ?p ?n }}' --endpoint {endless_endpoint} --format csv | head -4",
        ],
        timeout=60,
    )
    assert done.stdout == "n\n0\n1\n2\n" and done.stderr == ""  # text mode reads CRLF as a newline


def test_an_endpoint_answer_is_cut_by_the_limit_and_by_the_timeout(endless_endpoint):
    query = "SELECT ?n WHERE { ?s ?p ?n }"
    done = run([*KG, "sparql", query, "--endpoint", endless_endpoint, "--limit", "2"], timeout=60)
    assert done.returncode == 0
    assert done.stdout.splitlines()[2:] == ["0", "1"]
    assert done.stderr == "kg: the first 2 rows (--limit 2; the rest not counted: it was taking long)\n"
    done = run(
        [*KG, "sparql", query, "--endpoint", endless_endpoint, "--format", "tsv", "--timeout", "1"],
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == "kg: the query took longer than 1 s and was stopped (--timeout)\n"


def test_an_answer_past_the_timeout_says_so_whichever_clock_stops_it(endless_endpoint):
    """--timeout bounds both the wait for the answer and its reading: the reader's clock, when it is
    read first, gives the same message as the query's."""
    from kg.errors import KgError
    from kg.query.answers import RowStream
    from kg.query.remote import HttpEngine

    engine = HttpEngine(endless_endpoint)
    engine.endpoint.answer_within(0.5)
    answer = engine.stream("SELECT ?n WHERE { ?s ?p ?n }")
    assert isinstance(answer, RowStream)
    with pytest.raises(KgError) as stopped:
        for _ in answer.rows:
            pass
    assert str(stopped.value) == "the query took longer than 0.5 s and was stopped (--timeout)"
