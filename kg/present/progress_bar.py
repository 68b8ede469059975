"""The progress bar of long builds: a tqdm bar that names the build's phase (kg.system.progress)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from kg.system.progress import Progress, on_bar


@contextmanager
def progress_bar(out: IO[str] | None = None) -> Iterator[Progress]:
    """A bar shown once the build takes more than a second: on `out` (the command's stderr, on a
    terminal); without it, for Python code, the notebook's widget where there is one (tqdm.auto)."""
    import tqdm
    import tqdm.auto

    make = tqdm.auto.tqdm if out is None else tqdm.tqdm
    with make(unit="page", delay=1.0, file=out, leave=False) as bar:
        yield on_bar(bar)
