"""The `kg` command line: each command parses its options, then calls kg.api (or a library module)."""

from __future__ import annotations

import json
import os
import signal
import sys
from contextlib import contextmanager, suppress
from datetime import date
from typing import TYPE_CHECKING

import click

from kg import __version__
from kg.errors import CANNOT_RUN, FINDINGS, INTERNAL, INTERRUPTED, KgError, Stopped, describe_os_error
from kg.present import render

if TYPE_CHECKING:
    from kg.api import Graph

STORE_HELP = "Store folder [env KG_STORE; default ./kg-store]."
ENDPOINT_HELP = "Query this SPARQL endpoint (e.g. http://localhost:7878/query) instead of the store."


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


def endpoint_options(command):
    """--user, --password-env and --graph: how kg reads a remote endpoint (see kg.remote)."""
    command = click.option(
        "--graph",
        "graphs",
        multiple=True,
        envvar="KG_GRAPHS",
        metavar="IRI",
        help="With --endpoint: read these graphs as the default graph (repeat it; `kg` = every graph under BASE graph/ there) "
        "instead of the endpoint's own default graph [env KG_GRAPHS, space-separated].",
    )(command)
    command = click.option(
        "--password-env",
        default="KG_ENDPOINT_PASSWORD",
        show_default=True,
        metavar="VAR",
        help="With --user: environment variable holding the password; it is never taken from the command line.",
    )(command)
    return click.option(
        "--user",
        envvar="KG_ENDPOINT_USER",
        metavar="NAME",
        help="With --endpoint: user for HTTP auth (Basic or Digest) [env KG_ENDPOINT_USER].",
    )(command)


def graph_options(command):
    """--store, or --endpoint with --base, --user, --password-env and --graph."""
    command = endpoint_options(command)
    command = click.option(
        "--base",
        envvar="KG_BASE",
        metavar="IRI",
        help="With --endpoint: base IRI of the data there [env KG_BASE; default https://kg.example.org/id/].",
    )(command)
    command = click.option("--endpoint", metavar="URL", help=ENDPOINT_HELP)(command)
    return store_option(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, "--version", prog_name="kg")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Build a knowledge graph of researchers from their profile pages, check it, and query it."""
    if ctx.invoked_subcommand is None:
        click.echo(overview(ctx))


def leaf_commands(group: click.Group, ctx: click.Context, prefix: str = ""):
    """(name, command) of every command that runs, subcommands of groups included, in name order."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from leaf_commands(command, ctx, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def example_of(command: click.Command) -> str:
    """The first `Example:` line of a command's help."""
    for line in (command.help or "").splitlines():
        if line.strip().startswith("Example:"):
            return line.strip()[len("Example:") :].strip()
    return ""


def overview(ctx: click.Context) -> str:
    """What `kg` alone prints: every command with its one-line help and one example."""
    width = render.terminal_width()
    title = f"kg {__version__}: a knowledge graph of researchers, built from their profile pages."
    lines = [*_beside("", title, width), "", "Commands:"]
    room = max(20, (width or 81) - 21)  # beside the names' column
    for name, command in leaf_commands(cli, ctx):
        lines += _beside(f"  {name:<18} ", command.get_short_help_str(room), width)
        lines += _beside(" " * 21, f"e.g. {example_of(command)}", width)
    lines += [""]
    lines += _beside(
        "", "Run kg COMMAND --help for the options of a command. Start with: kg build PAGES", width
    )
    return "\n".join(lines)


def _wrapped(line: str, width: int | None) -> list[str]:
    """A long line on a terminal of `width` columns: wrapped, the rest indented (None: as it is)."""
    import textwrap

    if width is None or len(line) <= width:
        return [line]
    return textwrap.wrap(line, width, subsequent_indent="    ", break_on_hyphens=False) or [line]


def _beside(first: str, text: str, width: int | None) -> list[str]:
    """`text` after `first`, wrapped to `width` under its own start (None: one line)."""
    import textwrap

    if width is None:
        return [first + text]
    indent = " " * len(first)
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=indent, break_on_hyphens=False
    ) or [first]


# --- commands: build, stats, export, validate ------------------------------------------------


def parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-24") from None


