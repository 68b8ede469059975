"""The `kg` command line: parses arguments and calls the modules that do the work."""

from __future__ import annotations

import json
import os
import signal
import sys
from contextlib import contextmanager
from datetime import date

import click

from kg import __version__, render
from kg.errors import CANNOT_RUN, FINDINGS, INTERNAL, INTERRUPTED, KgError, Stopped, describe_os_error
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
    lines = [
        f"kg {__version__}: a knowledge graph of researchers, built from their profile pages.",
        "",
        "Commands:",
    ]
    for name, command in leaf_commands(cli, ctx):
        lines.append(f"  {name:<18} {command.get_short_help_str(60)}")
        lines.append(f"  {'':<18} e.g. {example_of(command)}")
    lines += ["", "Run kg COMMAND --help for the options of a command. Start with: kg build PAGES"]
    return "\n".join(lines)


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
        click.echo(render.format_records(rows, "table"), nl=False)


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
def build(paths, store_path, as_of, base, fresh, fmt, quiet):
    """Build or update the graph from profile pages.

    PATHS are page files, or folders searched for *.txt pages. Problems in the pages are reported as FILE:LINE: SEVERITY: MESSAGE on stderr; everything valid is
    stored. The build ends with a summary. Exit code 1 when any record was rejected.

    Example: kg build pages/ --as-of 2026-11-24
    """
    from kg.building import build as run_build

    with progress_bar(quiet) as progress:
        report = run_build(paths, store_path, as_of=as_of, base=base, fresh=fresh, progress=progress)
    for diagnostic in report.diagnostics:
        click.echo(render.visible(str(diagnostic)), err=True)
    summary = report.summary()
    if fmt == "json":
        summary["seconds"] = report.seconds()
    echo_summary(summary, fmt, "built")
    if report.rejected:
        sys.exit(FINDINGS)


@contextmanager
def progress_bar(quiet: bool):
    """A progress bar on stderr, on a terminal only, once a build takes more than a moment."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(unit="page", delay=1.0, file=sys.stderr, leave=False) as bar:

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield advance


@cli.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(store_path, fmt):
    """Count pages, listings, papers, people, orgs and triples.

    Triples are counted as stored: asserted (the page graphs and the graph of facts) and inferred.

    Example: kg stats --format json
    """
    from kg.building import COUNTS_KEY, store_stats

    kg = KgStore.open_read(store_path)
    echo_summary(store_stats(kg.store, kg.meta.extra.get(COUNTS_KEY, (0, 0))), fmt, "in the graph")


@cli.command()
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "ntriples", "jsonld", "trig", "nquads"]),
    default="turtle",
    show_default=True,
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

    Example: kg export --format trig -o graph.trig
    """
    from kg.export import export as run_export

    run_export(KgStore.open_read(store_path), fmt, inferred, output)


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
def validate(file, store_path, fmt):
    """Check an RDF file or the store against the SHACL shapes.

    FILE is any RDF file, e.g. an export; without it the store is checked.

    Exit code 0 when it conforms (warnings allowed), 1 on violations, 2 when it cannot run.

    Example: kg validate graph.ttl
    """
    from kg import validate as shacl

    outcome = shacl.validate_file(file) if file else shacl.validate_store(KgStore.open_read(store_path))
    if fmt == "turtle":
        click.echo(shacl.report_turtle(outcome), nl=False)
    else:
        for line in shacl.report_lines(outcome):
            click.echo(line)
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
    from kg.building import find_pages
    from kg.parse import listing_json, listing_row, parse_files

    parsed = parse_files(find_pages(paths), as_of or date.today())
    listings = [listing for page in parsed for listing in page.listings]
    for page in parsed:
        for diagnostic in page.diagnostics:
            click.echo(str(diagnostic), err=True)
    if fmt == "json":
        for listing in listings:
            click.echo(json.dumps(listing_json(listing), ensure_ascii=False))
    elif listings:
        click.echo(render.format_records([listing_row(listing) for listing in listings], "table"), nl=False)
    if any(page.errors for page in parsed):
        sys.exit(FINDINGS)


# --- commands: query, sparql ------------------------------------------------------------------
# (kept together; they share the store opening and the output formats)

from kg.render import GRAPH_FORMATS, RESULT_FORMATS, TABLE_FORMATS  # noqa: E402 - light (pyoxigraph only); needed for the choices

