"""The summary of a build from nothing, gathered as its pages pass instead of read back from the store.

A build from nothing has every fact of its summary (kg.summary) in hand before the store is loaded: each
page's worker reads its listings, authorships, the papers' dates and author lists and which nodes are
papers and people off the triples it made (`kg.pagework.PageSummary`), and the labels derivation keeps
every label it chose (`kg.labels.Chosen`). `SummaryRows` puts the pages' rows into SQLite's temporary
tables as they come (kept on disk apart from the summary's file, and dropped with the connection: the
build's memory does not hold them), numbers the papers and people and writes the listings once the last
page is in, while the store takes its last pieces, and, once the labels are chosen, the rest: the same
rows `kg.summary.write` reads from the loaded store, without one scan of it.

The file is written under a temporary name and renamed at the end, as kg.summary writes it: a build that
fails leaves none.
"""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from kg.derive import summary
from kg.errors import KgError
from kg.model.vocab import KG, RDF_TYPE, SKOS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from kg.derive.labels import Chosen
    from kg.store.pagework import PageSummary

_STAGING = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TEMP TABLE page_node_rows (node TEXT, predicate TEXT, value TEXT);
CREATE TEMP TABLE page_listings (listing TEXT, paper TEXT, graph TEXT, file TEXT, line INTEGER);
CREATE TEMP TABLE page_authorships (listing TEXT, person TEXT);
"""

_PAPER, _PERSON = KG + "Paper", KG + "Person"

# The pages' rows of nodes, each once and keyed, made in one sorted pass: a key kept up to date as the
# pages come costs a B-tree search in a file larger than SQLite's cache for each row (6.3 s against 2.3
# s for 900,000 rows, measured). Then papers and people numbered in the order of their IRIs, as
# kg.summary numbers them, then the listings (numbered in the order of their IRIs) and authorships that
# refer to them: all of it needs no label.
_NUMBERED = f"""
CREATE TEMP TABLE page_nodes (node TEXT, predicate TEXT, value TEXT, PRIMARY KEY (node, predicate, value))
  WITHOUT ROWID;
INSERT OR IGNORE INTO page_nodes SELECT * FROM page_node_rows ORDER BY node, predicate, value;
DROP TABLE page_node_rows;
CREATE TEMP TABLE paper_ids AS SELECT row_number() OVER (ORDER BY node) AS id, node AS iri
  FROM page_nodes WHERE predicate = '{RDF_TYPE}' AND value = '{_PAPER}';
CREATE UNIQUE INDEX temp.paper_ids_by_iri ON paper_ids (iri);
CREATE TEMP TABLE person_ids AS SELECT row_number() OVER (ORDER BY node) AS id, node AS iri
  FROM page_nodes WHERE predicate = '{RDF_TYPE}' AND value = '{_PERSON}';
CREATE UNIQUE INDEX temp.person_ids_by_iri ON person_ids (iri);
CREATE TEMP TABLE listing_ids AS
  SELECT l.listing AS listing, row_number() OVER (ORDER BY l.listing, l.paper, l.graph) AS id,
         p.id AS paper, l.graph AS graph, l.file AS file, l.line AS line
  FROM page_listings l JOIN paper_ids p ON p.iri = l.paper;
CREATE INDEX temp.listing_ids_by_listing ON listing_ids (listing);
INSERT INTO pages (graph, file) SELECT graph, MIN(file) FROM listing_ids GROUP BY graph ORDER BY graph;
INSERT INTO listed SELECT l.id, l.paper, p.id, l.line FROM listing_ids l JOIN pages p ON p.graph = l.graph
  ORDER BY l.id;
INSERT OR IGNORE INTO authorships
  SELECT l.id, p.id FROM page_authorships a
  JOIN listing_ids l ON l.listing = a.listing JOIN person_ids p ON p.iri = a.person;
