"""`kg build`: pages in, a new generation of the store out.

parse (layout A pages first: their titles and names settle layout-B splits) → map each page to its
named graph → skip pages whose triples did not change → apply the schema closure page by page →
write into a new store generation → run the coauthor rule → make the generation live.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.errors import KgError
from kg.infer import Schema, compile_schema, coauthor_update
from kg.mapping import PageGraph, map_page, nquads
from kg.ontology import load_into_store, ontology_digest, ontology_graph
from kg.parse import detect_layout, decode_page, lexicon_of, parse_page
from kg.records import ERROR, WARNING, Diagnostic, ParsedPage
from kg.split import Lexicon
from kg.store import StoreMeta, StoreWriter
from kg.vocab import KG, Iris, base_from_env, page_id_for

PAGE_SUFFIXES = (".txt",)
SCHEMA_KEY = "schema"


@dataclass
class BuildReport:
    pages: int = 0  # pages read in this run
    pages_written: int = 0
    pages_unchanged: int = 0
    listings: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stats: dict = field(default_factory=dict)  # of the whole store after the build

    @property
    def rejected(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == WARNING)

    def summary(self) -> dict:
        return {
            "pages": self.pages,
            "pages_written": self.pages_written,
            "pages_unchanged": self.pages_unchanged,
            "listings": self.listings,
            **{k: v for k, v in self.stats.items() if k not in ("pages", "listings")},
            "warnings": self.warnings,
            "rejected": self.rejected,
        }


def find_pages(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given; folders searched for *.txt pages, in name order."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in PAGE_SUFFIXES and not p.name.startswith(".")))
        elif path.is_file():
            found.append(path)
        else:
            raise KgError(f"no such file or folder: {given}")
    return found


def built_at_now() -> str:
    """The build time, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_pages(files: list[Path], as_of: date, progress: Callable[[int], None] | None = None) -> list[ParsedPage]:
    """Parse every file; layout-A pages first so that the lexicon they fill settles layout-B splits."""
    raw: list[tuple[Path, bytes]] = []
    for path in files:
        try:
            raw.append((path, path.read_bytes()))
        except OSError as e:
            raise KgError(f"cannot read {path}: {e.strerror}") from e
    lexicon = Lexicon()
    parsed: dict[Path, ParsedPage] = {}
    layout_b = []
    for path, data in raw:
        lines, _ = decode_page(data, path.name)
        if detect_layout(lines) == "B":
            layout_b.append((path, data))
            continue
        parsed[path] = parse_page(data, path.name, as_of)
        lexicon_of(parsed[path], lexicon)
        if progress:
            progress(1)
    for path, data in layout_b:
        parsed[path] = parse_page(data, path.name, as_of, lexicon)
        if progress:
            progress(1)
    return [parsed[path] for path, _ in raw]


def existing_hashes(store: ox.Store, iris: Iris) -> dict[str, str]:
    """content hash of every page graph in the store, by graph IRI."""
    query = f"SELECT ?g ?h WHERE {{ GRAPH ?g {{ ?g <{KG}contentHash> ?h }} }}"
    return {row["g"].value: row["h"].value for row in store.query(query)}


def authors_in_graph(store: ox.Store, graph: str) -> set[str]:
    query = f"SELECT DISTINCT ?a WHERE {{ GRAPH <{graph}> {{ ?paper <{KG}hasAuthor> ?a }} }}"
    return {row["a"].value for row in store.query(query)}


def schema_for(meta: StoreMeta | None, digest: str, base: str) -> tuple[Schema, bool]:
    """The compiled schema closure: reused from the store when the ontology is unchanged."""
    if meta is not None and meta.ontology_hash == digest and SCHEMA_KEY in meta.extra:
        return Schema.from_json(meta.extra[SCHEMA_KEY]), False
    return compile_schema(ontology_graph(base), digest), True


