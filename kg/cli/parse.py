"""`kg parse`: what kg reads from pages, without building."""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from kg.cli.group import cli
from kg.cli.options import as_of_option, format_option, write_answer
from kg.errors import FINDINGS


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@as_of_option()
@format_option(["table", "json"], help="json: one object per listing per line.")
def parse_command(paths: tuple[str, ...], as_of: date | None, fmt: str) -> None:
    """Show what kg reads from pages, without building.

    PATHS are page files, or folders searched for *.txt pages, read as one run (as kg build reads
    them). Every listing kg keeps is shown: title, authors, date, and the other reading where the split
    of a fused line was in doubt. Problems go to stderr as in kg build. Exit code 1 when any record was
    rejected.

    Example: kg parse pages/ --as-of 2026-11-24 --format json
    """
    from kg import api

    parsed = api.parse(paths, as_of)
    for diagnostic in parsed.diagnostics:
        click.echo(str(diagnostic), err=True)
    if fmt == "json":  # one listing a line, for line-oriented tools
        for record in parsed.to_json():
            click.echo(json.dumps(record, ensure_ascii=False))
    elif parsed.pages and any(page.listings for page in parsed.pages):
        write_answer(parsed, "table")
    if parsed.rejected:
        sys.exit(FINDINGS)
