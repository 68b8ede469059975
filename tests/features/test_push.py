"""`kg push` to real engines (an Oxigraph server, Virtuoso), as a user keeps one up to date: the engine's
graphs equal the store's after the first push, after a one-page update, after a page is removed, after a
push that was cut off; pushing again sends only what changed; --full sends everything.

Each engine gets a store of its own, built from a copy of the fixture pages under a base IRI of its own,
and the Virtuoso here is one of this module's own: the session's holds the fixture store alone, whose
answers over Virtuoso's default graph (every graph it has) other tests compare.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import AS_OF, FIXTURE_PAGES, run_main, virtuoso_in
from servers import OXIGRAPH, free_port, oxigraph_serving, stop, wait_until_answering
from virtuoso_server import PASSWORD, USER

from kg.features import push, push_bulk, push_targets
from kg.query.endpoint import EndpointError
from kg.query.remote import HttpEngine
from kg.store.generations import KgStore

REPORT = re.compile(
    r"pushed (?P<graphs>\d+) graphs, (?P<triples>\d+) triples to (?P<url>\S+) in [\d.]+ s "
    r"\((?P<requests>\d+) requests(?:, \d+ retried)?(?:, [\d,]+ triples/s)?\)"
    r"(?:; (?P<bulk>\d+) of them through the bulk loader)?(?:; (?P<patched>\d+) of them changed in part)?(?:; (?P<removed>\d+) removed)?"
    r"(?:; (?P<unchanged>\d+) unchanged since \S+)?\n"
)


class Engine:
    """Where to push (the Graph Store URL, credentials, more options) and how to read back what it holds."""

    def __init__(
        self,
        name: str,
        push_url: str,
        query_url: str,
        env: dict[str, str],
        user: str | None,
        options: tuple[str, ...] = (),
    ):
        self.name, self.push_url, self.query_url, self.env, self.user = name, push_url, query_url, env, user
        self.options = options

    def args(self, store: Path) -> list[str]:
        args = ["push", "--endpoint", self.push_url, "--store", str(store), *self.options]
        return [*args, "--user", self.user] if self.user else args

    def push(self, store: Path, *more: str) -> dict[str, int]:
        """`kg push` as a user runs it; what it reported, as numbers."""
        args = [*self.args(store), *more]
        code, out, err = run_main(*args, env=self.env)
        assert (code, err) == (0, ""), err
        match = REPORT.fullmatch(out)
        assert match, out
        return {k: int(v or 0) for k, v in match.groupdict().items() if k != "url"}

    def quads(self, base: str) -> set[tuple[str, str, str, str]]:
        """Every quad the engine holds in the graphs under `base`."""
        answer = HttpEngine(self.query_url).run(
            f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{base}')) }}"
        )
        return {(g.value, str(s), str(p), str(o)) for g, s, p, o in answer.rows}


def store_quads(store: Path) -> set[tuple[str, str, str, str]]:
    kg = KgStore.open_read(store)
    try:
        return {(q.graph_name.value, str(q.subject), str(q.predicate), str(q.object)) for q in kg.store}
    finally:
        kg.close()


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    with oxigraph_serving(tmp_path_factory.mktemp("push-oxigraph")) as url:
        yield Engine("oxigraph", f"{url}/store", f"{url}/query", {}, None)


@pytest.fixture(scope="module")
def own_virtuoso(tmp_path_factory):
    yield from virtuoso_in(tmp_path_factory.mktemp("push-virtuoso"))


def bulk_engine(server, load: Path) -> Engine:
    """The Virtuoso `server` pushed to through its bulk loader: its SQL port, `load` in its DirsAllowed."""
    return Engine(
        "virtuoso-bulk",
        server.gsp_url,
        server.sparql_url,
        {"KG_PUSH_PASSWORD": PASSWORD, "KG_ISQL_PASSWORD": "dba"},
        USER,
        ("--virtuoso-isql", server.sql_address, "--virtuoso-load-dir", str(load)),
    )


@pytest.fixture(params=["oxigraph", "virtuoso", "virtuoso-bulk"])
def engine(request, monkeypatch) -> Engine:
    if request.param == "oxigraph":
        return request.getfixturevalue("oxigraph")
    server = request.getfixturevalue("own_virtuoso")
    if request.param == "virtuoso-bulk":
        # the fixture pages are small: every batch goes through the loader, however few its triples
        monkeypatch.setattr(push_bulk, "BULK_MIN", 1)
        return bulk_engine(server, server.folder)
    return Engine("virtuoso", server.gsp_url, server.sparql_url, {"KG_PUSH_PASSWORD": PASSWORD}, USER)


def build(pages: Path, store: Path, base: str, *more: str) -> None:
    code, _, err = run_main(
        "build", str(pages), "--store", str(store), "--as-of", AS_OF.isoformat(), "--base", base, "-q", *more
    )
    assert code == 0, err


def make_site(folder: Path, name: str) -> tuple[Path, Path, str]:
    """A copy of the fixture pages, built under a base IRI no other test pushes."""
    pages, store = folder / "pages", folder / "kg-store"
    shutil.copytree(FIXTURE_PAGES, pages)
    base = f"https://push-{name}-{folder.name.lower()}.example.org/id/"
    build(pages, store, base)
    return pages, store, base


@pytest.fixture
def site(tmp_path, engine):
    return make_site(tmp_path, engine.name)


def edit_one_page(pages: Path) -> None:
    page = sorted(pages.iterdir())[2]
    text = page.read_text(encoding="utf-8")
    assert "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model" in text
    page.write_text(text.replace("BLOOM: A 176B-Parameter", "BLOOM: A 177B-Parameter"), encoding="utf-8")


def test_the_engine_holds_what_the_store_holds_and_a_push_again_sends_only_what_changed(engine, site):
    pages, store, base = site
    total = len(store_quads(store))
    graphs = len({q[0] for q in store_quads(store)})

    first = engine.push(store)
    assert (first["graphs"], first["triples"], first["unchanged"]) == (graphs, total, 0)
    assert first["bulk"] == (graphs if engine.name == "virtuoso-bulk" else 0)
    assert engine.quads(base) == store_quads(store)

    again = engine.push(store)  # nothing changed: nothing sent
    assert (again["graphs"], again["triples"], again["unchanged"]) == (0, 0, graphs)
    assert engine.quads(base) == store_quads(store)

    edit_one_page(pages)
    build(pages, store, base)
    update = engine.push(store)
    # the edited page's graph whole; the shared graphs (facts, inferred) only as their difference
    assert update["graphs"] - update["patched"] == 1
    assert update["unchanged"] == graphs - update["graphs"]
    assert update["triples"] < total / 4
    assert engine.quads(base) == store_quads(store)

    sorted(pages.iterdir())[0].unlink()
    build(pages, store, base, "--fresh")  # how a page is removed from the store
    after = engine.push(store)
    assert after["removed"] == 1
    assert engine.quads(base) == store_quads(store)
    assert len({q[0] for q in engine.quads(base)}) == graphs - 1

    full = engine.push(store, "--full")
    assert (full["graphs"], full["triples"], full["unchanged"]) == (graphs - 1, len(store_quads(store)), 0)
    assert engine.quads(base) == store_quads(store)


def test_a_push_after_small_updates_sends_what_they_changed_without_reading_the_shared_graphs(
    engine, tmp_path, monkeypatch
):
    """Each small update keeps what it changed in the graphs the pages share (kg.store.changes): a push
    after two of them sends those graphs' changes, composed, without reading them from either
    generation, and the engine then holds what the store holds. A build of another kind keeps none:
    the push after it compares the graphs, as before."""
    pages, store, base = make_site(tmp_path, f"kept-{engine.name}")
    engine.push(store)
    edit_one_page(pages)
    build(pages, store, base)
    page = sorted(pages.iterdir())[3]
    text = page.read_text(encoding="utf-8")
    assert "FlexSA: Flexible Systolic Array" in text
    page.write_text(text.replace("FlexSA: Flexible Systolic Array", "FlexSA: A Flexible Systolic Array"))
    build(pages, store, base)
    assert len(list((store / "changes").glob("*.nq"))) == 2

    def not_read(*args: object) -> None:
        raise AssertionError("a shared graph was read to be compared")

    with monkeypatch.context() as patched:
        patched.setattr(push, "content_stamp", not_read)
        patched.setattr(push, "kept_generation", not_read)
        update = engine.push(store)
    assert update["patched"] >= 1 and update["graphs"] - update["patched"] == 2  # the two pages whole
    assert engine.quads(base) == store_quads(store)
    assert engine.push(store)["graphs"] == 0

    page.write_text(text)  # the title back, in a build of everything: no changes kept for it
    build(pages, store, base, "--fresh")
    assert not (store / "changes" / f"{KgStore.open_read(store).generation}.nq").exists()
    engine.push(store)
    assert engine.quads(base) == store_quads(store)


def test_a_push_cut_off_midway_is_one_line_and_the_next_push_repairs_it(engine, site, monkeypatch):
    pages, store, base = site
    engine.push(store)
    edit_one_page(pages)
    sorted(pages.iterdir())[0].unlink()
    build(pages, store, base, "--fresh")

    real_write, calls = push_targets.Sender.write, []

    def failing_write(self, method, query, body, content_type):
        calls.append(method)
        if len(calls) == 2:
            raise EndpointError(f"lost the connection to {self.endpoint.url}: reset", transient=False)
        return real_write(self, method, query, body, content_type)

    monkeypatch.setattr(push_targets.Sender, "write", failing_write)
    code, out, err = run_main(*engine.args(store), env=engine.env)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("kg: push stopped after sending ") and err.endswith(
        ": reset; the remote copy is incomplete\n"
    )
    monkeypatch.setattr(push_targets.Sender, "write", real_write)

    repair = engine.push(store)
    assert repair["graphs"] >= 1
    assert engine.quads(base) == store_quads(store)
    assert engine.push(store)["graphs"] == 0  # and then nothing is left to send


def default_graph_rows(engine: Engine, base: str) -> list[tuple[str, str, str]]:
    """Every row a query over the engine's default graph answers about kg's resources under `base`."""
    answer = HttpEngine(engine.query_url).run(
        f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{base}')) }}"
    )
    return [(str(s), str(p), str(o)) for s, p, o in answer.rows]


def test_the_bulk_loader_gives_the_answers_http_gives(own_virtuoso, tmp_path, monkeypatch):
    """One store pushed over HTTP, its graphs cleared, then pushed through the bulk loader: the same
    quads and the same rows in the default graph, one a fact; nothing left in the folder; and pushing
    again after a one-page update sends the change alone."""
    least = push_bulk.BULK_MIN
    monkeypatch.setattr(push_bulk, "BULK_MIN", 1)  # the fixture pages are small
    load = own_virtuoso.folder / "bulk-answers"
    load.mkdir()
    http = Engine(
        "virtuoso", own_virtuoso.gsp_url, own_virtuoso.sparql_url, {"KG_PUSH_PASSWORD": PASSWORD}, USER
    )
    bulk = bulk_engine(own_virtuoso, load)
    pages, store, base = make_site(tmp_path, "answers")
    assert http.push(store)["bulk"] == 0
    over_http, rows_over_http = http.quads(base), default_graph_rows(http, base)
    graphs = {quad[0] for quad in over_http}
    own_virtuoso.isql("".join(f"SPARQL CLEAR GRAPH <{graph}>;\n" for graph in graphs))
    assert http.quads(base) == set()

    pushed = bulk.push(store, "--full", "--batch-triples", "2000")  # several files
    assert pushed["bulk"] == pushed["graphs"] == len(graphs) and pushed["requests"] > 1
    assert list(load.iterdir()) == []
    assert bulk.quads(base) == over_http == store_quads(store)
    rows = default_graph_rows(bulk, base)
    assert sorted(rows) == sorted(rows_over_http) and len(rows) == len(set(rows))

    edit_one_page(pages)
    build(pages, store, base)
    monkeypatch.setattr(push_bulk, "BULK_MIN", least)  # a small change goes over HTTP
    update = bulk.push(store)
    assert update["graphs"] - update["patched"] == 1 and update["triples"] < len(over_http) / 4
    assert update["bulk"] == 0
    monkeypatch.setattr(push_bulk, "BULK_MIN", 1)
    assert bulk.quads(base) == store_quads(store)
    again = bulk.push(store, "--full")  # replaces what the engine holds: still one row a fact
    assert again["bulk"] == again["graphs"] == len(graphs)
    rows = default_graph_rows(bulk, base)
    assert bulk.quads(base) == store_quads(store) and len(rows) == len(set(rows))
    assert list(load.iterdir()) == []


@pytest.mark.parametrize("fault", ["port", "password", "no password", "folder", "engine", "no isql"])
def test_a_bulk_path_that_cannot_work_is_one_line_and_nothing_is_sent(
    fault, own_virtuoso, oxigraph, tmp_path, request, monkeypatch
):
    _pages, store, base = make_site(tmp_path, f"bulk-{fault.replace(' ', '-')}")
    load = own_virtuoso.folder / f"bulk-{fault.replace(' ', '-')}"
    load.mkdir()
    engine = bulk_engine(own_virtuoso, load)
    expected = {
        "port": "isql-vt cannot reach Virtuoso's SQL port at 127.0.0.1:",
        "password": "refused the login of kg",
        "no password": "--virtuoso-isql needs the password of dba in the environment variable KG_ISQL_PASSWORD",
        "folder": "may not read /var/tmp/kg-push-test-",
        "engine": "--virtuoso-isql is for a Virtuoso endpoint;",
        "no isql": "--virtuoso-isql needs isql-vt-missing (Virtuoso's isql;",
    }[fault]
    args, env = engine.args(store), dict(engine.env)
    if fault == "port":
        args[args.index("--virtuoso-isql") + 1] = f"127.0.0.1:{free_port()}"
    elif fault == "password":
        args += ["--isql-user", USER]
        env["KG_ISQL_PASSWORD"] = "not the password"
    elif fault == "no password":
        env["KG_ISQL_PASSWORD"] = ""
    elif fault == "folder":  # Virtuoso reads under /tmp whatever DirsAllowed says: a folder elsewhere
        elsewhere = Path(tempfile.mkdtemp(prefix="kg-push-test-", dir="/var/tmp"))
        request.addfinalizer(lambda: shutil.rmtree(elsewhere))
        args[args.index("--virtuoso-load-dir") + 1] = str(elsewhere)
    elif fault == "engine":
        args[args.index("--endpoint") + 1] = oxigraph.push_url
        args = args[: args.index("--user")]
    else:
        monkeypatch.setattr(push_bulk, "ISQL", "isql-vt-missing")
    code, out, err = run_main(*args, env=env)
    assert (code, out) == (2, "") and err.count("\n") == 1 and err.startswith("kg: "), err
    assert expected in err, err
    assert engine.quads(base) == set() and oxigraph.quads(base) == set()
    assert list(load.iterdir()) == []  # the probe is gone too
    if fault == "folder":
        assert ": add it to DirsAllowed in its virtuoso.ini (then restart it)" in err
        assert list(elsewhere.iterdir()) == []


def test_a_bulk_load_that_fails_midway_is_one_line_and_the_next_push_repairs_it(
    own_virtuoso, tmp_path, monkeypatch
):
    _pages, store, base = make_site(tmp_path, "bulk-midway")
    load = own_virtuoso.folder / "bulk-midway"
    load.mkdir()
    engine = bulk_engine(own_virtuoso, load)
    monkeypatch.setattr(push_bulk, "BULK_MIN", 1)
    real, batches = push_bulk.VirtuosoBulk.prepare, []

    def damaging(self, pieces):  # the second file the loader gets is not N-Quads
        batches.append(pieces)
        if len(batches) == 2:
            pieces[0].body = b"<urn:kg:broken> this is no N-Quads line\n" + pieces[0].body
        return real(self, pieces)

    monkeypatch.setattr(push_bulk.VirtuosoBulk, "prepare", damaging)
    code, out, err = run_main(*engine.args(store), "--batch-triples", "2000", env=engine.env)
    assert (code, out) == (2, "") and err.count("\n") == 1, err
    assert err.startswith("kg: push stopped after sending ") and "Virtuoso's bulk loader did not load " in err
    assert err.endswith("; the remote copy is incomplete\n")
    assert list(load.iterdir()) == []
    assert len(batches) > 2  # read ahead of the one that failed: their files are gone too
    monkeypatch.setattr(push_bulk.VirtuosoBulk, "prepare", real)
    repair = engine.push(store)
    assert 0 < repair["graphs"] < len({q[0] for q in store_quads(store)})
    assert engine.quads(base) == store_quads(store)


def test_a_push_to_another_endpoint_sends_everything(oxigraph, tmp_path):
    _pages, store, base = make_site(tmp_path, "two")
    oxigraph.push(store)
    (tmp_path / "other").mkdir()
    with oxigraph_serving(tmp_path / "other") as url:
        other = Engine("other", f"{url}/store", f"{url}/query", {}, None)
        report = other.push(store)
        assert report["unchanged"] == 0 and report["triples"] == len(store_quads(store))
        assert other.quads(base) == store_quads(store)
    assert oxigraph.push(store)["graphs"] == 0  # each endpoint is remembered apart


def test_an_engine_emptied_since_the_last_push_gets_everything(tmp_path):
    """The same URL, a new empty engine behind it: kg sees that it lacks what was pushed, and sends all."""
    _pages, store, base = make_site(tmp_path, "emptied")
    port = free_port()

    def serve(folder: Path) -> subprocess.Popen:
        command = [str(OXIGRAPH), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_answering(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", process)
        return process

    engine = Engine("emptied", f"http://127.0.0.1:{port}/store", f"http://127.0.0.1:{port}/query", {}, None)
    process = serve(tmp_path / "first")
    try:
        engine.push(store)
    finally:
        stop(process)
    process = serve(tmp_path / "second")
    try:
        code, out, err = run_main("push", "--endpoint", engine.push_url, "--store", str(store))
        assert (code, err) == (0, "")
        assert out.endswith("; the endpoint no longer held what kg had pushed there: everything was sent\n")
        assert engine.quads(base) == store_quads(store)
    finally:
        stop(process)


def test_the_push_benchmark_runs(tmp_path):
    """A tiny run, so the benchmark keeps working (no figures asserted)."""
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "push.py"
    done = subprocess.run(
        [sys.executable, str(script), "--pages", "12", "--work", str(tmp_path), "--engines", "oxigraph"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("| measure | figure |") and done.stdout.count("= store after") == 3, (
        done.stdout
    )
    assert "nothing changed | " in done.stdout and "(0 graphs, 0 triples; = store after)" in done.stdout
