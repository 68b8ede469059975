"""How `kg push` writes to each kind of engine: whole graphs replaced, graphs removed, graphs changed in part.

Which engine answers is read from the `Server` header of a bodyless HEAD to the URL given:

- **Oxigraph** (`Server: Oxigraph/...`, a URL ending in /store): several graphs go in one request. The
  graphs of a batch are dropped with one SPARQL Update (`DROP SILENT GRAPH`, to the server's /update),
  then their quads go as one N-Quads POST to /store with `no_transaction`, which feeds Oxigraph's bulk
  loader rather than a transaction per triple. Graphs are removed by one DROP per batch; a graph changed in
  part gets a `DELETE DATA` / `INSERT DATA` of the difference.
- **Virtuoso** (`Server: Virtuoso/...`): its Graph Store endpoint takes one graph per request and its
  SPARQL Update compiles each triple (several times slower), so each graph goes as a Graph Store PUT;
  a graph changed in part gets its difference as SPARQL Update to the endpoint beside it
  (/sparql-graph-crud-auth -> /sparql-auth), at most PATCH_TRIPLES triples a request.
- **any other Graph Store**: one PUT per graph (POSTs after it past the batch size), DELETE to remove; a
  graph changed in part is sent whole again.

Every request is tried up to TRIES times while its failure is transient (connection refused or lost,
timeouts, 429, 502, 503, 504), waiting BACKOFF seconds, doubled each time (or what Retry-After says, up
to MAX_WAIT); anything else is raised at once as the EndpointError it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from kg.query.endpoint import Endpoint, EndpointError, Response, status_error

NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
UPDATE = "application/sparql-update; charset=utf-8"
TRIES = 3
BACKOFF = 0.5  # seconds before the second try; doubled for each further try
MAX_WAIT = 10.0  # never wait longer than this between tries, whatever Retry-After says
MAX_ANSWER = 1 << 20  # bytes of a server's answer to one write: a status and a short message
PATCH_TRIPLES = 1000  # triples per SPARQL Update: Virtuoso's compiler runs out of memory near 5,000


@dataclass
class Piece:
    """One graph to send whole: its IRI, its N-Triples, how many triples, whether it holds blank nodes
    (then it is never split across requests: a blank node's label holds within one document only)."""

    graph: str
    body: bytes
    triples: int
    blank: bool = False


@dataclass
class Counts:
    requests: int = 0
    retries: int = 0


class Sender:
    """Requests to one URL, retried while the failure is transient; counts them."""

    def __init__(self, endpoint: Endpoint, counts: Counts, sleep: Callable[[float], None] = time.sleep):
        self.endpoint, self.counts, self.sleep = endpoint, counts, sleep

    def request(
        self, method: str, query: str, body: bytes | None, content_type: str | None = None
    ) -> Response:
        """The answer (any status but a transient failure's); EndpointError after TRIES transient ones."""
        headers = {"Content-Type": content_type} if content_type else {}
        for attempt in range(1, TRIES + 1):
            try:
                response = self.endpoint.request(method, query, body, headers, max_body=MAX_ANSWER)
                self.counts.requests += 1
                if response.ok or response.status not in (429, 502, 503, 504):
                    return response
                error = status_error(self.endpoint, response, method)
            except EndpointError as e:
                error = e
            if not error.transient or attempt == TRIES:
                if error.transient:
                    error.args = (f"{error.message} (tried {TRIES} times)",)
                raise error
            self.counts.retries += 1
            self.sleep(min(error.retry_after or BACKOFF * 2 ** (attempt - 1), MAX_WAIT))
        raise AssertionError("unreachable")

    def write(self, method: str, query: str, body: bytes, content_type: str) -> None:
        response = self.request(method, query, body, content_type)
        if not response.ok:
            raise refused(self.endpoint, response, method)

    def close(self) -> None:
        self.endpoint.close()


def refused(endpoint: Endpoint, response: Response, method: str) -> EndpointError:
    if response.status in (404, 405):
        status = f"{response.status} {response.reason}".strip()
        return EndpointError(
            f"{endpoint.url} answered {status} to {method}: no Graph Store service there; "
            "give the Graph Store URL (an Oxigraph server's ends in /store)",
            status=response.status,
        )
    return status_error(endpoint, response, method)


def graph_query(graph: str) -> str:
    return "graph=" + quote(graph, safe="")


def chunks(body: bytes, size: int) -> list[bytes]:
    """N-Triples (or N-Quads) cut into pieces of at most `size` lines."""
    lines = body.splitlines(keepends=True)
    return [b"".join(lines[start : start + size]) for start in range(0, len(lines), size)] or [b""]


def as_nquads(piece: Piece) -> bytes:
    """A graph's N-Triples as N-Quads in that graph: every line ends ` .\\n` (a literal never holds a raw
    line break in N-Triples, so no other ` .\\n` is in it)."""
    return piece.body.replace(b" .\n", b" <" + piece.graph.encode("utf-8") + b"> .\n")


def sparql_data(graph: str, lines: list[bytes]) -> bytes:
    return b"GRAPH <" + graph.encode("utf-8") + b"> {\n" + b"".join(lines) + b"}"


def patch_requests(graph: str, deletes: list[bytes], inserts: list[bytes], size: int) -> list[bytes]:
    """SPARQL Updates that take `deletes` out of the graph and put `inserts` in, `size` triples each at
    most. N-Triples lines are SPARQL triples as they are."""
    updates = []
    for start in range(0, len(deletes), size):
        updates.append(b"DELETE DATA { " + sparql_data(graph, deletes[start : start + size]) + b" }")
    for start in range(0, len(inserts), size):
        updates.append(b"INSERT DATA { " + sparql_data(graph, inserts[start : start + size]) + b" }")
    return updates


def sibling(endpoint: Endpoint, path: str) -> Endpoint:
    """The endpoint at another path of the same server, with the same credentials."""
    parts = urlsplit(endpoint.url)
    credentials = endpoint.credentials
    return Endpoint(
        urlunsplit(parts._replace(path=path, query="")),
        user=credentials.user if credentials else None,
        password=credentials.password if credentials else None,
        timeout=endpoint.timeout,
    )


class GraphStore:
    """Any SPARQL 1.1 Graph Store: one graph per request."""

    name = "Graph Store"
    batches = False  # several graphs in one request
    ahead = 1  # batches read and waiting to be sent, at most, while one is sent

    def __init__(self, store: Sender, update: Sender | None = None):
        self.store, self.update = store, update

    def prepare(self, pieces: list[Piece]) -> None:
        """Called as a batch is read, before it waits its turn to be sent: nothing to do here."""

    def send(self, pieces: list[Piece], size: int) -> None:
        """Replace each graph whole: a PUT, then POSTs (which add) past `size` triples."""
        for piece in pieces:
            bodies = [piece.body] if piece.triples <= size or piece.blank else chunks(piece.body, size)
            for i, body in enumerate(bodies):
                self.store.write("PUT" if i == 0 else "POST", graph_query(piece.graph), body, NTRIPLES)

    def remove(self, graphs: list[str]) -> None:
        for graph in graphs:
            response = self.store.request("DELETE", graph_query(graph), None)
            if not response.ok and response.status != 404:  # 404: not there, as wanted
                raise refused(self.store.endpoint, response, "DELETE")

    def holds(self, graph: str) -> bool:
        """Whether the engine has the graph (a GET of it; 404: no). Anything else counts as yes: this only
        tells an engine emptied (or replaced) since kg last pushed to it."""
        try:
            response = self.store.request(self.look, graph_query(graph), None)
        except EndpointError:
            return True
        return response.status != 404

    look = "GET"  # how to ask whether a graph is there: not every Graph Store answers HEAD

    def can_patch(self) -> bool:
        return self.update is not None

    def patch(self, graph: str, deletes: list[bytes], inserts: list[bytes]) -> None:
        assert self.update is not None
        for update in patch_requests(graph, deletes, inserts, PATCH_TRIPLES):
            self.update.write("POST", "", update, UPDATE)

    def close(self) -> None:
        self.store.close()
        if self.update is not None:
            self.update.close()


class Virtuoso(GraphStore):
    name = "Virtuoso"


class Oxigraph(GraphStore):
    """Several graphs a request: dropped by one SPARQL Update, loaded by one N-Quads POST."""

    name = "Oxigraph"
    batches = True
    look = "HEAD"

    def send(self, pieces: list[Piece], size: int) -> None:
        self.remove([piece.graph for piece in pieces])
        quads = [as_nquads(piece) for piece in pieces]
        if sum(piece.triples for piece in pieces) <= size or any(piece.blank for piece in pieces):
            bodies = [b"".join(quads)]
        else:
            bodies = [chunk for body in quads for chunk in chunks(body, size)]
        for body in bodies:
            self.store.write("POST", "no_transaction", body, NQUADS)

    def remove(self, graphs: list[str]) -> None:
        if graphs:
            assert self.update is not None
            drops = "".join(f"DROP SILENT GRAPH <{graph}> ;\n" for graph in graphs)
            self.update.write("POST", "", drops.encode("utf-8"), UPDATE)

    def patch(self, graph: str, deletes: list[bytes], inserts: list[bytes]) -> None:
        assert self.update is not None
        updates = patch_requests(graph, deletes, inserts, 50_000)
        self.update.write("POST", "", b" ;\n".join(updates), UPDATE)


def target_for(endpoint: Endpoint, counts: Counts, sleep: Callable[[float], None]) -> GraphStore:
    """The way to write to the engine behind `endpoint`, told by its Server header (a HEAD, bodyless: it
    also meets an auth challenge before any body goes out). EndpointError when it cannot be reached."""
    store = Sender(endpoint, counts, sleep)
    response = store.request("HEAD", "", None)
    if response.status in (401, 403):  # refused now, it would refuse every write: nothing is sent
        raise status_error(endpoint, response, "the push")
    server = response.headers.get("server", "").lower() if response.ok else ""
    path = urlsplit(endpoint.url).path.rstrip("/")
    if server.startswith("oxigraph/") and path.endswith("/store"):
        update = Sender(sibling(endpoint, path[: -len("/store")] + "/update"), counts, sleep)
        return Oxigraph(store, update)
    if server.startswith("virtuoso/"):
        for crud, sparql in (("-graph-crud-auth", "-auth"), ("-graph-crud", "")):
            if path.endswith(crud):
                update = Sender(sibling(endpoint, path[: -len(crud)] + sparql), counts, sleep)
                return Virtuoso(store, update)
        return Virtuoso(store)
    return GraphStore(store)
