"""Queries on a remote SPARQL endpoint: `HttpEngine`, the Engine of kg.queries over the SPARQL 1.1 Protocol.

A query is sent as a form-encoded POST (`query=...`), which every SPARQL 1.1 engine must accept and
which has no length limit (Virtuoso 7 never answers `Content-Type: application/sparql-query`).
SELECT and ASK ask for `application/sparql-results+json` (XML and TSV are read too); CONSTRUCT and
DESCRIBE for `application/n-triples` (Turtle and RDF/XML are read too). pyoxigraph parses the answer
into the same Solutions / bool / Triples a LocalEngine returns, so rendering does not know the difference.

What engines do differently is smoothed out here, or refused rather than shown wrong:
- an ASK answered as a one-row result set (Virtuoso without CaseMode 2) is read as the boolean it is;
- blank nodes of any spelling (Virtuoso's `nodeID://b10006`) are accepted;
- booleans are shown in their canonical form, `true`/`false` (Virtuoso writes every xsd:boolean as
  `1`/`0`, the same values in XSD);
- a partial answer is an error, never shown as complete: Virtuoso flags one cut by its
  MaxQueryExecutionTime with the header `X-SQL-State: S1TAT`, and one cut at its row cap
  (ResultSetMaxRows, 10,000 as packaged) with `X-SPARQL-MaxRows: N` and N rows.

Parameters travel inside the query text: kg.queries.bind_values writes them as escaped RDF terms in a
VALUES block, so no initBindings are needed and nothing the user types can change the query.

Which graphs a query reads: by default the endpoint's default graph, which must be the union of kg's
graphs as in the local store (`oxigraph serve --union-default-graph`, as kg serve does). An engine
whose default graph holds more than kg's data (Virtuoso's holds its own system graphs) is given the
graphs by name: `default-graph-uri` and `named-graph-uri` parameters of the protocol, listed
explicitly, or found on the endpoint (every named graph under `BASE graph/`, see `KG_GRAPHS`).
"""

from __future__ import annotations

import http.client
import io
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any, TypeVar
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.errors import KgError
from kg.model.vocab import base_from_env
from kg.query.answers import Answer, RowStream, Solutions, Streamed, Term, Triples, TripleStream
from kg.query.canned import SparqlSyntaxError
from kg.query.endpoint import Endpoint, EndpointError, Overdue, Response, status_error
from kg.query.sparql_text import query_form

T = TypeVar("T")

RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.8, text/tab-separated-values;q=0.5"
)
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


KG_GRAPHS = "kg"  # stands for every named graph of kg's on the endpoint (those under BASE graph/)
PARTIAL_STATES = {"S1TAT"}  # Virtuoso's X-SQL-State for "MaxQueryExecutionTime reached, partial result"


