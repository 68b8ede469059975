"""kg serve's pages in headless Chromium, used as a user uses them (tests/browser.py): search, open a
person, follow a coauthor, open a paper, fill in the conflicts form, download its CSV; each compared
with the CLI's answer on the same store. Offline: every host but 127.0.0.1 is unresolvable.

Skipped where there is no Chromium (Debian: apt-get install chromium; or set KG_CHROMIUM).
KG_UPDATE_SCREENSHOT=1 also saves tests/screenshots/site-person.png and site-coi.png, which the
README shows.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import struct
from pathlib import Path

import pytest
from browser import Browser, chromium_binary
from servers import kg_serving
from test_site import HOSTILE_OWNER, HOSTILE_TITLE, NEMOTRON, hostile_store  # noqa: F401 - a fixture

pytestmark = pytest.mark.chromium
SCREENSHOTS = Path(__file__).parents[1] / "screenshots"
SIZE = (1200, 900)


@pytest.fixture(scope="module")
def served(fixture_store):
    with kg_serving(fixture_store) as (_, url, _):
        yield url


@pytest.fixture
def browser(tmp_path):
    binary = chromium_binary()
    if not binary:
        pytest.skip("no Chromium to drive (Debian: apt-get install chromium; or set KG_CHROMIUM)")
    opened = Browser(binary, tmp_path / "profile", tmp_path / "downloads", SIZE)
    yield opened
    opened.stop()


def cli_rows(kg_cli, *args) -> list[dict[str, str]]:
    code, out, err = kg_cli(*args, "--format", "csv")
    assert code in (0, 1), err
    return list(csv.DictReader(io.StringIO(out)))


def keep_screenshot(browser: Browser, name: str, tmp_path: Path) -> None:
    shot = browser.screenshot(tmp_path / name)
    assert png_size(shot) == SIZE and len(shot) > 40_000  # a page of text and tables, not a blank one
    if os.environ.get("KG_UPDATE_SCREENSHOT"):
        shutil.copyfile(tmp_path / name, SCREENSHOTS / name)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_search_open_a_person_follow_a_coauthor_open_a_paper(
    browser, served, kg_cli, fixture_store, tmp_path
):
    store = ("--store", str(fixture_store))
    browser.open(served + "/")
    browser.type("#home-q", "pruning")
    browser.click("#home-q ~ button")
    hits = cli_rows(kg_cli, "search", "pruning", *store)
    shown = browser.table("#papers-table")
    assert [row[:3] for row in shown] == [[h["title"], h["date"], h["authors"]] for h in hits]

    browser.type("#kg-q", "suyog")  # a part of a name, as kg query takes it
    browser.click("header form button")
    assert browser.text("#best-person") == "The person kg query takes this name for: Suyog Gupta"
    browser.click("#best-person a")
    assert browser.url() == served + "/doc/person/suyog-gupta"
    assert browser.text("h1") == "Suyog Gupta"
    coauthors = cli_rows(kg_cli, "query", "coauthors-of", "Suyog Gupta", *store)
    expected = [
        [r["coauthor"], ("at least " if r["lowerBound"] == "true" else "") + r["sharedPapers"]]
        for r in coauthors
    ]
    assert browser.table("#coauthors-table") == expected
    papers = cli_rows(kg_cli, "query", "papers-of", "Suyog Gupta", *store)
    rows = browser.run("""Array.from(document.querySelectorAll('h3 + .scroll tbody tr'))
        .map(r => Array.from(r.cells).slice(0, 5).map(c => c.innerText.trim()))""")
    assert [r[:4] for r in rows] == [
        [p["title"], p["date"], p["category"], "code" if p["code"] == "true" else ""] for p in papers
    ]
    for row, paper in zip(rows, papers, strict=True):
        assert row[4].startswith(paper["authors"] + (" et al." if paper["truncated"] == "true" else ""))
    keep_screenshot(browser, "site-person.png", tmp_path)

    browser.click('#coauthors-table a[href="/doc/person/mahdi-nazemi"]')
    assert browser.text("h1") == "Mahdi Nazemi"
    theirs = cli_rows(kg_cli, "query", "coauthors-of", "Mahdi Nazemi", *store)
    assert [row[0] for row in browser.table("#coauthors-table")] == [r["coauthor"] for r in theirs]

    first = cli_rows(kg_cli, "query", "papers-of", "Mahdi Nazemi", *store)[0]
    browser.click("h3 + .scroll tbody tr a")
    assert browser.text("h1") == first["title"]
    authors = browser.run(
        "Array.from(document.querySelectorAll('#author-list li')).map(li => li.innerText.trim())"
    )
    cut = browser.run("document.querySelector('#et-al') !== null")
    assert ", ".join(authors) == first["authors"] and cut == (first["truncated"] == "true")
    (hit,) = [h for h in cli_rows(kg_cli, "search", first["title"], *store) if h["title"] == first["title"]]
    assert hit["where"] in [row[0] for row in browser.table("#listings-table")]


def test_the_conflicts_form_and_its_csv_give_kg_coi_answer(browser, served, kg_cli, fixture_store, tmp_path):
    authors = tmp_path / "authors.txt"
    authors.write_text("Mahdi Nazemi\nAaron Blakeman\nNobody Atall\n", encoding="utf-8")
    args = ["--people", "Suyog Gupta", "--people", "Deepak Narayanan", "--against", f"@{authors}"]
    args += ["--years", "3", "--as-of", "2026-11-24", "--store", str(fixture_store)]
    code, expected_csv, err = kg_cli("coi", *args, "--format", "csv")
    assert code == 1, err
    browser.open(served + "/coi")
    browser.type("#coi-people", "Suyog Gupta\nDeepak Narayanan")
    browser.attach("#coi-against-file", authors)
    browser.type("#coi-years", "3")
    browser.run(
        "document.querySelector('#coi-as-of').value = '2026-11-24'"
    )  # a date picker, set as it sets it
    browser.click("#coi-check")
    expected = list(csv.reader(io.StringIO(expected_csv)))
    assert browser.table("#coi-table") == [[c for c in row] for row in expected[1:]]
    assert "Nobody Atall" in browser.text("#coi-unresolved")
    keep_screenshot(browser, "site-coi.png", tmp_path)
    downloaded = browser.download("#coi-csv")
    assert downloaded.name == "conflicts.csv"
    assert downloaded.read_bytes().decode("utf-8") == expected_csv  # byte for byte, CRLF and all


def test_an_iri_opens_its_page_and_the_query_page_runs_offline(browser, served):
    browser.open(served + "/id/person/suyog-gupta")  # the 303 a browser follows
    assert browser.url() == served + "/doc/person/suyog-gupta"
    browser.open(served + "/sparql?example=top-collaborators")
    assert "kg:Collaboration" in browser.run("document.querySelector('#sparql-text').value")
    browser.click("#sparql-text + p button")
    rows = browser.table("#sparql-table")
    assert rows and all(row[2].isdigit() for row in rows)  # counts as numbers, not typed literals


@pytest.fixture
def hostile_served(hostile_store):  # noqa: F811 - the fixture imported above
    with kg_serving(hostile_store) as (_, url, _):
        yield url


def test_hostile_names_render_as_text(browser, hostile_served):
    browser.open(hostile_served + "/")
    browser.type("#home-q", "Zoë")
    browser.click("#home-q ~ button")
    browser.click("#best-person a")
    assert browser.text("h1") == HOSTILE_OWNER
    browser.click("h3 + .scroll tbody tr a")
    assert browser.text("h1") == HOSTILE_TITLE
    for page in ("/search?q=attention", "/coi?people=Zo%C3%AB%0AReN%C3%A9"):
        browser.open(hostile_served + page)
        # the names are text in the page: no element made of them, nothing run
        assert browser.run("document.querySelectorAll('img, script, b, i').length") == 0


def test_the_kept_screenshots_are_pictures():
    """The README shows them; regenerate with KG_UPDATE_SCREENSHOT=1 and this file's tests."""
    for name in ("site-person.png", "site-coi.png"):
        assert png_size((SCREENSHOTS / name).read_bytes()) == SIZE


