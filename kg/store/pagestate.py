"""What a build remembers of each page's file, so that the next build reads an unchanged file no more
than a stat.

Every page a build reads leaves one record in its generation's file records (`gen-N.files`, a SQLite
table with a row a page, read whole in one query: `FileRecords`): the file's size, modification time
and inode, a SHA-256 of its bytes, what else its triples depended on (the scrape date, kg's version,
the ontology, the curation rules, the base), and what the build needs of the page without reading it
again: its layout, listings and diagnostics, and for layout B the digest of the run's lexicon it was
split with. What the page adds to the run's lexicon (kg.split.Lexicon) is kept apart, in its page
graph of the support database (`kg:lexiconEntries`): a build reads it only when it must learn the
lexicon again. A later build skips a file whose stat is the same, or whose stat changed but whose
bytes hash the same (the record is then stamped again), when its triples depended on nothing that
changed. A layout-B page also depends on the lexicon the whole run learned from the other pages: it is
read again when that lexicon is not the one it was split with.

A page has a record in a generation only when the generation stores the page (so a build takes a
recorded page as stored without looking): both are written by the build that takes the page's result,
and a page is only ever replaced, with its record.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox

from kg import __version__
from kg.model.terms import text_of
from kg.model.vocab import KG
from kg.reading.split import Lexicon

RECORDS_SUFFIX = ".files"  # beside a generation's folder: its pages' file records
ENTRIES = KG + "lexiconEntries"  # <page graph> kg:lexiconEntries "JSON", in the support database
STATE = KG + "fileState"  # where a kg before this one kept each record, whole: read once, to move it
BATCH = 5_000  # records written at a time: a build holds no more of them
READ_WHOLE = 1_000  # more records asked for than this (and an eighth of the store's): read in one pass

_COLUMNS = "graph, size, mtime_ns, inode, sha256, context, layout, listings, lexicon, diagnostics"
_TABLE = f"CREATE TABLE IF NOT EXISTS files ({_COLUMNS}, PRIMARY KEY (graph)) WITHOUT ROWID"
_LEXICONS = "CREATE TABLE IF NOT EXISTS lexicons (files_key PRIMARY KEY, files, lexicon)"
Entries = tuple[list[str], list[str], list[str] | None, list[str] | None]  # titles, names, fused ones


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

    def row(self, graph: str) -> tuple[Any, ...]:
        """The record as its table keeps it (what the page adds to the lexicon is kept apart)."""
        diagnostics = json.dumps(self.diagnostics, ensure_ascii=False) if self.diagnostics else None
        return (
            graph,
            *self.stat,
            self.sha256,
            self.context,
            self.layout,
            self.listings,
            self.lexicon,
            diagnostics,
        )

    @property
    def entries(self) -> Entries:
        return (self.titles, self.names, self.fused_names, self.fused_words)

    @property
    def stat(self) -> tuple[int, int, int]:
        return (self.size, self.mtime_ns, self.inode)


class Record(NamedTuple):
    """A file's record as its row holds it (what the page adds to the lexicon left out): read for
    every page given, and made a FileState only for a page recorded again. As objects, the records of
    100,000 pages took 2 s in a build, the collector walking them as they were made."""

    graph: str
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    context: str
    layout: str
    listings: int
    lexicon: str
    diagnostics: str | None  # JSON, when the page had any

    @property
    def stat(self) -> tuple[int, int, int]:
        return (self.size, self.mtime_ns, self.inode)

    def said(self) -> list[list[Any]]:
        """Its diagnostics: [severity, line, message]."""
        return json.loads(self.diagnostics) if self.diagnostics else []

    def state(self) -> FileState:
        return FileState(
            self.size, self.mtime_ns, self.inode, self.sha256, self.context, self.layout, self.listings,
            self.said(), lexicon=self.lexicon,
        )  # fmt: skip


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


def reads_whole(asked: int, stored: int) -> bool:
    """Whether records (or hashes) asked for are read in one pass over all of them rather than looked
    up one by one: a small update's cost follows its pages, one given the whole folder reads once."""
    return asked > READ_WHOLE and asked * 8 >= stored


