"""CPU time of a command, by process and by thread: where a build's CPU goes, which wall time hides.

    python benchmarks/cpu_by_thread.py kg build PAGES --store STORE -q

Runs the command and, every quarter of a second until it ends, reads the CPU time (user + system) of
every thread of it and of its child processes from /proc (Linux). Prints the wall time and the CPU time
in all, then by process, then by thread name in the command's own process (a build's main thread, its
loader threads, RocksDB's `rocksdb:low` compaction threads) and in its children together. A thread that
lives less than a quarter of a second may be missed. Nothing is asserted.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the thread ended meanwhile
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def threads(pid: int) -> dict[int, tuple[str, float]]:
    """Each thread of the process: its name and CPU seconds so far."""
    found = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(task.name)] = (name, (int(fields[11]) + int(fields[12])) / TICK)
    return found


def measure(command: list[str]) -> tuple[float, dict[tuple[int, int], tuple[str, float]], int]:
    """(wall seconds, {(pid, tid): (thread name, CPU seconds)}, the command's pid)."""
    started = time.perf_counter()
    process = subprocess.Popen(command)
    seen: dict[tuple[int, int], tuple[str, float]] = {}
    while process.poll() is None:
        todo = [process.pid]
        while todo:
            pid = todo.pop()
            todo += children(pid)
            for tid, value in threads(pid).items():
                seen[(pid, tid)] = value
        time.sleep(0.25)
    return time.perf_counter() - started, seen, process.pid


def main() -> None:
    command = sys.argv[1:]
    if not command:
        sys.exit(__doc__)
    wall, seen, own = measure(command)
    by_process: Counter[int] = Counter()
    by_thread: Counter[str] = Counter()
    for (pid, _), (name, cpu) in seen.items():
        by_process[pid] += cpu
        by_thread[f"{name} ({'its own process' if pid == own else 'its children'})"] += cpu
    print(f"wall {wall:.1f} s, CPU {sum(by_process.values()):.1f} s", file=sys.stderr)
    for pid, cpu in by_process.most_common():
        print(f"  process {pid}{' (the command)' if pid == own else ''}: {cpu:.1f} s", file=sys.stderr)
    for name, cpu in by_thread.most_common():
        print(f"  {name}: {cpu:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
