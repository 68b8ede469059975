"""The coauthor network around one person (an ego network), read from the graph: nodes, edges, weights.

Depth 1 is the person and everyone who shares a paper with them; depth 2 adds the coauthors of those
coauthors. Edges join every two members who share a paper, weighted by how many papers they share, and
are a lower bound when one of those papers had its author list cut (`kg:authorListTruncated`, the page
showed "et al."): there may be more shared papers than the graph knows of.

A large network is cut to `max_people` for a legible picture: the people are taken strongest link
first (from the person outwards, each time the one with the most shared papers with someone already
taken, coauthors before their coauthors), and the rest are counted (`people_left_out`). The links
drawn are then those of the taken people that join them to the person, that took them in, and the
heaviest others, at most LINKS_PER_PERSON per person (`links_left_out` counts the rest).

Each fact is stored once (ontology/README.md), so papers are counted as they are matched. The queries are constants here, not files in queries/, because `kg graph` is their only
user and they are not meant for `kg query`. They use the `# @values` markers of kg.queries, so the people
are bound as validated RDF terms and nothing the user typed reaches the query text.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import cast

import pyoxigraph as ox

from kg.model.terms import BoundTerm, bind_values
from kg.model.vocab import KG, SKOS
from kg.query.canned import Engine, select

DEPTHS = (1, 2)
MAX_PEOPLE = 150  # the default cap of kg graph coauthors-of: more is a blur, whatever the layout
LINKS_PER_PERSON = 3  # links drawn, at most, per person drawn (on average)
TITLES_PER_LINK = 10  # shared papers named when hovering a link; the rest counted

# Everyone who shares a paper with one of ?person: a set of people, met once per paper and per ?person.
NEIGHBOURS = f"""PREFIX kg: <{KG}>
SELECT DISTINCT ?other WHERE {{
  # @values person
  ?paper kg:hasAuthor ?person , ?other .
  FILTER (?other != ?person)
}}
"""

# Number of papers and display label of each ?person: one row per person, however they were printed.
PEOPLE = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
SELECT ?person ?name ?papers WHERE {{
  {{
    SELECT ?person (COUNT(?paper) AS ?papers) WHERE {{
      # @values person
      OPTIONAL {{ ?paper kg:hasAuthor ?person }}
    }}
    GROUP BY ?person
  }}
  ?person skos:prefLabel ?name .
}}
"""

# The titles (and dates) of the papers each ?person shares with anyone; the caller keeps the drawn pairs.
SHARED_TITLES = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
SELECT ?person ?other ?title ?date WHERE {{
  # @values person
  ?paper kg:hasAuthor ?person , ?other ;
         skos:prefLabel ?title .
  FILTER (STR(?person) < STR(?other))
  OPTIONAL {{ ?paper kg:datePublished ?date }}
}}
"""

# Shared papers of each ?person with anyone; the caller keeps the pairs inside the network. One VALUES
# side only: binding both ends would join every pair of members before looking at a single paper.
SHARED = f"""PREFIX kg: <{KG}>
SELECT ?person ?other (COUNT(?paper) AS ?shared)
       (SUM(IF(EXISTS {{ ?paper kg:authorListTruncated true }}, 1, 0)) AS ?cutLists) WHERE {{
  # @values person
  ?paper kg:hasAuthor ?person , ?other .
  FILTER (STR(?person) < STR(?other))
}}
GROUP BY ?person ?other
"""


@dataclass(frozen=True)
class Node:
    iri: str
    name: str
    papers: int  # papers in the graph with this person among their authors
    hops: int  # 0: the person asked about; 1: a coauthor; 2: a coauthor of a coauthor


@dataclass(frozen=True)
class Edge:
    source: str  # person IRIs, source < target
    target: str
    weight: int  # shared papers
    lower_bound: bool  # a shared paper's author list was cut: the true count may be higher
    titles: tuple[str, ...] = ()  # the shared papers' titles, newest first (at most TITLES_PER_LINK)


@dataclass(frozen=True)
class Network:
    ego: Node
    depth: int
    nodes: tuple[Node, ...]  # the ego first, then by hops, most papers, name
    edges: tuple[Edge, ...]  # heaviest first
    strongest: tuple[str, ...] = ()  # the people's IRIs, strongest link first (the order they are taken in)
    people_left_out: int = 0  # people of the network not drawn: their links were weaker (max_people)
    links_left_out: int = 0  # links between drawn people not drawn: weaker than those drawn

    @property
    def title(self) -> str:
        return f"Coauthors of {self.ego.name}" + (" and their coauthors" if self.depth == 2 else "")


def ego_network(
    engine: Engine, person: ox.NamedNode, depth: int = 1, max_people: int | None = None
) -> Network:
    """The network of `person` (an IRI already resolved, e.g. by kg.people) up to `depth` hops; with
    `max_people`, cut to that many people (the person included), strongest links first."""
    if depth not in DEPTHS:
        raise ValueError(f"depth must be one of {DEPTHS}, not {depth!r}")
    if max_people is not None and max_people < 1:
        raise ValueError(f"max_people must be 1 or more, not {max_people!r}")
    hops = _members(engine, person, depth)
    people = _people(engine, list(hops))
    nodes = sorted(
        (Node(iri, *people.get(iri, (iri, 0)), hops=hop) for iri, hop in hops.items()),
        key=lambda n: (n.hops, -n.papers, n.name.casefold(), n.iri),
    )
    edges = sorted(_edges(engine, list(hops)), key=lambda e: (-e.weight, e.source, e.target))
    network = Network(ego=nodes[0], depth=depth, nodes=tuple(nodes), edges=tuple(edges))
    if max_people is not None:
        network = strongest_part(network, max_people)
    else:
        network = replace(network, strongest=strength_order(network)[0])
    return _with_titles(engine, network)


def strength_order(network: Network) -> tuple[tuple[str, ...], dict[str, Edge]]:
    """The people strongest link first, from the person outwards (coauthors before their coauthors),
    and the link that took each one in; people joined to no one come last, by the nodes' order."""
    by_iri = {n.iri: n for n in network.nodes}
    links: dict[str, list[Edge]] = {}
    for edge in network.edges:
        links.setdefault(edge.source, []).append(edge)
        links.setdefault(edge.target, []).append(edge)
    taken: dict[str, None] = {}
    via: dict[str, Edge] = {}
    pushed = itertools.count(1)  # a tie-break, so that Edges are never compared
    queue: list[tuple[int, int, int, str, str, int, Edge | None]] = [(0, 0, 0, "", network.ego.iri, 0, None)]
    while queue:
        *_, iri, _, taken_by = heapq.heappop(queue)
        if iri in taken:
            continue
        taken[iri] = None
        if taken_by is not None:
            via[iri] = taken_by
        for link in links.get(iri, ()):
            other = link.target if link.source == iri else link.source
            if other not in taken:
                node = by_iri[other]
                entry = (
                    node.hops,
                    -link.weight,
                    -node.papers,
                    node.name.casefold(),
                    other,
                    next(pushed),
                    link,
                )
                heapq.heappush(queue, entry)
    rest = [n.iri for n in network.nodes if n.iri not in taken]
    return tuple(taken) + tuple(rest), via


