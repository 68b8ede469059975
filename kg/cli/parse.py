"""`kg parse`: what kg reads from pages, without building."""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from kg.cli.group import cli
from kg.cli.options import as_of_option, format_option, records_text
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
    from kg.building.builder import find_pages
    from kg.reading.parse import listing_json, listing_row, parse_files

    parsed = parse_files(find_pages(paths), as_of or date.today())
    listings = [listing for page in parsed for listing in page.listings]
    for page in parsed:
        for diagnostic in page.diagnostics:
            click.echo(str(diagnostic), err=True)
    if fmt == "json":
        for listing in listings:
            click.echo(json.dumps(listing_json(listing), ensure_ascii=False))
    elif listings:
        click.echo(records_text([listing_row(listing) for listing in listings], "table"), nl=False)
    if any(page.errors for page in parsed):
        sys.exit(FINDINGS)
