"""The pairs of people who share the most papers (`top-collaborators`), as a build keeps them.

The graph of facts lists the first TOP_PAIRS pairs: one `kg:Collaboration` node a pair, with both people
and the count, counted as the query counts them over the union of the graphs (a triple held twice
counts twice), most first, ties by the people's IRIs. Counting every pair of every paper's authors is
the one aggregate no index answers (1.2M pairs, 11.7 s at 20,000 pages).

A small update counts again only the pairs of the people whose coauthors its pages may change; every
other pair keeps its count. So the new list is known from the pairs known before and those counted
again, as long as TOP_PAIRS of them rank at or above the last pair known before: any other pair ranks
below it. The graph shows TOP_PAIRS pairs, so the support database keeps more (`Reserve`): the first
RESERVE pairs and that bound. A listed pair that loses a paper (a prolific author's pages, one listing
moved) gives its place to a pair of the reserve, where it used to make the update count every pair.
The reserve thins as counted pairs fall below its bound, and every pair is counted again only when fewer
than TOP_PAIRS are left above it.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.derive.gathered import papers_of
from kg.model.ntriples import Triple, integer, iri
from kg.model.terms import text_of
from kg.model.vocab import KG, RDF_TYPE, Iris

COLLABORATION = KG + "Collaboration"
COLLABORATOR = KG + "collaborator"
SHARED_PAPER_COUNT = KG + "sharedPaperCount"
TOP_PAIRS = 100  # top-collaborators lists this many
RESERVE = 2_000  # pairs the support database keeps for updates (module docstring)
PATTERNS = ((RDF_TYPE, COLLABORATION), (COLLABORATOR, None), (SHARED_PAPER_COUNT, None))

_COLLABORATOR = ox.NamedNode(COLLABORATOR)
_HAS_AUTHOR = ox.NamedNode(KG + "hasAuthor")
KEPT_PAIRS = KG + "pairCounts"  # the reserve, one JSON value in the support database
_KEPT_PAIRS = ox.NamedNode(KEPT_PAIRS)

Pair = tuple[str, str]  # two person IRIs, the smaller first
Rank = tuple[int, str, str]  # a pair's place: most papers first, then by the people's IRIs


def rank_of(item: tuple[Pair, int]) -> Rank:
    (a, b), count = item
    return (-count, a, b)


@dataclass
class Reserve:
    """The first pairs and their counts; every pair ranking at or above `bound` is among them (every
    pair there is, when `bound` is None)."""

    pairs: dict[Pair, int]
    bound: Rank | None

    @classmethod
    def first_of(cls, counted: Iterable[tuple[Pair, int]], bound: Rank | None = None) -> Reserve:
        """The first RESERVE of these pairs (every pair ranking at or above `bound`, when given)."""
        first = heapq.nsmallest(RESERVE + 1, counted, key=rank_of)
        if len(first) > RESERVE:
            first, bound = first[:RESERVE], rank_of(first[RESERVE - 1])
        return cls(dict(first), bound)

    def top(self) -> list[tuple[Pair, int]]:
        return sorted(self.pairs.items(), key=rank_of)[:TOP_PAIRS]

    def triples(self, iris: Iris) -> set[Triple]:
        """The listed pairs, as the graph of facts holds them."""
        triples = set()
        for (a, b), count in self.top():
            pair = iri(f"{iris.base}collaboration/{_tail(a)}/{_tail(b)}")
            triples |= {
                (pair, iri(RDF_TYPE), iri(COLLABORATION)),
                (pair, iri(COLLABORATOR), iri(a)),
                (pair, iri(COLLABORATOR), iri(b)),
                (pair, iri(SHARED_PAPER_COUNT), integer(count)),
            }
        return triples


def of_papers(authors_of: Mapping[str, Collection[str]]) -> Reserve:
    """The first pairs of a build from nothing, counted person by person from what its pages gave: a
    count of every pair at once is never held."""
    papers = papers_of(authors_of)

    def counted() -> Iterator[tuple[Pair, int]]:
        for a, written in papers.items():
            shared = Counter(b for paper in written for b in authors_of[paper] if b > a)
            yield from (((a, b), n) for b, n in shared.items())

    return Reserve.first_of(counted())


def of_store(store: ox.Store) -> Reserve:
    """The first pairs, every pair of the store counted."""
    authors: dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[str]] = defaultdict(list)
    for q in store.quads_for_pattern(None, _HAS_AUTHOR, None, None):
        if not isinstance(q.graph_name, ox.DefaultGraph):
            authors[q.subject].append(text_of(q.object))
    shared: Counter[Pair] = Counter()
    for names in authors.values():
        names.sort()
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if a < b:
                    shared[(a, b)] += 1
    return Reserve.first_of(shared.items())


def updated(store: ox.Store, before: Reserve, people: set[str]) -> Reserve | None:
    """The first pairs once the pairs of `people` are counted again; None when fewer than TOP_PAIRS
    pairs are then known to rank at or above `before.bound` (the others are not known)."""
    candidates = {
        pair: n for pair, n in before.pairs.items() if pair[0] not in people and pair[1] not in people
    }
    for person in people:
        node = ox.NamedNode(person)
        shared: Counter[str] = Counter()
        for authored in store.quads_for_pattern(None, _HAS_AUTHOR, node, None):
            if isinstance(authored.graph_name, ox.DefaultGraph):
                continue
            for q in store.quads_for_pattern(authored.subject, _HAS_AUTHOR, None, None):
                if not isinstance(q.graph_name, ox.DefaultGraph) and text_of(q.object) != person:
                    shared[text_of(q.object)] += 1
        for other, count in shared.items():
            candidates[(min(person, other), max(person, other))] = count
    bound = before.bound
    if bound is not None:  # a pair counted again may fall below the bound, where others are unknown
        candidates = {pair: n for pair, n in candidates.items() if rank_of((pair, n)) <= bound}
        if len(candidates) < TOP_PAIRS:
            return None
    return Reserve.first_of(candidates.items(), bound)


def listed(store: ox.Store, iris: Iris) -> Reserve:
    """The pairs the graph of facts lists, as a reserve (a store whose support database keeps none)."""
    graph = ox.NamedNode(iris.facts_graph)
    pairs = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(SHARED_PAPER_COUNT), None, graph):
        people = sorted(
            text_of(m.object) for m in store.quads_for_pattern(q.subject, _COLLABORATOR, None, graph)
        )
        if len(people) == 2:
            pairs[(people[0], people[1])] = int(text_of(q.object))
    bound = max(map(rank_of, pairs.items())) if len(pairs) >= TOP_PAIRS else None
    return Reserve(pairs, bound)


@dataclass
class Kept:
    """Where a build keeps the reserve: the support database of the generation it writes (`generation`),
    which holds what the generation it was made from (`made_from`, None for none) kept."""

    support: ox.Store
    iris: Iris
    made_from: str | None
    generation: str

    def before(self) -> Reserve | None:
        """The reserve kept for the generation this one was made from, if any."""
        return _read(self.support, self.iris, self.made_from)

    def keep(self, reserve: Reserve) -> Reserve:
        """Keep `reserve` for this generation, in place of the one kept before; `reserve` itself."""
        _write(self.support, self.iris, reserve, self.generation)
        return reserve


def _read(support: ox.Store, iris: Iris, generation: str | None) -> Reserve | None:
    """The reserve the support database keeps, if it was kept for `generation` (a generation another kg
    made from it may have changed the pairs without keeping one)."""
    node = ox.NamedNode(iris.pairs_graph)
    for q in support.quads_for_pattern(node, _KEPT_PAIRS, None, node):
        data = json.loads(text_of(q.object))
        if generation is None or data.get("generation") != generation:
            return None
        bound = data["bound"]
        return Reserve(
            {(a, b): n for a, b, n in data["pairs"]}, (bound[0], bound[1], bound[2]) if bound else None
        )
    return None


def _write(support: ox.Store, iris: Iris, reserve: Reserve, generation: str) -> None:
    """Keep `reserve` in the support database of `generation`, in place of the one kept before."""
    node = ox.NamedNode(iris.pairs_graph)
    for q in list(support.quads_for_pattern(node, _KEPT_PAIRS, None, node)):
        support.remove(q)
    pairs = [[a, b, n] for (a, b), n in sorted(reserve.pairs.items(), key=rank_of)]
    data = {"generation": generation, "bound": reserve.bound, "pairs": pairs}
    text = json.dumps(data, separators=(",", ":"))
    support.add(ox.Quad(node, _KEPT_PAIRS, ox.Literal(text), node))


def _tail(person: str) -> str:
    """A person IRI's slug (after `person/`), or the whole IRI percent-free when it is not kg's."""
    return person.rsplit("/person/", 1)[-1] if "/person/" in person else person.replace(":", "_")
