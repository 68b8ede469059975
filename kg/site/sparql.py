"""kg's query page: a SPARQL form that declares kg's prefixes, offers the canned queries as examples
(their text as `kg query --list` names them; a person's query with no name bound asks about everyone),
and shows the answer's values as values: `25`, not `"25"^^xsd:integer`; kg's nodes as links to their
pages. Read-only, as `kg sparql`: updates are refused, SERVICE too unless kg serve allows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import KgError
from kg.model.vocab import PREFIXES, XSD
from kg.site.html import esc, href, layout, link, table
from kg.site.http import Request, Response
from kg.site.linked import compact

if TYPE_CHECKING:
    from kg.api import Graph
    from kg.present.result import Result
    from kg.site.app import Site

ROWS_SHOWN = 1000  # rows a page shows; the rest counted as "more"

PROLOGUE = "".join(f"PREFIX {name}: <{namespace}>\n" for name, namespace in PREFIXES.items())
DEFAULT = (
    PROLOGUE
    + "\nSELECT ?person ?name WHERE {\n  ?person a kg:Person ; skos:prefLabel ?name .\n}\nORDER BY ?name\nLIMIT 20\n"
)


def example(name: str) -> str:
    """A canned query's text, as an example to edit."""
    from kg.api import canned_query

    return canned_query(name).text


def page(site: Site, request: Request, graph: Graph) -> Response:
    from kg.query.canned import Catalogue

    text = request.param("query")
    chosen = request.param("example")
    canned = request.param("canned")
    arguments = request.param("args")
    shown = text or (example(chosen) if chosen else DEFAULT)
    answer = ""
    try:
        if text.strip():
            answer = _answer(site, graph, text)
        elif canned:
            given = [line.strip() for line in arguments.splitlines() if line.strip()]
            answer = render(graph.query(canned, *given, limit=ROWS_SHOWN + 1), graph.base)
    except KgError as e:
        answer = f'<p class="error" role="alert" id="sparql-error">{esc(e.message)}</p>'
    queries = Catalogue().all()
    examples = "".join(
        f'<li><a href="{href("/sparql", example=q.name)}">{esc(q.name)}</a>: {esc(q.help)}</li>'
        for q in queries
    )
    options = "".join(
        f'<option value="{esc(q.name)}"{" selected" if q.name == canned else ""}>{esc(q.usage)}</option>'
        for q in queries
    )
    body = f"""<h1>SPARQL</h1>
<p class="sub">The whole graph, read-only, every named graph as one (as <code>kg sparql</code>). kg's prefixes are declared below;
the endpoint for programs is <code>/query</code>.</p>
<div class="cols">
<div style="flex:3">
<h2 id="own">Your query</h2>
<form method="get" action="/sparql">
<label for="sparql-text">Query</label>
<textarea id="sparql-text" name="query" rows="16">{esc(shown)}</textarea>
<p><button type="submit">Run</button></p>
</form>
</div>
<div style="flex:2">
<h2 id="canned">A canned query, as <code>kg query</code></h2>
<form method="get" action="/sparql">
<label for="canned-name">Query</label> <select id="canned-name" name="canned">{options}</select><br>
<label for="canned-args">Its arguments, one a line (people by name, as printed or any unique part)</label>
<textarea id="canned-args" name="args" rows="3">{esc(arguments)}</textarea>
<p><button id="canned-run" type="submit">Ask</button></p>
</form>
<h2 id="examples">Examples: their SPARQL</h2>
<p class="sub">Their parameters are unbound here: a query about a person asks about everyone.</p>
<ul>{examples}</ul>
</div>
</div>
<div id="sparql-answer">{answer}</div>"""
    return layout("SPARQL", body)


def _answer(site: Site, graph: Graph, text: str) -> str:
    """The answer of `text` as HTML, run on kg serve's Oxigraph server when there is one."""
    if site.endpoint is not None:
        from kg import api

        with api.open(endpoint=site.endpoint(), base=graph.base) as remote:
            result = remote.sparql(
                text, limit=ROWS_SHOWN + 1, timeout=site.timeout, allow_service=site.allow_service
            )
    else:
        result = graph.sparql(
            text, limit=ROWS_SHOWN + 1, timeout=site.timeout, allow_service=site.allow_service
        )
    return render(result, graph.base)


def render(result: Result | bool, base: str) -> str:
    from kg.present.render import format_graph
    from kg.query.answers import Solutions, Triples

    answer = result if isinstance(result, bool) else result.answer
    if isinstance(answer, bool):
        return f'<p id="sparql-boolean">The answer is <strong>{"yes" if answer else "no"}</strong> ({str(answer).lower()}).</p>'
    if isinstance(answer, Triples):
        turtle = format_graph(answer.triples[:ROWS_SHOWN], "turtle")
        return f"<h2>{len(answer.triples)} triples</h2><pre>{esc(turtle)}</pre>"
    assert isinstance(answer, Solutions)
    rows = answer.rows[:ROWS_SHOWN]
    more = len(answer.rows) > ROWS_SHOWN
    cells = [[value(t, base) for t in row] for row in rows]
    numeric = [
        i for i, _ in enumerate(answer.vars) if rows and all(_numeric(r[i]) for r in rows if r[i] is not None)
    ]
    caption = f"{len(rows)} row{'' if len(rows) == 1 else 's'}" + (
        f" (the first {ROWS_SHOWN}; there are more)" if more else ""
    )
    return table(caption, answer.vars, cells, numeric=numeric, ident="sparql-table")


def _numeric(term: object) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in (
        XSD + "integer",
        XSD + "decimal",
        XSD + "double",
        XSD + "float",
        XSD + "int",
        XSD + "long",
    )


def value(term: object, base: str) -> str:
    """A term as a reader reads it: a literal's value, kg's node as a link, another IRI compacted."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(base):
            return link(term.value, term.value[len(base) :], base)
        return f"<code>{esc(compact(term.value))}</code>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'{esc(term.value)} <small class="sub">@{esc(term.language)}</small>'
        return esc(term.value)
    if isinstance(term, ox.BlankNode):
        return f"<code>_:{esc(term.value)}</code>"
    return esc(str(term))
