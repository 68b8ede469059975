"""`kg push`: the store's named graphs to a SPARQL engine, and after that only what changed.

Every named graph of the live generation (each page's graph, the graph of facts, the inferred graph, the
ontology graph) is replaced whole on the engine, or changed in part to equal the store's, so that pushing
again leaves the remote copy equal to the local one, graph by graph, each triple once. How the engine is
written to (several graphs a request to Oxigraph, one Graph Store PUT a graph elsewhere) is
kg.features.push_targets'; Virtuoso's bulk loader, when the user says how to reach it, kg.features.push_bulk's.

The store remembers, per endpoint, what the endpoint holds (kg.store.pushed): a push sends only the
graphs whose stamp differs from the one it holds, removes the graphs of pages no longer in the store, and
sends a large graph that changed in part (the inferred graph, the graph of facts) as the difference from
the generation last pushed, when the store still keeps that one. `full=True` sends everything.

Batches are at most `batch_triples` triples (a larger graph is cut into requests of that many), and one
batch is read from the store while the one before it is on its way. A push that stops says how many graphs
it had sent, never reports itself done, and leaves the record saying only what it knows the endpoint
holds: the next push sends the rest.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from functools import partial

import pyoxigraph as ox

from kg.errors import KgError
from kg.features import push_targets
from kg.features.push_bulk import BulkPath, VirtuosoBulk
from kg.features.push_targets import Counts, GraphStore, Piece, Virtuoso, target_for
from kg.query.endpoint import Endpoint, EndpointError
from kg.store import changes
from kg.store.generations import KgStore
from kg.store.pushed import GENERATION_STAMP, PushRecord, content_stamp, kept_generation, page_stamps

DEFAULT_BATCH = 250_000  # triples per request: ~55 MB of N-Quads (fewer, larger loads cost Oxigraph less)
PATCH_SHARE = 0.25  # a graph changed in more than this share of its triples is sent whole instead

# Kept here too, where the tests and callers have always found them.
TRIES, BACKOFF, MAX_WAIT = push_targets.TRIES, push_targets.BACKOFF, push_targets.MAX_WAIT


@dataclass
class PushReport:
    graphs: int = 0  # sent, whole or in part
    triples: int = 0  # sent: whole graphs' triples, and those a change in part took out or put in
    patched: int = 0  # of `graphs`, those changed in part
    bulk: int = 0  # of `graphs`, those Virtuoso's bulk loader loaded
    removed: int = 0
    unchanged: int = 0
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    engine: str = ""
    since: str = ""  # the generation the endpoint held, when only the changes were sent
    notes: list[str] = field(default_factory=list)
    url: str = ""  # the endpoint, as messages show it (never its credentials)

    def line(self, url: str | None = None) -> str:
        url = url or self.url
        rate = f", {self.triples / self.seconds:,.0f} triples/s" if self.seconds > 0 else ""
        retried = f", {self.retries} retried" if self.retries else ""
        extra = []
        if self.bulk:
            extra.append(f"{self.bulk} of them through the bulk loader")
        if self.patched:
            extra.append(f"{self.patched} of them changed in part")
        if self.removed:
            extra.append(f"{self.removed} removed")
        if self.unchanged:
            extra.append(f"{self.unchanged} unchanged since {self.since or 'the last push'}")
        return (
            f"pushed {self.graphs} graphs, {self.triples} triples to {url} in {self.seconds:.2f} s "
            f"({self.requests} requests{retried}{rate})"
            + "".join(f"; {e}" for e in extra)
            + "".join(f"; {n}" for n in self.notes)
        )


def graphs_to_push(store: ox.Store) -> list[ox.NamedNode]:
    """Every named graph: the pages', the inferred ones, the ontology's (the default graph is unused)."""
    return sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)


@dataclass
class Change:
    """A graph to send in part: the triples to take out and to put in, and its stamp once done."""

    graph: str
    deletes: list[bytes]
    inserts: list[bytes]
    stamp: str


def push(
    kg: KgStore,
    endpoint: Endpoint,
    batch_triples: int = DEFAULT_BATCH,
    sleep: Callable[[float], None] = time.sleep,
    full: bool = False,
    bulk: BulkPath | None = None,
) -> PushReport:
    """Make the endpoint hold the store's graphs; KgError naming the graph it stopped at when anything fails.
    `bulk`: how to reach Virtuoso's bulk loader, which then loads the graphs sent whole (kg.features.push_bulk)."""
    report = PushReport(url=endpoint.url)
    counts = Counts()
    started = time.monotonic()
    graphs = [g.value for g in graphs_to_push(kg.store)]
    record = PushRecord.load(kg.root, endpoint.url)
    live = set(graphs)
    gone = sorted(g for g in record.graphs if g not in live)  # pages no longer in the store: removed there
    holding = (
        {} if full else dict(record.graphs)
    )  # what the endpoint holds, as far as kg knows: graph -> stamp
    for graph in gone:
        holding[graph] = record.graphs[graph]
    current = graphs[0] if graphs else ""
    try:
        target = target_for(endpoint, counts, sleep)
    except EndpointError as e:
        endpoint.close()
        if e.status in (401, 403):
            raise KgError(f"{e.message}; nothing was sent", exit_code=e.exit_code) from None
        raise _stopped(report, len(graphs), current, e) from None
    if bulk is not None:
        target = _bulk_target(target, bulk)
    report.engine, report.since = target.name, record.generation
    held = sorted(g for g in holding if g in live)
    if held and not target.holds(held[0]):  # emptied or replaced since: what kg remembers is void
        holding = {graph: record.graphs[graph] for graph in gone}
        report.notes.append("the endpoint no longer held what kg had pushed there: everything was sent")
    run = _Run(kg, target, record, holding, batch_triples, report)
    queued: deque[tuple[Future[object], str]] = deque()  # sent one after the other, in this order
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-push") as pool:
            try:
                with closing(run.work(gone, graphs)) as units:
                    for work, names in units:  # read from the store while the units before are sent
                        while len(queued) >= target.ahead:
                            current = queued[0][1]
                            queued.popleft()[0].result()
                        queued.append((pool.submit(work), names[0]))
                while queued:
                    current = queued[0][1]
                    queued.popleft()[0].result()
            finally:
                for future, _ in queued:  # after a failure, nothing more is sent
                    future.cancel()
    except EndpointError as e:
        raise _stopped(report, len(graphs), current, e) from None
    finally:
        report.requests, report.retries = counts.requests, counts.retries
        report.bulk = target.loaded if isinstance(target, VirtuosoBulk) else 0
        target.close()
        endpoint.close()
        _remember(kg, record, holding, report)
    report.seconds = time.monotonic() - started
    return report


