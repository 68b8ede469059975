"""A generation's summary: what `kg diff` and `kg search` read, in one small SQLite file per generation.

A build writes it beside the generation it makes (`gen-N.summary`, see kg.store) once the graph is
complete and before it goes live: every paper (display title, dates, the authors shown as printed and by
their people's labels, whether the list was cut), every person (display name), every listing (page
file and line) with the people its authorships name, and a word index of the titles. It is a few
percent of the size of the database it summarises, so the store can keep it for several generations
after their databases are gone (`kg build --keep N`); `kg diff` compares two of them, `kg search` looks
words up in the live one.

Words are folded as kg folds names (kg.vocab.fold: accents stripped, case folded), then split on
anything that is not a letter or a digit.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import KgError
from kg.vocab import KG, PROV, RDF_TYPE, SKOS, fold

if TYPE_CHECKING:
    from kg.store import KgStore

FORMAT_VERSION = "1"
_WORD = re.compile(r"\w+")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE papers (
  id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
  dates TEXT NOT NULL,         -- the dates pages give, sorted, one a line (usually one)
  shown TEXT NOT NULL,         -- each distinct author list as printed, sorted, one a line
  shown_label TEXT NOT NULL,   -- the first of them with each name by its person's label
  truncated INTEGER NOT NULL   -- 1 when a page cut the list (et al.)
);
CREATE TABLE people (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE listings (
  id INTEGER PRIMARY KEY, paper INTEGER NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL
);
CREATE INDEX listings_by_paper ON listings (paper);
CREATE TABLE authorships (listing INTEGER NOT NULL, person INTEGER NOT NULL, PRIMARY KEY (listing, person))
  WITHOUT ROWID;
CREATE TABLE words (word TEXT NOT NULL, paper INTEGER NOT NULL, PRIMARY KEY (word, paper)) WITHOUT ROWID;
"""


def title_words(title: str) -> list[str]:
    """The words of a title or a search, folded: `Déjà-Vu Nets` gives deja, vu, nets."""
    return _WORD.findall(fold(title))


# --- writing: from a store --------------------------------------------------------------------------


def _subjects_objects(store: ox.Store, predicate: str) -> Iterator[tuple[str, ox.NamedNode | ox.Literal]]:
    for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
        if isinstance(quad.subject, ox.NamedNode):
            yield quad.subject.value, quad.object  # type: ignore[misc]


def write(store: ox.Store, path: Path, meta: dict[str, str]) -> None:
    """The summary of `store` written to `path`, whole or not at all (a temporary file, then a rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(tmp)
        try:
            _fill(db, store, meta)
            db.commit()
        finally:
            db.close()
        os.replace(tmp, path)
    except sqlite3.Error as e:  # a full disk, mostly: the build stops before the generation goes live
        raise KgError(f"cannot write {path}: {e}") from None
    finally:
        tmp.unlink(missing_ok=True)


def in_memory(store: ox.Store, meta: dict[str, str]) -> sqlite3.Connection:
    """The summary of a generation that has none on disk (built by an older kg), made on the fly."""
    db = sqlite3.connect(":memory:")
    _fill(db, store, meta)
    db.commit()
    return db


def _fill(db: sqlite3.Connection, store: ox.Store, meta: dict[str, str]) -> None:
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
    labels = {s: o.value for s, o in _subjects_objects(store, SKOS + "prefLabel")}
    papers = {s for s, o in _subjects_objects(store, RDF_TYPE) if o.value == KG + "Paper"}
    people = {s for s, o in _subjects_objects(store, RDF_TYPE) if o.value == KG + "Person"}
    dates: dict[str, set[str]] = defaultdict(set)
    for s, o in _subjects_objects(store, KG + "datePublished"):
        dates[s].add(o.value)
    shown: dict[str, set[str]] = defaultdict(set)
    for s, o in _subjects_objects(store, KG + "shownAuthors"):
        shown[s].add(o.value)
    shown_label: dict[str, set[str]] = defaultdict(set)
    for s, o in _subjects_objects(store, KG + "shownAuthorsLabel"):
        shown_label[s].add(o.value)
    truncated = {s for s, o in _subjects_objects(store, KG + "authorListTruncated") if o.value == "true"}
    paper_id = {iri: n for n, iri in enumerate(sorted(papers), start=1)}
    db.executemany(
        "INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (
                n,
                iri,
                labels.get(iri, ""),
                "\n".join(sorted(dates.get(iri, ()))),
                "\n".join(sorted(shown.get(iri, ()))),
                min(shown_label.get(iri, ()), default=""),
                int(iri in truncated),
            )
            for iri, n in paper_id.items()
        ),
    )
    person_id = {iri: n for n, iri in enumerate(sorted(people), start=1)}
    db.executemany(
        "INSERT INTO people VALUES (?, ?, ?)", ((n, iri, labels.get(iri, "")) for iri, n in person_id.items())
    )
    files = {s: o.value for s, o in _subjects_objects(store, KG + "sourceFile")}
    lines = {s: int(o.value) for s, o in _subjects_objects(store, KG + "sourceLine")}
    pages = {s: o.value for s, o in _subjects_objects(store, KG + "onPage")}
    listing_id: dict[str, int] = {}
    rows = []
    for listing, paper in sorted(_subjects_objects(store, KG + "listedPaper")):
        if paper.value in paper_id and listing in lines:
            listing_id[listing] = len(listing_id) + 1
            file = files.get(pages.get(listing, ""), "")
            rows.append((listing_id[listing], paper_id[paper.value], file, lines[listing]))
    db.executemany("INSERT INTO listings VALUES (?, ?, ?, ?)", rows)
    person_of = {s: o.value for s, o in _subjects_objects(store, KG + "authorshipPerson")}
    db.executemany(
        "INSERT OR IGNORE INTO authorships VALUES (?, ?)",
        (
            (listing_id[o.value], person_id[person_of[s]])
            for s, o in _subjects_objects(store, PROV + "wasDerivedFrom")
            if s in person_of and o.value in listing_id and person_of[s] in person_id
        ),
    )
    db.executemany(
        "INSERT OR IGNORE INTO words VALUES (?, ?)",
        ((word, n) for iri, n in paper_id.items() for word in set(title_words(labels.get(iri, "")))),
    )
    meta = {**meta, "format": FORMAT_VERSION, "papers": str(len(paper_id)), "people": str(len(person_id))}
    db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))


# --- reading ----------------------------------------------------------------------------------------


def open_file(path: Path) -> sqlite3.Connection:
    """A summary on disk, read-only. KgError when it is not there (retired) or not a summary."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.Error as e:
        raise KgError(f"cannot read {path}: {e}") from None
    return db


