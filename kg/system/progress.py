"""What a build says as it goes: the phase it is in, and its count when it has one.

A build calls `progress(phase, done, total)`: `("reading names", done, total)` as the pages to read are
read for the names they show, `("telling people apart", 0, None)` while it decides who is who,
`("reading pages", done, total)` as pages are mapped, `("loading", done, total)` in MB as the loader
takes what the pages gave and it has not yet loaded, then each later phase as it starts (the
derivations' own phases, e.g. labelling and inferring, between loading and counting), again at least
every `TICK` seconds while a long one lasts. `total` is None for a phase that counts nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from tqdm import tqdm

Progress = Callable[[str, int, "int | None"], None]

NAMES, PEOPLE = "reading names", "telling people apart"  # a build's first pass, and identity
READING, LOADING, COUNTING = "reading pages", "loading", "counting"
SUMMARISING, SWITCHING = "summarising", "switching generation"  # the summary: what kg diff and kg search read
TICK = 1.0  # seconds between reports of a phase that counts nothing


@contextmanager
def ticking(progress: Progress, phase: str) -> Iterator[None]:
    """Tell `phase` now, then every `TICK` seconds until the block ends: a long phase that counts nothing
    shows that it is alive, and for how long it has run."""
    progress(phase, 0, None)
    done = threading.Event()

    def tick() -> None:
        try:
            while not done.wait(TICK):
                progress(phase, 0, None)
        except Exception:  # a display that fails stops ticking; the build goes on
            return

    ticker = threading.Thread(target=tick, name="kg-progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()


def on_bar(bar: tqdm[NoReturn]) -> BarProgress:  # a bar over no iterable: updated by hand
    return BarProgress(bar)


class BarProgress:
    """A progress callback drawing on a tqdm bar: the phase as its
    description, the pages as its count. A phase without a count shows the time it has taken, never a
    bar stuck at 100%. `show_left` (kg.system.progress.Forecast) adds the whole build's time left."""

    def __init__(self, bar: tqdm[NoReturn]):
        self.bar = bar

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        bar = self.bar
        if phase != bar.desc:
            bar.unit = "MB" if phase == LOADING else "page"  # what the count counts, and its rate
            if total is None:  # nothing to count: the time the phase has taken says it is alive
                bar.total, bar.bar_format = None, "{desc} {elapsed}{postfix}"
                bar.reset()
            else:  # a count again (the pages mapped after telling people apart): the bar and its rate
                bar.bar_format = None
            bar.set_description_str(phase, refresh=False)
        if total is not None:
            if total != bar.total:
                bar.reset(total)  # a new count (the pages, then the MB to load): a rate of its own
            bar.update(done - bar.n)
        else:
            bar.refresh()

    def show_left(self, seconds: float) -> None:
        self.bar.set_postfix_str(f"build about {left_text(seconds)} left", refresh=False)


def left_text(seconds: float) -> str:
    """A time left as people say it: `40 s`, `3 min`, `1 h 20 min`; rounded, since it is an estimate."""
    if seconds < 57.5:
        return f"{max(round(seconds / 5) * 5, 5)} s"
    minutes = max(round(seconds / 60), 1)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class Forecast:
    """A build's progress callback that also times its phases and, given what each phase is expected to
    take (kg.system.build_times), tells the display the time the whole build has left: `show_left(seconds)`
    on the callback it wraps, when that has one (the progress bar does; a caller's own callback is told
    the phases as before).

    The estimate: the phase under way, by its own rate when it counts (what is left of its count at the
    rate so far), else what it is expected to take less what it has taken; then every later phase as
    expected; all at the pace this build has kept so far against what was expected of the phases it
    has finished (a busier machine, a different corpus)."""

    def __init__(self, inner: Progress | None, clock: Callable[[], float] = time.monotonic):
        self.inner, self.clock = inner, clock
        self.expected: dict[str, float] | None = None
        self.seconds: dict[str, float] = {}  # each phase's wall time, in the order they came
        self.phase: str | None = None
        self.started = 0.0

    def expect(self, phases: dict[str, float] | None) -> None:
        self.expected = phases

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = self.clock()
        if phase != self.phase:
            self.finish(now)
            self.phase, self.started = phase, now
        if self.inner is None:
            return
        self.inner(phase, done, total)
        show = getattr(self.inner, "show_left", None)
        left = self.left(phase, done, total, now)
        if show is not None and left is not None:
            show(left)

    def finish(self, now: float | None = None) -> None:
        """The phase under way is over (the build ended, or another began)."""
        if self.phase is not None:
            now = self.clock() if now is None else now
            self.seconds[self.phase] = self.seconds.get(self.phase, 0.0) + (now - self.started)
            self.phase = None

    def left(self, phase: str, done: int, total: int | None, now: float) -> float | None:
        expected = self.expected
        if not expected or phase not in expected:
            return None
        finished = [p for p in self.seconds if p in expected and p != phase]
        planned = sum(expected[p] for p in finished)
        pace = min(max(sum(self.seconds[p] for p in finished) / planned, 0.25), 4.0) if planned > 0 else 1.0
        elapsed = now - self.started + self.seconds.get(phase, 0.0)
        if total and done > 0:
            current = elapsed * (total - done) / done
        else:
            current = max(expected[phase] * pace - elapsed, 0.0)
        order = list(expected)
        later = order[order.index(phase) + 1 :]
        return current + pace * sum(expected[p] for p in later if p not in self.seconds)
