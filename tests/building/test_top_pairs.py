"""The pairs who share the most papers, kept up to date by small updates (kg.derive.top_pairs): the
listed pairs are always those counting every pair gives, and a listed pair that loses a paper gives its
place to a pair kept in reserve instead of a count of every pair."""

from __future__ import annotations

import json
import random
import shutil

import pyoxigraph as ox
import pytest
from conftest import AS_OF, FIXTURE_PAGES
from conftest import run_main as kg

from kg.building.builder import build
from kg.derive import top_pairs
from kg.model.vocab import KG, Iris

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


def test_a_reserve_is_read_only_by_a_generation_made_from_the_one_it_was_kept_for():
    """Another kg may have updated the pairs in between without keeping a reserve: then it is not read."""
    iris = Iris("https://kg.example.org/id/")
    support = ox.Store()
    reserve = top_pairs.of_store(store_of({1: [1, 2, 3], 2: [1, 2]}))
    top_pairs.Kept(support, iris, None, "gen-000001").keep(reserve)
    assert top_pairs.Kept(support, iris, "gen-000001", "gen-000002").before() == reserve
    assert top_pairs.Kept(support, iris, "gen-000002", "gen-000003").before() is None
    assert top_pairs.Kept(support, iris, None, "gen-000002").before() is None


def test_an_update_moving_a_listed_pair_down_lists_what_a_fresh_build_lists(small, tmp_path, monkeypatch):
    """Mahdi Nazemi and Massoud Pedram share the most papers of the fixture pages; three of their
    listings go, and a pair that was not listed takes a place: told from the reserve, not by counting
    every pair again."""
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    build([pages], tmp_path / "updated", as_of=AS_OF)
    listed_before = {(r["person1"], r["person2"]) for r in rows(tmp_path / "updated", "top-collaborators")}
    page = pages / "004_0b1fd6c6ee51fc8c.txt"
    lines = page.read_text(encoding="utf-8").split("\n")
    assert [lines[n].split(",")[0] for n in (74, 81, 88)] == ["LGJul 23", "LGJun 3", "LGJan 11"]
    page.write_text("\n".join(lines[:74] + lines[95:]), encoding="utf-8")  # three of their listings

    def counted_again(store: ox.Store) -> top_pairs.Reserve:
        raise AssertionError("every pair counted again")

    monkeypatch.setattr(top_pairs, "of_store", counted_again)
    report = build([page], tmp_path / "updated", as_of=AS_OF)
    assert report.plan is not None and report.plan.incremental
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    updated, fresh = (rows(tmp_path / s, "top-collaborators") for s in ("updated", "fresh"))
    assert updated == fresh
    assert {(r["person1"], r["person2"]) for r in updated} - listed_before  # a pair not listed before


def rows(store, *args: str) -> list[dict]:
    code, out, err = kg("query", *args, "--store", str(store), "--format", "json")
    assert (code, err) == (0, "")
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(out)["results"]["bindings"]]
