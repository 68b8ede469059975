"""Linked Data: every IRI kg mints answers at its own path on kg serve.

The IRIs name people, papers and organisations, not documents, so they answer as the W3C note "Cool
URIs for the Semantic Web" describes for slash IRIs: `303 See Other` to a document about the thing,
chosen by the Accept header (`Vary: Accept`): a browser goes to the page (`/doc/...`), a program to the
data (`/data/....ttl`, `.jsonld`, `.nt`, `.rdf`). Those documents answer 200 at their own addresses,
which can be linked and cached without negotiation. The data is the node's statements and those of
its sources: a person's authorships, a paper's listings, each with its page file and line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

import pyoxigraph as ox

from kg.model.vocab import PREFIXES, RDF_TYPE, XSD
from kg.site.html import error_page, esc, href, layout, link, table
from kg.site.http import Request, Response, accepted

if TYPE_CHECKING:
    from kg.api import Graph
    from kg.site.app import Site

# The kinds of IRI kg mints under the base (kg.vocab.Iris).
KINDS = ("person", "paper", "org", "category", "page", "listing", "authorship", "graph")

# Extension, format (kg.render), media type: the data documents.
DATA = {
    ".ttl": ("turtle", "text/turtle"),
    ".jsonld": ("jsonld", "application/ld+json"),
    ".nt": ("ntriples", "application/n-triples"),
    ".rdf": ("rdfxml", "application/rdf+xml"),
}
OFFERED = ["text/html", "application/xhtml+xml", *(media for _, media in DATA.values())]


def is_minted(rest: str) -> bool:
    """Whether a path below the base's names a node kg mints (person/..., paper/..., ...)."""
    kind, sep, tail = rest.partition("/")
    return kind in KINDS and bool(sep and tail)


def _iri(graph: Graph, rest: str) -> str | None:
    try:
        return ox.NamedNode(graph.base + rest).value
    except ValueError:
        return None


def _exists(graph: Graph, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return graph.sparql(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}") is True


def see_other(request: Request, graph: Graph, rest: str) -> Response:
    """A node's IRI: 303 to its page or its data, as the Accept header prefers."""
    iri = _iri(graph, rest)
    if iri is None or not _exists(graph, iri):
        return error_page(404, f"the graph has nothing named {graph.base}{rest}")
    media = accepted(request.headers.get("accept", ""), OFFERED)
    if media is None:
        answer = error_page(406, "this resource is available as " + ", ".join(OFFERED))
        answer.headers["Vary"] = "Accept"
        return answer
    if media in ("text/html", "application/xhtml+xml"):
        target = "/doc/" + rest
    else:
        extension = next(ext for ext, (_, m) in DATA.items() if m == media)
        target = "/data/" + rest + extension
    body = f'<p>See <a href="{href(target)}">{esc(target)}</a>.</p>'.encode()
    headers = {"Location": quote(target, safe="/~-_."), "Vary": "Accept"}
    return Response(303, body, headers=headers)


def data(site: Site, request: Request, graph: Graph) -> Response:
    """/data/REST.EXT: the node's Linked Data in the format of the extension."""
    from kg.present.render import format_graph

    path = request.path[len("/data/") :]
    extension = next((ext for ext in DATA if path.endswith(ext)), None)
    if extension is None:
        return error_page(404, f"no data at {request.path}: add one of {', '.join(DATA)}")
    rest = path[: -len(extension)]
    iri = _iri(graph, rest) if is_minted(rest) else None
    triples = graph.node_triples(iri) if iri else []
    if not triples:
        return error_page(404, f"the graph has nothing named {graph.base}{rest}")
    fmt, media = DATA[extension]
    text = format_graph(triples, fmt)
    return Response(
        200,
        text.encode("utf-8"),
        content_type=f"{media}; charset=utf-8",
        headers={"Link": f'<{iri}>; rel="describes"'},
    )


def node_page(site: Site, request: Request, graph: Graph) -> Response:
    """/doc/REST: any node kg minted, with its statements."""
    rest = request.path[len("/doc/") :]
    iri = _iri(graph, rest) if is_minted(rest) else None
    view = graph.node(iri) if iri else None
    if view is None:
        return error_page(404, f"the graph has nothing named {graph.base}{rest}")
    types = ", ".join(esc(compact(t)) for t in view.types)
    rows = [
        [f"<code>{esc(compact(p.value))}</code>", _value(o, view.labels, graph.base)]
        for p, o in view.statements
        if p.value != RDF_TYPE
    ]
    data_path = "/data/" + rest
    body = (
        f"<h1>{esc(view.label())}</h1>"
        f'<p class="sub"><code>{esc(iri)}</code>{" · " + types if types else ""}</p>'
        f'<p>As <a href="{href(data_path + ".ttl")}">Turtle</a>, <a href="{href(data_path + ".jsonld")}">JSON-LD</a>, '
        f'<a href="{href(data_path + ".nt")}">N-Triples</a>.</p>'
        + table("what the graph states about it", ["property", "value"], rows)
    )
    return layout(view.label(), body)


def compact(iri: str) -> str:
    """An IRI as prefix:name where kg knows the prefix."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _value(term: object, labels: dict[str, str], base: str) -> str:
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(base):
            return link(term.value, labels.get(term.value, term.value[len(base) :]), base)
        return f"<code>{esc(compact(term.value))}</code>"
    if isinstance(term, ox.Literal):
        kind = term.datatype.value
        shown = esc(term.value)
        if kind.startswith(XSD) and kind != XSD + "string":
            shown += f' <small class="sub">{esc(compact(kind))}</small>'
        return shown
    return esc(str(term))
