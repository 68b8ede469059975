"""What the commands share: the options they take alike, opening the graph they read, and writing plain rows."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kg.errors import KgError
from kg.present import render, terminal

if TYPE_CHECKING:
    from kg.api import Graph
    from kg.present.tabular import Tabular
    from kg.query.answers import Record
    from kg.system.progress import Progress

# A command function, or a command: what a click decorator takes and gives back.
F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")

STORE_HELP = "Store folder [env KG_STORE; default ./kg-store]."
ENDPOINT_HELP = "Query this SPARQL endpoint (e.g. http://localhost:7878/query) instead of the store."


def store_option(f: F) -> F:
    return click.option(
        "--store",
        "store_path",
        envvar="KG_STORE",
        default="kg-store",
        show_default=False,
        type=click.Path(file_okay=False),
        help=STORE_HELP,
    )(f)


def endpoint_options(command: F) -> F:
    """--user, --password-env and --graph: how kg reads a remote endpoint (see kg.remote)."""
    command = click.option(
        "--graph",
        "graphs",
        multiple=True,
        envvar="KG_GRAPHS",
        metavar="IRI",
        help="With --endpoint: read these graphs as the default graph (repeat it; `kg` = every graph under BASE graph/ there) "
        "instead of the endpoint's own default graph [env KG_GRAPHS, space-separated].",
    )(command)
    command = password_env_option(
        "KG_ENDPOINT_PASSWORD",
        "With --user: environment variable holding the password; it is never taken from the command line.",
    )(command)
    return click.option(
        "--user",
        envvar="KG_ENDPOINT_USER",
        metavar="NAME",
        help="With --endpoint: user for HTTP auth (Basic or Digest) [env KG_ENDPOINT_USER].",
    )(command)


@dataclass(frozen=True)
class GraphSource:
    """Where a reading command reads the graph: the store, or a SPARQL endpoint with its options."""

    store_path: str
    endpoint: str | None = None
    base: str | None = None
    user: str | None = None
    password_env: str = "KG_ENDPOINT_PASSWORD"
    graphs: tuple[str, ...] = ()

    def open(self) -> Graph:
        return open_graph(
            self.store_path, self.endpoint, self.base, self.user, self.password_env, self.graphs
        )


def graph_options(command: Callable[..., R]) -> Callable[..., R]:
    """--store, or --endpoint with --base, --user, --password-env and --graph; the command is given them
    as one `source` (a GraphSource)."""

    @functools.wraps(command)
    def with_source(**options: Any) -> R:
        source = GraphSource(**{name: options.pop(name) for name in GraphSource.__dataclass_fields__})
        return command(source=source, **options)

    with_source = endpoint_options(with_source)
    with_source = click.option(
        "--base",
        envvar="KG_BASE",
        metavar="IRI",
        help="With --endpoint: base IRI of the data there [env KG_BASE; default https://kg.example.org/id/].",
    )(with_source)
    with_source = click.option("--endpoint", metavar="URL", help=ENDPOINT_HELP)(with_source)
    return store_option(with_source)


def wrapped(line: str, width: int | None) -> list[str]:
    """A long line on a terminal of `width` columns: wrapped, the rest indented (None: as it is)."""
    import textwrap

    if width is None or len(line) <= width:
        return [line]
    return textwrap.wrap(line, width, subsequent_indent="    ", break_on_hyphens=False) or [line]


AS_OF_HELP = "When the pages were scraped: year-less dates take its year [default: today]."


def as_of_option(help: str = AS_OF_HELP) -> Callable[[F], F]:
    """--as-of DATE, read as an ISO date."""
    return click.option("--as-of", callback=parse_date, metavar="DATE", help=help)


def format_option(
    choices: Sequence[str], default: str | None = "table", help: str = "Output format."
) -> Callable[[F], F]:
    """The one --format of a command: what it prints, as `fmt`."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=default is not None,
        help=help,
    )


