"""kg serve's front: the relay that reads each request whole, checks it, and forwards one built afresh.

The Oxigraph server child listens on loopback; clients only ever talk to the relay, which

- reads a request strictly (HTTP/1.1 with CR LF line ends, one Content-Type, one Content-Length, no
  chunked or encoded bodies, no folded or duplicated framing headers): a request two readers could
  frame differently is refused with 400, never passed on;
- finds every query in it (the URL's `query` parameters, a form body's, an application/sparql-query
  body), checks each (kg.service_check: SPARQL's own grammar) and forwards (kg.features.forwarding) a request it builds itself
  from what it checked: a fresh request line and URL, one Content-Type, one Content-Length, the
  query text the check read. Updates and writes are refused here (the server is read-only);
- connects to the child only once a request is complete and checked, one connection per request;
- answers within the time limit or not at all: an answer still coming at the limit, or that the
  child ends with Oxigraph's own "cancelled" text, is cut, the connection reset, so that no client
  takes it for a complete one (a chunked answer never gets its last chunk);
- bounds what clients hold: a request's headers within HEAD_SECONDS, its body within BODY_SECONDS,
  a kept-alive connection closes after IDLE_SECONDS without a request; at most `total` connections
  (from the open-file limit) and `per_peer` from one address. A new connection beyond a bound takes
  the place of the oldest one that is only waiting (no request of its own in progress); when none
  is waiting it gets 503. Running out of file descriptors pauses accepting, never ends the server.

`Relay.handle(request)` is where a complete, checked request is answered: the one place to dispatch
other paths to other handlers.
"""

from __future__ import annotations

import errno
import resource
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Protocol

from kg.features.forwarding import INTERNAL_HOST, Forward, forward_for
from kg.features.strict_http import Cut, Gone, Reader, Refusal, Request, plain_answer, read_request

SEND_SECONDS = 30.0  # a client that takes nothing of an answer for this long is dropped
CONNECT_SECONDS = 5.0  # to the child, on loopback
RESTART_SECONDS = 25.0  # a request waits this long for a child that died to be started again
MAX_ANSWER_HEAD = 256 << 10  # bytes of the child's status line and headers
RESERVED_FILES = 64  # file descriptors kept for kg itself (the store, its pins, logs)
MOST_CONNECTIONS = 1024
CANCELLED = b"The SPARQL operation has been cancelled"  # what Oxigraph writes into an answer it stops


HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "proxy-connection",
    "upgrade",
    "trailer",
    "te",
}


@dataclass
class _Answer:
    status: int
    head: list[tuple[str, str]]  # the child's headers, hop-by-hop ones left out
    framing: str  # "length", "chunked", "close" or "none"
    length: int = 0


def _read_answer_head(upstream: Reader, deadline: float) -> _Answer:
    while (end := upstream.buffer.find(b"\r\n\r\n")) < 0:
        if len(upstream.buffer) > MAX_ANSWER_HEAD:
            raise Cut()
        _fill_upstream(upstream, deadline)
    head = upstream.take(end)
    del upstream.buffer[:4]
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise Cut()
    status = int(parts[1])
    headers: list[tuple[str, str]] = []
    framing, length = "close", 0
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip(), value.strip()
        lower = name.lower()
        if lower == "transfer-encoding" and "chunked" in value.lower():
            framing = "chunked"
        elif lower == "content-length" and framing != "chunked" and value.isdigit():
            framing, length = "length", int(value)
        if lower not in HOP_BY_HOP:
            headers.append((name, value))
    if status in (204, 304) or 100 <= status < 200:
        framing = "none"
    return _Answer(status, headers, framing, length)


