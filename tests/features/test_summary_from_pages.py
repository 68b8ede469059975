"""The summary of a build from nothing (what kg diff and kg search read) is gathered from the pages as they
pass and from the labels the build chose: row for row what a read of the built store gives."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import AS_OF, FIXTURE_PAGES
from test_diff import page

from kg.building.builder import build
from kg.derive import summary
from kg.store.generations import KgStore, StoreWriter

TABLES = {
    "papers": "SELECT * FROM papers ORDER BY id",
    "people": "SELECT * FROM people ORDER BY id",
    "listings": "SELECT * FROM listings ORDER BY id",
    "authorships": "SELECT * FROM authorships ORDER BY listing, person",
    "words": "SELECT * FROM words ORDER BY word, paper",
}


def rows(db: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every table as it is, row ids included."""
    return {table: db.execute(query).fetchall() for table, query in TABLES.items()}


def test_a_build_from_nothing_writes_the_summary_its_store_gives_without_reading_it(tmp_path, monkeypatch):
    pages, store = tmp_path / "pages", tmp_path / "store"
    shutil.copytree(FIXTURE_PAGES, pages)
    # one paper on two pages, dated and printed differently; titles and names a store escapes
    (pages / "ana.txt").write_text(
        page(
            "Ana Lima",
            [
                ("Mar 3, 2024", 'Sparse "Graph" Transformers \\ Revisited', "Ana Lima, Bruno Costa"),
                (
                    "Jan 9, 2023",
                    "Graph Learning at Scale",
                    'Ana Lima, Carla Dias, Zoë \\O\'Brien, Dan "DJ" Eze',
                ),
            ],
        ),
        encoding="utf-8",
    )
    (pages / "bruno.txt").write_text(
        page(
            "Bruno Costa", [("Mar 4, 2024", 'Sparse "Graph" Transformers \\ Revisited', "B. Costa, Ana Lima")]
        ),
        encoding="utf-8",
    )
    read_back = []
    fill = summary._fill
    monkeypatch.setattr(summary, "_fill", lambda *args: read_back.append(1) or fill(*args))
    report = build([pages], store, as_of=AS_OF)
    assert report.rejected == 0 and report.plan is not None and report.plan.streams
    assert read_back == []  # nothing read back from the store
    reader = KgStore.open_read(store)
    try:
        on_disk = summary.open_file(reader.summary_path)
        from_store = summary.in_memory(reader.store, {})
        written, expected = rows(on_disk), rows(from_store)
        on_disk.close()
        from_store.close()
    finally:
        reader.close()
    assert written == expected
    titles = {title for _, _, title, *_ in written["papers"]}
    assert 'Sparse "Graph" Transformers \\ Revisited' in titles
    dates = {title: dates for _, _, title, dates, *_ in written["papers"]}
    assert dates['Sparse "Graph" Transformers \\ Revisited'] == "2024-03-03\n2024-03-04"
    shown = {title: shown for _, _, title, _, shown, *_ in written["papers"]}
    assert shown["Graph Learning at Scale"] == 'Ana Lima, Carla Dias, Zoë \\O\'Brien, Dan "DJ" Eze'
    assert any(truncated for *_, truncated in written["papers"])  # the sample pages cut lists (et al.)


def test_a_build_from_nothing_that_fails_leaves_no_summary(tmp_path, monkeypatch):
    store = tmp_path / "store"

    def killed(self, meta):
        raise KeyboardInterrupt

    monkeypatch.setattr(StoreWriter, "commit", killed)
    with pytest.raises(KeyboardInterrupt):
        build([FIXTURE_PAGES], store, as_of=AS_OF)
    assert sorted(p.name for p in Path(store).glob("gen-*.summary*")) == []
