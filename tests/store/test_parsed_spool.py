"""A build parses each page once (kg.store.parsed_spool): the mapping pass takes what the names pass
parsed, a file changed in between is parsed again, and nothing of it outlives the build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, FIXTURE_PAGES
from stores import assert_same_store

from kg.building.builder import build
from kg.reading.parse import parse_page
from kg.store import pagework
from kg.store.pagestate import digest
from kg.store.parsed_spool import SUFFIX, ParsedSpool

PAGE = FIXTURE_PAGES / "000_d1e1c11066227b5a.txt"


def parsed_folders(store: Path) -> list[str]:
    return sorted(p.name for p in store.iterdir() if p.name.endswith(SUFFIX))


def test_a_parse_is_taken_once_and_only_for_the_same_bytes(tmp_path):
    data = PAGE.read_bytes()
    parsed = parse_page(data, str(PAGE), AS_OF)
    with ParsedSpool.kept_in(tmp_path / "spool") as spool:
        spool.put(str(PAGE), digest(data), parsed)
        assert spool.take(str(PAGE), digest(data)) == parsed
        assert spool.take(str(PAGE), digest(data)) is None  # taken: the next pass parses
        spool.put(str(PAGE), digest(data), parsed)
        assert spool.take(str(PAGE), digest(data + b"\n")) is None  # the file changed
        assert not list((tmp_path / "spool").iterdir())
        (tmp_path / "spool" / "left.pickle").write_bytes(b"")
    assert not (tmp_path / "spool").exists()


def test_a_cut_short_parse_is_parsed_again(tmp_path):
    data = PAGE.read_bytes()
    with ParsedSpool.kept_in(tmp_path / "spool") as spool:
        spool.put(str(PAGE), digest(data), parse_page(data, str(PAGE), AS_OF))
        (kept,) = (tmp_path / "spool").iterdir()
        kept.write_bytes(kept.read_bytes()[:100])
        assert spool.take(str(PAGE), digest(data)) is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_from_spooled_parses_is_the_build_that_parses_twice(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(pagework, "PARALLEL_FROM", 2)
    taken: list[bool] = []
    take = ParsedSpool.take

    def counted(self: ParsedSpool, source: str, sha256: str):  # in this process when jobs == 1
        found = take(self, source, sha256)
        taken.append(found is not None)
        return found

    build([FIXTURE_PAGES], tmp_path / "twice", as_of=AS_OF, jobs=jobs)
    put = ParsedSpool.put
    monkeypatch.setattr(ParsedSpool, "put", lambda *args: None)  # nothing kept: every page parsed twice
    build([FIXTURE_PAGES], tmp_path / "parsed-twice", as_of=AS_OF, jobs=jobs)
    monkeypatch.setattr(ParsedSpool, "put", put)
    if jobs == 1:
        monkeypatch.setattr(ParsedSpool, "take", counted)
        build([FIXTURE_PAGES], tmp_path / "counted", as_of=AS_OF, jobs=1, fresh=True)
        assert taken and all(taken)  # every page mapped from what the names pass parsed
    assert_same_store(tmp_path / "twice", tmp_path / "parsed-twice")
    assert parsed_folders(tmp_path / "twice") == []


def test_a_page_changed_between_the_passes_is_mapped_as_it_now_reads(tmp_path, monkeypatch):
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    page = pages / PAGE.name
    put = ParsedSpool.put

    def then_edited(self: ParsedSpool, source: str, sha256: str, parsed) -> None:
        put(self, source, sha256, parsed)
        if source == str(page):  # the file is rewritten once its names are read
            page.write_text(page.read_text(encoding="utf-8").replace("FlexSA: Flexible", "FlexSA2: Flexible"))

    monkeypatch.setattr(ParsedSpool, "put", then_edited)
    build([pages], tmp_path / "s", as_of=AS_OF, jobs=1)
    monkeypatch.setattr(ParsedSpool, "put", put)
    build([pages], tmp_path / "after", as_of=AS_OF, jobs=1)
    assert_same_store(tmp_path / "s", tmp_path / "after")


def test_a_killed_build_leaves_no_parsed_pages_after_the_next(tmp_path, monkeypatch):
    import kg.derive.derived_graph

    def killed(*args):
        raise KeyboardInterrupt

    store = tmp_path / "s"
    build([PAGE], store, as_of=AS_OF)
    rule = kg.derive.derived_graph.run_coauthor_rule
    monkeypatch.setattr(kg.derive.derived_graph, "run_coauthor_rule", killed)
    with pytest.raises(KeyboardInterrupt):
        build([FIXTURE_PAGES], store, as_of=AS_OF)
    assert parsed_folders(store) == []  # removed as the pages were mapped
    (store / f"gen-000009{SUFFIX}").mkdir()  # as a build killed by SIGKILL leaves it
    monkeypatch.setattr(kg.derive.derived_graph, "run_coauthor_rule", rule)
    build([FIXTURE_PAGES], store, as_of=AS_OF)
    assert parsed_folders(store) == []
