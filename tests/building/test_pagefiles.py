"""Which files a folder gives a build, and what each page is called (kg.building.pagefiles)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.building.pagefiles import NothingToBuild, find_pages, page_paths


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A folder of pages: nested, hidden, linked to a page outside, to a folder, and to nothing."""
    home = tmp_path / "pages"
    (home / "b" / "deeper").mkdir(parents=True)
    (home / ".drafts").mkdir()
    (tmp_path / "elsewhere").mkdir()
    for page in ("a.txt", "b/c.txt", "b/deeper/d.TXT", ".drafts/e.txt", "b-side.txt", "b/.hidden.txt"):
        (home / page).write_text("Ada Example\n", encoding="utf-8")
    (home / "notes.md").write_text("not a page\n", encoding="utf-8")
    (tmp_path / "elsewhere" / "far.txt").write_text("Ada Example\n", encoding="utf-8")
    (home / "link.txt").symlink_to(tmp_path / "elsewhere" / "far.txt")
    (home / "inner-link.txt").symlink_to(home / "a.txt")
    (home / "folder-link").symlink_to(tmp_path / "elsewhere")
    (home / "nowhere.txt").symlink_to(tmp_path / "gone.txt")
    return home


def test_a_folder_gives_its_pages_in_path_order_and_each_its_identity(home, tmp_path):
    plain: set[str] = set()
    files = find_pages([home], plain)
    names = [p.relative_to(home).as_posix() for p in files]
    assert names == [
        ".drafts/e.txt",
        "a.txt",
        "b/c.txt",
        "b/deeper/d.TXT",
        "b-side.txt",
        "inner-link.txt",
        "link.txt",
    ]
    assert files == sorted(files)  # as paths sort: a folder's pages before a name that extends it
    assert {str(p) for p in files if not p.is_symlink()} <= plain
    assert not any(Path(p).is_symlink() for p in plain)
    expected = {
        str(home / ".drafts/e.txt"): ".drafts/e.txt",
        str(home / "a.txt"): "a.txt",
        str(home / "b/c.txt"): "b/c.txt",
        str(home / "b/deeper/d.TXT"): "b/deeper/d.TXT",
        str(home / "b-side.txt"): "b-side.txt",
        str(home / "inner-link.txt"): "a.txt",  # a link is the page it leads to
        str(home / "link.txt"): str(tmp_path / "elsewhere" / "far.txt"),  # outside the home: in full
    }
    assert page_paths(files, home, plain) == expected
    assert page_paths(files, home) == expected  # told nothing: each file looked at


def test_a_page_given_by_a_relative_path_or_through_a_linked_folder_is_the_same_page(home, monkeypatch):
    monkeypatch.chdir(home / "b")
    given = [Path("c.txt"), Path("../a.txt"), Path("deeper/../c.txt")]
    assert list(page_paths(given, home).values()) == ["b/c.txt", "a.txt", "b/c.txt"]
    outside = Path(os.path.realpath(home / "folder-link" / "far.txt"))
    assert page_paths([home / "folder-link" / "far.txt"], home) == {
        str(home / "folder-link" / "far.txt"): str(outside)
    }


def test_a_folder_of_links_to_nothing_says_so(tmp_path):
    folder = tmp_path / "links"
    folder.mkdir()
    (folder / "a.txt").symlink_to(tmp_path / "gone.txt")
    with pytest.raises(NothingToBuild, match="skipped 1 link that leads nowhere"):
        find_pages([folder])
