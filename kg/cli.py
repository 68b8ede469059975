"""The `kg` command line: parses arguments and calls the modules that do the work."""

from __future__ import annotations

import json
import os
import sys
from datetime import date

import click

from kg import __version__, render
from kg.errors import FINDINGS, INTERNAL, KgError
from kg.store import KgStore

STORE_HELP = "Store folder [env KG_STORE; default ./kg-store]."


def store_option(f):
    return click.option(
        "--store",
        "store_path",
        envvar="KG_STORE",
        default="kg-store",
        show_default=False,
        type=click.Path(file_okay=False),
        help=STORE_HELP,
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, "--version", prog_name="kg")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Build a knowledge graph of researchers from their profile pages, check it, and query it."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


# --- commands: build, stats, export, validate ------------------------------------------------


def parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-24") from None


def echo_summary(summary: dict, fmt: str) -> None:
    """A summary as a two-column table, or as one JSON object for scripts."""
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(render.format_records([{"": k.replace("_", " "), "count": v} for k, v in summary.items()], "table"), nl=False)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@click.option("--as-of", callback=parse_date, metavar="DATE", help="When the pages were scraped: year-less dates take its year [default: today].")
@click.option("--base", envvar="KG_BASE", metavar="IRI", help="Base IRI of the data [env KG_BASE; default https://kg.example.org/id/].")
@click.option("--fresh", is_flag=True, help="Start from an empty graph instead of updating the store.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Form of the summary.")
@click.option("-q", "--quiet", is_flag=True, help="Print no progress and no summary; diagnostics still go to stderr.")
def build(paths, store_path, as_of, base, fresh, fmt, quiet):
    """Build or update the graph from profile pages: files, or folders of *.txt pages.

    Problems in the pages are reported as FILE:LINE: SEVERITY: MESSAGE on stderr; everything valid is
    stored. Exit code 1 when any record was rejected.

    Example: kg build pages/ --as-of 2026-11-24
    """
    from kg.build import build as run_build

    report = run_build(paths, store_path, as_of=as_of, base=base, fresh=fresh)
    for diagnostic in report.diagnostics:
        click.echo(str(diagnostic), err=True)
    if not quiet:
        echo_summary(report.summary(), fmt)
    if report.rejected:
        sys.exit(FINDINGS)


@cli.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(store_path, fmt):
    """Count pages, listings, papers, people, orgs and triples (asserted, inferred).

    Example: kg stats --format json
    """
    from kg.build import store_stats

    kg = KgStore.open_read(store_path)
    echo_summary(store_stats(kg.store, kg.iris), fmt)


@cli.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["turtle", "ntriples", "jsonld", "trig", "nquads"]), default="turtle", show_default=True)
@click.option("--inferred", is_flag=True, help="Include the inferred triples.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), help="File to write [default: stdout].")
def export(store_path, fmt, inferred, output):
    """Export the graph as RDF: the pages' graphs and the ontology, and with --inferred what inference added.

    Turtle and N-Triples merge the graphs; TriG, N-Quads and JSON-LD keep one named graph per page.

    Example: kg export --format trig -o graph.trig
    """
    from kg.export import export as run_export

    run_export(KgStore.open_read(store_path), fmt, inferred, output)


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@store_option
@click.option("--format", "fmt", type=click.Choice(["text", "turtle"]), default="text", show_default=True, help="text: one line per finding; turtle: the SHACL validation report.")
def validate(file, store_path, fmt):
    """Check FILE (any RDF file, e.g. an export) or the store against the SHACL shapes.

    Exit code 0 when it conforms (warnings allowed), 1 on violations, 2 when it cannot run.

    Example: kg validate graph.ttl
    """
    from kg import validate as shacl

    data = shacl.read_rdf_file(file) if file else shacl.store_graph(KgStore.open_read(store_path))
    outcome = shacl.validate_graph(data)
    if fmt == "turtle":
        click.echo(outcome.report_graph.serialize(format="turtle"), nl=False)
    else:
        for line in shacl.report_lines(outcome):
            click.echo(line)
    if not outcome.conforms:
        sys.exit(FINDINGS)


# --- commands: query, sparql ------------------------------------------------------------------
# (kept together; they share the store opening and the output formats)


def main() -> None:
    """Entry point: no traceback reaches the user; exit codes follow kg.errors."""
    try:
        cli.main(standalone_mode=False, prog_name="kg")
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except KgError as e:
        click.echo(f"kg: {e.message}", err=True)
        sys.exit(e.exit_code)
    except BrokenPipeError:
        # `kg export | head`: the reader left; not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("KG_DEBUG"):
            raise
        click.echo(f"kg: internal error: {type(e).__name__}: {e} (set KG_DEBUG=1 to see where)", err=True)
        sys.exit(INTERNAL)
    sys.exit(0)
