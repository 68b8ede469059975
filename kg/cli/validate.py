"""`kg validate`: an RDF file or the store against the SHACL shapes."""

from __future__ import annotations

import sys

import click

from kg.cli.group import cli
from kg.cli.options import format_option, open_graph, store_option, wrapped
from kg.errors import FINDINGS
from kg.present import terminal


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@store_option
@format_option(
    ["text", "turtle"],
    default="text",
    help="text: one line per finding; turtle: the SHACL validation report.",
)
@click.option(
    "--input-format",
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]),
    help="The format of FILE [default: from its extension: .ttl, .nt, .nq, .trig, .jsonld, .rdf].",
)
def validate(file: str | None, store_path: str, fmt: str, input_format: str | None) -> None:
    """Check an RDF file or the store against the SHACL shapes.

    FILE is any RDF file, e.g. an export; without it the store is checked.

    Exit code 0 when it conforms (warnings allowed), 1 on violations, 2 when it cannot run.

    Example: kg validate graph.ttl
    """
    from kg import api
    from kg.validation import report as shacl

    if file:
        outcome = api.validate_file(file, input_format)
    else:
        if input_format:
            raise click.UsageError("--input-format is the format of FILE: name the file to check")
        with open_graph(store_path, None) as graph:
            outcome = graph.validate()
    if fmt == "turtle":
        click.echo(shacl.report_turtle(outcome), nl=False)
    else:  # one line per finding; on a terminal, wrapped under its start
        width = terminal.terminal_width()
        for line in shacl.report_lines(outcome):
            click.echo("\n".join(wrapped(line, width)))
    if not outcome.conforms:
        sys.exit(FINDINGS)