LIMIT_HELP = "Show at most N rows (or triples)."
ENDPOINT_HELP = "Query this SPARQL endpoint (e.g. http://localhost:7878/query) instead of the store."


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
@store_option
@click.option("--endpoint", metavar="URL", help=ENDPOINT_HELP)
@click.option(
    "--base",
    envvar="KG_BASE",
    metavar="IRI",
    help="With --endpoint: base IRI of the data there [env KG_BASE; default https://kg.example.org/id/].",
)
@click.option("--limit", type=click.IntRange(min=0), metavar="N", help=LIMIT_HELP)
@endpoint_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--why", is_flag=True, help="Follow each row with the pages and lines that support it (table format)."
)
def query_command(
    name, args, show_list, store_path, endpoint, base, user, password_env, graphs, limit, fmt, why
):
    """Run the canned query NAME with its arguments.

    People are named as printed; case, accents and extra spaces do not matter, and a unique part of
    a name will do. `kg query --list` shows the queries (one file each in queries/).

    Example: kg query coauthors-of "Suyog Gupta"
    """
    from kg import queries, render
    from kg.people import PersonResolver
    from kg.query_limits import run_limited
    from kg.remote import open_engine
    from kg.streaming import write_answer

    if show_list:
        click.echo(_query_list(queries.Catalogue().all()), nl=False)
        return
    canned = _canned_query(name)
    if why and fmt != "table":
        raise click.UsageError("--why shows supports under each row of a table: use it with --format table")
    try:
        queries.check_argument_count(canned, args)
        _refuse_endpoint_options_without_endpoint(endpoint)
        opened = open_engine(
            store_path,
            endpoint,
            base,
            user,
            _password(user, password_env) if endpoint else None,
            list(graphs),
        )
        resolver = PersonResolver(opened.engine, opened.base, note=_note)
        params = queries.parse_arguments(canned, args, resolver)
        text = queries.bind_values(canned.text, params)
        if not why:  # written as it comes
            write_answer(opened.engine, text, fmt, limit=limit, width=render.terminal_width(), note=_note)
            return
        result = run_limited(lambda: opened.engine.run(text, limit=limit), None)  # Ctrl-C heard at once
    except queries.ArgumentError as e:
        raise click.UsageError(e.message) from None
    _emit_with_supports(opened.engine, canned, params, result)


def _emit_with_supports(engine, canned, params, result) -> None:
    from kg import render, why

    text = why.why_query(canned)
    if text is None:
        raise click.UsageError(f"{canned.name} has no --why: its rows are not drawn from listings")
    found = [why.supports(engine, text, params, result.vars, row) for row in result.rows]
    click.echo(why.table_with_supports(render.format_result(result, "table"), found), nl=False)


def _canned_query(name):
    from kg.api import QueryNotFound, canned_query

    try:
        return canned_query(name)
    except QueryNotFound as e:
        raise click.UsageError(e.message) from None


_KIND_TEXT = {"person": "a name", "people": "one or more names", "integer": "an integer", "text": "text"}


def _query_list(canned_queries) -> str:
    lines = []
    for canned in canned_queries:
        lines += [canned.usage, f"    {canned.help}"]
        lines += [f"    {p.metavar}  {p.meaning} ({_KIND_TEXT[p.kind]})" for p in canned.params]
        lines.append("")
    return "\n".join(lines)


