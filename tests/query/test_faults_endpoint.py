"""Faults from a hostile endpoint: answers with endless headers, huge bodies, a byte at a time, or a
Retry-After that is no number of seconds. kg reads a bounded amount within a bounded time and ends in
one line with exit 2. Each case counts in the fault tally."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import pytest
from conftest import run_main
from fault_tally import fault

import kg.features.push_targets as push_module
from kg.query.endpoint import EndpointError, parse_retry_after
from kg.query.remote import HttpEngine

RESULTS = b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}}]}}'


class RawServer:
    """A loopback server whose every connection is handed to `answer(conn, request)`."""

    def __init__(self, answer: Callable[[socket.socket, bytes], None]):
        self.answer = answer
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            try:
                request = conn.recv(1 << 20)
                head, _, body = request.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                while len(body) < length:
                    data = conn.recv(1 << 20)
                    if not data:
                        break
                    body += data
                self.requests += 1
                self.answer(conn, request)
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw_server():
    servers: list[RawServer] = []

    def start(answer: Callable[[socket.socket, bytes], None]) -> RawServer:
        servers.append(RawServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def one_line_exit_2(code: int, out: str, err: str) -> str:
    assert code == 2 and err.startswith("kg: ") and err.count("\n") == 1, (code, err)
    return err


def test_endless_headers_are_refused_past_a_bound(raw_server, fixture_store):
    def answer(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 201 Created\r\n")
        line = b"X-Filler: " + b"y" * 200 + b"\r\n"
        for _ in range(50):  # 10 MB of headers in all
            conn.sendall(line * 1000)
        conn.sendall(b"Content-Length: 0\r\n\r\n")

    server = raw_server(answer)
    code, out, err = run_main("push", "--endpoint", f"{server.url}/store", "--store", str(fixture_store))
    ok = code == 2 and "more than 8 MB of headers" in err and "incomplete" in err
    fault("kg push: an endpoint sending 10 MB of headers", survived=ok)
    assert ok, err
    one_line_exit_2(code, out, err)


def test_a_huge_answer_to_a_push_is_not_read_whole_nor_taken_for_success(raw_server, fixture_store):
    def answer(conn: socket.socket, _request: bytes) -> None:
        size = 2 << 30  # announced; kg stops reading long before
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n" % size)
        chunk = b"z" * (1 << 20)
        for _ in range(4):
            conn.sendall(chunk)

    server = raw_server(answer)
    code, out, err = run_main("push", "--endpoint", f"{server.url}/store", "--store", str(fixture_store))
    ok = code == 2 and "answered with more than 1 MB" in err
    fault("kg push: an endpoint answering 2 GB", survived=ok)
    assert ok, err
    one_line_exit_2(code, out, err)


def test_an_answer_a_byte_at_a_time_ends_at_the_deadline(raw_server):
    def answer(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: %d\r\n\r\n"
            % len(RESULTS)
        )
        for byte in RESULTS:
            conn.sendall(bytes([byte]))
            time.sleep(0.2)

    server = raw_server(answer)
    engine = HttpEngine(f"{server.url}/query", timeout=5)
    engine.endpoint.answer_seconds = 1.5
    started = time.monotonic()
    with pytest.raises(EndpointError) as stopped:
        engine.run("SELECT ?n WHERE { ?s ?p ?n }")
    took = time.monotonic() - started
    ok = took < 4 and "did not send its whole answer within 1.5 s" in stopped.value.message
    fault("kg query: an endpoint sending a byte at a time", survived=ok)
    assert ok, (took, stopped.value.message)


def test_kg_query_has_a_timeout_for_an_endpoint_that_trickles(raw_server):
    def answer(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n")
        for byte in RESULTS:
            conn.sendall(bytes([byte]))
            time.sleep(0.2)

    server = raw_server(answer)
    started = time.monotonic()
    code, out, err = run_main(
        "query", "papers-of", "x", "--endpoint", f"{server.url}/query", "--graph", "", "--timeout", "1.5"
    )
    took = time.monotonic() - started
    ok = code == 2 and took < 5
    fault("kg query --timeout: an endpoint sending a byte at a time", survived=ok)
    assert ok, (code, err, took)
    one_line_exit_2(code, out, err)


@pytest.mark.parametrize("value", ["nan", "-5", "inf", "-inf", "1e999", "Wed, 21 Oct 2015 07:28:00 GMT", ""])
def test_a_retry_after_that_is_no_number_of_seconds_is_the_usual_backoff(value):
    assert parse_retry_after(value) is None


def test_push_after_a_retry_after_of_nan_or_minus_5_ends_in_one_line(raw_server, fixture_store, monkeypatch):
    monkeypatch.setattr(push_module, "BACKOFF", 0.01)
    for value in (b"nan", b"-5"):

        def answer(conn: socket.socket, _request: bytes, value: bytes = value) -> None:
            conn.sendall(
                b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: %s\r\nContent-Length: 4\r\n"
                b"Connection: close\r\n\r\nbusy" % value
            )

        server = raw_server(answer)
        code, out, err = run_main("push", "--endpoint", f"{server.url}/store", "--store", str(fixture_store))
        ok = code == 2 and "503" in err and "tried 3 times" in err
        fault(f"kg push: Retry-After: {value.decode()}", survived=ok)
        assert ok, err
        one_line_exit_2(code, out, err)
