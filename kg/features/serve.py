"""`kg serve`: the store, read-only, over the SPARQL 1.1 Protocol, by the real Oxigraph server.

The server is `oxigraph serve-read-only` (from the `oxigraph` package) run as a child process on the
live generation, with `--union-default-graph` so that queries see all named graphs as one, as the
local queries do. It answers `/query` (SPARQL 1.1 Protocol) and `/store` (Graph Store Protocol, reads
only); updates get 403. Every other path is kg's site (kg.site: search, person and paper pages, the
conflicts form, the query page, the graph's IRIs as Linked Data), which the relay asks in kg's own
process; nothing on its pages comes from the network.

- A store that `kg build` is writing (its lock is held) is not served: the message says so.
- The child is in its own session, so Ctrl-C reaches kg alone, which stops the child and exits 0;
  on Linux the child also dies with kg if kg is killed outright.
- kg listens at the served address itself and relays each connection to the child, which listens on
  loopback: when a build makes another generation live, a new child starts on it beside the old one,
  new connections go to it once it answers, and the old one stops when its requests are done. The
  address never refuses a connection (a running Oxigraph server never sees another generation).
- Queries stop after `timeout` seconds on the server (Oxigraph's --timeout-s). The relay reads each
  request (one at a time, whole) and answers 403 to a query with SERVICE, which the Oxigraph server
  would otherwise run, unless `allow_service`.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from kg.errors import KgError, StoreBusy, StoreMissing
from kg.query.limits import uses_service
from kg.site.http import is_sparql_path
from kg.store.generations import LOCK, display_path, live_generation, missing_message, pin_generation

if TYPE_CHECKING:
    from kg.site import Site

STARTUP_SECONDS = 20.0  # the server must answer within this
STOP_SECONDS = 5.0  # after SIGTERM, then SIGKILL
WATCH_SECONDS = 1.0  # how often the live generation is looked at
DEFAULT_TIMEOUT = 30  # seconds a query may run on the server


class _Stop(Exception):
    """SIGINT or SIGTERM arrived."""


def oxigraph_binary() -> str:
    """The `oxigraph` CLI next to this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise KgError(
            "kg serve needs the Oxigraph server: pip install oxigraph (it provides the oxigraph command)"
        )
    return found


def parse_bind(bind: str) -> tuple[str, int]:
    host, sep, port = bind.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise KgError(f"--bind {bind!r} is not HOST:PORT, e.g. 127.0.0.1:7878")
    return host, int(port)


def base_url(host: str, port: int) -> str:
    return f"http://{host}:{port}/"


def _probe_url(host: str, port: int) -> str:
    """Where to ask whether the server answers: a wildcard address is reached on loopback."""
    local = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]", "::": "[::1]"}.get(host, host)
    return base_url(local, port) + "query?query=ASK%7B%7D"


