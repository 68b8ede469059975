"""Where a build's time and memory go, phase by phase: the profile behind the build figures of run.py.

    python benchmarks/build_profile.py                  # 1,400 and 7,000 pages, as run.py
    python benchmarks/build_profile.py --pages 200      # any sizes (repeatable)

For each size it builds the corpus (benchmarks/corpus.py, deterministic by seed) from nothing in a child
process through `kg.build(progress=...)`, samples the memory of that process and of its workers (PSS, as
run.py) while the build reports its phases, and prints, per phase, how long it took and the peak memory
of the build process and of its workers. Then the growth of the whole build from the first size to the
last. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from corpus import add_corpus_arguments, work_folder, write_corpus
from run import AS_OF, DEFAULT_PAGES, PeakRss, pss

# The child: a build that prints each phase as it starts.
CHILD = """
import sys, kg

last = [None]
def progress(phase, done, total):
    if phase != last[0]:
        last[0] = phase
        print(phase, flush=True)
kg.build(sys.argv[1], sys.argv[2], as_of=sys.argv[3], progress=progress)
"""


def profile(corpus: Path, store: Path) -> tuple[float, int, list[dict]]:
    """(wall seconds, peak PSS of all processes, [{phase, seconds, build_mb, workers_mb, all_mb}])."""
    shutil.rmtree(store, ignore_errors=True)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(corpus), str(store), AS_OF], stdout=subprocess.PIPE, text=True
    )
    total = PeakRss(child.pid)
    phases: list[dict] = [{"phase": "starting", "at": 0.0, "build": 0, "workers": 0, "all": 0}]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree = total.tree()
            own = pss(child.pid)
            workers = sum(pss(pid) for pid in tree if pid != child.pid)
            current = phases[-1]
            current["build"], current["workers"], current["all"] = (
                max(current["build"], own),
                max(current["workers"], workers),
                max(current["all"], own + workers),  # at one moment: what the phase's peak is
            )
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert child.stdout is not None
    for line in child.stdout:
        phases.append(
            {"phase": line.strip(), "at": time.perf_counter() - started, "build": 0, "workers": 0, "all": 0}
        )
    child.wait()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    peak = total.stop()
    if child.returncode not in (0, 1):
        raise SystemExit(f"the build failed ({child.returncode})")
    ends = [p["at"] for p in phases[1:]] + [wall]
    rows = [
        {
            "phase": p["phase"],
            "seconds": end - p["at"],
            "build_mb": p["build"] / 2**20,
            "workers_mb": p["workers"] / 2**20,
            "all_mb": p["all"] / 2**20,
        }
        for p, end in zip(phases, ends, strict=True)
    ]
    return wall, peak, rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_arguments(parser, "1400 and 7000")
    args = parser.parse_args(argv)
    work = work_folder(args.work, "kg-profile-")
    totals = []
    for pages in args.pages or list(DEFAULT_PAGES):
        corpus = work / f"corpus-{pages}-{args.seed}"
        if not corpus.exists():
            write_corpus(pages, args.seed, corpus)
        print(f"profiling a build of {pages} pages in {work} ...", file=sys.stderr, flush=True)
        wall, peak, rows = profile(corpus, work / f"store-{pages}")
        totals.append((pages, wall, peak))
        print(f"\n{pages:,} pages: {wall:.1f} s, peak {peak / 2**20:,.0f} MB (PSS of all processes)\n")
        print("| phase | seconds | build process peak (MB) | workers peak (MB) | all together (MB) |")
        print("|---|---:|---:|---:|---:|")
        for row in rows:
            print(
                f"| {row['phase']} | {row['seconds']:.1f} | {row['build_mb']:,.0f} | {row['workers_mb']:,.0f}"
                f" | {row['all_mb']:,.0f} |"
            )
    if len(totals) >= 2:
        (small, t0, m0), (large, t1, m1) = totals[0], totals[-1]
        print(f"\n{large / small:.1f}x the pages: {t1 / t0:.2f}x the time, {m1 / m0:.2f}x the peak memory")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
