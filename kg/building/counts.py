"""The figures `kg stats` shows, as a build leaves the store: what it holds, and its triples by part."""

from __future__ import annotations

import pyoxigraph as ox

from kg.model.vocab import KG


def store_stats(
    store: ox.Store, triples: tuple[int, int], ontology_graph: str, kept: dict[str, int] | None = None
) -> dict[str, int]:
    """What `kg stats` shows: pages, listings, papers, people, orgs, and triples: every triple of the
    store (what an export with --inferred, kg push and COUNT(*) see), then the three parts it is made of,
    asserted (the page graphs and the graph of facts), inferred, and the ontology's.

    The asserted and inferred triples are counted as stored, by the builds that write them, and so is
    any figure in `kept` (the listings, by a small update): a small update need not recount the whole
    store.
    """
    kept = kept or {}
    counts = {}
    for name, cls in (
        ("pages", "Profile"),
        ("listings", "Listing"),
        ("papers", "Paper"),
        ("people", "Person"),
        ("orgs", "Organization"),
    ):
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
