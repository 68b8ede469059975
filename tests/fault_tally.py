"""What the fault tests tried, counted, so that the end of a test run shows it (see conftest.py)."""

from __future__ import annotations

from collections import Counter

TALLY: Counter = Counter()
FAULTS: Counter = Counter()  # "faults", "survived", "lost": every fault injected, and how it ended


def count(what: str, n: int = 1) -> None:
    TALLY[what] += n


def fault(what: str, survived: bool) -> None:
    """One fault injected: `what` it was, and whether kg came through it (nothing lost, nothing escaped)."""
    TALLY[what] += 1
    FAULTS["faults"] += 1
    FAULTS["survived" if survived else "lost"] += 1
