"""`kg export`: the store in a W3C RDF format."""

from __future__ import annotations

import click

from kg.cli.group import cli
from kg.cli.options import format_option, open_graph, store_option


@cli.command()
@store_option
@format_option(
    ["turtle", "ntriples", "jsonld", "trig", "nquads"],
    default=None,
    help="[default: from the extension of -o (.ttl, .nt, .jsonld, .trig, .nq), else turtle]",
)
@click.option("--inferred", is_flag=True, help="Include the inferred triples.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write [default: stdout].",
)
def export(store_path: str, fmt: str | None, inferred: bool, output: str | None) -> None:
    """Export the graph in a W3C RDF format.

    Turtle, N-Triples, JSON-LD, TriG or N-Quads: the pages' graphs and the ontology, and with
    --inferred what inference added.

    Turtle and N-Triples merge the graphs; TriG, N-Quads and JSON-LD keep one named graph per page.
    The format is the one -o's extension names unless --format says it (a file named for another
    format is refused). The export reads the store's own files (kg push sends them to a server).

    Example: kg export -o graph.trig
    """
    with open_graph(store_path, None) as graph:
        graph.export(output or "-", fmt, inferred=inferred)
