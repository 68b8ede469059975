"""What a build derives from the whole store once its pages are in, kept right by every build.

A `Derivation` is one piece of the derived part of the store: the consequences of each page, the
display labels, the coauthor rule, and any aggregate a canned query reads instead of computing it. The
owner of the derived part (`kg.inferred.InferredGraph`) runs each, in the order of
`kg.inferred.derivations()`, with what the build changed (`Change`): a build from nothing or in bulk
asks for everything again, a small update only for what its pages touched. A new derivation is a
subclass added to that list; it needs nothing else from the build.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.model.ntriples import iri, nquads, term
from kg.store.loading import in_pieces

if TYPE_CHECKING:
    from kg.model.ntriples import Triple
    from kg.store.generations import KgStore
    from kg.store.pagework import PageResult
    from kg.store.plan import BuildPlan

FACTS, INFERRED = "facts", "inferred"  # the graph whose triples a derivation writes (for the counts)


@dataclass
class ReplacedPage:
    """A page graph the build replaces, as its old version stood."""

    graph: str
    statements: list[Triple]  # everything it said: its own triples and the shared facts it stated
    stated_facts: list[Triple]  # the shared facts alone
    paper_authors: dict[str, set[str]]


@dataclass
class Change:
    """What a build wrote, for the derivations to bring their triples in line with."""

    plan: BuildPlan
    written: list[str] = field(default_factory=list)  # page graphs written (new or replacing one)
    replaced: list[ReplacedPage] = field(default_factory=list)
    people: set[str] = field(default_factory=set)  # whose coauthors may have changed (an incremental plan)
    relabelled: set[str] = field(default_factory=set)  # nodes whose display label changed (kg.derive.labels)
    printed: set[str] = field(default_factory=set)  # nodes whose printings the pages state (kg.derive.labels)
    additions: Additions | None = None  # where the derivations add triples (set for their update)

    @property
    def everything(self) -> bool:
        """Whether to derive for every node, not only those the written and replaced pages touched."""
        return not self.plan.incremental

    @property
    def any(self) -> bool:
        return bool(self.written) or self.plan.reinfers_all


class Additions:
    """Where derivations put the triples they add to the store: loaded at once, or, when `hold`, kept
    and loaded together at `flush()`.

    A build of everything holds them: each bulk load into a loaded store lays new files over the ones
    it loaded, and a few such loads make the store compact them all, into twice their space on disk
    (measured: seven loads of derived triples took a 172 MB store to 318 MB, two to 202 MB). A
    derivation that reads what an earlier one added calls `flush()` first."""

    def __init__(self, store: ox.Store, hold: bool = False):
        self.store, self.hold = store, hold
        self.held: list[bytes] = []

    def load(self, data: bytes) -> None:
        if self.hold:
            self.held.append(data)
        elif data:
            self.store.bulk_load(data, format=ox.RdfFormat.N_QUADS)

    def replace(self, graph: str, gone: list[Triple], new: list[Triple]) -> int:
        """Take `gone` out of the graph and put `new` in (N-Triples terms); the change in triples."""
        if len(gone) > 1000:  # many at once: one update in the store beats a call per triple
            listed = " ".join(f"{s} {p} {o} ." for s, p, o in gone)
            self.store.update(f"DELETE DATA {{ GRAPH {iri(graph)} {{ {listed} }} }}")
        else:
            named = ox.NamedNode(graph)
            for s, p, o in gone:
                self.store.remove(ox.Quad(term(s), term(p), term(o), named))
        if new:
            self.load(nquads(sorted(new), graph))
        return len(new) - len(gone)

    def flush(self) -> None:
        """Load what is held, in pieces: one bulk load holds about four times what it is given (at
        20,000 pages the derivations add 117 MB, which one call held as about 450 MB)."""
        held, self.held = self.held, []
        for piece in in_pieces(held):
            self.store.bulk_load(piece, format=ox.RdfFormat.N_QUADS)


class Derivation:
    """One piece of the derived part of the store (see the module's doc)."""

    phase = "deriving"  # what the progress display names while it runs
    graph = INFERRED  # FACTS or INFERRED

    def take(self, result: PageResult, plan: BuildPlan) -> bytes:
        """A page as the build writes it: N-Quads to load with it (a build in bulk), or b""."""
        return b""

    def last(self, kg: KgStore, plan: BuildPlan) -> Iterator[bytes]:
        """After the last page, in the same load: N-Quads that need no other look at the store, in
        pieces (the loader holds about four times what one call is given)."""
        return iter(())

    def update(self, kg: KgStore, change: Change) -> int:
        """Once the pages and facts are in: bring this derivation's triples in line; the change in the
        number of triples of its graph."""
        return 0
