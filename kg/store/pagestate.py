"""What a build remembers of each page's file, so that the next build reads an unchanged file no more
than a stat.

Every page a build reads leaves one record in the store's support database (its page graph there):
the file's size, modification time and inode, a SHA-256 of its bytes, what else its triples depended
on (the scrape date, kg's version, the ontology, the curation rules, the base), and what the build
needs of the page without reading it again: its layout, listings, diagnostics, and what it adds to or
took from the run's lexicon (kg.split.Lexicon), for layout B too. A later build skips a file whose stat is the same, or
whose stat changed but whose bytes hash the same (the record is then stamped again), when its triples
depended on nothing that changed. A layout-B page also depends on the lexicon the whole run learned
from the other pages: it is read again when that lexicon is not the one it was split with.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import __version__
from kg.model.vocab import KG
from kg.reading.split import Lexicon

STATE = KG + "fileState"  # <page graph> kg:fileState "JSON", in the page's graph of the support database


@dataclass
class FileState:
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    context: str  # context_digest(): what else the page's triples depend on
    layout: str = "?"
    listings: int = 0
    diagnostics: list[list[Any]] = field(default_factory=list)  # [severity, line, message]
    titles: list[str] = field(default_factory=list)  # layout A: what it adds to the run's lexicon
    names: list[str] = field(default_factory=list)
    lexicon: str = ""  # layout B: lexicon_digest() of the run's lexicon it was split with
    # layout B: the names and title words it adds to the run's lexicon (kg.parse.layout_b_entries);
    # None when not recorded (a kg before this one): the file is read for them
    fused_names: list[str] | None = None
    fused_words: list[str] | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> FileState | None:
        try:
            return cls(**json.loads(text))
        except (ValueError, TypeError):
            return None  # written by another kg: the file is read again

    @property
    def stat(self) -> tuple[int, int, int]:
        return (self.size, self.mtime_ns, self.inode)


def stat_of(path: Path) -> tuple[int, int, int]:
    """(size, mtime in ns, inode): a change to any of them sends the build to the file's bytes."""
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes: what a build looks at when the file's stat changed."""
    return digest(path.read_bytes())


def context_digest(as_of: date, ontology: str, rules: str, base: str) -> str:
    """What a page's triples depend on beside its own bytes (and, for layout B, the lexicon)."""
    return digest(f"{__version__}\n{as_of.isoformat()}\n{ontology}\n{rules}\n{base}".encode())


def lexicon_digest(lexicon: Lexicon) -> str:
    """The run's lexicon, as layout-B splits see it."""
    parts = [
        sorted(lexicon.titles),
        sorted(lexicon.names),
        sorted(lexicon.title_words.items()),
        sorted(lexicon.name_words.items()),
        sorted(lexicon.title_first_words),
    ]
    return digest(json.dumps(parts, ensure_ascii=False).encode("utf-8"))


def read_states(support: ox.Store, graphs: set[str] | None = None) -> dict[str, FileState]:
    """Every page's record, by page graph; or the records of these page graphs alone (an update given a
    few files reads the records of those, whatever the store holds)."""
    states = {}
    predicate = ox.NamedNode(STATE)
    if graphs is None:
        found: Iterable[ox.Quad] = support.quads_for_pattern(None, predicate, None, None)
    else:  # looked up one by one: an update's cost follows its pages, not the store
        found = (
            quad
            for graph in sorted(graphs)
            for quad in support.quads_for_pattern(ox.NamedNode(graph), predicate, None, None)
        )
    for quad in found:
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
            state = FileState.from_json(quad.object.value)
            if state is not None:
                states[quad.subject.value] = state
    return states


def state_nquad(graph: str, state: FileState) -> bytes:
    node = ox.NamedNode(graph)
    return f"{node} <{STATE}> {ox.Literal(state.to_json())} {node} .\n".encode()


def restamp(support: ox.Store, stamps: Iterable[tuple[str, FileState]]) -> None:
    """Replace the records of pages that were not rewritten: their stat, or the lexicon, changed."""
    predicate = ox.NamedNode(STATE)
    for graph, state in stamps:
        node = ox.NamedNode(graph)
        for quad in list(support.quads_for_pattern(node, predicate, None, node)):
            support.remove(quad)
        support.add(ox.Quad(node, predicate, ox.Literal(state.to_json()), node))


@dataclass
class Known:
    """A file the build need not read: unchanged since the build that recorded `state`."""

    page_id: str
    graph: str
    state: FileState
    content_hash: str  # its page graph's, as stored
    stat: tuple[int, int, int]  # as now: when it differs from the record's, the record is stamped again


def known_files(
    files: list[Path],
    pages: dict[str, tuple[str, str]],
    states: dict[str, FileState],
    stored_hashes: Mapping[str, str],
    context: str,
) -> dict[str, Known]:
    """The files whose pages are stored from the same bytes under the same context, by file as given.
    `pages`: each file's page id and page graph."""
    known = {}
    for file in files:
        page_id, graph = pages[str(file)]
        state = states.get(graph)
        if state is None or state.context != context or graph not in stored_hashes:
            continue
        try:
            stat = stat_of(file)
            if stat != state.stat and (stat[0] != state.size or file_digest(file) != state.sha256):
                continue
        except OSError:
            continue  # read as any page is, and said so
        known[str(file)] = Known(page_id, graph, state, stored_hashes[graph], stat)
    return known
