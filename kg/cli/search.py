"""`kg search`: papers by the words of their titles."""

from __future__ import annotations

import sys

import click

from kg.cli.group import cli
from kg.cli.options import LIMIT, format_option, note, store_option, write_answer
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
def search_command(text: tuple[str, ...], store_path: str, limit: int, fmt: str) -> None:
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
    if hits or fmt != "table":
        write_answer(hits, fmt)
    if not hits and limit != 0:
        note(f"no paper's title has any of the words of {words!r}")
        sys.exit(FINDINGS)
