"""The canned queries (queries/*.rq): reading them, binding their parameters, running them.

A canned query is one SPARQL 1.1 file; its name is the file name without `.rq`. Adding a query means
adding a file. The file starts with comment lines that describe it:

    # The people who share a paper with PERSON, most shared papers first.
    # @param person person: the researcher whose coauthors to list
    # @param other person: ...

- The first comment line is the help line: what the query returns, in one line.
- Each `# @param NAME KIND: MEANING` line declares a parameter, in the order the user gives them on
  the command line. NAME is a SPARQL variable name (letters, digits, `_`). KIND is one of
    person   a name the user types, resolved to a person IRI (kg.people)
    people   one or more names, each resolved to a person IRI; variadic, so only as the last parameter
    integer  an integer literal
    text     a string literal
- A `# @ranked NAME: MEANING` line says the rows come in the order of ?NAME, a dense place from 1 that
  the build keeps (kg.derive.ranks: a block's place, each block holding some rows in order): kg then
  reads them a page of places at a time (`VALUES ?NAME { 1 2 ... }` at the `# @values NAME` marker),
  one place first, then twice as many each time, so the first rows cost a few index look-ups and
  `--limit N` reads about N rows, whatever the size of the graph. The query must order by ?NAME first.
- Further comment lines in the header are free text.

In the query body, a line holding only `# @values NAME` (or `# @values NAME ?var`) marks where the
parameter's values go: binding replaces that line with `VALUES ?NAME { ... }` (or `VALUES ?var {...}`).
Every parameter needs at least one marker; a marker may appear more than once (e.g. inside a subquery,
to restrict it, or twice with different variables to pair up people). The markers are comments, so an
unbound .rq file is still a valid query (over everybody).

Binding is a text transformation of validated pyoxigraph terms (`bind_values`), never pasting user
text into the query: the bound query text can be sent unchanged to any SPARQL endpoint.

Queries run behind `Engine`: `LocalEngine` runs them on the on-disk store, over the union of all named
graphs. A remote endpoint is another class with the same `run` method.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.errors import INTERNAL, KgError
from kg.model.terms import VALUES_MARKER, BoundTerm, bind_values
from kg.query.answers import Answer, RowStream, Solutions, Streamed, Term, Triples, TripleStream
from kg.query.sparql_text import UPDATE_KEYWORDS, query_form, syntax_message
from kg.system.resources import queries_dir

KINDS = ("person", "people", "integer", "text")
PERSON_KINDS = ("person", "people")

_PARAM = re.compile(r"#\s*@param\s+(?P<name>[A-Za-z_]\w*)\s+(?P<kind>\w+)\s*:\s*(?P<meaning>.*\S)\s*$")
_RANKED = re.compile(r"#\s*@ranked\s+(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<meaning>.*\S)\s*$")


class QueryFileError(KgError):
    """A .rq file that does not follow the format above: a bug in that file."""

    exit_code = INTERNAL


class ArgumentError(KgError):
    """Arguments that do not fit a query's parameters (the CLI turns this into a usage error)."""