def password_env_option(default: str, help: str) -> Callable[[F], F]:
    """--password-env VAR: the password is read from the environment, never from the command line."""
    return click.option("--password-env", default=default, show_default=True, metavar="VAR", help=help)


def allow_service_option(help: str) -> Callable[[F], F]:
    return click.option("--allow-service", is_flag=True, help=help)


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-24") from None


def write_answer(answer: Tabular, fmt: str) -> None:
    """A feature's answer on stdout in `fmt`, the one way every command writes one."""
    from kg.present.tabular import format_tabular

    click.echo(format_tabular(answer, fmt, width=terminal.terminal_width()), nl=False)


def echo_summary(summary: Mapping[str, int], fmt: str, heading: str) -> None:
    """A summary as a two-column table, or as one JSON object for scripts."""
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
    else:
        rows = [{heading: k.replace("_", " "), "count": v} for k, v in summary.items()]
        click.echo(records_text(rows, "table"), nl=False)


def records_text(rows: Sequence[Record], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Rows of plain values in a table format; a table fits the terminal (terminal.terminal_width)."""
    return render.format_records(
        rows, fmt, columns, width=terminal.terminal_width() if fmt == "table" else None
    )


@contextmanager
def progress_bar(quiet: bool) -> Iterator[Progress | None]:
    """The build's progress bar on stderr, on a terminal only (None: no bar)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from kg.present.progress_bar import progress_bar as bar

    with bar(sys.stderr) as advance:
        yield advance


# --timeout, as kg query and kg sparql take it: one definition
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop the query after this long (exit 2) [default: no limit; 600 s for an endpoint's answer].",
)


LIMIT_HELP = "Show at most N rows (or triples)."
# A --limit past what any answer holds means no limit (the engines take nothing bigger than this).
LIMIT = click.IntRange(min=0, max=2**62, clamp=True)


def _refuse_endpoint_options_without_endpoint(endpoint: str | None) -> None:
    """--graph/--user/--password-env typed without --endpoint would be ignored: say so instead (from the
    environment they are fine: KG_GRAPHS may be set for remote use while querying the local store)."""
    if endpoint:
        return
    ctx = click.get_current_context()
    typed = [
        f"--{name.replace('_', '-')}"
        for name in ("graphs", "user", "password_env")
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
    ]
    if typed:
        raise click.UsageError(
            f"{' and '.join(typed).replace('--graphs', '--graph')} only apply with --endpoint; the local store always reads all its graphs"
        )


def password_from_env(user: str | None, password_env: str) -> str | None:
    """The password for `user` from the environment variable `password_env` (never from argv)."""
    if not user:
        return os.environ.get(password_env) or None  # for a URL that names the user only
    password = os.environ.get(password_env)
    if not password:
        raise KgError(
            f"--user {user} needs the password in the environment variable {password_env} (it is never given on the command line)"
        )
    return password


def note(message: str) -> None:
    click.echo(terminal.visible(f"kg: {message}"), err=True)


@contextmanager
def usage_errors() -> Iterator[None]:
    """A canned query's name or arguments that do not fit: a usage error (exit 2, with the usage)."""
    from kg.api import QueryNotFound
    from kg.query.canned import ArgumentError

    try:
        yield
    except (QueryNotFound, ArgumentError) as e:
        raise click.UsageError(e.message) from None


def open_graph(
    store_path: str,
    endpoint: str | None,
    base: str | None = None,
    user: str | None = None,
    password_env: str = "KG_ENDPOINT_PASSWORD",
    graphs: tuple[str, ...] = (),
) -> Graph:
    """The graph a reading command reads: the store, or with --endpoint a SPARQL endpoint (kg.open)."""
    from kg import api

    _refuse_endpoint_options_without_endpoint(endpoint)
    if not endpoint:
        return api.open(store_path, note=note)
    password = password_from_env(user, password_env)
    return api.open(
        endpoint=endpoint, base=base, user=user, password=password, graphs=list(graphs), note=note
    )
