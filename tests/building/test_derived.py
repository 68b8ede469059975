"""What the build derives for the canned queries (kg.derived): one date per paper, the top pairs, the
order of the whole-graph lists; and reading a ranked query a page of blocks at a time (kg.queries)."""

from __future__ import annotations

import json
import shutil

import pyoxigraph as ox
import pytest
from conftest import AS_OF, FIXTURE_PAGES
from conftest import run_main as kg

from kg.building.builder import build
from kg.derive import ranks
from kg.derive.aggregates import preferred_date
from kg.model.vocab import KG
from kg.query import canned as queries
from kg.store.generations import KgStore

NEMOTRON_3 = "NVIDIA Nemotron 3: Efficient and Open Intelligence"


def rows(store, *args: str) -> list[dict]:
    code, out, err = kg("query", *args, "--store", str(store), "--format", "json")
    assert (code, err) == (0, "")
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(out)["results"]["bindings"]]


def test_the_preferred_date_is_the_earliest_printed_with_its_year():
    assert preferred_date({"2026-01-28": False, "2022-01-28": True}) == "2022-01-28"
    assert preferred_date({"2021-03-01": False, "2022-01-28": True, "2023-05-05": True}) == "2022-01-28"
    assert preferred_date({"2026-01-28": False, "2025-12-30": False}) == "2025-12-30"


@pytest.fixture
def two_dates(tmp_path):
    """The fixture pages, one of which gives a paper two other pages date Dec 24, 2025 no year (kg
    assumes 2026): the paper has two stated dates."""
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    page = pages / "000_d1e1c11066227b5a.txt"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("CLDec 24, 2025\nNVIDIA", "CLJan 5\nNVIDIA", 1), encoding="utf-8")
    build([pages], tmp_path / "s", as_of=AS_OF)
    return tmp_path / "s"


def test_a_paper_dated_two_ways_is_one_row_with_the_date_printed_with_its_year(two_dates):
    found = [r for r in rows(two_dates, "papers-of", "Suyog Gupta") if r["title"] == NEMOTRON_3]
    assert [r["date"] for r in found] == ["2025-12-24"]
    stated = queries.LocalEngine(KgStore.open_read(two_dates).store).run(
        f'SELECT ?d WHERE {{ ?p <{KG}title> "{NEMOTRON_3}" ; <{KG}datePublished> ?d }} ORDER BY ?d'
    )
    assert [row[0].value for row in stated.rows] == ["2025-12-24", "2026-01-05"]  # both stated dates kept
    timeline = {r["year"]: r["papers"] for r in rows(two_dates, "timeline", "Suyog Gupta")}
    assert "2026" not in timeline  # the paper counts once, in its preferred year


def test_top_collaborators_counts_each_pair_of_authors_once_per_paper(fixture_store):
    top = rows(fixture_store, "top-collaborators")
    assert len(top) == 100
    counts = [int(r["sharedPapers"]) for r in top]
    assert counts == sorted(counts, reverse=True)
    first = top[0]
    shared = rows(fixture_store, "shared-papers", first["person1"], first["person2"])
    assert len(shared) == int(first["sharedPapers"])


@pytest.mark.parametrize("name", ["hidden-owner", "incomplete-author-lists"])
def test_a_ranked_query_reads_the_same_rows_block_by_block_and_up_to_a_limit(
    fixture_store, tmp_path, monkeypatch, name
):
    whole = rows(fixture_store, name)
    assert len(whole) > 5
    monkeypatch.setattr(ranks, "BLOCK", 2)  # blocks of about two rows
    monkeypatch.setattr(queries, "RANK_PAGE", 2)  # read two blocks at most at a time
    build([FIXTURE_PAGES], tmp_path / "s", as_of=AS_OF)
    blocks = KgStore.open_read(tmp_path / "s").store.quads_for_pattern(
        None, ox.NamedNode(ranks.BLOCK_PLACE), None
    )
    assert len(list(blocks)) > 4
    assert rows(tmp_path / "s", name) == whole
    assert rows(tmp_path / "s", name, "--limit", "5") == whole[:5]
    assert rows(tmp_path / "s", name, "--limit", "0") == []


def test_a_ranked_query_looks_up_only_the_blocks_a_limit_needs(fixture_store):
    seen: list[str] = []

    class Recording(queries.LocalEngine):
        def run(self, query, limit=None):
            seen.append(query)
            return super().run(query, limit)

    engine = Recording(KgStore.open_read(fixture_store).store)
    canned = queries.Catalogue().get("hidden-owner")
    result = queries.run_bound(engine, canned, {}, limit=3)
    assert len(result.rows) == 3
    assert len(seen) == 1 and str(ox.Literal(1)) in seen[0] and str(ox.Literal(2)) not in seen[0]


def test_a_ranked_query_file_declares_one_rank_with_a_marker():
    with pytest.raises(queries.QueryFileError, match="has no '# @values rank'"):
        queries.parse_query_file("x", "# Help.\n# @ranked rank: its order\nSELECT * {} ORDER BY ?rank\n")
    with pytest.raises(queries.QueryFileError, match="one '# @ranked NAME: meaning'"):
        queries.parse_query_file("x", "# Help.\n# @ranked rank\nSELECT * { # @values rank\n}\n")
