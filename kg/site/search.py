"""The home page, and search: people by name (as `kg query` and `kg people` match a name) and papers by
the words of their titles (as `kg search` ranks them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.errors import KgError, NameNotFound
from kg.site.html import esc, layout, link, plural, table
from kg.site.http import Request, Response

if TYPE_CHECKING:
    from kg.api import Graph
    from kg.site.app import Site

PEOPLE_SHOWN = 100  # people listed for a search; the rest counted
PAPERS_SHOWN = 50  # papers listed for a search (kg search --limit)


def home(site: Site, request: Request, graph: Graph) -> Response:
    counts = site.stats(graph)
    kinds = (("papers", "paper", "papers"), ("people", "person", "people"), ("pages", "page", "pages"))
    shown = ", ".join(plural(counts[k], one, many) for k, one, many in kinds if k in counts)
    body = f"""<h1>The graph</h1>
<p class="sub">{esc(shown)} in {esc(graph.source)}.</p>
<form action="/search" method="get">
<p><label for="home-q">A person's name, or words of a title</label><br>
<input id="home-q" name="q" type="search" size="50"> <button type="submit">Search</button></p>
</form>
<ul>
<li><a href="/coi">Check reviewers and authors for conflicts of interest</a> (as <code>kg coi</code>)</li>
<li><a href="/sparql">Ask the graph in SPARQL</a>, starting from kg's canned queries (as <code>kg sparql</code>)</li>
<li>The SPARQL 1.1 endpoint is <code>/query</code> (for <code>kg query --endpoint</code> and any SPARQL client)</li>
</ul>
<p>Every IRI the graph mints answers here: <code>{esc(graph.base)}person/…</code> is at the same
path on this server, as a page for a browser, or as Turtle, JSON-LD or N-Triples for a program that
asks for them (its Accept header).</p>"""
    return layout("The graph", body)


def page(site: Site, request: Request, graph: Graph) -> Response:
    text = request.param("q").strip()
    if not text:
        body = """<h1>Search</h1>
<form action="/search" method="get"><p><label for="search-q">A person's name, or words of a title</label><br>
<input id="search-q" name="q" type="search" size="50"> <button type="submit">Search</button></p></form>"""
        return layout("Search", body, search=text)
    parts = [f"<h1>Search: {esc(text)}</h1>"]
    parts.append(_best_person(graph, text))
    parts.append(_people(graph, text))
    parts.append(_papers(graph, text))
    return layout(f"Search: {text}", "\n".join(parts), search=text)


def _best_person(graph: Graph, text: str) -> str:
    """The person `kg query` would take the text for, if it names one."""
    try:
        person = graph.person(text)
    except NameNotFound as e:
        return f'<p class="note" id="best-person">{esc(e.message)}</p>'
    except KgError:
        return ""
    return f'<p id="best-person">The person <code>kg query</code> takes this name for: {link(person.iri, person.name, graph.base)}</p>'


def _people(graph: Graph, text: str) -> str:
    from kg.query.person_lookup import words

    if not words(text):
        return ""
    found = graph.people(text)
    rows = [
        [link(p.iri, p.name, graph.base), esc(", ".join(n for n in p.names if n != p.name))]
        for p in found[:PEOPLE_SHOWN]
    ]
    more = (
        f"<p>and {plural(len(found) - PEOPLE_SHOWN, 'more person', 'more people')}: give more of the name.</p>"
        if len(found) > PEOPLE_SHOWN
        else ""
    )
    if not found:
        return '<h2 id="people">People</h2><p>No person\'s name holds every word.</p>'
    caption = f"{plural(len(found), 'person', 'people')} whose name holds every word"
    return f'<h2 id="people">People</h2>{table(caption, ["person", "also printed as"], rows, ident="people-table")}{more}'


def _papers(graph: Graph, text: str) -> str:
    try:
        hits = graph.search(text, limit=PAPERS_SHOWN)
    except KgError as e:
        return f'<h2 id="papers">Papers</h2><p class="note">{esc(e.message)}</p>'
    if not hits:
        return '<h2 id="papers">Papers</h2><p>No paper\'s title has any of the words.</p>'
    rows = [
        [
            link(h.paper, h.title, graph.base),
            esc(h.date),
            esc(h.authors + (" et al." if h.truncated else "")),
            f'<span class="where">{esc(h.where)}</span>',
        ]
        for h in hits
    ]
    caption = f"the {plural(len(hits), 'paper')} whose titles best match (as kg search ranks them)"
    return f'<h2 id="papers">Papers</h2>{table(caption, ["title", "date", "authors", "where"], rows, ident="papers-table")}'
