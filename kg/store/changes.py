"""What a small update changed in the graphs its pages share (the graph of facts, the inferred graph),
kept beside the generations so that `kg push` sends an engine the change without reading those graphs.

A small update (an incremental plan, kg.store.plan) writes through a `Recorder`, which notes every
triple put into or taken out of a graph that is not a page's: the last thing done to each is what the
new generation holds of it. At commit that is kept as

    kg-store/changes/<generation>.nq

its first line naming the generation it changed (`# from gen-000004`), then one N-Quads line for each
triple, marked `+` (the generation holds it) or `-` (it does not). A build of any other kind keeps none,
nor does an update that changed a shared graph in a way not followed (dropped whole), so a chain of
changes from an older generation to the live one exists only when each step is known: `since` composes
it, or says there is none. The newest KEEP are kept.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

FOLDER = "changes"
KEEP = 64  # the changes of this many generations are kept: a push from further back compares or sends whole
FOLLOWED = 1_000_000  # shared triples an update changes, at most, for its changes to be kept (memory)
_DELETE_DATA = re.compile(r"\s*DELETE DATA \{ GRAPH (<[^>]*>) \{ (.*) \} \}\s*", re.DOTALL)


class Recorder:
    """An Oxigraph store as a small update writes it, noting what changes in the shared graphs (every
    graph `is_page` says is not a page's). Reads and everything else go to the store as they are."""

    def __init__(self, store: ox.Store, is_page: Callable[[str], bool]):
        self._store: ox.Store | None = store
        self._is_page = is_page
        self._lock = threading.Lock()  # the build's loader writes from a thread of its own
        self.net: dict[ox.Quad, bool] = {}  # a shared triple -> held after the last change to it
        self.followed = True  # False once a shared graph changed in a way not noted (dropped whole)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def __contains__(self, quad: ox.Quad) -> bool:  # special methods are looked up on the class
        return quad in self.store

    def __len__(self) -> int:
        return len(self.store)

    def __iter__(self) -> Iterator[ox.Quad]:
        return iter(self.store)

    @property
    def store(self) -> ox.Store:
        assert self._store is not None, "the recorder was released"
        return self._store

    def release(self) -> None:
        """Let go of the store (the build closes it to go live), keeping what was noted."""
        self._store = None

    def _note(self, quads: Iterable[ox.Quad], held: bool) -> None:
        with self._lock:
            if not self.followed:
                return
            for quad in quads:
                graph = quad.graph_name
                if not (isinstance(graph, ox.NamedNode) and self._is_page(graph.value)):
                    self.net[quad] = held
            if len(self.net) > FOLLOWED:  # a large update: a push compares the graphs instead
                self.followed = False
                self.net.clear()

    def add(self, quad: ox.Quad) -> None:
        self.store.add(quad)
        self._note((quad,), True)

    def remove(self, quad: ox.Quad) -> None:
        self.store.remove(quad)
        self._note((quad,), False)

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        listed = list(quads)
        self.store.extend(listed)
        self._note(listed, True)

    def load(self, input: bytes | None = None, format: ox.RdfFormat | None = None, **options: Any) -> None:
        self.store.load(input, format=format, **options)
        self._note_loaded(input, format, options)

    def bulk_load(
        self, input: bytes | None = None, format: ox.RdfFormat | None = None, **options: Any
    ) -> None:
        self.store.bulk_load(input, format=format, **options)
        self._note_loaded(input, format, options)

    def _note_loaded(self, data: bytes | None, format: ox.RdfFormat | None, options: dict[str, Any]) -> None:
        if data is None or format != ox.RdfFormat.N_QUADS or options.get("to_graph") is not None:
            self.followed = False  # kg loads N-Quads it wrote; anything else is not followed
            return
        self._note(ox.parse(data, format=format, lenient=bool(options.get("lenient"))), True)

    def update(self, query: str, **options: Any) -> None:
        self.store.update(query, **options)
        found = _DELETE_DATA.fullmatch(query)
        if found is None:
            self.followed = False
            return
        graph = ox.NamedNode(found.group(1)[1:-1])
        triples = ox.parse(found.group(2).encode(), format=ox.RdfFormat.TURTLE)
        self._note((ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples), False)

    def remove_graph(self, graph: ox.NamedNode) -> None:
        self.store.remove_graph(graph)
        if not self._is_page(graph.value):
            self.followed = False

    def clear_graph(self, graph: ox.NamedNode) -> None:
        self.store.clear_graph(graph)
        if not self._is_page(graph.value):
            self.followed = False


@dataclass
class Changed:
    """The change of each shared graph from one generation to another: N-Triples lines to take out and
    to put in."""

    deletes: dict[str, list[bytes]] = field(default_factory=dict)
    inserts: dict[str, list[bytes]] = field(default_factory=dict)
    unsendable: bool = False  # a changed triple names a blank node (no SPARQL update takes it out), or
    # lies in the default graph: the graphs are then compared or sent whole

    def of(self, graph: str) -> tuple[list[bytes], list[bytes]]:
        return self.deletes.get(graph, []), self.inserts.get(graph, [])


def record(root: Path, generation: str, previous: str | None, recorder: Recorder | None) -> None:
    """At a build's commit: keep the changes `recorder` followed, as the changes from `previous` to
    `generation`, or, for a build that kept none, make sure no changes are kept under its name (a build
    killed before it went live may have left a generation of that name); let the oldest changes go.
    OSError when the store's folder cannot be written."""
    folder = root / FOLDER
    path = folder / f"{generation}.nq"
    if recorder is None or not recorder.followed or previous is None:
        path.unlink(missing_ok=True)
        return
    folder.mkdir(exist_ok=True)
    lines = [f"# from {previous}\n"]
    lines += [f"{'+' if held else '-'} {quad} .\n" for quad, held in recorder.net.items()]
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_text("".join(lines), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    kept = sorted(folder.glob("*.nq"))
    for old in kept[: max(len(kept) - KEEP, 0)]:
        old.unlink(missing_ok=True)


def since(root: Path, older: str, live: str) -> Changed | None:
    """The change of the shared graphs from generation `older` to `live`, composed from the changes
    kept; None when a step is not kept (a build that was not a small update, or changes let go)."""
    chain: list[list[str]] = []  # each step's lines, newest first
    at = live
    while at != older:
        try:
            lines = (root / FOLDER / f"{at}.nq").read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        if not lines or not lines[0].startswith("# from ") or len(chain) == KEEP:
            return None
        chain.append(lines)
        at = lines[0][len("# from ") :].strip()
    held: dict[str, bool] = {}
    for lines in reversed(chain):  # oldest first: the last change to a triple is what is held
        for line in lines[1:]:
            held[line[2:]] = line[0] == "+"
    changed = Changed()
    signs = {True: changed.inserts, False: changed.deletes}
    for held_now in (True, False):
        data = "\n".join(line for line, h in held.items() if h == held_now).encode()
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name
            if not isinstance(graph, ox.NamedNode):
                changed.unsendable = True
                continue
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                changed.unsendable = True
            signs[held_now].setdefault(graph.value, []).append(f"{quad.triple} .\n".encode())
    return changed
