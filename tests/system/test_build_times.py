"""The time a build has left (kg.system.build_times, kg.system.progress.Forecast): learnt from the
builds from nothing this machine completed, scaled to the pages, at the pace the build keeps."""

from __future__ import annotations

import json
import os

import pytest
from conftest import AS_OF, FIXTURE_PAGES

from kg.building.builder import build
from kg.system import build_times
from kg.system.progress import Forecast, left_text

NAMES, PEOPLE, READING, SUMMARY = "reading names", "telling people apart", "reading pages", "summarising"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_nothing_is_expected_before_a_build_completes(cache):
    assert build_times.expected(1000) is None


def test_one_build_kept_scales_with_the_pages(cache):
    build_times.remember(1000, {NAMES: 10.0, PEOPLE: 5.0, READING: 100.0})
    assert build_times.expected(2000) == {NAMES: 20.0, PEOPLE: 10.0, READING: 200.0}
    assert list(build_times.expected(500) or {}) == [NAMES, PEOPLE, READING]  # in the order they came


def test_two_builds_kept_give_each_phase_its_own_growth(cache):
    """Identity grows faster than the pages: the power law through the two nearest sizes."""
    build_times.remember(1000, {NAMES: 10.0, PEOPLE: 5.0, READING: 100.0})
    build_times.remember(4000, {NAMES: 40.0, PEOPLE: 40.0, READING: 400.0})
    between = build_times.expected(2000)
    assert between is not None
    assert between[NAMES] == pytest.approx(20.0) and between[READING] == pytest.approx(200.0)
    assert between[PEOPLE] == pytest.approx(5.0 * 2**1.5)  # 8x for 4x: n^1.5
    beyond = build_times.expected(16000)  # both kept below: their trend
    assert beyond is not None and beyond[PEOPLE] == pytest.approx(40.0 * 4**1.5)


def test_only_the_last_builds_are_kept(cache):
    for n in range(1, build_times.KEPT + 6):
        build_times.remember(n * 100, {READING: float(n)})
    kept = json.loads((cache / build_times.FILE).read_text())["builds"]
    assert len(kept) == build_times.KEPT and kept[-1]["pages"] == (build_times.KEPT + 5) * 100


@pytest.mark.parametrize("content", ["not json", '{"format": 1, "builds": [{"pages": "x"}]}', "[]"])
def test_a_cache_not_ours_is_ignored_then_replaced(cache, content):
    cache.mkdir()
    (cache / build_times.FILE).write_text(content)
    assert build_times.expected(100) is None
    build_times.remember(100, {READING: 3.0})
    assert build_times.expected(100) == {READING: 3.0}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder")
def test_a_cache_that_cannot_be_written_is_no_error(cache):
    cache.mkdir()
    cache.chmod(0o500)
    try:
        build_times.remember(100, {READING: 3.0})
        assert build_times.expected(100) is None
    finally:
        cache.chmod(0o700)


def test_a_cache_in_a_file_s_place_is_no_error(cache):
    cache.write_text("a file, not a folder")
    build_times.remember(100, {READING: 3.0})
    assert build_times.expected(100) is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Shown:
    """A progress callback with a display of the time left, as the bar has."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []
        self.left: list[float] = []

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        self.calls.append((phase, done, total))

    def show_left(self, seconds: float) -> None:
        self.left.append(seconds)


def test_the_time_left_follows_the_phases_and_the_pace_kept():
    clock, shown = Clock(), Shown()
    forecast = Forecast(shown, clock)
    forecast.expect({NAMES: 10.0, PEOPLE: 20.0, READING: 100.0, SUMMARY: 10.0})
    forecast(NAMES, 0, 100)
    assert shown.left == [140.0]  # nothing counted yet: as expected
    clock.now = 5.0
    forecast(NAMES, 50, 100)
    assert shown.left[-1] == pytest.approx(5.0 + 130.0)  # the rest of its count at its own rate
    clock.now = 20.0  # names took twice what was expected: the rest at that pace
    forecast(PEOPLE, 0, None)
    assert shown.left[-1] == pytest.approx(2 * (20.0 + 100.0 + 10.0))
    clock.now = 60.0
    forecast(PEOPLE, 0, None)  # a tick: 40 s of the 40 expected at this pace
    assert shown.left[-1] == pytest.approx(2 * (100.0 + 10.0))
    clock.now = 70.0
    forecast(PEOPLE, 0, None)  # longer than expected: nothing more of it, the rest as before
    assert shown.left[-1] == pytest.approx(2 * (100.0 + 10.0))
    assert shown.calls[-1] == (PEOPLE, 0, None)  # the display is told the phases as before
    forecast.finish()
    assert forecast.seconds == {NAMES: 20.0, PEOPLE: 50.0}


def test_no_time_left_without_expectations_or_for_a_plain_callback():
    clock, shown = Clock(), Shown()
    forecast = Forecast(shown, clock)
    forecast(NAMES, 0, 10)
    assert shown.left == [] and shown.calls == [(NAMES, 0, 10)]
    calls: list[tuple[str, int, int | None]] = []
    plain = Forecast(lambda *call: calls.append(call), clock)
    plain.expect({NAMES: 10.0})
    plain(NAMES, 0, 10)
    assert calls == [(NAMES, 0, 10)]


@pytest.mark.parametrize(
    "seconds, text",
    [
        (3, "5 s"),
        (42, "40 s"),
        (61, "1 min"),
        (58, "1 min"),
        (3599, "1 h"),
        (3600, "1 h"),
        (4800, "1 h 20 min"),
    ],
)
def test_the_time_left_is_said_rounded(seconds, text):
    assert left_text(seconds) == text


def test_a_build_from_nothing_teaches_the_next_its_time_left(tmp_path, cache):
    """The first build from nothing on a machine shows no time left for the whole build; it keeps its
    phases, and the next shows the time left from them, all along."""
    first, second = Shown(), Shown()
    build([FIXTURE_PAGES], tmp_path / "one", as_of=AS_OF, progress=first)
    assert first.left == []
    kept = build_times.expected(len(list(FIXTURE_PAGES.iterdir())))
    assert kept is not None and list(kept)[:3] == [NAMES, PEOPLE, READING]
    assert "summarising" in kept and all(seconds >= 0 for seconds in kept.values())
    build([FIXTURE_PAGES], tmp_path / "two", as_of=AS_OF, progress=second)
    assert second.left and all(seconds >= 0 for seconds in second.left)
    assert len(second.left) == len(second.calls) - 1  # every report once the build is planned says it
    build([FIXTURE_PAGES / "000_d1e1c11066227b5a.txt"], tmp_path / "two", as_of=AS_OF, progress=second)
    assert len(json.loads((cache / build_times.FILE).read_text())["builds"]) == 2  # an update: not kept
