"""`kg build`: pages in, a new generation of the store out.

Each page is parsed, mapped to its named graph and inferred in a worker process (`kg.pagework`), both
cores busy, while this process streams the N-Quads into the store in large bulk loads. Layout-A pages go
first: their titles and names settle layout-B splits. Pages whose triples did not change are not
rewritten; what a replaced page alone entailed is taken back (`kg.inferred`). The coauthor rule runs
last, over the whole store or, for a small update, over the people the update touched. Nothing is held
for the whole corpus but a page's hash and the lexicon, so memory stays flat as the corpus grows.
"""

from __future__ import annotations

import os
import queue
from collections import defaultdict
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from kg import __version__, inferred
from kg.errors import KgError
from kg.infer import Schema, compile_schema
from kg.mapping import nquads
from kg.ontology import load_into_store, ontology_digest, ontology_graph
from kg.pagework import PageWork, run_pages
from kg.records import ERROR, WARNING, Diagnostic
from kg.store import StoreMeta, StoreWriter
from kg.vocab import KG, Iris, base_from_env

PAGE_SUFFIXES = (".txt",)
SCHEMA_KEY = "schema"
COUNTS_KEY = "triples"  # [in the page graphs, in the inferred graph]
BULK_BYTES = 64 << 20  # N-Quads buffered per bulk load: Oxigraph's bulk loader has a fixed cost per call
# An update touching fewer pages than this share of the store redoes the coauthor rule for its people only.
INCREMENTAL_SHARE = 0.25


@dataclass
class BuildReport:
    pages: int = 0  # pages read in this run
    pages_written: int = 0
    pages_unchanged: int = 0
    listings: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stats: dict = field(default_factory=dict)  # of the whole store after the build
    timings: dict = field(default_factory=dict)  # seconds per step

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

    def seconds(self) -> dict:
        """Where the build's time went: inference is CPU time summed over workers, plus the coauthor rule."""
        return {k: round(v, 3) for k, v in self.timings.items()}


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


def existing_hashes(store: ox.Store) -> dict[str, str]:
    """content hash of every page graph in the store, by graph IRI."""
    hash_node = ox.NamedNode(KG + "contentHash")
    return {q.subject.value: q.object.value for q in store.quads_for_pattern(None, hash_node, None, None)}


def schema_for(meta: StoreMeta | None, digest: str, base: str) -> tuple[Schema, bool]:
    """The compiled schema closure: reused from the store when the ontology is unchanged."""
    if meta is not None and meta.ontology_hash == digest and SCHEMA_KEY in meta.extra:
        return Schema.from_json(meta.extra[SCHEMA_KEY]), False
    return compile_schema(ontology_graph(base), digest), True


