"""`kg build`: pages in, a new generation of the store out.

Each page is parsed, mapped to its named graph and inferred in a worker process (`kg.pagework`), both
cores busy, while this process hands the N-Quads to the store's bulk loader in pieces. Layout-A pages go
first: their titles and names settle layout-B splits. A page's own triples go into its page graph,
the facts it states about papers and people into the one graph of facts (`kg.facts`). Pages whose
triples did not change are not rewritten; what a replaced page alone stated or entailed is taken back
(`kg.facts`, `kg.inferred`). Once the facts are settled, the display labels of the people, papers and
organisations they print are chosen again (`kg.labels`). The coauthor rule runs
last, over the whole store or, for a small update, over the people the update touched. Nothing is held
for the whole corpus but a page's hash and the lexicon, so memory stays flat as the corpus grows.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from kg import __version__
from kg.building import curation_checks, rebuilds
from kg.building.counts import (
    COUNTED,
    COUNTED_KEY,
    COUNTS_KEY,
    LISTINGS_KEY,
    change_of_counts,
    kept_counts,
    store_stats,
)
from kg.building.pagefiles import (
    HOME_KEY,
    NothingToBuild,
    each_page_once,
    find_pages,
    home_folder,
    page_paths,
)
from kg.building.people import Deciding
from kg.building.rebuilds import SCHEMA_KEY
from kg.derive import derived_graph as inferred
from kg.derive import summary
from kg.derive.derivation import Change, ReplacedPage
from kg.derive.derived_graph import InferredGraph
from kg.derive.summary_rows import SummaryRows
from kg.errors import KgError
from kg.model import curation, facts
from kg.model.inference import Schema, compile_schema
from kg.model.ntriples import Triple
from kg.model.ontology import load_into_store, ontology_digest, ontology_graph
from kg.model.terms import text_of
from kg.model.vocab import KG, RDF_TYPE, Iris, base_from_env, page_id_for
from kg.reading.records import ERROR, WARNING, Diagnostic
from kg.store import changes, pagestate, run_lexicon
from kg.store.generations import DEFAULT_KEEP, StoreMeta, StoreWriter, records_path
from kg.store.loading import LOAD_THREADS, BulkWriter, Writer
from kg.store.once import SLOTS, Once
from kg.store.pagework import PageResult, PageWork, Scan, run_pages
from kg.store.parsed_spool import ParsedSpool
from kg.store.plan import BuildPlan, choose_plan
from kg.system import build_times
from kg.system.files import CopyAhead
from kg.system.progress import (
    COUNTING,
    LOADING,
    NAMES,
    PEOPLE,
    READING,
    SUMMARISING,
    SWITCHING,
    TICK,
    Forecast,
    Progress,
    ticking,
)

PAGE_COUNT_KEY = "page_triples"  # in the page graphs alone
PAGES_KEY = "pages"  # the page graphs a generation holds
# a page's pages and listings, as its page graph's N-Quads type them
_PAGE_TYPES = {
    name: f"<{RDF_TYPE}> <{KG}{cls}> ".encode() for name, cls in COUNTED if name in ("pages", "listings")
}


@dataclass
class BuildReport:
    pages: int = 0  # pages read in this run
    pages_written: int = 0
    pages_unchanged: int = 0
    pages_parsed: int = 0  # read and parsed: the others were unchanged since the build that read them
    listings: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)  # of the whole store after the build
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step
    plan: BuildPlan | None = None  # how the build wrote (kg.plan): print it to see which way and why
    generation: str = ""  # the live generation after the build
    new_generation: bool = True  # False: nothing changed, and the generation before stays live

    @property
    def rejected(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == WARNING)

    def summary(self) -> dict[str, Any]:
        """This build's figures (pages and listings it read, its warnings), then the store's as the build
        left it, under "store"."""
        return {
            "pages": self.pages,
            "pages_written": self.pages_written,
            "pages_unchanged": self.pages_unchanged,
            "pages_parsed": self.pages_parsed,
            "listings": self.listings,
            "warnings": self.warnings,
            "rejected": self.rejected,
            "generation": self.generation,
            "new_generation": self.new_generation,
            "store": dict(self.stats),
        }

    def seconds(self) -> dict[str, float]:
        """Where the build's time went: inference is CPU time summed over workers, plus the coauthor rule."""
        return {k: round(v, 3) for k, v in self.timings.items()}