def check_not_being_written(root: Path) -> None:
    """StoreBusy when `kg build` holds the store's lock (it writes under an exclusive flock)."""
    try:
        fd = os.open(root / LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return  # nobody ever wrote here with a lock: nothing to wait for
    except OSError as e:
        raise KgError(f"cannot read the lock of {display_path(root)}: {e.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise StoreBusy(
            f"kg build is writing to {display_path(root)}: start kg serve when it has finished"
        ) from None
    finally:
        os.close(fd)  # releases the probe at once: serving never holds up a build


def check_address_free(host: str, port: int) -> None:
    """KgError when something already listens there: its answers must not be taken for our server's."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise KgError(f"cannot serve at {host}:{port}: unknown host {host}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(
            socket.SOL_SOCKET, socket.SO_REUSEADDR, 1
        )  # as the server does: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except OSError as e:
            hint = (
                ": another server listens there; choose another --bind"
                if e.errno == errno.EADDRINUSE
                else f": {e.strerror}"
            )
            raise KgError(f"cannot serve at {host}:{port}{hint}") from None


class OxigraphChild:
    """One `oxigraph serve-read-only` process on one generation."""

    def __init__(self, binary: str, database: Path, host: str, port: int, timeout: int = DEFAULT_TIMEOUT):
        self.database = database
        self.host, self.port = host, port
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - its stderr, kept open while it runs; closed in stop()
        command = [
            binary,
            "serve-read-only",
            "--location",
            str(database),
            "--bind",
            f"{host}:{port}",
            "--union-default-graph",
        ]
        command += ["--timeout-s", str(timeout)]  # the server cancels a query that runs longer
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env={**os.environ, "RUST_BACKTRACE": "0"},
            start_new_session=True,  # Ctrl-C in the terminal reaches kg only; kg stops the child
            preexec_fn=_die_with_parent(),
        )

    def wait_ready(self) -> None:
        """Return once it answers a query; KgError with the server's own reason when it stops first."""
        deadline = time.monotonic() + STARTUP_SECONDS
        url = _probe_url(self.host, self.port)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise KgError(
                    f"the Oxigraph server did not start at {self.host}:{self.port}: {self.reason()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200 and self.process.poll() is None:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise KgError(
            f"the Oxigraph server did not answer at {self.host}:{self.port} within {STARTUP_SECONDS:g} s"
        )

    def reason(self) -> str:
        """The `Error: ...` line the server printed, else its exit code."""
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").splitlines()
        errors = [line.removeprefix("Error:").strip() for line in lines if line.startswith("Error:")]
        return errors[0] if errors else f"it exited with code {self.process.returncode}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _die_with_parent():
    """For Popen's preexec_fn: the child gets SIGTERM when kg dies, even by SIGKILL (Linux's
    PR_SET_PDEATHSIG). Looked up here, in the parent: nothing is imported between fork and exec."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    return lambda: prctl(1, signal.SIGTERM)


@contextmanager
def _signals_stop():
    """SIGINT and SIGTERM raise _Stop in the main loop instead of killing kg midway."""

    def handler(signum, frame):
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)  # a second Ctrl-C must not cut the shutdown short
        raise _Stop()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def serve(
    store_path: str,
    bind: str,
    say: Callable[[str], None],
    note: Callable[[str], None],
    timeout: int = DEFAULT_TIMEOUT,
    allow_service: bool = False,
) -> None:
    """Serve until SIGINT/SIGTERM. `say` prints the URLs (stdout); `note` prints messages (stderr)."""
    root = Path(store_path)
    host, port = parse_bind(bind)
    binary = oxigraph_binary()
    child = pin = relay = None
    retiring: list[tuple[OxigraphChild, BinaryIO, float]] = []  # old children finishing their requests
    with _signals_stop():
        try:
            child, generation, pin = _start(root, binary, INTERNAL_HOST, free_port(), timeout)
            check_address_free(host, port)
            relay = Relay(host, port, child.port, allow_service)
            relay.site = _site(root, relay, allow_service, timeout, note)
            url = base_url(host, port)
            say(f"serving {display_path(root)} ({generation}) read-only at {url}")
            say(f"SPARQL endpoint: {url}query  (Ctrl-C stops)")
            while True:
                try:
                    child.process.wait(WATCH_SECONDS)
                except subprocess.TimeoutExpired:
                    pass
                else:
                    raise KgError(f"the Oxigraph server stopped: {child.reason()}")
                retiring = _retire(retiring, relay, timeout)
                live = live_generation(root)
                if live and live != generation:
                    # the new child starts beside the old one; connections switch over once it answers
                    new_child, generation, new_pin = _start(
                        root, binary, INTERNAL_HOST, free_port(), timeout, check_lock=False
                    )
                    relay.backend = new_child.port
                    retiring.append((child, pin, time.monotonic()))
                    child, pin = new_child, new_pin
                    note(f"now serving {generation}, made live by a build")
        except _Stop:
            pass
        finally:
            if relay is not None:
                relay.close()
                if relay.site is not None:
                    relay.site.close()
            for old, old_pin, _ in retiring:
                old.stop()
                old_pin.close()
            if child is not None:
                child.stop()
            if pin is not None:
                pin.close()
    note(f"stopped serving {display_path(root)}")


def _site(root: Path, relay: Relay, allow_service: bool, timeout: int, note: Callable[[str], None]) -> Site:
    """kg's pages (kg.site), answering every path but the SPARQL endpoint's; their SPARQL page asks
    the current Oxigraph child, which stops a query at `timeout`."""
    from kg.site import Site

    endpoint = lambda: f"http://{INTERNAL_HOST}:{relay.backend}/query"  # noqa: E731 - the child of the moment
    site = Site(str(root), allow_service=allow_service, timeout=timeout, endpoint=endpoint, note=note)
    site.graph()  # opened now, so that the first page does not wait for it
    return site


def _retire(retiring: list, relay: Relay, timeout: int) -> list:
    """Stop the old children that have no request left (or had their time); release their generations."""
    still = []
    for old, old_pin, since in retiring:
        if relay.active(old.port) and time.monotonic() - since < timeout + STOP_SECONDS:
            still.append((old, old_pin, since))
        else:
            old.stop()
            old_pin.close()  # a build may retire its generation now
    return still


INTERNAL_HOST = "127.0.0.1"  # where the Oxigraph children listen, behind the relay


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((INTERNAL_HOST, 0))
        return probe.getsockname()[1]


class Relay:
    """Listens at the served address and relays every connection to the current Oxigraph child.

    A running Oxigraph server never sees another generation, so a new generation needs a new child;
    with the relay the address stays open throughout: new connections go to the new child as soon as
    it answers, and connections already made finish on the old one.
    """

    def __init__(self, host: str, port: int, backend: int, allow_service: bool = False):
        self.backend = backend
        self.allow_service = allow_service
        self.site: Site | None = None  # answers the requests that are not for the SPARQL endpoint
        self._active: dict[int, int] = {}
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
            raise KgError(f"cannot serve at {host}:{port}: {e.strerror}") from None
        threading.Thread(target=self._accept, daemon=True, name="kg-relay").start()

    def active(self, backend: int) -> int:
        with self._lock:
            return self._active.get(backend, 0)

    def close(self) -> None:
        with suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._socket.accept()
            except OSError:
                return  # closed: kg serve is stopping
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        backend = self.backend
        try:
            upstream = socket.create_connection((INTERNAL_HOST, backend), timeout=STARTUP_SECONDS)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        with self._lock:
            self._active[backend] = self._active.get(backend, 0) + 1
        try:
            answer = threading.Thread(target=_pump, args=(upstream, client, False), daemon=True)
            answer.start()
            refusal = None
            with suppress(OSError):
                refusal = _pump_requests(client, upstream, self.allow_service, self.site)
            _end_writing(upstream)
            answer.join()  # earlier answers first, then the refusal, if any
            if refusal is not None:
                with suppress(OSError):
                    client.sendall(refusal)
            _end_writing(client)
        finally:
            with self._lock:
                self._active[backend] -= 1
            client.close()
            upstream.close()


MAX_HEAD = 64 << 10  # bytes of request line and headers
MAX_BODY = 16 << 20  # bytes of a request body: a query, not a data upload (the store is read-only)


def _pump_requests(
    client: socket.socket, upstream: socket.socket, allow_service: bool, site: Site | None = None
) -> bytes | None:
    """Forward the client's requests one by one, until it ends (None) or one is refused or is the
    site's (its answer, sent after the answers to the requests before it; the connection then ends)."""
    buffer = b""
    while True:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HEAD:
                return _answer(431, "the request's headers are too large")
            data = client.recv(1 << 16)
            if not data:
                return None
            buffer += data
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            return _answer(411, "send the query with a Content-Length")
        try:
            length = int(headers.get(b"content-length", b"0") or b"0")
        except ValueError:
            return _answer(400, "the Content-Length is not a number")
        if length > MAX_BODY:
            return _answer(413, "the request is too large for a query")
        while len(rest) < length:
            data = client.recv(1 << 16)
            if not data:
                return None
            rest += data
        body, buffer = rest[:length], rest[length:]
        if site is not None and not is_sparql_path(lines[0]):
            return site.answer(lines[0], headers, body)
        if not allow_service and _asks_for_service(lines[0], headers, body):
            return _answer(
                403, "SERVICE is refused by this server: it would fetch from the addresses a query names"
            )
        upstream.sendall(head + b"\r\n\r\n" + body)


def _asks_for_service(request_line: bytes, headers: dict, body: bytes) -> bool:
    """Whether a query in the request (URL, form or body) has a SERVICE clause."""
    from urllib.parse import parse_qs, urlsplit

    texts = []
    target = request_line.split(b" ")[1] if request_line.count(b" ") >= 2 else b""
    for values in parse_qs(urlsplit(target.decode("latin-1")).query).values():
        texts += values
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if kind == b"application/x-www-form-urlencoded":
        for values in parse_qs(body.decode("latin-1")).values():
            texts += values
    elif body:
        texts.append(body.decode("utf-8", "replace"))
    return any(uses_service(text) for text in texts)


def _answer(status: int, message: str) -> bytes:
    reasons = {
        400: "Bad Request",
        403: "Forbidden",
        411: "Length Required",
        413: "Content Too Large",
        431: "Request Header Fields Too Large",
    }
    body = (message + "\n").encode("utf-8")
    head = f"HTTP/1.1 {status} {reasons[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode("ascii") + body


def _end_writing(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_WR)


def _pump(source: socket.socket, sink: socket.socket, end_sink: bool = True) -> None:
    """Copy bytes until the source ends, then (if asked) end the sink's writing side."""
    try:
        while data := source.recv(1 << 16):
            sink.sendall(data)
    except OSError:
        pass
    if end_sink:
        _end_writing(sink)


def _start(
    root: Path, binary: str, host: str, port: int, timeout: int, check_lock: bool = True
) -> tuple[OxigraphChild, str, BinaryIO]:
    """(child, generation, pin): a child answering on the live generation, which stays pinned (see
    kg.store) while it is served. If a build made another generation live meanwhile, start again."""
    for _ in range(3):
        generation = live_generation(root)
        if generation is None:
            raise StoreMissing(missing_message(root))
        pinned = pin_generation(root, generation)
        if pinned is None:
            continue  # retired just now
        pin = pinned[0]
        try:
            if check_lock:
                check_not_being_written(root)
            check_address_free(host, port)
            child = OxigraphChild(binary, root / generation, host, port, timeout)
        except BaseException:
            pin.close()
            raise
        try:
            child.wait_ready()
        except KgError:
            child.stop()
            pin.close()
            if live_generation(root) == generation:
                raise
            continue
        except BaseException:
            child.stop()
            pin.close()
            raise
        if live_generation(root) == generation:
            return child, generation, pin
        child.stop()
        pin.close()
    raise KgError(
        f"the store at {display_path(root)} keeps changing: start kg serve when kg build has finished"
    )
