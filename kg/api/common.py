"""What the API's modules share: where the store is, the API's own errors and notes, and the checks made before a graph is opened."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from kg.errors import KgError

if TYPE_CHECKING:
    from types import FrameType

    from kg.features.name_lists import Name
    from kg.query.canned import CannedQuery


DEFAULT_STORE = "kg-store"


PathLike = str | os.PathLike[str]


class QueryNotFound(KgError):
    """No canned query of that name."""


class NeedsLocalStore(KgError):
    """What reads the store's own files (stats, validate, export) cannot run on an endpoint."""


class KgNote(UserWarning):
    """What kg took for granted, e.g. the person a partial name was taken as (the CLI's `kg: ...` lines)."""


def store_path(store: PathLike | None) -> str:
    """The store folder: as given, else KG_STORE, else ./kg-store (as the CLI)."""
    return os.fspath(store) if store is not None else os.environ.get("KG_STORE") or DEFAULT_STORE


def check_limit(limit: int | None) -> None:
    if limit is not None and not 0 <= limit <= 2**62:
        raise KgError(f"limit must be 0 to 2**62 (None: no limit), not {limit}")


def as_names(names: Iterable[str | Name]) -> list[Name]:
    from kg.features.name_lists import Name

    if isinstance(names, str):
        raise KgError("give a list of names, not one string")
    return [n if isinstance(n, Name) else Name(str(n)) for n in names]


def caller_level() -> int:
    """The stack level of the first frame outside kg, so that a warning points at the user's line."""
    import sys

    frame: FrameType | None = sys._getframe(1)
    level = 1
    package = os.path.dirname(__file__)
    while frame is not None and os.path.dirname(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def check_query(name: str | None, args: Sequence[object]) -> CannedQuery:
    """The canned query `name`, once its arguments are as many as it takes (ArgumentError otherwise):
    what can be told before any graph is opened."""
    from kg.query import canned as queries

    canned = canned_query(name)
    queries.check_argument_count(canned, [str(arg) for arg in args])
    return canned


def answer_within(engine: Any, timeout: float | None) -> None:
    """An endpoint's answers must come whole within `timeout` seconds, however they trickle."""
    endpoint = getattr(engine, "endpoint", None)
    if timeout is not None and endpoint is not None:
        endpoint.answer_within(timeout)


def check_sparql(text: str, allow_service: bool = True) -> str:
    """A query kg would refuse to run, refused before any graph is opened: an update (KgError), and
    unless `allow_service`, a query with SERVICE. The text to run: unless `allow_service`, the very
    text the SERVICE check read (kg.query.service_check)."""
    from kg.query import canned as queries
    from kg.query.limits import refuse_service
    from kg.query.sparql_text import form_error

    queries.refuse_updates(text)
    wrong = form_error(text)
    if wrong:
        raise queries.SparqlSyntaxError(f"SPARQL syntax error: {wrong}")
    return text if allow_service else refuse_service(text)


def canned_query(name: str | None) -> CannedQuery:
    """The canned query `name`; QueryNotFound with the close names (the CLI's message) otherwise, or
    when no name is given."""
    import difflib

    from kg.query import canned as queries

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
    from kg.query import canned as queries

    return queries.Catalogue().names()


class Closed:
    """The engine of a closed Graph: any use says so."""

    def __init__(self, source: str):
        self.source = source

    def error(self) -> KgError:
        return KgError(f"the graph at {self.source} was closed: open it again with kg.open")

    def run(self, query: str, limit: int | None = None) -> NoReturn:
        raise self.error()

    def stream(self, query: str, limit: int | None = None) -> NoReturn:
        raise self.error()