class SparqlSyntaxError(KgError):
    """The SPARQL text does not parse."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    meaning: str

    @property
    def metavar(self) -> str:
        return self.name.upper() + ("..." if self.kind == "people" else "")


@dataclass(frozen=True)
class CannedQuery:
    name: str
    help: str
    params: tuple[Param, ...]
    text: str
    path: Path | None = None
    ranked: str | None = None  # the variable of its dense rank (`# @ranked`), read a page at a time

    @property
    def usage(self) -> str:
        return " ".join([self.name, *(p.metavar for p in self.params)])

    @property
    def variadic(self) -> bool:
        return bool(self.params) and self.params[-1].kind == "people"


# --- reading .rq files ---------------------------------------------------------------------------


def parse_query_file(name: str, text: str, path: Path | None = None) -> CannedQuery:
    """A canned query from its text; QueryFileError says what is wrong with the header or markers."""
    where = str(path or name)
    header = _header_lines(text)
    if not header or header[0].startswith("@"):
        raise QueryFileError(f"{where}: the first line must be a comment saying what the query returns")
    params = tuple(_parse_param(line, where) for line in header if line.startswith("@param"))
    ranked = _parse_ranked([line for line in header if line.startswith("@ranked")], where)
    _check_params(params, text, where, ranked)
    return CannedQuery(name=name, help=header[0], params=params, text=text, path=path, ranked=ranked)


def _parse_ranked(lines: list[str], where: str) -> str | None:
    if not lines:
        return None
    match = _RANKED.match("#" + lines[0])
    if len(lines) > 1 or not match:
        raise QueryFileError(f"{where}: write one '# @ranked NAME: meaning' line")
    return match["name"]


def _header_lines(text: str) -> list[str]:
    """The comment lines at the top, without their `#`."""
    lines = []
    for line in text.lstrip("\ufeff").splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return [line for line in lines if line]


def _parse_param(line: str, where: str) -> Param:
    match = _PARAM.match("#" + line)
    if not match:
        raise QueryFileError(f"{where}: cannot read {line!r}; write '# @param NAME KIND: meaning'")
    if match["kind"] not in KINDS:
        raise QueryFileError(
            f"{where}: parameter {match['name']} has kind {match['kind']!r}; kinds are {', '.join(KINDS)}"
        )
    return Param(match["name"], match["kind"], match["meaning"])


def _check_params(params: Sequence[Param], text: str, where: str, ranked: str | None = None) -> None:
    names = [p.name for p in params] + ([ranked] if ranked else [])
    if len(set(names)) != len(names):
        raise QueryFileError(f"{where}: a parameter is declared twice")
    if any(p.kind == "people" for p in params[:-1]):
        raise QueryFileError(f"{where}: a 'people' parameter takes the remaining names, so it must come last")
    marked = {m["name"] for m in VALUES_MARKER.finditer(text)}
    undeclared = sorted(marked - set(names))
    if undeclared:
        raise QueryFileError(f"{where}: '# @values {undeclared[0]}' names no declared parameter")
    unplaced = [name for name in names if name not in marked]
    if unplaced:
        raise QueryFileError(
            f"{where}: parameter {unplaced[0]} has no '# @values {unplaced[0]}' line to say where it goes"
        )


class Catalogue:
    """The canned queries in a folder (by default kg's queries/)."""

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder is not None else queries_dir()

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.rq"))

    def get(self, name: str) -> CannedQuery | None:
        """The query called `name`, or None. Only plain file names: `../x` names nothing."""
        if not re.fullmatch(r"[\w-][\w.-]*", name):
            return None
        path = self.folder / f"{name}.rq"
        return parse_query_file(name, path.read_text(encoding="utf-8"), path) if path.is_file() else None

    def all(self) -> list[CannedQuery]:
        return [q for q in (self.get(n) for n in self.names()) if q is not None]


# --- binding -------------------------------------------------------------------------------------


def parse_arguments(
    query: CannedQuery,
    args: Sequence[str],
    resolve_person: Callable[[str], ox.NamedNode],
) -> dict[str, list[BoundTerm]]:
    """The user's arguments as terms per parameter. ArgumentError for a wrong count or a bad integer."""
    check_argument_count(query, args)
    values: dict[str, list[BoundTerm]] = {}
    for i, param in enumerate(query.params):
        given = args[i:] if param.kind == "people" else [args[i]]
        values[param.name] = _dedupe([_term(param, arg, resolve_person) for arg in given])
    return values


def check_argument_count(query: CannedQuery, args: Sequence[str]) -> None:
    fixed = len(query.params) - (1 if query.variadic else 0)
    if len(args) == len(query.params) or (query.variadic and len(args) > fixed):
        return
    expected = " ".join(p.metavar for p in query.params) or "no arguments"
    wanted = (
        f"at least {fixed + 1} argument{'s' if fixed else ''}"
        if query.variadic
        else f"{len(query.params)} argument{'' if len(query.params) == 1 else 's'}"
    )
    meanings = "; ".join(f"{p.metavar}: {p.meaning}" for p in query.params)
    raise ArgumentError(
        f"{query.name} takes {wanted} ({expected}), got {len(args)}" + (f". {meanings}" if meanings else "")
    )


def _term(param: Param, arg: str, resolve_person: Callable[[str], ox.NamedNode]) -> BoundTerm:
    if param.kind in PERSON_KINDS:
        return resolve_person(arg)
    if param.kind == "integer":
        try:
            return ox.Literal(int(arg.strip()))
        except ValueError:
            raise ArgumentError(f"{param.metavar} must be an integer, not {arg!r}") from None
    return ox.Literal(arg)


def _dedupe(terms: list[BoundTerm]) -> list[BoundTerm]:
    return list(dict.fromkeys(terms))


# --- running -------------------------------------------------------------------------------------


class Engine(Protocol):
    """Something that runs read-only SPARQL over the whole graph (all named graphs as one)."""

    def run(self, query: str, limit: int | None = None) -> Answer:
        """Solutions for SELECT, bool for ASK, Triples for CONSTRUCT/DESCRIBE; at most `limit` rows/triples."""
        ...

    def stream(self, query: str, limit: int | None = None) -> Streamed:
        """The same answer as it comes (kg.streaming): rows or triples read lazily; `limit` says how
        many rows are wanted, for an engine that must know it."""
        ...


class LocalEngine:
    """Queries on a pyoxigraph Store (the on-disk store, opened read-only)."""

    def __init__(self, store: ox.Store):
        self.store = store

    def run(self, query: str, limit: int | None = None) -> Answer:
        try:
            result = self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as e:
            raise SparqlSyntaxError(syntax_message(str(e), query)) from None
        except OSError as e:  # reading the store failed, or a SERVICE call did
            raise KgError(f"the query failed: {e}") from None
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QueryTriples):
            return Triples(list(itertools.islice(result, limit)))
        names = [v.value for v in result.variables]
        rows = [tuple(solution[name] for name in names) for solution in itertools.islice(result, limit)]
        return Solutions(names, rows)

    def stream(self, query: str, limit: int | None = None) -> Streamed:
        """The answer as the store finds it (kg.streaming): rows or triples read one by one (`limit`,
        the rows wanted, changes nothing here)."""
        try:
            result = self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as e:
            raise SparqlSyntaxError(syntax_message(str(e), query)) from None
        except OSError as e:
            raise KgError(f"the query failed: {e}") from None
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QueryTriples):
            return TripleStream(iter(result))
        names = [v.value for v in result.variables]
        return RowStream(names, (tuple(solution[name] for name in names) for solution in result))


