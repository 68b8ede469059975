"""`kg.open` and the `Graph` it gives: canned queries, SPARQL, people, networks, conflicts, statistics; on a local store, validation, search, diff and export."""

from __future__ import annotations

import io
import os
import threading
import warnings
from collections.abc import Callable, Iterable
from datetime import date
from typing import IO, TYPE_CHECKING, Any, TypeGuard, cast

from kg.api.building import as_date
from kg.api.common import (
    Closed,
    KgNote,
    NeedsLocalStore,
    PathLike,
    answer_within,
    as_names,
    caller_level,
    check_limit,
    check_query,
    check_sparql,
    store_path,
)
from kg.errors import KgError
from kg.model.vocab import KG
from kg.present.result import Result

if TYPE_CHECKING:
    import networkx
    import pyoxigraph as ox

    from kg.features.coi import CoiReport
    from kg.features.diff import Diff
    from kg.features.name_lists import Name
    from kg.features.people import People, Suggestion
    from kg.features.push import PushReport
    from kg.features.search import Hits
    from kg.present.streaming import Written
    from kg.query.canned import Engine
    from kg.query.identity_evidence import Explained
    from kg.query.network import Network
    from kg.query.nodes import NodeView, PaperView, PersonView
    from kg.query.person_lookup import Person, PersonResolver
    from kg.query.why import Support
    from kg.store.generations import KgStore
    from kg.validation.report import ValidationOutcome


# Every printed form of one person's name (only people have a kg:name: ontology/README.md).
NAMES_OF = f"""PREFIX kg: <{KG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name ?label WHERE {{
  # @values person
  ?person kg:name ?name .
  OPTIONAL {{ ?person skos:prefLabel ?label }}
}}
"""


def open(
    store: PathLike | None = None,
    *,
    endpoint: str | None = None,
    base: str | None = None,
    user: str | None = None,
    password: str | None = None,
    graphs: list[str] | None = None,
    note: Callable[[str], None] | None = None,
) -> Graph:
    """The graph in a store (read-only; default KG_STORE, else ./kg-store), or at a SPARQL endpoint.

    With `endpoint` (e.g. `http://localhost:7878/query`, as `kg serve` prints): `base` is the base
    IRI of the data there (default KG_BASE, else kg's default); `user`/`password` for HTTP auth;
    `graphs` the graph IRIs to read as the default graph (["kg"]: every graph of kg's there), as
    `kg query --endpoint --graph`. What kg takes for granted (e.g. the person a partial name was taken
    as) is a KgNote warning, or goes to `note` when given. Use it in a `with` block, or call
    `close()`."""
    if endpoint:
        if store is not None:
            raise KgError("give a store or an endpoint, not both")
        from kg.model.vocab import base_from_env
        from kg.query.remote import HttpEngine

        data_base = base_from_env(base)
        engine = HttpEngine(endpoint, user=user, password=password, graphs=list(graphs or []), base=data_base)
        return Graph(engine, data_base, source=endpoint, note=note)
    if user or password or graphs:
        raise KgError(
            "user, password and graphs only apply with an endpoint; the local store always reads all its graphs"
        )
    from kg.query.canned import LocalEngine
    from kg.store.generations import KgStore

    kg_store = KgStore.open_read(store_path(store))
    if base is not None and base != kg_store.iris.base:
        raise KgError(
            f"the store at {store_path(store)} was built with the base {kg_store.iris.base}, not {base}"
        )
    return Graph(
        LocalEngine(kg_store.store),
        kg_store.iris.base,
        source=store_path(store),
        kg_store=kg_store,
        note=note,
    )


