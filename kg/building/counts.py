"""The figures `kg stats` shows, as a build leaves the store: what it holds, and its triples by part."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.model.ntriples import Triple, iri
from kg.model.vocab import KG, RDF_TYPE
from kg.store.generations import StoreMeta

# What `kg stats` counts of the store, each the nodes of one class (pages are profiles)
COUNTED = (
    ("pages", "Profile"),
    ("listings", "Listing"),
    ("papers", "Paper"),
    ("people", "Person"),
    ("orgs", "Organization"),
)
_TYPE = iri(RDF_TYPE)

# in a generation's record (kg.store.generations.StoreMeta)
COUNTS_KEY = "triples"  # [asserted (the page graphs and the graph of facts), in the inferred graph]
LISTINGS_KEY = "listings"  # the listings it holds
# What `kg stats` counts of the generation (pages, listings, papers, people, orgs): an update counts what
# its pages add and take away, so that neither it nor kg stats counts the whole store
COUNTED_KEY = "counted"


def kept_counts(meta: StoreMeta | None) -> dict[str, int]:
    """What `kg stats` counts of a generation, as its build recorded it (an older kg recorded its
    listings alone; what is not recorded is counted in the store)."""
    if meta is None:
        return {}
    counted = meta.extra.get(COUNTED_KEY)
    if counted is not None:
        return dict(counted)
    listings = meta.extra.get(LISTINGS_KEY)
    return {} if listings is None else {"listings": listings}


_COUNTED_BY_CLASS = {iri(KG + cls): name for name, cls in COUNTED}


def change_of_counts(added: Iterable[Triple], removed: Iterable[Triple]) -> dict[str, int]:
    """How the counted nodes change when `added` go into the store and `removed` come out: a type
    triple is in one graph only (kg.export), so each is one node more or less."""
    change = dict.fromkeys(_COUNTED_BY_CLASS.values(), 0)
    for sign, triples in ((1, added), (-1, removed)):
        for _, p, o in triples:
            if p == _TYPE and o in _COUNTED_BY_CLASS:
                change[_COUNTED_BY_CLASS[o]] += sign
    return change


def store_stats(
    store: ox.Store, triples: tuple[int, int], ontology_graph: str, kept: dict[str, int] | None = None
) -> dict[str, int]:
    """What `kg stats` shows: pages, listings, papers, people, orgs, and triples: every triple of the
    store (what an export with --inferred, kg push and COUNT(*) see), then the three parts it is made of,
    asserted (the page graphs and the graph of facts), inferred, and the ontology's.

    The asserted and inferred triples are counted as stored, by the builds that write them, and so is
    any figure in `kept` (a small update counts what its pages add and take away, and a generation
    records its counts): neither an update nor `kg stats` need count the whole store.
    """
    kept = kept or {}
    counts = {}
    for name, cls in COUNTED:
        if name in kept:
            counts[name] = kept[name]
            continue
        # each triple is in one graph only (kg.export): no DISTINCT, which took twice as long
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a <{KG}{cls}> }}"
        answer = store.query(query, use_default_graph_as_union=True)
        counts[name] = int(next(iter(answer))["n"].value)  # type: ignore[arg-type]
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ontology_graph}> {{ ?s ?p ?o }} }}"
    ontology = int(next(iter(store.query(query)))["n"].value)  # type: ignore[arg-type]
    return with_total(counts, *triples, ontology)


def with_total(counts: dict[str, int], asserted: int, inferred: int, ontology: int) -> dict[str, int]:
    """The triple counts, the total first: no triple is in two of the graphs (kg.export)."""
    return {
        **counts,
        "triples": asserted + inferred + ontology,
        "triples_asserted": asserted,
        "triples_inferred": inferred,
        "triples_ontology": ontology,
    }
