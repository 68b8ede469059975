"""A generation's summary: what `kg diff` and `kg search` read, in one small SQLite file per generation.

A build writes it beside the generation it makes (`gen-N.summary`, see kg.store) once the graph is
complete and before it goes live (a build from nothing from its pages as they passed, kg.summary_rows;
any other from the graph, here): every paper (display title, dates, the authors shown as printed and by
their people's labels, whether the list was cut), every person (display name, and every name pages
print for them), every listing (page file and line) with the people its authorships name, a word index
of the titles and one of the people's names and labels. It is a few percent of the size of the
database it summarises, so the store can keep it for several generations after their databases are
gone (`kg build --keep N`); `kg diff` compares two of them, `kg search` looks words up in the live one,
and so does `kg query` for a name that is not one person's in full (kg.query.person_lookup).

Words are split as kg splits names and searches (kg.reading.text.folded_words: accents stripped, case
folded, then split on anything that is not a letter or a digit).
"""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from kg.errors import KgError
from kg.model.vocab import KG, PROV, RDF_TYPE, SKOS
from kg.reading.text import folded_words
from kg.system.files import CopyAhead, copy_file

if TYPE_CHECKING:
    from kg.store.generations import KgStore

T = TypeVar("T")
FORMAT_VERSION = "3"

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
CREATE TABLE pages (
  id INTEGER PRIMARY KEY,
  graph TEXT NOT NULL UNIQUE,  -- the page graph: what a rebuild of the page replaces
  file TEXT NOT NULL
);
CREATE TABLE listed (id INTEGER PRIMARY KEY, paper INTEGER NOT NULL, page INTEGER NOT NULL, line INTEGER NOT NULL);
CREATE INDEX listed_by_paper ON listed (paper);
CREATE INDEX listed_by_page ON listed (page);
-- each listing with its page's graph and file, as they are read (a page's are kept once: a third of
-- the summary when every listing held them)
CREATE VIEW listings (id, paper, graph, file, line) AS
  SELECT l.id, l.paper, p.graph, p.file, l.line FROM listed l JOIN pages p ON p.id = l.page;
CREATE TABLE authorships (listing INTEGER NOT NULL, person INTEGER NOT NULL, PRIMARY KEY (listing, person))
  WITHOUT ROWID;
CREATE TABLE words (word TEXT NOT NULL, paper INTEGER NOT NULL, PRIMARY KEY (word, paper)) WITHOUT ROWID;
CREATE INDEX words_by_paper ON words (paper);
CREATE TABLE names (person INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (person, name)) WITHOUT ROWID;
CREATE TABLE name_words (word TEXT NOT NULL, person INTEGER NOT NULL, PRIMARY KEY (word, person)) WITHOUT ROWID;
"""


def title_words(title: str) -> list[str]:
    """The words of a title or a search, folded: `Déjà-Vu Nets` gives deja, vu, nets."""
    return folded_words(title)


# --- writing: from a store --------------------------------------------------------------------------


def _subjects_objects(
    store: ox.Store, predicate: str, obj: str | None = None, graph: str | None = None
) -> Iterator[tuple[str, ox.NamedNode | ox.Literal]]:
    pattern = (
        ox.NamedNode(predicate),
        None if obj is None else ox.NamedNode(obj),
        None if graph is None else ox.NamedNode(graph),
    )
    for quad in store.quads_for_pattern(None, *pattern):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, (ox.NamedNode, ox.Literal)):
            yield quad.subject.value, quad.object


def copy_ahead(previous: Path, path: Path) -> CopyAhead:
    """The previous summary copied to where the new one at `path` is written, in a thread, while an
    update does the rest of its work: the copy follows the store, not the change (744 MB at 100,000
    pages), so it is not waited for after the rest. `write(..., ahead=)` takes it."""
    return CopyAhead(previous, _tmp_path(path))


def write(
    store: ox.Store,
    path: Path,
    meta: dict[str, str],
    previous: Path | None = None,
    pages: Iterable[str] = (),
    printed: Iterable[str] = (),
    ahead: CopyAhead | None = None,
) -> None:
    """The summary of `store` written to `path`, whole or not at all (a temporary file, then a rename).

    With `previous`, the summary of the generation this one was made from, `pages`, the page graphs
    written since, and `printed`, the nodes whose printings those pages (before and after) state: that
    summary brought up to date (a small update reads only what it touched). `ahead`: `previous`
    copied already (`copy_ahead`).
    """
    tmp = _tmp_path(path)
    if previous is not None and not _is_current(previous):
        previous = None  # gone, or written by another kg: made again from the graph
    copied = previous is not None and ahead is not None and ahead.source == previous and ahead.copied()
    if not copied:
        if ahead is not None:
            ahead.discard()
        tmp.unlink(missing_ok=True)
    try:
        try:
            _write_to(tmp, store, meta, previous, pages, printed, copied)
        except sqlite3.Error as e:
            if previous is None or not damaged(e):
                raise
            tmp.unlink(missing_ok=True)
            _write_to(
                tmp, store, meta, None, (), ()
            )  # the previous summary is damaged: made again from the graph
        os.replace(tmp, path)
    except sqlite3.Error as e:  # a full disk, mostly: the build stops before the generation goes live
        raise KgError(f"cannot write {path}: {e}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _write_to(
    tmp: Path,
    store: ox.Store,
    meta: dict[str, str],
    previous: Path | None,
    pages: Iterable[str],
    printed: Iterable[str],
    copied: bool = False,
) -> None:
    if previous is not None and not copied:
        copy_file(previous, tmp)
    db = sqlite3.connect(tmp)
    try:
        if previous is not None:
            _update(db, store, set(pages), set(printed), meta)
        else:
            _fill(db, store, meta)
        db.commit()
    finally:
        db.close()


def _tmp_path(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def damaged(error: sqlite3.Error) -> bool:
    """Whether SQLite says the file is damaged or no database (rather than, say, the disk is full)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code in (11, 26) or "malformed" in str(error)  # SQLITE_CORRUPT, SQLITE_NOTADB


