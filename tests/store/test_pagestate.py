"""A build reads an unchanged file no more than a stat (kg.pagestate), gives what a build from nothing
gives, and makes no generation when nothing changed."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import AS_OF, FIXTURE_PAGES, run_main
from stores import assert_same_store

from kg.building.builder import build
from kg.reading.parse import parse_page
from kg.store import pagestate, pagework, run_lexicon
from kg.store.generations import KgStore

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from corpus import write_corpus

PAGE = "000_d1e1c11066227b5a.txt"


def live_states(store: Path) -> dict[str, pagestate.FileState]:
    kg = KgStore.open_read(store)
    records = pagestate.FileRecords(kg.records_path).read(set(kg.page_hashes(None)), whole=True)
    return {graph: record.state() for graph, record in records.items()}


def test_a_folder_built_again_parses_only_what_changed_and_gives_a_fresh_build(tmp_path, monkeypatch):
    """With workers (the layout-B pages wait for the lexicon the others teach, recorded or read)."""
    monkeypatch.setattr(pagework, "PARALLEL_FROM", 2)
    pages = tmp_path / "pages"
    write_corpus(40, 5, pages)
    first = build([pages], tmp_path / "updated", as_of=AS_OF, jobs=2)
    assert first.pages_parsed == 40
    layout_a = next(p for p in sorted(pages.iterdir()) if pagework.layout_of(p) == "A")
    text = layout_a.read_text(encoding="utf-8").rstrip("\n")
    layout_a.write_text(text + " Revised.\n", encoding="utf-8")  # its last abstract: the lexicon stays
    report = build([pages], tmp_path / "updated", as_of=AS_OF, jobs=2)
    assert (report.pages, report.pages_parsed, report.pages_written) == (40, 1, 1)
    assert report.plan is not None and report.plan.kind == "incremental"
    fresh = build([pages], tmp_path / "fresh", as_of=AS_OF, jobs=2)
    assert_same_store(tmp_path / "updated", tmp_path / "fresh")
    assert report.stats == fresh.stats
    assert sorted(map(str, report.diagnostics)) == sorted(map(str, fresh.diagnostics))  # recorded ones too


def test_a_changed_lexicon_reads_the_layout_b_pages_again(tmp_path, monkeypatch):
    monkeypatch.setattr(pagework, "PARALLEL_FROM", 2)
    pages = tmp_path / "pages"
    write_corpus(40, 5, pages)
    build([pages], tmp_path / "updated", as_of=AS_OF, jobs=2)
    layouts = {p: pagework.layout_of(p) for p in sorted(pages.iterdir())}
    layout_a = next(p for p, layout in layouts.items() if layout == "A")
    lines = layout_a.read_text(encoding="utf-8").split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith(("LG", "CL", "AR"))) + 1
    lines[title] = "Entirely New Words For A Title"  # a title the lexicon learns
    layout_a.write_text("\n".join(lines), encoding="utf-8")
    report = build([pages], tmp_path / "updated", as_of=AS_OF, jobs=2)
    assert report.pages_parsed == 1 + sum(layout == "B" for layout in layouts.values())
    build([pages], tmp_path / "fresh", as_of=AS_OF, jobs=2)
    assert_same_store(tmp_path / "updated", tmp_path / "fresh")
    again = build([pages], tmp_path / "updated", as_of=AS_OF, jobs=2)  # their records were stamped again
    assert (again.pages_parsed, again.new_generation) == (0, False)


def learned_from_records(monkeypatch) -> list[int]:
    """How many unread pages' lexicon entries each build read (kg.store.run_lexicon)."""
    asked: list[int] = []
    real = pagestate.read_entries

    def counted(support, graphs, whole=False):
        if graphs:
            asked.append(len(graphs))
        return real(support, graphs, whole)

    monkeypatch.setattr(run_lexicon, "read_entries", counted)
    return asked