def echo_summary(summary: dict, fmt: str, heading: str) -> None:
    """A summary as a two-column table, or as one JSON object for scripts."""
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
    else:
        rows = [{heading: k.replace("_", " "), "count": v} for k, v in summary.items()]
        click.echo(_records(rows, "table"), nl=False)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@click.option(
    "--as-of",
    callback=parse_date,
    metavar="DATE",
    help="When the pages were scraped: year-less dates take its year [default: today].",
)
@click.option(
    "--base",
    envvar="KG_BASE",
    metavar="IRI",
    help="Base IRI of the data [env KG_BASE; default https://kg.example.org/id/].",
)
@click.option("--fresh", is_flag=True, help="Start from an empty graph instead of updating the store.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Form of the summary.",
)
@click.option("-q", "--quiet", is_flag=True, help="Show no progress bar.")
@click.option(
    "--keep",
    envvar="KG_KEEP",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    metavar="N",
    help="Generations kept for kg diff, this one included (their summaries; older ones are removed) "
    "[env KG_KEEP].",
)
@click.option(
    "--curation",
    "curation_file",
    envvar="KG_CURATION",
    metavar="FILE",
    help="Curated identities: [[same]] and [[distinct]] rules [env KG_CURATION; default ./kg-curation.toml if there is one].",
)
def build(paths, store_path, as_of, base, fresh, fmt, quiet, keep, curation_file):
    """Build or update the graph from profile pages.

    PATHS are page files, or folders searched for *.txt pages. Problems in the pages are reported as FILE:LINE: SEVERITY: MESSAGE on stderr; everything valid is
    stored. The build ends with a summary: this build's figures, then the store's. Unchanged files
    are not read again; a build that changes nothing makes no generation. Exit code 1 when any
    record was rejected, 2 when PATHS hold no page (nothing is replaced).

    Example: kg build pages/ --as-of 2026-11-24
    """
    from kg import api
    from kg.building.builder import NothingToBuild
    from kg.model import curation

    try:
        with progress_bar(quiet) as progress:
            report = api.build(
                paths,
                store_path,
                as_of=as_of,
                base=base,
                fresh=fresh,
                progress=progress or False,
                keep=keep,
                curation=curation_file,
            )
    except curation.CurationError as e:  # FILE:LINE: error: ... as a page's problems are shown
        if not e.located:
            raise
        click.echo(render.visible(e.message), err=True)
        sys.exit(CANNOT_RUN)
    except NothingToBuild as e:  # what was said of the files first, then why nothing was built
        for diagnostic in e.diagnostics:
            click.echo(render.visible(str(diagnostic)), err=True)
        raise
    for diagnostic in report.diagnostics:
        click.echo(render.visible(str(diagnostic)), err=True)
    summary = report.summary()
    if fmt == "json":
        summary["seconds"] = report.seconds()
        click.echo(json.dumps(summary, indent=2))
    else:
        echo_build_summary(summary)
    if not report.new_generation:
        _note(f"nothing changed: {report.generation} stays live, and no generation was made")
    if report.rejected:
        sys.exit(FINDINGS)


def echo_build_summary(summary: dict) -> None:
    """Two tables: what this build read, then the store as it left it."""
    store = summary["store"]
    this = [
        ("pages given", summary["pages"]),
        ("pages written", summary["pages_written"]),
        ("pages unchanged", summary["pages_unchanged"]),
        ("pages parsed", summary["pages_parsed"]),
        ("listings", summary["listings"]),
        ("warnings", summary["warnings"]),
        ("rejected", summary["rejected"]),
    ]
    click.echo(_two_columns(this, "this build"), nl=False)
    click.echo()
    heading = f"the store ({summary['generation']})"
    click.echo(_two_columns([(k.replace("_", " "), v) for k, v in store.items()], heading), nl=False)


def _two_columns(pairs: list[tuple[str, int]], heading: str) -> str:
    return _records([{heading: name, "count": count} for name, count in pairs], "table")


def _records(rows, fmt: str, columns=None) -> str:
    """Rows of plain values in a table format; a table fits the terminal (render.terminal_width)."""
    return render.format_records(
        rows, fmt, columns, width=render.terminal_width() if fmt == "table" else None
    )