def test_every_page_is_usable_by_keyboard_and_screen_reader(browser, served):
    """The first Tab reaches the skip link; every field has a label; every table a caption and column
    headers; every page one h1, and a landmark for its content."""
    pages = [
        "/",
        "/search?q=nemotron",
        "/doc/person/suyog-gupta",
        f"/doc/paper/{NEMOTRON}",
        "/coi",
        "/sparql",
    ]
    for page in pages:
        browser.open(served + page)
        browser.call(
            "Input.dispatchKeyEvent",
            session=True,
            type="keyDown",
            key="Tab",
            code="Tab",
            windowsVirtualKeyCode=9,
        )
        browser.call(
            "Input.dispatchKeyEvent",
            session=True,
            type="keyUp",
            key="Tab",
            code="Tab",
            windowsVirtualKeyCode=9,
        )
        assert browser.run("document.activeElement.className") == "skip", page
        unlabelled = browser.run(
            "Array.from(document.querySelectorAll('input, textarea, select')).filter(f => f.labels.length === 0).map(f => f.id || f.name)"
        )
        assert unlabelled == [], page
        tables = browser.run(
            "Array.from(document.querySelectorAll('table')).map(t => [!!t.caption, t.querySelectorAll('th[scope=col]').length > 0])"
        )
        assert all(caption and headers for caption, headers in tables), page
        assert browser.run(
            "[document.querySelectorAll('h1').length, !!document.querySelector('main#main')]"
        ) == [1, True]
