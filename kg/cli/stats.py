"""`kg stats`: the counts of the store or of an endpoint."""

from __future__ import annotations

from kg.cli.group import cli
from kg.cli.options import GraphSource, echo_summary, format_option, graph_options


@cli.command()
@graph_options
@format_option(["table", "json"])
def stats(
    source: GraphSource,
    fmt: str,
) -> None:
    """Count pages, listings, papers, people, orgs and triples.

    Triples are counted as stored: asserted (the page graphs and the graph of facts) and inferred.
    With --endpoint, the endpoint's named graphs are counted the same way.

    Example: kg stats --format json
    """
    with source.open() as graph:
        echo_summary(graph.stats(), fmt, "in the graph")