class Graph:
    """An opened graph: canned queries, SPARQL, people, coauthor networks, statistics; and, on a local
    store, its validation and export."""

    def __init__(
        self,
        engine: Engine,
        base: str,
        source: str,
        kg_store: KgStore | None = None,
        note: Callable[[str], None] | None = None,
    ):
        self.engine = engine
        self.base = base
        self.source = source  # the store folder or the endpoint URL
        self._kg_store = kg_store
        self._thread = threading.local()  # the notes of the call under way, one list per thread
        self._resolver: PersonResolver | None = None
        self._note_to = note  # None: notes are KgNote warnings

    @property
    def _notes(self) -> list[str]:
        """What kg took for granted in this thread's call (threads, e.g. kg serve's, share a Graph)."""
        notes = getattr(self._thread, "notes", None)
        if notes is None:
            notes = self._thread.notes = []
        return notes

    @_notes.setter
    def _notes(self, notes: list[str]) -> None:
        self._thread.notes = notes

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<kg.Graph {self.source}>"

    def close(self) -> None:
        """Close the endpoint's connection, or let go of the store (pyoxigraph closes it with the last
        reference); a closed Graph refuses further use."""
        endpoint = getattr(self.engine, "endpoint", None)  # an HttpEngine's connection to its server
        if endpoint is not None:
            endpoint.close()
        self._kg_store = None
        self.engine = Closed(self.source)
        self._resolver = None

    # --- asking -------------------------------------------------------------------------------------

    def query(self, name: str, *args: Any, limit: int | None = None) -> Result:
        """The canned query `name` (one of `kg query --list`) with its arguments: people by name, as
        printed or any unique part of it; integers as int or str."""
        from kg.query import canned as queries

        self._notes.clear()
        canned = check_query(name, args)
        values = queries.parse_arguments(
            canned, [str(arg) for arg in args], self.resolver
        )  # ArgumentError: the CLI's usage error
        check_limit(limit)
        from kg.query.limits import run_limited

        engine = self.engine
        answer = run_limited(lambda: queries.run_bound(engine, canned, values, limit), None)  # Ctrl-C heard
        notes, self._notes = self._notes, []
        result = Result(answer, notes)
        result.asked = (canned, values)
        return result

    def write_query(
        self,
        name: str,
        *args: Any,
        file: IO[str] | None = None,
        format: str = "table",
        limit: int | None = None,
        width: int | None = None,
        note: Callable[[str], None] | None = None,
        timeout: float | None = None,
    ) -> Written:
        """Write a canned query's answer to a text file (default stdout) as it comes, as `kg query`
        does: memory stays flat whatever its size. A table fits `width` columns and tells `note` when
        it is empty or cut by `limit`. KgError past `timeout` seconds."""
        from kg.model.terms import bind_values
        from kg.present.streaming import write_answer, write_solutions
        from kg.query import canned as queries
        from kg.query.answers import Solutions

        self._notes.clear()
        canned = check_query(name, args)
        answer_within(self.engine, timeout)
        values = queries.parse_arguments(canned, [str(arg) for arg in args], self.resolver)
        check_limit(limit)
        try:
            if canned.ranked is not None:  # read a page of ranks at a time: `limit` rows, `limit` look-ups
                more = None if limit is None else limit + 1  # one more row says the limit cut it
                answer = queries.run_bound(self.engine, canned, values, more)
                assert isinstance(answer, Solutions), "a ranked query is a SELECT (kg.queries)"
                return write_solutions(answer, format, file, limit=limit, width=width, note=note)
            text = bind_values(canned.text, values)
            return write_answer(
                self.engine, text, format, file, limit=limit, timeout=timeout, width=width, note=note
            )
        except ValueError as e:  # an unknown format
            raise KgError(str(e)) from None

    def write_sparql(
        self,
        text: str,
        file: IO[str] | None = None,
        *,
        format: str = "table",
        limit: int | None = None,
        timeout: float | None = None,
        allow_service: bool = True,
        width: int | None = None,
        note: Callable[[str], None] | None = None,
    ) -> Written:
        """Write the answer of a read-only query to a text file (default stdout) as it comes, as
        `kg sparql` does: memory stays flat whatever its size. SELECT/ASK: table, csv, tsv, json, xml;
        CONSTRUCT/DESCRIBE: turtle, ntriples, jsonld, rdfxml. KgError past `timeout` seconds. A table
        fits `width` columns and tells `note` when it is empty or cut by `limit`."""
        from kg.present.streaming import write_answer
        from kg.query.sparql_text import with_prefixes

        text = check_sparql(text, allow_service)
        check_limit(limit)
        text = with_prefixes(text, self.base)
        answer_within(self.engine, timeout)
        try:
            return write_answer(
                self.engine, text, format, file, limit=limit, timeout=timeout, width=width, note=note
            )
        except ValueError as e:  # an unknown format
            raise KgError(str(e)) from None

    def sparql(
        self, text: str, *, limit: int | None = None, timeout: float | None = None, allow_service: bool = True
    ) -> Result | bool:
        """Any read-only SPARQL query over the whole graph, kg's prefixes (kg:, schema:, person:, ...)
        declared: a `Result`, or for ASK a bool. An update is refused, as by `kg sparql`.
        `timeout`: seconds before the answer is given up (KgError; the engine's work on a local store
        ends only with the process, as `kg sparql --timeout` ends it); `allow_service=False` refuses a
        query with SERVICE, which makes the engine fetch from the addresses it names."""
        from kg.query.sparql_text import with_prefixes

        text = check_sparql(text, allow_service)
        result = self._answer(with_prefixes(text, self.base), limit, timeout)
        return result.boolean if result.boolean is not None else result

    def _answer(self, text: str, limit: int | None, timeout: float | None) -> Result:
        from kg.query.limits import run_limited

        check_limit(limit)
        engine = self.engine
        answer = run_limited(lambda: engine.run(text, limit=limit), timeout)  # Ctrl-C is heard at once
        notes, self._notes = self._notes, []
        return Result(answer, notes)

    def supports(self, result: Result) -> list[list[Support]]:
        """The listings (page, line, title) behind each row of a canned query's answer, as
        `kg query --why` shows them under each row."""
        from kg.query import why
        from kg.query.answers import Solutions

        if result.asked is None or not isinstance(result.answer, Solutions):
            raise KgError("only the rows of a canned query (Graph.query) have supports")
        canned, values = result.asked
        text = why.why_query(canned)
        if text is None:
            raise KgError(f"{canned.name} has no --why: its rows are not drawn from listings")
        answer = result.answer
        return [why.supports(self.engine, text, values, answer.vars, row) for row in answer.rows]

    # --- people -------------------------------------------------------------------------------------

    @property
    def resolver(self) -> PersonResolver:
        """Names to person IRIs, as `kg query` resolves them (reads everyone's names once, if needed)."""
        if self._resolver is None:
            from kg.query.person_lookup import PersonResolver

            index = None
            if self._kg_store is not None:
                from kg.features.search import NamesInSummary

                index = NamesInSummary(self._kg_store)
            self._resolver = PersonResolver(self.engine, self.base, note=self._note, index=index)
        return self._resolver

    def _note(self, message: str) -> None:
        self._notes.append(message)
        if self._note_to is not None:
            self._note_to(message)
        else:
            warnings.warn(message, KgNote, stacklevel=caller_level())

    def people(self, pattern: str | None = None) -> list[Person]:
        """Everyone in the graph (`iri`, `name`, every printed form in `names`), by name; with a
        pattern, those whose name holds every word of it (case and accents aside)."""
        from kg.query.person_lookup import words

        if pattern is None or not words(pattern):
            return list(self.resolver.people())
        return self.resolver.matching(pattern)

    def people_with_papers(self, pattern: str | None = None) -> People:
        """The people `people(pattern)` gives, each with how many papers they have (`kg people`)."""
        from kg.features import people as directory

        return directory.listing(self.engine, self.people(pattern), everyone=pattern is None)

    def identity_suggestions(self, pattern: str | None = None, *, min_papers: int = 2) -> list[Suggestion]:
        """Names that probably hide several people, and names that are probably one person, each with
        its evidence (`kg people --ambiguous`); with a pattern, those that concern the people it matches.
        A name is split only when two of its groups hold `min_papers` papers each.
        `kg.directory.toml(found)` writes them as a curation file to paste from."""
        from kg.features import people as directory

        if min_papers < 1:
            raise KgError(f"min_papers must be 1 or more, not {min_papers}")
        everyone = self.people()
        focus = None if pattern is None else self.people(pattern)
        return directory.suggestions(self.engine, everyone, focus, min_papers=min_papers)

    def identity_evidence(self, pattern: str | None = None) -> list[tuple[Person, Explained]]:
        """Each person `people(pattern)` gives, with the evidence the build joined their names by and
        the names it kept apart from them (`kg people --evidence`); a local store only."""
        from kg.query import identity_evidence as whois

        kg_store = self._local("the evidence for identities")
        found = self.people(pattern)
        resolution = whois.stored_resolution(kg_store)
        explained = whois.explain(resolution, kg_store.iris, [p.iri for p in found])
        return list(zip(found, explained, strict=True))

    def kept_apart(self) -> str:
        """The names the last build kept apart for want of evidence, as curation-file comments ("" from
        an endpoint, which keeps no mentions)."""
        from kg.query import identity_evidence as whois

        if self._kg_store is None:
            return ""
        return whois.kept_apart_toml(whois.stored_resolution(self._kg_store))

    def person(self, name: str) -> Person:
        """The person `name` names, matched as in `kg query`; NameNotFound, naming the candidates or
        the closest names, when it names nobody or several people."""
        from kg.query.person_lookup import Person

        iri = self.resolver.resolve(name)
        self._notes.clear()
        label, names = self._names_of(iri)
        return Person(iri, label or min(names, default=name), tuple(sorted(names)) or (name,))

    def person_view(self, person: str, *, listed: int | None = None) -> PersonView:
        """What kg serve's page about a person shows: spellings, and the answers of papers-of,
        coauthors-of, orgs-of, topics-of and profile as `query` gives them, each row with the node it is
        about; the listings (page:line) that show each of the first `listed` papers (None: all).
        `person`: a name as in `query`, or an IRI."""
        from kg.query import nodes

        iri = self.resolver.resolve(person)
        self._notes.clear()
        return nodes.person_view(self.engine, iri, listed)

    def paper_view(self, iri: str) -> PaperView | None:
        """What kg serve's page about a paper shows: titles, dates, authors in order (the page's owner
        where implied), organisations, the listings behind it, code; None when `iri` is no paper."""
        from kg.query import nodes

        view = nodes.paper_view(self.engine, iri)
        return view if view.titles else None

    def node(self, iri: str) -> NodeView | None:
        """Any node's statements and the labels of the nodes they name; None when the graph never
        names it."""
        from kg.query import nodes

        return nodes.node_view(self.engine, iri)

    def node_triples(self, iri: str) -> list[ox.Triple]:
        """A node's Linked Data: its statements, and those of its sources (a person's authorships, a
        paper's listings, with the page file and line of each), as pyoxigraph triples."""
        from kg.query import nodes

        return nodes.node_triples(self.engine, iri)

    def _names_of(self, iri: str) -> tuple[str | None, set[str]]:
        """A person's display label (None in a store built before labels) and every printed name."""
        import pyoxigraph as ox

        from kg.model.terms import bind_values, text_of
        from kg.query.canned import select

        text = bind_values(NAMES_OF, {"person": [ox.NamedNode(iri)]})
        rows = select(self.engine, text).rows
        labels = {text_of(label) for _, label in rows if label is not None}
        return min(labels, default=None), {text_of(name) for name, _ in rows if name is not None}

    def coauthors(self, name: str, depth: int = 1, max_people: int | None = None) -> networkx.Graph[str]:
        """The coauthor network of `name`, as `kg graph coauthors-of` draws it, as a networkx Graph:
        nodes are person IRIs with `label`, `papers` and `hops` (0 for the person, 1 a coauthor, 2 a
        coauthor's coauthor); edges have `weight` (shared papers) and `lower_bound` (True when a shared
        paper's author list was cut, so there may be more). `max_people` cuts it as `kg graph
        --max-people` does: that many people, strongest links first."""
        from kg.present import pictures

        drawn = self.coauthor_network(name, depth, max_people)
        graph = pictures.to_networkx(drawn)
        graph.graph["name"] = drawn.title
        return graph

    def coauthor_network(self, name: str, depth: int = 1, max_people: int | None = None) -> Network:
        """The coauthor network of `name` as kg draws it (kg.network.Network: its people and links),
        for kg.pictures to render as a page or a file."""
        import pyoxigraph as ox

        from kg.query import network

        if depth not in network.DEPTHS:
            raise KgError(f"depth must be {' or '.join(map(str, network.DEPTHS))}, not {depth!r}")
        person = ox.NamedNode(self.resolver.resolve(name))
        self._notes.clear()
        if max_people is not None and max_people < 1:
            raise KgError(f"max_people must be 1 or more, not {max_people!r}")
        return network.ego_network(self.engine, person, depth=depth, max_people=max_people)

    def coi(
        self,
        people: Iterable[str | Name],
        against: Iterable[str | Name] | None = None,
        *,
        years: int | None = None,
        as_of: date | str | None = None,
        same_org: bool = False,
        max_authors: int | None = None,
    ) -> CoiReport:
        """Conflicts of interest, as `kg coi`: every pair among `people` (or each of `people` with each
        of `against`) who share a paper dated within `years` of `as_of` (default: any date), or with
        `same_org`, whose papers in that window list the same organisation; papers with more than
        `max_authors` authors are not counted. Names are matched as in `query`; a name that matches
        nobody or several people is in `report.unresolved`, not raised. `report.exit_code` is 1 when
        there is a conflict or an unresolved name."""
        from kg.features import coi

        policy = coi.Policy(years=years, as_of=as_date(as_of), same_org=same_org, max_authors=max_authors)
        self._notes.clear()
        report = coi.check(
            self.engine,
            self.resolver.resolve,
            self.resolver.iris.person,
            as_names(people),
            None if against is None else as_names(against),
            policy,
        )
        report.notes, self._notes = self._notes, []
        return report

    # --- the store's own files ------------------------------------------------------------------------

    def _local(self, what: str) -> KgStore:
        if self._kg_store is None:
            if isinstance(self.engine, Closed):
                raise self.engine.error()
            raise NeedsLocalStore(
                f"{what} reads the store's own files, which the endpoint {self.source} does not serve: "
                "use the store itself"
            )
        return self._kg_store

    def stats(self) -> dict[str, int]:
        """What `kg stats` counts: pages, listings, papers, people, orgs, and `triples`, every triple
        (what an export with inferred, kg push and COUNT(*) see), made of `triples_asserted`,
        `triples_inferred` and `triples_ontology` (on an endpoint, its named graphs counted in SPARQL)."""
        if self._kg_store is None and not isinstance(self.engine, Closed):
            from kg.features.endpoint_stats import engine_stats

            return engine_stats(self.engine, self.base, self.source)
        from kg.building.counts import COUNTS_KEY, kept_counts, store_stats

        kg_store = self._local("stats")
        return store_stats(
            kg_store.store,
            kg_store.meta.extra.get(COUNTS_KEY, (0, 0)),
            kg_store.iris.ontology_graph,
            kept_counts(kg_store.meta),
        )

    def validate(self) -> ValidationOutcome:
        """The store checked against the SHACL shapes, as `kg validate`: `.conforms`, `.findings`,
        `.violations`; `kg.validate.report_lines(outcome)` gives the lines the CLI prints."""
        from kg.validation import report as validate

        return validate.validate_store(self._local("validate"))

    def search(self, text: str, *, limit: int | None = 20) -> Hits:
        """Papers whose titles hold the words of `text`, best first, as `kg search`: each `Hit` has the
        title, date, authors (as shown, by display name), `matched`, `score` and the first page:line."""
        from kg.derive import summary
        from kg.features import search

        return summary.read_live(self._local("search"), lambda db: search.search(db, text, limit))

    def diff(self, since: str | None = None) -> Diff:
        """What changed from an earlier generation (default: the one before) to this one, as `kg diff`:
        `.changes` maps each kind (papers_added, dates_changed, pairs_added, ...) to its items."""
        from kg.features import diff

        return diff.diff(self._local("diff"), since)

    def generations(self) -> list[dict[str, object]]:
        """The generations `diff` can compare with, oldest first (generation, built_at, pages, papers, live)."""
        from kg.features import diff

        return diff.generations(self._local("diff"))

    def push(
        self,
        endpoint: str,
        *,
        user: str | None = None,
        password: str | None = None,
        batch_triples: int | None = None,
        full: bool = False,
        virtuoso_isql: str | None = None,
        virtuoso_load_dir: PathLike | None = None,
        isql_user: str = "dba",
        isql_password: str | None = None,
    ) -> PushReport:
        """The store sent to a SPARQL 1.1 Graph Store endpoint (e.g. `http://localhost:7878/store`), as
        `kg push`: the first time every graph, then only what changed since the last push there
        (`full`: everything again). `batch_triples` bounds a request (default 250,000). To Virtuoso,
        `virtuoso_isql` (its SQL port, HOST:PORT) and `virtuoso_load_dir` (a folder the server reads, at
        the same path) send large batches through its bulk loader, logged in as `isql_user`. Raises
        KgError, saying how many graphs were sent, when the endpoint fails; the next push sends the rest."""
        from pathlib import Path

        from kg.features.push import DEFAULT_BATCH, push
        from kg.features.push_bulk import BulkPath
        from kg.query.endpoint import Endpoint

        bulk = None
        if virtuoso_isql or virtuoso_load_dir:
            if not (virtuoso_isql and virtuoso_load_dir):
                raise KgError("--virtuoso-isql and --virtuoso-load-dir go together: give both, or neither")
            if not isql_password:
                raise KgError(f"--virtuoso-isql needs the password of {isql_user} for Virtuoso's SQL port")
            folder = Path(os.fspath(virtuoso_load_dir)).absolute()  # the server reads it from elsewhere
            bulk = BulkPath(virtuoso_isql, folder, isql_user, isql_password)
        target = Endpoint(endpoint, user=user, password=password)
        return push(
            self._local("push"), target, batch_triples=batch_triples or DEFAULT_BATCH, full=full, bulk=bulk
        )

    def export(
        self,
        path_or_file: PathLike | IO[str] | IO[bytes],
        format: str | None = None,
        *,
        inferred: bool = False,
    ) -> None:
        """Write the graph as `kg export` does (turtle, ntriples, jsonld, trig, nquads; with `inferred`,
        what inference added too) to a path ("-": stdout), or to an open file (binary or text). Without
        `format`, a path's extension says it (.ttl, .nt, .jsonld, .trig, .nq), else Turtle; a path
        named for another format than `format` is refused."""
        from kg.features import export

        kg_store = self._local("export")
        named = os.fspath(path_or_file) if isinstance(path_or_file, (str, os.PathLike)) else None
        format = export.format_for(named, format)
        if isinstance(path_or_file, (str, os.PathLike)):
            export.export(kg_store, format, inferred, os.fspath(path_or_file))
            return
        _export_to_file(kg_store, format, inferred, path_or_file)


def _export_to_file(kg_store: KgStore, fmt: str, inferred: bool, file: IO[str] | IO[bytes]) -> None:
    from kg.features import export

    if _takes_text(file):
        binary = io.BytesIO()
        export.write_export(kg_store, fmt, inferred, binary)
        file.write(binary.getvalue().decode("utf-8"))
    else:  # any other file is taken for a binary one
        export.write_export(kg_store, fmt, inferred, cast("IO[bytes]", file))


def _takes_text(file: IO[str] | IO[bytes]) -> TypeGuard[IO[str]]:
    """Whether `file` is written str: a text file of io, or any file opened in a text mode (a tempfile's
    wrapper is no io.TextIOBase)."""
    mode = getattr(file, "mode", None)
    return isinstance(file, io.TextIOBase) or (isinstance(mode, str) and "b" not in mode)