def _bulk_target(target: GraphStore, bulk: BulkPath) -> GraphStore:
    """The Virtuoso behind `target` reached through its bulk loader too; KgError, nothing sent, when the
    engine is another or the way to the loader does not work."""
    try:
        if not isinstance(target, Virtuoso):
            raise KgError(
                f"--virtuoso-isql is for a Virtuoso endpoint; {target.store.endpoint.url} is "
                f"{'an ' + target.name if target.name[0] in 'AEIOU' else 'a ' + target.name}: nothing was sent"
            )
        loader = VirtuosoBulk(target.store, target.update, bulk)
        loader.check()
    except KgError:
        target.close()
        raise
    return loader


def _stopped(report: PushReport, total: int, graph: str, error: EndpointError) -> KgError:
    return KgError(
        f"push stopped after sending {report.graphs} of {total} graphs, at <{graph}>: "
        f"{error.message}; the remote copy is incomplete"
    )


def _remember(kg: KgStore, record: PushRecord, holding: dict[str, str], report: PushReport) -> None:
    record.generation, record.graphs = kg.generation, holding
    try:
        record.save(kg.root)
    except OSError as e:
        report.notes.append(
            f"kg could not remember what it pushed ({e.strerror or e}): the next push sends everything"
        )


class _Run:
    """One push: which graphs to send and how, as units of work, each done by the sending thread while the
    next is read from the store."""

    def __init__(
        self,
        kg: KgStore,
        target: GraphStore,
        record: PushRecord,
        holding: dict[str, str],
        size: int,
        report: PushReport,
    ):
        self.kg, self.target, self.record, self.holding = kg, target, record, holding
        self.size, self.report = size, report
        self.stamps = page_stamps(kg.store)
        self.changed: dict[str, changes.Changed | None] = {}  # from a generation: the changes since

    def work(
        self, gone: list[str], graphs: list[str]
    ) -> Generator[tuple[Callable[[], None], list[str]], None, None]:
        """(work, the graphs it sends): the removals first, then batches of graphs whole or in part."""
        for start in range(0, len(gone), 1000):
            part = gone[start : start + 1000]
            yield partial(self._remove, part), part
        with ExitStack() as stack:
            older: list[ox.Store | None] = []  # opened on first need: the generation the endpoint holds
            batch: list[tuple[Piece, str]] = []
            for graph in graphs:
                stamp, held = self.stamps.get(graph), self.holding.get(graph)
                if stamp is not None and held == stamp:  # a page's graph, as the endpoint holds it
                    self.report.unchanged += 1
                    continue
                if stamp is None and (
                    held == GENERATION_STAMP + self.kg.generation
                    or (  # stamped by an earlier kg, at this generation
                        held is not None
                        and not held.startswith(GENERATION_STAMP)
                        and self.record.generation == self.kg.generation
                    )
                ):  # what the endpoint holds is this generation's copy: no need to read it to know
                    self.report.unchanged += 1
                    continue
                if stamp is None:  # a shared graph: what the updates since changed in it, when kept
                    kept = self._kept_change(graph)
                    if kept is not None:
                        if kept.deletes or kept.inserts:
                            self.holding.pop(graph, None)
                            yield partial(self._patch, kept), [graph]
                        else:
                            self.holding[graph] = kept.stamp
                            self.report.unchanged += 1
                        continue
                body = (
                    self.kg.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
                )
                if stamp is None:
                    if self.holding.get(graph) == content_stamp(body):  # as an earlier kg stamped it
                        self.holding[graph] = GENERATION_STAMP + self.kg.generation
                        self.report.unchanged += 1
                        continue
                    stamp = GENERATION_STAMP + self.kg.generation
                    if not older:
                        older.append(
                            stack.enter_context(kept_generation(self.kg.root, self.record.generation))
                        )
                    change = self._change(graph, body, stamp, older[0])
                    if change is not None and not (change.deletes or change.inserts):
                        self.holding[graph] = stamp  # the same copy, in a generation built again
                        self.report.unchanged += 1
                        continue
                    if change is not None:
                        self.holding.pop(graph, None)
                        yield partial(self._patch, change), [graph]
                        continue
                self.holding.pop(graph, None)  # until it is there whole
                piece = Piece(graph, body, body.count(b"\n"), blank=_has_blank_nodes(body))
                if batch and (
                    not self.target.batches or sum(p.triples for p, _ in batch) + piece.triples > self.size
                ):
                    yield self._sender(batch), [p.graph for p, _ in batch]
                    batch = []
                batch.append((piece, stamp))
            if batch:
                yield self._sender(batch), [p.graph for p, _ in batch]

    def _kept_change(self, graph: str) -> Change | None:
        """A shared graph's change since the generation whose copy the endpoint holds, from the changes
        the updates since kept (kg.store.changes), without reading the graph; None when they are not
        all kept (or name a blank node), or the engine takes no change in part."""
        held = self.holding.get(graph, "")
        if not held.startswith(GENERATION_STAMP) or not self.target.can_patch():
            return None
        older = held[len(GENERATION_STAMP) :]
        if older not in self.changed:
            self.changed[older] = changes.since(self.kg.root, older, self.kg.generation)
        changed = self.changed[older]
        if changed is None or changed.unsendable:
            return None
        deletes, inserts = changed.of(graph)
        return Change(graph, deletes, inserts, GENERATION_STAMP + self.kg.generation)

    def _change(self, graph: str, body: bytes, stamp: str, older: ox.Store | None) -> Change | None:
        """The difference between what the endpoint holds of `graph` and the store's, when kg knows what it
        holds (the generation last pushed is still kept, and its copy has the stamp the endpoint's has)
        and the difference is small enough to be worth sending as one; else None (send it whole)."""
        held = self.holding.get(graph)
        if older is None or held is None or not self.target.can_patch() or _has_blank_nodes(body):
            return None
        node = ox.NamedNode(graph)
        old = b""
        if older.contains_named_graph(node):
            old = older.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node) or b""
        if held != GENERATION_STAMP + self.record.generation and content_stamp(old) != held:
            return None  # the endpoint's copy is not the generation compared with
        before, after = set(old.splitlines(keepends=True)), set(body.splitlines(keepends=True))
        deletes, inserts = sorted(before - after), sorted(after - before)
        if len(deletes) + len(inserts) > PATCH_SHARE * max(len(after), 1):
            return None
        return Change(graph, deletes, inserts, stamp)

    def _sender(self, batch: list[tuple[Piece, str]]) -> Callable[[], None]:
        pieces = [piece for piece, _ in batch]
        self.target.prepare(pieces)  # here, while the units before are sent

        def send() -> None:
            self.target.send(pieces, self.size)
            for piece, stamp in batch:
                self.holding[piece.graph] = stamp
            self.report.graphs += len(batch)
            self.report.triples += sum(piece.triples for piece, _ in batch)

        return send

    def _patch(self, change: Change) -> None:
        self.target.patch(change.graph, change.deletes, change.inserts)
        self.holding[change.graph] = change.stamp
        self.report.graphs += 1
        self.report.patched += 1
        self.report.triples += len(change.deletes) + len(change.inserts)

    def _remove(self, graphs: list[str]) -> None:
        self.target.remove(graphs)
        for graph in graphs:
            self.holding.pop(graph, None)
        self.report.removed += len(graphs)


def _has_blank_nodes(ntriples: bytes) -> bool:
    """Whether a graph's N-Triples name a blank node (kg writes none; this is for safety). `_:` starts a
    blank node label only after a line start or a space outside a literal; a literal holding it is a
    false alarm that only costs a split or a change in part."""
    return ntriples.startswith(b"_:") or b"\n_:" in ntriples or b" _:" in ntriples
