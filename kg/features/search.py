"""`kg search`: papers whose titles hold the words searched, ranked, from the word index of the live
generation's summary (kg.summary), written at build time: a lookup per word, not a scan of every title.

Ranking: papers matching more of the words first; among those, the rarer the words matched the higher
(each word weighs its inverse document frequency, ln(1 + papers / papers with the word)); then the
newest, then by title. Words are folded as kg folds names: `deja vu` finds `Déjà Vu`. A word ending in
`*` matches every word it starts (`graph*`: graph, graphs, graphical), counted once per paper and
weighted by how many papers have any of them.
"""

from __future__ import annotations

import datetime
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from kg.derive import summary
from kg.derive.summary import AFTER_ALL, PersonRow, title_words
from kg.errors import KgError
from kg.query.person_lookup import Person

if TYPE_CHECKING:
    from kg.store.generations import KgStore

# query: one row per word searched, matching the index words in [low, high): the word alone, or every
# word it starts. A paper counts each word searched once, however many index words it matched. Without
# a prefix, a word searched is one index word: an equality join, about twice as fast.
HITS_OF_WORDS = """
WITH query (searched, low, high, weight) AS (VALUES {values}),
hits AS (
  SELECT w.paper AS paper, COUNT(*) AS matched, SUM(q.weight) AS score
  FROM query q JOIN words w ON w.word = q.low
  GROUP BY w.paper
)"""
HITS_OF_PREFIXES = """
WITH query (searched, low, high, weight) AS (VALUES {values}),
per_word AS (
  SELECT w.paper AS paper, q.searched AS searched, MAX(q.weight) AS weight
  FROM query q JOIN words w ON w.word >= q.low AND w.word < q.high
  GROUP BY w.paper, q.searched
),
hits AS (SELECT paper, COUNT(*) AS matched, SUM(weight) AS score FROM per_word GROUP BY paper)"""
RANKED = """
SELECT p.iri, p.title, p.dates, p.shown_label, p.truncated, h.matched, h.score,
       (SELECT l.file || ':' || l.line FROM listings l WHERE l.paper = p.id ORDER BY l.file, l.line LIMIT 1)
FROM hits h JOIN papers p ON p.id = h.paper
ORDER BY h.matched DESC, h.score DESC, p.dates DESC, p.title, p.iri
LIMIT ?
"""


def searched_words(text: str) -> list[tuple[str, bool]]:
    """(folded word, whether it is a prefix) for each word of `text`, once each, in order."""
    found: dict[tuple[str, bool], None] = {}
    for chunk in text.split():
        words = title_words(chunk)
        for n, word in enumerate(words):
            found[(word, chunk.endswith("*") and n == len(words) - 1)] = None
    return list(found)


@dataclass(frozen=True)
class Hit:
    """A paper found: its display title, its date (`datetime.date`, the first of `dates` when its
    listings disagree), the authors shown (by their display names, in order), how many of the words
    it matched and its score, and the first page and line that list it."""

    paper: str
    title: str
    date: datetime.date | None
    dates: tuple[datetime.date, ...]
    authors: str
    truncated: bool
    matched: int
    score: float
    where: str

    def row(self) -> dict[str, object]:
        """As `kg search` shows it in a table."""
        authors = self.authors + (" et al." if self.truncated else "")
        return {"title": self.title, "date": self.dates_text, "authors": authors, "where": self.where}

    @property
    def dates_text(self) -> str:
        return ", ".join(d.isoformat() for d in self.dates)

    def to_json(self) -> dict[str, object]:
        return {
            "title": self.title,
            "paper": self.paper,
            "date": self.dates_text,
            "authors": self.authors,
            "truncated": self.truncated,
            "matched": self.matched,
            "score": round(self.score, 4),
            "where": self.where,
        }


class Hits(list[Hit]):
    """The papers found, best first (kg.present.tabular's shape: a row per paper; JSON with the IRI,
    the words matched and the score)."""

    columns = ("title", "date", "authors", "where")

    def rows(self) -> list[dict[str, object]]:
        return [hit.row() for hit in self]

    def to_json(self) -> list[dict[str, object]]:
        return [hit.to_json() for hit in self]


def search(db: sqlite3.Connection, text: str, limit: int | None = 20) -> Hits:
    """The papers whose titles hold words of `text`, best first (see the module's doc)."""
    words = searched_words(text)
    if not words:
        raise KgError(f"nothing to search for in {text!r}: give words of a title")
    if limit is not None and not 0 <= limit <= 2**62:
        raise KgError(f"limit must be 0 to 2**62 (None: no limit), not {limit}")
    (papers,) = db.execute("SELECT COUNT(*) FROM papers").fetchone()
    query: list[tuple[str, str, str, float]] = []
    for word, prefix in words:
        low, high = word, word + (AFTER_ALL if prefix else "\0")
        (having,) = db.execute(
            "SELECT COUNT(DISTINCT paper) FROM words WHERE word >= ? AND word < ?", (low, high)
        ).fetchone()
        if having:
            query.append((word + "*" * prefix, low, high, math.log(1 + papers / having)))
    if not query:
        return Hits()
    values = ", ".join("(?, ?, ?, ?)" for _ in query)
    hits = HITS_OF_PREFIXES if any(prefix for _, prefix in words) else HITS_OF_WORDS
    parameters = [x for row in query for x in row] + [-1 if limit is None else limit]
    return Hits(
        Hit(iri, title, *_dates(dates), shown, bool(truncated), matched, score, where or "")
        for iri, title, dates, shown, truncated, matched, score, where in db.execute(
            hits.format(values=values) + RANKED, parameters
        )
    )


def _dates(text: str | None) -> tuple[datetime.date | None, tuple[datetime.date, ...]]:
    """(the first date, every date) of a paper's dates as the summary keeps them, one a line."""
    dates = []
    for line in (text or "").split("\n"):
        try:
            dates.append(datetime.date.fromisoformat(line.strip()))
        except ValueError:
            continue
    return (dates[0] if dates else None), tuple(dates)


T = TypeVar("T")
MOST_NEAR = 5_000  # people whose names are compared with a name not found


class NamesInSummary:
    """The people a partial name may mean, from the word index of names in the live generation's
    summary (kg.query.person_lookup.NameIndex): what `kg query` reads when a name is not one person's in
    full. None when that summary is not there or has no such index (then everyone's names are read)."""

    def __init__(self, kg_store: KgStore):
        self.kg_store = kg_store

    def holding(self, wanted: set[str]) -> list[Person] | None:
        return _people(self._read(lambda db: summary.people_with_words(db, wanted)))

    def near(self, wanted: set[str]) -> list[Person] | None:
        return _people(self._read(lambda db: summary.people_near(db, wanted, MOST_NEAR)))

    def ready(self) -> bool:
        return self._read(summary.indexes_names) is True

    def _read(self, read: Callable[[sqlite3.Connection], T | None]) -> T | None:
        path = self.kg_store.summary_path
        if not path.is_file():
            return None
        try:
            db = summary.open_file(path)
        except KgError:
            return None
        try:
            return read(db)
        except sqlite3.Error:  # damaged: everyone's names, from the graph, say the same
            return None
        finally:
            db.close()


def _people(rows: list[PersonRow] | None) -> list[Person] | None:
    if rows is None:
        return None
    return [Person(iri, label or min(names, default=""), names) for iri, label, names in rows]
