"""The build's plan, its phases, and its workers: what a build does is the same however it runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import AS_OF

from kg.building import build
from kg.store import KgStore

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from corpus import write_corpus  # noqa: E402


def store_quads(path) -> set[str]:
    kg = KgStore.open_read(path)
    return {str(q) for q in kg.store.quads_for_pattern(None, None, None, None)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Enough pages of both layouts for worker processes (kg.pagework.PARALLEL_FROM)."""
    path = tmp_path_factory.mktemp("corpus")
    write_corpus(80, 7, path)
    return path


def test_workers_give_the_graph_one_process_gives(tmp_path, corpus):
    """Layout-B pages are split with the lexicon the layout-A pages taught, which reaches the workers
    forked before it was complete."""
    parallel = build([corpus], tmp_path / "parallel", as_of=AS_OF, jobs=2)
    alone = build([corpus], tmp_path / "alone", as_of=AS_OF, jobs=1)
    assert parallel.summary() == alone.summary()
    assert store_quads(tmp_path / "parallel") == store_quads(tmp_path / "alone")