def test_the_whole_folder_given_again_takes_the_lexicon_it_remembered(tmp_path, monkeypatch):
    """A change that adds to the lexicon what the page added before (an abstract) learns no lexicon
    from the other pages' records; a change of the page given alone, between, does not make the folder
    forget it; a new title learns it again, from every page, and the next build given the folder takes
    that one. Every time the store is what a build from nothing makes."""
    monkeypatch.setattr(pagework, "PARALLEL_FROM", 2)
    pages = tmp_path / "pages"
    write_corpus(40, 5, pages)
    layouts = {p: pagework.layout_of(p) for p in sorted(pages.iterdir())}
    assert "B" in layouts.values()
    build([pages], tmp_path / "s", as_of=AS_OF, jobs=2)
    asked = learned_from_records(monkeypatch)
    first, second = [p for p, layout in layouts.items() if layout == "A"][:2]
    for page in (first, second):
        page.write_text(page.read_text(encoding="utf-8").rstrip("\n") + " Revised.\n", encoding="utf-8")
        alone = build([page], tmp_path / "s", as_of=AS_OF, jobs=2)  # learns its own page's lexicon
        assert alone.pages_written == 1
    first.write_text(first.read_text(encoding="utf-8").rstrip("\n") + " Again.\n", encoding="utf-8")
    asked.clear()
    report = build([pages], tmp_path / "s", as_of=AS_OF, jobs=2)
    assert (report.pages_parsed, report.pages_written, asked) == (1, 1, [1])  # the changed page's own
    build([pages], tmp_path / "fresh", as_of=AS_OF, jobs=2)
    assert_same_store(tmp_path / "s", tmp_path / "fresh")
    text = second.read_text(encoding="utf-8")
    title = parse_page(text, second.name, AS_OF).listings[0].title
    second.write_text(text.replace(title, "Entirely New Words For A Title"), encoding="utf-8")
    asked.clear()
    report = build([pages], tmp_path / "s", as_of=AS_OF, jobs=2)
    assert report.pages_parsed == 1 + sum(layout == "B" for layout in layouts.values())
    assert asked == [1, len(layouts) - 1]  # the changed page's, then every other page's
    build([pages], tmp_path / "fresh", as_of=AS_OF, jobs=2)
    assert_same_store(tmp_path / "s", tmp_path / "fresh")
    asked.clear()
    again = build([pages], tmp_path / "s", as_of=AS_OF, jobs=2)
    assert (again.pages_parsed, again.new_generation, asked) == (0, False, [])


