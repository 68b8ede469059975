"""Each quad handed to the bulk loader once, however many pages state or entail it.

Pages share facts (a paper and its authors are stated by the page of each of its authors) and so share
consequences: measured on generated corpora, 2.8 lines of a build's facts in 3 and 1.8 of its inferred
lines in 3 were ones an earlier page had given. The store keeps one copy of each whatever it is given,
but the loader parses, sorts and writes every line it gets, so what was given already is dropped here.

What was given is remembered in a table of fixed size (`SLOTS` numbers of 8 bytes): a hash of each
triple (or row) chooses its slot, and the slot holds the hash. A triple is dropped only when its slot
holds its hash, so two triples must agree on 64 bits for one to be dropped wrongly: never, in practice.
A triple whose slot holds another's takes the slot, and the other, given again, passes again, which the
store then takes once. So memory is fixed whatever the corpus (64 MB for 8M slots, where a set of 4M MD5
digests took 300 MB), and the triples remembered are the most recent.

A build from nothing shares one table between its worker processes (`shared=True`: anonymous shared
memory, made before they are forked): each worker drops a page's triples that any page gave before,
before it writes them as N-Quads, so the pipe carries, and the build's own process handles, each about
once. Two workers writing one slot at once at worst let a triple pass twice. Triples are hashed as the
tuples of text they are, which Python hashes from the hashes its strings keep: less than half the cost of
hashing each N-Quads line, measured, and the lines dropped are never written.
"""

from __future__ import annotations

import itertools
import mmap
from typing import Any, TypeVar

T = TypeVar("T", bound=tuple[Any, ...])

SLOTS = 1 << 23  # 64 MB
_HELD = (1 << 64) - 1  # what a slot holds of a hash
# The shared tables made in this process, by number: a worker forked from it that is sent one (a
# broadcast of the build's work is pickled) takes the table it inherited, not a copy
_SHARED: dict[int, Once] = {}
_NUMBERS = itertools.count()


class Once:
    """What was given lately, by hash (see the module's doc)."""

    def __init__(self, slots: int = SLOTS, shared: bool = False):
        if slots & (slots - 1):
            raise ValueError(f"slots must be a power of two, not {slots}")
        self.mask = slots - 1
        self.table: memoryview | None = None  # made at the first line: not held before
        self._memory: mmap.mmap | None = None
        if shared:  # now, before the workers are forked: pages of it never written take no memory
            self._memory, self.table = _zeroed(slots)
            self.number = next(_NUMBERS)
            _SHARED[self.number] = self

    def close(self) -> None:
        """Let a shared table's memory go (a private one goes with the object)."""
        if self._memory is not None:
            _SHARED.pop(self.number, None)
            assert isinstance(self.table, memoryview)
            self.table.release()
            self._memory.close()
            self.table = self._memory = None

    def __reduce__(self) -> tuple[Any, ...]:
        if self._memory is not None:
            return (_inherited, (self.number, self.mask + 1))
        return (Once, (self.mask + 1,))  # what it remembers is the sender's own

    def new_triples(self, graph: str, triples: list[T]) -> list[T]:
        """The triples (tuples of text) not given before in `graph`, in their order."""
        return [triples[n] for n in self._new_positions(hash(graph), triples)]

    def new_rows(self, kind: str, rows: list[T]) -> list[T]:
        """The rows (tuples of text) not given before as rows of this kind, in their order."""
        return [rows[n] for n in self._new_positions(hash(("row", kind)), rows)]

    def new_lines(self, data: bytes) -> bytes:
        """The N-Quads lines of `data` not given before, in their order: for a build that is given
        each page's lines whole."""
        lines = [line for line in data.split(b"\n") if line]
        kept = [lines[n] for n in self._new_positions(0, lines)]
        return b"\n".join(kept) + b"\n" if kept else b""

    def _new_positions(self, salt: int, items: list[Any]) -> list[int]:
        """Where `items` holds one not given before (hashed with `salt`); each is remembered."""
        if self.table is None:  # an update that gives a few thousand lines touches a few pages of it
            _, self.table = _zeroed(self.mask + 1)
        table, mask = self.table, self.mask
        kept = []
        for n, item in enumerate(items):
            code = hash(item) ^ salt
            slot, mark = code & mask, (code & _HELD) | 1
            if table[slot] == mark:
                continue
            table[slot] = mark
            kept.append(n)
        return kept


def _inherited(number: int, slots: int) -> Once:
    """A shared table as a forked worker is sent it: the one it inherited (a process that did not
    inherit it gets a table of its own, which drops less, never more)."""
    return _SHARED.get(number) or Once(slots)


def _zeroed(slots: int) -> tuple[mmap.mmap, memoryview]:
    """A table of `slots` zeros (an empty slot: a hash held is never 0) in anonymous memory, which the
    kernel gives a page at a time as it is first written (making 64 MB of zeros at once took 54 ms)."""
    memory = mmap.mmap(-1, 8 * slots)
    return memory, memoryview(memory).cast("Q")
