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
    default=100_000,
    show_default=True,
    metavar="N",
    help="At most N triples per request: a bigger graph goes as a PUT, then POSTs.",
)
def push_command(
    endpoint: str, store_path: str, user: str | None, password_env: str, batch_triples: int
) -> None:
    """Send the graph to a SPARQL 1.1 Graph Store endpoint.

    Each named graph (every page's, the inferred ones, the ontology's) replaces its namesake on the
    server: PUT URL?graph=IRI with N-Triples. Transient failures (connection, 429, 502-504) are
    tried 3 times; any other failure stops the push with exit code 2, saying how many graphs were
    sent.

    Example: kg push --endpoint http://localhost:7878/store
    """
    from kg.features.push import push
    from kg.query.endpoint import Endpoint
    from kg.store.generations import KgStore

    target = Endpoint(endpoint, user=user, password=password_from_env(user, password_env))
    kg_store = KgStore.open_read(store_path)
    report = push(kg_store, target, batch_triples=batch_triples)
    click.echo(report.line(target.url))
