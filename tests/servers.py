"""Servers the tests start on free loopback ports: `kg serve` in a subprocess, and how to stop one."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STARTUP = 20.0  # seconds a server gets to answer


def free_port() -> int:
    """A loopback port nobody listens on (oxigraph cannot bind port 0 and tell us which it got)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kg_process(*args: str) -> subprocess.Popen:
    """`kg ARGS` in a subprocess, its output piped."""
    return subprocess.Popen(
        [sys.executable, "-c", "from kg.cli import main; main()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


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
