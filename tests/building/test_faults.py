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
from pathlib import Path

import pytest
from conftest import AS_OF, FIXTURE_PAGES
from corpus import write_corpus
from fault_tally import count
from servers import KG, kg_subprocess

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

PAGES = 96  # enough for worker processes (64 and more), small enough for a build of a few seconds
SEED = int(os.environ.get("KG_FAULT_SEED", "20261124"))
ONE_PAGE = FIXTURE_PAGES / "000_d1e1c11066227b5a.txt"


kg = kg_subprocess


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
    from kg.store.generations import KgStore

    kg_store = KgStore.open_read(store)
    try:
        query = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://kg.example.org/ns#Profile> }"
        return int(next(iter(kg_store.store.query(query, use_default_graph_as_union=True)))["n"].value)
    finally:
        kg_store.close()


def hearing_ctrl_c() -> None:
    """In the child: Ctrl-C as a terminal's foreground command gets it. A shell that runs the tests in
    the background (`pytest &`) ignores SIGINT, every child inherits that, and kg keeps an ignored
    signal ignored, as `nohup` asks."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


ROUNDS = int(os.environ.get("KG_FAULT_ROUNDS", "2"))  # random points per signal and kind of build
CASES = [
    (sig, kind, n)
    for sig in ("SIGINT", "SIGTERM", "SIGKILL")
    for kind in ("fresh", "update")
    for n in range(ROUNDS)
]
EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143, "SIGKILL": -signal.SIGKILL}
MESSAGES = {"SIGINT": "kg: interrupted", "SIGTERM": "kg: terminated"}


@pytest.mark.parametrize("sig,kind,round_", CASES)
def test_a_build_stopped_at_a_random_point_leaves_nothing_running_and_a_working_store(
    sig, kind, round_, corpora, base_store, tmp_path
):
    store = tmp_path / "kg-store"
    shutil.copytree(base_store, store)
    before = profiles_in(store)
    delay = random.Random(f"{SEED}-{sig}-{kind}-{round_}").uniform(
        0.0, 2.8
    )  # KG_FAULT_SEED picks other points
    args = [*KG, "build", "-q", "--as-of", AS_OF.isoformat(), "--store", str(store), str(corpora[1])]
    if kind == "fresh":
        args.append("--fresh")
    generations = {p.name for p in store.iterdir()}
    build = subprocess.Popen(
        args,
        start_new_session=True,
        preexec_fn=hearing_ctrl_c,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # From the moment the build has made its generation: before that, Python may still be starting, and a
    # signal then ends it the default way, before kg can hear it (a loaded machine takes seconds).
    started = time.monotonic()
    while (
        {p.name for p in store.iterdir()} <= generations
        and build.poll() is None
        and time.monotonic() - started < 30
    ):
        time.sleep(0.02)
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
    from kg.store.generations import KgStore

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
                    rows = list(
                        kg_store.store.query(
                            "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000", use_default_graph_as_union=True
                        )
                    )
                    assert rows
                finally:
                    kg_store.close()
            except Exception as e:
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
    generations = [
        p.name
        for p in store.iterdir()
        if p.name.startswith("gen-") and p.is_dir() and not p.name.endswith(".support")
    ]
    assert len(generations) <= 3, generations  # retired generations do go once nobody reads them


def test_a_failing_worker_page_is_reported_and_the_rest_is_built(tmp_path, corpora, monkeypatch):
    import kg.store.pagework
    from kg.building.builder import build

    real = kg.store.pagework.process_page
    doomed = sorted(corpora[0].iterdir())[5].name

    def process_page(path, work=None):
        if path.name == doomed:
            raise ValueError("a bug on this page")
        return real(path, work)

    monkeypatch.setattr(kg.store.pagework, "process_page", process_page)  # the forked workers inherit it
    report = build([corpora[0]], tmp_path / "s", as_of=AS_OF, jobs=2)
    count("inputs tried: a page that makes a worker fail")
    errors = [d for d in report.diagnostics if d.severity == "error"]
    assert [(d.source, d.message) for d in errors] == [
        (doomed, "internal error on this page, which is skipped: ValueError: a bug on this page")
    ]
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
        if (
            int(fields[1]) == me
            and fields[0] not in ("Z", "X")
            and os.path.realpath(exe) == os.path.realpath(sys.executable)
        ):
            children.append(stat.parent.name)
    return children


def test_no_worker_outlives_a_build(tmp_path, corpora):
    from kg.building.builder import build

    build([corpora[0]], tmp_path / "s", as_of=AS_OF, jobs=2)
    assert python_children() == []


def test_a_loader_that_fails_ends_the_build_with_a_message_instead_of_hanging(tmp_path):
    """The bulk loader stops on bad input: the stream's writer hears of it, the pipe is gone."""
    import pyoxigraph as ox

    from kg.errors import KgError
    from kg.store.loading import StreamingWriter

    store = ox.Store(str(tmp_path / "db"))
    writer = StreamingWriter(store, tmp_path)
    writer.add(b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n")
    writer.add(b"this is not N-Quads\n")
    with pytest.raises(KgError, match=r"the store could not load the build's data: .*nothing was stored"):
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

    from kg.store.loading import StreamingWriter

    store = ox.Store(str(tmp_path / "db"))
    writer = StreamingWriter(store, tmp_path)
    writer.add(b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n" * 200_000)
    started = time.monotonic()
    writer.abort()
    assert time.monotonic() - started < 2
    assert len(store) == 0
    assert not (tmp_path / "kg-build.nq.fifo").exists()


def test_a_pipe_left_by_a_killed_build_is_replaced(tmp_path):
    from kg.building.builder import build

    os.mkfifo(tmp_path / "kg-build.nq.fifo")
    report = build([ONE_PAGE], tmp_path, as_of=AS_OF)
    assert report.pages_written == 1
    assert not (tmp_path / "kg-build.nq.fifo").exists()


# --- the environment at fault: exit 2 and one clear line --------------------------------------------


def one_line_exit_2(done: subprocess.CompletedProcess, *fragments: str) -> None:
    count("inputs tried: environment failures")
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    for fragment in fragments:
        assert fragment in done.stderr


def test_output_to_a_full_device_or_a_closed_stdout_is_exit_2(fixture_store):
    with open("/dev/full", "w") as device:
        full = subprocess.run(
            [*KG, "stats", "--store", str(fixture_store)], stdout=device, stderr=subprocess.PIPE, text=True
        )
        exported = subprocess.run(
            [*KG, "export", "--store", str(fixture_store)], stdout=device, stderr=subprocess.PIPE, text=True
        )
    one_line_exit_2(full, "cannot write the output: No space left on device")
    one_line_exit_2(exported, "cannot write the output")
    closed = subprocess.run(
        [*KG, "stats", "--store", str(fixture_store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        pass_fds=(),
        close_fds=True,
        preexec_fn=lambda: os.close(1),
    )
    one_line_exit_2(closed, "standard output is closed")


def test_a_reader_that_leaves_early_ends_the_command_quietly(fixture_store):
    reader = subprocess.Popen(
        [*KG, "export", "--store", str(fixture_store), "--format", "ntriples"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reader.stdout.read(100)
    reader.stdout.close()
    assert reader.wait(30) == 0
    assert reader.stderr.read() == b""


def test_export_into_a_missing_folder_is_exit_2(fixture_store, tmp_path):
    done = kg("export", "--store", str(fixture_store), "-o", str(tmp_path / "nowhere" / "x.ttl"))
    one_line_exit_2(done, f"cannot write {tmp_path / 'nowhere' / 'x.ttl'}: there is no folder")


def test_a_truncated_generation_record_names_the_generation_and_what_to_do(fixture_store, tmp_path):
    store = tmp_path / "kg-store"
    shutil.copytree(fixture_store, store)
    generation = (store / "CURRENT").read_text().strip()
    record = store / f"{generation}.json"
    record.write_bytes(record.read_bytes()[:25])
    done = kg("stats", "--store", str(store))
    one_line_exit_2(
        done, f"the live generation {generation} of the store at {store} is damaged", "kg build --fresh"
    )
    rebuilt = kg("build", "-q", "--fresh", "--as-of", AS_OF.isoformat(), "--store", str(store), str(ONE_PAGE))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert kg("stats", "--store", str(store)).returncode == 0


def test_a_damaged_database_names_the_generation_and_what_to_do(fixture_store, tmp_path):
    store = tmp_path / "kg-store"
    shutil.copytree(fixture_store, store)
    generation = (store / "CURRENT").read_text().strip()
    for manifest in (store / generation).glob("MANIFEST-*"):
        manifest.write_bytes(b"\0" * 64)
    done = kg("stats", "--store", str(store))
    one_line_exit_2(
        done, f"the live generation {generation} of the store at {store} is damaged", "kg build --fresh"
    )


def test_a_store_folder_kg_may_not_write_is_exit_2(fixture_store, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    store = tmp_path / "kg-store"
    shutil.copytree(fixture_store, store)
    store.chmod(0o555)
    try:
        done = kg("build", "-q", "--as-of", AS_OF.isoformat(), "--store", str(store), str(ONE_PAGE))
    finally:
        store.chmod(0o755)
    one_line_exit_2(done, "Permission denied")


# --- exports write where they are told --------------------------------------------------------------


# Every command that writes a file with -o: its arguments, a file name it writes, what the file holds.
WRITERS = {
    "export": (["export"], "out.ttl", "@prefix"),
    "graph": (["graph", "coauthors-of", "Suyog Gupta", "--format", "html"], "out.html", "<html"),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_a_written_file_keeps_the_umask_and_an_existing_files_mode(fixture_store, tmp_path, writer):
    args, name, _ = WRITERS[writer]
    new = tmp_path / "new" / name
    new.parent.mkdir()
    done = subprocess.run(
        [
            "sh",
            "-c",
            'umask 027 && exec "$@"',
            "sh",
            *KG,
            *args,
            "--store",
            str(fixture_store),
            "-o",
            str(new),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert new.stat().st_mode & 0o777 == 0o640
    old = tmp_path / name
    old.write_text("old")
    old.chmod(0o604)
    assert kg(*args, "--store", str(fixture_store), "-o", str(old)).returncode == 0
    assert old.stat().st_mode & 0o777 == 0o604 and old.read_text() != "old"


@pytest.mark.parametrize("writer", WRITERS)
def test_a_written_file_goes_through_a_symlink(fixture_store, tmp_path, writer):
    args, name, marker = WRITERS[writer]
    (tmp_path / name).write_text("")
    (tmp_path / f"link-{name}").symlink_to(name)
    assert kg(*args, "--store", str(fixture_store), "-o", str(tmp_path / f"link-{name}")).returncode == 0
    assert (tmp_path / f"link-{name}").is_symlink()
    assert marker in (tmp_path / name).read_text()


@pytest.mark.parametrize("writer", WRITERS)
def test_writing_into_something_that_is_not_a_file_writes_into_it_and_never_replaces_it(
    fixture_store, writer
):
    args, _, _ = WRITERS[writer]
    done = kg(*args, "--store", str(fixture_store), "-o", "/dev/full")
    one_line_exit_2(done, "cannot write /dev/full: No space left on device")
    assert Path("/dev/full").is_char_device()


# --- queries: no SERVICE unless asked, a time limit, control characters shown safely -----------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ?o . SeRvIcE ?where { ?s ?p ?o } }",
    ],
)
def test_sparql_refuses_service_unless_allowed(fixture_store, query):
    from conftest import run_main

    code, out, err = run_main("sparql", "--store", str(fixture_store), query)
    count("inputs tried: queries with SERVICE")
    assert (code, out) == (2, "")
    assert err.startswith("kg: refusing a query with SERVICE") and "--allow-service" in err


def test_service_in_names_strings_and_comments_is_no_service_call(fixture_store):
    from kg.query.limits import uses_service

    assert not uses_service(
        'PREFIX service: <http://e/> SELECT ?service WHERE { ?service service:x "SERVICE" } # SERVICE <x>'
    )
    assert not uses_service("SELECT * WHERE { <http://e/SERVICE> ?p ?o . ?s ex:SERVICE ?o }")


def test_an_allowed_service_that_fails_is_one_line_not_an_internal_error(fixture_store):
    from conftest import run_main

    code, _out, err = run_main(
        "sparql",
        "--store",
        str(fixture_store),
        "--allow-service",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    )
    assert code == 2 and err.startswith("kg: the query failed:") and len(err.splitlines()) == 1


def test_a_query_past_its_timeout_is_stopped(fixture_store):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
    started = time.monotonic()
    done = kg("sparql", "--store", str(fixture_store), "--timeout", "1", runaway, timeout=60)
    one_line_exit_2(done, "the query took longer than 1 s and was stopped")
    assert time.monotonic() - started < 15


def test_ctrl_c_stops_a_running_query_at_once(fixture_store):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
    query = subprocess.Popen(
        [*KG, "sparql", "--store", str(fixture_store), runaway],
        start_new_session=True,
        preexec_fn=hearing_ctrl_c,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(2)
        os.killpg(query.pid, signal.SIGINT)
        count("queries stopped by SIGINT")
        assert query.wait(timeout=5) == 130
        assert query.stderr.read().splitlines() == ["kg: interrupted"]
    finally:  # a query that did not stop is not left running for the tests after this one
        if query.poll() is None:
            os.killpg(query.pid, signal.SIGKILL)
            query.wait()


def test_control_characters_in_the_data_never_reach_the_terminal_raw(fixture_store):
    from conftest import run_main

    code, out, _err = run_main(
        "sparql", "--store", str(fixture_store), 'SELECT ?t WHERE { BIND("red\\u001b[31m\\u0007bell" AS ?t) }'
    )
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "red\\x1b[31m\\x07bell" in out


# --- kg serve switches generations without refusing a connection -------------------------------------


def test_serve_switches_generations_without_refusing_a_connection(tmp_path, corpora):
    import socket
    import urllib.request

    store = tmp_path / "kg-store"
    pages = sorted(corpora[0].iterdir())[:5]
    assert (
        kg("build", "-q", "--as-of", AS_OF.isoformat(), "--store", str(store), str(pages[0])).returncode == 0
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*KG, "serve", "--store", str(store), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/query?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
    try:
        assert server.stdout.readline().startswith("serving")
        stop = threading.Event()
        failures: list[str] = []
        asked = [0]

        def ask() -> None:
            while not stop.is_set():
                try:
                    with urllib.request.urlopen(url, timeout=10) as answer:
                        assert answer.status == 200
                except Exception as e:
                    failures.append(repr(e))
                asked[0] += 1

        asker = threading.Thread(target=ask)
        asker.start()
        try:
            for page in pages[1:]:
                assert (
                    kg(
                        "build", "-q", "--as-of", AS_OF.isoformat(), "--store", str(store), str(page)
                    ).returncode
                    == 0
                )
                live = (store / "CURRENT").read_text().strip()
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and not failures:
                    time.sleep(0.2)
                    if _serving(server) == live:
                        break
                count("generation switches under kg serve")
        finally:
            stop.set()
            asker.join()
        count("requests to kg serve during switches", asked[0])
        count("failures: requests to kg serve during switches", len(failures))
        assert failures == []
        assert asked[0] > 0
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=15)


_NOTICES: dict[int, list[str]] = {}


def _serving(server: subprocess.Popen) -> str:
    """The generation kg serve last said it serves (reads its notices without blocking)."""
    import selectors

    lines = _NOTICES.setdefault(server.pid, [])
    with selectors.DefaultSelector() as selector:
        selector.register(server.stderr, selectors.EVENT_READ)
        while selector.select(timeout=0):
            line = server.stderr.readline()
            if not line:
                break
            lines.append(line)
    served = [line.split()[3].rstrip(",") for line in lines if line.startswith("kg: now serving")]
    return served[-1] if served else ""


def test_serve_refuses_service_in_every_way_a_query_is_sent(fixture_store, tmp_path):
    import socket
    import urllib.error
    import urllib.parse
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*KG, "serve", "--store", str(fixture_store), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    endpoint = f"http://127.0.0.1:{port}/query"
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    try:
        assert server.stdout.readline().startswith("serving")
        requests = [
            urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": service})),
            urllib.request.Request(
                endpoint,
                data=urllib.parse.urlencode({"query": service}).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            urllib.request.Request(
                endpoint, data=service.encode(), headers={"Content-Type": "application/sparql-query"}
            ),
        ]
        for request in requests:
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 403 and b"SERVICE is refused" in refused.value.read()
            count("inputs tried: queries with SERVICE")
        plain = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode()
        with urllib.request.urlopen(
            urllib.request.Request(
                endpoint,
                data=plain,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/sparql-results+json",
                },
            ),
            timeout=10,
        ) as answer:
            assert b"true" in answer.read()
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=15)


def test_a_named_pipe_given_as_a_page_is_named_for_what_it_is(tmp_path):
    pipe = tmp_path / "pages.txt"
    os.mkfifo(pipe)
    done = kg("build", "--store", str(tmp_path / "s"), str(pipe))
    count("inputs tried: a named pipe given as a page")
    one_line_exit_2(done, "is not a page file or a folder")


def test_an_update_that_fails_leaves_no_copy_of_the_summary_behind(tmp_path, monkeypatch):
    """A small update copies the previous summary while it maps its pages (kg.derive.summary.copy_ahead);
    when it fails after that, the copy is stopped and removed with the generation, and the store is as
    it was: the next update works."""
    from kg.building import builder
    from kg.building.builder import build

    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    store = tmp_path / "s"
    build([pages], store, as_of=AS_OF)
    live = (store / "CURRENT").read_text()
    page = sorted(pages.iterdir())[0]
    page.write_text(page.read_text().replace("Nemotron 3 Nano", "Nemotron Three Nano", 1))
    copies: list[Path] = []

    def derive(run: builder._Build) -> None:
        assert run.summary_ahead is not None, "a small update copies the summary ahead"
        run.summary_ahead.copied()
        copies.extend(store.glob("*.summary.tmp"))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(builder._Build, "derive", derive)
    threads = threading.active_count()
    with pytest.raises(OSError):
        build([pages], store, as_of=AS_OF)
    assert len(copies) == 1
    assert list(store.glob("*.tmp")) == []
    assert (store / "CURRENT").read_text() == live
    assert threading.active_count() == threads
    monkeypatch.undo()
    report = build([pages], store, as_of=AS_OF)
    assert report.pages_written == 1 and report.new_generation
