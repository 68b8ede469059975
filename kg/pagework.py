"""One page's work, from file to N-Quads, run in worker processes: parse, map, infer, serialise.

Layout-A pages are done first, in parallel; what they show (titles, names) becomes the lexicon that
settles layout-B splits, and the layout-B pages follow with it. Results come back in file order, so a
build is the same whatever the number of workers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kg.curation import Curation
from kg.errors import KgError
from kg.identity import Mention, dumps, page_mentions
from kg.infer import Schema
from kg.mapping import iri, k, map_page, nquads, ontology_statements, string
from kg.parse import (
    decode_page,
    detect_layout,
    learn_layout_b_file,
    lexicon_entries,
    parse_page,
    read_page_bytes,
)
from kg.records import ERROR, Diagnostic
from kg.split import Lexicon
from kg.vocab import KG, Iris, page_id_for
from kg.workers import Broadcast, WorkerDied, ordered_map

# Below this many pages, worker processes cost more than they save.
PARALLEL_FROM = 64
CHUNK = 16  # pages per task
LOADER_LINE_LIMIT = 16 << 20  # Oxigraph's bulk loader fails on a longer N-Quads line


@dataclass
class PageWork:
    """What every page needs: the same for all pages of a build."""

    iris: Iris
    schema: Schema
    as_of: date
    built_at: str
    lexicon: Lexicon = field(default_factory=Lexicon)
    page_paths: dict[str, str] = field(default_factory=dict)  # file as given -> its identity (kg.building)
    curation: Curation | None = None  # which person a printed name is (kg.curation)
    # the person of every mention, by page id then (line, rank), once the build resolved them (kg.identity)
    people: dict[str, dict[tuple[int, int], str]] | None = None


@dataclass
class PageResult:
    source: str
    diagnostics: list[Diagnostic]
    layout: str = "?"
    page_id: str = ""
    graph: str | None = None  # None: nothing to store (unreadable or empty file)
    content_hash: str = ""
    nquads: bytes = b""  # the page graph: what is the page's own
    facts_nquads: bytes = b""  # the shared facts it states, in the graph of facts
    support_nquads: bytes = b""  # the shared facts again, in the page's graph of the support store
    inferred_nquads: bytes = b""  # its consequences, in the inferred graph
    listings: int = 0
    authors: set[str] = field(default_factory=set)
    paper_authors: dict[str, list[str]] = field(default_factory=dict)  # for the coauthor rule
    infer_seconds: float = 0.0
    asserted_count: int = 0  # quads written to the page graph (the shared facts are counted in the store)
    titles: list[str] = field(default_factory=list)  # layout A: for the lexicon
    names: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)  # every name shown (kg.identity)
    identity_nquads: bytes = b""  # those mentions and their people, in the support store


@dataclass
class Scan:
    """What a page shows before anything is mapped: its names (for identity) and its lexicon entries."""

    source: str
    page_id: str
    mentions: list[Mention]
    titles: list[str]
    names: list[str]


_WORK: PageWork | None = None  # set in each worker (inherited on fork, or by the initializer)


def _init(work: PageWork) -> None:
    global _WORK
    _WORK = work


def layout_of(path: Path) -> str:
    """The layout, from the first line with text (read without reading the whole page)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return "?"
    lines, _ = decode_page(head, path.name)
    return detect_layout(lines) or "?"


def process_page(path: Path, work: PageWork | None = None) -> PageResult:
    """Parse, map and infer one page: everything a build stores for it, as N-Quads."""
    work = work or _WORK
    if work is None:
        raise RuntimeError("process_page runs in a worker set up by process_pages, or is given its work")
    data = read_page_bytes(path, str(path))
    if not isinstance(data, bytes):  # unreadable or too large: said, and skipped
        return PageResult(str(path), [data])
    parsed = parse_page(data, str(path), work.as_of, work.lexicon)  # diagnostics name the file as given
    result = PageResult(str(path), parsed.diagnostics, layout=parsed.page.layout)
    if parsed.page.layout == "?":
        return result
    page_path = work.page_paths.get(str(path), path.name)
    people = None if work.people is None else work.people.get(page_id_for(page_path), {})
    graph = map_page(parsed, work.iris, work.as_of, page_path, work.curation, people)
    result.diagnostics.extend(graph.notes)
    result.page_id = graph.page_id
    result.graph = graph.graph
    result.content_hash = graph.content_hash
    started = time.perf_counter()
    inferred = work.schema.infer(graph.triples, ontology_statements(work.iris.base))
    result.infer_seconds = time.perf_counter() - started
    asserted = graph.own + graph.provenance(work.built_at)
    result.nquads = nquads(asserted, graph.graph)
    result.facts_nquads = nquads(graph.shared, work.iris.facts_graph)
    result.support_nquads = nquads(graph.shared, graph.graph)
    result.inferred_nquads = nquads(inferred, work.iris.inferred_graph)
    too_long = longest_line(result.nquads)
    if too_long > LOADER_LINE_LIMIT:
        message = f"a value of {too_long / (1 << 20):.0f} MiB is more than the store takes ({LOADER_LINE_LIMIT >> 20} MiB); the page is skipped"
        return PageResult(
            path.name,
            [*parsed.diagnostics, Diagnostic(ERROR, path.name, 1, message)],
            layout=parsed.page.layout,
        )
    result.asserted_count = len(asserted)
    result.listings = len(parsed.listings)
    has_author = f"<{KG}hasAuthor>"
    for s, p, o in graph.shared:
        if p == has_author:
            result.paper_authors.setdefault(s[1:-1], []).append(o[1:-1])
    result.authors = {a for authors in result.paper_authors.values() for a in authors}
    result.titles, result.names = lexicon_entries(parsed)
    result.mentions = page_mentions(graph.page_id, parsed)
    if work.people is not None:
        result.identity_nquads = identity_quads(work.iris, graph.graph, result.mentions, people or {})
    return result