def strongest_part(network: Network, max_people: int) -> Network:
    """The network cut to `max_people` people, strongest links first, and to LINKS_PER_PERSON links per
    person: the person's links and those that took each person in always, then the heaviest others."""
    order, via = strength_order(network)
    kept = set(order[:max_people])
    inside = [e for e in network.edges if e.source in kept and e.target in kept]
    needed = {id(via[iri]) for iri in kept if iri in via}
    ego = network.ego.iri
    chosen = [e for e in inside if id(e) in needed or ego in (e.source, e.target)]
    room = max(LINKS_PER_PERSON * len(kept) - len(chosen), 0)
    others = [e for e in inside if id(e) not in needed and ego not in (e.source, e.target)][:room]
    drawn = {id(e) for e in chosen + others}
    return replace(
        network,
        nodes=tuple(n for n in network.nodes if n.iri in kept),
        edges=tuple(e for e in network.edges if id(e) in drawn),
        strongest=order[:max_people],
        people_left_out=len(network.nodes) - len(kept),
        links_left_out=len(inside) - len(drawn),
    )


def _with_titles(engine: Engine, network: Network) -> Network:
    """The network with each link's shared papers' titles, newest first."""
    pairs = {(e.source, e.target) for e in network.edges}
    found: dict[tuple[str, str], dict[str, str]] = {}
    for a, b, title, date in _run(engine, SHARED_TITLES, [ox.NamedNode(n.iri) for n in network.nodes]):
        pair = (a.value, b.value)
        if pair in pairs:
            found.setdefault(pair, {})[title.value] = date.value if date is not None else ""
    edges = []
    for edge in network.edges:
        titles = found.get((edge.source, edge.target), {})
        newest = sorted(titles, key=lambda t: (titles[t], t), reverse=True)
        edges.append(replace(edge, titles=tuple(newest[:TITLES_PER_LINK])))
    return replace(network, edges=tuple(edges))


def _members(engine: Engine, person: ox.NamedNode, depth: int) -> dict[str, int]:
    """Each member's IRI and how many hops it is from `person`, found breadth first."""
    hops = {person.value: 0}
    frontier: list[BoundTerm] = [person]
    for hop in range(1, depth + 1):
        found = [row[0] for row in _run(engine, NEIGHBOURS, frontier)]
        frontier = [term for term in found if term.value not in hops]
        hops.update((term.value, hop) for term in frontier)
    return hops


def _people(engine: Engine, iris: list[str]) -> dict[str, tuple[str, int]]:
    """Each person's display label and number of papers."""
    rows = _run(engine, PEOPLE, [ox.NamedNode(iri) for iri in iris])
    return {person.value: (name.value, int(papers.value)) for person, name, papers in rows}


def _edges(engine: Engine, iris: list[str]) -> list[Edge]:
    members = set(iris)
    rows = _run(engine, SHARED, [ox.NamedNode(iri) for iri in iris])
    return [
        Edge(a.value, b.value, int(shared.value), int(cut.value) > 0)
        for a, b, shared, cut in rows
        if b.value in members
    ]


def _run(engine: Engine, query: str, people: Sequence[BoundTerm]) -> list[tuple[BoundTerm, ...]]:
    """The rows of `query` for `people`: its variables are bound to the IRIs and literals of kg's graph
    (but SHARED_TITLES' ?date, which may be unbound: None)."""
    if not people:
        return []
    rows = select(engine, bind_values(query, {"person": people})).rows
    return cast("list[tuple[BoundTerm, ...]]", rows)
