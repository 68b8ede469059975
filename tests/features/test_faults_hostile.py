"""Faults from hostile peers: clients of `kg serve` that try to make it fetch elsewhere (SERVICE), to
stop or stall it, or to make it run past its limits. Each case counts in the fault tally (faults,
survived, lost), printed at the end of the run.

The SERVICE test is differential: one corpus of query spellings, sent through every HTTP framing to
`kg serve` and run by `kg sparql`, with a listener on loopback that must never be called.
"""

from __future__ import annotations

import resource
import socket
import subprocess
import threading
import time
import urllib.request
from contextlib import suppress
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from conftest import run_main
from fault_tally import fault
from servers import KG, free_port, kg_serving, kg_subprocess, stop


class Listener:
    """A loopback HTTP listener that records every connection made to it and answers empty results."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}/"
        self.url = self.base + "sparql"
        self.calls: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.calls.append(conn.recv(65536))
                    body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
                    )
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener():
    heard = Listener()
    yield heard
    heard.close()


# Query spellings that call SERVICE (L: the listener's URL, B: its base), as the engine reads them.
SPELLINGS = [
    "SELECT * WHERE { SERVICE <L> { ?s ?p ?o } }",
    "select * where { service silent <L> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICESILENT<L> { ?s ?p ?o } }",
    "PREFIX ex: <B> SELECT * WHERE { SERVICEex:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o # a comment ended by a lone CR\r SERVICE <L> { ?x ?y ?z } \n}",
    "SELECT * WHERE { # a comment\rSERVICE <L> { ?s ?p ?o } }",
    "SELECT * WHERE { # a comment\r\nSERVICE <L> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <L> { ?s ?p ?o } }",
    "SELECT * WHERE { \\U00000053ervice <L> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o # an escaped CR\\u000D SERVICE <L> { ?x ?y ?z } \n}",
    "SELECT * WHERE { VALUES ?where { <L> } SERVICE ?where { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <L> { ?a ?b ?c } } } LIMIT 1",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <L> { ?s ?p ?o } } } }",
    "SELECT * WHERE { OPTIONAL { SERVICE\t<L>{?s ?p ?o} } }",
    "SeLeCt * WhErE { sErViCe<L>{?s ?p ?o} }",
    "ASK { SERVICE <L> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <L> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE SILENT <L> { ?s ?p ?o } } }",
    "SELECT * WHERE { SERVICE#a comment\r<L> { ?s ?p ?o } }",
    "SELECT * WHERE { GRAPH ?g { SERVICE <L> { ?s ?p ?o } } }",
    "SELECT * WHERE { BIND (EXISTS { SERVICE <L> { ?s ?p ?o } } AS ?x) }",
]
BENIGN = "ASK { ?s ?p ?o }"


def spell(template: str, heard: Listener) -> str:
    return template.replace("<L>", f"<{heard.url}>").replace("<B>", f"<{heard.base}>")


def _form(query: str) -> bytes:
    return urlencode({"query": query}).encode()


def _post(content_types: list[str], body: bytes, extra: str = "", eol: str = "\r\n") -> bytes:
    lines = ["POST /query HTTP/1.1", "Host: x", *[f"Content-Type: {t}" for t in content_types]]
    lines += [f"Content-Length: {len(body)}", "Connection: close"] + ([extra] if extra else [])
    return (eol.join(lines) + eol + eol).encode() + body


# HTTP framings: query -> the raw request. The first ones are well formed (a plain query answers).
WELL_FORMED = {
    "GET": lambda q: (
        f"GET /query?{urlencode({'query': q})} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    ),
    "GET, every byte escaped": lambda q: (
        f"GET /query?query={quote(q, safe='')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    ),
    "GET over HTTP/1.0": lambda q: f"GET /query?{urlencode({'query': q})} HTTP/1.0\r\n\r\n".encode(),
    "HEAD": lambda q: (
        f"HEAD /query?{urlencode({'query': q})} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    ),
    "POST form": lambda q: _post(["application/x-www-form-urlencoded"], _form(q)),
    "POST form, type in capitals": lambda q: _post(
        ["APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8"], _form(q)
    ),
    "POST form, Expect: 100-continue": lambda q: _post(
        ["application/x-www-form-urlencoded"], _form(q), "Expect: 100-continue"
    ),
    "POST query": lambda q: _post(["application/sparql-query"], q.encode()),
}
AMBIGUOUS = {  # refused, or not a query where the engine looks
    "GET by a dotted path": lambda q: (
        f"GET /x/../query?{urlencode({'query': q})} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    ),
    "two Content-Types, form first": lambda q: _post(
        ["application/x-www-form-urlencoded", "text/plain"], _form(q)
    ),
    "two Content-Types, form last": lambda q: _post(
        ["text/plain", "application/x-www-form-urlencoded"], _form(q)
    ),
    "two Content-Types, query last": lambda q: _post(
        ["application/x-www-form-urlencoded", "application/sparql-query"], q.encode()
    ),
    "two Content-Lengths": lambda q: _post(
        ["application/sparql-query"], q.encode(), f"Content-Length: {len(q.encode())}"
    ),
    "LF line ends": lambda q: _post(["application/sparql-query"], q.encode(), eol="\n"),
    "LF line ends after the request line": lambda q: (
        b"POST /query HTTP/1.1\r\n"
        + _post(["application/sparql-query"], q.encode(), eol="\n").split(b"\n", 1)[1]
    ),
    "a folded Content-Type": lambda q: _post(["application/\r\n x-www-form-urlencoded"], _form(q)),
    "chunked": lambda q: (
        b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(q.encode()), q.encode())
    ),
    "a query in the URL and one in the body": lambda q: (
        f"POST /query?{urlencode({'query': q})} HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        f"Content-Length: {len(BENIGN)}\r\nConnection: close\r\n\r\n{BENIGN}".encode()
    ),
    "two queries in one form": lambda q: _post(
        ["application/x-www-form-urlencoded"], urlencode([("query", BENIGN), ("query", q)]).encode()
    ),
}


def exchange(port: int, raw: bytes, seconds: float = 10) -> bytes:
    """Send one raw request; everything the server answered until it closed (or `seconds` without a byte)."""
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
        sock.sendall(raw)
        answer = b""
        try:
            while data := sock.recv(65536):
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
        return answer


def status_of(answer: bytes) -> int:
    line = answer.split(b"\r\n", 1)[0].split(b" ")
    return int(line[1]) if len(line) > 1 and line[1].isdigit() else 0


@pytest.fixture(scope="module")
def serving(fixture_store):
    with kg_serving(fixture_store) as (process, url, _):
        yield process, int(url.rsplit(":", 1)[1])


def test_service_never_leaves_the_server_whatever_the_spelling_and_framing(serving, listener):
    process, port = serving
    for name, frame in WELL_FORMED.items():
        answer = exchange(port, frame(BENIGN))
        assert status_of(answer) == 200, (name, answer[:200])  # the framing reaches the engine
    refused = 0
    for template in SPELLINGS:
        query = spell(template, listener)
        for name, frame in {**WELL_FORMED, **AMBIGUOUS}.items():
            answer = exchange(port, frame(query))
            status = status_of(answer)
            ok = 400 <= status < 500 and not listener.calls
            fault(f"kg serve: SERVICE spelled and framed to slip through ({name})", survived=ok)
            assert ok, (template, name, answer[:300], listener.calls[:1])
            refused += 1
    pipelined = WELL_FORMED["GET"](BENIGN).replace(b"Connection: close\r\n", b"") + WELL_FORMED["GET"](
        spell(SPELLINGS[0], listener)
    )
    answer = exchange(port, pipelined)
    assert answer.count(b"HTTP/1.1 200") == 1 and b"HTTP/1.1 403" in answer
    time.sleep(0.5)
    assert listener.calls == [] and process.poll() is None
    assert refused == len(SPELLINGS) * (len(WELL_FORMED) + len(AMBIGUOUS))


def test_kg_sparql_reads_service_as_the_engine_does(fixture_store, listener):
    for template in SPELLINGS:
        code, out, err = run_main("sparql", "--store", str(fixture_store), spell(template, listener))
        ok = (
            code == 2
            and out == ""
            and err.startswith("kg: refusing a query with SERVICE")
            and not listener.calls
        )
        fault("kg sparql: SERVICE spelled to slip through", survived=ok)
        assert ok, (template, code, err)
    assert listener.calls == []


def test_the_listener_hears_an_allowed_service_call(fixture_store, listener):
    """The differential tests' listener is reachable: were the check to let a spelling through, it would hear it."""
    code, _, err = run_main(
        "sparql", "--store", str(fixture_store), "--allow-service", spell(SPELLINGS[4], listener)
    )
    assert code == 0, err
    assert len(listener.calls) == 1
    with kg_serving(fixture_store, "--allow-service") as (_process, url, _):
        port = int(url.rsplit(":", 1)[1])
        assert status_of(exchange(port, WELL_FORMED["POST form"](spell(SPELLINGS[2], listener)))) == 200
    assert len(listener.calls) == 2