def _is_current(path: Path) -> bool:
    try:
        db = open_file(path)
    except KgError:
        return False
    try:
        return meta_of(db).get("format") == FORMAT_VERSION
    except sqlite3.Error:
        return False
    finally:
        db.close()


def in_memory(store: ox.Store, meta: dict[str, str]) -> sqlite3.Connection:
    """The summary of a generation that has none on disk (built by an older kg), made on the fly."""
    db = sqlite3.connect(":memory:")
    _fill(db, store, meta)
    db.commit()
    return db


def _fill(db: sqlite3.Connection, store: ox.Store, meta: dict[str, str]) -> None:
    """Everything, read by predicate: one scan of an index each."""
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
    by_subject: dict[str, dict[str, set[str]]] = {}
    for predicate in PAPER_FACTS:
        found = by_subject[predicate] = defaultdict(set)
        for s, o in _subjects_objects(store, predicate):
            found[s].add(o.value)
    papers = sorted(s for s, _ in _subjects_objects(store, RDF_TYPE, KG + "Paper"))

    def facts_of(iri: str, predicate: str) -> set[str]:
        return by_subject[predicate].get(iri, set())

    db.executemany(
        "INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((n, *paper_row(iri, partial(facts_of, iri))) for n, iri in enumerate(papers, 1)),
    )
    labels = by_subject[SKOS + "prefLabel"]
    people = sorted(s for s, _ in _subjects_objects(store, RDF_TYPE, KG + "Person"))
    db.executemany(
        "INSERT INTO people VALUES (?, ?, ?)",
        ((n, iri, min(labels.get(iri, ()), default="")) for n, iri in enumerate(people, 1)),
    )
    person_id = {iri: n for n, iri in enumerate(people, 1)}
    index_names(
        db, ((person_id[s], o.value) for s, o in _subjects_objects(store, KG + "name") if s in person_id)
    )
    _add_listings(db, store, None, meta.get("base"))
    db.executemany(
        "INSERT OR IGNORE INTO words VALUES (?, ?)",
        ((word, n) for n, iri in enumerate(papers, 1) for word in words_of(labels.get(iri, ()))),
    )
    set_meta(db, meta)


PAPER_FACTS = (
    SKOS + "prefLabel",
    KG + "datePublished",
    KG + "shownAuthors",
    KG + "shownAuthorsLabel",
    KG + "authorListTruncated",
)


