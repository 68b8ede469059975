"""How long the phases of the last builds from nothing took on this machine: what the progress display
estimates a build's time left from (kg.system.progress.Forecast).

A build from nothing that completes adds its page count and each phase's wall time to a small JSON file
in kg's cache folder (`KG_CACHE_DIR`, else `$XDG_CACHE_HOME/kg`, else `~/.cache/kg`): the last
`KEPT` builds. A build from nothing of P pages expects each phase to take what the kept builds took,
scaled to P: between the two kept sizes nearest P, by the power law through them (phases grow faster
than the pages, identity most), else by the pages from the nearest one. Nothing is expected before the
first build completes, and a cache that cannot be read or written is ignored (the build never fails for
it): the estimate is only ever what this machine did.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path

FILE = "build-times.json"
KEPT = 20  # builds remembered
FORMAT = 1

Phases = dict[str, float]  # phase (as kg.system.progress names it) -> seconds, in the order they came


def cache_dir() -> Path:
    """Where kg keeps what it learns on this machine: `KG_CACHE_DIR`, else the XDG cache folder."""
    given = os.environ.get("KG_CACHE_DIR")
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "kg"


def _read() -> list[tuple[int, Phases]]:
    try:
        data = json.loads((cache_dir() / FILE).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return []
        return [
            (int(b["pages"]), {str(p): float(s) for p, s in b["phases"]})
            for b in data["builds"]
            if int(b["pages"]) > 0
        ]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):  # none yet, or not ours
        return []


def remember(pages: int, phases: Phases) -> None:
    """Keep a completed build from nothing (its pages, each phase's seconds); silently nothing when the
    cache cannot be written."""
    if pages <= 0 or not phases:
        return
    builds = [*_read(), (pages, phases)][-KEPT:]
    data = {"format": FORMAT, "builds": [{"pages": n, "phases": list(p.items())} for n, p in builds]}
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=FILE, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(name, folder / FILE)  # whole or not at all: two builds may finish together
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(name)


def expected(pages: int) -> Phases | None:
    """Each phase's expected seconds for a build from nothing of `pages` pages, in the order of the
    nearest kept build's phases; None before any build was kept."""
    builds = _read()
    if not builds or pages <= 0:
        return None
    by_size: dict[int, Phases] = {}
    for n, phases in builds:  # the latest of each size
        by_size[n] = phases
    sizes = sorted(by_size, key=lambda n: (abs(math.log(n / pages)), -n))
    near = sizes[0]
    other = next((n for n in sizes[1:] if (n - pages) * (near - pages) < 0), None)  # on the other side
    if other is None and len(sizes) > 1 and near != pages:
        other = sizes[1]  # both on one side: the trend of the two nearest
    out: Phases = {}
    for phase, seconds in by_size[near].items():
        then = by_size[other].get(phase) if other is not None else None
        growth = 1.0
        if then and seconds > 0 and other is not None:
            growth = min(max(math.log(seconds / then) / math.log(near / other), 0.5), 2.0)
        out[phase] = seconds * (pages / near) ** growth
    return out