class BulkWriter:
    """Hands N-Quads to Oxigraph's bulk loader in large pieces, in a thread of its own.

    The bulk loader has a fixed cost per call, so pieces are large; it releases the GIL, so while it
    writes one piece this process goes on taking results from the workers and filling the next. At
    most one piece waits while another loads: memory stays bounded.
    """

    def __init__(self, store: ox.Store):
        self.store = store
        self.parts: list[bytes] = []
        self.size = 0
        self.seconds = 0.0
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._load, daemon=True)
        self._thread.start()

    def add(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= BULK_BYTES:
            self._hand_over()

    def flush(self) -> None:
        """Load everything added so far, and wait until it is in the store."""
        self._hand_over()
        self._queue.join()
        self._raise()

    def close(self) -> None:
        self.flush()
        self._queue.put(None)
        self._thread.join()

    def abort(self) -> None:
        self.parts = []
        self._queue.put(None)
        self._thread.join()

    def _hand_over(self) -> None:
        self._raise()
        if self.parts:
            self._queue.put(b"".join(self.parts))
        self.parts, self.size = [], 0

    def _load(self) -> None:
        while (data := self._queue.get()) is not None:
            try:
                if self._failure is None:
                    started = time.perf_counter()
                    self.store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
                    self.seconds += time.perf_counter() - started
            except BaseException as e:  # handed to the main thread at its next call
                self._failure = e
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _raise(self) -> None:
        if self._failure is not None:
            raise self._failure


class StreamingWriter:
    """Streams N-Quads into one bulk load for a whole build into an empty store.

    Oxigraph's bulk loader is fastest when it is called once: a second call ingests into a store that
    is no longer empty, which measured 55% slower for the same quads. So the loader runs in a thread,
    reading a named pipe that this process writes each page into as it arrives; the pipe holds the
    workers back when the loader is behind. The loader reads the pipe by its path, in Rust, without
    taking the GIL from this thread.
    """

    def __init__(self, store: ox.Store, folder: Path):
        self._fifo = folder / "kg-build.nq.fifo"
        self._fifo.unlink(missing_ok=True)
        os.mkfifo(self._fifo)
        self._failure: BaseException | None = None
        self.seconds = 0.0
        self._thread = threading.Thread(target=self._load, args=(store,), daemon=True)
        self._thread.start()
        self._writer = open(self._fifo, "wb")  # returns once the loader has opened the other end

    def _load(self, store: ox.Store) -> None:
        started = time.perf_counter()
        try:
            store.bulk_load(path=str(self._fifo), format=ox.RdfFormat.N_QUADS)
        except BaseException as e:  # handed to the main thread
            self._failure = e
            with open(self._fifo, "rb") as drain:  # unblock a writer waiting on a full pipe
                while drain.read(1 << 16):
                    pass
        finally:
            self.seconds = time.perf_counter() - started

    def add(self, data: bytes) -> None:
        if self._failure is not None:
            raise self._failure
        self._writer.write(data)

    def flush(self) -> None:
        raise AssertionError("a streamed build writes into an empty store: there is nothing to replace")

    def close(self) -> None:
        self._writer.close()
        self._thread.join()
        self._fifo.unlink(missing_ok=True)
        if self._failure is not None:
            raise self._failure

    def abort(self) -> None:
        """The build failed: end the stream so the loader returns (its generation is dropped)."""
        try:
            self.close()
        except BaseException:  # the failure that brought us here matters more
            pass


def remove_graph(store: ox.Store, graph: str) -> None:
    node = ox.NamedNode(graph)
    if store.contains_named_graph(node):
        store.remove_graph(node)


# --- the build ----------------------------------------------------------------------------------------


def build(
    paths: Iterable[str | os.PathLike],
    store_path: str | os.PathLike,
    as_of: date | None = None,
    base: str | None = None,
    fresh: bool = False,
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
) -> BuildReport:
    """Build (or update) the store from pages. Rejected records are in the report, not raised.

    `progress(done, total)` is called as pages are done.
    """
    started = time.perf_counter()
    as_of = as_of or date.today()
    base = base_from_env(base)
    try:
        ox.NamedNode(base)
    except ValueError as e:
        raise KgError(f"the base {base!r} is not a valid IRI: {e}") from e
    iris = Iris(base)
    files = find_pages(paths)
    report = BuildReport()
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
            if previous_meta is None:  # a new store: the ontology's own instances (categories) are inferred here
                store.bulk_load(nquads(schema.infer(inferred.page_triples(store, iris.ontology_graph)), iris.inferred_graph), format=ox.RdfFormat.N_QUADS)
        old_hashes = existing_hashes(store)
        asserted_total, inferred_total = (0, 0) if not old_hashes else previous_meta.extra.get(COUNTS_KEY) or count_triples(store, iris)
        # A small update keeps the inferred graph right triple by triple; a large one loads in bulk.
        incremental = bool(old_hashes) and len(files) < INCREMENTAL_SHARE * len(old_hashes) and not schema_changed
        work = PageWork(iris=iris, schema=schema, as_of=as_of, built_at=built_at)

        from_nothing = not old_hashes
        loader = StreamingWriter(store, writer.root) if from_nothing else BulkWriter(store)
        authors_of: dict[str, set[str]] = defaultdict(set)  # from nothing: the coauthor rule's input
        touched_people: set[str] = set()
        replaced: list[tuple[str, list]] = []  # (page graph, its old triples)
        written: list[str] = []
        seen_pages: dict[str, str] = {}
        try:
            results = run_pages(files, work, jobs=jobs)
            for result in results:
                report.pages += 1
                if progress:
                    progress(report.pages, len(files))
                report.diagnostics.extend(result.diagnostics)
                if result.graph is None:
                    continue
                if result.page_id in seen_pages:
                    report.diagnostics.append(
                        Diagnostic(ERROR, result.source, 1, f"{seen_pages[result.page_id]} in this build is also page {result.page_id}; this file is skipped")
                    )
                    continue
                seen_pages[result.page_id] = result.source
                report.listings += result.listings
                report.timings["inference"] = report.timings.get("inference", 0.0) + result.infer_seconds
                if old_hashes.get(result.graph) == result.content_hash:
                    report.pages_unchanged += 1
                    continue
                if result.graph in old_hashes:
                    loader.flush()  # an earlier bulk load may still hold this page's old triples
                    old = inferred.page_triples(store, result.graph)
                    replaced.append((result.graph, old))
                    if incremental:
                        touched_people |= inferred.authors_in_graph(store, result.graph)
                    asserted_total -= inferred.graph_size(store, result.graph)
                    remove_graph(store, result.graph)
                asserted_total += result.asserted_count
                touched_people |= result.authors
                if from_nothing:
                    for paper, authors in result.paper_authors.items():
                        authors_of[paper].update(authors)
                loader.add(result.nquads)
                if not incremental:
                    loader.add(result.inferred_nquads)
                written.append(result.graph)
            if from_nothing:  # the coauthor rule goes into the same single bulk load
                loader.add(inferred.coauthor_nquads(authors_of, iris))
        except BaseException:
            loader.abort()
            raise
        loader.close()
        report.pages_written = len(written)
        report.timings["pages"] = time.perf_counter() - started
        report.timings["load"] = loader.seconds

        started_rules = time.perf_counter()
        if schema_changed and old_hashes:
            inferred.reinfer_all(store, iris, schema)
        else:
            if incremental:
                for graph in written:
                    inferred_total += inferred.add(store, iris, schema.infer(inferred.page_triples(store, graph)))
            still = {graph: set(schema.infer(inferred.page_triples(store, graph))) for graph, _ in replaced}
            for graph, old in replaced:
                inferred_total -= inferred.retract(store, iris, schema, (t for t in schema.infer(old) if t not in still[graph]))
        if (written or schema_changed) and not from_nothing:
            inferred_total += inferred.run_coauthor_rule(store, iris, touched_people if incremental else None)
        if not incremental and (written or schema_changed):
            inferred_total = inferred.graph_size(store, iris.inferred_graph)  # bulk loads do not say what was new
        report.timings["rules"] = time.perf_counter() - started_rules
        report.timings["inference"] = report.timings.get("inference", 0.0) + report.timings["rules"]
        counts = (asserted_total, inferred_total)
        report.stats = store_stats(store, counts)
        extra = {SCHEMA_KEY: schema.to_json(), COUNTS_KEY: counts}
        writer.commit(StoreMeta(base=base, kg_version=__version__, ontology_hash=digest, built_at=built_at, extra=extra))
    report.timings["total"] = time.perf_counter() - started
    return report


def count_triples(store: ox.Store, iris: Iris) -> tuple[int, int]:
    """(triples in the page graphs, in the inferred graph), counted: for a store whose builds kept no count."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{iris.page_graph_prefix}\")) }}"
    asserted = int(next(iter(store.query(query)))["n"].value)
    return asserted, inferred.graph_size(store, iris.inferred_graph)


def store_stats(store: ox.Store, triples: tuple[int, int]) -> dict:
    """What `kg stats` shows: pages, listings, papers, people, orgs, triples (asserted, inferred).

    Triples are counted as stored, by the builds that write them: a small update need not recount the
    whole store.
    """
    counts = {}
    for name, cls in (("pages", "Profile"), ("listings", "Listing"), ("papers", "Paper"), ("people", "Person"), ("orgs", "Organization")):
        query = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{KG}{cls}> }}"
        counts[name] = int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)
    counts["triples_asserted"], counts["triples_inferred"] = triples
    return counts
