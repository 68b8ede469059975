"""`Site`: a request in, an answer out, for every path that is not the SPARQL endpoint.

| path | answer |
|---|---|
| `/` | the home page: search, the counts, where to go |
| `/search?q=` | people whose names hold the words, and papers whose titles do (`kg search`) |
| `/doc/person/...` | a person page |
| `/doc/paper/...` | a paper page |
| `/doc/...` | any other node kg minted: its statements, its sources |
| `/data/....ttl` (`.jsonld`, `.nt`, `.rdf`) | a node's Linked Data |
| `/picture/person/...` | the coauthor picture `kg graph coauthors-of` draws |
| `/coi` | the conflicts form, its table, its CSV (`kg coi`) |
| `/sparql` | kg's query page: its prefixes, the canned queries as examples, values shown as values |
| the base's path (`/id/...`) | a node's IRI: 303 See Other to its page or its data, by the Accept header |

The graph is the store's live generation, opened read-only and opened again when a build makes
another one live; a request already under way finishes on the generation it started with (the old
one is let go when the last such request ends). Requests are answered side by side, each in the
relay's thread for its connection: the store answers queries in parallel, and a Graph keeps the notes
of each thread's call apart.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kg.errors import KgError, NameNotFound
from kg.site import coi, linked, paper, person, search, sparql
from kg.site.html import error_page
from kg.site.http import Request, Response, request_from_relay, to_bytes

if TYPE_CHECKING:
    from kg.api import Graph

Handler = Callable[["Site", Request, "Graph"], Response]


class Site:
    """kg serve's pages over one store (`store`), or over an opened graph (`graph`, e.g. in tests).

    `allow_service` and `timeout` are kg serve's: the query page refuses SERVICE unless allowed, and
    gives up after `timeout` seconds. `endpoint`, when given, is where the query page sends SPARQL
    (kg serve's Oxigraph server, which stops a query at its timeout); else the graph answers it.
    `note` hears of failures the page could only call internal errors."""

    def __init__(
        self,
        store: str | None = None,
        *,
        graph: Graph | None = None,
        allow_service: bool = False,
        timeout: float | None = 30,
        endpoint: Callable[[], str] | None = None,
        note: Callable[[str], None] | None = None,
    ):
        if (store is None) == (graph is None):
            raise ValueError("give a store or an opened graph")
        self.root = Path(store) if store is not None else None
        self.allow_service = allow_service
        self.timeout = timeout
        self.endpoint = endpoint
        self.note = note or (lambda message: None)
        self._graph = graph
        self._generation: str | None = None
        self._stats: tuple[Graph, dict[str, int]] | None = None
        self._lock = threading.Lock()
        self._kept = _Kept(KEPT_BYTES)

    # --- the graph ----------------------------------------------------------------------------------

    def graph(self) -> Graph:
        """The graph of the live generation, opened again when a build has made another one live."""
        if self.root is None:
            assert self._graph is not None
            return self._graph
        from kg import api
        from kg.store.generations import live_generation

        with self._lock:
            live = live_generation(self.root)
            if self._graph is None or live != self._generation:
                # not closed: requests under way hold it, and it closes when the last one lets go
                self._graph = api.open(self.root, note=lambda message: None)
                self._generation = live
                # everyone's names, read once for search and partial names before the first search asks,
                # when the summary has no index of them
                threading.Thread(target=_read_names, args=(self._graph,), daemon=True).start()
            return self._graph

    def stats(self, graph: Graph) -> dict[str, int]:
        """What `kg stats` counts, once per generation."""
        counted = self._stats
        if counted is None or counted[0] is not graph:
            counted = self._stats = (graph, graph.stats())
        return counted[1]

    def close(self) -> None:
        with self._lock:
            if self._graph is not None and self.root is not None:
                self._graph.close()
                self._graph = None

    # --- answering ----------------------------------------------------------------------------------

    def __call__(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD", "POST"):
            answer = error_page(405, f"{request.method} is not answered here: the site only reads")
            answer.headers["Allow"] = "GET, HEAD, POST"
            return answer
        try:
            graph = self.graph()
            if request.method == "POST" or not request.path.startswith(KEPT):
                return self.route(request, graph)
            key = (request.path, request.query)
            kept = self._kept.get(graph, key)
            if kept is None:
                kept = self.route(request, graph)
                if kept.status == 200:
                    self._kept.put(graph, key, kept)
            return kept
        except NameNotFound as e:
            return error_page(404, e.message)
        except KgError as e:
            return error_page(400, e.message)
        except Exception as e:  # a page must answer, with a line, never a traceback
            self.note(f"internal error answering {request.method} {request.path}: {type(e).__name__}: {e}")
            return error_page(500, f"kg could not answer this page: {type(e).__name__}")

    def route(self, request: Request, graph: Graph) -> Response:
        path = request.path
        base_path = urlsplit(graph.base).path or "/"
        for prefix, handler in ROUTES.items():
            if path == prefix or (prefix != "/" and prefix.endswith("/") and path.startswith(prefix)):
                return handler(self, request, graph)
        if path.startswith(base_path) and linked.is_minted(path[len(base_path) :]):
            return linked.see_other(request, graph, path[len(base_path) :])
        return error_page(404, f"nothing at {path}")

    @classmethod
    def serving(
        cls,
        root: Path,
        endpoint: Callable[[], str],
        *,
        allow_service: bool,
        timeout: float | None,
        note: Callable[[str], None] | None = None,
    ) -> Site:
        """The pages `kg serve` answers beside its SPARQL endpoint: the store at `root`, its SPARQL page
        asking the Oxigraph child of the moment (`endpoint()`), which stops a query at `timeout`."""
        site = cls(str(root), allow_service=allow_service, timeout=timeout, endpoint=endpoint, note=note)
        site.graph()  # opened now, so that the first page does not wait for it
        return site

    def answer(self, request_line: bytes, headers: Mapping[bytes, bytes], body: bytes) -> bytes:
        """The answer, as bytes, to a request kg serve's relay has read (the connection then closes)."""
        request = request_from_relay(request_line, headers, body)
        return to_bytes(self(request), head_only=request.method == "HEAD")


# The pages about one node (and its data, and its picture) depend on the generation alone: a graph's
# answers are kept, most recently used first, up to KEPT_BYTES, so that a second visit to a large
# person's page costs nothing. Another generation starts afresh.
KEPT = ("/doc/", "/data/", "/picture/")
KEPT_BYTES = 64 << 20


class _Kept:
    """Answers kept for one graph, least recently used dropped first past `limit` bytes."""

    def __init__(self, limit: int):
        self.limit = limit
        self._graph: weakref.ref[object] | None = None  # not kept alive by this: a replaced generation closes
        self._answers: OrderedDict[tuple[str, str], Response] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, graph: object, key: tuple[str, str]) -> Response | None:
        with self._lock:
            if self._graph is None or self._graph() is not graph:
                return None
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, graph: object, key: tuple[str, str], answer: Response) -> None:
        with self._lock:
            if self._graph is None or self._graph() is not graph:  # another generation: start afresh
                self._graph, self._answers, self._bytes = weakref.ref(graph), OrderedDict(), 0
            if key in self._answers or len(answer.body) > self.limit:
                return
            self._answers[key] = answer
            self._bytes += len(answer.body)
            while self._bytes > self.limit:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= len(dropped.body)


def _read_names(graph: Graph) -> None:
    """Read everyone's names into the graph's resolver, unless its summary has their index (then a
    search looks names up there); a failure (the store closed meanwhile) is left for the request that
    needs the names to meet and report."""
    with contextlib.suppress(Exception):
        if graph.resolver.reads_everyone:
            graph.people()


ROUTES: dict[str, Handler] = {
    "/": search.home,
    "/search": search.page,
    "/doc/person/": person.page,
    "/doc/paper/": paper.page,
    "/doc/": linked.node_page,
    "/data/": linked.data,
    "/picture/person/": person.picture,
    "/coi": coi.page,
    "/sparql": sparql.page,
}
