"""`kg build`: pages into the store, then this build's figures and the store's."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import click

from kg.api.building import DEFAULT_KEEP
from kg.cli.group import cli
from kg.cli.options import (
    as_of_option,
    format_option,
    note,
    progress_bar,
    records_text,
    store_option,
)
from kg.errors import CANNOT_RUN, FINDINGS
from kg.present import terminal


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@as_of_option()
@click.option(
    "--base",
    envvar="KG_BASE",
    metavar="IRI",
    help="Base IRI of the data [env KG_BASE; default https://kg.example.org/id/].",
)
@click.option("--fresh", is_flag=True, help="Start from an empty graph instead of updating the store.")
@format_option(["table", "json"], help="Form of the summary.")
@click.option("-q", "--quiet", is_flag=True, help="Show no progress bar.")
@click.option(
    "--keep",
    envvar="KG_KEEP",
    type=click.IntRange(min=1),
    default=DEFAULT_KEEP,
    show_default=True,
    metavar="N",
    help="Generations kept for kg diff, this one included (their summaries; older ones are removed) "
    "[env KG_KEEP].",
)
@click.option(
    "--curation",
    "curation_file",
    envvar="KG_CURATION",
    metavar="FILE",
    help="Curated identities: [[same]] and [[distinct]] rules [env KG_CURATION; default ./kg-curation.toml if there is one].",
)
def build(
    paths: tuple[str, ...],
    store_path: str,
    as_of: date | None,
    base: str | None,
    fresh: bool,
    fmt: str,
    quiet: bool,
    keep: int,
    curation_file: str | None,
) -> None:
    """Build or update the graph from profile pages.

    PATHS are page files, or folders searched for *.txt pages. Problems in the pages are reported as FILE:LINE: SEVERITY: MESSAGE on stderr; everything valid is
    stored. The build ends with a summary: this build's figures, then the store's. Unchanged files
    are not read again; a build that changes nothing makes no generation. Exit code 1 when any
    record was rejected, 2 when PATHS hold no page (nothing is replaced).

    Example: kg build pages/ --as-of 2026-11-24
    """
    from kg import api
    from kg.building.pagefiles import NothingToBuild
    from kg.model import curation

    try:
        with progress_bar(quiet) as progress:
            report = api.build(
                paths,
                store_path,
                as_of=as_of,
                base=base,
                fresh=fresh,
                progress=progress or False,
                keep=keep,
                curation=curation_file,
            )
    except curation.CurationError as e:  # FILE:LINE: error: ... as a page's problems are shown
        if not e.located:
            raise
        click.echo(terminal.visible(e.message), err=True)
        sys.exit(CANNOT_RUN)
    except NothingToBuild as e:  # what was said of the files first, then why nothing was built
        for diagnostic in e.diagnostics:
            click.echo(terminal.visible(str(diagnostic)), err=True)
        raise
    for diagnostic in report.diagnostics:
        click.echo(terminal.visible(str(diagnostic)), err=True)
    summary = report.summary()
    if fmt == "json":
        summary["seconds"] = report.seconds()
        click.echo(json.dumps(summary, indent=2))
    else:
        echo_build_summary(summary)
    if not report.new_generation:
        note(f"nothing changed: {report.generation} stays live, and no generation was made")
    if report.rejected:
        sys.exit(FINDINGS)


def echo_build_summary(summary: dict[str, Any]) -> None:  # as BuildReport.summary() gives it
    """Two tables: what this build read, then the store as it left it."""
    store = summary["store"]
    this = [
        ("pages given", summary["pages"]),
        ("pages written", summary["pages_written"]),
        ("pages unchanged", summary["pages_unchanged"]),
        ("pages parsed", summary["pages_parsed"]),
        ("listings", summary["listings"]),
        ("warnings", summary["warnings"]),
        ("rejected", summary["rejected"]),
    ]
    click.echo(_two_columns(this, "this build"), nl=False)
    click.echo()
    heading = f"the store ({summary['generation']})"
    click.echo(_two_columns([(k.replace("_", " "), v) for k, v in store.items()], heading), nl=False)


def _two_columns(pairs: list[tuple[str, int]], heading: str) -> str:
    return records_text([{heading: name, "count": count} for name, count in pairs], "table")