"""


class SummaryRows:
    """A build's summary, gathered from its pages: `take` each page written, `pages_done` after the last
    (what needs no label is written then, while the store loads), then `write` once the labels are
    chosen, and `close` in any case. Inactive (every call does nothing) without a path: a build
    that is not from nothing reads its summary from the store (kg.summary.write)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.db: sqlite3.Connection | None = None
        self.written = self.numbered = False
        if path is None:
            return
        self.tmp = path.with_name(path.name + ".tmp")
        self.tmp.unlink(missing_ok=True)
        try:
            self.db = sqlite3.connect(self.tmp)
            self.db.executescript(_STAGING)
        except sqlite3.Error as e:
            self.close()
            raise self._error(e) from None

    @property
    def active(self) -> bool:
        return self.db is not None

    def take(self, graph: str, page: PageSummary) -> None:
        """A page written to the page graph `graph`: its rows, kept until the end."""
        if self.db is None:
            return
        try:
            self.db.executemany("INSERT INTO page_node_rows VALUES (?, ?, ?)", page.nodes)
            self.db.executemany(
                "INSERT INTO page_listings VALUES (?, ?, ?, ?, ?)",
                [(listing, paper, graph, file, line) for listing, paper, file, line in page.listings],
            )
            self.db.executemany("INSERT INTO page_authorships VALUES (?, ?)", page.authorships)
        except sqlite3.Error as e:  # a full disk, mostly: the build stops before the generation goes live
            raise self._error(e) from None

    def pages_done(self) -> None:
        """Every page is taken: the listings and authorships written, the papers and people numbered."""
        if self.db is None or self.numbered:
            return
        try:
            self.db.executescript(summary.SCHEMA + _NUMBERED)
        except sqlite3.Error as e:
            raise self._error(e) from None
        self.numbered = True

    def write(self, meta: dict[str, str], chosen: Chosen) -> None:
        """The summary, at its path: the tables kg.summary reads, from the pages' rows and the labels."""
        if self.db is None or self.path is None:
            return
        self.pages_done()
        db = self.db
        try:
            db.executemany("INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, ?)", self._papers(chosen))
            db.executemany("INSERT INTO people VALUES (?, ?, ?)", self._people(chosen))
            person_id = dict(db.execute("SELECT iri, id FROM person_ids"))
            summary.index_names(
                db,
                (
                    (person_id[node], name)
                    for node, names in chosen.names.items()
                    if node in person_id
                    for name in names
                ),
            )
            titles = db.execute("SELECT id, title FROM papers").fetchall()
            db.executemany(
                "INSERT OR IGNORE INTO words VALUES (?, ?)",
                ((word, n) for n, title in titles for word in summary.words_of([title] if title else [])),
            )
            summary.set_meta(db, meta)
            db.commit()
            db.close()
            self.db = None
            os.replace(self.tmp, self.path)
        except sqlite3.Error as e:
            raise self._error(e) from None
        self.written = True

    def _papers(self, chosen: Chosen) -> Iterator[tuple[object, ...]]:
        """The rows of the papers, by their numbers."""
        assert self.db is not None
        rows = self.db.execute(
            "SELECT p.id, p.iri, n.predicate, n.value FROM paper_ids p JOIN page_nodes n ON n.node = p.iri "
            "ORDER BY p.id"
        )
        for (n, node), group in groupby(rows, key=itemgetter(0, 1)):
            facts: dict[str, set[str]] = defaultdict(set)
            for _, _, predicate, value in group:
                facts[predicate].add(value)
            label = chosen.labels.get(node)
            facts[SKOS + "prefLabel"] = {label} if label is not None else set()
            facts[KG + "shownAuthorsLabel"] = chosen.lists.get(node, set())
            yield (n, *summary.paper_row(node, facts.__getitem__))

    def _people(self, chosen: Chosen) -> Iterator[tuple[object, ...]]:
        assert self.db is not None
        for n, node in self.db.execute("SELECT id, iri FROM person_ids ORDER BY id"):
            yield n, node, chosen.labels.get(node, "")

    def close(self) -> None:
        """The connection closed, and the file removed unless the summary was written."""
        if self.db is not None:
            self.db.close()
            self.db = None
        if self.path is not None and not self.written:
            self.tmp.unlink(missing_ok=True)

    def _error(self, e: sqlite3.Error) -> KgError:
        return KgError(f"cannot write {self.path}: {e}")
