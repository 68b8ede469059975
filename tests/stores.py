"""A store's quads as text, for tests that compare two stores."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from kg.derive import top_pairs
from kg.store import pagestate, stated
from kg.store.generations import KgStore


def store_quads(path, keep=lambda g: True) -> set[str]:
    kg = KgStore.open_read(path)
    return {str(q) for q in kg.store.quads_for_pattern(None, None, None, None) if keep(q.graph_name.value)}


def support_quads(path) -> set[str]:
    """Without the records of the files (kg.store.pagestate): when and with which lexicon each page was
    last read is history, not the graph. What each page stated is compared as its facts, not as the
    compressed value that holds them, the pairs kept for updates without the generation they were kept
    for."""
    kg = KgStore.open_read(path)
    support = ox.Store.read_only(str(kg.support_dir))
    left_out = (pagestate.STATE, stated.STATED_FACTS, top_pairs.KEPT_PAIRS)
    kept = {str(q) for q in support if q.predicate.value not in left_out}
    for q in support.quads_for_pattern(None, ox.NamedNode(top_pairs.KEPT_PAIRS), None):
        reserve = json.loads(q.object.value)
        kept.add(f"{q.subject} kept pairs {reserve['bound']} {reserve['pairs']}")
    pages = {
        q.graph_name.value for q in support.quads_for_pattern(None, ox.NamedNode(stated.STATED_FACTS), None)
    }
    facts = {f"{page} {' '.join(triple)}" for page in pages for triple in stated.facts_of(support, page)}
    return kept | facts


def assert_same_store(updated: Path, fresh: Path) -> None:
    """An updated store holds what a build from nothing of the same pages holds."""
    assert store_quads(updated) == store_quads(fresh)
    assert support_quads(updated) == support_quads(fresh)
    for kept in ("triples", "listings"):  # what an update keeps as it goes, as a fresh build counts it
        counts = [KgStore.open_read(p).meta.extra[kept] for p in (updated, fresh)]
        assert counts[0] == counts[1]
