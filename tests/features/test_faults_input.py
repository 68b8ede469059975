"""Faults from damaged files and hostile input: a summary with garbage in its middle, names that are
random bytes, limits past any number, files written through links, folders with nothing to read.
Each ends where a user can act: the work done from what is sound, or one line with exit 2."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from conftest import AS_OF, FIXTURE_PAGES, run_main
from fault_tally import fault


def build(store: Path, pages: list[Path], *options: str) -> None:
    code, _, err = run_main(
        "build", "-q", "--as-of", AS_OF.isoformat(), "--store", str(store), *options, *map(str, pages)
    )
    assert code == 0, err


def damage_the_middle(path: Path, seed: int = 7) -> None:
    """Garbage over a page in the middle of a summary, its start and end left sound: the first page of
    the papers' table, which every reader of it reads (another may be one that only some read)."""
    db = sqlite3.connect(path)
    ((root,),) = db.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'papers'")
    ((page_size,),) = db.execute("PRAGMA page_size")
    db.close()
    assert 1 < root < path.stat().st_size // page_size
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(random.Random(seed).randbytes(page_size))


@pytest.fixture(scope="module")
def three_generations(tmp_path_factory) -> Path:
    """A store built three times, from 3, 4 and 5 of the fixture pages: gen-1's database is retired,
    its summary kept."""
    store = tmp_path_factory.mktemp("three") / "kg-store"
    pages = sorted(FIXTURE_PAGES.glob("*.txt"))
    for n in (3, 4, 5):
        build(store, pages[:n])
    return store


def test_garbage_in_the_live_summary_is_read_around_and_made_again_by_the_next_build(
    three_generations, tmp_path
):
    store = tmp_path / "kg-store"
    shutil.copytree(three_generations, store)
    sound_diff = run_main("diff", "--store", str(store))
    sound_search = run_main("search", "--store", str(store), "neural", "network")
    live = (store / "CURRENT").read_text().strip()
    damage_the_middle(store / f"{live}.summary")
    damaged_diff = run_main("diff", "--store", str(store))
    damaged_search = run_main("search", "--store", str(store), "neural", "network")
    listed = run_main("diff", "--list", "--store", str(store))
    ok = damaged_diff == sound_diff and damaged_search == sound_search and listed[0] == 0
    fault("garbage in the middle of the live summary: kg diff and kg search", survived=ok)
    assert ok, (damaged_diff[2], damaged_search[2])
    code, _, err = run_main(
        "build",
        "-q",
        "--as-of",
        AS_OF.isoformat(),
        "--store",
        str(store),
        str(sorted(FIXTURE_PAGES.glob("*.txt"))[0]),
    )
    fault("garbage in the middle of the live summary: the next build", survived=code == 0)
    assert code == 0, err
    assert run_main("diff", "--store", str(store))[0] == 0


def test_garbage_in_a_summary_whose_database_is_gone_is_named_with_what_to_do(three_generations, tmp_path):
    store = tmp_path / "kg-store"
    shutil.copytree(three_generations, store)
    oldest = sorted(p.name.removesuffix(".summary") for p in store.glob("gen-*.summary"))[0]
    assert not (store / oldest).exists()  # its database is retired: only the summary tells it
    damage_the_middle(store / f"{oldest}.summary")
    code, _, err = run_main("diff", "--store", str(store), "--since", oldest)
    ok = code == 2 and err.count("\n") == 1 and f"{oldest}.summary is damaged" in err and "--since" in err
    fault("garbage in a summary whose database is retired", survived=ok)
    assert ok, (code, err)


def test_a_limit_past_any_number_means_no_limit(fixture_store):
    code, out, err = run_main(
        "search", "--store", str(fixture_store), "--limit", "99999999999999999999", "neural"
    )
    ok = code == 0 and out and err == ""
    fault("kg search --limit 99999999999999999999", survived=bool(ok))
    assert ok, err
    code, out, err = run_main(
        "query",
        "coauthors-of",
        "Suyog Gupta",
        "--store",
        str(fixture_store),
        "--limit",
        "99999999999999999999",
    )
    assert code == 0 and "Aaron Blakeman" in out, err


