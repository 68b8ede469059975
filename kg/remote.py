"""Queries on a remote SPARQL endpoint: `HttpEngine`, the Engine of kg.queries over the SPARQL 1.1 Protocol.

A query is sent as `POST` with `Content-Type: application/sparql-query` (no length limit, unlike GET).
SELECT and ASK ask for `application/sparql-results+json` (XML and TSV are read too); CONSTRUCT and
DESCRIBE for `application/n-triples` (Turtle and RDF/XML are read too). pyoxigraph parses the answer
into the same Solutions / bool / Graph a LocalEngine returns, so rendering does not know the difference.

Parameters travel inside the query text: kg.queries.bind_values writes them as escaped RDF terms in a
VALUES block, so no initBindings are needed and nothing the user types can change the query.

The endpoint must answer over all the graph's named graphs as its default graph, as the local store
does: `oxigraph serve --union-default-graph` (kg serve does), Virtuoso and QLever by default.
"""

from __future__ import annotations

import itertools

import pyoxigraph as ox

from kg.endpoint import Endpoint, EndpointError, Response, status_error
from kg.errors import KgError
from kg.queries import Opened, SparqlSyntaxError, open_local, query_form
from kg.render import Graph, Result, Solutions
from kg.vocab import base_from_env

RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8, text/tab-separated-values;q=0.5"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5"

_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # what some older servers call N-Triples
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


class HttpEngine:
    """Read-only SPARQL on an endpoint URL (e.g. http://localhost:7878/query)."""

    def __init__(self, url: str, user: str | None = None, password: str | None = None, timeout: float | None = None):
        self.endpoint = Endpoint(url, user=user, password=password, timeout=timeout)

    def run(self, query: str, limit: int | None = None) -> Result:
        makes_graph = query_form(query) in ("CONSTRUCT", "DESCRIBE")
        headers = {
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Accept": GRAPH_ACCEPT if makes_graph else RESULTS_ACCEPT,
        }
        response = self.endpoint.request("POST", body=query.encode("utf-8"), headers=headers)
        if not response.ok:
            raise self._error(response)
        return self._graph(response, limit) if makes_graph else self._results(response, limit)

    def _error(self, response: Response) -> KgError:
        url, status = self.endpoint.url, f"{response.status} {response.reason}".strip()
        if response.status == 400:
            return SparqlSyntaxError(f"{url} rejected the query ({status}): {response.excerpt()}")
        if response.status in (404, 405):
            return EndpointError(f"{url} answered {status}: no SPARQL query service there; give the query URL (an Oxigraph server's ends in /query)")
        return status_error(self.endpoint, response, "the query")

    def _results(self, response: Response, limit: int | None) -> Result:
        fmt = _RESULTS_FORMATS.get(response.media_type)
        if fmt is None:
            raise self._not_results(response, "SPARQL results")
        try:
            parsed = ox.parse_query_results(response.body, format=fmt)
            if isinstance(parsed, ox.QueryBoolean):
                return bool(parsed)
            names = [v.value for v in parsed.variables]
            rows = [tuple(solution[name] for name in names) for solution in itertools.islice(parsed, limit)]
        except SyntaxError as e:
            raise EndpointError(f"{self.endpoint.url} sent SPARQL results kg cannot read: {e}") from None
        return Solutions(names, rows)

    def _graph(self, response: Response, limit: int | None) -> Graph:
        fmt = _GRAPH_FORMATS.get(response.media_type)
        if fmt is None:
            raise self._not_results(response, "an RDF graph")
        try:
            return Graph([quad.triple for quad in itertools.islice(ox.parse(response.body, format=fmt), limit)])
        except SyntaxError as e:
            raise EndpointError(f"{self.endpoint.url} sent RDF kg cannot read: {e}") from None

    def _not_results(self, response: Response, wanted: str) -> EndpointError:
        got = response.media_type or "no content type"
        return EndpointError(f"{self.endpoint.url} answered with {got}, not {wanted}: is it a SPARQL query endpoint?")


def open_engine(store_path: str, endpoint: str | None = None, base: str | None = None) -> Opened:
    """The remote endpoint when one is given (person IRIs under `base`, KG_BASE or the default base),
    else the local store (which knows its own base)."""
    if endpoint:
        return Opened(HttpEngine(endpoint), base_from_env(base))
    return open_local(store_path)