def identity_quads(
    iris: Iris, graph: str, mentions: list[Mention], people: dict[tuple[int, int], str]
) -> bytes:
    """A page's mentions with the person each was taken as, in the support store's identity graph: what a
    later build re-clusters without reading the page again."""
    return nquads([(iri(graph), k("mentions"), string(dumps(mentions, people)))], iris.identity_graph)


def scan_page(path: Path, work: PageWork | None = None) -> Scan | None:
    """A page read for its names alone (the first pass of a build)."""
    work = work or _WORK
    assert work is not None
    data = read_page_bytes(path, str(path))
    if not isinstance(data, bytes):
        return None
    parsed = parse_page(data, str(path), work.as_of, work.lexicon)
    if parsed.page.layout == "?":
        return None
    page_id = page_id_for(work.page_paths.get(str(path), path.name))
    titles, names = lexicon_entries(parsed)
    return Scan(str(path), page_id, page_mentions(page_id, parsed), titles, names)


def page_or_report(path: Path) -> PageResult:
    """process_page, with a failure of kg on one page reported for that page: the others go on."""
    try:
        return process_page(path)
    except Exception as e:
        if os.environ.get("KG_DEBUG"):
            raise
        message = f"internal error on this page, which is skipped: {type(e).__name__}: {e}"
        return PageResult(path.name, [Diagnostic(ERROR, path.name, 1, message)])


def longest_line(data: bytes) -> int:
    """The length of the longest line: looked for only in data long enough to hold one too long."""
    if len(data) <= LOADER_LINE_LIMIT:
        return 0
    return max(len(line) for line in data.split(b"\n"))


def _process_chunk(task: tuple[str, list[Path]]) -> list:
    kind, paths = task
    if kind == SCAN:
        return [scan_or_nothing(path) for path in paths]
    return [page_or_report(path) for path in paths]


def scan_or_nothing(path: Path) -> Scan | None:
    """scan_page; a page kg fails on is reported when it is mapped, in the second pass."""
    try:
        return scan_page(path)
    except Exception:
        if os.environ.get("KG_DEBUG"):
            raise
        return None


SCAN, PAGE = "scan", "page"
Resolver = Callable[[list[Scan]], list[Path]]


def run_pages(
    files: list[Path], work: PageWork, jobs: int | None = None, resolve: Resolver | None = None
) -> Generator[PageResult, None, None]:
    """Every page's result, layout-A pages first (they fill the lexicon), then layout B.

    With `resolve`, the pages are read twice: first for the names they show (kg.identity), which
    `resolve` is given all at once; it sets `work.people` and returns the stored pages whose people
    changed, which are mapped again after the pages given.

    At most a few chunks are in flight, so results wait in memory only as long as the writer needs to
    take them: a slow bulk load holds the workers back instead of letting results pile up. The workers
    are forked once, at the start, while this process is small: the lexicon and the people reach them
    as broadcasts (`kg.workers.Broadcast`)."""
    jobs = jobs or os.cpu_count() or 1
    layouts = [layout_of(f) for f in files]
    first = [f for f, layout in zip(files, layouts, strict=True) if layout != "B"]
    later = [f for f, layout in zip(files, layouts, strict=True) if layout == "B"]
    scans: list[Scan] = []
    extra: list[Path] = []

    def learn(result):
        if isinstance(result, Scan):
            scans.append(result)
        if result is not None:
            for title in result.titles:
                work.lexicon.add_title(title)
            for name in result.names:
                work.lexicon.add_name(name)
        return result

    def lists_learned() -> tuple[PageWork]:
        for path in later:  # the names and title words that the lists show beyond doubt
            learn_layout_b_file(path, work.lexicon)
        work.lexicon.lists_learned = True
        return (work,)

    def resolved() -> tuple[PageWork]:
        assert resolve is not None
        extra.extend(resolve(scans))
        scans.clear()
        return (work,)

    if jobs <= 1 or len(files) < PARALLEL_FROM:
        _init(work)
        if resolve is None:
            yield from (learn(page_or_report(path)) for path in first)
            lists_learned()
            yield from map(page_or_report, later)
            return
        for path in first:
            learn(scan_or_nothing(path))
        lists_learned()
        for path in later:
            learn(scan_or_nothing(path))
        resolved()
        yield from map(page_or_report, [*first, *later, *extra])
        return

    def tasks():
        if resolve is None:
            yield from ((PAGE, c) for c in chunks(first))
            yield Broadcast(lists_learned)
            yield from ((PAGE, c) for c in chunks(later))
            return
        yield from ((SCAN, c) for c in chunks(first))
        yield Broadcast(lists_learned)
        yield from ((SCAN, c) for c in chunks(later))
        yield Broadcast(resolved)
        yield from ((PAGE, c) for c in chunks([*first, *later, *extra]))

    # fork: workers inherit the schema without pickling it once per page
    try:
        for results in ordered_map(_process_chunk, tasks(), jobs, init=_init, initargs=(work,)):
            for result in results:
                if isinstance(result, PageResult):
                    yield learn(result) if resolve is None else result
                else:
                    learn(result)
    except WorkerDied as e:
        raise KgError(f"the build stopped: {e}; nothing was stored") from None


def chunks(items: list[Path]) -> list[list[Path]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