def _fill_upstream(upstream: Reader, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Cut(overdue=True)
    upstream.sock.settimeout(remaining)
    try:
        data = upstream.sock.recv(1 << 16)
    except TimeoutError:
        raise Cut(overdue=True) from None
    except OSError:
        raise Cut() from None
    if not data:
        raise Cut()  # the child ended the answer early (or died): it is not complete
    upstream.buffer += data


def _take(upstream: Reader, deadline: float, most: int) -> bytes:
    if not upstream.buffer:
        _fill_upstream(upstream, deadline)
    data = upstream.take(most)
    return data


def _chunks(upstream: Reader, deadline: float) -> Iterator[bytes]:
    """The data of a chunked answer, chunk by chunk, then b"" once its last chunk came; Cut else."""
    while True:
        while (end := upstream.buffer.find(b"\r\n")) < 0:
            if len(upstream.buffer) > 4096:
                raise Cut()
            _fill_upstream(upstream, deadline)
        size_text = upstream.take(end).split(b";")[0].strip()
        del upstream.buffer[:2]
        try:
            size = int(size_text, 16)
        except ValueError:
            raise Cut() from None
        if size == 0:
            while (end := upstream.buffer.find(b"\r\n")) != 0:  # trailers, up to the empty line
                if end > 0:
                    del upstream.buffer[: end + 2]
                    continue
                _fill_upstream(upstream, deadline)
            del upstream.buffer[:2]
            yield b""
            return
        while len(upstream.buffer) < size + 2:
            _fill_upstream(upstream, deadline)
        if upstream.buffer[size : size + 2] != b"\r\n":
            raise Cut()
        data = upstream.take(size)
        del upstream.buffer[:2]
        yield data


def connection_bounds() -> tuple[int, int]:
    """(in all, from one address): what the open-file limit allows, two descriptors a connection (the
    soft limit raised first as far as the hard one allows, up to what MOST_CONNECTIONS needs)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = RESERVED_FILES + 2 * MOST_CONNECTIONS + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with suppress(ValueError, OSError):
            soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 1 << 20
    total = max(8, min(MOST_CONNECTIONS, (soft - RESERVED_FILES) // 2))
    return total, max(4, total * 3 // 4)


@dataclass(eq=False)
class _Client:
    sock: socket.socket
    peer: str
    since: float
    busy: bool = False  # a request of its own is being answered
    evicted: bool = False


# The Oxigraph server's paths; every other path is kg's own pages (`Relay.pages`), when it has them.
SPARQL_PATHS = ("/query", "/update", "/store")


def is_sparql_path(target: str) -> bool:
    """Whether a request target is for the Oxigraph server's endpoints."""
    path = target.partition("?")[0].partition("#")[0] or "/"
    return any(path == p or path.startswith(p + "/") for p in SPARQL_PATHS)


class Pages(Protocol):
    """kg's pages (kg.site) as the relay sees them: a complete request in, the whole answer out."""

    def answer(self, request_line: bytes, headers: dict[bytes, bytes], body: bytes) -> bytes: ...

    def close(self) -> None: ...


class Relay:
    """Listens at the served address and answers every request through the current Oxigraph child.

    A running Oxigraph server never sees another generation, so a new generation needs a new child;
    with the relay the address stays open throughout: requests go to the new child as soon as it
    answers, and requests already forwarded finish on the old one.
    """

    def __init__(
        self, host: str, port: int, backend: int, allow_service: bool = False, timeout: float = 30.0
    ):
        self.backend = backend
        self.allow_service = allow_service
        self.timeout = timeout
        self.pages: Pages | None = None  # answers every path but the SPARQL endpoint's
        self.total, self.per_peer = connection_bounds()
        self._active: dict[int, int] = {}
        self._overdue: set[int] = set()
        self._clients: list[_Client] = []
        self._lock = threading.Lock()
        family, kind, proto, _, address = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)[
            0
        ]
        self._socket = socket.socket(family, kind, proto)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind(address)
            self._socket.listen(128)
        except OSError as e:
            self._socket.close()
            from kg.errors import KgError

            raise KgError(f"cannot serve at {host}:{port}: {e.strerror}") from None
        threading.Thread(target=self._accept, daemon=True, name="kg-relay").start()

    def active(self, backend: int) -> int:
        """How many requests are being answered by the child at `backend`."""
        with self._lock:
            return self._active.get(backend, 0)

    def overdue(self, backend: int) -> bool:
        """Whether an answer of the child at `backend` was cut at the time limit (it may still be working)."""
        with self._lock:
            return backend in self._overdue

    def connections(self) -> int:
        with self._lock:
            return len(self._clients)

    def close(self) -> None:
        with suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()

    # --- connections

    def _accept(self) -> None:
        while True:
            try:
                sock, address = self._socket.accept()
            except OSError as e:
                if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    self._evict_one(None)  # out of descriptors: make room, never stop serving
                    time.sleep(0.05)
                    continue
                return  # closed: kg serve is stopping
            client = self._admit(sock, str(address[0]))
            if client is None:
                _refuse_at_once(sock)
                continue
            try:
                threading.Thread(target=self._serve, args=(client,), daemon=True).start()
            except RuntimeError:  # no thread to be had
                self._forget(client)
                _refuse_at_once(sock)

    def _admit(self, sock: socket.socket, peer: str) -> _Client | None:
        with self._lock:
            mine = [c for c in self._clients if c.peer == peer]
            if len(mine) >= self.per_peer and not self._evict_locked(peer):
                return None
            if len(self._clients) >= self.total and not self._evict_locked(None):
                return None
            client = _Client(sock, peer, time.monotonic())
            self._clients.append(client)
            return client

    def _evict_one(self, peer: str | None) -> None:
        with self._lock:
            self._evict_locked(peer)

    def _evict_locked(self, peer: str | None) -> bool:
        """Close the oldest connection (of `peer`, or of anyone) that is only waiting; False when none."""
        waiting = [c for c in self._clients if not c.busy and (peer is None or c.peer == peer)]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: c.since)
        oldest.evicted = True
        self._clients.remove(oldest)
        with suppress(OSError):
            oldest.sock.shutdown(socket.SHUT_RDWR)  # its thread sees the end and closes it
        return True

    def _forget(self, client: _Client) -> None:
        with self._lock:
            if client in self._clients:
                self._clients.remove(client)

    def _serve(self, client: _Client) -> None:
        sock = client.sock
        reader = Reader(sock)
        try:
            while not client.evicted:
                client.busy, client.since = False, time.monotonic()
                try:
                    request = read_request(reader, lambda data: _send(sock, data))
                except Refusal as refusal:
                    _send(sock, refusal.answer())
                    _drain(sock)
                    break
                client.busy = True  # answering: not to be closed to make room
                if not self.handle(request, client):
                    break
        except Gone:
            pass
        except Cut:
            _reset(sock)
        except Exception as e:  # a bug in the relay: this connection ends, the server goes on
            _reset(sock)
            print(f"kg: a request failed in kg serve: {type(e).__name__}: {e}", file=sys.stderr)
        finally:
            self._forget(client)
            with suppress(OSError):
                sock.close()

    # --- one request

    def handle(self, request: Request, client: _Client) -> bool:
        """Answer one complete request (read whole and strictly by read_request); whether the connection
        may carry another. Everything the Oxigraph server answers goes through forward_for (the checks)
        and _relay; a path kg answers itself is dispatched here, before them."""
        if self.pages is not None and not is_sparql_path(request.target):
            line = f"{request.method} {request.target} HTTP/1.{request.version}".encode("latin-1")
            headers = {k.encode("latin-1"): v.encode("latin-1") for k, v in request.headers.items()}
            _send(client.sock, self.pages.answer(line, headers, request.body))
            return False  # the page's answer says Connection: close
        try:
            forward = forward_for(request, self.allow_service)
        except Refusal as refusal:
            _send(client.sock, refusal.answer())
            return False
        return self._relay(request, forward, client.sock)

    def _relay(self, request: Request, forward: Forward, sock: socket.socket) -> bool:
        deadline = time.monotonic() + self.timeout
        upstream_sock = self._connect(min(deadline, time.monotonic() + RESTART_SECONDS))
        if upstream_sock is None:
            _send(sock, plain_answer(503, "the query service is starting or stopping: try again"))
            return False
        backend = upstream_sock.getpeername()[1]
        with self._lock:
            self._active[backend] = self._active.get(backend, 0) + 1
        try:
            try:
                upstream_sock.sendall(forward.encode(backend))
                upstream = Reader(upstream_sock)
                answer = _read_answer_head(upstream, deadline)
            except (Cut, OSError) as e:  # nothing sent to the client yet: it can be told why
                overdue = isinstance(e, Cut) and e.overdue
                if overdue:
                    with self._lock:
                        self._overdue.add(backend)
                why = (
                    f"the query took longer than {self.timeout:g} s and was stopped"
                    if overdue
                    else "the query service stopped while answering (a query may have needed more memory "
                    "than it may take); kg serve starts it again"
                )
                _send(sock, plain_answer(503 if overdue else 502, why))
                return False
            return self._answer(request, answer, upstream, sock, deadline)
        except Cut as cut:
            if cut.overdue:
                with self._lock:
                    self._overdue.add(backend)
            raise
        except OSError:
            raise Cut() from None
        finally:
            with self._lock:
                self._active[backend] -= 1
            with suppress(OSError):
                upstream_sock.close()

    def _connect(self, until: float) -> socket.socket | None:
        """A connection to the current child; while it cannot be had (the child died, or overran the
        time limit, and kg is starting another), the next child's, until `until`."""
        while True:
            backend = self.backend
            if self.overdue(backend):  # being replaced, and stopped with the query that overran: wait
                while self.backend == backend and time.monotonic() < until:
                    time.sleep(0.05)
                if self.backend == backend:
                    return None
                continue
            try:
                return socket.create_connection((INTERNAL_HOST, backend), timeout=CONNECT_SECONDS)
            except OSError:
                while self.backend == backend and time.monotonic() < until:
                    time.sleep(0.05)
                if self.backend == backend:
                    return None

    def _answer(
        self, request: Request, answer: _Answer, upstream: Reader, sock: socket.socket, deadline: float
    ) -> bool:
        head_only = request.method == "HEAD"
        keep = request.keep_alive
        framing = answer.framing
        if framing == "chunked" and request.version == 0:
            framing = "close"  # an HTTP/1.0 client reads to the end; a cut one is reset
        if framing == "close" or (head_only and framing not in ("length", "none")):
            keep = False
        lines = [f"HTTP/1.1 {answer.status} {_reason(answer.status)}"]
        lines += [f"{name}: {value}" for name, value in answer.head]
        if framing == "length":
            lines.append(f"Content-Length: {answer.length}")
        elif framing == "chunked" and not head_only:
            lines.append("Transfer-Encoding: chunked")
        lines.append("Connection: keep-alive" if keep else "Connection: close")
        _send(sock, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), deadline)
        if head_only or answer.framing == "none":
            return keep
        if answer.framing == "length":
            left = answer.length
            while left > 0:
                data = _take(upstream, deadline, left)
                left -= len(data)
                _send(sock, data, deadline)
            return keep
        if answer.framing == "chunked":
            held = b""
            for data in _chunks(upstream, deadline):
                if not data:  # the last chunk: what was held back ends the answer, unless it says it was cut
                    if held.endswith(CANCELLED):
                        raise Cut(overdue=True)
                    if held:
                        _send(sock, _chunk(held, framing), deadline)
                    if framing == "chunked":
                        _send(sock, b"0\r\n\r\n", deadline)
                    return keep
                if held:
                    _send(sock, _chunk(held, framing), deadline)
                held = data
        while True:  # read to the end: the child closes after a complete answer
            try:
                data = _take(upstream, deadline, 1 << 16)
            except Cut as cut:
                if cut.overdue:
                    raise
                break
            _send(sock, data, deadline)
        return False