def paper_row(iri: str, values: Callable[[str], set[str]]) -> tuple[str, str, str, str, str, int]:
    """(iri, title, dates, shown, shown_label, truncated) as the papers table holds them."""
    return (
        iri,
        min(values(SKOS + "prefLabel"), default=""),
        "\n".join(sorted(values(KG + "datePublished"))),
        "\n".join(sorted(values(KG + "shownAuthors"))),
        min(values(KG + "shownAuthorsLabel"), default=""),
        int("true" in values(KG + "authorListTruncated")),
    )


def words_of(titles: Iterable[str]) -> set[str]:
    return {word for title in titles for word in title_words(title)}


def index_names(db: sqlite3.Connection, spelled: Iterable[tuple[int, str]]) -> None:
    """Every person's names, (person id, a name its pages print), and the word index of them and of the
    people's labels; once the people are in. The words are sorted by SQLite, on disk: an index filled
    in the order people come would cost a B-tree search in a file larger than the cache for each."""
    db.executemany("INSERT OR IGNORE INTO names VALUES (?, ?)", spelled)
    texts = [text for (text,) in db.execute("SELECT name FROM names UNION SELECT name FROM people")]
    db.execute("CREATE TEMP TABLE text_words (text TEXT NOT NULL, word TEXT NOT NULL)")
    db.executemany(
        "INSERT INTO text_words VALUES (?, ?)", ((t, w) for t in texts for w in set(title_words(t)))
    )
    del texts
    db.executescript("""
        CREATE INDEX temp.text_words_by_text ON text_words (text);
        INSERT OR IGNORE INTO name_words
          SELECT w.word, s.person FROM (SELECT person, name FROM names UNION SELECT id, name FROM people) s
          JOIN text_words w ON w.text = s.name ORDER BY 1, 2;
        DROP TABLE temp.text_words;
    """)


def _name_words(db: sqlite3.Connection, person: int) -> set[str]:
    """The words the index holds for a person: of its names and its label."""
    texts = db.execute(
        "SELECT name FROM names WHERE person = ? UNION SELECT name FROM people WHERE id = ?", (person, person)
    )
    return words_of(text for (text,) in texts)


def _set_names(db: sqlite3.Connection, person: int, before: set[str], names: set[str]) -> None:
    """A person's names as they are now, and the index brought in line: `before`, the words it held for
    the person (`_name_words` before the label changed); no names for a person no longer there."""
    db.execute("DELETE FROM names WHERE person = ?", (person,))
    db.executemany("INSERT INTO names VALUES (?, ?)", ((person, name) for name in sorted(names)))
    after = _name_words(db, person)
    db.executemany(
        "DELETE FROM name_words WHERE word = ? AND person = ?", ((w, person) for w in before - after)
    )
    db.executemany("INSERT OR IGNORE INTO name_words VALUES (?, ?)", ((w, person) for w in after - before))


def _add_listings(db: sqlite3.Connection, store: ox.Store, graphs: set[str] | None, base: str | None) -> None:
    """The listings of the page graphs given (all, for None) and the people their authorships name;
    the papers and people they refer to must be in the summary already."""
    (next_id,) = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM listed").fetchone()
    listing_id: dict[str, int] = {}
    rows = []
    for graph in sorted(graphs) if graphs is not None else [None]:
        files = {s: o.value for s, o in _subjects_objects(store, KG + "sourceFile", graph=graph)}
        lines = {s: int(o.value) for s, o in _subjects_objects(store, KG + "sourceLine", graph=graph)}
        on_page = {s: o.value for s, o in _subjects_objects(store, KG + "onPage", graph=graph)}
        listed = [
            (q.subject.value, q.object.value, q.graph_name.value)
            for q in store.quads_for_pattern(
                None, ox.NamedNode(KG + "listedPaper"), None, None if graph is None else ox.NamedNode(graph)
            )
            if isinstance(q.subject, ox.NamedNode)
            and isinstance(q.object, ox.NamedNode)
            and isinstance(q.graph_name, ox.NamedNode)
        ]
        paper_id = _ids(db, "papers", None if graph is None else {paper for _, paper, _ in listed})
        for listing, paper, page_graph in sorted(listed):
            if paper in paper_id and listing in lines:
                listing_id[listing] = next_id + len(listing_id)
                file = files.get(on_page.get(listing, ""), "")
                rows.append((listing_id[listing], paper_id[paper], page_graph, file, lines[listing]))
    db.executemany(
        "INSERT OR IGNORE INTO pages (graph, file) VALUES (?, ?)", sorted({(g, f) for _, _, g, f, _ in rows})
    )
    page_id = _ids(db, "pages", None if graphs is None else graphs, key="graph")
    db.executemany(
        "INSERT INTO listed VALUES (?, ?, ?, ?)",
        ((n, paper, page_id[g], line) for n, paper, g, _, line in rows),
    )
    authorships = []
    for graph in sorted(graphs) if graphs is not None else [None]:
        person_of = {s: o.value for s, o in _subjects_objects(store, KG + "authorshipPerson", graph=graph)}
        person_id = _ids(db, "people", None if graph is None else set(person_of.values()))
        for authorship, listing in _listings_of(store, person_of, graph, base):
            if listing in listing_id and person_of[authorship] in person_id:
                authorships.append((listing_id[listing], person_id[person_of[authorship]]))
    db.executemany("INSERT OR IGNORE INTO authorships VALUES (?, ?)", authorships)


