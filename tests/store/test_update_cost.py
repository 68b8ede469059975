"""A small update reads what it is given: the hashes and records of its own pages, never every page's
(kg.store.generations.PageHashes, kg.store.pagestate.read_states)."""

from __future__ import annotations

import shutil

from conftest import AS_OF, FIXTURE_PAGES
from stores import assert_same_store

from kg.building.builder import build
from kg.store import generations, pagestate
from kg.store.generations import KgStore

PAGE = "003_fd8b96957d83db75.txt"


def test_an_update_given_one_page_reads_no_other_pages_hash_or_record(tmp_path, monkeypatch):
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    assert KgStore.open_read(tmp_path / "s").meta.extra["pages"] == 5
    page = pages / PAGE
    page.write_text(page.read_text(encoding="utf-8").rstrip("\n") + " Revised.\n")  # its names unchanged

    def every_page(*args: object) -> None:
        raise AssertionError("an update given one page read every page's hash")

    read_states, whole = pagestate.read_states, generations.PageHashes._whole

    def given_only(support, graphs=None):
        assert graphs is not None and len(graphs) == 1, "an update given one page read every record"
        return read_states(support, graphs)

    monkeypatch.setattr(generations.PageHashes, "_whole", every_page)
    monkeypatch.setattr(pagestate, "read_states", given_only)
    report = build([page], tmp_path / "s", as_of=AS_OF)
    assert report.pages_written == 1
    monkeypatch.setattr(generations.PageHashes, "_whole", whole)
    monkeypatch.setattr(pagestate, "read_states", read_states)
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert_same_store(tmp_path / "s", tmp_path / "fresh")
