"""`kg push`: the store sent to a Graph Store Protocol endpoint."""

from __future__ import annotations

import os

import click

from kg.cli.group import cli
from kg.cli.options import password_env_option, password_from_env, store_option
from kg.errors import KgError


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
    "--virtuoso-isql",
    envvar="KG_VIRTUOSO_ISQL",
    metavar="HOST:PORT",
    help="Virtuoso's SQL port (isql-vt's address, usually 1111): with --virtuoso-load-dir, large batches "
    "go through its bulk loader [env KG_VIRTUOSO_ISQL].",
)
@click.option(
    "--virtuoso-load-dir",
    envvar="KG_VIRTUOSO_LOAD_DIR",
    metavar="DIR",
    help="A folder kg writes and Virtuoso reads (in its DirsAllowed), at the same path for both "
    "[env KG_VIRTUOSO_LOAD_DIR].",
)
@click.option(
    "--isql-user",
    envvar="KG_ISQL_USER",
    default="dba",
    show_default=True,
    metavar="NAME",
    help="The Virtuoso account that runs the bulk loader [env KG_ISQL_USER].",
)
@click.option(
    "--isql-password-env",
    default="KG_ISQL_PASSWORD",
    show_default=True,
    metavar="VAR",
    help="Environment variable holding that account's password (never on a command line).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Send every graph, not only those that changed since the last push to this endpoint.",
)
def push_command(
    endpoint: str,
    store_path: str,
    user: str | None,
    password_env: str,
    batch_triples: int,
    virtuoso_isql: str | None,
    virtuoso_load_dir: str | None,
    isql_user: str,
    isql_password_env: str,
    full: bool,
) -> None:
    """Send the graph to a SPARQL 1.1 Graph Store endpoint, then only what changed.

    Each named graph (every page's, the inferred ones, the ontology's) replaces its namesake on the
    server (PUT URL?graph=IRI; to Oxigraph, many graphs a request). The store remembers what each
    endpoint holds: pushing again sends only the graphs that changed (a large one as its difference)
    and removes those of removed pages; --full sends everything. Transient failures (connection,
    429, 502-504) are tried 3 times; any other failure stops the push with exit code 2, saying how
    many graphs were sent (the next push sends the rest). To Virtuoso, --virtuoso-isql and
    --virtuoso-load-dir send large batches through its bulk loader. See docs/push.md.

    Example: kg push --endpoint http://localhost:7878/store
    """
    from kg import api

    password = password_from_env(user, password_env)
    isql_password = os.environ.get(isql_password_env) if virtuoso_isql else None
    if virtuoso_isql and not isql_password:
        raise KgError(
            f"--virtuoso-isql needs the password of {isql_user} in the environment variable "
            f"{isql_password_env} (it is never given on the command line)"
        )
    with api.open(store_path) as graph:
        report = graph.push(
            endpoint,
            user=user,
            password=password,
            batch_triples=batch_triples,
            full=full,
            virtuoso_isql=virtuoso_isql,
            virtuoso_load_dir=virtuoso_load_dir,
            isql_user=isql_user,
            isql_password=isql_password,
        )
    click.echo(report.line())