def _ids(db: sqlite3.Connection, table: str, iris: set[str] | None, key: str = "iri") -> dict[str, int]:
    """{iri: id} of the table's rows: every row (None), or those of a page's IRIs, looked up one by one
    (an update's cost follows its pages, not the summary's size)."""
    if iris is None:
        return dict(db.execute(f"SELECT {key}, id FROM {table}"))
    found = (
        db.execute(f"SELECT {key}, id FROM {table} WHERE {key} = ?", (iri,)).fetchone()
        for iri in sorted(iris)
    )
    return dict(row for row in found if row is not None)


def _listings_of(
    store: ox.Store, authorships: Iterable[str], graph: str | None, base: str | None
) -> Iterator[tuple[str, str]]:
    """(authorship, its listing). With the base, read from the IRIs (ontology/README.md: an authorship is
    `B authorship/{page-id}/{line}/{person}`, its listing `B listing/{page-id}/{line}`), which saves a
    scan of every prov:wasDerivedFrom, a third of the work; without it, from those triples."""
    if base:
        prefix = base + "authorship/"
        for authorship in authorships:
            if authorship.startswith(prefix):
                yield authorship, base + "listing/" + authorship[len(prefix) :].rpartition("/")[0]
        return
    wanted = set(authorships)
    for s, o in _subjects_objects(store, PROV + "wasDerivedFrom", graph=graph):
        if s in wanted:
            yield s, o.value


def _update(
    db: sqlite3.Connection, store: ox.Store, pages: set[str], printed: set[str], meta: dict[str, str]
) -> None:
    """The previous generation's summary, with the page graphs written since read again, and the papers
    and people they list (before and after) or print read again from the graph. A person whose display
    label changed (a page can change it) has every paper of theirs read again: the authors as shown use it."""
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
    db.execute("CREATE TEMP TABLE written (graph TEXT PRIMARY KEY)")
    db.executemany("INSERT INTO written VALUES (?)", ((g,) for g in pages))
    old_listings = "SELECT id FROM listings WHERE graph IN (SELECT graph FROM written)"
    papers = {
        iri
        for (iri,) in db.execute(
            f"SELECT p.iri FROM papers p JOIN listings l ON l.paper = p.id WHERE l.id IN ({old_listings})"
        )
    }
    people = {
        iri
        for (iri,) in db.execute(
            f"SELECT p.iri FROM people p JOIN authorships a ON a.person = p.id WHERE a.listing IN ({old_listings})"
        )
    }
    db.execute(f"DELETE FROM authorships WHERE listing IN ({old_listings})")
    db.execute(
        "DELETE FROM listed WHERE page IN (SELECT id FROM pages WHERE graph IN (SELECT graph FROM written))"
    )
    db.execute("DELETE FROM pages WHERE graph IN (SELECT graph FROM written)")
    people |= {node for node in printed if node not in papers}  # a page's owner need list no paper
    for graph in pages:
        papers |= {o.value for _, o in _subjects_objects(store, KG + "listedPaper", graph=graph)}
        people |= {o.value for _, o in _subjects_objects(store, KG + "authorshipPerson", graph=graph)}
    for iri in sorted(people):
        facts = _facts_of(store, iri, (RDF_TYPE, SKOS + "prefLabel", KG + "name"))
        before = db.execute("SELECT id, name FROM people WHERE iri = ?", (iri,)).fetchone()
        words_before = _name_words(db, before[0]) if before is not None else set()
        if KG + "Person" not in facts[RDF_TYPE]:
            db.execute("DELETE FROM people WHERE iri = ?", (iri,))
            if before is not None:
                _set_names(db, before[0], words_before, set())
            continue
        name = min(facts[SKOS + "prefLabel"], default="")
        if before is not None and before[1] != name:
            papers |= {s for s, _ in _subjects_objects(store, KG + "hasAuthor", iri)}
        (person,) = db.execute(
            "INSERT INTO people (iri, name) VALUES (?, ?) ON CONFLICT (iri) DO UPDATE SET name = excluded.name "
            "RETURNING id",
            (iri, name),
        ).fetchone()
        _set_names(db, person, words_before, facts[KG + "name"])
    for iri in sorted(papers):
        db.execute("DELETE FROM words WHERE paper = (SELECT id FROM papers WHERE iri = ?)", (iri,))
        facts = _facts_of(store, iri, (RDF_TYPE, *PAPER_FACTS))
        if KG + "Paper" not in facts[RDF_TYPE]:
            db.execute("DELETE FROM papers WHERE iri = ?", (iri,))
            continue
        row = paper_row(iri, facts.__getitem__)
        db.execute(
            "INSERT INTO papers (iri, title, dates, shown, shown_label, truncated) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (iri) DO UPDATE SET title = excluded.title, dates = excluded.dates, "
            "shown = excluded.shown, shown_label = excluded.shown_label, truncated = excluded.truncated",
            row,
        )
        db.executemany(
            "INSERT INTO words SELECT ?, id FROM papers WHERE iri = ?",
            ((w, iri) for w in words_of([row[1]])),
        )
    _add_listings(db, store, pages, meta.get("base"))
    db.execute("DELETE FROM meta")
    set_meta(db, meta)