def select(engine: Engine, query: str) -> Solutions:
    """The solutions of one of kg's own SELECT queries."""
    result = engine.run(query)
    if not isinstance(result, Solutions):  # only an engine that misreads the query answers otherwise
        raise KgError(f"a SELECT query was answered with {type(result).__name__}, not solutions")
    return result


def run_canned(
    engine: Engine,
    query: CannedQuery,
    args: Sequence[str],
    resolve_person: Callable[[str], ox.NamedNode],
    limit: int | None = None,
) -> Answer:
    """Resolve the arguments, bind them, run the query."""
    values = parse_arguments(query, args, resolve_person)
    return run_bound(engine, query, values, limit)


RANK_PAGE = 64  # the most places read by one query (a block holds about 64 rows: kg.derive.ranks)


def run_bound(
    engine: Engine, query: CannedQuery, values: Mapping[str, Sequence[BoundTerm]], limit: int | None = None
) -> Answer:
    """Run a canned query with its parameters bound; a ranked one a page of places at a time (one, then
    twice as many each time up to RANK_PAGE), stopping at `limit` rows or at the first page with none
    (places are dense from 1, each with a row)."""
    if query.ranked is None:
        return engine.run(bind_values(query.text, values), limit=limit)
    rows: list[tuple[Term | None, ...]] = []
    first, size = 1, 1
    while True:
        ranks = [ox.Literal(rank) for rank in range(first, first + size)]
        page = engine.run(bind_values(query.text, {**values, query.ranked: ranks}))
        if not isinstance(page, Solutions):
            raise KgError(f"{query.name} is ranked, so it must be a SELECT", exit_code=INTERNAL)
        rows.extend(page.rows)
        first, size = first + size, min(2 * size, RANK_PAGE)
        if not page.rows or (limit is not None and len(rows) >= limit):
            return Solutions(page.vars, rows if limit is None else rows[:limit])


# --- ad-hoc SPARQL -------------------------------------------------------------------------------


def refuse_updates(text: str) -> None:
    """A SPARQL update is refused: `kg sparql` only reads the graph."""
    form = query_form(text)
    if form in UPDATE_KEYWORDS:
        raise KgError(
            f"refusing a SPARQL update ({form}): kg sparql only reads; the graph changes only through kg build"
        )
