"""The ontology and the category scheme, as files and as graphs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from kg.system.resources import ontology_dir

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

ONTOLOGY_FILE = "kg.ttl"
CATEGORIES_FILE = "categories.ttl"  # relative IRIs, resolved against the data base


def ontology_files() -> list[Path]:
    folder = ontology_dir()
    return [folder / ONTOLOGY_FILE, folder / CATEGORIES_FILE]


def ontology_digest(base: str) -> str:
    """Changes when the ontology files or the base change: then every inferred graph is redone."""
    digest = hashlib.sha256(base.encode())
    for path in ontology_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_into_store(store: pyoxigraph.Store, graph: str, base: str) -> None:
    """Replace the ontology graph of a pyoxigraph store with the current files."""
    import pyoxigraph as ox

    target = ox.NamedNode(graph)
    store.remove_graph(target) if store.contains_named_graph(target) else None
    for path in ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base, to_graph=target)


def ontology_graph(base: str) -> Graph:
    """The ontology as an rdflib Graph (for owlrl and pyshacl)."""
    from rdflib import Graph

    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle", publicID=base)
    return graph