class HttpEngine:
    """Read-only SPARQL on an endpoint URL (e.g. http://localhost:7878/query).

    `graphs`: None to read the endpoint's default graph; else the graph IRIs to read as the default
    graph (and as the named graphs), where the single entry "kg" stands for every graph under
    `base`'s graph/ on the endpoint, listed once on first use."""

    def __init__(
        self,
        url: str,
        user: str | None = None,
        password: str | None = None,
        timeout: float | None = None,
        graphs: list[str] | None = None,
        base: str | None = None,
    ):
        self.endpoint = Endpoint(url, user=user, password=password, timeout=timeout)
        self.graphs = list(graphs) if graphs else None
        self.base = base_from_env(base)

    def run(self, query: str, limit: int | None = None) -> Answer:
        form = query_form(query)
        makes_graph = form in ("CONSTRUCT", "DESCRIBE")
        response = self._post(query, self._dataset(), GRAPH_ACCEPT if makes_graph else RESULTS_ACCEPT)
        if makes_graph:
            return self._graph(response, limit)
        return self._results(response, limit, ask=form == "ASK")

    def stream(self, query: str, limit: int | None = None) -> Streamed:
        """The answer as it arrives (kg.streaming): the response is parsed as it is read, never held;
        but an answer that may be cut at the endpoint's row cap (X-SPARQL-MaxRows), when more rows than
        the cap are wanted (`limit`), is read whole first (the cap bounds it), so that a cut one is an
        error before any row is shown."""
        form = query_form(query)
        makes_graph = form in ("CONSTRUCT", "DESCRIBE")
        accept = GRAPH_ACCEPT if makes_graph else RESULTS_ACCEPT
        response = self._post(query, self._dataset(), accept, stream=True)
        body = response.stream
        try:
            if makes_graph:
                fmt = _GRAPH_FORMATS.get(response.media_type)
                if fmt is None:
                    raise self._not_results(response, "an RDF graph")
                return TripleStream(self._read(body, (quad.triple for quad in ox.parse(body, format=fmt))))
            results_format = _RESULTS_FORMATS.get(response.media_type)
            if results_format is None:
                raise self._not_results(response, "SPARQL results")
            reader = io.BufferedReader(BlankNodeLabels(body, results_format))
            try:
                parsed = ox.parse_query_results(reader, format=results_format)
            except SyntaxError as e:
                raise EndpointError(f"{self.endpoint.url} sent SPARQL results kg cannot read: {e}") from None
            if isinstance(parsed, ox.QueryBoolean):
                body.close()
                return bool(parsed)
            names = [v.value for v in parsed.variables]
            rows = (tuple(map(canonical, (solution[name] for name in names))) for solution in parsed)
            if form == "ASK":
                found = self._ask_rows(list(self._read(body, rows)))
                return found
            cap_text = response.headers.get("x-sparql-maxrows", "").strip()
            cap = int(cap_text) if cap_text.isdigit() else None
            if cap is not None and (limit is None or limit > cap):
                return RowStream(names, iter(list(self._read(body, rows, cap))))
            return RowStream(names, self._read(body, rows))
        except BaseException:
            body.close()
            raise

    def _read(self, body: Any, items: Iterator[T], cap: int | None = None) -> Iterator[T]:
        """`items` as they are parsed from the response `body`, which is closed when they end or are no
        longer wanted; the errors of a response cut short or malformed, as EndpointErrors."""
        count = 0
        try:
            for item in items:
                count += 1
                yield item
        except SyntaxError as e:
            raise EndpointError(f"{self.endpoint.url} sent an answer kg cannot read: {e}") from None
        except Overdue as e:
            raise self.endpoint.overdue(e) from None
        except (OSError, http.client.HTTPException) as e:
            raise EndpointError(
                f"lost the connection to {self.endpoint.url} while reading the answer ({e}): "
                "what came of it is incomplete"
            ) from None
        finally:
            body.close()
        if cap is not None and count >= cap:
            raise EndpointError(
                f"{self.endpoint.url} cut the answer at its row cap of {cap:,} rows (X-SPARQL-MaxRows): "
                "kg does not show it as complete (Virtuoso: raise ResultSetMaxRows in [SPARQL] of virtuoso.ini)"
            )

    def _post(self, query: str, graphs: list[str], accept: str, stream: bool = False) -> Response:
        fields = (
            [("query", query)]
            + [("default-graph-uri", g) for g in graphs]
            + [("named-graph-uri", g) for g in graphs]
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        response = self.endpoint.request(
            "POST", body=urlencode(fields).encode("ascii"), headers=headers, stream=stream
        )
        if not response.ok:
            raise self._error(response)
        state = response.headers.get("x-sql-state", "").strip()
        if state in PARTIAL_STATES:
            if response.stream is not None:
                response.stream.close()
            raise EndpointError(
                f"{self.endpoint.url} answered with a partial result (X-SQL-State: {state}, its time limit was reached): "
                "kg does not show it as complete (Virtuoso: raise MaxQueryExecutionTime in [SPARQL] of virtuoso.ini, 0 for none)"
            )
        return response

    def _dataset(self) -> list[str]:
        if self.graphs == [KG_GRAPHS]:
            self.graphs = self._kg_graphs()
        return self.graphs or []

    def _kg_graphs(self) -> list[str]:
        prefix = f"{self.base}graph/"
        # Every graph kg writes types something; with the predicate bound, engines answer from an index
        # (Virtuoso: 0.3 s for 1,000 pages, against 5 s for `?s ?p ?o`).
        query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s a ?type }} FILTER (STRSTARTS(STR(?g), {json.dumps(prefix)})) }}"
        found = self._results(self._post(query, [], RESULTS_ACCEPT), None, ask=False)
        rows = found.rows if isinstance(found, Solutions) else []
        graphs = sorted(row[0].value for row in rows if isinstance(row[0], ox.NamedNode))
        if not graphs:
            raise KgError(
                f"{self.endpoint.url} holds no graph under {prefix}: push the graph there first, or check --base"
            )
        return graphs

    def _error(self, response: Response) -> KgError:
        url, status = self.endpoint.url, f"{response.status} {response.reason}".strip()
        if response.status == 400:
            return SparqlSyntaxError(f"{url} rejected the query ({status}): {response.excerpt()}")
        if response.status in (404, 405):
            return EndpointError(
                f"{url} answered {status}: no SPARQL query service there; give the query URL (an Oxigraph server's ends in /query)"
            )
        return status_error(self.endpoint, response, "the query")

    def _results(self, response: Response, limit: int | None, ask: bool) -> Answer:
        fmt = _RESULTS_FORMATS.get(response.media_type)
        if fmt is None:
            raise self._not_results(response, "SPARQL results")
        body = any_blank_nodes(response.body, fmt)
        try:
            parsed = ox.parse_query_results(body, format=fmt)
            if isinstance(parsed, ox.QueryBoolean):
                return bool(parsed)
            names = [v.value for v in parsed.variables]
            rows = [
                tuple(map(canonical, (solution[name] for name in names)))
                for solution in itertools.islice(parsed, None if ask else limit)
            ]
        except SyntaxError as e:
            raise EndpointError(f"{self.endpoint.url} sent SPARQL results kg cannot read: {e}") from None
        if ask:
            return self._ask_rows(rows)
        cap = response.headers.get("x-sparql-maxrows", "").strip()
        if cap.isdigit() and len(rows) >= int(cap) and (limit is None or limit > int(cap)):
            raise EndpointError(
                f"{self.endpoint.url} cut the answer at its row cap of {int(cap):,} rows (X-SPARQL-MaxRows): kg does not show it "
                "as complete (Virtuoso: raise ResultSetMaxRows in [SPARQL] of virtuoso.ini)"
            )
        return Solutions(names, rows)

    def _ask_rows(self, rows: list[tuple[Term | None, ...]]) -> bool:
        """An ASK answered as a result set: no row is false, one row of one true value is true."""
        if not rows:
            return False
        if len(rows) == 1 and len(rows[0]) == 1 and isinstance(rows[0][0], ox.Literal):
            value = rows[0][0].value.strip().lower()
            if value in ("1", "true"):
                return True
            if value in ("0", "false"):
                return False
        raise EndpointError(f"{self.endpoint.url} answered an ASK query with rows, not true or false")

    def _graph(self, response: Response, limit: int | None) -> Triples:
        fmt = _GRAPH_FORMATS.get(response.media_type)
        if fmt is None:
            raise self._not_results(response, "an RDF graph")
        try:
            return Triples(
                [quad.triple for quad in itertools.islice(ox.parse(response.body, format=fmt), limit)]
            )
        except SyntaxError as e:
            raise EndpointError(f"{self.endpoint.url} sent RDF kg cannot read: {e}") from None

    def _not_results(self, response: Response, wanted: str) -> EndpointError:
        got = response.media_type or "no content type"
        return EndpointError(
            f"{self.endpoint.url} answered with {got}, not {wanted}: is it a SPARQL query endpoint?"
        )