def write_page(store: ox.Store, iris: Iris, page: PageGraph, schema: Schema, built_at: str) -> None:
    """Replace a page's graph and its inferred graph."""
    inferred_graph = iris.inferred_page_graph(page.page_id)
    for graph in (page.graph, inferred_graph):
        node = ox.NamedNode(graph)
        if store.contains_named_graph(node):
            store.remove_graph(node)
    store.bulk_load(nquads(page.triples + page.provenance(built_at), page.graph), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(nquads(schema.infer(page.triples), inferred_graph), format=ox.RdfFormat.N_QUADS)


def infer_graph(store: ox.Store, schema: Schema, graph: str, inferred_graph: str) -> None:
    """Replace `inferred_graph` with the consequences of the triples in `graph`."""
    node = ox.NamedNode(graph)
    triples = [(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads_for_pattern(None, None, None, node)]
    inferred = ox.NamedNode(inferred_graph)
    if store.contains_named_graph(inferred):
        store.remove_graph(inferred)
    store.bulk_load(nquads(schema.infer(triples), inferred_graph), format=ox.RdfFormat.N_QUADS)


def reinfer_all(store: ox.Store, iris: Iris, schema: Schema, skip: set[str]) -> None:
    """Redo every page's inferred graph (the ontology changed)."""
    for graph in list(store.named_graphs()):
        name = graph.value
        if name.startswith(iris.page_graph_prefix) and name not in skip:
            infer_graph(store, schema, name, iris.inferred_page_graph(name[len(iris.page_graph_prefix) :]))


def build(
    paths: Iterable[str | os.PathLike],
    store_path: str | os.PathLike,
    as_of: date | None = None,
    base: str | None = None,
    fresh: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BuildReport:
    """Build (or update) the store from pages. Rejected records are in the report, not raised."""
    as_of = as_of or date.today()
    base = base_from_env(base)
    try:
        ox.NamedNode(base)
    except ValueError as e:
        raise KgError(f"the base {base!r} is not a valid IRI: {e}") from e
    iris = Iris(base)
    files = find_pages(paths)
    report = BuildReport()
    parsed_pages = parse_pages(files, as_of, progress)

    pages: dict[str, PageGraph] = {}
    for parsed in parsed_pages:
        report.pages += 1
        report.diagnostics.extend(parsed.diagnostics)
        if parsed.page.layout == "?":
            continue
        page_id = page_id_for(parsed.page.source)
        if page_id in pages:
            report.diagnostics.append(
                Diagnostic(ERROR, parsed.page.source, 1, f"another file in this build is also page {page_id}; this one is skipped")
            )
            continue
        report.listings += len(parsed.listings)
        pages[page_id] = map_page(parsed, iris, as_of)

    built_at = built_at_now()
    digest = ontology_digest(base)
    with StoreWriter(store_path, base) as writer:
        store = writer.store
        previous_meta = None if fresh else writer.previous_meta
        if fresh:
            store.clear()
        schema, schema_changed = schema_for(previous_meta, digest, base)
        if schema_changed or previous_meta is None:
            load_into_store(store, iris.ontology_graph, base)
            infer_graph(store, schema, iris.ontology_graph, iris.inferred_ontology_graph)
        old_hashes = existing_hashes(store, iris)
        changed = [p for p in pages.values() if old_hashes.get(p.graph) != p.content_hash]
        report.pages_written = len(changed)
        report.pages_unchanged = len(pages) - len(changed)

        affected: set[str] = set()
        incremental = bool(old_hashes) and len(changed) * 4 < len(old_hashes)
        for page in changed:
            if incremental and page.graph in old_hashes:
                affected |= authors_in_graph(store, page.graph)
            write_page(store, iris, page, schema, built_at)
            if incremental:
                affected |= {o[1:-1] for _, p, o in page.triples if p == f"<{KG}hasAuthor>"}
        if schema_changed and old_hashes:
            reinfer_all(store, iris, schema, skip={p.graph for p in changed})
        if changed or schema_changed:
            people = sorted(affected) if incremental and not schema_changed else None
            if people is None or people:
                store.update(coauthor_update(iris.coauthor_graph, iris.page_graph_prefix, people))
        report.stats = store_stats(store, iris)
        writer.commit(
            StoreMeta(base=base, kg_version=__version__, ontology_hash=digest, built_at=built_at, extra={SCHEMA_KEY: schema.to_json()})
        )
    return report


def store_stats(store: ox.Store, iris: Iris) -> dict:
    """What `kg stats` shows: pages, listings, papers, people, orgs, triples (asserted, inferred)."""
    counts = {}
    for name, cls in (("pages", "Profile"), ("listings", "Listing"), ("papers", "Paper"), ("people", "Person"), ("orgs", "Organization")):
        query = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a <{KG}{cls}> }} FILTER(STRSTARTS(STR(?g), \"{iris.page_graph_prefix}\")) }}"
        counts[name] = int(next(iter(store.query(query)))["n"].value)
    asserted = inferred = 0
    for graph in store.named_graphs():
        size = _graph_size(store, graph)
        if graph.value.startswith(iris.inferred_graph_prefix):
            inferred += size
        elif graph.value.startswith(iris.page_graph_prefix):
            asserted += size
    counts["triples_asserted"] = asserted
    counts["triples_inferred"] = inferred
    return counts


def _graph_size(store: ox.Store, graph: ox.NamedNode) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(query)))["n"].value)