@contextmanager
def progress_bar(quiet: bool):
    """A progress bar on stderr, on a terminal only, once a build takes more than a moment."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    from kg.system.progress import on_bar

    with tqdm(unit="page", delay=1.0, file=sys.stderr, leave=False) as bar:
        yield on_bar(bar)


@cli.command()
@graph_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(store_path, endpoint, base, user, password_env, graphs, fmt):
    """Count pages, listings, papers, people, orgs and triples.

    Triples are counted as stored: asserted (the page graphs and the graph of facts) and inferred.
    With --endpoint, the endpoint's named graphs are counted the same way.

    Example: kg stats --format json
    """
    with _open_graph(store_path, endpoint, base, user, password_env, graphs) as graph:
        echo_summary(graph.stats(), fmt, "in the graph")


@cli.command()
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "ntriples", "jsonld", "trig", "nquads"]),
    help="[default: from the extension of -o (.ttl, .nt, .jsonld, .trig, .nq), else turtle]",
)
@click.option("--inferred", is_flag=True, help="Include the inferred triples.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write [default: stdout].",
)
def export(store_path, fmt, inferred, output):
    """Export the graph in a W3C RDF format.

    Turtle, N-Triples, JSON-LD, TriG or N-Quads: the pages' graphs and the ontology, and with
    --inferred what inference added.

    Turtle and N-Triples merge the graphs; TriG, N-Quads and JSON-LD keep one named graph per page.
    The format is the one -o's extension names unless --format says it (a file named for another
    format is refused). The export reads the store's own files (kg push sends them to a server).

    Example: kg export -o graph.trig
    """
    with _open_graph(store_path, None) as graph:
        graph.export(output or "-", fmt, inferred=inferred)


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle"]),
    default="text",
    show_default=True,
    help="text: one line per finding; turtle: the SHACL validation report.",
)
@click.option(
    "--input-format",
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]),
    help="The format of FILE [default: from its extension: .ttl, .nt, .nq, .trig, .jsonld, .rdf].",
)
def validate(file, store_path, fmt, input_format):
    """Check an RDF file or the store against the SHACL shapes.

    FILE is any RDF file, e.g. an export; without it the store is checked.

    Exit code 0 when it conforms (warnings allowed), 1 on violations, 2 when it cannot run.

    Example: kg validate graph.ttl
    """
    from kg.validation import report as shacl

    if file:
        outcome = shacl.validate_file(file, input_format)
    else:
        if input_format:
            raise click.UsageError("--input-format is the format of FILE: name the file to check")
        with _open_graph(store_path, None) as graph:
            outcome = graph.validate()
    if fmt == "turtle":
        click.echo(shacl.report_turtle(outcome), nl=False)
    else:  # one line per finding; on a terminal, wrapped under its start
        width = render.terminal_width()
        for line in shacl.report_lines(outcome):
            click.echo("\n".join(_wrapped(line, width)))
    if not outcome.conforms:
        sys.exit(FINDINGS)


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--as-of",
    callback=parse_date,
    metavar="DATE",
    help="When the pages were scraped: year-less dates take its year [default: today].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json: one object per listing per line.",
)
def parse_command(paths, as_of, fmt):
    """Show what kg reads from pages, without building.

    PATHS are page files, or folders searched for *.txt pages, read as one run (as kg build reads
    them). Every listing kg keeps is shown: title, authors, date, and the other reading where the split
    of a fused line was in doubt. Problems go to stderr as in kg build. Exit code 1 when any record was
    rejected.

    Example: kg parse pages/ --as-of 2026-11-24 --format json
    """
    from kg.building.builder import find_pages
    from kg.reading.parse import listing_json, listing_row, parse_files

    parsed = parse_files(find_pages(paths), as_of or date.today())
    listings = [listing for page in parsed for listing in page.listings]
    for page in parsed:
        for diagnostic in page.diagnostics:
            click.echo(str(diagnostic), err=True)
    if fmt == "json":
        for listing in listings:
            click.echo(json.dumps(listing_json(listing), ensure_ascii=False))
    elif listings:
        click.echo(_records([listing_row(listing) for listing in listings], "table"), nl=False)
    if any(page.errors for page in parsed):
        sys.exit(FINDINGS)


# --- commands: query, sparql ------------------------------------------------------------------
# (kept together; they share the store opening and the output formats)

from kg.present.render import GRAPH_FORMATS, RESULT_FORMATS, TABLE_FORMATS  # noqa: E402 - light (pyoxigraph only); needed for the choices

# --timeout, as kg query and kg sparql take it: one definition
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop the query after this long (exit 2) [default: no limit; 600 s for an endpoint's answer].",
)
LIMIT_HELP = "Show at most N rows (or triples)."
# A --limit past what any answer holds means no limit (the engines take nothing bigger than this).
LIMIT = click.IntRange(min=0, max=2**62, clamp=True)


def _refuse_endpoint_options_without_endpoint(endpoint: str | None) -> None:
    """--graph/--user/--password-env typed without --endpoint would be ignored: say so instead (from the
    environment they are fine: KG_GRAPHS may be set for remote use while querying the local store)."""
    if endpoint:
        return
    ctx = click.get_current_context()
    typed = [
        f"--{name.replace('_', '-')}"
        for name in ("graphs", "user", "password_env")
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
    ]
    if typed:
        raise click.UsageError(
            f"{' and '.join(typed).replace('--graphs', '--graph')} only apply with --endpoint; the local store always reads all its graphs"
        )


def _password(user: str | None, password_env: str) -> str | None:
    """The password for `user` from the environment variable `password_env` (never from argv)."""
    if not user:
        return os.environ.get(password_env) or None  # for a URL that names the user only
    password = os.environ.get(password_env)
    if not password:
        raise KgError(
            f"--user {user} needs the password in the environment variable {password_env} (it is never given on the command line)"
        )
    return password


def _note(message: str) -> None:
    click.echo(render.visible(f"kg: {message}"), err=True)


@cli.command("query")
@click.argument("name", required=False)
@click.argument("args", nargs=-1)
@click.option(
    "--list", "show_list", is_flag=True, help="List the canned queries, what they return and their arguments."
)
@graph_options
@click.option("--limit", type=LIMIT, metavar="N", help=LIMIT_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--why",
    is_flag=True,
    help="Follow each row with the pages and lines that support it (csv, tsv, json, xml: a why column).",
)
@timeout_option
def query_command(
    name, args, show_list, store_path, endpoint, base, user, password_env, graphs, limit, fmt, why, timeout
):
    """Run the canned query NAME with its arguments.

    People are named as printed; case, accents and extra spaces do not matter, and a unique part of
    a name will do. `kg query --list` shows the queries (one file each in queries/).

    Example: kg query coauthors-of "Suyog Gupta"
    """
    from kg import api
    from kg.present import render
    from kg.present.why_table import write_why
    from kg.query import canned as queries

    if show_list:
        click.echo(_query_list(queries.Catalogue().all(), render.terminal_width()), nl=False)
        return
    with _usage_errors():
        api.check_query(name, args)  # a wrong name or count is told before the graph is opened
    with _open_graph(store_path, endpoint, base, user, password_env, graphs) as graph, _usage_errors():
        if why:  # under each row of a table; a `why` column in the other formats
            write_why(graph, name, args, fmt, limit=limit, width=render.terminal_width(), note=_note)
        else:  # written as it comes
            graph.write_query(
                name,
                *args,
                format=fmt,
                limit=limit,
                width=render.terminal_width(),
                note=_note,
                timeout=timeout,
            )


@contextmanager
def _usage_errors():
    """A canned query's name or arguments that do not fit: a usage error (exit 2, with the usage)."""
    from kg.api import QueryNotFound
    from kg.query.canned import ArgumentError

    try:
        yield
    except (QueryNotFound, ArgumentError) as e:
        raise click.UsageError(e.message) from None