_BNODE_JSON = re.compile(rb'"type"\s*:\s*"bnode"')
_BNODE_XML = re.compile(rb"<bnode>([^<]*)</bnode>")
_LABEL = re.compile(r"[^A-Za-z0-9]")


def any_blank_nodes(body: bytes, fmt: ox.QueryResultsFormat) -> bytes:
    """The results with every blank node label made one pyoxigraph reads: engines spell them as they like
    (Virtuoso: `nodeID://b10006`). Labels stay distinct: only the characters a label cannot hold change,
    each to `_` plus its code point."""
    if fmt == ox.QueryResultsFormat.JSON and _BNODE_JSON.search(body):
        document = json.loads(body)
        for row in document.get("results", {}).get("bindings", []):
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = blank_label(term["value"])
        return json.dumps(document).encode("utf-8")
    if fmt == ox.QueryResultsFormat.XML and b"<bnode>" in body:
        return _BNODE_XML.sub(
            lambda m: b"<bnode>" + blank_label(m.group(1).decode("utf-8")).encode("utf-8") + b"</bnode>", body
        )
    return body


_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_CANONICAL_BOOLEANS = {
    "1": ox.Literal("true", datatype=_BOOLEAN),
    "0": ox.Literal("false", datatype=_BOOLEAN),
}


