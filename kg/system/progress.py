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


def on_bar(bar: tqdm[NoReturn]) -> Progress:  # a bar over no iterable: updated by hand
    """A progress callback drawing on a tqdm bar: the phase as its description, the pages as its count.
    A phase without a count shows the time it has taken, never a bar stuck at 100%."""

    def advance(phase: str, done: int, total: int | None) -> None:
        if phase != bar.desc:
            bar.unit = "MB" if phase == LOADING else "page"  # what the count counts, and its rate
            if total is None:  # nothing to count: the time the phase has taken says it is alive
                bar.total, bar.bar_format = None, "{desc} {elapsed}"
                bar.reset()
            bar.set_description_str(phase, refresh=False)
        if total is not None:
            if total != bar.total:
                bar.reset(total)  # a new count (the pages, then the MB to load): a rate of its own
            bar.update(done - bar.n)
        else:
            bar.refresh()

    return advance
