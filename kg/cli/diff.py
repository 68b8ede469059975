"""`kg diff`: what changed between two generations."""

from __future__ import annotations

import json

import click

from kg.cli.group import cli
from kg.cli.options import format_option, records_text, store_option, write_answer
from kg.present import terminal


@cli.command("diff")
@store_option
@click.option(
    "--since",
    metavar="GENERATION",
    help="Compare with this generation (gen-000003, or 3) [default: the one before the live one].",
)
@click.option("--list", "show_list", is_flag=True, help="List the generations kept, to compare with.")
@format_option(["table", "json"])
def diff_command(store_path: str, since: str | None, show_list: bool, fmt: str) -> None:
    """Show what changed between the live graph and the one before it.

    Papers added and removed, changed dates and author lists, people who appeared or disappeared,
    and coauthor pairs gained or lost, each with the page and line that show it. kg build --keep N
    sets how many generations are kept to compare with.

    Example: kg diff --since gen-000002 --format json
    """
    import kg.api

    with kg.api.open(store_path) as graph:
        if show_list:
            rows = graph.generations()
            if fmt == "json":
                click.echo(json.dumps(rows, indent=2))
            else:
                click.echo(records_text(rows, "table"), nl=False)
            return
        changes = graph.diff(since)
    if fmt == "json":
        write_answer(changes, fmt)
        return
    before, after = changes.before.get("generation", ""), changes.after.get("generation", "")
    if not len(changes):
        click.echo(f"no changes from {before} to {after}")
        return
    click.echo(f"from {before} to {after}: {terminal.counted(len(changes), 'change')}")
    write_answer(changes, fmt)