def open_live(kg_store: KgStore) -> sqlite3.Connection:
    """The summary of the generation a reader has open; made on the fly if its build wrote none."""
    if kg_store.summary_path.is_file():
        try:
            return open_file(kg_store.summary_path)
        except KgError:
            pass  # unreadable: the database says the same, more slowly
    meta = {"generation": kg_store.generation, "built_at": kg_store.meta.built_at}
    return in_memory(kg_store.store, meta)


def meta_of(db: sqlite3.Connection) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM meta"))


@dataclass(frozen=True)
class Place:
    """Where a listing is: the page file, as the store names it, and the line of its header."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class PaperState:
    iri: str
    title: str
    dates: tuple[str, ...]
    shown: tuple[str, ...]
    authors: frozenset[str] = frozenset()  # person IRIs, from the authorships of its listings
    places: list[Place] = field(default_factory=list)


@dataclass
class Snapshot:
    """A summary loaded for comparison: papers and people by IRI, with where they were listed."""

    meta: dict[str, str]
    papers: dict[str, PaperState]
    people: dict[str, str]  # IRI -> display name
    places_of_person: dict[str, list[Place]]
    papers_of_person: dict[str, set[str]]


def load(db: sqlite3.Connection) -> Snapshot:
    paper_iri = {}
    papers: dict[str, PaperState] = {}
    for n, iri, title, dates, shown in db.execute("SELECT id, iri, title, dates, shown FROM papers"):
        paper_iri[n] = iri
        papers[iri] = PaperState(iri, title, _split(dates), _split(shown))
    person_iri = {}
    people = {}
    for n, iri, name in db.execute("SELECT id, iri, name FROM people"):
        person_iri[n] = iri
        people[iri] = name
    listing_place: dict[int, tuple[str, Place]] = {}
    for n, paper, file, line in db.execute("SELECT id, paper, file, line FROM listings ORDER BY file, line"):
        place = Place(file, line)
        listing_place[n] = (paper_iri[paper], place)
        papers[paper_iri[paper]].places.append(place)
    authors: dict[str, set[str]] = defaultdict(set)
    places_of_person: dict[str, list[Place]] = defaultdict(list)
    for listing, person in db.execute("SELECT listing, person FROM authorships ORDER BY listing"):
        paper, place = listing_place[listing]
        authors[paper].add(person_iri[person])
        places_of_person[person_iri[person]].append(place)
    papers_of_person: dict[str, set[str]] = defaultdict(set)
    for paper, who in authors.items():
        papers[paper].authors = frozenset(who)
        for person in who:
            papers_of_person[person].add(paper)
    for places in places_of_person.values():
        places.sort(key=lambda p: (p.file, p.line))
    return Snapshot(meta_of(db), papers, people, dict(places_of_person), dict(papers_of_person))


def _split(joined: str) -> tuple[str, ...]:
    return tuple(joined.split("\n")) if joined else ()


def places_text(places: Iterable[Place]) -> list[dict[str, object]]:
    return [{"page": p.file, "line": p.line} for p in places]
