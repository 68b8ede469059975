"""`kg people`: the people, their names, the evidence that joined them, and suggestions for curation."""

from __future__ import annotations

import click

from kg.cli.group import cli
from kg.cli.options import LIMIT, GraphSource, format_option, graph_options, write_answer
from kg.errors import FINDINGS, KgError
from kg.present.render import TABLE_FORMATS


@cli.command("people")
@click.argument("pattern", required=False)
@click.option(
    "--ambiguous",
    is_flag=True,
    help="Suggest names that hide several people and names that are one person, as a curation file.",
)
@click.option(
    "--min-papers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    metavar="N",
    help="--ambiguous: split a name only when two of its groups hold N papers or more each.",
)
@click.option(
    "--evidence",
    is_flag=True,
    help="Under each person, why the build took their names as one person, and the names it kept apart.",
)
@click.option("--limit", type=LIMIT, metavar="N", help="Show at most N people (or suggestions).")
@graph_options
@format_option(
    [*TABLE_FORMATS, "toml"],
    default=None,
    help="The people: table (default), csv, tsv, json. --ambiguous: toml (default), json.",
)
def people_command(
    pattern: str | None,
    ambiguous: bool,
    min_papers: int,
    evidence: bool,
    limit: int | None,
    source: GraphSource,
    fmt: str | None,
) -> None:
    """List the people in the graph, with their papers and the names they are printed as.

    PATTERN keeps the people whose name holds each of its words (case and accents aside). With
    --ambiguous, suggestions for the curation file (kg-curation.toml), each with its evidence: a name
    whose coauthors fall into groups that never meet, or whose organisations do ([[distinct]]), and
    two names that fit each other and share coauthors ([[same]]); then, as comments, the names the
    build kept apart for want of evidence. With --evidence, under each person, the evidence the build
    joined their printings by and the names it kept apart. Exit code 1 when PATTERN matches nobody.

    Example: kg people --ambiguous > suggestions.toml
    """
    from kg.features import people as directory

    fmt = fmt or ("toml" if ambiguous else "table")
    if (fmt == "toml") != ambiguous and not (ambiguous and fmt == "json"):
        wanted = "toml or json" if ambiguous else "table, csv, tsv or json"
        raise click.UsageError(
            f"--format {fmt} does not fit{' --ambiguous' if ambiguous else ' a list of people'}: use {wanted}"
        )
    with source.open() as graph:
        if ambiguous:
            found = graph.identity_suggestions(pattern, min_papers=min_papers)[:limit]
            click.echo(directory.toml(found) if fmt == "toml" else directory.as_json(found), nl=False)
            apart = graph.kept_apart() if fmt == "toml" and pattern is None else ""
            if apart:
                click.echo("\n" + apart, nl=False)
            return
        if evidence:
            for person, explained in graph.identity_evidence(pattern)[:limit]:
                click.echo(f"{person.name}  <{person.iri}>  printed: {'; '.join(person.names)}")
                for line in explained.lines() or ["one printing, no join needed"]:
                    click.echo(f"  {line}")
            return
        people = graph.people_with_papers(pattern).first(limit)
    if pattern is not None and not people:
        raise KgError(f'no person\'s name holds every word of "{pattern}"', exit_code=FINDINGS)
    write_answer(people, fmt)
