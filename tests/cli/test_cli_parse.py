"""`kg parse`: what kg reads from pages, without building (stdout), problems on stderr, exit codes."""

from __future__ import annotations

import json

from conftest import BAD_PAGES, FIXTURE_PAGES, run_main

KEYS = {
    "file",
    "line",
    "title",
    "authors",
    "truncated",
    "orgs",
    "date",
    "year_assumed",
    "category",
    "code",
    "score",
    "doubt",
}


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_json_is_one_object_per_listing_per_line():
    code, out, err = run_main("parse", str(FIXTURE_PAGES), "--as-of", "2026-11-24", "--format", "json")
    assert (code, err) == (0, "")
    listings = json_lines(out)
    assert len(listings) == 65
    assert all(set(x) == KEYS for x in listings)
    first = listings[0]
    assert first["file"] == "000_d1e1c11066227b5a.txt" and first["line"] == 12
    assert first["authors"][:2] == ["Aaron Blakeman", "Aaron Grattafiori"] and first["truncated"] is True
    b = next(x for x in listings if x["file"].startswith("001_") and x["line"] == 1)
    assert (b["title"], b["score"], b["year_assumed"], b["date"], b["code"]) == (
        "Nemotron 3 Super: Open, Efficient Mixture-of-Experts Hybrid Mamba-Transformer Model for Agentic Reasoning",
        95.3,
        True,
        "2026-04-14",
        True,
    )
    assert b["orgs"] == ["amazon-science", "cmu"] and b["doubt"] is None


def test_doubt_names_the_other_reading_and_warns_on_stderr():
    code, out, err = run_main(
        "parse", str(BAD_PAGES / "ambiguous_b.txt"), "--as-of", "2026-11-24", "--format", "json"
    )
    assert code == 0
    listing = json_lines(out)[1]
    assert (listing["title"], listing["authors"][0]) == (
        "Scaling Laws for Open Models",
        "BigScience Workshop",
    )
    assert listing["doubt"] == {
        "title": "Scaling Laws for Open ModelsBig",
        "authors": ["Science Workshop", "Teven Le Scao", "Angela Fan"],
    }
    assert err.startswith('ambiguous_b.txt:5: warning: took "Scaling Laws for Open Models" as the title')


def test_rejected_record_exits_1_with_the_diagnostic():
    code, out, err = run_main(
        "parse", str(BAD_PAGES / "impossible_date.txt"), "--as-of", "2026-11-24", "--format", "json"
    )
    assert code == 1
    assert err == "impossible_date.txt:19: error: impossible date Feb 30, 2021; the listing is skipped\n"
    assert [x["line"] for x in json_lines(out)] == [12, 26]


def test_table_shows_every_listing():
    code, out, err = run_main(
        "parse", str(FIXTURE_PAGES / "003_fd8b96957d83db75.txt"), "--as-of", "2026-11-24"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["where", "date", "cat", "title", "authors", "doubt"]
    assert len(lines) == 2 + 7
    assert lines[2].startswith("003_fd8b96957d83db75.txt:1 ")
    assert "2026-04-14*" not in out  # only assumed years are starred
    assert "Sangkug Lym, Mattan Erez" in out


def test_year_less_date_after_the_scrape_takes_the_year_before(tmp_path):
    page = tmp_path / "late.txt"
    page.write_text("LGDec 9\nA TitleAnn Lee, Bo Li\nAn abstract.\n", encoding="utf-8")
    code, out, err = run_main("parse", str(page), "--as-of", "2026-12-01", "--format", "json")
    assert (code, err) == (0, "")
    [listing] = json_lines(out)
    assert (listing["date"], listing["year_assumed"]) == ("2025-12-09", True)


def test_a_readme_among_the_pages_is_reported_once(tmp_path):
    (tmp_path / "notes.txt").write_text("# Notes\n\nSome words about the scrape.\n", encoding="utf-8")
    (tmp_path / "page.txt").write_text(
        "LGApr 9, 2020\nA TitleAnn Lee, Bo Li\nAn abstract.\n", encoding="utf-8"
    )
    code, out, err = run_main("parse", str(tmp_path), "--format", "json")
    assert code == 1
    assert err.splitlines() == [
        "notes.txt:1: error: not a profile page: no listing header and no profile metrics (it starts '# Notes'); the file is skipped"
    ]
    assert [x["file"] for x in json_lines(out)] == ["page.txt"]
