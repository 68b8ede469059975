"""`kg push`: the store's named graphs to any SPARQL 1.1 Graph Store HTTP Protocol endpoint.

Every named graph of the live generation (each page's graph, the inferred graphs, the ontology graph)
goes as `PUT <endpoint>?graph=<IRI>` with an N-Triples body: PUT replaces that graph on the server, so
pushing again after a build leaves the remote copy equal to the local one, graph by graph. That is
plain GSP, one request per graph, which any GSP server accepts (a TriG/N-Quads body to the dataset
URL is not in the standard).

A graph bigger than --batch-triples goes as one PUT and then POSTs (POST adds to the graph) of at
most that many triples each, so no request body is unbounded. Blank-node labels only hold within one
document, so a graph holding blank nodes is never split (kg writes none; this is for safety).

With credentials, the auth challenge is fetched with a bodyless request before any body goes out
(kg.endpoint): Virtuoso answers an unauthenticated PUT with 401 and hangs up without reading it.

Transient failures (connection refused or lost, timeouts, 429, 502, 503, 504) are retried with a
bounded exponential backoff; anything else stops the push at once. A push that stopped says how many
graphs it had sent: it is never reported as done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from kg.errors import KgError
from kg.query.endpoint import Endpoint, EndpointError, Response, status_error
from kg.store.generations import KgStore

MEDIA_TYPE = "application/n-triples"
DEFAULT_BATCH = 100_000  # triples per request: ~15 MB of N-Triples
TRIES = 3
BACKOFF = 0.5  # seconds before the second try; doubled for each further try
MAX_WAIT = 10.0  # never wait longer than this between tries, whatever Retry-After says
MAX_ANSWER = 1 << 20  # bytes of a server's answer to one PUT or POST: a status and a short message


@dataclass
class PushReport:
    graphs: int = 0
    triples: int = 0
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0

    def line(self, url: str) -> str:
        rate = f", {self.triples / self.seconds:,.0f} triples/s" if self.seconds > 0 else ""
        retried = f", {self.retries} retried" if self.retries else ""
        return (
            f"pushed {self.graphs} graphs, {self.triples} triples to {url} in {self.seconds:.2f} s "
            f"({self.requests} requests{retried}{rate})"
        )


def graphs_to_push(store: ox.Store) -> list[ox.NamedNode]:
    """Every named graph: the pages', the inferred ones, the ontology's (the default graph is unused)."""
    return sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)


def push(
    kg: KgStore,
    endpoint: Endpoint,
    batch_triples: int = DEFAULT_BATCH,
    sleep: Callable[[float], None] = time.sleep,
) -> PushReport:
    """Send every named graph; KgError naming the graph it stopped at when anything fails."""
    graphs = graphs_to_push(kg.store)
    report = PushReport()
    started = time.monotonic()
    try:
        for graph in graphs:
            report.triples += _push_graph(kg.store, graph, endpoint, batch_triples, report, sleep)
            report.graphs += 1
    except EndpointError as e:
        raise KgError(
            f"push stopped after sending {report.graphs} of {len(graphs)} graphs, at <{graph.value}>: "
            f"{e.message}; the remote copy is incomplete"
        ) from None
    finally:
        endpoint.close()
    report.seconds = time.monotonic() - started
    return report


def _push_graph(
    store: ox.Store, graph: ox.NamedNode, endpoint: Endpoint, size: int, report: PushReport, sleep
) -> int:
    """PUT the graph's first `size` triples, POST the rest `size` at a time; the number of triples sent.

    The graph is dumped as N-Triples by the store itself (no Python object per triple: a quarter of a
    push's time went there); N-Triples has one triple per line, so a batch is `size` lines."""
    body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
    triples = body.count(b"\n")
    if triples <= size or _has_blank_nodes(store, graph):  # one document, so blank nodes stay the same nodes
        _send(endpoint, "PUT", graph, body, report, sleep)
        return triples
    lines = body.splitlines(keepends=True)
    for start in range(0, len(lines), size):
        _send(
            endpoint,
            "PUT" if start == 0 else "POST",
            graph,
            b"".join(lines[start : start + size]),
            report,
            sleep,
        )
    return len(lines)


def _has_blank_nodes(store: ox.Store, graph: ox.NamedNode) -> bool:
    return bool(store.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) }} }}"))


def _send(
    endpoint: Endpoint, method: str, graph: ox.NamedNode, body: bytes, report: PushReport, sleep
) -> None:
    """One request, tried up to TRIES times while the failure is transient."""
    query = "graph=" + quote(graph.value, safe="")
    headers = {"Content-Type": MEDIA_TYPE}
    for attempt in range(1, TRIES + 1):
        try:
            response = endpoint.request(method, query, body, headers, max_body=MAX_ANSWER)
            report.requests += 1
            if response.ok:
                return
            error = _refused(endpoint, response, method)
        except EndpointError as e:
            error = e
        if not error.transient or attempt == TRIES:
            if error.transient:
                error.args = (f"{error.message} (tried {TRIES} times)",)
            raise error
        report.retries += 1
        sleep(min(error.retry_after or BACKOFF * 2 ** (attempt - 1), MAX_WAIT))


def _refused(endpoint: Endpoint, response: Response, method: str) -> EndpointError:
    if response.status in (404, 405):
        status = f"{response.status} {response.reason}".strip()
        return EndpointError(
            f"{endpoint.url} answered {status} to {method}: no Graph Store service there; "
            "give the Graph Store URL (an Oxigraph server's ends in /store)",
            status=response.status,
        )
    return status_error(endpoint, response, method)
