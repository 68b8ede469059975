"""`kg graph`: networks drawn from the graph."""

from __future__ import annotations

import click

from kg.cli.group import cli
from kg.cli.options import GraphSource, format_option, graph_options, note
from kg.present import terminal
from kg.present.pictures import FORMATS as PICTURE_FORMATS


@cli.group("graph")
def graph_group() -> None:
    """Draw networks from the graph: a page for the browser, or files for Gephi, networkx and Graphviz."""


@graph_group.command("coauthors-of")
@click.argument("name")
@click.option(
    "--depth",
    type=click.Choice(["1", "2"]),
    default="1",
    show_default=True,
    help="1: NAME and their coauthors; 2: also the coauthors' coauthors.",
)
@format_option(
    PICTURE_FORMATS,
    default=None,
    help="html: a page that works offline; graphml, gexf: Gephi, networkx; dot: Graphviz [default: from the file extension].",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write; - for stdout.",
)
@graph_options
@click.option(
    "--max-people",
    type=click.IntRange(min=1),
    default=150,
    show_default=True,
    metavar="N",
    help="Draw at most N people (NAME included), strongest links first; the rest are counted in the legend.",
)
def graph_coauthors_of(
    name: str,
    depth: str,
    fmt: str | None,
    output: str,
    source: GraphSource,
    max_people: int,
) -> None:
    """Draw the coauthor network of NAME.

    The people NAME shares papers with, and the papers they share.

    A circle is a person, larger for more papers in the graph. A line joins two people who share
    papers, thicker for more; dashed when a shared paper's author list was cut ("et al."), so the
    count is a lower bound. Names are matched as in kg query.

    Example: kg graph coauthors-of "Suyog Gupta" -o suyog.html

    Example: kg graph coauthors-of "Suyog Gupta" --depth 2 --format gexf -o suyog.gexf
    """
    from kg.present import pictures

    fmt = fmt or pictures.format_for_path(output)
    if fmt is None:
        raise click.UsageError(
            f"cannot tell the format from {output!r}; give --format ({', '.join(PICTURE_FORMATS)})"
        )
    with source.open() as graph:
        drawn = graph.coauthor_network(name, depth=int(depth), max_people=max_people)
    pictures.save(pictures.render(drawn, fmt), output)
    if output != "-":
        note(
            f"wrote {output}: {terminal.counted(len(drawn.nodes), 'person', 'people')}, "
            f"{terminal.counted(len(drawn.edges), 'link')}" + pictures.left_out(drawn)
        )
