"""`kg diff`: what changed between two generations of the store, from their summaries (kg.summary).

Papers added and removed, papers whose dates or author lists (as printed) changed, people who appeared
or disappeared, and coauthor pairs gained or lost; each with the pages and lines that show it (in the
newer generation, or in the older one for what went away). Papers and people are matched by IRI, which
is their identity (ontology/README.md, Identities): a paper printed under a new title is one removed and
one added.

A pair is gained when the newer generation has a paper with both people and the older none: only the
papers added or with a changed set of authors can make one, so only those are looked at.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TypedDict

import pyoxigraph as ox

from kg.derive import summary
from kg.derive.summary import PaperState, Snapshot
from kg.errors import KgError
from kg.store.generations import GENERATION_PREFIX, KgStore, kept_summaries, pin_generation, summary_path

# The kinds of change, in the order they are shown: each is a key of the JSON output, with its table label.
KINDS = {
    "papers_added": "paper added",
    "papers_removed": "paper removed",
    "dates_changed": "date changed",
    "authors_changed": "authors changed",
    "people_added": "person added",
    "people_removed": "person removed",
    "pairs_added": "pair added",
    "pairs_removed": "pair removed",
}


class Change(TypedDict, total=False):
    """One change as `kg diff --format json` gives it: the keys its kind has (a paper's, a person's, a
    pair's), and `where`, the pages and lines that show it."""

    paper: str
    title: str
    dates: list[str]
    authors: list[str]
    before: list[str]
    after: list[str]
    person: str
    name: str
    people: list[str]
    names: list[str]
    papers: list[str]
    where: list[dict[str, object]]


@dataclass
class Diff:
    """The changes from generation `before` to `after`, each kind a list of JSON-ready dicts."""

    before: dict[str, str]  # the older generation's summary meta: generation, built_at, pages...
    after: dict[str, str]
    changes: dict[str, list[Change]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    columns = ("change", "what", "detail", "where")  # kg.present.tabular: the answer's shape

    def __len__(self) -> int:
        return sum(len(items) for items in self.changes.values())

    def to_json(self) -> dict[str, object]:
        return {
            "from": _generation_json(self.before),
            "to": _generation_json(self.after),
            "counts": {kind: len(items) for kind, items in self.changes.items()},
            **self.changes,
        }

    def rows(self) -> list[dict[str, object]]:
        """One row per change for a table: change, what, detail, where (the first place, and how many more)."""
        out: list[dict[str, object]] = []
        for kind in KINDS:
            for item in self.changes[kind]:
                out.append(
                    {
                        "change": KINDS[kind],
                        "what": item.get("title") or item.get("name") or " / ".join(item.get("names", ())),
                        "detail": _detail(kind, item),
                        "where": _where(item["where"]),
                    }
                )
        return out


def _generation_json(meta: dict[str, str]) -> dict[str, str]:
    return {"generation": meta.get("generation", ""), "built_at": meta.get("built_at", "")}


def _detail(kind: str, item: Change) -> str:
    if kind in ("papers_added", "papers_removed"):
        return "; ".join(x for x in (", ".join(item["dates"]), " | ".join(item["authors"])) if x)
    if kind in ("dates_changed", "authors_changed"):
        joiner = ", " if kind == "dates_changed" else " | "
        return f"{joiner.join(item['before']) or '(none)'} -> {joiner.join(item['after']) or '(none)'}"
    if kind in ("pairs_added", "pairs_removed"):  # the first paper that joins them, and how many more
        more = len(item["papers"]) - 1
        return item["papers"][0] + (f" (+{more} more)" if more else "")
    return ""


def _where(places: list[dict[str, object]]) -> str:
    if not places:
        return ""
    first = f"{places[0]['page']}:{places[0]['line']}"
    return first if len(places) == 1 else f"{first} (+{len(places) - 1})"


# --- comparing ----------------------------------------------------------------------------------------


def compare(before: Snapshot, after: Snapshot) -> Diff:
    diff = Diff(before.meta, after.meta)
    changes = diff.changes
    for iri in sorted(after.papers.keys() - before.papers.keys(), key=lambda i: _title_key(after.papers[i])):
        changes["papers_added"].append(_paper(after.papers[iri]))
    for iri in sorted(before.papers.keys() - after.papers.keys(), key=lambda i: _title_key(before.papers[i])):
        changes["papers_removed"].append(_paper(before.papers[iri]))
    common = sorted(after.papers.keys() & before.papers.keys(), key=lambda i: _title_key(after.papers[i]))
    for iri in common:
        old, new = before.papers[iri], after.papers[iri]
        if old.dates != new.dates:
            changes["dates_changed"].append(_paper_change(new, list(old.dates), list(new.dates)))
        if old.shown != new.shown:
            changes["authors_changed"].append(_paper_change(new, list(old.shown), list(new.shown)))
    for kind, older, newer in (("people_added", before, after), ("people_removed", after, before)):
        for iri in sorted(
            newer.people.keys() - older.people.keys(), key=lambda i: (newer.people[i].casefold(), i)
        ):
            changes[kind].append(
                {
                    "person": iri,
                    "name": newer.people[iri],
                    "where": summary.places_text(newer.places_of_person.get(iri, ())),
                }
            )
    changes["pairs_added"] = _pairs_gained(before, after)
    changes["pairs_removed"] = _pairs_gained(after, before)
    return diff


def _title_key(paper: PaperState) -> tuple[str, str]:
    return paper.title.casefold(), paper.iri


def _paper(paper: PaperState) -> Change:
    return {
        "paper": paper.iri,
        "title": paper.title,
        "dates": list(paper.dates),
        "authors": list(paper.shown),
        "where": summary.places_text(paper.places),
    }


def _paper_change(paper: PaperState, before: list[str], after: list[str]) -> Change:
    return {
        "paper": paper.iri,
        "title": paper.title,
        "before": before,
        "after": after,
        "where": summary.places_text(paper.places),
    }


def _pairs_gained(older: Snapshot, newer: Snapshot) -> list[Change]:
    """Pairs of people who share a paper in `newer` and none in `older`, with the papers that join them."""
    via: dict[tuple[str, str], list[PaperState]] = {}
    for paper in newer.papers.values():
        was = older.papers.get(paper.iri)
        if was is not None and was.authors == paper.authors:
            continue  # same people, same pairs
        for pair in combinations(sorted(paper.authors), 2):
            if pair in via:
                via[pair].append(paper)
            elif not older.papers_of_person.get(pair[0], set()) & older.papers_of_person.get(pair[1], set()):
                via[pair] = [paper]
    rows = []
    for (a, b), papers in via.items():
        names = sorted((newer.people.get(a, a), newer.people.get(b, b)), key=str.casefold)
        papers.sort(key=_title_key)
        places = sorted({p for paper in papers for p in paper.places}, key=lambda p: (p.file, p.line))
        row: Change = {
            "people": [a, b],
            "names": names,
            "papers": [p.title for p in papers],
            "where": summary.places_text(places),
        }
        rows.append(([n.casefold() for n in names], a, b, row))
    rows.sort(key=lambda r: r[:3])
    return [row for *_, row in rows]


# --- generations ----------------------------------------------------------------------------------------


def generations(kg_store: KgStore) -> list[dict[str, object]]:
    """The generations `kg diff` can compare with, oldest first: name, when built, pages, papers, live."""
    out = []
    for name in kept_summaries(kg_store.root):
        if name > kg_store.generation:
            continue  # being written by a build, or left by a killed one
        try:
            db = summary.open_file(summary_path(kg_store.root, name))
            meta = summary.meta_of(db)
            db.close()
        except KgError:
            continue  # retired meanwhile
        except sqlite3.DatabaseError:
            continue  # damaged: listed from the store when live, else left out
        out.append(_generation_row(name, meta, name == kg_store.generation))
    names = {row["generation"] for row in out}
    if kg_store.generation not in names:  # built by a kg that wrote no summaries
        out.append(_generation_row(kg_store.generation, {"built_at": kg_store.meta.built_at}, True))
    return out


def _generation_row(name: str, meta: dict[str, str], live: bool) -> dict[str, object]:
    return {
        "generation": name,
        "built_at": meta.get("built_at", ""),
        "pages": int(meta.get("pages") or 0),
        "papers": int(meta.get("papers") or 0),
        "live": live,
    }


def generation_name(text: str) -> str:
    """`gen-000003`, `3` or `gen-3`: the generation's folder name."""
    number = text.removeprefix(GENERATION_PREFIX)
    if not number.isdigit():
        raise KgError(
            f"{text!r} is not a generation: give a number or a name such as gen-000003 (kg diff --list)"
        )
    return f"{GENERATION_PREFIX}{int(number):06d}"


def diff(kg_store: KgStore, since: str | None = None) -> Diff:
    """What changed from generation `since` (default: the newest kept before the live one) to the live one."""
    root, live = kg_store.root, kg_store.generation
    if since is None:
        older = [name for name in _comparable(root) if name < live]
        if not older:
            raise KgError(
                f"the store keeps no generation before the live one ({live}): "
                "kg diff compares two builds, so build again first"
            )
        since = older[-1]
    else:
        since = generation_name(since)
        if since >= live:
            raise KgError(f"{since} is not older than the live generation {live}")
    before = _snapshot(root, since)
    after = _snapshot_of_live(kg_store)
    return compare(before, after)


def _comparable(root: Path) -> list[str]:
    """Generations with a summary, or a database to make one from."""
    names = set(kept_summaries(root))
    names |= {
        p.name
        for p in root.glob(f"{GENERATION_PREFIX}*")
        if p.is_dir() and p.name[len(GENERATION_PREFIX) :].isdigit()
    }
    return sorted(names)


def _snapshot_of_live(kg_store: KgStore) -> Snapshot:
    return summary.read_live(kg_store, summary.load)


def _snapshot(root: Path, generation: str) -> Snapshot:
    path = summary_path(root, generation)
    damage = None
    if path.is_file():
        try:
            return _load_file(path)
        except Damaged as e:
            damage = str(e)  # made again from its database, if that is still kept
        except KgError:
            pass  # retired just now: perhaps its database is still there
    pinned = pin_generation(root, generation) if (root / generation).is_dir() else None
    if pinned is None:
        if damage is not None:
            raise KgError(
                f"{damage}, and the store no longer keeps the database of {generation} to make it again: "
                f"compare with another generation (--since), or delete {path} to forget {generation}"
            )
        kept = ", ".join(_comparable(root)) or "none"
        raise KgError(
            f"the store no longer keeps {generation} (kept: {kept}); kg build --keep N keeps the last N"
        )
    pin, meta = pinned
    try:
        store = ox.Store.read_only(str(root / generation))
        return summary.load(summary.in_memory(store, {**_meta(generation, meta.built_at), "base": meta.base}))
    except (OSError, RuntimeError) as e:
        raise KgError(f"cannot read {generation} of the store: {e}") from None
    finally:
        pin.close()


class Damaged(KgError):
    """A summary file that SQLite finds damaged."""


def _load_file(path: Path) -> Snapshot:
    db = summary.open_file(path)
    try:
        return summary.load(db)
    except sqlite3.DatabaseError as e:
        if not summary.damaged(e):
            raise
        raise Damaged(f"the summary {path} is damaged ({e})") from None
    finally:
        db.close()


def _meta(generation: str, built_at: str) -> dict[str, str]:
    return {"generation": generation, "built_at": built_at}
