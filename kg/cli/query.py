"""`kg query`: the canned queries, with `--list` and `--why`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from kg.cli.group import cli
from kg.cli.options import (
    LIMIT,
    LIMIT_HELP,
    GraphSource,
    format_option,
    graph_options,
    note,
    timeout_option,
    usage_errors,
)
from kg.present.render import RESULT_FORMATS

if TYPE_CHECKING:
    from kg.query.canned import CannedQuery


@cli.command("query")
@click.argument("name", required=False)
@click.argument("args", nargs=-1)
@click.option(
    "--list", "show_list", is_flag=True, help="List the canned queries, what they return and their arguments."
)
@graph_options
@click.option("--limit", type=LIMIT, metavar="N", help=LIMIT_HELP)
@format_option(RESULT_FORMATS, help="Output format.")
@click.option(
    "--why",
    is_flag=True,
    help="Follow each row with the pages and lines that support it (csv, tsv, json, xml: a why column).",
)
@timeout_option
def query_command(
    name: str | None,
    args: tuple[str, ...],
    show_list: bool,
    source: GraphSource,
    limit: int | None,
    fmt: str,
    why: bool,
    timeout: float | None,
) -> None:
    """Run the canned query NAME with its arguments.

    People are named as printed; case, accents and extra spaces do not matter, and a unique part of
    a name will do. `kg query --list` shows the queries (one file each in queries/).

    Example: kg query coauthors-of "Suyog Gupta"
    """
    from kg import api
    from kg.present import terminal
    from kg.present.why_table import write_why
    from kg.query import canned as queries

    if show_list:
        click.echo(_query_list(queries.Catalogue().all(), terminal.terminal_width()), nl=False)
        return
    with usage_errors():
        api.check_query(name, args)  # a wrong name or count is told before the graph is opened
    assert name is not None, "check_query refuses a missing name"
    with source.open() as graph, usage_errors():
        if why:  # under each row of a table; a `why` column in the other formats
            write_why(graph, name, args, fmt, limit=limit, width=terminal.terminal_width(), note=note)
        else:  # written as it comes
            graph.write_query(
                name,
                *args,
                format=fmt,
                limit=limit,
                width=terminal.terminal_width(),
                note=note,
                timeout=timeout,
            )


_KIND_TEXT = {"person": "a name", "people": "one or more names", "integer": "an integer", "text": "text"}


def _query_list(canned_queries: Iterable[CannedQuery], width: int | None = None) -> str:
    """Each query's usage, what it answers and its parameters, wrapped to `width` (None: not wrapped)."""
    import textwrap

    def wrapped(text: str, indent: str, more: str) -> list[str]:
        if width is None:
            return [indent + text]
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=more) or [indent]

    lines = []
    for canned in canned_queries:
        lines += wrapped(canned.usage, "", "    ") + wrapped(canned.help, "    ", "    ")
        for p in canned.params:
            lines += wrapped(f"{p.metavar}  {p.meaning} ({_KIND_TEXT[p.kind]})", "    ", " " * 8)
        lines.append("")
    return "\n".join(lines)