@cli.command("sparql")
@click.argument("query", metavar="QUERY|@FILE|-")
@store_option
@click.option("--endpoint", metavar="URL", help=ENDPOINT_HELP)
@endpoint_options
@click.option("--limit", type=click.IntRange(min=0), metavar="N", help=LIMIT_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS + GRAPH_FORMATS),
    default=None,
    help="SELECT/ASK: table (default), csv, tsv, json, xml. CONSTRUCT/DESCRIBE: turtle (default), ntriples, jsonld, rdfxml.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop the query after this long (exit 2) [default: no limit].",
)
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
    from kg import queries, render
    from kg.query_limits import refuse_service
    from kg.remote import open_engine
    from kg.streaming import write_answer

    text = _sparql_text(query)
    queries.refuse_updates(text)
    if not allow_service:
        refuse_service(text)
    fmt = _sparql_format(queries.query_form(text), fmt)
    _refuse_endpoint_options_without_endpoint(endpoint)
    opened = open_engine(
        store_path, endpoint, None, user, _password(user, password_env) if endpoint else None, list(graphs)
    )
    write_answer(
        opened.engine, text, fmt, limit=limit, timeout=timeout, width=render.terminal_width(), note=_note
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

from kg.pictures import FORMATS as PICTURE_FORMATS  # noqa: E402 - stdlib only; needed for the choices


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
@store_option
@click.option(
    "--max-people",
    type=click.IntRange(min=1),
    default=150,
    show_default=True,
    metavar="N",
    help="Draw at most N people (NAME included), strongest links first; the rest are counted in the legend.",
)
def graph_coauthors_of(name, depth, fmt, output, store_path, max_people):
    """Draw the coauthor network of NAME.

    The people NAME shares papers with, and the papers they share.

    A circle is a person, larger for more papers in the graph. A line joins two people who share
    papers, thicker for more; dashed when a shared paper's author list was cut ("et al."), so the
    count is a lower bound. Names are matched as in kg query.

    Example: kg graph coauthors-of "Suyog Gupta" -o suyog.html

    Example: kg graph coauthors-of "Suyog Gupta" --depth 2 --format gexf -o suyog.gexf
    """
    from kg import network, pictures, queries
    from kg.people import PersonResolver

    fmt = fmt or pictures.format_for_path(output)
    if fmt is None:
        raise click.UsageError(
            f"cannot tell the format from {output!r}; give --format ({', '.join(PICTURE_FORMATS)})"
        )
    opened = queries.open_local(store_path)
    person = PersonResolver(opened.engine, opened.base, note=_note)(name)
    drawn = network.ego_network(opened.engine, person, depth=int(depth), max_people=max_people)
    pictures.save(pictures.render(drawn, fmt), output)
    if output != "-":
        _note(
            f"wrote {output}: {len(drawn.nodes)} people, {len(drawn.edges)} links" + pictures.left_out(drawn)
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
def serve_command(store_path, bind, timeout, allow_service):
    """Serve the graph read-only over SPARQL, with a query page.

    Runs the Oxigraph server (oxigraph serve-read-only) on the store: the query page is at the URL
    printed, the SPARQL 1.1 Protocol endpoint at /query (for kg query/sparql --endpoint), the
    Graph Store Protocol at /store. All named graphs are queried as one default graph, as in kg
    query. Updates are refused. A build that makes a new graph live is picked up. Ctrl-C stops it.

    Example: kg serve --bind 127.0.0.1:7878
    """
    from kg.serve import serve

    serve(store_path, bind, say=click.echo, note=_note, timeout=timeout, allow_service=allow_service)


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
    default=100_000,
    show_default=True,
    metavar="N",
    help="At most N triples per request: a bigger graph goes as a PUT, then POSTs.",
)
def push_command(endpoint, store_path, user, password_env, batch_triples):
    """Send the graph to a SPARQL 1.1 Graph Store endpoint.

    Each named graph (every page's, the inferred ones, the ontology's) replaces its namesake on the
    server: PUT URL?graph=IRI with N-Triples. Transient failures (connection, 429, 502-504) are
    tried 3 times; any other failure stops the push with exit code 2, saying how many graphs were
    sent.

    Example: kg push --endpoint http://localhost:7878/store
    """
    from kg.endpoint import Endpoint
    from kg.push import push

    target = Endpoint(endpoint, user=user, password=_password(user, password_env))
    kg_store = KgStore.open_read(store_path)
    report = push(kg_store, target, batch_triples=batch_triples)
    click.echo(report.line(target.url))


def main(restore_signals: bool = False) -> None:
    """Entry point: no traceback reaches the user; exit codes follow kg.errors.

    Ctrl-C and SIGTERM stay kg's to the end: put back before the process exits, a signal in that last
    moment would kill it the default way. A caller that goes on after kg (a test) restores them."""
    stopping = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, _stop) for s in stopping if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        _main()
    finally:
        if restore_signals:
            for s, handler in previous.items():
                signal.signal(s, handler)


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
        if isinstance(sys.stdout, click.utils.PacifyFlushWrapper):  # click's way of saying the reader left
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
    try:
        click.echo(render.visible(f"kg: {message}"), err=True)
    except Exception:
        pass
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
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