def _facts_of(store: ox.Store, subject: str, predicates: Iterable[str]) -> defaultdict[str, set[str]]:
    """The values of these properties of a node, in any graph: a look-up each (a person's coauthor
    triples, thousands for some, are not read)."""
    facts: defaultdict[str, set[str]] = defaultdict(set)
    node = ox.NamedNode(subject)
    for predicate in predicates:
        for q in store.quads_for_pattern(node, ox.NamedNode(predicate), None, None):
            if isinstance(q.object, (ox.NamedNode, ox.Literal)):
                facts[predicate].add(q.object.value)
    return facts


def set_meta(db: sqlite3.Connection, meta: dict[str, str]) -> None:
    ((papers,),) = db.execute("SELECT COUNT(*) FROM papers")
    ((people,),) = db.execute("SELECT COUNT(*) FROM people")
    meta = {**meta, "format": FORMAT_VERSION, "papers": str(papers), "people": str(people)}
    db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))


def contents(db: sqlite3.Connection) -> dict[str, set[tuple[object, ...]]]:
    """Every table by IRIs rather than row ids: two summaries of one graph have the same contents."""
    return {
        "papers": set(db.execute("SELECT iri, title, dates, shown, shown_label, truncated FROM papers")),
        "people": set(db.execute("SELECT iri, name FROM people")),
        "listings": set(
            db.execute(
                "SELECT p.iri, l.graph, l.file, l.line FROM listings l JOIN papers p ON p.id = l.paper"
            )
        ),
        "authorships": set(
            db.execute(
                "SELECT l.graph, l.line, p.iri FROM authorships a JOIN listings l ON l.id = a.listing "
                "JOIN people p ON p.id = a.person"
            )
        ),
        "words": set(db.execute("SELECT w.word, p.iri FROM words w JOIN papers p ON p.id = w.paper")),
        "names": set(db.execute("SELECT p.iri, n.name FROM names n JOIN people p ON p.id = n.person")),
        "name_words": set(
            db.execute("SELECT w.word, p.iri FROM name_words w JOIN people p ON p.id = w.person")
        ),
    }


# --- reading ----------------------------------------------------------------------------------------


