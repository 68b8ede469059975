"""Worker processes (kg.system.workers): they end without a word when told to, and leave nothing
running."""

from __future__ import annotations

import os
import signal
import time

from kg.cli import entry
from kg.system.workers import ordered_map


def own_pid(_: int) -> int:
    return os.getpid()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone, only not yet reaped
        return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")


def test_a_worker_told_to_terminate_ends_without_a_traceback(capfd):
    """multiprocessing terminates a process's workers as it exits (SIGTERM): a worker must not take
    kg's own handler for it (inherited when forked) and print a traceback beside `kg: interrupted`."""
    previous = signal.signal(signal.SIGTERM, entry._stop)  # as `kg` runs
    results = ordered_map(own_pid, iter([0]), 1)
    try:
        pid = next(results)  # the worker then waits for a task
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while not gone(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gone(pid)
    finally:
        results.close()
        signal.signal(signal.SIGTERM, previous)
    assert capfd.readouterr().err == ""
