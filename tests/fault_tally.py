"""What the fault tests tried, counted, so that the end of a test run shows it (see conftest.py)."""

from __future__ import annotations

from collections import Counter

TALLY: Counter = Counter()


def count(what: str, n: int = 1) -> None:
    TALLY[what] += n
