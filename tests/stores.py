"""A store's quads as text, for tests that compare two stores."""

from __future__ import annotations

import pyoxigraph as ox

from kg.store import pagestate
from kg.store.generations import KgStore


def store_quads(path, keep=lambda g: True) -> set[str]:
    kg = KgStore.open_read(path)
    return {str(q) for q in kg.store.quads_for_pattern(None, None, None, None) if keep(q.graph_name.value)}


def support_quads(path) -> set[str]:
    """Without the records of the files (kg.store.pagestate): when and with which lexicon each page was
    last read is history, not the graph."""
    kg = KgStore.open_read(path)
    quads = ox.Store.read_only(str(kg.support_dir)).quads_for_pattern(None, None, None, None)
    return {str(q) for q in quads if q.predicate.value != pagestate.STATE}
