"""`kg export`: the store's graph in the W3C RDF serialisations.

Graph formats (Turtle, N-Triples) get the merge of the page graphs, the graph of facts and the ontology
graph (and the inferred graph with --inferred), each triple once (no triple sits in two of them).
Dataset formats (TriG, N-Quads, JSON-LD) keep the named graphs, so provenance survives a round trip.
Output is written as `kg.files.output_file` writes any file: complete or not at all, with the mode a
plain write would give it, through symlinks, never replacing what is not a regular file.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import KgError
from kg.model.vocab import PREFIXES, Iris
from kg.store.generations import KgStore
from kg.system.files import output_file

FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
DATASET_FORMATS = {"trig", "nquads", "jsonld"}
DEFAULT_FORMAT = "turtle"  # for stdout, and a file whose name does not say its format
SUFFIXES = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "ntriples",
    ".ntriples": "ntriples",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".trig": "trig",
    ".nq": "nquads",
    ".nquads": "nquads",
}


def format_for(output: str | None, fmt: str | None) -> str:
    """The format to write: `fmt`, else the one the output file's extension names, else Turtle. A file
    named for one format and asked in another is refused: whatever reads it would go by its name."""
    named = SUFFIXES.get(Path(output).suffix.lower()) if output not in (None, "-") else None
    if fmt is not None and fmt not in FORMATS:
        raise KgError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt is not None and named is not None and fmt != named:
        raise KgError(
            f"{output} is named as {named} but --format {fmt} was asked: name the file for its format "
            f"(e.g. {Path(str(output)).stem}{_suffix_of(fmt)}) or drop --format"
        )
    return fmt or named or DEFAULT_FORMAT


def _suffix_of(fmt: str) -> str:
    return next(suffix for suffix, name in SUFFIXES.items() if name == fmt)


def data_prefixes(iris: Iris) -> dict[str, str]:
    """Prefixes for Turtle and TriG: the vocabularies, and one per kind of data node."""
    prefixes = dict(PREFIXES)
    for kind in ("person", "paper", "org", "category", "page"):
        prefixes[kind] = f"{iris.base}{kind}/"
    return prefixes


def graphs_to_export(kg: KgStore, inferred: bool) -> list[ox.NamedNode]:
    iris = kg.iris
    wanted = []
    for graph in kg.store.named_graphs():
        if not isinstance(graph, ox.NamedNode):
            continue  # kg names every graph it writes
        name = graph.value
        if (
            name.startswith(iris.page_graph_prefix)
            or name in (iris.ontology_graph, iris.facts_graph)
            or (inferred and name == iris.inferred_graph)
        ):
            wanted.append(graph)
    return sorted(wanted, key=lambda g: g.value)


def exported_statements(kg: KgStore, fmt: str, inferred: bool) -> Iterator[ox.Quad] | Iterator[ox.Triple]:
    """Quads (dataset formats) or distinct triples (graph formats) of the graphs to export."""
    return _quads(kg, inferred) if fmt in DATASET_FORMATS else _triples(kg, inferred)


def _quads(kg: KgStore, inferred: bool) -> Iterator[ox.Quad]:
    for graph in graphs_to_export(kg, inferred):
        yield from kg.store.quads_for_pattern(None, None, None, graph)


def _triples(kg: KgStore, inferred: bool) -> Iterator[ox.Triple]:
    graphs = graphs_to_export(kg, inferred)
    values = " ".join(str(g) for g in graphs)
    triples = kg.store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    assert isinstance(triples, ox.QueryTriples)  # a CONSTRUCT query's answer
    yield from triples


def write_export(kg: KgStore, fmt: str, inferred: bool, binary: IO[bytes]) -> None:
    """The export, serialized into an open binary file."""
    prefixes = data_prefixes(kg.iris) if fmt in ("turtle", "trig") else None
    ox.serialize(exported_statements(kg, fmt, inferred), binary, FORMATS[fmt], prefixes=prefixes)


def export(kg: KgStore, fmt: str, inferred: bool = False, output: str | None = None) -> None:
    """Write the export to `output`, or to stdout when it is None or '-'."""
    if output in (None, "-"):
        try:
            sys.stdout.flush()
            write_export(kg, fmt, inferred, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise  # the reader left: kg stops quietly
        except OSError as e:
            raise KgError(f"cannot write the output: {e.strerror or e}") from None
        return
    with output_file(output) as f:
        write_export(kg, fmt, inferred, f)
