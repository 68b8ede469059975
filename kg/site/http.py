"""Requests and answers as plain values, and as the bytes kg serve's relay reads and writes.

The site is a function from a `Request` to a `Response`: tests call it directly, and kg serve's relay
hands it the requests that are not for the SPARQL endpoint (`answer_bytes`).
"""

from __future__ import annotations

import email.parser
import email.policy
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs, unquote, urlsplit

# The paths the Oxigraph server behind kg serve answers: the SPARQL 1.1 Protocol and Graph Store
# Protocol endpoints. Every other path is the site's.
SPARQL_PATHS = ("/query", "/update", "/store")


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # decoded, without the query string
    query: str = ""  # the raw query string
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""

    def params(self) -> dict[str, list[str]]:
        """The query string's parameters, and a form's (url-encoded or multipart) for a POST."""
        found = parse_qs(self.query, keep_blank_values=True)
        if self.method == "POST":
            for name, values in form_fields(self).items():
                found.setdefault(name, []).extend(v if isinstance(v, str) else v[1] for v in values)
        return found

    def param(self, name: str, default: str = "") -> str:
        values = self.params().get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def form_fields(request: Request) -> dict[str, list[str | tuple[str, str]]]:
    """A POSTed form's fields: text as str; a file as (its name, its text)."""
    kind = request.headers.get("content-type", "")
    if kind.split(";")[0].strip().lower() == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + kind.encode("latin-1") + b"\r\n\r\n" + request.body
        )
        found: dict[str, list[str | tuple[str, str]]] = {}
        if not message.is_multipart():
            return found
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            data = part.get_payload(decode=True)
            text = data.decode("utf-8", "replace") if isinstance(data, bytes) else ""
            filename = part.get_filename()
            found.setdefault(str(name), []).append((filename, text) if filename is not None else text)
        return found
    text = request.body.decode("utf-8", "replace")
    return {k: list(v) for k, v in parse_qs(text, keep_blank_values=True).items()}


def request_from_relay(request_line: bytes, headers: Mapping[bytes, bytes], body: bytes) -> Request:
    """A Request from what the relay read: the request line, the headers (names in lower case)."""
    parts = request_line.decode("latin-1").split(" ")
    method = parts[0] if parts else "GET"
    target = parts[1] if len(parts) > 1 else "/"
    split = urlsplit(target)
    return Request(
        method=method.upper(),
        path=unquote(split.path or "/", errors="replace"),
        query=split.query,
        headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers.items()},
        body=body,
    )


def is_sparql_path(request_line: bytes) -> bool:
    """Whether the request is for the Oxigraph server's endpoints (anything else is the site's)."""
    parts = request_line.split(b" ")
    path = urlsplit(parts[1].decode("latin-1")).path if len(parts) > 1 else "/"
    return any(path == p or path.startswith(p + "/") for p in SPARQL_PATHS)


def to_bytes(response: Response, head_only: bool = False) -> bytes:
    """The response as HTTP/1.1 bytes; the connection closes after it."""
    reason = HTTPStatus(response.status).phrase
    headers = {
        "Content-Type": response.content_type,
        "Content-Length": str(len(response.body)),
        "X-Content-Type-Options": "nosniff",
        **response.headers,
        "Connection": "close",
    }
    head = f"HTTP/1.1 {response.status} {reason}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return head.encode("latin-1") + b"\r\n" + (b"" if head_only else response.body)


# --- content negotiation -------------------------------------------------------------------------


def accepted(header: str, offered: list[str]) -> str | None:
    """The media type of `offered` that an Accept header prefers (q-values, then specificity, then the
    order offered); the first offered when there is no header; None when it accepts none of them."""
    if not header.strip():
        return offered[0]
    ranges = []
    for item in header.split(","):
        kind, *params = [p.strip() for p in item.split(";")]
        q = 1.0
        for p in params:
            name, _, value = p.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if kind:
            ranges.append((kind.lower(), q))

    def quality(media: str) -> tuple[float, int]:
        best = (-1.0, -1)
        main = media.split("/")[0]
        for kind, q in ranges:
            if kind == media:
                specific = 2
            elif kind == f"{main}/*":
                specific = 1
            elif kind == "*/*":
                specific = 0
            else:
                continue
            if specific > best[1]:
                best = (q, specific)
        return best

    scored = [(quality(m), -i, m) for i, m in enumerate(offered)]
    scored = [s for s in scored if s[0][0] > 0]
    if not scored:
        return None
    return max(scored, key=lambda s: (s[0][0], s[0][1], s[1]))[2]
