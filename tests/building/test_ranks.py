"""The order of the whole-graph lists, kept in blocks (kg.derive.ranks): an update leaves the same
triples as laying the list out from nothing, and writes only the blocks a changed row leaves or joins."""

from __future__ import annotations

import random
from collections.abc import Iterable

import pyoxigraph as ox
import pytest

from kg.derive import ranks
from kg.derive.derivation import Additions
from kg.model.vocab import Iris

IRIS = Iris("https://kg.example.org/id/")


class Rows:
    """A list whose rows are a dict (node -> key), read as the store's rows would be."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[int, str]] = {}
        self.listing = ranks.Listing("cut-list", ranks.CUT_LISTS.place, ranks.CUT_LISTS.block, self.rows)

    def rows(self, store: ox.Store, nodes: Iterable[str] | None = None) -> Iterable[tuple[ranks.Key, str]]:
        for node in self.keys if nodes is None else nodes:
            if node in self.keys:
                yield self.keys[node], node


def node(n: int) -> str:
    return f"{IRIS.base}paper/p{n}"


def laid_out(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, None))


def from_nothing(rows: Rows) -> set[ox.Quad]:
    store = ox.Store()
    ranks.rank(store, IRIS, rows.listing, Additions(store))
    return laid_out(store)


def order_read_back(store: ox.Store) -> list[str]:
    """The nodes as a query reads them: by block place, then place in the block."""
    graph = ox.NamedNode(IRIS.facts_graph)
    place_of = {
        q.subject.value: int(q.object.value)
        for q in store.quads_for_pattern(None, ox.NamedNode(ranks.BLOCK_PLACE), None, graph)
    }
    rank_of = {
        q.subject.value: int(q.object.value)
        for q in store.quads_for_pattern(None, ox.NamedNode(ranks.CUT_LISTS.place), None, graph)
    }
    block_of = {
        q.subject.value: q.object.value
        for q in store.quads_for_pattern(None, ox.NamedNode(ranks.CUT_LISTS.block), None, graph)
    }
    return sorted(block_of, key=lambda n: (place_of[block_of[n]], rank_of[n]))


@pytest.mark.parametrize("seed", range(24))
def test_an_updated_list_is_the_list_laid_out_from_nothing(seed: int) -> None:
    rng = random.Random(seed)
    rows, store = Rows(), ox.Store()
    rows.keys = {node(n): (rng.randrange(1000), node(n)) for n in range(rng.choice([0, 1, 40, 400]))}
    ranks.rank(store, IRIS, rows.listing, Additions(store))
    fresh = len(rows.keys) + 1000
    for _ in range(25):
        touched = set()
        for _ in range(rng.choice([1, 1, 2, 5])):
            kind = rng.choice(["come", "go", "move"]) if rows.keys else "come"
            if kind == "come":
                touched.add(node(fresh))
                rows.keys[node(fresh)] = (rng.randrange(1000), node(fresh))
                fresh += 1
            else:
                gone = rng.choice(sorted(rows.keys))
                touched.add(gone)
                if kind == "go":
                    del rows.keys[gone]
                else:
                    rows.keys[gone] = (rng.randrange(1000), gone)
        ranks.rank(store, IRIS, rows.listing, Additions(store), touched)
        assert laid_out(store) == from_nothing(rows)
        assert order_read_back(store) == sorted(rows.keys, key=rows.keys.__getitem__)


def test_blocks_hold_about_sixty_four_rows_each() -> None:
    rows = Rows()
    rows.keys = {node(n): (n, node(n)) for n in range(6400)}
    blocks = ranks.blocks_of(sorted(rows.keys, key=rows.keys.__getitem__))
    assert 60 <= len(blocks) <= 140
    assert max(len(block) for block in blocks) < 64 * 10


def test_a_new_row_rewrites_its_own_block_alone() -> None:
    rows, store = Rows(), ox.Store()
    rows.keys = {node(n): (10 * n, node(n)) for n in range(2000)}
    ranks.rank(store, IRIS, rows.listing, Additions(store))
    before = laid_out(store)
    new = next(node(n) for n in range(5000, 6000) if not ranks.starts_block(node(n)))
    rows.keys[new] = (10 * 1000 + 5, new)  # between the 1000th and 1001st rows
    ranks.rank(store, IRIS, rows.listing, Additions(store), {new})
    after = laid_out(store)
    changed = {q.subject.value for q in before ^ after}
    blocks = ranks.blocks_of(sorted(rows.keys, key=rows.keys.__getitem__))
    home = next(block for block in blocks if new in block)
    assert changed == set(home[home.index(new) :])  # it and the rows after it in its block; no block moved
