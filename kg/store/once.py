"""Each quad handed to the bulk loader once, however many pages state or entail it.

Pages share facts (a paper and its authors are stated by the page of each of its authors) and so share
consequences: measured on generated corpora, 2.8 lines of a build's facts in 3 and 1.8 of its inferred
lines in 3 were ones an earlier page had given. The store keeps one copy of each whatever it is given,
but the loader parses, sorts and writes every line it gets, so lines already given are dropped here.

A line is remembered in a table of fixed size (`SLOTS` numbers of 8 bytes): its CRC-32 chooses its
slot, and the slot holds its 64-bit hash (Python's, keyed afresh in each process, as the table is). A
line is dropped only when its slot holds its hash, so two lines must agree on both, 86 bits, for one to
be dropped wrongly: never, in practice. A line whose slot holds another's takes the slot, and the other,
given again, passes again, which the store then takes once. So memory is fixed whatever the corpus (64
MB for 8M slots, where a set of 4M MD5 digests took 300 MB), the lines remembered are the most recent,
and a line costs two C hashes (half what an MD5 digest and a set cost).

In a build from nothing each worker process keeps a smaller one of its own (`WORKER_SLOTS`) and drops
the lines it gave before, and the rows the build keeps as sets (a page's summary rows and printings:
`new_rows`): the build then hashes, and the pipe from the workers carries, each about once per worker
instead of once per page that gives it.
"""

from __future__ import annotations

import zlib
from array import array
from typing import Any, TypeVar

T = TypeVar("T", bound=tuple[Any, ...])

SLOTS = 1 << 23  # in the build process: 64 MB
# in each worker process (kg.store.pagework), which only thins what the build sees: 16 MB
WORKER_SLOTS = 1 << 21
_HELD = (1 << 64) - 1  # what a slot holds of a hash


class Once:
    """The lines given lately, by hash (see the module's doc)."""

    def __init__(self, slots: int = SLOTS):
        if slots & (slots - 1):
            raise ValueError(f"slots must be a power of two, not {slots}")
        self.mask = slots - 1
        # made at the first line: not held through identity, nor copied into the workers forked before
        self.table: array[int] | None = None

    def new_lines(self, data: bytes) -> bytes:
        """The N-Quads lines of `data` not given before, in their order."""
        lines = [line for line in data.split(b"\n") if line]
        kept = [lines[n] for n in self._new_positions(lines)]
        return b"\n".join(kept) + b"\n" if kept else b""

    def new_rows(self, kind: str, rows: list[T]) -> list[T]:
        """The rows (tuples of text) not given before as rows of this kind, in their order."""
        # a control character no N-Quads line holds raw: a row never takes a line's place
        texts = ["\x1f".join((kind, *map(str, row))).encode() for row in rows]
        return [rows[n] for n in self._new_positions(texts)]

    def _new_positions(self, texts: list[bytes]) -> list[int]:
        """Where `texts` holds a text not given before, in order; each is remembered."""
        if self.table is None:
            self.table = array("Q", bytes(8 * (self.mask + 1)))  # 0: an empty slot; a hash held is never 0
        table, mask, crc = self.table, self.mask, zlib.crc32
        kept = []
        for n, text in enumerate(texts):
            slot, mark = crc(text) & mask, (hash(text) & _HELD) | 1
            if table[slot] == mark:
                continue
            table[slot] = mark
            kept.append(n)
        return kept