def built_at_now() -> str:
    """The build time, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def schema_for(meta: StoreMeta | None, digest: str, base: str) -> tuple[Schema, bool]:
    """The compiled schema closure: reused from the store when the ontology is unchanged."""
    if meta is not None and rebuilds.same_ontology(meta, digest):
        return Schema.from_json(meta.extra[SCHEMA_KEY]), False
    return compile_schema(ontology_graph(base), digest), True


# --- the build ----------------------------------------------------------------------------------------


MB = 1 << 20


def build(
    paths: Iterable[str | os.PathLike[str]],
    store_path: str | os.PathLike[str],
    as_of: date | None = None,
    base: str | None = None,
    fresh: bool = False,
    progress: Progress | None = None,
    jobs: int | None = None,
    keep: int = DEFAULT_KEEP,
    rules: curation.Curation | None = None,
) -> BuildReport:
    """Build (or update) the store from pages. Rejected records are in the report, not raised.

    `progress(phase, done, total)` is told the phase the build is in (kg.progress). `keep`: how many
    generations' summaries (what `kg diff` compares) the store keeps, the new one included. `rules`: the
    curated identities (kg.curation).
    """
    started = time.perf_counter()
    base = base_from_env(base)
    try:
        ox.NamedNode(base)
    except ValueError as e:
        raise KgError(f"the base {base!r} is not a valid IRI: {e}") from e
    paths = list(paths)
    try:
        plain: set[str] = set()  # the pages found to be no link
        files = find_pages(paths, plain)
    except NothingToBuild as e:
        raise NothingToBuild(f"{e.message}; nothing was built") from None
    # Other curation rules or another ontology: the graph is made again from nothing (kg.building.rebuilds)
    again = None if fresh else rebuilds.needed(store_path, base, files, paths, rules)
    if again is not None:
        files = [*files, *again.read_again]
    forecast = Forecast(progress)  # times the phases: what the next builds' time left is estimated from
    forecast(NAMES, 0, len(files))  # opening the store and compiling the schema come first: shown from here
    with (
        StoreWriter(store_path, base, fresh=fresh or again is not None, keep=keep) as writer,
        ExitStack() as finally_,
    ):
        home = home_folder(again.meta if again else writer.previous_meta, paths)
        identities = page_paths(files, home, plain)  # the pages keep their identities
        files, given_twice = each_page_once(files, identities)
        run = _Build(writer, Iris(base), as_of or date.today(), files, identities, rules, forecast, again)
        run.report.diagnostics.extend(given_twice)
        finally_.callback(run.summary_rows.close)  # a build that fails leaves no summary
        if run.plan.incremental and writer.previous_summary is not None:
            run.summary_ahead = summary.copy_ahead(writer.previous_summary, writer.summary_path)
            finally_.callback(run.summary_ahead.discard)  # stopped and removed, however the build ends
        if run.work.once is not None:
            finally_.callback(run.work.once.close)
        run.home = home
        with ParsedSpool.kept_in(writer.parsed_path) as spool:
            run.work.spool = spool  # before the workers are forked: they write and read it
            with closing(
                run_pages(
                    files,
                    run.work,
                    jobs=jobs,
                    resolve=run.resolve_people,
                    scanned=run.scanned,
                    lexicon=run.lexicon,
                )
            ) as results:  # closing stops the workers at once
                run.write_pages(results)
            run.work.spool = None
        if not run.seen_pages and not run.old_hashes:  # a fresh build or a new store, and not one page
            raise NothingToBuild(
                f"none of the {len(files)} files given could be read as a page; nothing was built",
                run.report.diagnostics,
            )
        run.settle_facts()
        run.derive()
        run.report.diagnostics.extend(curation_checks.unused_rules(run.kg.store, run.iris, rules))
        if run.changed_nothing():
            run.keep_live()
        else:
            run.commit(rules.digest if rules else "")
    forecast.finish()
    if run.plan.streams:  # a build from nothing: what the next ones expect (kg.system.build_times)
        build_times.remember(len(files), forecast.seconds)
    run.report.timings["total"] = time.perf_counter() - started
    return run.report


class _Build:
    """One build's state, from the store it starts from to the generation it commits."""

    def __init__(
        self,
        writer: StoreWriter,
        iris: Iris,
        as_of: date,
        files: list[Path],
        identities: dict[str, str],
        rules: curation.Curation | None,
        forecast: Forecast,
        again: rebuilds.Rebuild | None = None,  # why this build reads every page into an empty store
    ):
        self.started = time.perf_counter()
        self.total = len(files)
        self.say: Progress = forecast
        assert writer.kg is not None
        self.writer, self.kg, self.iris = writer, writer.kg, iris
        self.report = BuildReport()
        self.built_at = built_at_now()
        self.digest = ontology_digest(iris.base)
        previous = writer.previous_meta  # None for a new store or a fresh build: its generation starts empty
        if not writer.previous_layout_is_current:
            raise KgError(
                f"the store at {writer.root} was built by an older kg, whose way of keeping what each page stated "
                "this one does not update: build it again with kg build --fresh PAGES"
            )
        self.schema, ontology_changed = schema_for(previous, self.digest, iris.base)
        self.old_hashes = self.kg.page_hashes(previous.extra.get(PAGES_KEY) if previous is not None else None)
        support = self.kg.support
        assert support is not None, "a build's writer opens the support database"
        context = pagestate.context_digest(as_of, self.digest, rules.digest if rules else "", iris.base)
        self.records = pagestate.FileRecords(writer.records_path)
        # a store a kg before this one built kept its records in the support database: moved once
        self.records_moved = previous is not None and not writer.records_kept
        if self.records_moved:
            pagestate.move_records(support, self.records)
        known: dict[str, pagestate.Known] = {}
        self.previous_states: dict[str, pagestate.Record] = {}  # the given pages' records, by graph
        unread: dict[str, str] = {}  # the files to read, by page graph
        if self.old_hashes and not ontology_changed:  # unchanged files are not read (kg.pagestate)
            ids = {f: page_id_for(p) for f, p in identities.items()}
            pages = {f: (page_id, iris.page_graph(page_id)) for f, page_id in ids.items()}
            graphs = {graph: f for f, (_, graph) in pages.items()}
            whole = pagestate.reads_whole(len(graphs), len(self.old_hashes))
            self.previous_states = self.records.read(graphs, whole)
            known = pagestate.known_files(files, pages, self.previous_states, context)
            unread = {graph: f for graph, f in graphs.items() if f not in known}
        self.files_key = run_lexicon.files_key(context, [identities[str(f)] for f in files])
        self.lexicon = run_lexicon.recorded(  # what the store recorded of the run's lexicon
            self.records, support, unread, self.previous_states, self.files_key, len(self.old_hashes)
        )
        self.plan = choose_plan(
            len(self.old_hashes),
            len(files) - len(known),
            ontology_changed,
            again.why if again else None,
            len(again.read_again) if again else 0,
        )
        self.report.plan = self.plan
        if self.plan.streams:
            forecast.expect(build_times.expected(self.total))
        # a small update notes what it changes in the shared graphs, for `kg push` (kg.store.changes)
        self.recorder: changes.Recorder | None = None
        if self.plan.incremental:
            self.recorder = changes.Recorder(
                self.kg.store, lambda graph: graph.startswith(iris.page_graph_prefix)
            )
            self.kg.store = cast(ox.Store, self.recorder)  # the store as every step writes it: noted
        # triples in the page graphs, the graph of facts and the inferred graph, kept by every build
        self.page_own, self.facts, inferred_count = 0, 0, 0
        if self.old_hashes and previous is not None:
            asserted, inferred_count = previous.extra[COUNTS_KEY]
            self.page_own = previous.extra[PAGE_COUNT_KEY]
            self.facts = asserted - self.page_own
        # the counts a small update keeps up to date (None: the store is counted after the build)
        self.counted = kept_counts(previous) if self.plan.incremental else None
        self.derived = InferredGraph(self.kg, self.schema, self.plan, inferred_count)
        self.home = Path()  # the folder page paths are taken under; set by build() once the store is open
        self.work = PageWork(
            iris=iris,
            schema=self.schema,
            as_of=as_of,
            built_at=self.built_at,
            page_paths=identities,
            curation=rules,
            context=context,
            known=known,
            summarise=self.plan.streams,
            once=Once(SLOTS, shared=True) if self.plan.streams else None,
        )
        # a build from nothing gathers its summary as its pages pass (kg.summary_rows); a small update
        # brings the previous one up to date, copied while it does the rest (build())
        self.summary_rows = SummaryRows(writer.summary_path if self.plan.streams else None)
        self.summary_ahead: CopyAhead | None = None
        self.restamps: list[tuple[str, pagestate.FileState]] = []  # unchanged pages' new records
        self.loader: BulkWriter
        self.support_loader: Writer
        # Loads in pieces, while the pages are read: Oxigraph's bulk loader holds everything one call is
        # given until its end, about 4 bytes per byte of N-Quads (kg.loading), so one call for a whole
        # build grew with the corpus (3.1 GB at 5,000 pages); pieces keep the build's memory flat.
        self.loader = BulkWriter(self.kg.store)
        self.support_loader = BulkWriter(support)
        if ontology_changed and not self.plan.streams:
            load_into_store(self.kg.store, iris.ontology_graph, iris.base)
        # A build from nothing loads the ontology and its consequences with its first pages
        self.loader.add(self.derived.start(new_ontology=ontology_changed))
        self.change = Change(self.plan)
        # the facts and consequences many pages share, loaded once: by the workers in a build from nothing
        self.once = None if self.work.once is not None else Once()
        self.seen_pages: dict[str, str] = {}
        self.ontology_changed = ontology_changed
        self.previous_version = previous.kg_version if previous is not None else ""

    def scanned(self, done: int, total: int) -> None:
        self.say(NAMES, done, total)

    def resolve_people(self, scans: list[Scan]) -> list[Path]:
        """Who is who (`decide_people`), told as a phase of its own."""
        with ticking(self.say, PEOPLE):
            again = self.decide_people(scans)
        self.say(READING, 0, self.total)  # the pages are mapped from here
        return again

    def decide_people(self, scans: list[Scan]) -> list[Path]:
        """Who is who, over every page of the new generation (kg.building.people): sets the people the
        pages are mapped with, and returns the stored pages not given whose people changed."""
        started = time.perf_counter()
        deciding = Deciding(
            self.kg.support,
            self.iris,
            self.work,
            self.plan.incremental,
            bool(self.old_hashes),
            lambda: list(self.old_hashes),
            self.stored_page_file,
            self.writer.parsed_path,  # removed with what it holds, with the build or its generation
        )
        self.support_loader.flush()  # the index of the mentions is changed in place (kg.store.mention_index)
        again = deciding.decide(scans)  # the index of the mentions kept, before the pages load beside it
        self.report.diagnostics += deciding.diagnostics
        self.report.timings["identity"] = time.perf_counter() - started
        return again

    def stored_page_file(self, page_id: str) -> Path | None:
        """A stored page's file (its kg:sourceFile, under the store's home), when it is still there."""
        page = ox.NamedNode(self.iris.page(page_id))
        for quad in self.kg.store.quads_for_pattern(page, ox.NamedNode(KG + "sourceFile"), None, None):
            relative = text_of(quad.object)
            path = self.home / relative
            if path.is_file():
                self.work.page_paths[str(path)] = relative
                return path
        return None

    def write_pages(self, results: Iterable[PageResult]) -> None:
        try:
            for done, result in enumerate(results, start=1):
                self.take(result)
                self.say(READING, done, self.total)
            self.loader.spread(LOAD_THREADS)  # the workers are done: the last pieces load on every core
            for piece in self.derived.last():
                self.loader.add(piece)
            self.summary_rows.pages_done()  # while the loader takes its last pieces
        except BaseException:
            self.loader.abort()
            self.support_loader.abort()
            raise
        # what the pages gave and the loader has still to take, in MB: counted, so the bar tells the
        # time left from the rate the loader shows
        total = max(1, -(-(self.loader.given - self.loader.loaded) // MB))
        first = self.loader.loaded

        def loaded() -> int:
            return min(total, (self.loader.loaded - first) // MB)

        self.say(LOADING, loaded(), total)
        try:
            while not self.loader.waiting(TICK):
                self.say(LOADING, loaded(), total)
            self.say(LOADING, total, total)
            self.loader.close()
        finally:  # its stream ends either way, so its loader returns
            self.support_loader.close()
        self.records.write(self.restamps)  # with the records of the pages written
        self.report.pages_written = len(self.change.written)
        self.report.timings["pages"] = time.perf_counter() - self.started
        self.report.timings["load"] = self.loader.seconds

    def take(self, result: PageResult) -> None:
        """One page's result: recorded, and written unless it is unchanged or a second copy."""
        report = self.report
        report.pages += 1
        report.pages_parsed += not result.skipped
        report.diagnostics.extend(result.diagnostics)
        if result.graph is None:
            return
        self.seen_pages[result.page_id] = result.source  # each once (pagefiles.each_page_once)
        report.listings += result.listings
        report.timings["inference"] = report.timings.get("inference", 0.0) + result.infer_seconds
        if result.skipped or self.old_hashes.get(result.graph) == result.content_hash:
            report.pages_unchanged += 1
            if result.state is not None and (result.restamp or not result.skipped):
                self.restamps.append((result.graph, result.state))
            return
        if result.graph in self.old_hashes:
            old = self.remove_old_page(result.graph)
            self.change.people |= inferred.people_whose_coauthors_may_change(
                old.paper_authors, result.paper_authors
            )
        elif self.plan.incremental:
            self.change.people |= result.authors
        self.page_own += result.asserted_count
        if self.counted is not None:
            for name, typed in _PAGE_TYPES.items():
                if name in self.counted:
                    self.counted[name] += result.nquads.count(typed)
        self.loader.add(result.nquads)
        if result.summary is not None:
            self.summary_rows.take(result.graph, result.summary)
        self.support_loader.add(result.support_nquads)
        if result.state is not None:
            self.records.put(result.graph, result.state)
            self.support_loader.add(pagestate.entries_nquad(result.graph, result.state))
        self.support_loader.add(result.identity_nquads)
        if not self.plan.incremental:  # a small update adds facts one by one, counting them
            self.loader.add(self.not_given(result.facts_nquads))
        self.loader.add(self.not_given(self.derived.take(result)))
        self.change.written.append(result.graph)

    def not_given(self, lines: bytes) -> bytes:
        """The lines not given to the loader before (in a build from nothing, the workers left them out)."""
        return lines if self.once is None else self.once.new_lines(lines)

    def remove_old_page(self, graph: str) -> ReplacedPage:
        """Take a page's old graph out, keeping what it said."""
        self.loader.flush()  # an earlier bulk load may still be writing: nothing is removed under it
        self.support_loader.flush()
        kg = self.kg
        stated, own = kg.stated_facts(graph), kg.page_triples(graph)
        old = ReplacedPage(graph, own + stated, stated, facts.paper_authors(stated))
        self.change.replaced.append(old)
        self.count_change((), own)  # its pages and listings: the facts it stated may stay
        self.page_own -= kg.graph_size(graph)
        kg.remove_page(graph)
        support = kg.support
        assert support is not None
        for quad in list(
            support.quads_for_pattern(
                ox.NamedNode(graph),
                ox.NamedNode(KG + "mentions"),
                None,
                ox.NamedNode(self.iris.identity_graph),
            )
        ):
            support.remove(quad)
        return old

    def settle_facts(self) -> None:
        """The graph of facts: what the written pages state is in, what only the replaced pages stated out.
        A build in bulk loaded the facts with the pages."""
        self.say(LOADING, 0, None)
        kg = self.kg
        if self.plan.incremental:
            for graph in self.change.written:
                added = facts.add(kg.store, self.iris, kg.stated_facts(graph))
                self.facts += len(added)
                self.count_change(added, ())
        stated = kg.stated_by_pages()
        for old in self.change.replaced:
            still = set(kg.stated_facts(old.graph))
            gone = (t for t in old.stated_facts if t not in still)
            removed = facts.retract(kg.store, self.iris, gone, stated.stated)
            self.facts -= len(removed)
            self.count_change((), removed)

    def count_change(self, added: Iterable[Triple], removed: Iterable[Triple]) -> None:
        """Keep the counts up to date with triples written to or taken out of the store."""
        if self.counted is not None:
            for name, change in change_of_counts(added, removed).items():
                if name in self.counted:
                    self.counted[name] += change

    def derive(self) -> None:
        """Bring the derived part of the store up to date with what was written."""
        started = time.perf_counter()
        self.derived.update(self.change, self.say)
        self.facts += self.derived.facts_change
        if self.change.any and self.plan.recounts:  # bulk loads do not say what was new
            self.facts = self.kg.graph_size(self.iris.facts_graph)
        timings = self.report.timings
        if "labelling" in self.derived.seconds:
            timings["labels"] = self.derived.seconds["labelling"]  # part of "rules"
        timings["rules"] = time.perf_counter() - started
        timings["inference"] = timings.get("inference", 0.0) + timings["rules"]

    def changed_nothing(self) -> bool:
        """Whether the store would be what it was: every page given unchanged, by the same kg."""
        return (
            bool(self.old_hashes)
            and not self.change.written
            and not self.change.replaced
            and not self.ontology_changed
            and self.previous_version == __version__
            and not self.records_moved  # the store's records are kept as this kg keeps them
        )

    def keep_live(self) -> None:
        """Nothing changed: no generation is made (kg diff keeps the last real change); the report
        counts the store as it stands."""
        self.say(COUNTING, 0, None)
        self.report.stats = store_stats(
            self.kg.store,
            (self.page_own + self.facts, self.derived.count),
            self.iris.ontology_graph,
            self.counted if self.counted is not None else kept_counts(self.writer.previous_meta),
        )
        self.report.generation = self.writer.previous or ""
        self.report.new_generation = False
        self.let_go()
        # files touched but unchanged: the live records learn their new stat, and the run's lexicon
        live = pagestate.FileRecords(records_path(self.writer.root, self.report.generation))
        if self.restamps:
            live.write(self.restamps)
        self.lexicon.remember_in(live, self.files_key, self.total, self.work.lexicon_digest)

    def kept(self) -> dict[str, int]:
        """The counts this build kept as it went, which the store need not count again."""
        return self.counted or {}

    def let_go(self) -> None:
        """The writer closes the databases: no reference of this build's may keep them open."""
        del self.kg, self.loader, self.support_loader, self.derived, self.old_hashes
        self.lexicon.entries_of = run_lexicon.no_entries  # it reads the support database

    def commit(self, rules_digest: str = "") -> None:
        self.say(COUNTING, 0, None)
        counts = (self.page_own + self.facts, self.derived.count)
        self.report.stats = store_stats(self.kg.store, counts, self.iris.ontology_graph, self.kept())
        extra = {
            SCHEMA_KEY: self.schema.to_json(),
            COUNTS_KEY: counts,
            PAGE_COUNT_KEY: self.page_own,
            PAGES_KEY: self.report.stats.get("pages", 0),
            LISTINGS_KEY: self.report.stats.get("listings", 0),
            COUNTED_KEY: {name: self.report.stats[name] for name, _ in COUNTED},
            HOME_KEY: str(self.home),
            curation_checks.STORE_KEY: rules_digest,  # the rules every stored page was mapped by
        }
        meta = StoreMeta(
            base=self.iris.base,
            kg_version=__version__,
            ontology_hash=self.digest,
            built_at=self.built_at,
            extra=extra,
        )
        self.lexicon.remember_in(self.records, self.files_key, self.total, self.work.lexicon_digest)
        with ticking(self.say, SUMMARISING):
            self.summarise(meta)
        self.say(SWITCHING, 0, None)
        self.report.generation = self.writer.generation
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            recorder.release()
        self.let_go()
        self.writer.commit(meta)
        try:
            changes.record(self.writer.root, self.writer.generation, self.writer.previous, recorder)
        except OSError as e:  # the build is done; only a later push pays, by comparing the graphs
            self.report.diagnostics.append(
                Diagnostic(
                    WARNING,
                    str(self.writer.root),
                    0,
                    f"cannot keep what this update changed, for kg push: {e}",
                )
            )

    def summarise(self, meta: StoreMeta) -> None:
        summarising = time.perf_counter()
        chosen = self.derived.chosen_labels()
        if self.summary_rows.active and chosen is not None:  # a build from nothing: from its pages
            self.summary_rows.write(summary_meta(self.writer.generation, meta, self.report), chosen)
        else:
            self.summary_rows.close()
            summary.write(  # a small update brings the previous summary up to date
                self.kg.store,
                self.writer.summary_path,
                summary_meta(self.writer.generation, meta, self.report),
                previous=self.writer.previous_summary if self.plan.incremental else None,
                pages=self.change.written,
                printed=self.change.printed,
                ahead=self.summary_ahead,
            )
        self.report.timings["summary"] = time.perf_counter() - summarising


def summary_meta(generation: str, meta: StoreMeta, report: BuildReport) -> dict[str, str]:
    """What a generation's summary says about it: enough for `kg diff --list` once its database is gone."""
    return {
        "generation": generation,
        "built_at": meta.built_at,
        "kg_version": meta.kg_version,
        "base": meta.base,
        "pages": str(report.stats.get("pages", 0)),
        "listings": str(report.stats.get("listings", 0)),
    }
