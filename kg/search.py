"""`kg search`: papers whose titles hold the words searched, ranked, from the word index of the live
generation's summary (kg.summary), written at build time: a lookup per word, not a scan of every title.

Ranking: papers matching more of the words first; among those, the rarer the words matched the higher
(each word weighs its inverse document frequency, ln(1 + papers / papers with the word)); then the
newest, then by title. Words are folded as kg folds names: `deja vu` finds `Déjà Vu`.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

from kg.errors import KgError
from kg.summary import title_words

RANKED = """
WITH query (word, weight) AS (VALUES {values}),
hits AS (
  SELECT w.paper AS paper, COUNT(*) AS matched, SUM(q.weight) AS score
  FROM query q JOIN words w ON w.word = q.word
  GROUP BY w.paper
)
SELECT p.iri, p.title, p.dates, p.shown_label, p.truncated, h.matched, h.score,
       (SELECT l.file || ':' || l.line FROM listings l WHERE l.paper = p.id ORDER BY l.file, l.line LIMIT 1)
FROM hits h JOIN papers p ON p.id = h.paper
ORDER BY h.matched DESC, h.score DESC, p.dates DESC, p.title, p.iri
LIMIT ?
"""


@dataclass(frozen=True)
class Hit:
    """A paper found: its display title, dates, the authors shown (by their display names, in order),
    how many of the words it matched and its score, and the first page and line that list it."""

    paper: str
    title: str
    date: str
    authors: str
    truncated: bool
    matched: int
    score: float
    where: str

    def row(self) -> dict[str, object]:
        """As `kg search` shows it in a table."""
        authors = self.authors + (" et al." if self.truncated else "")
        return {"title": self.title, "date": self.date, "authors": authors, "where": self.where}

    def to_json(self) -> dict[str, object]:
        return {
            "title": self.title,
            "paper": self.paper,
            "date": self.date,
            "authors": self.authors,
            "truncated": self.truncated,
            "matched": self.matched,
            "score": round(self.score, 4),
            "where": self.where,
        }


def search(db: sqlite3.Connection, text: str, limit: int | None = 20) -> list[Hit]:
    """The papers whose titles hold words of `text`, best first (see the module's doc)."""
    words = list(dict.fromkeys(title_words(text)))
    if not words:
        raise KgError(f"nothing to search for in {text!r}: give words of a title")
    if limit is not None and limit < 0:
        raise KgError(f"limit must be 0 or more, not {limit}")
    (papers,) = db.execute("SELECT COUNT(*) FROM papers").fetchone()
    weighted = []
    for word in words:
        (having,) = db.execute("SELECT COUNT(*) FROM words WHERE word = ?", (word,)).fetchone()
        if having:
            weighted.append((word, math.log(1 + papers / having)))
    if not weighted:
        return []
    values = ", ".join("(?, ?)" for _ in weighted)
    parameters = [x for pair in weighted for x in pair] + [-1 if limit is None else limit]
    return [
        Hit(iri, title, dates.replace("\n", ", "), shown, bool(truncated), matched, score, where or "")
        for iri, title, dates, shown, truncated, matched, score, where in db.execute(
            RANKED.format(values=values), parameters
        )
    ]
