"""A paper page: title (and its other printings), date(s), authors in order with "et al." where the list
was cut and the page's owner where implied, organisations, category, code, and the listings behind it
(page:line, whose page, score)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.site.html import error_page, esc, href, layout, link, table
from kg.site.http import Request, Response

if TYPE_CHECKING:
    from kg.api import Graph
    from kg.query.nodes import PaperView
    from kg.site.app import Site

PREFIX = "/doc/paper/"


def page(site: Site, request: Request, graph: Graph) -> Response:
    rest = request.path[len(PREFIX) :]
    try:
        iri = ox.NamedNode(graph.base + "paper/" + rest).value
    except ValueError:
        iri = ""
    view = graph.paper_view(iri) if rest and iri else None
    if view is None:
        return error_page(404, f"no paper at {request.path}")
    return layout(view.title, render(view, graph.base, rest))


def render(view: PaperView, base: str, rest: str) -> str:
    data = "/data/paper/" + rest
    facts = [
        (
            "date",
            ", ".join(view.dates)
            + (f" (queries use {view.date})" if view.date and len(view.dates) > 1 else ""),
        ),
        ("category", link(view.category[0], view.category[1], base) if view.category else ""),
        ("code", "available" if view.has_code else "not shown on any listing"),
        ("author list", _list_kind(view)),
        ("organisations", ", ".join(link(iri, label, base) for iri, label in view.orgs) or "none listed"),
    ]
    shown = "".join(
        f"<dt>{esc(name)}</dt><dd>{value if name in ('category', 'organisations') else esc(value)}</dd>"
        for name, value in facts
    )
    parts = [
        f"<h1>{esc(view.title)}</h1>",
        f'<p class="sub"><code>{esc(view.iri)}</code> · as <a href="{href(data + ".ttl")}">Turtle</a>, '
        f'<a href="{href(data + ".jsonld")}">JSON-LD</a>, <a href="{href(data + ".nt")}">N-Triples</a></p>',
        f"<dl>{shown}</dl>",
        _titles(view),
        _authors(view, base),
        _listings(view, base),
        f'<h2 id="abstract">Abstract</h2><p>{esc(view.abstract)}</p>' if view.abstract else "",
    ]
    return "\n".join(p for p in parts if p)


def _list_kind(view: PaperView) -> str:
    count = f"{view.listed} name{'' if view.listed == 1 else 's'} shown" if view.listed is not None else ""
    return f"{count}, cut (et al.): there are more authors" if view.truncated else f"{count}, complete"


def _titles(view: PaperView) -> str:
    others = [t for t in view.titles if t != view.title]
    if not others:
        return ""
    items = "".join(f"<li>{esc(t)}</li>" for t in others)
    return f'<h2 id="titles">Also printed as</h2><ul class="names">{items}</ul>'


def _authors(view: PaperView, base: str) -> str:
    ranked = [a for a in view.authors if a.rank is not None]
    implied = [a for a in view.authors if a.rank is None]
    items = []
    for a in ranked:
        printed = [p for p in a.printed if p != a.label]
        also = f" (printed {esc(', '.join(printed))})" if printed else ""
        items.append(f"<li>{link(a.iri, a.label, base)}{also}</li>")
    listed = f'<ol id="author-list">{"".join(items)}</ol>'
    if view.truncated:
        listed += '<p id="et-al">et al.: the listings cut the list here, so there are more authors.</p>'
    owners = ""
    if implied:
        names = ", ".join(link(a.iri, a.label, base) for a in implied)
        whose = (
            "the owner of a profile page that lists this paper"
            if len(implied) == 1
            else "each the owner of a profile page that lists this paper"
        )
        owners = f'<p id="implied-authors">Also an author, behind "et al.": {names}, {whose}.</p>'
    return f'<h2 id="authors">Authors</h2><p class="sub">In the order the listings print them.</p>{listed}{owners}'


def _listings(view: PaperView, base: str) -> str:
    rows = [
        [
            link(x.iri, str(x.place), base),
            link(x.owner, view.labels.get(x.owner, x.owner), base) if x.owner else "(no owner: a list page)",
            esc(x.score or ""),
            "assumed (the page gave no year)" if x.year_assumed else "",
        ]
        for x in view.listings
    ]
    caption = f"the {len(rows)} listing{'' if len(rows) == 1 else 's'} that show this paper"
    return f'<h2 id="listings">Listed at</h2>{table(caption, ["page:line", "page owner", "score", "year"], rows, ident="listings-table")}'
