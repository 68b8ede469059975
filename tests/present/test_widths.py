"""Every command's output on a terminal of 60, 80 and 120 columns: no line is wider.

COLUMNS is the terminal's width as kg sees it (kg.terminal.terminal_width). The store is the sample
pages built, then changed twice, so that `kg diff` has changes to show.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, BAD_PAGES, FIXTURE_PAGES, run_main

from kg.present.terminal import text_width as _width
from kg.query.canned import Catalogue

WIDTHS = (60, 80, 120)
PAGE = "000_d1e1c11066227b5a.txt"
PEOPLE = ("Suyog Gupta", "Deepak Narayanan", "Mahdi Nazemi")
ARGUMENTS = {"person": ["Suyog Gupta"], "people": list(PEOPLE), "integer": ["3"], "text": ["nemotron"]}


@pytest.fixture(scope="module")
def bad_store(tmp_path_factory) -> Path:
    """A store with findings for kg validate to report."""
    path = tmp_path_factory.mktemp("bad") / "kg-store"
    code, _, err = run_main("build", str(BAD_PAGES), "--store", str(path), "-q")
    assert code == 1, err  # its rejected records: the rest is stored
    return path


@pytest.fixture(scope="module")
def changed_store(tmp_path_factory) -> tuple[Path, Path, dict[int, str]]:
    """The sample pages built three times, each time with a page changed and at another width: the
    store, the pages, and each build's output by width."""
    path = tmp_path_factory.mktemp("widths")
    pages, store = path / "pages", path / "kg-store"
    shutil.copytree(FIXTURE_PAGES, pages)
    outputs = {}
    page = pages / PAGE
    for n, width in enumerate(WIDTHS):
        if n:  # a paper gains an author, and another's date moves: kg diff has rows to show
            text = page.read_text(encoding="utf-8")
            text = text.replace("Suyog Gupta, Berkin Akin", f"Suyog Gupta, Ada Example{n}, Berkin Akin")
            page.write_text(text, encoding="utf-8")
        args = ("build", str(pages), "--store", str(store), "--as-of", AS_OF.isoformat())
        code, out, err = run_main(*args, env={"COLUMNS": str(width)})
        assert code == 0, err
        outputs[width] = out
    return store, pages, outputs


def commands(store: Path, pages: Path) -> list[tuple[str, ...]]:
    """Every command that shows a table or lines of text, with arguments that give it rows."""
    s = ("--store", str(store))
    people = [arg for name in PEOPLE for arg in ("--people", name)]
    listed: list[tuple[str, ...]] = [
        (),
        ("stats", *s),
        ("query", "--list"),
        ("query", "coauthors-of", "Suyog Gupta", "--why", *s),
        ("sparql", "SELECT ?p ?title WHERE { ?p a kg:Paper ; kg:title ?title }", *s),
        ("sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 50", *s),
        ("coi", *people, *s),
        ("coi", *people, "--same-org", *s),
        ("people", *s),
        ("people", "gupta", *s),
        ("diff", *s),
        ("diff", "--list", *s),
        ("search", "nemotron", "open", *s),
        ("parse", str(pages)),
        ("validate", *s),
    ]
    for canned in Catalogue().all():
        args = [arg for param in canned.params for arg in ARGUMENTS[param.kind]]
        listed.append(("query", canned.name, *args, *s))
    return listed


def wider_lines(text: str, width: int) -> list[str]:
    return [line for line in text.splitlines() if _width(line) > width]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_line_of_any_command_is_wider_than_the_terminal(changed_store, bad_store, width):
    store, pages, builds = changed_store
    assert not wider_lines(builds[width], width), "kg build"
    too_wide = {}
    for args in [*commands(store, pages), ("validate", "--store", str(bad_store))]:
        code, out, err = run_main(*args, env={"COLUMNS": str(width)})
        assert code in (0, 1), (args, err)
        assert out.strip() or args[0] == "diff", args  # each shows something
        found = wider_lines(out, width)  # stderr's FILE:LINE: messages stay one line each, for grep
        if found:
            too_wide[" ".join(args[:3])] = found[0]
    assert too_wide == {}
