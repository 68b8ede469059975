"""`kg stats` on a SPARQL endpoint: the same counts as on the store, asked of the graph in SPARQL.

On the store, the triple counts are kept by the builds that write them (`kg.building.store_stats`); an
endpoint has no such record, so its named graphs are counted, and sorted as the store sorts them: the
page graphs and the graph of facts are asserted, the inferred graph inferred, the ontology graph the ontology's; `triples` is all of them.
"""

from __future__ import annotations

from kg.building.counts import with_total
from kg.errors import KgError
from kg.model.terms import text_of
from kg.model.vocab import KG, Iris
from kg.query.canned import Engine, select

# What `kg stats` counts: each the distinct members of one class.
CLASS_COUNTS = (
    ("pages", "Profile"),
    ("listings", "Listing"),
    ("papers", "Paper"),
    ("people", "Person"),
    ("orgs", "Organization"),
)
GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def engine_stats(engine: Engine, base: str, source: str) -> dict[str, int]:
    """The counts `kg stats` shows, read from `engine` (whose data are under `base`, read at `source`)."""
    counts = {}
    for name, cls in CLASS_COUNTS:
        rows = select(engine, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{KG}{cls}> }}").rows
        counts[name] = int(text_of(rows[0][0])) if rows and rows[0][0] is not None else 0
    iris = Iris(base)
    asserted = inferred = ontology = 0
    seen_page_graph = False
    for graph, size in select(engine, GRAPH_SIZES).rows:
        if graph is None or size is None:
            continue
        name, n = text_of(graph), int(text_of(size))
        if name.startswith(iris.page_graph_prefix):
            asserted += n
            seen_page_graph = True
        elif name == iris.facts_graph:
            asserted += n
        elif name == iris.inferred_graph:
            inferred += n
        elif name == iris.ontology_graph:
            ontology += n
    if not seen_page_graph and counts["pages"]:
        raise KgError(
            f"{source} shows no named graph under {iris.page_graph_prefix}, so its triples cannot be "
            "counted as kg stores them: check --base, or count them with kg sparql"
        )
    return with_total(counts, asserted, inferred, ontology)
