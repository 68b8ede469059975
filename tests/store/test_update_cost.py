"""A small update reads what it is given: the hashes and records of its own pages, never every page's
(kg.store.generations.PageHashes, kg.store.pagestate.FileRecords), and the stored mentions its names
reach (kg.store.mention_index)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from conftest import AS_OF, FIXTURE_PAGES
from corpus import write_corpus
from pages import page as profile
from stores import assert_same_store

from kg.building.builder import build
from kg.building.people import Deciding
from kg.model import clusters, identity_update
from kg.model.vocab import KG, Iris
from kg.store import generations, mention_index, pagestate, run_lexicon
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

    read, whole = pagestate.FileRecords.read, generations.PageHashes._whole
    entries = pagestate.read_entries

    def given_only(records, graphs, whole=False):
        assert len(graphs) == 1 and not whole, "an update given one page read every record"
        return read(records, graphs, whole)

    def lexicon_of_one(support, graphs, whole=False):
        assert len(graphs) <= 1 and not whole, "an update given one page read every page's lexicon"
        return entries(support, graphs, whole)

    monkeypatch.setattr(generations.PageHashes, "_whole", every_page)
    monkeypatch.setattr(pagestate.FileRecords, "read", given_only)
    monkeypatch.setattr(run_lexicon, "read_entries", lexicon_of_one)
    report = build([page], tmp_path / "s", as_of=AS_OF)
    assert report.pages_written == 1
    monkeypatch.setattr(generations.PageHashes, "_whole", whole)
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert_same_store(tmp_path / "s", tmp_path / "fresh")


def test_the_records_of_many_pages_are_read_in_one_pass_and_are_the_same(tmp_path):
    """An update given the whole folder asks for every page's record: one query over the records (not
    a look-up a page), with the same answer as the look-ups, pages not stored left out."""
    pages = tmp_path / "pages"
    write_corpus(12, 4, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    store = KgStore.open_read(tmp_path / "s")
    graphs = set(store.page_hashes(None))
    asked = {*graphs, "https://kg.example.org/id/graph/page/not-stored"}
    records = pagestate.FileRecords(store.records_path)
    one_by_one = records.read(asked)
    assert set(one_by_one) == graphs
    assert records.read(asked, whole=True) == one_by_one
    assert pagestate.reads_whole(1_001, 8_000) and not pagestate.reads_whole(1_001, 8_009)
    assert not pagestate.reads_whole(1_000, 1_000)


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


def updated_as_fresh(pages: Path, store: Path, file: str, old: str, new: str) -> None:
    """The page `file` printing `new` for `old`, built into `store` alone (an update): the store then
    holds what a build from nothing of the pages holds."""
    page = pages / file
    page.write_text(page.read_text(encoding="utf-8").replace(old, new))
    build([page], store, as_of=AS_OF)
    build([pages], store.parent / "fresh", as_of=AS_OF)
    assert_same_store(store, store.parent / "fresh")


@contextmanager
def live_support(store: Path) -> Iterator[tuple[ox.Store, Iris]]:
    """The live generation's support database, open for writing (as an earlier kg left it, say)."""
    kg = KgStore.open_read(store)
    support_dir = kg.support_dir
    kg.close()
    support = ox.Store(str(support_dir))
    yield support, Iris()
    support.flush()


def test_a_store_kept_without_the_index_gets_it_at_its_first_update(tmp_path):
    """A store written by a kg that kept no index of the mentions: the first update makes it from the
    stored rows, and then holds what a build from nothing holds."""
    pages = tmp_path / "pages"
    name_pages(pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    with live_support(tmp_path / "s") as (support, iris):
        support.clear_graph(ox.NamedNode(iris.mention_index_graph))
    updated_as_fresh(pages, tmp_path / "s", "ben.txt", "Ben Ray, Daniel Hume", "Ben Ray, D. Hume")


def test_a_store_whose_people_an_earlier_rule_decided_is_decided_again_whole(tmp_path, monkeypatch):
    """The index's version names the rule that decided the stored people: a store built under an
    earlier one (here: `J. Smith`, as near John Smith's profile as Jane Smith's, given to the first)
    and indexed under an earlier version is decided again over every stored mention at its first
    update, and then holds what a build from nothing holds."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for name, title, authors in [
        ("John Smith", "Sparse Models", "John Smith, Ann Lee"),
        ("Jane Smith", "Dense Models", "Jane Smith, Bo Ray"),
        ("Cy Dee", "Graphs of Words", "J. Smith, Ann Lee, Bo Ray, Cy Dee"),
        ("Zed Zulu", "Words of Graphs", "Zed Zulu, Quin Park"),  # the page updated: no one above
    ]:
        (pages / f"{name.split()[0].lower()}.txt").write_text(
            profile(name, [("Mar 1, 2024", title, authors)])
        )
    write_corpus(40, 3, pages / "more")  # so that one page is a small update (an incremental plan)
    nearest = clusters.nearest

    def first_profile_wins(near: dict[int, list[int]], sources: dict[int, int]) -> dict[int, int]:
        found = nearest(near, sources)
        return {n: min(sources.values()) if o == clusters.CONTESTED else o for n, o in found.items()}

    with monkeypatch.context() as earlier:
        earlier.setattr(clusters, "nearest", first_profile_wins)
        build([pages], tmp_path / "s", as_of=AS_OF)
    with live_support(tmp_path / "s") as (support, iris):
        version = ox.NamedNode(KG + "indexVersion")
        (mark,) = support.quads_for_pattern(None, version, None, ox.NamedNode(iris.mention_index_graph))
        support.remove(mark)
        support.add(ox.Quad(mark.subject, version, ox.Literal("6"), mark.graph_name))
    updated_as_fresh(pages, tmp_path / "s", "zed.txt", "Zed Zulu, Quin Park", "Zed Zulu, Q. Park")


def test_an_update_whose_names_read_as_before_decides_no_one_again(tmp_path, monkeypatch):
    """A listing given a title no other page lists, and another year: who is who reads the page as
    before (`identity_update.seen`), so no one is decided again, and the store is what a build from
    nothing makes. A title another page lists too is decided again: the paper joins names across pages."""
    pages = tmp_path / "pages"
    name_pages(pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    decided: list[int] = []
    update = identity_update.update

    def counted(*args, **kwargs):
        decided.append(1)
        return update(*args, **kwargs)

    def every_page(self: Deciding) -> None:
        raise AssertionError("an update read every stored page's mentions")

    monkeypatch.setattr(identity_update, "update", counted)
    monkeypatch.setattr(Deciding, "stored_rows", every_page)
    page = pages / "ann.txt"
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace("Tensor Tricks", "Tensor Tricks Revisited").replace("Mar 1, 2024", "Mar 1, 2023")
    )
    assert build([page], tmp_path / "s", as_of=AS_OF).pages_written == 1
    assert decided == []
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert_same_store(tmp_path / "s", tmp_path / "fresh")
    page = pages / "ben.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("Dense Graphs", "Kernel Tricks"))
    build([page], tmp_path / "s", as_of=AS_OF)
    assert decided == [1]
    build([pages], tmp_path / "fresh2", as_of=AS_OF)
    assert_same_store(tmp_path / "s", tmp_path / "fresh2")
