"""Look-ups in a store on disk: each quad asked for, and only it."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.model.terms import quads_with

RANK = ox.NamedNode("https://kg.example.org/ns#hiddenOwnerRank")
GRAPH = ox.NamedNode("https://kg.example.org/id/graph/facts")


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """A store on disk with ranks 1..2000, one node each, bulk-loaded as a build loads them."""
    path: Path = tmp_path_factory.mktemp("ranks")
    store = ox.Store(str(path))
    data = "".join(
        f'<https://kg.example.org/id/a/{n}> <{RANK.value}> "{n}"^^<http://www.w3.org/2001/XMLSchema#integer> <{GRAPH.value}> .\n'
        for n in range(1, 2001)
    )
    store.bulk_load(data.encode(), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.mark.parametrize("rank", [1, 254, 255, 256, 511, 1791, 2000])
def test_a_rank_names_one_node(ranked: ox.Store, rank: int) -> None:
    found = list(quads_with(ranked, None, RANK, ox.Literal(rank), GRAPH))
    assert [q.subject.value for q in found] == [f"https://kg.example.org/id/a/{rank}"]


def test_a_rank_no_node_has_names_none(ranked: ox.Store) -> None:
    assert list(quads_with(ranked, None, RANK, ox.Literal(2001), GRAPH)) == []