def test_a_head_request_on_the_endpoint_answers_as_a_get_would(serving):
    _, port = serving
    answer = exchange(port, WELL_FORMED["HEAD"](BENIGN))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert status_of(answer) == 200 and b"content-type: application/sparql-results" in head.lower()
    assert body == b""


# --- connections ---------------------------------------------------------------------------------------

IDLE_SOCKETS = 600
FILE_LIMIT = 256


def test_idle_and_slow_clients_neither_stop_nor_stall_the_server(fixture_store):
    """600 idle sockets (two descriptors each, once) against a server allowed 256 open files: it stays
    up and a query answers at once; a request whose headers never end gets 408."""
    port = free_port()

    def lower_file_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))

    process = subprocess.Popen(
        [*KG, "serve", "--store", str(fixture_store), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lower_file_limit,
    )
    idle: list[socket.socket] = []
    try:
        assert process.stdout is not None and process.stdout.readline().startswith("serving")
        ask = f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"
        for _ in range(IDLE_SOCKETS):
            with suppress(OSError):  # refused at once is fine: the server decides what it holds
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        engine_files = [
            len(list(Path(f"/proc/{child}/fd").iterdir())) for child in oxigraph_children(process.pid)
        ]
        started = time.monotonic()
        with urllib.request.urlopen(ask, timeout=10) as answer:
            assert answer.status == 200 and b"true" in answer.read()
        waited = time.monotonic() - started
        assert (
            engine_files and max(engine_files) < 64
        )  # the engine sees complete requests only, not idle sockets
        ok = waited < 5 and process.poll() is None
        fault("kg serve: 600 idle sockets under a 256-file limit", survived=ok)
        assert ok, (waited, process.poll())
        slow = socket.create_connection(("127.0.0.1", port), timeout=20)
        slow.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")  # and never the empty line
        started = time.monotonic()
        answer = slow.recv(4096)
        ok = answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 15 and process.poll() is None
        fault("kg serve: headers that never end", survived=ok)
        assert ok, answer
        with urllib.request.urlopen(ask, timeout=10) as again:
            assert again.status == 200
    finally:
        for sock in idle:
            sock.close()
        stop(process)


# --- time and memory -----------------------------------------------------------------------------------

PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
SORTED_PRODUCT = PRODUCT + " ORDER BY ?c ?f"


def oxigraph_children(pid: int) -> dict[int, int]:
    """The Oxigraph processes a kg serve runs: pid -> resident bytes."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == pid and fields.get("Name", "").strip() == "oxigraph":
            found[int(status.parent.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) << 10
    return found


def test_no_answer_outlives_the_time_limit_and_a_cut_one_never_looks_complete(fixture_store):
    with kg_serving(fixture_store, "--timeout", "2", "--memory", "1024") as (process, url, _):
        port = int(url.rsplit(":", 1)[1])
        for fmt in ("tsv", "json", "table"):
            started = time.monotonic()
            done = kg_subprocess("sparql", "--endpoint", f"{url}/query", "--format", fmt, PRODUCT, timeout=60)
            took = time.monotonic() - started
            lines = done.stderr.splitlines()
            ok = done.returncode == 2 and len(lines) == 1 and lines[0].endswith("is incomplete") and took < 8
            fault(f"kg serve: a streamed answer past the time limit ({fmt})", survived=ok)
            assert ok, (fmt, done.returncode, done.stderr[-500:], took)
        query = f"GET /query?{urlencode({'query': PRODUCT})} HTTP/1.1\r\nHost: x\r\nAccept: text/tab-separated-values\r\nConnection: close\r\n\r\n"
        answer = exchange(port, query.encode())
        ok = b"transfer-encoding: chunked" in answer[:500].lower() and not answer.endswith(b"0\r\n\r\n")
        fault("kg serve: a cut answer that could look complete", survived=ok)
        assert ok and b"has been cancelled" not in answer[-200:]
        peak = [0]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak[0] = max([peak[0], *oxigraph_children(process.pid).values()])
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            done = kg_subprocess("sparql", "--endpoint", f"{url}/query", "--format", "tsv", SORTED_PRODUCT)
            deadline = time.monotonic() + 15
            while len(oxigraph_children(process.pid)) != 1 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)
        finally:
            sampling.set()
            sampler.join()
        ok = done.returncode == 2 and peak[0] < 1400 << 20 and len(oxigraph_children(process.pid)) == 1
        fault("kg serve: a sort that would take all memory", survived=ok)
        assert ok, (done.returncode, done.stderr, peak[0] >> 20, oxigraph_children(process.pid))
        assert "RuntimeError" not in done.stderr and len(done.stderr.splitlines()) == 1
        with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=20) as again:
            assert again.status == 200
        assert process.poll() is None


def test_many_queries_at_once_all_answer_within_the_memory_bound(fixture_store):
    """The bound is on memory used, not reserved: 500 connections at once (a thread and its stack each
    in the server) stay well within --memory 1024."""
    with kg_serving(fixture_store, "--memory", "1024") as (process, url, _):
        answers: list[object] = []

        def ask() -> None:
            try:
                with urllib.request.urlopen(
                    f"{url}/query?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", timeout=60
                ) as answer:
                    answers.append(answer.status)
            except OSError as e:
                answers.append(repr(e))

        askers = [threading.Thread(target=ask) for _ in range(500)]
        for asker in askers:
            asker.start()
        for asker in askers:
            asker.join()
        ok = answers == [200] * 500 and process.poll() is None
        fault("kg serve: 500 queries at once under --memory 1024", survived=ok)
        assert ok, [a for a in answers if a != 200][:5]


def test_queries_that_stop_the_server_one_after_another_cannot_stop_kg_serve(fixture_store):
    with kg_serving(fixture_store, "--memory", "1024") as (process, url, _):
        port = int(url.rsplit(":", 1)[1])
        raw = f"GET /query?{urlencode({'query': SORTED_PRODUCT})} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        for _ in range(12):
            # waited for to the end (a loaded machine takes a while to reach the memory bound): an ASK
            # sent while the query still runs would share the child it stops
            answer = exchange(port, raw.encode(), seconds=90)
            assert status_of(answer) in (0, 502, 503)  # never a complete answer
        with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=30) as again:
            ok = again.status == 200 and process.poll() is None
        fault("kg serve: twelve queries in a row that stop the server", survived=ok)
        assert ok
