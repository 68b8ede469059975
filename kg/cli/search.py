"""`kg search`: papers by the words of their titles."""

from __future__ import annotations

import json
import sys

import click

from kg.cli.group import cli
from kg.cli.options import LIMIT, format_option, note, records_text, store_option
from kg.errors import FINDINGS
from kg.present.render import TABLE_FORMATS


@cli.command("search")
@click.argument("text", nargs=-1, required=True)
@store_option
@click.option(
    "--limit",
    type=LIMIT,
    default=20,
    show_default=True,
    metavar="N",
    help="Show at most N papers.",
)
@format_option(TABLE_FORMATS)
def search_command(text, store_path, limit, fmt):
    """Find papers by the words of their titles, best matches first.

    Papers with more of the words come first, then those with rarer words, then the newest. Case and
    accents do not matter; a word ending in * matches every word it starts (graph*: graphs, ...).
    Each paper comes with its date, its authors as shown, and its page and line. Exit code 1 when no
    title has any of the words.

    Example: kg search mixture of experts --limit 5
    """
    import kg.api

    words = " ".join(text)
    with kg.api.open(store_path) as graph:
        hits = graph.search(words, limit=limit)
    if fmt == "json":
        click.echo(json.dumps([hit.to_json() for hit in hits], indent=2, ensure_ascii=False))
    elif hits or fmt != "table":
        click.echo(
            records_text([hit.row() for hit in hits], fmt, ["title", "date", "authors", "where"]),
            nl=False,
        )
    if not hits and limit != 0:
        note(f"no paper's title has any of the words of {words!r}")
        sys.exit(FINDINGS)
