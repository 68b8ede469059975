"""`kg export`: the store's graph in the W3C RDF serialisations.

Graph formats (Turtle, N-Triples) get the merge of the page graphs, the graph of facts and the ontology
graph (and the inferred graph with --inferred), each triple once (no triple sits in two of them).
Dataset formats (TriG, N-Quads, JSON-LD) keep the named graphs, so provenance survives a round trip.
Output goes to a temporary file beside the target that replaces it only when complete: an interrupted
export never leaves a truncated file behind. The file gets the mode a plain write would give it (the
umask, or the mode of the file it replaces), a symlink is written through, and a target that is not a
regular file (a device, a pipe) is written into directly, never replaced.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import KgError
from kg.store import KgStore
from kg.vocab import PREFIXES, Iris

FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
DATASET_FORMATS = {"trig", "nquads", "jsonld"}


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
        name = graph.value
        if name.startswith(iris.page_graph_prefix) or name in (iris.ontology_graph, iris.facts_graph):
            wanted.append(graph)
        elif inferred and name == iris.inferred_graph:
            wanted.append(graph)
    return sorted(wanted, key=lambda g: g.value)


def exported_statements(kg: KgStore, fmt: str, inferred: bool):
    """Quads (dataset formats) or distinct triples (graph formats) of the graphs to export."""
    graphs = graphs_to_export(kg, inferred)
    if fmt in DATASET_FORMATS:
        for graph in graphs:
            yield from kg.store.quads_for_pattern(None, None, None, graph)
        return
    values = " ".join(str(g) for g in graphs)
    yield from kg.store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")


def export(kg: KgStore, fmt: str, inferred: bool = False, output: str | None = None) -> None:
    """Write the export to `output`, or to stdout when it is None or '-'."""
    statements = exported_statements(kg, fmt, inferred)
    kwargs = {"format": FORMATS[fmt]}
    if fmt in ("turtle", "trig"):
        kwargs["prefixes"] = data_prefixes(kg.iris)
    if output in (None, "-"):
        try:
            sys.stdout.flush()
            ox.serialize(statements, sys.stdout.buffer, **kwargs)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise  # the reader left: kg stops quietly
        except OSError as e:
            raise KgError(f"cannot write the output: {e.strerror or e}") from None
        return
    with output_file(output) as f:
        ox.serialize(statements, f, **kwargs)


@contextmanager
def output_file(output: str) -> Iterator[BinaryIO]:
    """A binary file to write `output` through; it appears complete or not at all (see above)."""
    target = Path(os.path.realpath(output))  # through symlinks: the link stays, its target is written
    if target.is_dir():
        raise KgError(f"cannot write {output}: it is a folder")
    if target.exists() and not target.is_file():  # /dev/stdout, a FIFO, a device: write into it
        try:
            with open(target, "wb") as f:
                yield f
        except OSError as e:
            raise KgError(f"cannot write {output}: {e.strerror or e}") from None
        return
    if not target.parent.is_dir():
        raise KgError(f"cannot write {output}: there is no folder {target.parent}")
    existing = target.stat() if target.exists() else None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as e:
        raise KgError(f"cannot write {output}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.chmod(tmp, stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~current_umask())
        if existing is not None:
            try:
                os.chown(tmp, existing.st_uid, existing.st_gid)
            except PermissionError:
                pass  # only root may give a file away; the mode is kept all the same
        os.replace(tmp, target)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise KgError(f"cannot write {output}: {e.strerror or e}") from None
        raise


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
