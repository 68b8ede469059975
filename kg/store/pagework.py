"""One page's work, from file to N-Quads, run in worker processes: parse, map, infer, serialise.

Layout-A pages are done first, in parallel; what they show (titles, names) becomes the lexicon that
settles layout-B splits, and the layout-B pages follow with it. Results come back in file order, so a
build is the same whatever the number of workers.
"""

from __future__ import annotations

import os
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TypeVar

from kg.errors import KgError
from kg.model.curation import Curation
from kg.model.facts import paper_authors
from kg.model.identity import Key, Mention, Packed, dumps, page_mentions
from kg.model.inference import Schema
from kg.model.mapping import HiddenOwner, Listed, PageGraph, k, map_page, ontology_statements, printings_of
from kg.model.ntriples import Triple, iri, nquads, string, value_of
from kg.model.vocab import KG, RDF_TYPE, Iris, page_id_for
from kg.reading.decoding import decode_page, read_page_bytes
from kg.reading.parse import (
    detect_layout,
    layout_b_entries,
    layout_b_file_entries,
    lexicon_entries,
    parse_page,
)
from kg.reading.records import ERROR, Diagnostic
from kg.reading.split import Lexicon
from kg.store import stated
from kg.store.once import Once
from kg.store.pagestate import FileState, Known, digest, lexicon_digest, stat_of
from kg.store.parsed_spool import ParsedSpool
from kg.store.run_lexicon import RecordedLexicon, counted
from kg.system.workers import Broadcast, WorkerDied, ordered_map

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
    context: str = ""  # what the pages' triples depend on beside their bytes (kg.pagestate)
    known: dict[str, Known] = field(default_factory=dict)  # files not to read: unchanged (kg.pagestate)
    lexicon_digest: str = ""  # the run's lexicon, once learned: what layout-B pages are split with
    # the person of every mention, by page id then (line, rank), once the build resolved them (kg.identity)
    people: dict[str, dict[tuple[int, int], str]] | None = None
    # the base group of each mention of a person made of several, by page id then (line, rank)
    bases: dict[str, dict[tuple[int, int], Key]] = field(default_factory=dict)
    summarise: bool = False  # each page's summary rows come with its result (a build from nothing)
    spool: ParsedSpool | None = None  # the pages parsed by the names pass, for the mapping pass
    # A build from nothing: the facts, consequences and rows any page gave before, shared by the workers
    # (kg.store.once); each result leaves them out, and the build loads every result it is given
    once: Once | None = None


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
    support_nquads: bytes = b""  # which shared facts it states, for the support store (kg.store.stated)
    inferred_nquads: bytes = b""  # its consequences, in the inferred graph
    listings: int = 0
    authors: set[str] = field(default_factory=set)
    paper_authors: dict[str, set[str]] = field(default_factory=dict)  # for the coauthor rule
    infer_seconds: float = 0.0
    asserted_count: int = 0  # quads written to the page graph (the shared facts are counted in the store)
    titles: list[str] = field(default_factory=list)  # layout A: for the lexicon
    names: list[str] = field(default_factory=list)
    state: FileState | None = None  # what the next build needs to know of the file (kg.pagestate)
    skipped: bool = False  # not read: the file is unchanged since the build that stored it
    restamp: bool = False  # skipped, but its stat changed: the state is recorded again
    identity_nquads: bytes = b""  # every name shown and its person, in the support store (kg.identity)
    listed: list[Listed] = field(default_factory=list)  # for a build from nothing (kg.derive.gathered)
    hidden_owners: list[HiddenOwner] = field(default_factory=list)
    summary: PageSummary | None = None  # with `PageWork.summarise`
    printings: list[tuple[str, str, str]] = field(default_factory=list)  # the same: what labels read


@dataclass
class PageSummary:
    """What a page gives its generation's summary (kg.derive.summary), as plain tuples: cheap to send."""

    nodes: list[tuple[str, str, str]]  # (node, predicate, value): the types and facts the papers table reads
    listings: list[tuple[str, str, str, int]]  # (listing, paper, page file, line), in the page graph
    authorships: list[tuple[str, str]]  # (listing, person)


