"""Python's cycle collector, paused while a step makes a great many small objects that live on.

Each collection walks every tracked object the process holds, and a step that makes a million (the name
mentions of 20,000 pages, read back or clustered) triggers hundreds of collections: an update that
changed a name at 20,000 pages spent 6 of its 10 s of deciding people in them. The objects such a step
makes are tuples, strings and containers that form no cycles, so nothing is lost by not looking for
cycles until the step is done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, and back as it was after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
