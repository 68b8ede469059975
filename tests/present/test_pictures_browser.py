"""The HTML of kg graph, drawn by a real browser: headless Chromium, offline, with a fresh profile.

The page writes, once vis-network has laid out and drawn the network, how many nodes the network holds
positions for into #kg-node-count (and edges into #kg-edge-count), and sets <body data-status="drawn">;
`--dump-dom` after a virtual-time budget shows them. A screenshot checks that something was painted.

Skipped when no Chromium is found (Debian: apt-get install chromium; or set KG_CHROMIUM to a binary).
KG_UPDATE_SCREENSHOT=1 also saves the depth-1 screenshot as tests/screenshots/coauthors-suyog-gupta.png,
the picture the README shows.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from browser import BROWSERS, OFFLINE_FLAGS, chromium_binary
from conftest import run_main

SCREENSHOT = Path(__file__).parents[1] / "screenshots" / "coauthors-suyog-gupta.png"
WINDOW = (1200, 900)
FLAGS = [
    *OFFLINE_FLAGS,  # offline: the page must draw from what it holds
    "--virtual-time-budget=20000",  # let the layout settle (virtual time: a few real seconds)
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
]


@pytest.fixture(scope="module")
def chromium() -> str:
    found = chromium_binary()
    if not found:
        pytest.skip(f"no Chromium to draw the page with (looked for {', '.join(BROWSERS)} and $KG_CHROMIUM)")
    return found


@pytest.fixture(scope="module")
def pages(fixture_store, tmp_path_factory) -> dict[int, Path]:
    """The page for Suyog Gupta at each depth, written by the command itself."""
    folder = tmp_path_factory.mktemp("pages")
    written = {}
    for depth in (1, 2):
        path = folder / f"suyog-depth-{depth}.html"
        args = [
            "graph",
            "coauthors-of",
            "Suyog Gupta",
            "--depth",
            str(depth),
            "--store",
            str(fixture_store),
            "-o",
            str(path),
        ]
        code, _, err = run_main(*args)  # conftest.kg_cli's in-process run; this fixture is module-wide
        assert code == 0, err
        written[depth] = path
    return written


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    profile.mkdir(parents=True)  # a fresh profile per run: no cache, no state from an earlier run
    done = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.mark.parametrize("depth, people, links", [(1, 23, 44), (2, 87, 171)])
def test_the_browser_draws_every_person(chromium, pages, tmp_path, depth, people, links):
    dom = run_chromium(chromium, tmp_path / "profile", "--dump-dom", pages[depth].as_uri()).stdout
    assert re.search(r'<body[^>]*data-status="drawn"', dom), "vis-network never finished drawing"
    assert re.search(r'id="kg-node-count">(\d+)<', dom)[1] == str(people)
    assert re.search(r'id="kg-edge-count">(\d+)<', dom)[1] == str(links)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_screenshot_shows_the_network(chromium, pages, tmp_path):
    shot = tmp_path / "shot.png"
    run_chromium(chromium, tmp_path / "profile", f"--screenshot={shot}", pages[1].as_uri())
    data = shot.read_bytes()
    assert png_size(data) == WINDOW
    # A blank 1200x900 page compresses to a few kB; 23 labelled circles and 44 lines take far more.
    assert len(data) > 40_000
    if os.environ.get("KG_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def test_the_kept_screenshot_is_a_picture():
    """The README shows it; regenerate with KG_UPDATE_SCREENSHOT=1 and this file's tests."""
    assert png_size(SCREENSHOT.read_bytes()) == WINDOW


def test_a_capped_network_draws_the_people_kept_and_counts_the_rest(chromium, fixture_store, tmp_path):
    page = tmp_path / "capped.html"
    args = ["graph", "coauthors-of", "Suyog Gupta", "--depth", "2", "--max-people", "40"]
    code, _, err = run_main(*args, "--store", str(fixture_store), "-o", str(page))
    assert code == 0, err
    dom = run_chromium(chromium, tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    assert re.search(r'<body[^>]*data-status="drawn"', dom), "vis-network never finished drawing"
    assert re.search(r'id="kg-node-count">(\d+)<', dom)[1] == "40"
    assert re.search(r'id="kg-more">47 more people with weaker links', dom)
    links = re.search(r'id="kg-edge-count">(\d+)<', dom)[1]
    assert re.search(r'id="kg-hover-count">(\d+)<', dom)[1] == links  # every link names its papers


def test_the_hub_screenshot_is_a_small_picture():
    """The README shows the benchmark hub's network (150 of 1,440 people), shot at 1000x720."""
    data = (SCREENSHOT.parent / "coauthors-hub.png").read_bytes()
    assert png_size(data) == (1000, 720) and len(data) < 150_000
