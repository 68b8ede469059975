"""Shared fixtures: the repo's fixture pages, and a store built from them once per session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
FIXTURE_PAGES = TESTS / "fixtures" / "pages"
BAD_PAGES = TESTS / "fixtures" / "bad"
SEEDS = TESTS.parent.parent / "shared" / "seeds"  # the real pages, beside the checkout (CI has them)
AS_OF = date(2026, 11, 24)
BUILT_AT_EPOCH = "1795478400"  # 2026-11-24T00:00:00Z: builds in tests are reproducible


@pytest.fixture(autouse=True)
def _reproducible_builds(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILT_AT_EPOCH)
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.delenv("KG_BASE", raising=False)


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory) -> Path:
    """A store built from tests/fixtures/pages; read-only for the tests that use it."""
    from kg.build import build

    path = tmp_path_factory.mktemp("fixture-store") / "kg-store"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", BUILT_AT_EPOCH)
    try:
        report = build([FIXTURE_PAGES], path, as_of=AS_OF)
    finally:
        mp.undo()
    assert report.rejected == 0, [str(d) for d in report.diagnostics]
    return path
