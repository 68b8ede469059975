"""`kg sparql`: any read-only SPARQL query, in the format its form fits."""

from __future__ import annotations

import sys

import click

from kg.cli.group import cli
from kg.cli.options import (
    ENDPOINT_HELP,
    LIMIT,
    LIMIT_HELP,
    allow_service_option,
    endpoint_options,
    format_option,
    note,
    open_graph,
    store_option,
    timeout_option,
)
from kg.errors import KgError
from kg.present.render import GRAPH_FORMATS, RESULT_FORMATS


@cli.command("sparql")
@click.argument("query", metavar="QUERY|@FILE|-")
@store_option
@click.option("--endpoint", metavar="URL", help=ENDPOINT_HELP)
@endpoint_options
@click.option("--limit", type=LIMIT, metavar="N", help=LIMIT_HELP)
@format_option(
    RESULT_FORMATS + GRAPH_FORMATS,
    default=None,
    help="SELECT/ASK: table (default), csv, tsv, json, xml. CONSTRUCT/DESCRIBE: turtle (default), ntriples, jsonld, rdfxml.",
)
@timeout_option
@allow_service_option(
    "Run SERVICE clauses, which fetch from the addresses the query names (refused by default)."
)
def sparql_command(
    query: str,
    store_path: str,
    endpoint: str | None,
    user: str | None,
    password_env: str,
    graphs: tuple[str, ...],
    limit: int | None,
    fmt: str | None,
    timeout: float | None,
    allow_service: bool,
) -> None:
    """Run a read-only SPARQL query over the whole graph.

    QUERY is the query text, @FILE, or - for stdin.

    All named graphs are queried as one default graph. Updates are refused, and so is SERVICE
    unless --allow-service is given.

    Example: kg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    from kg import api
    from kg.present import terminal
    from kg.query.sparql_text import query_form

    text = _sparql_text(query)
    api.check_sparql(text, allow_service)  # refused before the graph is opened
    fmt = _sparql_format(query_form(text), fmt)
    with open_graph(store_path, endpoint, None, user, password_env, graphs) as graph:
        graph.write_sparql(
            text,
            format=fmt,
            limit=limit,
            timeout=timeout,
            allow_service=allow_service,
            width=terminal.terminal_width(),
            note=note,
        )


def _sparql_text(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        try:
            with open(argument[1:], encoding="utf-8") as f:
                return f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise KgError(
                f"cannot read the query file {argument[1:]}: {getattr(e, 'strerror', None) or e}"
            ) from None
    return argument


def _sparql_format(form: str, fmt: str | None) -> str:
    """The format asked for, or the default for the query form; a usage error when they do not fit."""
    makes_graph = form in ("CONSTRUCT", "DESCRIBE")
    fitting = GRAPH_FORMATS if makes_graph else RESULT_FORMATS
    if fmt is None:
        return fitting[0]
    if fmt not in fitting:
        kind = "CONSTRUCT/DESCRIBE" if makes_graph else "SELECT/ASK"
        raise click.UsageError(f"--format {fmt} is not for {form or kind} queries; use {', '.join(fitting)}")
    return fmt
