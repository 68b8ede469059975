"""`kg push`: the store sent to a Graph Store Protocol endpoint."""

from __future__ import annotations

import click

from kg.cli.group import cli
from kg.cli.options import password_env_option, password_from_env, store_option


@cli.command("push")
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The Graph Store Protocol URL, e.g. http://localhost:7878/store.",
)
@store_option
@click.option(
    "--user",
    envvar="KG_PUSH_USER",
    metavar="NAME",
    help="User for HTTP auth (Basic or Digest) [env KG_PUSH_USER].",
)
@password_env_option(
    "KG_PUSH_PASSWORD", "Environment variable holding the password; it is never taken from the command line."
)
@click.option(
    "--batch-triples",
    type=click.IntRange(min=1),
    default=250_000,
    show_default=True,
    metavar="N",
    help="At most N triples per request: a bigger graph goes in several.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Send every graph, not only those that changed since the last push to this endpoint.",
)
def push_command(
    endpoint: str, store_path: str, user: str | None, password_env: str, batch_triples: int, full: bool
) -> None:
    """Send the graph to a SPARQL 1.1 Graph Store endpoint, then only what changed.

    Each named graph (every page's, the inferred ones, the ontology's) replaces its namesake on the
    server (PUT URL?graph=IRI; to Oxigraph, many graphs a request). The store remembers what each
    endpoint holds: pushing again sends only the graphs that changed (a large one as its difference)
    and removes those of removed pages; --full sends everything. Transient failures (connection,
    429, 502-504) are tried 3 times; any other failure stops the push with exit code 2, saying how
    many graphs were sent (the next push sends the rest). See docs/push.md.

    Example: kg push --endpoint http://localhost:7878/store
    """
    from kg import api

    password = password_from_env(user, password_env)
    with api.open(store_path) as graph:
        report = graph.push(endpoint, user=user, password=password, batch_triples=batch_triples, full=full)
    click.echo(report.line())