def _open_graph(
    store_path: str,
    endpoint: str | None,
    base: str | None = None,
    user: str | None = None,
    password_env: str = "KG_ENDPOINT_PASSWORD",
    graphs: tuple[str, ...] = (),
) -> Graph:
    """The graph a reading command reads: the store, or with --endpoint a SPARQL endpoint (kg.open)."""
    from kg import api

    _refuse_endpoint_options_without_endpoint(endpoint)
    if not endpoint:
        return api.open(store_path, note=_note)
    password = _password(user, password_env)
    return api.open(
        endpoint=endpoint, base=base, user=user, password=password, graphs=list(graphs), note=_note
    )


_KIND_TEXT = {"person": "a name", "people": "one or more names", "integer": "an integer", "text": "text"}


def _query_list(canned_queries, width: int | None = None) -> str:
    """Each query's usage, what it answers and its parameters, wrapped to `width` (None: not wrapped)."""
    import textwrap

    def wrapped(text: str, indent: str, more: str) -> list[str]:
        if width is None:
            return [indent + text]
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=more) or [indent]

    lines = []
    for canned in canned_queries:
        lines += wrapped(canned.usage, "", "    ") + wrapped(canned.help, "    ", "    ")
        for p in canned.params:
            lines += wrapped(f"{p.metavar}  {p.meaning} ({_KIND_TEXT[p.kind]})", "    ", " " * 8)
        lines.append("")
    return "\n".join(lines)