class FileRecords:
    """A generation's file records (see the module's doc). Written in batches, each through a
    connection of its own: none is open while the build forks its workers."""

    def __init__(self, path: Path):
        self.path = path
        self._waiting: list[tuple[Any, ...]] = []
        self._damaged = False  # unreadable: written anew, its pages read again and recorded

    def read(self, graphs: Collection[str], whole: bool = False) -> dict[str, Record]:
        """The records of these page graphs (those recorded), looked up one by one or, when `whole`,
        read with every other."""
        with self._reading() as db:
            if db is None:
                return {}
            if whole:
                rows: Iterable[tuple[Any, ...]] = db.execute(f"SELECT {_COLUMNS} FROM files")
                wanted = set(graphs)
                return {row[0]: Record(*row) for row in rows if row[0] in wanted}
            query = f"SELECT {_COLUMNS} FROM files WHERE graph = ?"
            found = (db.execute(query, (graph,)).fetchone() for graph in graphs)
            return {row[0]: Record(*row) for row in found if row is not None}
        return {}  # damaged: written anew

    def lexicons(self) -> list[tuple[str, int, str]]:
        """The lexicons remembered for sets of files (kg.store.run_lexicon)."""
        with self._reading() as db:
            return [] if db is None else list(db.execute("SELECT files_key, files, lexicon FROM lexicons"))
        return []  # damaged

    def remember(self, lexicons: list[tuple[str, int, str]]) -> None:
        """These lexicons remembered, in place of those before."""
        with self._connected() as db:
            db.execute("DELETE FROM lexicons")
            db.executemany("INSERT INTO lexicons VALUES (?, ?, ?)", lexicons)

    def put(self, graph: str, state: FileState) -> None:
        self._waiting.append(state.row(graph))
        if len(self._waiting) >= BATCH:
            self.flush()

    def write(self, records: Iterable[tuple[str, FileState]]) -> None:
        """These records (page graph, record) written, with those put before."""
        for graph, state in records:
            self.put(graph, state)
        self.flush()

    def flush(self) -> None:
        """The records put so far, written (the tables made, if they are not)."""
        with self._connected() as db:
            db.executemany(f"INSERT OR REPLACE INTO files VALUES ({', '.join('?' * 10)})", self._waiting)
        self._waiting.clear()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        """A read-only connection (None when there are no records yet); records that cannot be read
        are marked to be written anew, and the block left as if it had read nothing."""
        if not self.path.is_file():
            yield None
            return
        db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            yield db
        except sqlite3.DatabaseError:
            self._damaged = True
        finally:
            db.close()

    @contextmanager
    def _connected(self) -> Iterator[sqlite3.Connection]:
        """A connection for one transaction, closed after it. Records that cannot be read are
        written anew: the pages they lose are read again by the next build, and recorded."""
        if self._damaged:
            self.path.unlink(missing_ok=True)
        db = sqlite3.connect(self.path)
        try:
            try:
                db.execute(_TABLE)
            except sqlite3.DatabaseError:
                db.close()
                self.path.unlink(missing_ok=True)
                db = sqlite3.connect(self.path)
            self._damaged = False
            with db:
                db.execute(_TABLE)
                db.execute(_LEXICONS)
                yield db
        finally:
            db.close()


def entries_nquad(graph: str, state: FileState) -> bytes:
    """What a page adds to the run's lexicon, as the support database keeps it."""
    node = ox.NamedNode(graph)
    value = ox.Literal(json.dumps(state.entries, ensure_ascii=False, separators=(",", ":")))
    return f"{node} <{ENTRIES}> {value} {node} .\n".encode()


def read_entries(support: ox.Store, graphs: Collection[str], whole: bool = False) -> dict[str, Entries]:
    """What each of these pages added to the run's lexicon, by page graph (those recorded)."""
    if not graphs:
        return {}
    predicate = ox.NamedNode(ENTRIES)
    if whole:
        found: Iterable[ox.Quad] = support.quads_for_pattern(None, predicate, None, None)
    else:
        found = (
            quad
            for graph in graphs
            for quad in support.quads_for_pattern(ox.NamedNode(graph), predicate, None, None)
        )
    entries: dict[str, Entries] = {}
    for quad in found:
        try:
            titles, names, fused_names, fused_words = json.loads(text_of(quad.object))
        except ValueError:
            continue  # read from the file instead
        entries[text_of(quad.subject)] = (titles, names, fused_names, fused_words)
    return entries


def older_records(support: ox.Store) -> dict[str, Record]:
    """The records a kg before this one kept whole in the support database, by page graph."""
    return {graph: Record(*state.row(graph)) for graph, state in _older_states(support).items()}


def _older_states(support: ox.Store) -> dict[str, FileState]:
    states = {}
    for quad in support.quads_for_pattern(None, ox.NamedNode(STATE), None, None):
        try:
            states[text_of(quad.subject)] = FileState(**json.loads(text_of(quad.object)))
        except (ValueError, TypeError):
            continue  # the page is read again
    return states


def move_records(support: ox.Store, records: FileRecords) -> int:
    """The records a kg before this one kept in the support database, moved to the file records and
    the lexicon entries (once, by the first build of such a store): how many were moved."""
    states = _older_states(support)
    for quad in list(support.quads_for_pattern(None, ox.NamedNode(STATE), None, None)):
        support.remove(quad)
    if states:
        entries = b"".join(entries_nquad(graph, state) for graph, state in states.items())
        support.load(entries, format=ox.RdfFormat.N_QUADS)
    records.write(states.items())  # the table made even when there is no record to move
    return len(states)


@dataclass
class Known:
    """A file the build need not read: unchanged since the build that recorded `state`."""

    page_id: str
    graph: str
    record: Record
    stat: tuple[int, int, int]  # as now: when it differs from the record's, the record is stamped again


def known_files(
    files: list[Path],
    pages: dict[str, tuple[str, str]],
    records: Mapping[str, Record],
    context: str,
) -> dict[str, Known]:
    """The files whose pages are stored from the same bytes under the same context, by file as given.
    `pages`: each file's page id and page graph; `records`: the records of the stored pages."""
    known = {}
    for file in files:
        page_id, graph = pages[str(file)]
        record = records.get(graph)
        if record is None or record.context != context:
            continue
        try:
            stat = stat_of(file)
            if stat != record.stat and (stat[0] != record.size or file_digest(file) != record.sha256):
                continue
        except OSError:
            continue  # read as any page is, and said so
        known[str(file)] = Known(page_id, graph, record, stat)
    return known
