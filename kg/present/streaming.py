"""Answers written as they come: `write_answer` runs a query and writes its rows while the engine still
finds them, so that `kg sparql 'SELECT * WHERE { ?s ?p ?o }'` shows its first rows at once, holds no
more than a few thousand rows in memory, and stops as soon as its reader does (`| head`).

An engine's `stream(query)` gives a `RowStream` (SELECT), a `TripleStream` (CONSTRUCT, DESCRIBE) or
a bool (ASK), whose iterator reads the answer lazily: the local store's cursor, or an endpoint's HTTP
response as it arrives. A worker thread pulls it (kg.query_limits.pump), and kg.render writes it.

With `limit`, the rows past it are counted for at most COUNT_BUDGET seconds, so a table can say
`10 of 1,234 rows`; when that is not known by then, it says `the first 10 rows`.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, cast

from kg.query.answers import RowStream, Solutions, Streamed, StreamingEngine, Term, TripleStream

if TYPE_CHECKING:
    import pyoxigraph as ox

    Item = tuple[Term | None, ...] | ox.Triple  # what a streamed answer holds: rows, or triples

COUNT_BUDGET = 0.5  # seconds spent counting the rows past --limit


@dataclass
class Written:
    """What `write_answer` wrote: `rows` (or triples); `cut` when the limit left some out; `total`, the
    answer's size, when known (None when counting the rest would have taken too long)."""

    rows: int
    cut: bool = False
    total: int | None = None

    def summary(self, limit: int | None) -> str | None:
        """What a table says about its size on stderr: `no rows`, `10 of 1,234 rows`, or `the first 10
        rows`; None when it showed the whole answer."""
        if self.rows == 0 and not self.cut:
            return "no rows"
        if not self.cut:
            return None
        if self.total is not None:
            return f"{self.rows:,} of {self.total:,} rows (--limit {limit})"
        return f"the first {_rows(self.rows)} (--limit {limit}; the rest not counted: it was taking long)"


def write_answer(
    engine: StreamingEngine,
    query: str,
    fmt: str,
    out: IO[str] | None = None,
    *,
    limit: int | None = None,
    timeout: float | None = None,
    width: int | None = None,
    note: Callable[[str], None] | None = None,
) -> Written:
    """Run `query` on `engine` and write its answer to `out` (stdout) in `fmt` as it comes: at most
    `limit` rows or triples, within `timeout` seconds (KgError past it). A table fits `width`
    columns, and tells `note` when it is empty or cut by the limit."""
    from kg.present import render
    from kg.query.limits import pump

    out = sys.stdout if out is None else out
    answer, feed = pump(lambda: engine.stream(query, limit), _split, timeout)
    try:
        if isinstance(answer, bool):
            out.write(render.format_boolean(answer, fmt))
            return Written(1)
        items = iter(feed)
        limited = itertools.islice(items, limit) if limit is not None else items
        # the feed holds the items of the answer `_split` took them from: triples, or rows
        if isinstance(answer, TripleStream):
            count = render.write_triples(cast("Iterator[ox.Triple]", limited), fmt, out)
        else:
            count = render.write_rows(
                answer.vars, cast("Iterator[tuple[Term | None, ...]]", limited), fmt, out, width=width
            )
        written = Written(count, total=count)
        if limit is not None and count == limit:
            rest = feed.count_rest(COUNT_BUDGET)
            written = Written(count, cut=rest != 0, total=None if rest is None else count + rest)
    finally:
        feed.close()
    if note is not None and fmt == "table":
        said = written.summary(limit)
        if said:
            out.flush()  # the table first, then what is said of it, where both go to one screen
            note(said)
    return written


def _rows(n: int) -> str:
    return "row" if n == 1 else f"{n:,} rows"


def _split(answer: Streamed) -> tuple[Streamed, Iterator[Item] | None]:
    """(the answer without its items, for the writer; its items, for the worker)."""
    if isinstance(answer, RowStream):
        return RowStream(answer.vars, iter(())), answer.rows
    if isinstance(answer, TripleStream):
        return TripleStream(iter(())), answer.triples
    return answer, None


def write_solutions(
    answer: Solutions,
    fmt: str,
    out: IO[str] | None = None,
    *,
    limit: int | None = None,
    width: int | None = None,
    note: Callable[[str], None] | None = None,
) -> Written:
    """Write a SELECT answer already read (a ranked canned query reads a page of ranks at a time,
    `kg.queries.run_bound`) as `write_answer` writes one. `answer` holds at most `limit` + 1 rows: one
    more than the limit says the limit cut it."""
    from kg.present import render

    out = sys.stdout if out is None else out
    rows = answer.rows if limit is None else answer.rows[:limit]
    count = render.write_rows(answer.vars, iter(rows), fmt, out, width=width)
    cut = limit is not None and len(answer.rows) > limit
    if note is not None and fmt == "table" and (cut or count == 0):
        out.flush()
        note(f"the first {_rows(count)} (--limit {limit})" if cut else "no rows")
    return Written(count, cut=cut)
