"""`kg coi`: conflicts of interest by a written policy."""

from __future__ import annotations

import sys
from datetime import date

import click

from kg.cli.group import cli
from kg.cli.options import (
    GraphSource,
    as_of_option,
    format_option,
    graph_options,
    note,
    write_answer,
)
from kg.present import terminal
from kg.present.render import TABLE_FORMATS


@cli.command("coi")
@click.option(
    "--people",
    "people",
    multiple=True,
    required=True,
    metavar="NAME|@FILE|-",
    help="A person to check (repeat it); @FILE reads names from a file, one a line; - from stdin.",
)
@click.option(
    "--against",
    multiple=True,
    metavar="NAME|@FILE|-",
    help="Check each of --people against each of these (e.g. reviewers against authors), not among themselves.",
)
@click.option(
    "--years",
    type=click.IntRange(min=0),
    metavar="N",
    help="Count papers dated within N years before --as-of [default: any date].",
)
@as_of_option(
    "The end of the window, e.g. the submission deadline [default: today with --years, else no end]."
)
@click.option(
    "--same-org",
    is_flag=True,
    help="Also a conflict: papers of each in the window list the same organisation.",
)
@click.option(
    "--max-authors",
    type=click.IntRange(min=2),
    metavar="K",
    help="Ignore papers with more than K authors, shown or implied [default: no limit].",
)
@graph_options
@format_option(TABLE_FORMATS, help="Output format.")
def coi_command(
    people: tuple[str, ...],
    against: tuple[str, ...],
    years: int | None,
    as_of: date | None,
    same_org: bool,
    max_authors: int | None,
    source: GraphSource,
    fmt: str,
) -> None:
    """Check people for conflicts of interest: shared papers, or a shared organisation.

    Every pair among --people, or with --against each of --people with each of --against, that shares
    a paper (dated within --years of --as-of), or with --same-org has papers in that window listing
    the same organisation. Each row says why: the paper (title, date, page:line, how many authors;
    lower_bound when the list was cut, so there may be more) or the organisation (with a listing of
    each person's most recent paper naming it).

    A value of --people or --against is a name as printed (matched as in kg query), @FILE for a file
    of names (one a line; blank lines and # comments skipped), or - for stdin. A name that matches
    nobody or several people is reported on stderr (with the candidates) and the rest is checked.

    Exit code 0 when no pair conflicts and every name was found, 1 otherwise.

    Example: kg coi --people @reviewers.txt --against @authors.txt --years 3
    """
    from kg.features.name_lists import read_names

    if "-" in people and "-" in against:
        raise click.UsageError("standard input (-) can give only one of --people and --against")
    people_names = read_names(people, "--people", sys.stdin)
    against_names = read_names(against, "--against", sys.stdin) if against else None
    if against_names is None and len(set(people_names)) < 2:
        raise click.UsageError(
            "one person makes no pair to check: name two or more with --people, or add --against NAME"
        )
    with source.open() as graph:
        report = graph.coi(
            people_names, against_names, years=years, as_of=as_of, same_org=same_org, max_authors=max_authors
        )
    for unresolved in report.unresolved:
        click.echo(terminal.visible(unresolved.line()), err=True)
    write_answer(report, fmt)
    if fmt == "table":
        note(report.summary())
    sys.exit(report.exit_code)