# what the summary reads of the shared facts and the page's consequences, by predicate
_SUMMARY_FACTS = frozenset(iri(KG + p) for p in ("datePublished", "shownAuthors", "authorListTruncated"))
_SUMMARY_TYPES = frozenset((k("Paper"), k("Person")))
_TYPE, _LISTED, _ON_PAGE, _LINE, _FILE, _AUTHORSHIP_PERSON = (
    iri(RDF_TYPE),
    k("listedPaper"),
    k("onPage"),
    k("sourceLine"),
    k("sourceFile"),
    k("authorshipPerson"),
)


def page_summary(graph: PageGraph, inferred: list[Triple], base: str) -> PageSummary:
    """A page's summary rows, read off its triples as the summary reads them off a store (kg.derive.summary):
    the listings of its graph with their page's file and their line; each authorship's listing, from
    its IRI (`B authorship/{page-id}/{line}/{person}` is of `B listing/{page-id}/{line}`)."""
    nodes = [
        (value_of(s), value_of(p), value_of(o))
        for part in (graph.shared, inferred)
        for s, p, o in part
        if p in _SUMMARY_FACTS or (p == _TYPE and o in _SUMMARY_TYPES)
    ]
    paper_of: dict[str, str] = {}
    line_of: dict[str, int] = {}
    page_of: dict[str, str] = {}
    file_of: dict[str, str] = {}
    person_of: dict[str, str] = {}
    for s, p, o in graph.own:
        if p == _LISTED:
            paper_of[s] = value_of(o)
        elif p == _LINE:
            line_of[s] = int(value_of(o))
        elif p == _ON_PAGE:
            page_of[s] = o
        elif p == _FILE:
            file_of[s] = value_of(o)
        elif p == _AUTHORSHIP_PERSON:
            person_of[value_of(s)] = value_of(o)
    listings = [
        (value_of(s), paper, file_of.get(page_of.get(s, ""), ""), line_of[s])
        for s, paper in paper_of.items()
        if s in line_of
    ]
    prefix = base + "authorship/"
    authorships = [
        (base + "listing/" + node[len(prefix) :].rpartition("/")[0], person)
        for node, person in person_of.items()
        if node.startswith(prefix)
    ]
    return PageSummary(nodes, listings, authorships)


@dataclass
class Scan:
    """What a page shows before anything is mapped: its names (for identity) and its lexicon entries."""

    source: str
    page_id: str
    mentions: Packed  # sent to the build, and held there, as one value (kg.model.identity.Packed)
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
    try:
        stat = stat_of(path)  # before the read: a file changed while read has a stat the next build sees
    except OSError:
        stat = (-1, -1, -1)
    data = read_page_bytes(path, str(path))
    if not isinstance(data, bytes):  # unreadable or too large: said, and skipped
        return PageResult(str(path), [data])
    sha256 = digest(data)
    spooled = work.spool.take(str(path), sha256) if work.spool is not None else None
    # diagnostics name the file as given
    parsed = spooled or parse_page(data, str(path), work.as_of, work.lexicon)
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
    result.support_nquads = stated.page_nquads(graph.graph, graph.shared)
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
    result.paper_authors = paper_authors(graph.shared)
    result.authors = {a for authors in result.paper_authors.values() for a in authors}
    result.listed, result.hidden_owners = graph.listed, graph.hidden_owners
    result.titles, result.names = lexicon_entries(parsed)
    if work.people is not None:
        mentions = page_mentions(graph.page_id, parsed)
        bases = work.bases.get(graph.page_id, {})
        result.identity_nquads = identity_quads(work.iris, graph.graph, mentions, people or {}, bases)
    if work.summarise:
        result.summary = page_summary(graph, inferred, work.iris.base)
        result.printings = printings_of(graph.shared)
    result.state = FileState(
        *stat,
        sha256=sha256,
        context=work.context,
        layout=result.layout,
        listings=result.listings,
        diagnostics=[[d.severity, d.line, d.message] for d in result.diagnostics],
        titles=result.titles,
        names=result.names,
        lexicon=work.lexicon_digest if result.layout == "B" else "",
    )
    if result.layout == "B":
        result.state.fused_names, result.state.fused_words = layout_b_entries(decode_page(data, path.name)[0])
    # last, once nothing can fail: the build takes every result that comes this far, so what a page's
    # result leaves out for having been given by another's is in the store (kg.store.once)
    facts, inferred_graph = work.iris.facts_graph, work.iris.inferred_graph
    shared, consequences = graph.shared, inferred
    if work.once is not None:
        once = work.once
        shared, consequences = once.new_triples(facts, shared), once.new_triples(inferred_graph, inferred)
        result.printings = once.new_rows("printing", result.printings)
        if result.summary is not None:
            result.summary.nodes = once.new_rows("summary", result.summary.nodes)
    result.facts_nquads = nquads(shared, facts)
    result.inferred_nquads = nquads(consequences, inferred_graph)
    return result


