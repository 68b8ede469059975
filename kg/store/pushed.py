"""What `kg push` remembers of each endpoint it pushed to, and what it compares that with.

Beside the generations, a store keeps one small file per endpoint it was pushed to:

    kg-store/pushed/<sha256 of the endpoint URL, 16 hex digits>.json

holding the endpoint's URL (without credentials), the generation last pushed there and, for every named
graph the endpoint holds from kg, the stamp of the copy it holds. A page graph's stamp is what the build
wrote into it about itself (its content hash and when it was built), read without reading the graph; a
graph the pages share names the generation whose copy the endpoint holds (`generation:gen-000004`: the
changes kept since, kg.store.changes, bring it up to date), or, as an earlier kg wrote it, is a SHA-256
of its N-Triples. A graph whose stamp is the live one's is already there.

A push that was interrupted leaves the record saying what it knows for sure: the graphs it had not
finished are left out, so the next push sends them again. Nothing else reads or writes these files; a
build never touches them, and removing the folder only makes the next push send everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.model.vocab import KG, PROV
from kg.store.generations import pin_generation

FOLDER = "pushed"
GENERATION_STAMP = "generation:"  # a shared graph's stamp: the generation whose copy the endpoint holds
CONTENT_HASH = ox.NamedNode(KG + "contentHash")
GENERATED_AT = ox.NamedNode(PROV + "generatedAtTime")


@dataclass
class PushRecord:
    """What one endpoint holds from this store: `graphs` maps a graph IRI to the stamp of its copy there."""

    endpoint: str
    generation: str = ""
    graphs: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def path(root: Path, endpoint: str) -> Path:
        return root / FOLDER / (hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:16] + ".json")

    @classmethod
    def load(cls, root: Path, endpoint: str) -> PushRecord:
        """The record for `endpoint`; an empty one when there is none, or one kg cannot read (the push
        then sends everything, which is always right)."""
        try:
            data = json.loads(cls.path(root, endpoint).read_text(encoding="utf-8"))
            graphs = data["graphs"]
            if data["endpoint"] != endpoint or not isinstance(graphs, dict):
                return cls(endpoint)
            return cls(endpoint, str(data.get("generation", "")), {str(k): str(v) for k, v in graphs.items()})
        except (OSError, ValueError, KeyError, TypeError):
            return cls(endpoint)

    def save(self, root: Path) -> None:
        """Written whole or not at all. OSError when the store's folder cannot be written."""
        path = self.path(root, self.endpoint)
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        data = {"endpoint": self.endpoint, "generation": self.generation, "graphs": self.graphs}
        try:
            tmp.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True), encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def page_stamps(store: ox.Store) -> dict[str, str]:
    """{graph IRI: stamp} for every graph holding the build's stamp about itself (the page graphs): its
    content hash and when it was built, so that a page rebuilt from nothing counts as changed."""
    hashes = _about_themselves(store, CONTENT_HASH)
    built = _about_themselves(store, GENERATED_AT)
    return {graph: f"page:{value}@{built.get(graph, '')}" for graph, value in hashes.items()}


def _about_themselves(store: ox.Store, predicate: ox.NamedNode) -> dict[str, str]:
    found = {}
    for quad in store.quads_for_pattern(None, predicate, None, None):
        if isinstance(quad.graph_name, ox.NamedNode) and quad.subject == quad.graph_name:
            found[quad.graph_name.value] = quad.object.value  # type: ignore[union-attr]
    return found


def content_stamp(ntriples: bytes) -> str:
    """The stamp of a graph that holds none of its own: a hash of its N-Triples (a store dumps the same
    graph in the same order, so the same graph hashes the same)."""
    return "sha256:" + hashlib.sha256(ntriples).hexdigest()


@contextlib.contextmanager
def kept_generation(root: Path, generation: str) -> Iterator[ox.Store | None]:
    """An older generation the store still keeps, read-only and pinned while in use; None when a build
    has retired it (or it cannot be read)."""
    if not generation or not (root / generation).is_dir():
        yield None
        return
    try:
        pinned = pin_generation(root, generation)
    except KgError:  # a damaged older generation is only one kg cannot compare with
        pinned = None
    if pinned is None:
        yield None
        return
    pin, _meta = pinned
    try:
        try:
            store = ox.Store.read_only(str(root / generation))
        except (OSError, RuntimeError):
            store = None
        yield store
    finally:
        store = None
        pin.close()