@cli.command("sparql")
@click.argument("query", metavar="QUERY|@FILE|-")
@store_option
@click.option("--endpoint", metavar="URL", help=ENDPOINT_HELP)
@endpoint_options
@click.option("--limit", type=LIMIT, metavar="N", help=LIMIT_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS + GRAPH_FORMATS),
    default=None,
    help="SELECT/ASK: table (default), csv, tsv, json, xml. CONSTRUCT/DESCRIBE: turtle (default), ntriples, jsonld, rdfxml.",
)
@timeout_option
@click.option(
    "--allow-service",
    is_flag=True,
    help="Run SERVICE clauses, which fetch from the addresses the query names (refused by default).",
)
def sparql_command(
    query, store_path, endpoint, user, password_env, graphs, limit, fmt, timeout, allow_service
):
    """Run a read-only SPARQL query over the whole graph.

    QUERY is the query text, @FILE, or - for stdin.

    All named graphs are queried as one default graph. Updates are refused, and so is SERVICE
    unless --allow-service is given.

    Example: kg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    from kg import api
    from kg.present import render
    from kg.query import canned as queries

    text = _sparql_text(query)
    api.check_sparql(text, allow_service)  # refused before the graph is opened
    fmt = _sparql_format(queries.query_form(text), fmt)
    with _open_graph(store_path, endpoint, None, user, password_env, graphs) as graph:
        graph.write_sparql(
            text,
            format=fmt,
            limit=limit,
            timeout=timeout,
            allow_service=allow_service,
            width=render.terminal_width(),
            note=_note,
        )


def _sparql_text(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        try:
            with open(argument[1:], encoding="utf-8") as f:
                return f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise KgError(
                f"cannot read the query file {argument[1:]}: {getattr(e, 'strerror', None) or e}"
            ) from None
    return argument


def _sparql_format(form: str, fmt: str | None) -> str:
    """The format asked for, or the default for the query form; a usage error when they do not fit."""
    makes_graph = form in ("CONSTRUCT", "DESCRIBE")
    fitting = GRAPH_FORMATS if makes_graph else RESULT_FORMATS
    if fmt is None:
        return fitting[0]
    if fmt not in fitting:
        kind = "CONSTRUCT/DESCRIBE" if makes_graph else "SELECT/ASK"
        raise click.UsageError(f"--format {fmt} is not for {form or kind} queries; use {', '.join(fitting)}")
    return fmt


# --- commands: graph ---------------------------------------------------------------------------

from kg.present.pictures import FORMATS as PICTURE_FORMATS  # noqa: E402 - stdlib only; needed for the choices


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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(PICTURE_FORMATS),
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
    name, depth, fmt, output, store_path, endpoint, base, user, password_env, graphs, max_people
):
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
    with _open_graph(store_path, endpoint, base, user, password_env, graphs) as graph:
        drawn = graph.coauthor_network(name, depth=int(depth), max_people=max_people)
    pictures.save(pictures.render(drawn, fmt), output)
    if output != "-":
        _note(
            f"wrote {output}: {render.counted(len(drawn.nodes), 'person', 'people')}, "
            f"{render.counted(len(drawn.edges), 'link')}" + pictures.left_out(drawn)
        )


# --- commands: serve, push ----------------------------------------------------------------------


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
@click.option(
    "--allow-service",
    is_flag=True,
    help="Run SERVICE clauses, which make the server fetch from the addresses a query names (refused by default).",
)
@click.option(
    "--memory",
    type=click.IntRange(min=256),
    metavar="MB",
    help="Memory the server may take; a query needing more is stopped [default: half the machine's, 2-8 GB].",
)
def serve_command(store_path, bind, timeout, allow_service, memory):
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

    pages = partial(Site.serving, allow_service=allow_service, timeout=timeout, note=_note)
    serve(
        store_path,
        bind,
        say=click.echo,
        note=_note,
        timeout=timeout,
        allow_service=allow_service,
        memory=None if memory is None else memory << 20,
        pages=pages,
    )


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
@click.option(
    "--password-env",
    default="KG_PUSH_PASSWORD",
    show_default=True,
    metavar="VAR",
    help="Environment variable holding the password; it is never taken from the command line.",
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
def push_command(endpoint, store_path, user, password_env, batch_triples, full):
    """Send the graph to a SPARQL 1.1 Graph Store endpoint, then only what changed.

    Each named graph (every page's, the inferred ones, the ontology's) replaces its namesake on the
    server (PUT URL?graph=IRI; to Oxigraph, many graphs a request). The store remembers what each
    endpoint holds: pushing again sends only the graphs that changed (a large one as its difference)
    and removes those of removed pages; --full sends everything. Transient failures (connection,
    429, 502-504) are tried 3 times; any other failure stops the push with exit code 2, saying how
    many graphs were sent (the next push sends the rest). See docs/push.md.

    Example: kg push --endpoint http://localhost:7878/store
    """
    from kg.features.push import push
    from kg.query.endpoint import Endpoint
    from kg.store.generations import KgStore

    target = Endpoint(endpoint, user=user, password=_password(user, password_env))
    kg_store = KgStore.open_read(store_path)
    report = push(kg_store, target, batch_triples=batch_triples, full=full)
    click.echo(report.line(target.url))


# --- commands: coi, people ----------------------------------------------------------------------


@cli.command("coi")
@click.option(
    "--people",
    "people",
    multiple=True,
    required=True,
    metavar="NAME|@FILE|-",
    help="A person to check (repeat it); @FILE reads names from a file, one a line; - from stdin.",
)
@click.option(
    "--against",
    multiple=True,
    metavar="NAME|@FILE|-",
    help="Check each of --people against each of these (e.g. reviewers against authors), not among themselves.",
)
@click.option(
    "--years",
    type=click.IntRange(min=0),
    metavar="N",
    help="Count papers dated within N years before --as-of [default: any date].",
)
@click.option(
    "--as-of",
    callback=parse_date,
    metavar="DATE",
    help="The end of the window, e.g. the submission deadline [default: today with --years, else no end].",
)
@click.option(
    "--same-org",
    is_flag=True,
    help="Also a conflict: papers of each in the window list the same organisation.",
)
@click.option(
    "--max-authors",
    type=click.IntRange(min=2),
    metavar="K",
    help="Ignore papers with more than K authors, shown or implied [default: no limit].",
)
@graph_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TABLE_FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
def coi_command(
    people,
    against,
    years,
    as_of,
    same_org,
    max_authors,
    store_path,
    endpoint,
    base,
    user,
    password_env,
    graphs,
    fmt,
):
    """Check people for conflicts of interest: shared papers, or a shared organisation.

    Every pair among --people, or with --against each of --people with each of --against, that shares
    a paper (dated within --years of --as-of), or with --same-org has papers in that window listing
    the same organisation. Each row says why: the paper (title, date, page:line, how many authors;
    lower_bound when the list was cut, so there may be more) or the organisation (with a listing of
    each person's most recent paper naming it).

    A value of --people or --against is a name as printed (matched as in kg query), @FILE for a file
    of names (one a line; blank lines and # comments skipped), or - for stdin. A name that matches
    nobody or several people is reported on stderr (with the candidates) and the rest is checked.

    Exit code 0 when no pair conflicts and every name was found, 1 otherwise.

    Example: kg coi --people @reviewers.txt --against @authors.txt --years 3
    """
    from kg.features.coi import COLUMNS, read_names

    if "-" in people and "-" in against:
        raise click.UsageError("standard input (-) can give only one of --people and --against")
    people_names = read_names(people, "--people", sys.stdin)
    against_names = read_names(against, "--against", sys.stdin) if against else None
    if against_names is None and len(set(people_names)) < 2:
        raise click.UsageError(
            "one person makes no pair to check: name two or more with --people, or add --against NAME"
        )
    with _open_graph(store_path, endpoint, base, user, password_env, graphs) as graph:
        report = graph.coi(
            people_names, against_names, years=years, as_of=as_of, same_org=same_org, max_authors=max_authors
        )
    for unresolved in report.unresolved:
        click.echo(render.visible(unresolved.line()), err=True)
    if fmt == "json":
        click.echo(json.dumps(report.json(), indent=2, ensure_ascii=False))
    else:
        click.echo(_records(report.records(), fmt, COLUMNS), nl=False)
        if fmt == "table":
            _note(report.summary())
    sys.exit(report.exit_code)


@cli.command("people")
@click.argument("pattern", required=False)
@click.option(
    "--ambiguous",
    is_flag=True,
    help="Suggest names that hide several people and names that are one person, as a curation file.",
)
@click.option(
    "--min-papers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    metavar="N",
    help="--ambiguous: split a name only when two of its groups hold N papers or more each.",
)
@click.option(
    "--evidence",
    is_flag=True,
    help="Under each person, why the build took their names as one person, and the names it kept apart.",
)
@click.option("--limit", type=LIMIT, metavar="N", help="Show at most N people (or suggestions).")
@graph_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*TABLE_FORMATS, "toml"]),
    help="The people: table (default), csv, tsv, json. --ambiguous: toml (default), json.",
)
def people_command(
    pattern,
    ambiguous,
    min_papers,
    evidence,
    limit,
    store_path,
    endpoint,
    base,
    user,
    password_env,
    graphs,
    fmt,
):
    """List the people in the graph, with their papers and the names they are printed as.

    PATTERN keeps the people whose name holds each of its words (case and accents aside). With
    --ambiguous, suggestions for the curation file (kg-curation.toml), each with its evidence: a name
    whose coauthors fall into groups that never meet, or whose organisations do ([[distinct]]), and
    two names that fit each other and share coauthors ([[same]]); then, as comments, the names the
    build kept apart for want of evidence. With --evidence, under each person, the evidence the build
    joined their printings by and the names it kept apart. Exit code 1 when PATTERN matches nobody.

    Example: kg people --ambiguous > suggestions.toml
    """
    from kg.features import people as directory

    fmt = fmt or ("toml" if ambiguous else "table")
    if (fmt == "toml") != ambiguous and not (ambiguous and fmt == "json"):
        wanted = "toml or json" if ambiguous else "table, csv, tsv or json"
        raise click.UsageError(
            f"--format {fmt} does not fit{' --ambiguous' if ambiguous else ' a list of people'}: use {wanted}"
        )
    with _open_graph(store_path, endpoint, base, user, password_env, graphs) as graph:
        if ambiguous:
            found = graph.identity_suggestions(pattern, min_papers=min_papers)[:limit]
            click.echo(directory.toml(found) if fmt == "toml" else directory.as_json(found), nl=False)
            apart = graph.kept_apart() if fmt == "toml" and pattern is None else ""
            if apart:
                click.echo("\n" + apart, nl=False)
            return
        if evidence:
            for person, explained in graph.identity_evidence(pattern)[:limit]:
                click.echo(f"{person.name}  <{person.iri}>  printed: {'; '.join(person.names)}")
                for line in explained.lines() or ["one printing, no join needed"]:
                    click.echo(f"  {line}")
            return
        people = graph.people_with_papers(pattern)[:limit]
    if pattern is not None and not people:
        raise KgError(f'no person\'s name holds every word of "{pattern}"', exit_code=FINDINGS)
    records = [p.record() for p in people]
    columns = ["person", "papers", "names", *(["iri"] if fmt == "json" else [])]
    click.echo(_records([{c: r[c] for c in columns} for r in records], fmt, columns), nl=False)


# --- commands: diff, search ------------------------------------------------------------------------


@cli.command("diff")
@store_option
@click.option(
    "--since",
    metavar="GENERATION",
    help="Compare with this generation (gen-000003, or 3) [default: the one before the live one].",
)
@click.option("--list", "show_list", is_flag=True, help="List the generations kept, to compare with.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def diff_command(store_path, since, show_list, fmt):
    """Show what changed between the live graph and the one before it.

    Papers added and removed, changed dates and author lists, people who appeared or disappeared,
    and coauthor pairs gained or lost, each with the page and line that show it. kg build --keep N
    sets how many generations are kept to compare with.

    Example: kg diff --since gen-000002 --format json
    """
    import kg.api

    with kg.api.open(store_path) as graph:
        if show_list:
            rows = graph.generations()
            if fmt == "json":
                click.echo(json.dumps(rows, indent=2))
            else:
                click.echo(_records(rows, "table"), nl=False)
            return
        changes = graph.diff(since)
    if fmt == "json":
        click.echo(json.dumps(changes.to_json(), indent=2, ensure_ascii=False))
        return
    before, after = changes.before.get("generation", ""), changes.after.get("generation", "")
    rows = changes.rows()
    if not rows:
        click.echo(f"no changes from {before} to {after}")
        return
    click.echo(f"from {before} to {after}: {render.counted(len(rows), 'change')}")
    click.echo(_records(rows, "table"), nl=False)


@cli.command("search")
@click.argument("text", nargs=-1, required=True)
@store_option
@click.option(
    "--limit",
    type=LIMIT,
    default=20,
    show_default=True,
    metavar="N",
    help="Show at most N papers.",
)
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default="table", show_default=True)
def search_command(text, store_path, limit, fmt):
    """Find papers by the words of their titles, best matches first.

    Papers with more of the words come first, then those with rarer words, then the newest. Case and
    accents do not matter; a word ending in * matches every word it starts (graph*: graphs, ...).
    Each paper comes with its date, its authors as shown, and its page and line. Exit code 1 when no
    title has any of the words.

    Example: kg search mixture of experts --limit 5
    """
    import kg.api

    words = " ".join(text)
    with kg.api.open(store_path) as graph:
        hits = graph.search(words, limit=limit)
    if fmt == "json":
        click.echo(json.dumps([hit.to_json() for hit in hits], indent=2, ensure_ascii=False))
    elif hits or fmt != "table":
        click.echo(
            _records([hit.row() for hit in hits], fmt, ["title", "date", "authors", "where"]),
            nl=False,
        )
    if not hits and limit != 0:
        _note(f"no paper's title has any of the words of {words!r}")
        sys.exit(FINDINGS)


def main(restore_signals: bool = False) -> None:
    """Entry point: no traceback reaches the user; exit codes follow kg.errors.

    Ctrl-C and SIGTERM stay kg's to the end. Once the command is over they are ignored: Python puts
    its own handlers back to the default while it shuts down (closing the store can take a moment),
    and a signal then would kill kg the default way. A caller that goes on after kg (a test) restores
    them instead."""
    stopping = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, _stop) for s in stopping if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        try:
            _main()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler if restore_signals else signal.SIG_IGN)
    except Stopped as e:  # arrived as the command ended, before the line above
        _quit("interrupted" if e.exit_code == INTERRUPTED else "terminated", e.exit_code)


def _main() -> None:
    if sys.stdout is None:  # started with stdout closed (`kg ... >&-`): the output would vanish
        _quit("standard output is closed: kg has nowhere to write its output", CANNOT_RUN)
    try:
        cli.main(standalone_mode=False, prog_name="kg")
        _flush_output()
    except click.exceptions.Abort:
        _quit("interrupted", INTERRUPTED)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except SystemExit:
        # click's way of saying the reader left: it wraps stdout (the class's name varies between versions)
        if type(sys.stdout).__name__ in ("PacifyFlushWrapper", "_PacifyFlushWrapper"):
            _quit_quietly()
        raise
    except KgError as e:
        _quit(e.message, e.exit_code)
    except BrokenPipeError:
        _quit_quietly()  # `kg export | head`: the reader left; not an error of ours.
    except OSError as e:  # the environment: permissions, a full disk, a missing folder, stdout
        _drop_pending_output()
        if _in_echo(e):
            _quit(f"cannot write the output: {e.strerror or e}", CANNOT_RUN)
        _quit(describe_os_error(e), CANNOT_RUN)
    except KeyboardInterrupt:
        _quit("interrupted", INTERRUPTED)
    except Stopped as e:
        _quit("interrupted" if e.exit_code == INTERRUPTED else "terminated", e.exit_code)
    except Exception as e:
        if os.environ.get("KG_DEBUG"):
            raise
        _quit(f"internal error: {type(e).__name__}: {e} (set KG_DEBUG=1 to see where)", INTERNAL)
    sys.exit(0)


def _stop(signum, frame) -> None:
    """Ctrl-C or SIGTERM: unwind (click would turn a KeyboardInterrupt into a blank line and Abort)."""
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)  # one is enough: a second must not cut the cleanup short
    raise Stopped(signum)


def _quit(message: str, code: int) -> None:
    """One line on stderr, then exit: whatever state stderr is in."""
    with suppress(Exception):
        click.echo(render.visible(f"kg: {message}"), err=True)
    sys.exit(code)


def _flush_output() -> None:
    """Flush stdout here, not at exit: a full disk is reported like any failure (a closed pipe is quiet)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        _drop_pending_output()
        _quit(f"cannot write the output: {e.strerror or e}", CANNOT_RUN)


def _in_echo(error: BaseException) -> bool:
    """Whether the error came from writing the output (click.echo), not from a file or the store."""
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "echo" and os.sep + "click" + os.sep in code.co_filename:
            return True
        tb = tb.tb_next
    return False


def _quit_quietly() -> None:
    """The reader of stdout left: stop without an error, and without Python complaining at exit."""
    _drop_pending_output()
    sys.exit(0)


def _drop_pending_output() -> None:
    """Point stdout at /dev/null, so that what is still buffered cannot fail again at exit."""
    with suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