def test_records_an_older_kg_kept_in_the_support_database_are_moved_once(tmp_path):
    """A store whose records are kept whole in the support database (kg before the file records):
    the next build reads no page it need not, moves them, and makes a generation that holds them."""
    pages = tmp_path / "pages"
    write_corpus(12, 4, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    kg = KgStore.open_read(tmp_path / "s")
    states = live_states(tmp_path / "s")
    entries = pagestate.read_entries(ox.Store.read_only(str(kg.support_dir)), list(states))
    support_dir, records = kg.support_dir, kg.records_path
    kg.close()
    support = ox.Store(str(support_dir))
    for graph, state in states.items():  # as the older kg kept them
        node = ox.NamedNode(graph)
        for quad in list(support.quads_for_pattern(node, ox.NamedNode(pagestate.ENTRIES), None, node)):
            support.remove(quad)
        state.titles, state.names, state.fused_names, state.fused_words = entries[graph]
        whole = json.dumps(dataclasses.asdict(state))
        support.add(ox.Quad(node, ox.NamedNode(pagestate.STATE), ox.Literal(whole), node))
    support.flush()
    del support
    records.unlink()
    report = build([pages], tmp_path / "s", as_of=AS_OF)
    assert (report.pages_parsed, report.new_generation) == (0, True)
    assert live_states(tmp_path / "s") == states_without_entries(states)
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert_same_store(tmp_path / "s", tmp_path / "fresh")
    again = build([pages], tmp_path / "s", as_of=AS_OF)
    assert (again.pages_parsed, again.new_generation) == (0, False)


def test_damaged_file_records_read_every_page_again_and_are_written_anew(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    records = KgStore.open_read(tmp_path / "s").records_path
    records.write_bytes(b"not a SQLite file" * 100)
    report = build([pages], tmp_path / "s", as_of=AS_OF)
    assert (report.pages_parsed, report.pages_written, report.rejected) == (5, 0, 0)
    again = build([pages], tmp_path / "s", as_of=AS_OF)
    assert (again.pages_parsed, again.new_generation) == (0, False)


def states_without_entries(states: dict[str, pagestate.FileState]) -> dict[str, pagestate.FileState]:
    return {
        graph: dataclasses.replace(state, titles=[], names=[], fused_names=None, fused_words=None)
        for graph, state in states.items()
    }


def test_a_touched_file_is_hashed_once_then_a_stat_is_enough(tmp_path, monkeypatch):
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    for page in pages.iterdir():
        os.utime(page, ns=(1, 1))
    hashed = []
    real = pagestate.file_digest
    monkeypatch.setattr(pagestate, "file_digest", lambda path: hashed.append(path) or real(path))
    report = build([pages], tmp_path / "s", as_of=AS_OF)
    assert (report.pages_parsed, report.pages_unchanged, len(hashed)) == (0, 5, 5)
    assert {state.mtime_ns for state in live_states(tmp_path / "s").values()} == {1}
    hashed.clear()
    report = build([pages], tmp_path / "s", as_of=AS_OF)
    assert (report.pages_parsed, len(hashed)) == (0, 0)


def test_another_scrape_date_reads_every_page_again(tmp_path):
    build([FIXTURE_PAGES], tmp_path / "s", as_of=AS_OF)
    report = build([FIXTURE_PAGES], tmp_path / "s", as_of=AS_OF.replace(year=2027))
    assert report.pages_parsed == 5


# --- a build that changes nothing -----------------------------------------------------------------


def test_builds_that_change_nothing_make_no_generation_and_kg_diff_keeps_the_change(tmp_path):
    pages, store = tmp_path / "pages", str(tmp_path / "s")
    shutil.copytree(FIXTURE_PAGES, pages)
    args = ("build", str(pages), "--store", store, "--as-of", AS_OF.isoformat())
    assert run_main(*args)[0] == 0
    page = pages / PAGE
    page.write_text(
        page.read_text(encoding="utf-8").replace("Berkin Akin", "Berkin Q. Akin"), encoding="utf-8"
    )
    assert run_main(*args)[0] == 0
    for _ in range(3):
        code, out, err = run_main(*args)
        assert code == 0 and "the store (gen-000002)" in out
        assert err == "kg: nothing changed: gen-000002 stays live, and no generation was made\n"
    code, out, _ = run_main("diff", "--store", store, "--format", "json")
    changes = json.loads(out)
    assert (changes["from"]["generation"], changes["to"]["generation"]) == ("gen-000001", "gen-000002")
    assert changes["counts"]["authors_changed"] >= 1
    assert sorted(p.name for p in Path(store).glob("gen-*.json")) == ["gen-000001.json", "gen-000002.json"]


# --- a folder without pages ----------------------------------------------------------------------------


@pytest.fixture
def five_pages(tmp_path) -> str:
    store = str(tmp_path / "s")
    assert run_main("build", str(FIXTURE_PAGES), "--store", store, "--as-of", AS_OF.isoformat())[0] == 0
    return store


def pages_in(store: str) -> int:
    code, out, _ = run_main("stats", "--store", store, "--format", "json")
    assert code == 0
    return json.loads(out)["pages"]


def test_a_folder_without_pages_replaces_nothing_and_says_what_it_skipped(tmp_path, five_pages):
    empty = tmp_path / "notes"
    empty.mkdir()
    for name in ("p2.md", "p3", ".hidden.txt"):
        (empty / name).write_text("Ada Example\n", encoding="utf-8")
    code, out, err = run_main("build", str(empty), "--store", five_pages, "--fresh")
    assert (code, out) == (2, "")
    assert err.startswith(f"kg: no pages found in {empty}: kg reads *.txt files, and skipped p2.md, p3;")
    assert ".hidden" not in err and len(err.splitlines()) == 1
    assert pages_in(five_pages) == 5
    (empty / "p2.md").unlink()
    (empty / "p3").unlink()
    code, _, err = run_main("build", str(empty), "--store", five_pages)
    assert code == 2 and "it holds no *.txt files" in err
    assert pages_in(five_pages) == 5


def test_a_fresh_build_of_files_that_are_no_pages_is_refused(tmp_path, five_pages):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_bytes(b"")
    code, _, err = run_main("build", str(notes), "--store", five_pages, "--fresh")
    assert code == 2
    assert err.splitlines()[-1] == "kg: none of the 1 files given could be read as a page; nothing was built"
    assert pages_in(five_pages) == 5


def test_a_page_named_in_capitals_is_read(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(FIXTURE_PAGES / PAGE, pages / "P1.TXT")
    report = build([pages], tmp_path / "s", as_of=AS_OF)
    assert report.pages_written == 1
