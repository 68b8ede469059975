"""The coauthor network around one person (an ego network), read from the graph: nodes, edges, weights.

Depth 1 is the person and everyone who shares a paper with them; depth 2 adds the coauthors of those
coauthors. Edges join every two members who share a paper, weighted by how many papers they share, and
are a lower bound when one of those papers had its author list cut (`kg:authorListTruncated`, the page
showed "et al."): there may be more shared papers than the graph knows of.

Each fact is stored once (ontology/README.md), so papers are counted as they are matched. The queries are constants here, not files in queries/, because `kg graph` is their only
user and they are not meant for `kg query`. They use the `# @values` markers of kg.queries, so the people
are bound as validated RDF terms and nothing the user typed reaches the query text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.queries import Engine, bind_values, select
from kg.vocab import KG, SKOS

DEPTHS = (1, 2)

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


@dataclass(frozen=True)
class Network:
    ego: Node
    depth: int
    nodes: tuple[Node, ...]  # the ego first, then by hops, most papers, name
    edges: tuple[Edge, ...]  # heaviest first

    @property
    def title(self) -> str:
        return f"Coauthors of {self.ego.name}" + (" and their coauthors" if self.depth == 2 else "")


def ego_network(engine: Engine, person: ox.NamedNode, depth: int = 1) -> Network:
    """The network of `person` (an IRI already resolved, e.g. by kg.people) up to `depth` hops."""
    if depth not in DEPTHS:
        raise ValueError(f"depth must be one of {DEPTHS}, not {depth!r}")
    hops = _members(engine, person, depth)
    people = _people(engine, list(hops))
    nodes = sorted(
        (Node(iri, *people.get(iri, (iri, 0)), hops=hop) for iri, hop in hops.items()),
        key=lambda n: (n.hops, -n.papers, n.name.casefold(), n.iri),
    )
    edges = sorted(_edges(engine, list(hops)), key=lambda e: (-e.weight, e.source, e.target))
    return Network(ego=nodes[0], depth=depth, nodes=tuple(nodes), edges=tuple(edges))


def _members(engine: Engine, person: ox.NamedNode, depth: int) -> dict[str, int]:
    """Each member's IRI and how many hops it is from `person`, found breadth first."""
    hops = {person.value: 0}
    frontier = [person]
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


def _run(engine: Engine, query: str, people: list[ox.NamedNode]) -> list[tuple]:
    if not people:
        return []
    return select(engine, bind_values(query, {"person": people})).rows
