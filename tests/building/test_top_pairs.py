"""The pairs who share the most papers, kept up to date by small updates (kg.derive.top_pairs): the
listed pairs are always those counting every pair gives, and a listed pair that loses a paper gives its
place to a pair kept in reserve instead of a count of every pair."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from kg.derive import top_pairs
from kg.model.vocab import KG

HAS_AUTHOR = ox.NamedNode(KG + "hasAuthor")


def person(n: int) -> ox.NamedNode:
    return ox.NamedNode(f"https://kg.example.org/id/person/p{n:02d}")


def store_of(papers: dict[int, list[int]]) -> ox.Store:
    """Each paper's authors, stated on the page graph of the paper."""
    store = ox.Store()
    for paper, authors in papers.items():
        graph = ox.NamedNode(f"https://kg.example.org/id/graph/page/{paper}")
        for a in authors:
            store.add(
                ox.Quad(
                    ox.NamedNode(f"https://kg.example.org/id/paper/{paper}"), HAS_AUTHOR, person(a), graph
                )
            )
    return store


@pytest.fixture
def small(monkeypatch):
    """Three pairs listed, eight kept."""
    monkeypatch.setattr(top_pairs, "TOP_PAIRS", 3)
    monkeypatch.setattr(top_pairs, "RESERVE", 8)


def test_a_listed_pair_losing_a_paper_gives_its_place_to_one_kept_in_reserve(small):
    # p1-p2 share 4 papers, p3-p4 3, p5-p6 3, p7-p8 2, p9-p10 2, and pairs of one paper beyond
    papers = {n: [1, 2] for n in range(4)}
    papers |= {10 + n: [3, 4] for n in range(3)} | {20 + n: [5, 6] for n in range(3)}
    papers |= {30 + n: [7, 8] for n in range(2)} | {40 + n: [9, 10] for n in range(2)}
    papers |= {50 + n: [11 + n, 30 + n] for n in range(12)}
    store = store_of(papers)
    before = top_pairs.of_store(store)
    assert before.bound is not None and len(before.pairs) == 8  # more pairs than are kept
    listed_only = top_pairs.Reserve(dict(before.top()), max(map(top_pairs.rank_of, before.top())))
    for q in list(store.quads_for_pattern(ox.NamedNode("https://kg.example.org/id/paper/20"), None, None)):
        store.remove(q)
    for q in list(store.quads_for_pattern(ox.NamedNode("https://kg.example.org/id/paper/21"), None, None)):
        store.remove(q)  # p5 and p6 now share one paper: below p7-p8 and p9-p10, which share two

    touched = {person(5).value, person(6).value}
    assert top_pairs.updated(store, listed_only, touched) is None  # the listed three alone cannot tell
    after = top_pairs.updated(store, before, touched)
    assert after is not None
    assert after.top() == top_pairs.of_store(store).top()
    assert [n for _, n in after.top()] == [4, 3, 2]


@pytest.mark.parametrize("seed", range(40))
def test_updated_pairs_are_those_of_counting_every_pair(small, seed):
    """Random papers, then papers changed one at a time (an author added or dropped, a paper gone):
    the listed pairs equal a count of every pair after each change, or the update says it cannot tell;
    every pair ranking at or above the reserve's bound is in it."""
    rng = random.Random(seed)
    papers = {n: rng.sample(range(12), rng.randrange(1, 5)) for n in range(30)}
    store = store_of(papers)
    reserve = top_pairs.of_store(store)
    for _ in range(8):
        paper = rng.randrange(30)
        before_authors = set(papers.get(paper, []))
        change = rng.randrange(3)
        if change == 0 and papers.get(paper):
            papers[paper] = papers[paper][1:]
        elif change == 1:
            papers[paper] = [*papers.get(paper, []), rng.randrange(12)]
        else:
            papers.pop(paper, None)
        store = store_of(papers)
        touched = {person(a).value for a in before_authors | set(papers.get(paper, []))}
        counted = top_pairs.of_store(store)
        got = top_pairs.updated(store, reserve, touched)
        if got is None:
            reserve = counted
            continue
        assert got.top() == counted.top()
        if got.bound is not None:
            ranking = sorted(_every_pair(papers).items(), key=top_pairs.rank_of)
            assert {
                pair for pair, n in ranking if top_pairs.rank_of((pair, n)) <= got.bound
            } <= got.pairs.keys()
        reserve = got


def _every_pair(papers: dict[int, list[int]]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for authors in papers.values():
        names = sorted({person(a).value for a in authors})
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if a < b:
                    counts[(a, b)] = counts.get((a, b), 0) + 1
    return counts
