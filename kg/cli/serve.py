"""`kg serve`: the store served read-only, with kg's pages."""

from __future__ import annotations

import click

from kg.cli.group import cli
from kg.cli.options import allow_service_option, note, store_option


@cli.command("serve")
@store_option
@click.option(
    "--bind", default="127.0.0.1:7878", show_default=True, metavar="HOST:PORT", help="Address to listen on."
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    metavar="SECONDS",
    help="The server stops a query after this long.",
)
@allow_service_option(
    "Run SERVICE clauses, which make the server fetch from the addresses a query names (refused by default)."
)
@click.option(
    "--memory",
    type=click.IntRange(min=256),
    metavar="MB",
    help="Memory the server may take; a query needing more is stopped [default: half the machine's, 2-8 GB].",
)
def serve_command(store_path: str, bind: str, timeout: int, allow_service: bool, memory: int | None) -> None:
    """Serve the graph read-only over SPARQL, with pages for a browser.

    Runs the Oxigraph server (oxigraph serve-read-only) on the store: the SPARQL 1.1 Protocol
    endpoint at /query (for kg query/sparql --endpoint), the Graph Store Protocol at /store. All
    named graphs are queried as one default graph, as in kg query. Updates are refused. At the URL
    printed, kg's pages: search, people, papers, the conflicts form, a query page; every IRI of the
    graph answers at its path (a page, or Turtle, JSON-LD, N-Triples by the Accept header). A build
    that makes a new graph live is picked up. Ctrl-C stops it.

    Example: kg serve --bind 127.0.0.1:7878
    """
    from functools import partial

    from kg.features.serve import serve
    from kg.site import Site

    pages = partial(Site.serving, allow_service=allow_service, timeout=timeout, note=note)
    serve(
        store_path,
        bind,
        say=click.echo,
        note=note,
        timeout=timeout,
        allow_service=allow_service,
        memory=None if memory is None else memory << 20,
        pages=pages,
    )
