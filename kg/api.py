"""kg for Python code: `build` pages into a store, `open` a store or an endpoint, and ask the `Graph`.

    import kg
    kg.build(["pages/"], "kg-store", as_of="2026-11-24")
    with kg.open("kg-store") as g:
        df = g.query("coauthors-of", "Suyog Gupta").to_pandas()

The same steps as the CLI, over the same modules (kg.building, kg.queries, kg.people, kg.network,
kg.validate, kg.export): the same answers, and failures as the same `KgError`s with the messages the
CLI prints. Nothing heavy is imported before a function needs it.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable, Iterable
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from kg.errors import KgError
from kg.result import Result
from kg.vocab import KG

if TYPE_CHECKING:
    import networkx

    from kg.building import BuildReport
    from kg.people import Person, PersonResolver
    from kg.queries import CannedQuery, Engine
    from kg.store import KgStore
    from kg.streaming import Written
    from kg.validate import ValidationOutcome

DEFAULT_STORE = "kg-store"
# Every printed form of one person's name (only people have a kg:name: ontology/README.md).
NAMES_OF = f"""PREFIX kg: <{KG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name ?label WHERE {{
  # @values person
  ?person kg:name ?name .
  OPTIONAL {{ ?person skos:prefLabel ?label }}
}}
"""
PathLike = str | os.PathLike


class QueryNotFound(KgError):
    """No canned query of that name."""


class NeedsLocalStore(KgError):
    """What reads the store's own files (stats, validate, export) cannot run on an endpoint."""


class KgNote(UserWarning):
    """What kg took for granted, e.g. the person a partial name was taken as (the CLI's `kg: ...` lines)."""


def store_path(store: PathLike | None) -> str:
    """The store folder: as given, else KG_STORE, else ./kg-store (as the CLI)."""
    return os.fspath(store) if store is not None else os.environ.get("KG_STORE") or DEFAULT_STORE


# --- build ------------------------------------------------------------------------------------------


def build(
    pages: PathLike | Iterable[PathLike],
    store: PathLike | None = None,
    *,
    as_of: date | str | None = None,
    base: str | None = None,
    fresh: bool = False,
    progress: bool | Callable[[int, int], None] = False,
) -> BuildReport:
    """Build or update the store from page files or folders of *.txt pages, as `kg build`.

    Problems in the pages are in the report (`report.diagnostics`, each `FILE:LINE: severity: message`;
    `report.rejected` counts the errors), never raised: everything valid is stored. `as_of` (a date or
    `YYYY-MM-DD`) is when the pages were scraped, default today. `progress`: True for a progress bar,
    or a function called with (done, total)."""
    from kg.building import build as run_build

    paths = [pages] if isinstance(pages, (str, os.PathLike)) else list(pages)
    if not paths:
        raise KgError("no pages given: name page files or folders of *.txt pages")
    if progress is True:
        with _ProgressBar() as advance:
            return run_build(
                paths, store_path(store), as_of=_date(as_of), base=base, fresh=fresh, progress=advance
            )
    return run_build(
        paths, store_path(store), as_of=_date(as_of), base=base, fresh=fresh, progress=progress or None
    )


def _date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise KgError(f"{value!r} is not a date like 2026-11-24") from None


class _ProgressBar:
    """A tqdm bar (the notebook widget where there is one) fed by the build's (done, total) calls."""

    def __enter__(self) -> Callable[[int, int], None]:
        from tqdm.auto import tqdm

        self.bar = tqdm(unit="page", delay=1.0, leave=False)

        def advance(done: int, total: int) -> None:
            self.bar.total = total
            self.bar.update(done - self.bar.n)

        return advance

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


# --- open -------------------------------------------------------------------------------------------


def open(
    store: PathLike | None = None,
    *,
    endpoint: str | None = None,
    base: str | None = None,
    user: str | None = None,
    password: str | None = None,
    graphs: list[str] | None = None,
) -> Graph:
    """The graph in a store (read-only; default KG_STORE, else ./kg-store), or at a SPARQL endpoint.

    With `endpoint` (e.g. `http://localhost:7878/query`, as `kg serve` prints): `base` is the base
    IRI of the data there (default KG_BASE, else kg's default); `user`/`password` for HTTP auth;
    `graphs` the graph IRIs to read as the default graph (["kg"]: every graph of kg's there), as
    `kg query --endpoint --graph`. Use it in a `with` block, or call `close()`."""
    if endpoint:
        if store is not None:
            raise KgError("give a store or an endpoint, not both")
        from kg.remote import open_engine

        opened = open_engine(DEFAULT_STORE, endpoint, base, user, password, list(graphs or []))
        return Graph(opened.engine, opened.base, source=endpoint)
    if user or password or graphs:
        raise KgError(
            "user, password and graphs only apply with an endpoint; the local store always reads all its graphs"
        )
    from kg.queries import LocalEngine
    from kg.store import KgStore

    kg_store = KgStore.open_read(store_path(store))
    if base is not None and base != kg_store.iris.base:
        raise KgError(
            f"the store at {store_path(store)} was built with the base {kg_store.iris.base}, not {base}"
        )
    return Graph(LocalEngine(kg_store.store), kg_store.iris.base, source=store_path(store), kg_store=kg_store)


class Graph:
    """An opened graph: canned queries, SPARQL, people, coauthor networks; and, on a local store, its
    statistics, validation and export."""

    def __init__(self, engine: Engine, base: str, source: str, kg_store: KgStore | None = None):
        self.engine = engine
        self.base = base
        self.source = source  # the store folder or the endpoint URL
        self._kg_store = kg_store
        self._notes: list[str] = []
        self._resolver: PersonResolver | None = None

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
        self.engine = _Closed(self.source)
        self._resolver = None

    # --- asking -------------------------------------------------------------------------------------

    def query(self, name: str, *args: Any, limit: int | None = None) -> Result:
        """The canned query `name` (one of `kg query --list`) with its arguments: people by name, as
        printed or any unique part of it; integers as int or str."""
        from kg import queries

        self._notes.clear()
        canned = canned_query(name)
        values = queries.parse_arguments(
            canned, [str(arg) for arg in args], self.resolver
        )  # ArgumentError: the CLI's usage error
        return self._answer(queries.bind_values(canned.text, values), limit)

    def sparql(self, text: str, *, limit: int | None = None) -> Result:
        """Any read-only SPARQL query over the whole graph; an update is refused, as by `kg sparql`."""
        from kg import queries

        queries.refuse_updates(text)
        return self._answer(text, limit)

    def write_sparql(
        self,
        text: str,
        file: IO[str] | None = None,
        *,
        format: str = "table",
        limit: int | None = None,
        timeout: float | None = None,
    ) -> Written:
        """Write the answer of a read-only query to a text file (default stdout) as it comes, as
        `kg sparql` does: memory stays flat whatever its size. SELECT/ASK: table, csv, tsv, json, xml;
        CONSTRUCT/DESCRIBE: turtle, ntriples, jsonld, rdfxml. KgError past `timeout` seconds."""
        from kg import queries
        from kg.streaming import write_answer

        queries.refuse_updates(text)
        if limit is not None and limit < 0:
            raise KgError(f"limit must be 0 or more, not {limit}")
        try:
            return write_answer(self.engine, text, format, file, limit=limit, timeout=timeout)
        except ValueError as e:  # an unknown format
            raise KgError(str(e)) from None

    def _answer(self, text: str, limit: int | None) -> Result:
        if limit is not None and limit < 0:
            raise KgError(f"limit must be 0 or more, not {limit}")
        answer = self.engine.run(text, limit=limit)
        notes, self._notes = self._notes, []
        return Result(answer, notes)

    # --- people -------------------------------------------------------------------------------------

    @property
    def resolver(self) -> PersonResolver:
        """Names to person IRIs, as `kg query` resolves them (reads everyone's names once, if needed)."""
        if self._resolver is None:
            from kg.people import PersonResolver

            self._resolver = PersonResolver(self.engine, self.base, note=self._note)
        return self._resolver

    def _note(self, message: str) -> None:
        self._notes.append(message)
        warnings.warn(message, KgNote, stacklevel=_caller_level())

    def people(self, pattern: str | None = None) -> list[Person]:
        """Everyone in the graph (`iri`, `name`, every printed form in `names`), by name; with a
        pattern, those whose name holds every word of it (case and accents aside)."""
        from kg.people import words

        everyone = self.resolver.people()
        if pattern is None:
            return list(everyone)
        wanted = words(pattern)
        return [p for p in everyone if any(wanted <= words(name) for name in p.names)]

    def person(self, name: str) -> Person:
        """The person `name` names, matched as in `kg query`; NameNotFound, naming the candidates or
        the closest names, when it names nobody or several people."""
        from kg.people import Person

        iri = self.resolver.resolve(name)
        self._notes.clear()
        label, names = self._names_of(iri)
        return Person(iri, label or min(names, default=name), tuple(sorted(names)) or (name,))

    def _names_of(self, iri: str) -> tuple[str | None, set[str]]:
        """A person's display label (None in a store built before labels) and every printed name."""
        import pyoxigraph as ox

        from kg.queries import bind_values

        text = bind_values(NAMES_OF, {"person": [ox.NamedNode(iri)]})
        rows = self.engine.run(text).rows
        labels = {row[1].value for row in rows if row[1] is not None}
        return min(labels, default=None), {row[0].value for row in rows}

    def coauthors(self, name: str, depth: int = 1, max_people: int | None = None) -> networkx.Graph:
        """The coauthor network of `name`, as `kg graph coauthors-of` draws it, as a networkx Graph:
        nodes are person IRIs with `label`, `papers` and `hops` (0 for the person, 1 a coauthor, 2 a
        coauthor's coauthor); edges have `weight` (shared papers) and `lower_bound` (True when a shared
        paper's author list was cut, so there may be more). `max_people` cuts it as `kg graph
        --max-people` does: that many people, strongest links first."""
        import pyoxigraph as ox

        from kg import network, pictures

        if depth not in network.DEPTHS:
            raise KgError(f"depth must be {' or '.join(map(str, network.DEPTHS))}, not {depth!r}")
        person = ox.NamedNode(self.resolver.resolve(name))
        self._notes.clear()
        if max_people is not None and max_people < 1:
            raise KgError(f"max_people must be 1 or more, not {max_people!r}")
        drawn = network.ego_network(self.engine, person, depth=depth, max_people=max_people)
        graph = pictures.to_networkx(drawn)
        graph.graph["name"] = drawn.title
        return graph

    # --- the store's own files ------------------------------------------------------------------------

    def _local(self, what: str) -> KgStore:
        if self._kg_store is None:
            if isinstance(self.engine, _Closed):
                raise self.engine.error()
            raise NeedsLocalStore(
                f"{what} reads the store's files: open the store itself, not the endpoint {self.source}"
            )
        return self._kg_store

    def stats(self) -> dict[str, int]:
        """What `kg stats` counts: pages, listings, papers, people, orgs, triples asserted and inferred."""
        from kg.building import COUNTS_KEY, store_stats

        kg_store = self._local("stats")
        return store_stats(kg_store.store, kg_store.meta.extra.get(COUNTS_KEY, (0, 0)))

    def validate(self) -> ValidationOutcome:
        """The store checked against the SHACL shapes, as `kg validate`: `.conforms`, `.findings`,
        `.violations`; `kg.validate.report_lines(outcome)` gives the lines the CLI prints."""
        from kg import validate

        return validate.validate_store(self._local("validate"))

    def export(self, path_or_file: PathLike | IO, format: str = "turtle", *, inferred: bool = False) -> None:
        """Write the graph as `kg export` does (turtle, ntriples, jsonld, trig, nquads; with `inferred`,
        what inference added too) to a path, or to an open file (binary or text)."""
        from kg import export

        kg_store = self._local("export")
        if format not in export.FORMATS:
            raise KgError(f"unknown export format {format!r}; use one of {', '.join(export.FORMATS)}")
        if isinstance(path_or_file, (str, os.PathLike)):
            export.export(kg_store, format, inferred, os.fspath(path_or_file))
            return
        _export_to_file(kg_store, format, inferred, path_or_file)


def _export_to_file(kg_store: KgStore, fmt: str, inferred: bool, file: IO) -> None:
    import pyoxigraph as ox

    from kg import export

    kwargs: dict[str, Any] = {"format": export.FORMATS[fmt]}
    if fmt in ("turtle", "trig"):
        kwargs["prefixes"] = export.data_prefixes(kg_store.iris)
    statements = export.exported_statements(kg_store, fmt, inferred)
    if isinstance(file, io.TextIOBase):
        file.write(ox.serialize(statements, **kwargs).decode("utf-8"))
    else:
        ox.serialize(statements, file, **kwargs)


def _caller_level() -> int:
    """The stack level of the first frame outside kg, so that a warning points at the user's line."""
    import sys

    frame, level = sys._getframe(1), 1
    package = os.path.dirname(__file__)
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == package:
        frame, level = frame.f_back, level + 1
    return level


def canned_query(name: str) -> CannedQuery:
    """The canned query `name`; QueryNotFound with the close names (the CLI's message) otherwise."""
    import difflib

    from kg import queries

    catalogue = queries.Catalogue()
    canned = catalogue.get(name) if name else None
    if canned is None:
        if not name:
            raise QueryNotFound("name a query; kg query --list shows them")
        close = difflib.get_close_matches(name, catalogue.names(), n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; kg query --list shows them"
        raise QueryNotFound(f'no query named "{name}"{hint}')
    return canned


def query_names() -> list[str]:
    """The canned queries' names, as `kg query --list` lists them."""
    from kg import queries

    return queries.Catalogue().names()


class _Closed:
    """The engine of a closed Graph: any use says so."""

    def __init__(self, source: str):
        self.source = source

    def error(self) -> KgError:
        return KgError(f"the graph at {self.source} was closed: open it again with kg.open")

    def run(self, query: str, limit: int | None = None) -> Any:
        raise self.error()

    def stream(self, query: str, limit: int | None = None) -> Any:
        raise self.error()


__all__ = [
    "Graph",
    "KgNote",
    "NeedsLocalStore",
    "QueryNotFound",
    "Result",
    "build",
    "canned_query",
    "open",
    "query_names",
]
