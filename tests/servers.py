"""kg in a subprocess, as from the shell: the one way tests run it for exit codes, tracebacks and signals
(tests that check output run it in-process, conftest.kg_cli); and the servers tests start on free
loopback ports: `kg serve`, and how to stop one."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STARTUP = 20.0  # seconds a server gets to answer
KG = [sys.executable, "-c", "from kg.cli import main; main()"]  # `kg`, with the Python running the tests


def free_port() -> int:
    """A loopback port nobody listens on (oxigraph cannot bind port 0 and tell us which it got)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kg_subprocess(*args: str, timeout: float = 120, **options) -> subprocess.CompletedProcess:
    """`kg ARGS` run to its end in a subprocess: returncode, stdout and stderr as text (subprocess.run
    options such as cwd= or env= pass through)."""
    return subprocess.run([*KG, *args], capture_output=True, text=True, timeout=timeout, **options)


def kg_process(*args: str) -> subprocess.Popen:
    """`kg ARGS` started in a subprocess, its output piped."""
    return subprocess.Popen([*KG, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def kg_serving(store: Path, *options: str) -> Iterator[tuple[subprocess.Popen, str, str]]:
    """`kg serve` on a free port, once it has said where it serves: (process, base URL, what it printed);
    stopped at the end whatever happens."""
    port = free_port()
    process = kg_process("serve", "--store", str(store), "--bind", f"127.0.0.1:{port}", *options)
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(process.stdout.readline() for _ in range(2)), daemon=True
    )
    reader.start()
    reader.join(STARTUP)
    try:
        assert len(lines) == 2 and lines[1], f"kg serve said nothing: {lines} {process.poll()}"
        yield process, f"http://127.0.0.1:{port}", "".join(lines)
    finally:
        stop(process)


def wait_until_answering(url: str, process: subprocess.Popen | None = None, seconds: float = STARTUP) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url} within {seconds} s")


OXIGRAPH = Path(sys.executable).parent / "oxigraph"  # the server the `oxigraph` package installs


@contextmanager
def oxigraph_serving(folder: Path) -> Iterator[str]:
    """`oxigraph serve --union-default-graph` (read-write, as Virtuoso reads graphs) on a free loopback
    port, on a store in `folder`: its base URL. Stopped at the end whatever happens."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(OXIGRAPH),
            "serve",
            "--location",
            str(folder / "db"),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/query?query=ASK%7B%7D", process)
        yield url
    finally:
        stop(process)
