"""`kg query ... --why`: every row followed by the pages and lines of the listings behind it."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from conftest import run_main

from kg.query.canned import Catalogue
from kg.system.resources import queries_dir

SUYOG = "Suyog Gupta"


def rows_with_supports(out: str) -> list[tuple[str, list[str]]]:
    """(row line, its support lines) from the table --why prints."""
    lines = out.rstrip("\n").split("\n")[2:]
    rows: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("    "):
            rows[-1][1].append(line.strip())
        else:
            rows.append((line, []))
    return rows


def test_coauthors_of_shows_each_shared_paper_with_its_page_and_line(fixture_store):
    code, out, _ = run_main("query", "coauthors-of", SUYOG, "--why", "--store", str(fixture_store))
    assert code == 0
    rows = rows_with_supports(out)
    assert len(rows) == 22
    for row, supports in rows:
        shared = int(re.split(r"\s{2,}", row.strip())[1])
        titles = {s.split("  ", 1)[1] for s in supports}
        assert len(titles) == shared, row  # every shared paper, each with at least one listing
        assert all(re.fullmatch(r"from \S+\.txt:\d+  .+", s) for s in supports), supports
    aaron = {row.split("  ")[0]: supports for row, supports in rows}["Aaron Blakeman"]
    assert aaron == [
        "from 000_d1e1c11066227b5a.txt:12  Nemotron 3 Nano: Open, Efficient Mixture-of-Experts Hybrid Mamba-Transformer Model for Agentic Reasoning",
        "from 000_d1e1c11066227b5a.txt:19  NVIDIA Nemotron 3: Efficient and Open Intelligence",
        "from 002_616fe619df06ff1f.txt:75  Nemotron 3 Nano: Open, Efficient Mixture-of-Experts Hybrid Mamba-Transformer Model for Agentic Reasoning",
        "from 002_616fe619df06ff1f.txt:82  NVIDIA Nemotron 3: Efficient and Open Intelligence",
        "from 004_0b1fd6c6ee51fc8c.txt:12  NVIDIA Nemotron 3: Efficient and Open Intelligence",
    ]


def test_the_lines_are_where_the_listings_start(fixture_store):
    from conftest import FIXTURE_PAGES

    code, out, _ = run_main("query", "papers-of", SUYOG, "--why", "--store", str(fixture_store))
    assert code == 0
    for _, supports in rows_with_supports(out):
        for support in supports:
            where, title = support.removeprefix("from ").split("  ", 1)
            page, line = where.rsplit(":", 1)
            text = (FIXTURE_PAGES / page).read_text(encoding="utf-8").split("\n")
            assert title in text[int(line) : int(line) + 3], (
                page,
                line,
                title,
            )  # the title follows the header


@pytest.mark.parametrize("name", Catalogue().names())
def test_every_canned_query_has_a_why_and_every_row_a_support(fixture_store, name):
    assert (queries_dir() / "why" / f"{name}.rq").is_file()
    args = {"coi": [SUYOG, "Mahdi Nazemi"], "shared-papers": [SUYOG, "Aaron Blakeman"]}.get(name)
    canned = Catalogue().get(name)
    args = args if args is not None else [SUYOG] * len(canned.params)
    code, out, err = run_main("query", name, *args, "--why", "--limit", "5", "--store", str(fixture_store))
    assert code == 0, err
    rows = rows_with_supports(out)
    assert rows and all(supports and "(no listing found)" not in supports for _, supports in rows), out


def test_why_in_csv_and_json_is_a_why_column(fixture_store):
    """Provenance is not for tables only: csv and json carry it in a `why` column."""
    args = ("query", "coauthors-of", SUYOG, "--why", "--limit", "2", "--store", str(fixture_store))
    code, out, _ = run_main(*args, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 2
    assert rows[0]["coauthor"] == "Aaron Blakeman"
    assert "000_d1e1c11066227b5a.txt:12  Nemotron 3 Nano" in rows[0]["why"]
    code, out, _ = run_main(*args, "--format", "json")
    answer = json.loads(out)
    assert answer["head"]["vars"] == ["coauthor", "sharedPapers", "lowerBound", "why"]
    assert answer["results"]["bindings"][0]["why"]["value"] == rows[0]["why"]


def test_why_with_a_limit_says_how_many_rows_there_were(fixture_store):
    code, out, err = run_main(
        "query", "coauthors-of", SUYOG, "--why", "--limit", "1", "--store", str(fixture_store)
    )
    assert code == 0 and len(rows_with_supports(out)) == 1
    assert err == "kg: 1 of 22 rows (--limit 1)\n"


def test_why_lines_fit_the_terminal(fixture_store):
    code, out, _ = run_main(
        "query", "coauthors-of", SUYOG, "--why", "--store", str(fixture_store), env={"COLUMNS": "60"}
    )
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 60
    assert "         Efficient Mixture-of-Experts" in out  # a long title goes on, indented under its line