def _chunk(data: bytes, framing: str) -> bytes:
    return data if framing != "chunked" else b"%x\r\n" % len(data) + data + b"\r\n"


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _send(sock: socket.socket, data: bytes, deadline: float | None = None) -> None:
    """All of `data`, within SEND_SECONDS (and the deadline, when given: Cut past it); Gone when the
    client is gone or takes nothing."""
    wait = SEND_SECONDS if deadline is None else min(SEND_SECONDS, deadline - time.monotonic())
    if wait <= 0:
        raise Cut(overdue=True)
    sock.settimeout(wait)
    try:
        sock.sendall(data)
    except TimeoutError:
        if deadline is not None and time.monotonic() >= deadline:
            raise Cut(overdue=True) from None
        raise Gone() from None
    except OSError:
        raise Gone() from None


def _drain(sock: socket.socket) -> None:
    """After a refusal: end writing and read what the client still sends for a moment, so that closing
    does not reset the connection before the client has read the refusal."""
    with suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        until = time.monotonic() + 1.0
        left = 1 << 20
        while left > 0 and (wait := until - time.monotonic()) > 0:
            sock.settimeout(wait)
            data = sock.recv(1 << 16)
            if not data:
                break
            left -= len(data)


def _reset(sock: socket.socket) -> None:
    """Close with a reset (not a clean end): whatever was sent cannot be taken for a complete answer."""
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with suppress(OSError):
        sock.close()


def _refuse_at_once(sock: socket.socket) -> None:
    sock.setblocking(False)
    with suppress(OSError):
        sock.send(plain_answer(503, "too many connections: try again"))
    with suppress(OSError):
        sock.close()
