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
- The relay (kg.relay) reads each request whole and strictly, refuses SERVICE (unless
  `allow_service`), updates and ambiguous framing, forwards a request it builds itself, and cuts an
  answer still coming after `timeout` seconds (the client sees a reset, never a complete answer).
- The child's memory is bounded (`memory`): kg kills it the moment its resident memory passes that
  (and its address space is bounded a few GB above, for allocations too fast to watch). A child
  that died, or whose answer was cut at the time limit (it may still be working on it), is started
  again beside the old one, which is stopped once its other requests are answered.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import resource
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import BinaryIO, NoReturn

from kg.errors import KgError, StoreBusy, StoreMissing
from kg.features.forwarding import INTERNAL_HOST
from kg.features.relay import Pages, Relay
from kg.store.generations import LOCK, display_path, live_generation, missing_message, pin_generation

STARTUP_SECONDS = 20.0  # the server must answer within this
STOP_SECONDS = 5.0  # after SIGTERM, then SIGKILL
WATCH_SECONDS = 1.0  # how often the live generation is looked at
DEFAULT_TIMEOUT = 30  # seconds a query may run on the server
CHILD_TIMEOUT_MARGIN = 5  # seconds the Oxigraph server's own limit is past the relay's
MEMORY_WATCH_SECONDS = 0.05  # how often the server's resident memory is looked at
# Its address space may pass `memory` by this much: a thread's stack and malloc's arenas are reserved,
# not used (a thousand connections reserve some 3 GB); the watch above bounds what it really uses, the
# limit on address space stops an allocation too fast for the watch.
ADDRESS_SPACE_MARGIN = 4 << 30


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

    def __init__(
        self,
        binary: str,
        database: Path,
        host: str,
        port: int,
        timeout: int = DEFAULT_TIMEOUT,
        memory: int | None = None,
    ):
        self.database = database
        self.host, self.port = host, port
        self.memory = memory
        self.over_memory = False  # killed by the watch for using more than `memory`
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
        # The relay cuts an answer at `timeout`; the server's own limit, a little later, is a second line.
        command += ["--timeout-s", str(timeout + CHILD_TIMEOUT_MARGIN)]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env={**os.environ, "RUST_BACKTRACE": "0"},
            start_new_session=True,  # Ctrl-C in the terminal reaches kg only; kg stops the child
            preexec_fn=_child_setup(None if memory is None else memory + ADDRESS_SPACE_MARGIN),
        )
        if memory is not None and Path(f"/proc/{self.process.pid}/statm").exists():
            threading.Thread(target=self._watch_memory, daemon=True, name="kg-memory").start()

    def _watch_memory(self) -> None:
        """Kill the server the moment its resident memory passes `memory` (kg then starts it again)."""
        statm = Path(f"/proc/{self.process.pid}/statm")
        page = os.sysconf("SC_PAGE_SIZE")
        assert self.memory is not None
        while self.process.poll() is None:
            try:
                resident = int(statm.read_text().split()[1]) * page
            except (OSError, ValueError, IndexError):
                return
            if resident > self.memory:
                self.over_memory = True
                with contextlib.suppress(OSError):
                    self.process.kill()
                return
            time.sleep(MEMORY_WATCH_SECONDS)

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
        if errors:
            return errors[0]
        if self.over_memory or any(line.startswith("memory allocation of") for line in lines):
            return "a query needed more memory than kg serve --memory allows"
        code = self.process.returncode
        return (
            f"it was killed by signal {-code}"
            if code is not None and code < 0
            else f"it exited with code {code}"
        )

    def stop(self, at_once: bool = False) -> None:
        """Stop the server: SIGTERM, then SIGKILL after STOP_SECONDS; `at_once`: SIGKILL now (it only
        reads, so nothing is lost; a query that overran may otherwise hold memory and a core meanwhile)."""
        if self.process.poll() is None and at_once:
            self.process.kill()
            self.process.wait()
        elif self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# An old child being retired: its pin on its generation, since when, and whether it failed.
_Retiring = tuple[OxigraphChild, BinaryIO, float, bool]


def _child_setup(memory: int | None) -> Callable[[], None]:
    """For Popen's preexec_fn: the child's address space is bounded by `memory` bytes (an allocation
    past it fails and the server aborts: kg starts it again), and it gets SIGTERM when kg dies, even
    by SIGKILL (Linux's PR_SET_PDEATHSIG). Looked up here, in the parent: nothing is imported between
    fork and exec."""
    prctl = None
    if sys.platform.startswith("linux"):
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl

    def setup() -> None:
        if memory is not None:
            with contextlib.suppress(ValueError, OSError):  # where the system has no such limit
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if prctl is not None:
            prctl(1, signal.SIGTERM)

    return setup