@pytest.mark.parametrize(
    "stdin,said",
    [
        (random.Random(3).randbytes(3000), "not UTF-8 text"),
        (b"\0" * (50 << 20), "more than 4 MB"),
        (b"\0" * 1000 + b"\n", "control characters"),
        (b"O@\nSuyog Gupta\n", "fewer than two letters"),
        ("".join(f"Person Number{i}\n" for i in range(20_001)).encode(), "more than 20,000 names"),
    ],
    ids=["random bytes", "50 MB of NULs", "NULs", "no name", "too many names"],
)
def test_names_from_stdin_are_text_and_names_or_refused_at_once(fixture_store, stdin, said):
    started = time.monotonic()
    code, _, err = run_main("coi", "--store", str(fixture_store), "--people", "-", stdin=stdin)
    took = time.monotonic() - started
    ok = code == 2 and said in err and len(err) < 300 and took < 10
    fault(f"kg coi --people - given {said}", survived=ok)
    assert ok, (code, err[:300], took)


# --- files written through links ----------------------------------------------------------------------


def export(fixture_store: Path, target: Path) -> tuple[int, str, str]:
    return run_main("export", "--store", str(fixture_store), "-o", str(target))


def test_a_link_that_leads_nowhere_is_refused_and_nothing_is_created(fixture_store, tmp_path):
    link = tmp_path / "out.ttl"
    link.symlink_to(tmp_path / "elsewhere" / "made.ttl")
    (tmp_path / "elsewhere").mkdir()
    code, _, err = export(fixture_store, link)
    ok = code == 2 and "which does not exist" in err and not (tmp_path / "elsewhere" / "made.ttl").exists()
    fault("kg export -o a dangling link", survived=ok)
    assert ok, err


def test_a_hard_linked_file_is_written_in_place_and_stays_linked(fixture_store, tmp_path):
    target = tmp_path / "out.ttl"
    target.write_text("old")
    os.link(target, tmp_path / "other-name.ttl")
    code, _, err = export(fixture_store, target)
    ok = (
        code == 0
        and (tmp_path / "other-name.ttl").read_text().startswith("@prefix")
        and target.stat().st_nlink == 2
    )
    fault("kg export -o a hard-linked file", survived=ok)
    assert ok, err


def test_a_symlinked_file_is_written_in_place(fixture_store, tmp_path):
    target = tmp_path / "real.ttl"
    target.write_text("old")
    inode = target.stat().st_ino
    (tmp_path / "link.ttl").symlink_to(target)
    code, _, err = export(fixture_store, tmp_path / "link.ttl")
    assert code == 0, err
    assert (tmp_path / "link.ttl").is_symlink() and target.stat().st_ino == inode
    assert target.read_text().startswith("@prefix")


@pytest.mark.skipif(os.geteuid() != 0, reason="making a link another user owns needs root")
def test_a_link_another_user_planted_in_a_shared_sticky_folder_is_not_followed(fixture_store, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    planted = shared / "out.ttl"
    planted.symlink_to(victim)
    os.lchown(planted, 65534, 65534)
    code, _, err = export(fixture_store, planted)
    ok = code == 2 and "another user owns" in err and victim.read_text() == "precious"
    fault("kg export -o a link planted in a sticky folder", survived=ok)
    assert ok, err
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777


# --- nothing to read --------------------------------------------------------------------------------


def test_a_folder_with_no_pages_is_told_not_taken_for_an_empty_graph(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run_main("parse", str(empty))
    ok = code == 2 and err == f"kg: no pages found in {empty}: it holds no *.txt files\n"
    fault("kg parse on a folder with no pages", survived=ok)
    assert ok, err
    loops = tmp_path / "loops"
    loops.mkdir()
    (loops / "a.txt").symlink_to("b.txt")
    (loops / "b.txt").symlink_to("a.txt")
    code, _, err = run_main("build", "--store", str(tmp_path / "s"), str(loops))
    ok = code == 2 and "skipped 2 links that lead nowhere, or round in a loop" in err
    fault("kg build on a folder of symlink loops", survived=ok)
    assert ok, err
    assert not (tmp_path / "s" / "CURRENT").exists()


def test_a_curation_folder_is_named_for_what_it_is(fixture_store, tmp_path):
    code, _, err = run_main(
        "build", "--store", str(tmp_path / "s"), "--curation", str(tmp_path), str(FIXTURE_PAGES)
    )
    ok = code == 2 and err == f"kg: {tmp_path} is a folder, not a curation file (kg-curation.toml)\n"
    fault("kg build --curation FOLDER", survived=ok)
    assert ok, err
