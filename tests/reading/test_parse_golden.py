"""Every listing of the fixture pages, both layouts, every field, against records checked in as data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import AS_OF, FIXTURE_PAGES, SEEDS

from kg.reading.parse import parse_files as parse_pages
from kg.reading.records import to_jsonable
from kg.reading.text import fold

GOLDEN = Path(__file__).parents[1] / "golden" / "records"
PAGE_FILES = sorted(FIXTURE_PAGES.glob("*.txt"))


def as_golden(parsed) -> dict:
    return {
        "page": to_jsonable(parsed.page),
        "listings": [to_jsonable(listing) for listing in parsed.listings],
        "diagnostics": [str(d) for d in parsed.diagnostics],
    }


@pytest.fixture(scope="module")
def parsed_fixture_pages():
    return {p.page.source: p for p in parse_pages(PAGE_FILES, AS_OF)}


@pytest.mark.parametrize("page_file", PAGE_FILES, ids=lambda p: p.name)
def test_fixture_page_matches_golden_records(page_file, parsed_fixture_pages):
    expected = json.loads((GOLDEN / page_file.with_suffix(".json").name).read_text(encoding="utf-8"))
    actual = as_golden(parsed_fixture_pages[page_file.name])
    assert actual["page"] == expected["page"]
    assert actual["diagnostics"] == expected["diagnostics"]
    assert len(actual["listings"]) == len(expected["listings"])
    for got, want in zip(actual["listings"], expected["listings"], strict=True):
        assert got == want, f"{page_file.name}:{want['line']}"


def test_fixture_pages_hold_65_listings_of_59_papers(parsed_fixture_pages):
    listings = [listing for parsed in parsed_fixture_pages.values() for listing in parsed.listings]
    assert len(listings) == 65
    assert len({fold(listing.title) for listing in listings}) == 59


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the real seed pages are not beside this checkout")
def test_real_seed_pages_parse_like_the_fixtures():
    """The fixtures copy the seeds but for the abstracts: every other field must come out the same."""
    seeds = {p.page.source: p for p in parse_pages(sorted(SEEDS.glob("*.txt")), AS_OF)}
    assert sum(len(p.listings) for p in seeds.values()) == 65
    assert len({fold(listing.title) for p in seeds.values() for listing in p.listings}) == 59
    for source, parsed in seeds.items():
        golden = json.loads((GOLDEN / source.replace(".txt", ".json")).read_text(encoding="utf-8"))
        assert parsed.diagnostics == []
        assert to_jsonable(parsed.page) == golden["page"]
        for got, want in zip(parsed.listings, golden["listings"], strict=True):
            got = to_jsonable(got)
            assert got["abstract"], f"{source}:{got['line']} lost its abstract"
            got.pop("abstract"), want.pop("abstract")
            assert got == want, f"{source}:{want['line']}"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the real seed pages are not beside this checkout")
def test_the_14_fused_lines_of_the_real_seeds_split_exactly():
    seeds = parse_pages(sorted(SEEDS.glob("*.txt")), AS_OF)
    layout_b = [listing for p in seeds if p.page.layout == "B" for listing in p.listings]
    assert len(layout_b) == 14
    for listing in layout_b:
        golden = json.loads((GOLDEN / listing.source.replace(".txt", ".json")).read_text(encoding="utf-8"))
        want = next(w for w in golden["listings"] if w["line"] == listing.line)
        assert (listing.title, listing.authors) == (want["title"], want["authors"])