def canonical(term: Term | None) -> Term | None:
    """An xsd:boolean written `1`/`0` as `true`/`false`; any other term as it is."""
    if isinstance(term, ox.Literal) and term.datatype == _BOOLEAN:
        return _CANONICAL_BOOLEANS.get(term.value.strip(), term)
    return term


class BlankNodeLabels(io.RawIOBase):
    """A response body read with every blank node label made one pyoxigraph reads, as any_blank_nodes
    does, but as it arrives: text is passed on up to the end of the last whole term object (JSON) or
    binding (XML) read so far, so that no label is cut in two."""

    def __init__(self, body: Any, fmt: ox.QueryResultsFormat):
        self.body = body
        self.fmt = fmt
        self.pending = b""  # read, not yet passed on
        self.ready = b""  # rewritten, to pass on
        self.ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.ready and not self.ended:
            chunk = self.body.read1(65536) if hasattr(self.body, "read1") else self.body.read(65536)
            if not chunk:
                self.ended = True
                self.ready, self.pending = self._rewrite(self.pending), b""
                break
            self.pending += chunk
            end = self.pending.rfind(b"}" if self.fmt == ox.QueryResultsFormat.JSON else b"</binding>")
            if end >= 0:
                cut = end + (1 if self.fmt == ox.QueryResultsFormat.JSON else len(b"</binding>"))
                self.ready, self.pending = self._rewrite(self.pending[:cut]), self.pending[cut:]
        size = min(len(buffer), len(self.ready))
        buffer[:size] = self.ready[:size]
        self.ready = self.ready[size:]
        return size

    def _rewrite(self, text: bytes) -> bytes:
        if self.fmt == ox.QueryResultsFormat.JSON and _BNODE_JSON.search(text):
            text = _BNODE_JSON_TERM.sub(_json_label, text)
            return _BNODE_JSON_TERM_REVERSED.sub(_json_label, text)
        if self.fmt == ox.QueryResultsFormat.XML and b"<bnode>" in text:
            return _BNODE_XML.sub(
                lambda m: b"<bnode>" + blank_label(m.group(1).decode("utf-8")).encode("utf-8") + b"</bnode>",
                text,
            )
        return text


# A JSON blank node term's label, whichever order its keys come in (labels have no quotes or escapes).
_BNODE_JSON_TERM = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")([^"\\]*)(")')
_BNODE_JSON_TERM_REVERSED = re.compile(rb'("value"\s*:\s*")([^"\\]*)("\s*,\s*"type"\s*:\s*"bnode")')


def _json_label(match: re.Match[bytes]) -> bytes:
    return match.group(1) + blank_label(match.group(2).decode("utf-8")).encode("utf-8") + match.group(3)


def blank_label(label: str) -> str:
    return "b" + _LABEL.sub(lambda m: f"_{ord(m.group()):x}_", label)
