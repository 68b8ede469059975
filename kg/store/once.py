"""Each quad handed to the bulk loader once, however many pages state or entail it.

Pages share facts (a paper and its authors are stated by the page of each of its authors) and so share
consequences: measured on generated corpora, 2.8 lines of a build's facts in 3 and 1.8 of its inferred
lines in 3 were ones an earlier page had given. The store keeps one copy of each whatever it is given,
but the loader parses, sorts and writes every line it gets, so lines already given are dropped here.

A line is remembered by its MD5 digest in a table of fixed size (`SLOTS` numbers of 8 bytes): some bits
of the digest choose its slot, 64 others are what the slot holds. A line is dropped only when its slot
holds its number, so two lines must agree on 86 bits of their digests for one to be dropped wrongly:
never, in practice. A line whose slot holds another's takes the slot, and the other, given again, passes
again, which the store then takes once. So memory is fixed whatever the corpus (64 MB for 8M slots,
where a set of 4M digests took 300 MB), and the lines remembered are the most recent.

In a build from nothing each worker process keeps a smaller one of its own (`WORKER_SLOTS`) and drops
the lines it gave before, and the rows the build keeps as sets (a page's summary rows and printings:
`new_rows`): the build then hashes, and the pipe from the workers carries, each about once per worker
instead of once per page that gives it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from hashlib import md5
from typing import Any, TypeVar

T = TypeVar("T", bound=tuple[Any, ...])
Item = TypeVar("Item")

SLOTS = 1 << 23  # in the build process: 64 MB
WORKER_SLOTS = (
    1 << 21
)  # in each worker process (kg.store.pagework), which only thins what the build sees: 16 MB
_SLOT_BITS = 64  # the digest's bits above these choose the slot; those below are what it holds


class Once:
    """The lines given lately, by digest (see the module's doc)."""

    def __init__(self, slots: int = SLOTS):
        if slots & (slots - 1):
            raise ValueError(f"slots must be a power of two, not {slots}")
        self.mask = slots - 1
        self.table = array("Q", bytes(8 * slots))  # 0: an empty slot; a number held is never 0

    def new_lines(self, data: bytes) -> bytes:
        """The N-Quads lines of `data` not given before, in their order."""
        lines = [line for line in data.split(b"\n") if line]
        kept = self._first_given(lines, (md5(line).digest() for line in lines))
        return b"\n".join(kept) + b"\n" if kept else b""

    def new_rows(self, kind: str, rows: list[T]) -> list[T]:
        """The rows (tuples of text) not given before as rows of this kind, in their order."""
        # a control character no N-Quads line holds raw: a row never takes a line's place
        digests = (md5("\x1f".join((kind, *map(str, row))).encode()).digest() for row in rows)
        return self._first_given(rows, digests)

    def _first_given(self, items: list[Item], digests: Iterator[bytes]) -> list[Item]:
        table, mask, held = self.table, self.mask, (1 << _SLOT_BITS) - 1
        kept = []
        for item, digest in zip(items, digests, strict=True):
            number = int.from_bytes(digest, "little")
            slot, mark = (number >> _SLOT_BITS) & mask, (number & held) | 1
            if table[slot] == mark:
                continue
            table[slot] = mark
            kept.append(item)
        return kept