def open_file(path: Path) -> sqlite3.Connection:
    """A summary on disk, read-only. KgError when it is not there (retired) or not a summary."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.Error as e:
        raise KgError(f"cannot read {path}: {e}") from None
    return db


def open_live(kg_store: KgStore, fresh: bool = False) -> sqlite3.Connection:
    """The summary of the generation a reader has open; made on the fly if its build wrote none (or
    `fresh`: the one on disk was found damaged)."""
    if kg_store.summary_path.is_file() and not fresh:
        try:
            return open_file(kg_store.summary_path)
        except KgError:
            pass  # unreadable: the database says the same, more slowly
    meta = {"generation": kg_store.generation, "built_at": kg_store.meta.built_at, "base": kg_store.meta.base}
    return in_memory(kg_store.store, meta)


def read_live(kg_store: KgStore, read: Callable[[sqlite3.Connection], T]) -> T:
    """read(the live summary); when the file proves damaged midway, read(one made from the graph)."""
    db = open_live(kg_store)
    try:
        return read(db)
    except sqlite3.DatabaseError as e:
        if not damaged(e):
            raise
    finally:
        db.close()
    db = open_live(kg_store, fresh=True)
    try:
        return read(db)
    finally:
        db.close()


def meta_of(db: sqlite3.Connection) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM meta"))


PersonRow = tuple[str, str, tuple[str, ...]]  # a person's IRI, label and names (sorted)

_PEOPLE_OF_HITS = """
SELECT p.iri, p.name, n.name FROM hits h JOIN people p ON p.id = h.person LEFT JOIN names n ON n.person = p.id
ORDER BY p.id
"""
AFTER_ALL = "\U0010ffff"  # sorts after any character a word can continue with


def indexes_names(db: sqlite3.Connection) -> bool:
    """Whether the summary has the index of people's names (an older kg wrote none)."""
    return meta_of(db).get("format") == FORMAT_VERSION


def people_with_words(db: sqlite3.Connection, wanted: Iterable[str]) -> list[PersonRow] | None:
    """The people whose names and label hold every word of `wanted` between them (folded as
    `title_words` folds them): a lookup per word in the index. None when the summary has no index of
    names (an older kg wrote it)."""
    words = sorted(set(wanted))
    if not words or not indexes_names(db):
        return None
    each = " INTERSECT ".join("SELECT person FROM name_words WHERE word = ?" for _ in words)
    return _people_rows(db.execute(f"WITH hits (person) AS ({each})" + _PEOPLE_OF_HITS, words))


def people_near(db: sqlite3.Connection, wanted: Iterable[str], most: int) -> list[PersonRow] | None:
    """Up to `most` people with a word in their names that begins as a word of `wanted` does (its first
    three letters), those sharing the most such words first: where a name mistyped in places is found.
    An initial begins too many words to say much: it counts only when all the words are initials. None,
    as for `people_with_words`."""
    starts = sorted({word[:3] for word in wanted if len(word) > 1} or {word[:3] for word in wanted})
    if not starts or not indexes_names(db):
        return None
    each = " UNION ALL ".join("SELECT person FROM name_words WHERE word >= ? AND word < ?" for _ in starts)
    ranked = f"SELECT person FROM ({each}) GROUP BY person ORDER BY COUNT(*) DESC, person LIMIT ?"
    bounds = [bound for start in starts for bound in (start, start + AFTER_ALL)]
    return _people_rows(db.execute(f"WITH hits (person) AS ({ranked})" + _PEOPLE_OF_HITS, [*bounds, most]))


def _people_rows(rows: Iterable[tuple[str, str, str | None]]) -> list[PersonRow]:
    names: dict[str, tuple[str, list[str]]] = {}
    for iri, label, name in rows:
        _, spelled = names.setdefault(iri, (label, []))
        if name is not None:
            spelled.append(name)
    return [(iri, label, tuple(sorted(spelled))) for iri, (label, spelled) in names.items()]


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
    by_place = "SELECT a.listing, a.person FROM authorships a JOIN listings l ON l.id = a.listing ORDER BY l.file, l.line"
    for listing, person in db.execute(by_place):  # so each person's places come in order
        paper, place = listing_place[listing]
        authors[paper].add(person_iri[person])
        places_of_person[person_iri[person]].append(place)
    papers_of_person: dict[str, set[str]] = defaultdict(set)
    for paper, who in authors.items():
        papers[paper].authors = frozenset(who)
        for person in who:
            papers_of_person[person].add(paper)
    return Snapshot(meta_of(db), papers, people, dict(places_of_person), dict(papers_of_person))


def _split(joined: str) -> tuple[str, ...]:
    return tuple(joined.split("\n")) if joined else ()


def places_text(places: Iterable[Place]) -> list[dict[str, object]]:
    return [{"page": p.file, "line": p.line} for p in places]
