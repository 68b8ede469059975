"""A person page: spellings, profiles, papers by year with the listings behind them, coauthors with
shared-paper counts (and the mark when a count is a lower bound), organisations, topics, and the
coauthor picture `kg graph coauthors-of` draws. Its tables are `kg query`'s answers (Graph.person_view)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.model.vocab import KG
from kg.site.html import esc, href, layout, link, plural, table
from kg.site.http import Request, Response

if TYPE_CHECKING:
    from kg.api import Graph
    from kg.query.nodes import PersonView
    from kg.site.app import Site

PREFIX = "/doc/person/"
PICTURE = "/picture/person/"
PAPERS_SHOWN = 200  # papers on a page, newest first, unless all are asked for (?all=1)
COAUTHORS_SHOWN = 200  # coauthors on a page, most shared papers first, unless all are asked for
PLACES_SHOWN = 5  # listings named per paper; the paper's page names them all


def person_iri(graph: Graph, rest: str) -> str | None:
    """The IRI of the person at this path, when the graph has such a person."""
    try:
        node = ox.NamedNode(graph.base + "person/" + rest)
    except ValueError:
        return None
    if not rest or graph.sparql(f"ASK {{ {node} a <{KG}Person> }}") is not True:
        return None
    return node.value


def page(site: Site, request: Request, graph: Graph) -> Response:
    from kg.site.html import error_page

    rest = request.path[len(PREFIX) :]
    iri = person_iri(graph, rest)
    if iri is None:
        return error_page(404, f"no person at {request.path}")
    everything = request.param("all") == "1"
    view = graph.person_view(iri, listed=None if everything else PAPERS_SHOWN)
    return layout(view.label, render(view, graph.base, rest, everything))


def render(view: PersonView, base: str, rest: str, everything: bool = False) -> str:
    parts = [
        f"<h1>{esc(view.label)}</h1>",
        f'<p class="sub"><code>{esc(view.iri)}</code> · as <a href="{href("/data/person/" + rest + ".ttl")}">Turtle</a>, '
        f'<a href="{href("/data/person/" + rest + ".jsonld")}">JSON-LD</a>, '
        f'<a href="{href("/data/person/" + rest + ".nt")}">N-Triples</a></p>',
        _summary(view),
        _spellings(view, base),
        _profiles(view, base),
        _papers(view, base, rest, everything),
        _coauthors(view, base, rest, everything),
        _orgs(view, base),
        _topics(view, base),
        _picture(view, rest),
    ]
    return "\n".join(p for p in parts if p)


def _summary(view: PersonView) -> str:
    links = [
        ("#papers", plural(len(view.papers.rows), "paper")),
        ("#coauthors", plural(len(view.coauthors.rows), "coauthor")),
        ("#orgs", plural(len(view.orgs.rows), "organisation")),
        ("#topics", plural(len(view.topics.rows), "topic")),
    ]
    items = " · ".join(f'<a href="{h}">{esc(t)}</a>' for h, t in links)
    return f'<nav aria-label="On this page"><p>{items} · <a href="#picture">coauthor picture</a></p></nav>'


def _spellings(view: PersonView, base: str) -> str:
    printed = dict(view.printed)
    counts = {name: f" (printed on {plural(n, 'listing')})" for name, n in printed.items()}
    items = "".join(f"<li>{esc(name)}{esc(counts.get(name, ''))}</li>" for name in view.names)
    notes = []
    if view.curated:
        notes.append(f"<p>The curation file names this person {esc(view.curated)}.</p>")
    if len(view.names) > 1:
        notes.append(f"<p>Printed {len(view.names)} ways, held to be one person.</p>")
    if view.namesakes:
        others = ", ".join(link(iri, label, base) for iri, label in view.namesakes)
        notes.append(
            f'<p class="note" id="namesakes">Also printed with one of these names, and held to be someone else: {others}.</p>'
        )
    return f'<h2 id="names">Names</h2><ul class="names" aria-label="spellings">{items}</ul>{"".join(notes)}'


def _profiles(view: PersonView, base: str) -> str:
    if not view.profiles.rows:
        return ""
    records = view.profiles.records()
    columns = [v for v in view.profiles.vars if any(r[v] for r in records)]
    rows = []
    for record, node in zip(records, view.profiles.nodes, strict=True):
        cells = []
        for c in columns:
            value = record[c] or ""
            cells.append(link(node, value, base) if c == "page" and node else esc(value))
        rows.append(cells)
    return f'<h2 id="profiles">Profile pages</h2>{table("the profile pages this person owns (kg query profile)", columns, rows)}'


def _all_link(rest: str, anchor: str, shown: int, total: int, nouns: str) -> str:
    if shown >= total:
        return ""
    more = f'<a href="{href(PREFIX + rest, all="1")}#{anchor}">show all {total:,}</a>'
    return f'<p class="note">The first {shown:,} of {total:,} {nouns}; {more}.</p>'


def _papers(view: PersonView, base: str, rest: str, everything: bool) -> str:
    records = view.papers.records()
    if not records:
        return '<h2 id="papers">Papers</h2><p>No papers.</p>'
    total = len(records)
    shown = total if everything else min(total, PAPERS_SHOWN)
    out = [
        f'<h2 id="papers">Papers</h2><p class="sub">{plural(len(records), "paper")}, newest first, as <code>kg query papers-of</code> lists them; each with the listings (page:line) that show it.</p>'
    ]
    rows = list(zip(records, view.papers.nodes, strict=True))[:shown]
    for year, group in itertools.groupby(rows, key=lambda r: (r[0]["date"] or "")[:4] or "no date"):
        cells = []
        for record, paper in group:
            places = view.listings.get(paper or "", [])
            where = "<br>".join(f'<span class="where">{esc(p)}</span>' for p in places[:PLACES_SHOWN])
            if len(places) > PLACES_SHOWN and paper:
                where += f"<br>{link(paper, f'and {len(places) - PLACES_SHOWN} more', base)}"
            authors = esc(record["authors"] or "") + (" et al." if record["truncated"] == "true" else "")
            if paper in view.implied:
                authors += ' <span class="mark" title="the page lists this paper on its owner\'s profile, their name hidden behind et al.">(owner, behind et al.)</span>'
            cells.append(
                [
                    link(paper, record["title"] or "", base) if paper else esc(record["title"]),
                    esc(record["date"] or ""),
                    esc(record["category"] or ""),
                    "code" if record["code"] == "true" else "",
                    authors,
                    where,
                ]
            )
        heading = f'<h3 id="year-{esc(year)}">{esc(year)}</h3>'
        out.append(
            heading
            + table(
                f"{year}: {plural(len(cells), 'paper')}",
                ["title", "date", "category", "code", "authors", "listed at"],
                cells,
                wide=True,
                caption_shown=False,
            )
        )
    out.append(_all_link(rest, "papers", shown, total, "papers"))
    return "\n".join(out)


def _coauthors(view: PersonView, base: str, rest: str, everything: bool) -> str:
    records = view.coauthors.records()
    if not records:
        return '<h2 id="coauthors">Coauthors</h2><p>No coauthors.</p>'
    total = len(records)
    shown = total if everything else min(total, COAUTHORS_SHOWN)
    rows = []
    for record, other in list(zip(records, view.coauthors.nodes, strict=True))[:shown]:
        lower = record["lowerBound"] == "true"
        mark = '<span class="mark">at least</span> ' if lower else ""
        name = link(other, record["coauthor"] or "", base) if other else esc(record["coauthor"])
        rows.append([name, mark + esc(record["sharedPapers"] or "")])
    note = '<p class="sub">"at least": a shared paper\'s author list was cut ("et al."), so they may share more papers than the graph knows.</p>'
    caption = f"{plural(total, 'coauthor')}, most shared papers first (kg query coauthors-of)"
    listed = table(caption, ["coauthor", "shared papers"], rows, numeric=[1], ident="coauthors-table")
    return f'<h2 id="coauthors">Coauthors</h2>{note}{listed}{_all_link(rest, "coauthors", shown, total, "coauthors")}'


def _orgs(view: PersonView, base: str) -> str:
    records = view.orgs.records()
    if not records:
        return '<h2 id="orgs">Organisations</h2><p>None listed on their papers.</p>'
    rows = [
        [link(n, r["org"] or "", base) if n else esc(r["org"]), esc(r["papers"])]
        for r, n in zip(records, view.orgs.nodes, strict=True)
    ]
    return f'<h2 id="orgs">Organisations</h2>{table("organisations on their papers (kg query orgs-of)", ["organisation", "papers"], rows, numeric=[1], ident="orgs-table")}'


def _topics(view: PersonView, base: str) -> str:
    records = view.topics.records()
    if not records:
        return ""
    rows = [
        [
            link(n, r["category"] or "", base) if n else esc(r["category"]),
            esc(r["code"] or ""),
            esc(r["papers"]),
        ]
        for r, n in zip(records, view.topics.nodes, strict=True)
    ]
    return f'<h2 id="topics">Topics</h2>{table("categories of their papers (kg query topics-of)", ["category", "code", "papers"], rows, numeric=[2], ident="topics-table")}'


def _picture(view: PersonView, rest: str) -> str:
    src = href(PICTURE + rest)
    return (
        f'<h2 id="picture">Coauthor picture</h2><p class="sub">As <code>kg graph coauthors-of</code> draws it '
        f'(it needs JavaScript; the tables above hold the same facts). <a href="{src}">Open it on its own</a>.</p>'
        f'<iframe src="{src}" loading="lazy" title="{esc("coauthor network of " + view.label)}"></iframe>'
    )


def picture(site: Site, request: Request, graph: Graph) -> Response:
    """The coauthor picture of `kg graph coauthors-of PERSON` (depth 1, at most its default people)."""
    from kg.present import pictures
    from kg.query import network
    from kg.site.html import error_page

    rest = request.path[len(PICTURE) :]
    iri = person_iri(graph, rest)
    if iri is None:
        return error_page(404, f"no person at {request.path}")
    drawn = graph.coauthor_network(iri, 1, network.MAX_PEOPLE)
    csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    return Response(200, pictures.to_html(drawn).encode("utf-8"), headers={"Content-Security-Policy": csp})
