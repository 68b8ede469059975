"""Faults: builds stopped by signals at random points, readers racing builds, a loader that fails.

After every fault: no process of the build is left, the store's lock is free, the store answers from
a complete generation, and the next build works. The counts of what was tried are printed at the end
of the run ("faults tried").
"""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import AS_OF, FIXTURE_PAGES
from fault_tally import count

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
from corpus import write_corpus  # noqa: E402

KG = [sys.executable, "-c", "from kg.cli import main; main()"]
PAGES = 96  # enough for worker processes (64 and more), small enough for a build of a few seconds
SEED = int(os.environ.get("KG_FAULT_SEED", "20261124"))
ONE_PAGE = FIXTURE_PAGES / "000_d1e1c11066227b5a.txt"


def kg(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("fault-corpora")
    write_corpus(PAGES, 1, root / "a", AS_OF)
    write_corpus(PAGES, 2, root / "b", AS_OF)
    return root / "a", root / "b"


@pytest.fixture(scope="module")
def base_store(corpora, tmp_path_factory) -> Path:
    """A store of corpus a, copied by each test that breaks a build on it."""
    store = tmp_path_factory.mktemp("fault-base") / "kg-store"
    done = kg("build", "-q", "--as-of", AS_OF.isoformat(), "--store", str(store), str(corpora[0]))
    assert done.returncode == 0, done.stderr
    return store


def live_processes_in_group(pgid: int) -> list[str]:
    """Processes of a process group that are still running (zombies are dead: only not yet reaped)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            alive.append(stat.parent.name)
    return alive


def wait_for_no_process(pgid: int, seconds: float = 3.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while (alive := live_processes_in_group(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def lock_is_free(store: Path) -> bool:
    with open(store / "lock", "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(f, fcntl.LOCK_UN)
        return True


def profiles_in(store: Path) -> int:
    from kg.store import KgStore

    kg_store = KgStore.open_read(store)
    try:
        query = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://kg.example.org/ns#Profile> }"
        return int(next(iter(kg_store.store.query(query, use_default_graph_as_union=True)))["n"].value)
    finally:
        kg_store.close()


CASES = [(sig, kind) for sig in ("SIGINT", "SIGTERM", "SIGKILL") for kind in ("fresh", "update")]
EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143, "SIGKILL": -signal.SIGKILL}
MESSAGES = {"SIGINT": "kg: interrupted", "SIGTERM": "kg: terminated"}


@pytest.mark.parametrize("sig,kind", CASES)
def test_a_build_stopped_at_a_random_point_leaves_nothing_running_and_a_working_store(sig, kind, corpora, base_store, tmp_path):
    store = tmp_path / "kg-store"
    shutil.copytree(base_store, store)
    before = profiles_in(store)
    rng = random.Random(f"{SEED}-{sig}-{kind}")
    delay = rng.uniform(0.3, 2.5)
    args = [*KG, "build", "-q", "--as-of", AS_OF.isoformat(), "--store", str(store), str(corpora[1])]
    if kind == "fresh":
        args.append("--fresh")
    build = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    sent = time.monotonic()
    if sig == "SIGINT":
        os.killpg(build.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole foreground group
    else:
        os.kill(build.pid, getattr(signal, sig))  # as kill(1): the build's own process only
    count(f"builds stopped by {sig}")
    try:
        build.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(build.pid, signal.SIGKILL)
        count("failures: a stopped build hung")
        pytest.fail(f"the build did not end within 10 s of {sig} (sent after {delay:.2f} s)")
    ended_after = time.monotonic() - sent
    stderr = build.stderr.read()
    leftover = wait_for_no_process(build.pid)
    if leftover:
        count("failures: processes left running")
        os.killpg(build.pid, signal.SIGKILL)
    assert leftover == [], f"processes of the build still running after {sig}"
    assert lock_is_free(store), "the stopped build's lock is still held"
    if build.returncode == 0:
        count("builds that finished before their signal")
    else:
        assert build.returncode == EXIT_CODES[sig], stderr
        assert ended_after < 5, f"{sig} took {ended_after:.1f} s to stop the build"
        if sig in MESSAGES:
            assert stderr.splitlines() == [MESSAGES[sig]]
    after_build = {"fresh": {before, PAGES}, "update": {before, 2 * PAGES}}[kind]
    assert profiles_in(store) in after_build  # a complete generation, the old one or the new one
    assert not (store / "kg-build.nq.fifo").exists() or build.returncode == -signal.SIGKILL
    nxt = kg("build", "-q", "--as-of", AS_OF.isoformat(), "--store", str(store), str(ONE_PAGE))
    assert nxt.returncode == 0, nxt.stderr
    assert not (store / "kg-build.nq.fifo").exists()


def test_queries_in_a_loop_never_fail_while_builds_follow_each_other(tmp_path, corpora):
    """Readers open whatever generation is live while one-page builds make new ones and retire old ones."""
    from kg.store import KgStore

    store = tmp_path / "kg-store"
    pages = sorted(corpora[0].iterdir())[:14]
    first = kg("build", "-q", "--as-of", AS_OF.isoformat(), "--store", str(store), str(pages[0]))
    assert first.returncode == 0, first.stderr
    stop = threading.Event()
    failures: list[str] = []
    queries = [0]

    def reader() -> None:
        while not stop.is_set():
            try:
                kg_store = KgStore.open_read(store)
                try:
                    rows = list(kg_store.store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000", use_default_graph_as_union=True))
                    assert rows
                finally:
                    kg_store.close()
            except Exception as e:  # noqa: BLE001 - every failure is counted and shown
                failures.append(f"{type(e).__name__}: {e}")
            queries[0] += 1

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for page in pages[1:]:
            done = kg("build", "-q", "--as-of", AS_OF.isoformat(), "--store", str(store), str(page))
            assert done.returncode == 0, done.stderr
            count("back-to-back builds under queries")
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    count("queries against back-to-back builds", queries[0])
    count("failures: queries against back-to-back builds", len(failures))
    assert queries[0] > len(pages)
    assert failures == []
    generations = [p.name for p in store.iterdir() if p.name.startswith("gen-") and p.is_dir()]
    assert len(generations) <= 3, generations  # retired generations do go once nobody reads them


def test_a_failing_worker_page_is_reported_and_the_rest_is_built(tmp_path, corpora, monkeypatch):
    import kg.pagework
    from kg.build import build

    real = kg.pagework.process_page
    doomed = sorted(corpora[0].iterdir())[5].name

    def process_page(path, work=None):
        if path.name == doomed:
            raise ValueError("a bug on this page")
        return real(path, work)

    monkeypatch.setattr(kg.pagework, "process_page", process_page)  # the forked workers inherit it
    report = build([corpora[0]], tmp_path / "s", as_of=AS_OF, jobs=2)
    count("inputs tried: a page that makes a worker fail")
    errors = [d for d in report.diagnostics if d.severity == "error"]
    assert [(d.source, d.message) for d in errors] == [(doomed, "internal error on this page, which is skipped: ValueError: a bug on this page")]
    assert report.pages_written == PAGES - 1
    assert python_children() == []


def python_children() -> list[str]:
    """Running child processes of this one that are Python (forked workers), not servers of other tests."""
    children = []
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            exe = os.readlink(stat.parent / "exe")
        except OSError:
            continue
        if int(fields[1]) == me and fields[0] not in ("Z", "X") and os.path.realpath(exe) == os.path.realpath(sys.executable):
            children.append(stat.parent.name)
    return children


def test_no_worker_outlives_a_build(tmp_path, corpora):
    from kg.build import build

    build([corpora[0]], tmp_path / "s", as_of=AS_OF, jobs=2)
    assert python_children() == []


def test_a_loader_that_fails_ends_the_build_with_a_message_instead_of_hanging(tmp_path):
    """The bulk loader stops on bad input: the stream's writer hears of it, the pipe is gone."""
    import pyoxigraph as ox

    from kg.errors import KgError
    from kg.loading import StreamingWriter

    store = ox.Store(str(tmp_path / "db"))
    writer = StreamingWriter(store, tmp_path)
    writer.add(b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n")
    writer.add(b"this is not N-Quads\n")
    with pytest.raises(KgError, match="the store could not load the build's data: .*nothing was stored"):
        try:  # as the build does
            for _ in range(1000):  # the failure reaches the writer at its next add, or at close
                writer.add(b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n" * 100)
            writer.close()
        except BaseException:
            writer.abort()
            raise
    assert not (tmp_path / "kg-build.nq.fifo").exists()
    count("inputs tried: a bulk load that fails")


def test_an_aborted_stream_loads_nothing_and_ends_at_once(tmp_path):
    import pyoxigraph as ox

    from kg.loading import StreamingWriter

    store = ox.Store(str(tmp_path / "db"))
    writer = StreamingWriter(store, tmp_path)
    writer.add(b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n" * 200_000)
    started = time.monotonic()
    writer.abort()
    assert time.monotonic() - started < 2
    assert len(store) == 0
    assert not (tmp_path / "kg-build.nq.fifo").exists()


def test_a_pipe_left_by_a_killed_build_is_replaced(tmp_path):
    from kg.build import build

    os.mkfifo(tmp_path / "kg-build.nq.fifo")
    report = build([ONE_PAGE], tmp_path, as_of=AS_OF)
    assert report.pages_written == 1
    assert not (tmp_path / "kg-build.nq.fifo").exists()
