"""The `kg` command line, one module per command: each parses its options, then makes one or two calls
into kg.api (or a feature), and writes the answer. `options` holds what commands share; `entry` the
entry point that turns every failure into one line and an exit code."""

from kg.cli import (  # noqa: F401 - each registers its command on the group
    build,
    coi,
    diff,
    export,
    graph,
    parse,
    people,
    push,
    query,
    search,
    serve,
    sparql,
    stats,
    validate,
)
from kg.cli.entry import main
from kg.cli.group import cli, example_of, leaf_commands

__all__ = ["cli", "example_of", "leaf_commands", "main"]