@contextmanager
def _signals_stop() -> Iterator[None]:
    """SIGINT and SIGTERM raise _Stop in the main loop instead of killing kg midway."""

    def handler(signum: int, frame: FrameType | None) -> NoReturn:
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
    memory: int | None = None,
    pages: Callable[[Path, Callable[[], str]], Pages] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM. `say` prints the URLs (stdout); `note` prints messages (stderr).
    `memory`: bytes of memory the Oxigraph child may use (None: default_memory()). `pages(store,
    endpoint)` makes what answers every path but the SPARQL endpoint's (kg.site); `endpoint()` gives
    the URL of the Oxigraph child of the moment, whose time limit then holds for the pages' queries."""
    root = Path(store_path)
    host, port = parse_bind(bind)
    binary = oxigraph_binary()
    memory = default_memory() if memory is None else memory
    child = pin = relay = None
    # old children finishing their requests: (child, pin, retired at, replaced for overrunning or dying)
    retiring: list[_Retiring] = []
    restarts: list[float] = []  # when the child was started again after it died or overran

    def start(check_lock: bool = True) -> tuple[OxigraphChild, str, BinaryIO]:
        return _start(root, binary, INTERNAL_HOST, free_port(), timeout, check_lock=check_lock, memory=memory)

    with _signals_stop():
        try:
            child, generation, pin = start()
            check_address_free(host, port)
            relay = Relay(host, port, child.port, allow_service, timeout=timeout)
            if pages is not None:
                backend = relay  # read at each query: the child changes with generations and restarts
                relay.pages = pages(root, lambda: f"http://{INTERNAL_HOST}:{backend.backend}/query")
            url = base_url(host, port)
            say(f"serving {display_path(root)} ({generation}) read-only at {url}")
            say(f"SPARQL endpoint: {url}query  (Ctrl-C stops)")
            while True:
                try:
                    child.process.wait(WATCH_SECONDS)
                except subprocess.TimeoutExpired:
                    died = None
                else:
                    died = child.reason()
                retiring = _retire(retiring, relay, timeout)
                try:
                    live = live_generation(root)
                except OSError as e:
                    if e.errno not in (errno.EMFILE, errno.ENFILE):
                        raise
                    continue  # out of descriptors for a moment: the relay makes room; look again
                why = None
                if died is not None:
                    why = f"the Oxigraph server stopped ({died})"
                elif relay.overdue(child.port):
                    why = "a query ran past the time limit"
                if (live and live != generation) or why:
                    if why:
                        restarts = [t for t in restarts if time.monotonic() - t < RESTART_WINDOW] + [
                            time.monotonic()
                        ]
                        if len(restarts) > MOST_RESTARTS:
                            time.sleep(RESTART_PAUSE)  # started again often: slower, but never given up
                    if why and not relay.active(child.port):
                        # nothing else of it to wait for: stopped before the next one starts, which
                        # then has the memory and the core the overrunning query held
                        child.stop(at_once=True)
                    # the new child starts beside the old one; requests switch over once it answers
                    new_child, generation, new_pin = start(check_lock=False)
                    relay.backend = new_child.port
                    # the old child is stopped once its other requests are answered (a dead one at once)
                    retiring.append((child, pin, time.monotonic() - (0 if died is None else 1e9), bool(why)))
                    child, pin = new_child, new_pin
                    if why:
                        note(f"{why}: started the Oxigraph server again on {generation}")
                    else:
                        note(f"now serving {generation}, made live by a build")
        except _Stop:
            pass
        finally:
            if relay is not None:
                relay.close()
                if relay.pages is not None:
                    relay.pages.close()
            for old, old_pin, _, _ in retiring:
                old.stop()
                old_pin.close()
            if child is not None:
                child.stop()
            if pin is not None:
                pin.close()
    note(f"stopped serving {display_path(root)}")


RESTART_WINDOW = 60.0  # seconds
MOST_RESTARTS = 10  # starts again within the window, past which each waits RESTART_PAUSE first
RESTART_PAUSE = 1.0  # seconds: clients sending query after query that stops the server cannot stop kg serve


def default_memory() -> int:
    """Bytes of memory for the Oxigraph child: half the machine's memory, 2 GB to 8 GB."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        physical = 8 << 30
    return max(2 << 30, min(8 << 30, physical // 2))


def _retire(retiring: list[_Retiring], relay: Relay, timeout: int) -> list[_Retiring]:
    """Stop the old children that have no request left (or had their time); release their generations."""
    still = []
    for old, old_pin, since, failed in retiring:
        if relay.active(old.port) and time.monotonic() - since < timeout + STOP_SECONDS:
            still.append((old, old_pin, since, failed))
        else:
            old.stop(at_once=failed)
            old_pin.close()  # a build may retire its generation now
    return still


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((INTERNAL_HOST, 0))
        port: int = probe.getsockname()[1]  # an AF_INET address: (host, port)
        return port


def _start(
    root: Path,
    binary: str,
    host: str,
    port: int,
    timeout: int,
    check_lock: bool = True,
    memory: int | None = None,
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
            child = OxigraphChild(binary, root / generation, host, port, timeout, memory)
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
