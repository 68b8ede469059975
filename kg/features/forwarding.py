"""What kg serve forwards to the Oxigraph server: every query a request holds (the URL's `query`
parameters, a form body's, an application/sparql-query body) checked, and a request built afresh from
what was checked (a fresh request line and URL, one Content-Type, one Content-Length). Updates and
writes are refused: the server is read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from kg.features.strict_http import Refusal, Request
from kg.query.service_check import checked_text, service_reason

INTERNAL_HOST = "127.0.0.1"  # where the Oxigraph children listen, behind the relay
READ_METHODS = {"GET", "HEAD", "POST"}
WRITE_METHODS = {"PUT", "DELETE", "PATCH"}
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@dataclass
class Forward:
    """The request the child gets, built from the checked request alone."""

    method: str
    target: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None

    def encode(self, backend: int) -> bytes:
        lines = [f"{self.method} {self.target} HTTP/1.1", f"Host: {INTERNAL_HOST}:{backend}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        if self.body is not None:
            lines.append(f"Content-Length: {len(self.body)}")
        lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (self.body or b"")


def media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


def forward_for(request: Request, allow_service: bool) -> Forward:
    """The request to forward for `request`, whose queries have been checked; Refusal otherwise."""
    method = request.method
    if method in WRITE_METHODS:
        raise Refusal(403, "this server is read-only")
    if method not in READ_METHODS:
        raise Refusal(405, f"{method} is not answered here: GET, HEAD or POST")
    path, _, query_string = request.target.partition("?")
    url_fields = parse_qsl(query_string, keep_blank_values=True)
    headers: list[tuple[str, str]] = []
    if "accept" in request.headers:
        headers.append(("Accept", request.headers["accept"]))
    body: bytes | None = None
    form_fields: list[tuple[str, str]] | None = None
    query_body: str | None = None
    if method == "POST":
        kind = media_type(request.headers.get("content-type", ""))
        if kind == FORM:
            try:
                text = request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise Refusal(400, "the form is not UTF-8") from None
            form_fields = parse_qsl(text, keep_blank_values=True)
        elif kind == SPARQL_QUERY:
            try:
                query_body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise Refusal(400, "the query is not UTF-8") from None
        elif kind == SPARQL_UPDATE:
            raise Refusal(403, "this server is read-only: updates are refused")
        elif kind:
            headers.append(("Content-Type", kind))
            body = request.body
        elif request.body:
            raise Refusal(415, "the request body has no Content-Type")
        else:
            body = b""
    elif request.body:
        raise Refusal(400, f"a {method} request has no body")
    every = url_fields + (form_fields or [])
    if any(name in ("update", "using-graph-uri", "using-named-graph-uri") for name, _ in every):
        raise Refusal(403, "this server is read-only: updates are refused")
    queries = [value for name, value in every if name == "query"] + (
        [query_body] if query_body is not None else []
    )
    if len(queries) > 1:
        raise Refusal(400, "a request carries one query")
    if not allow_service:
        for query in queries:
            reason = service_reason(query)
            if reason is not None:
                raise Refusal(403, f"SERVICE is refused by this server: {reason}")
        url_fields = _checked_fields(url_fields)
        if form_fields is not None:
            form_fields = _checked_fields(form_fields)
        if query_body is not None:
            query_body = checked_text(query_body)
    if form_fields is not None:
        headers.append(("Content-Type", FORM))
        body = urlencode(form_fields).encode("ascii")
    elif query_body is not None:
        headers.append(("Content-Type", f"{SPARQL_QUERY}; charset=utf-8"))
        body = query_body.encode("utf-8")
    target = path + (f"?{urlencode(url_fields)}" if url_fields else "")
    return Forward("GET" if method == "HEAD" else method, target, headers, body)


def _checked_fields(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, checked_text(value) if name == "query" else value) for name, value in fields]