def identity_quads(
    iris: Iris,
    graph: str,
    mentions: list[Mention],
    people: dict[tuple[int, int], str],
    bases: dict[tuple[int, int], Key],
) -> bytes:
    """A page's mentions with the person and base group each was taken as, in the support store's
    identity graph: what a later build decides again from without reading the page."""
    text = dumps(mentions, people, bases)
    return nquads([(iri(graph), k("mentions"), string(text))], iris.identity_graph)


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
    if work.spool is not None:
        work.spool.put(str(path), digest(data), parsed)
    page_id = page_id_for(work.page_paths.get(str(path), path.name))
    titles, names = lexicon_entries(parsed)
    return Scan(str(path), page_id, Packed.of(page_mentions(page_id, parsed)), titles, names)


def page_file_entries(path: Path, work: PageWork) -> tuple[list[str], list[str]]:
    """What a layout-A page's file adds to the lexicon (none when it cannot be read: the build says so
    when it reads it)."""
    data = read_page_bytes(path, str(path))
    return lexicon_entries(parse_page(data, str(path), work.as_of)) if isinstance(data, bytes) else ([], [])


def skipped_page(path: Path, known: Known) -> PageResult:
    """An unchanged file's result, from what the build that read it recorded (kg.pagestate); with a
    record to write only when its stat changed."""
    record = known.record
    restat = known.stat != record.stat
    state = None
    if restat:
        state = replace(record.state(), size=known.stat[0], mtime_ns=known.stat[1], inode=known.stat[2])
    return PageResult(
        str(path),
        [Diagnostic(severity, str(path), line, message) for severity, line, message in record.said()],
        layout=record.layout,
        page_id=known.page_id,
        graph=known.graph,
        listings=record.listings,
        state=state,
        skipped=True,
        restamp=restat,
    )


def page_or_report(path: Path) -> PageResult:
    """process_page, with a failure of kg on one page reported for that page: the others go on."""
    try:
        return process_page(path)
    except Exception as e:
        if os.environ.get("KG_DEBUG"):
            raise
        message = f"internal error on this page, which is skipped: {type(e).__name__}: {e}"
        return PageResult(path.name, [Diagnostic(ERROR, path.name, 1, message)])


Learned = TypeVar("Learned", bound="PageResult | Scan | None")  # what a page gives the run's lexicon


def longest_line(data: bytes) -> int:
    """The length of the longest line: looked for only in data long enough to hold one too long."""
    if len(data) <= LOADER_LINE_LIMIT:
        return 0
    return max(len(line) for line in data.split(b"\n"))


def _process_chunk(task: Task) -> list[Scan | None] | list[PageResult]:
    kind, paths, given = task
    if given is not None and _WORK is not None:  # the people of these pages (run_pages.people_of)
        _WORK.people, _WORK.bases = given
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
# a chunk's people: by page id, the person of each mention and the base group of some (PageWork)
ChunkPeople = tuple[dict[str, dict[tuple[int, int], str]], dict[str, dict[tuple[int, int], Key]]]
Task = tuple[str, list[Path], ChunkPeople | None]
Resolver = Callable[[list[Scan]], list[Path]]


