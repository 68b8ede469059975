"""A small update reads what it is given: the hashes and records of its own pages, never every page's
(kg.store.generations.PageHashes, kg.store.pagestate.read_states), and the stored mentions its names
reach (kg.store.mention_index)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
from conftest import AS_OF, FIXTURE_PAGES
from corpus import write_corpus
from pages import page as profile
from stores import assert_same_store

from kg.building.builder import build
from kg.building.people import Deciding
from kg.model.vocab import Iris
from kg.store import generations, mention_index, pagestate
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


def name_pages(folder: Path) -> None:
    """Three profiles naming Daniel Hume, and pages that name no one alike."""
    folder.mkdir(parents=True)
    (folder / "ann.txt").write_text(
        profile("Ann Lee", [("Mar 1, 2024", "Tensor Tricks", "Ann Lee, Daniel Hume")])
    )
    (folder / "ben.txt").write_text(
        profile("Ben Ray", [("May 3, 2024", "Dense Graphs", "Ben Ray, Daniel Hume")])
    )
    (folder / "hume.txt").write_text(
        profile("Daniel Hume", [("Jun 4, 2024", "Kernel Tricks", "Daniel Hume, Ann Lee")])
    )
    write_corpus(40, 3, folder / "more")


def test_an_update_that_prints_a_name_otherwise_reads_the_pages_the_name_reaches(tmp_path, monkeypatch):
    """Who is who is decided again from the index of the stored mentions (kg.store.mention_index): the
    pages printing the name and the names beside it, not every stored page."""
    pages = tmp_path / "pages"
    name_pages(pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    page = pages / "ben.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("Ben Ray, Daniel Hume", "Ben Ray, D. Hume"))
    read: list[str] = []
    rows = mention_index.StoredMentions.rows

    def counted(self: mention_index.StoredMentions, page_id: str) -> list:
        if page_id not in self._rows:
            read.append(page_id)
        return rows(self, page_id)

    def every_page(self: Deciding) -> None:
        raise AssertionError("an update read every stored page's mentions")

    with monkeypatch.context() as patched:
        patched.setattr(mention_index.StoredMentions, "rows", counted)
        patched.setattr(Deciding, "stored_rows", every_page)
        report = build([page], tmp_path / "s", as_of=AS_OF)
    assert report.pages_written == 1
    assert "ben" in read and set(read) <= {"ann", "ben", "hume"}, read
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert_same_store(tmp_path / "s", tmp_path / "fresh")


def test_a_store_kept_without_the_index_gets_it_at_its_first_update(tmp_path):
    """A store written by a kg that kept no index of the mentions: the first update makes it from the
    stored rows, and then holds what a build from nothing holds."""
    pages = tmp_path / "pages"
    name_pages(pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    kg = KgStore.open_read(tmp_path / "s")
    support_dir, iris = kg.support_dir, Iris()
    kg.close()
    support = ox.Store(str(support_dir))
    support.clear_graph(ox.NamedNode(iris.mention_index_graph))
    del support
    page = pages / "ben.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("Ben Ray, Daniel Hume", "Ben Ray, D. Hume"))
    build([page], tmp_path / "s", as_of=AS_OF)
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert_same_store(tmp_path / "s", tmp_path / "fresh")
