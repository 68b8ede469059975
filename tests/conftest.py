"""Shared fixtures: the repo's fixture pages, and a store built from them once per session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

if TYPE_CHECKING:
    from virtuoso_server import VirtuosoServer

TESTS = Path(__file__).parent
FIXTURE_PAGES = TESTS / "fixtures" / "pages"
BAD_PAGES = TESTS / "fixtures" / "bad"
SEEDS = TESTS.parent.parent / "shared" / "seeds"  # the real pages, beside the checkout (CI has them)
AS_OF = date(2026, 11, 24)
BUILT_AT_EPOCH = "1795478400"  # 2026-11-24T00:00:00Z: builds in tests are reproducible


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory) -> Iterator[Path]:
    """What builds learn of this machine (kg.system.build_times) is kept apart from the user's, from
    the first build on (the session's stores too)."""
    path = tmp_path_factory.mktemp("kg-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("KG_CACHE_DIR", str(path))
    yield path
    mp.undo()


@pytest.fixture(autouse=True)
def _reproducible_builds(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILT_AT_EPOCH)
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.delenv("KG_BASE", raising=False)
    monkeypatch.delenv("KG_CURATION", raising=False)


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory) -> Path:
    """A store built from tests/fixtures/pages; read-only for the tests that use it."""
    from kg.building.builder import build

    path = tmp_path_factory.mktemp("fixture-store") / "kg-store"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", BUILT_AT_EPOCH)
    try:
        report = build([FIXTURE_PAGES], path, as_of=AS_OF)
    finally:
        mp.undo()
    assert report.rejected == 0, [str(d) for d in report.diagnostics]
    return path


@pytest.fixture(scope="module")
def served_store(fixture_store, tmp_path_factory):
    """`kg serve` on a copy of the fixture store: its query URL."""
    import shutil

    copy = tmp_path_factory.mktemp("served") / "kg-store"
    shutil.copytree(fixture_store, copy)
    from servers import kg_serving

    with kg_serving(copy) as (_, url, _):
        yield f"{url}/query"


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory) -> Iterator[str]:
    """A real Oxigraph server (read-write) for the module: its base URL."""
    from servers import oxigraph_serving

    with oxigraph_serving(tmp_path_factory.mktemp("oxigraph-server")) as url:
        yield url


@pytest.fixture(scope="module")
def pushed(oxigraph_server, fixture_store) -> tuple[int, str, str]:
    """The fixture store pushed, in batches of 500 triples (so big graphs go as PUT + POSTs)."""
    return run_main(
        "push",
        "--endpoint",
        f"{oxigraph_server}/store",
        "--store",
        str(fixture_store),
        "--batch-triples",
        "500",
    )


def run_main(
    *args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None, binary: bool = False
) -> tuple[int, Any, str]:
    """`kg ARGS` through the real entry point (kg.cli.main), in this process: exit code, stdout (the
    bytes kg wrote when `binary`), stderr.

    The one in-process way the tests run the CLI (the `kg_cli` fixture); tests of exit codes seen from
    outside, tracebacks and signals run kg in a subprocess instead (tests/servers.py: kg_subprocess)."""
    from kg.cli import main

    with CliRunner().isolation(input=stdin, env=env) as (out, err, _):
        old_argv, sys.argv = sys.argv, ["kg", *args]
        try:
            main(restore_signals=True)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        finally:
            sys.argv = old_argv
            sys.stdout.flush()
            sys.stderr.flush()
        output = out.getvalue()
        return code, output if binary else output.decode("utf-8"), err.getvalue().decode("utf-8")


@pytest.fixture
def kg_cli():
    """`kg ARGS` in this process, through the real entry point: (exit code, stdout, stderr). Call it
    as kg_cli("query", "coauthors-of", NAME, "--store", path), with stdin=, env= or binary=True."""
    return run_main


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """One throwaway Virtuoso for the whole session (tests/virtuoso.py), stopped at the end whatever
    happens; the tests that need it are skipped where it is not installed."""
    yield from virtuoso_in(tmp_path_factory.mktemp("virtuoso"))


def virtuoso_in(folder: Path) -> Iterator[VirtuosoServer]:
    """A throwaway Virtuoso in `folder` for a fixture to yield, stopped after it; the test is skipped
    where Virtuoso is not installed."""
    from virtuoso_server import VirtuosoServer, missing

    why = missing()
    if why:
        pytest.skip(f"Virtuoso is not installed: {why}")
    server = VirtuosoServer.start(folder)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso_pushed(virtuoso, fixture_store) -> str:
    """The fixture store pushed to the session's Virtuoso as its Graph Store user, in batches of 2,000
    triples (so big graphs go as a PUT and POSTs); what kg push printed."""
    from virtuoso_server import PASSWORD, USER

    args = (
        "push",
        "--endpoint",
        virtuoso.gsp_url,
        "--user",
        USER,
        "--store",
        str(fixture_store),
        "--batch-triples",
        "2000",
    )
    code, out, err = run_main(*args, env={"KG_PUSH_PASSWORD": PASSWORD})
    assert (code, err) == (0, ""), err
    return out


_FAULTS_COUNTED: dict[str, int] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    from fault_tally import FAULTS

    before = FAULTS["faults"]
    yield
    _FAULTS_COUNTED[item.nodeid] = FAULTS["faults"] - before


def pytest_runtest_logreport(report):
    """A test of the fault suite (tests/test_faults*.py) that counts no fault of its own is one fault,
    survived when it passed."""
    from fault_tally import FAULTS

    if report.when != "call" or not Path(report.nodeid.split("::")[0]).name.startswith("test_faults"):
        return
    if _FAULTS_COUNTED.pop(report.nodeid, 0) == 0 and not report.skipped:
        FAULTS["faults"] += 1
        FAULTS["survived" if report.passed else "lost"] += 1


def pytest_terminal_summary(terminalreporter):
    """The fault tests' counts (faults injected, survived, lost; inputs tried, failures seen), when they ran."""
    from fault_tally import FAULTS, TALLY

    if FAULTS or TALLY:
        terminalreporter.section("faults tried")
        terminalreporter.write_line(
            f"faults {FAULTS['faults']}, survived {FAULTS['survived']}, lost {FAULTS['lost']}"
        )
        for what, n in sorted(TALLY.items()):
            terminalreporter.write_line(f"{n:6d}  {what}")


def pytest_collection_modifyitems(items):
    """Mark the tests that need a real browser or a Virtuoso, so `-m "not chromium and not virtuoso"`
    runs the rest: by the fixtures they take, or the engine they are parametrised with."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if fixtures & {"virtuoso", "virtuoso_pushed"} or "virtuoso" in str(params.get("engine", "")):
            item.add_marker(pytest.mark.virtuoso)
        if item.module is not None and item.module.__name__ == "test_virtuoso":
            item.add_marker(pytest.mark.virtuoso)
        if "chromium" in fixtures:
            item.add_marker(pytest.mark.chromium)