def run_pages(
    files: list[Path],
    work: PageWork,
    jobs: int | None = None,
    resolve: Resolver | None = None,
    scanned: Callable[[int, int], None] | None = None,
    lexicon: RecordedLexicon | None = None,
) -> Generator[PageResult, None, None]:
    """Every page's result, layout-A pages first (they fill the lexicon), then layout B.

    At most a few chunks are in flight, so results wait in memory only as long as the writer needs to
    take them: a slow bulk load holds the workers back instead of letting results pile up. The workers
    are forked once, at the start, while this process is small: the lexicon and the people reach them
    as broadcasts (`kg.workers.Broadcast`).

    The files in `work.known` are not read (kg.pagestate): their results are what the build that read
    them recorded; what a layout-A one adds to the lexicon comes from that record too, and a layout-B
    one is read again unless it was split with the same lexicon as this run's. `lexicon`: what the
    store recorded of it (kg.store.run_lexicon), told whether it was kept.

    With `resolve`, the pages to read are read twice: first for the names they show (kg.identity),
    which `resolve` is given all at once (an unread page's names are in the store); it sets
    `work.people` and returns the stored pages whose people changed, which are mapped again, read
    or not, after the pages given. `scanned(done, total)` is told as the pages are read for their names."""
    jobs = jobs or os.cpu_count() or 1
    known = work.known
    lexicon = lexicon or RecordedLexicon()
    layouts = [known[str(f)].record.layout if str(f) in known else layout_of(f) for f in files]
    first = [f for f, layout in zip(files, layouts, strict=True) if layout != "B"]
    later = [f for f, layout in zip(files, layouts, strict=True) if layout == "B"]
    first_todo = [f for f in first if str(f) not in known]
    later_todo: list[Path] = []  # chosen once the lexicon is learned
    scans: list[Scan] = []
    pages: list[Path] = [*first, *later]  # in the order their results come
    todo: set[str] = set(map(str, first_todo))  # the pages read (not taken as recorded): paths hash slowly
    names_read = 0

    fresh: Counter[tuple[str, str]] = Counter()  # what the pages read add to the lexicon

    def learn(result: Learned) -> Learned:
        nonlocal names_read
        if isinstance(result, Scan):
            scans.append(result)
        if scanned is not None and resolve is not None and not isinstance(result, PageResult):
            names_read += 1  # a Scan, or None for a page kg failed on
            scanned(names_read, len(first_todo) + len(later_todo if work.lexicon.lists_learned else later))
        if result is not None:
            fresh.update(counted(result.titles, result.names))
            work.lexicon.learn_listed(result.titles, result.names)
        return result

    def learn_recorded() -> None:
        """What the unread pages add to the lexicon, as recorded (or read, when it was not)."""
        entries = lexicon.entries_of([known[str(p)].graph for p in [*first, *later] if str(p) in known])
        for path in first:
            if str(path) in known:
                recorded = entries.get(known[str(path)].graph)
                titles, names = recorded[:2] if recorded is not None else page_file_entries(path, work)
                work.lexicon.learn_listed(titles, names)
        for path in later:  # the names and title words that the lists show beyond doubt
            recorded = entries.get(known[str(path)].graph) if str(path) in known else None
            if recorded is not None and recorded[2] is not None and recorded[3] is not None:
                work.lexicon.learn_fused(recorded[2], recorded[3])
            else:
                fused = layout_b_file_entries(path)
                work.lexicon.learn_fused(*fused)
                if str(path) not in known:
                    fresh.update(counted([], [], *fused))

    def lists_learned() -> tuple[PageWork]:
        unread_b = [p for p in later if str(p) not in known]
        read = [str(p) for p in [*first_todo, *unread_b]]
        if (
            lexicon.remembered
            and not unread_b
            and all(known[str(p)].record.lexicon == lexicon.remembered for p in later)
            and lexicon.same_as_before(fresh, read)
        ):  # the lexicon is the one remembered: learned only if a layout-B page is to be split
            lexicon.kept, lexicon.changed = True, False
            work.lexicon_digest = lexicon.remembered
        else:
            learn_recorded()
            lexicon.changed = not lexicon.same_as_before(fresh, read)
            work.lexicon_digest = lexicon_digest(work.lexicon)
        work.lexicon.lists_learned = True
        later_todo.extend(
            path
            for path in later
            if str(path) not in known or known[str(path)].record.lexicon != work.lexicon_digest
        )
        todo.update(map(str, later_todo))
        return (work,)

    def resolved() -> tuple[PageWork]:
        assert resolve is not None
        given = set(map(str, files))
        again = resolve(scans)
        scans.clear()
        todo.update(map(str, again))  # read again, even when unchanged: the people it names changed
        pages.extend(p for p in again if str(p) not in given)
        if lexicon.kept and any(layout_of(p) == "B" for p in again):  # split with the whole lexicon
            learn_recorded()
            lexicon.kept = False
        return (replace(work, people={}, bases={}),)  # each page's people go with its chunk

    def in_order(paths: list[Path], results: Iterator[PageResult]) -> Iterator[PageResult]:
        for path in paths:
            yield next(results) if str(path) in todo else skipped_page(path, known[str(path)])

    # A few layout-A pages to read (an update): they are scanned here and the lists learned, so that
    # workers are started only when what is to be read calls for them, whatever the corpus's size.
    learned = False
    if resolve is not None and len(first_todo) < PARALLEL_FROM:
        _init(work)
        for path in first_todo:
            learn(scan_or_nothing(path))
        lists_learned()
        learned = True
    serial = len(first_todo) + len(later_todo if learned else later) < PARALLEL_FROM
    if jobs <= 1 or serial:
        _init(work)
        if resolve is None:
            yield from in_order(first, (learn(page_or_report(p)) for p in first_todo))
            lists_learned()
            yield from in_order(later, map(page_or_report, later_todo))
            return
        if not learned:
            for path in first_todo:
                learn(scan_or_nothing(path))
            lists_learned()
        for path in later_todo:
            learn(scan_or_nothing(path))
        resolved()
        yield from in_order(pages, map(page_or_report, [p for p in pages if str(p) in todo]))
        return

    def tasks() -> Iterator[Task | Broadcast]:
        if resolve is None:
            yield from ((PAGE, c, None) for c in chunks(first_todo))
            yield Broadcast(lists_learned)
            # its empty answer comes once the lexicon is learned, and later_todo chosen
            yield (PAGE, [], None)
            yield from ((PAGE, c, None) for c in chunks(later_todo))
            return
        if not learned:  # else the workers are forked with the lists learned
            yield from ((SCAN, c, None) for c in chunks(first_todo))
            yield Broadcast(lists_learned)
        yield from ((SCAN, c, None) for c in chunks(later_todo))
        yield Broadcast(resolved)
        yield (PAGE, [], None)  # its empty answer comes once the people are resolved, and the pages chosen
        yield from ((PAGE, c, people_of(c)) for c in chunks([p for p in pages if str(p) in todo]))

    def people_of(paths: list[Path]) -> ChunkPeople:
        """The people of a chunk's pages: sent with it, not to every worker with the build's work, and
        then let go here (a chunk is sent once: a worker that dies stops the build)."""
        assert work.people is not None
        ids = [page_id_for(work.page_paths.get(str(path), path.name)) for path in paths]
        return (
            {i: work.people.pop(i) for i in ids if i in work.people},
            {i: work.bases.pop(i) for i in ids if i in work.bases},
        )

    # fork: workers inherit the schema without pickling it once per page
    answers: Iterator[list[Scan | None] | list[PageResult]] = iter(())
    try:
        answers = ordered_map(_process_chunk, tasks(), jobs, init=_init, initargs=(work,))
        pending: deque[PageResult] = deque()
        marks: list[bool] = []

        def results() -> Iterator[PageResult]:
            """The page results as they come, up to the next mark; scans are learned on the way."""
            while True:
                while not pending:
                    chunk = next(answers, None)
                    if chunk is None:
                        return
                    if not chunk:  # the mark
                        marks.append(True)
                        return
                    for item in chunk:
                        if isinstance(item, PageResult):
                            pending.append(item)
                        else:
                            learn(item)  # a Scan, or None for a page kg failed on (told in the second pass)
                yield pending.popleft()

        if resolve is None:
            yield from in_order(first, map(learn, results()))
            if not marks:
                next(results(), None)  # every layout-A result is taken: what comes next is the mark
            yield from in_order(later, results())
            return
        next(results(), None)  # the scans, up to the mark: the people are resolved by then
        yield from in_order(pages, results())
    except WorkerDied as e:
        raise KgError(f"the build stopped: {e}; nothing was stored") from None
    finally:
        close = getattr(answers, "close", None)
        if close is not None:
            close()  # the workers stop at once


def chunks(items: list[Path]) -> list[list[Path]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
