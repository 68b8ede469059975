"""Talking HTTP to a remote SPARQL or Graph Store endpoint: one kept-alive connection, auth, clear errors.

Standard library only (http.client). Used by `kg query/sparql --endpoint` (kg.remote) and `kg push`.

- A connection is opened once and reused (keep-alive): thousands of per-graph requests do not pay a
  TCP (or TLS) handshake each.
- Credentials are sent only once the server asks (401 with WWW-Authenticate), so a password never goes
  out under a scheme the server did not choose: Basic, or Digest (RFC 7616 MD5/SHA-256, qop=auth; the
  default of Virtuoso's /sparql-graph-crud-auth). The challenge is fetched with a bodyless request
  before any body is sent: a server refusing an unauthenticated request may answer and close without
  reading the body (Virtuoso does), which the client would only see as a broken pipe. After the first
  challenge the same scheme is sent up front.
- Credentials may come in the URL (http://user:password@host/...); they are taken out of it, and
  messages only ever show the URL without them.
- Every failure is an EndpointError with a one-line message; `transient` marks those worth retrying
  (connection refused/reset, timeouts, 429, 502, 503, 504).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.client
import io
import math
import os
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from kg.errors import KgError
from kg.query.limits import timed_out

TIMEOUT_ENV = "KG_HTTP_TIMEOUT"
DEFAULT_TIMEOUT = 60.0  # seconds; a request waiting longer than this fails (set KG_HTTP_TIMEOUT)
TRANSIENT_STATUSES = {429, 502, 503, 504}
USER_AGENT = "kg (SPARQL 1.1 Protocol client)"
ANSWER_SECONDS = 600.0  # a whole answer (headers and body) must come within this, however it trickles
MAX_HEADER_BYTES = 8 << 20  # of an answer's status line and headers
MAX_BODY = 1 << 30  # bytes of an answer read whole (a streamed answer is read as it comes, never held)
# http.client refuses an answer with more than 100 header lines; Virtuoso echoes one
# X-SPARQL-default-graph (and -named-graph) line per graph a query names, and kg may name thousands.
# Their bytes are bounded all the same (MAX_HEADER_BYTES, by the reader below).
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 100_000)  # type: ignore[attr-defined]  # private, untyped


class EndpointError(KgError):
    """A remote endpoint that cannot be reached or that refused a request (exit code 2)."""

    def __init__(
        self,
        message: str,
        transient: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.transient = transient
        self.status = status
        self.retry_after = retry_after


@dataclass
class Response:
    status: int
    reason: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    stream: Any = None  # with request(..., stream=True), a success's body still to be read (an HTTPResponse)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def excerpt(self, limit: int = 200) -> str:
        """The start of the body on one line, for a message."""
        text = " ".join(self.body[: limit * 4].decode("utf-8", "replace").split())
        return text[:limit] + ("..." if len(text) > limit else "")


def timeout_from_env() -> float:
    try:
        value = float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT)
    except ValueError:
        raise KgError(f"{TIMEOUT_ENV} must be a number of seconds, not {os.environ[TIMEOUT_ENV]!r}") from None
    return value if value > 0 else DEFAULT_TIMEOUT


@dataclass
class Credentials:
    user: str
    password: str
    scheme: str = ""  # "" until the server has asked; then "basic" or "digest"
    challenge: dict[str, str] = field(default_factory=dict)
    count: int = 0  # Digest nonce count

    def header(self, method: str, path: str) -> str | None:
        if self.scheme == "basic":
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
            return f"Basic {token}"
        if self.scheme == "digest":
            self.count += 1
            return digest_header(self.user, self.password, method, path, self.challenge, self.count)
        return None

    def take_challenge(self, header: str) -> bool:
        """Adopt the scheme a 401 asked for; False when it is one we cannot answer."""
        scheme, _, params = header.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "digest":
            self.scheme, self.challenge, self.count = "digest", parse_challenge(params), 0
            return True
        if scheme == "basic":
            self.scheme = "basic"
            return True
        return False


def parse_challenge(params: str) -> dict[str, str]:
    """`realm="x", nonce="y", qop="auth"` as a dict (quoted or bare values)."""
    return {
        k.lower(): v if v else bare
        for k, v, bare in re.findall(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))', params)
    }


def digest_header(
    user: str, password: str, method: str, path: str, challenge: dict[str, str], count: int
) -> str:
    """An RFC 7616 Digest Authorization header (qop=auth, or the RFC 2069 form when no qop is offered)."""
    algorithm = challenge.get("algorithm", "MD5")
    hash_name = {"MD5": "md5", "MD5-SESS": "md5", "SHA-256": "sha256", "SHA-256-SESS": "sha256"}.get(
        algorithm.upper()
    )
    if hash_name is None:
        raise EndpointError(f"the endpoint asks for Digest with {algorithm}, which kg cannot answer")

    def h(text: str) -> str:
        return hashlib.new(hash_name, text.encode("utf-8")).hexdigest()

    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    cnonce = os.urandom(8).hex()
    ha1 = h(f"{user}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{path}")
    offered = [q.strip() for q in challenge.get("qop", "").split(",")]
    fields = {"username": user, "realm": realm, "nonce": nonce, "uri": path, "algorithm": algorithm}
    if "auth" in offered:
        nc = f"{count:08x}"
        fields.update(qop="auth", nc=nc, cnonce=cnonce, response=h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"))
    else:
        fields["response"] = h(f"{ha1}:{nonce}:{ha2}")
    if "opaque" in challenge:
        fields["opaque"] = challenge["opaque"]
    bare = {"qop", "nc", "algorithm"}
    return "Digest " + ", ".join(f"{k}={v}" if k in bare else f'{k}="{v}"' for k, v in fields.items())


class Endpoint:
    """An http(s) URL and a reusable connection to its server."""

    def __init__(
        self, url: str, user: str | None = None, password: str | None = None, timeout: float | None = None
    ):
        parts = urlsplit(url)
        shown = without_credentials(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise KgError(f"{shown!r} is not an endpoint URL: give one like http://localhost:7878/query")
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise KgError(f"{shown!r} has a port that is not a number") from None
        if parts.username is not None:
            if user:
                raise KgError(f"{shown} names a user in the URL and --user names another: give one of them")
            user = unquote(parts.username)
            if parts.password is not None:
                password = unquote(parts.password)
            elif not password:
                raise KgError(
                    f"{shown} names the user {user} but no password: put it in the URL or in the environment variable the password is read from"
                )
        self.url = shown  # what messages show: never the credentials
        self.parts = parts
        self.host: str = parts.hostname
        self.timeout = timeout if timeout is not None else timeout_from_env()
        self.answer_seconds = ANSWER_SECONDS  # for the whole of each answer
        self.answer_timeout = False  # whether answer_seconds is the user's --timeout (answer_within)
        self.credentials = Credentials(user, password or "") if user else None
        self._connection: http.client.HTTPConnection | None = None

    def target(self, query: str = "") -> str:
        """The request target (path and query string) for extra query parameters `query`."""
        path = self.parts.path or "/"
        own = self.parts.query
        joined = "&".join(q for q in (own, query) if q)
        return path + (f"?{joined}" if joined else "")

    def request(
        self,
        method: str,
        query: str = "",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
        max_body: int = MAX_BODY,
    ) -> Response:
        """One request; answers a 401 challenge once when credentials were given. EndpointError on failure.
        With `stream`, a success's body is left to read from `response.stream` (close it when done); the
        connection is then the response's, and the next request opens another. A body read whole may
        hold `max_body` bytes at most (EndpointError past it)."""
        self._max_body = max_body
        target, headers = self.target(query), headers or {}
        if body and self.credentials is not None and not self.credentials.scheme:
            probe = self._send(method, target, b"", headers)  # the challenge first, before any body goes out
            if probe.status == 401 and not self.credentials.take_challenge(
                probe.headers.get("www-authenticate", "")
            ):
                return probe  # a scheme kg cannot answer: reported as the 401 it is
        response = self._send(method, target, body, headers, stream)
        if response.status == 401 and self.credentials is not None:
            challenge = response.headers.get("www-authenticate", "")
            already = self.credentials.scheme
            stale = "stale=true" in challenge.lower().replace(" ", "").replace('"', "")
            if self.credentials.take_challenge(challenge) and (not already or stale):
                if body:  # a fresh challenge, met without a body again
                    self._send(method, target, b"", headers)
                response = self._send(method, target, body, headers, stream)
        return response

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def answer_within(self, seconds: float) -> None:
        """Each answer must come whole within the user's `seconds` (--timeout), however it trickles."""
        self.answer_seconds, self.answer_timeout = seconds, True

    def overdue(self, e: Overdue) -> KgError:
        """The error of an answer that did not come whole in time: past the user's --timeout, the same
        message as a query stopped by it (whichever of the two clocks is read first); past kg's own bound,
        the endpoint's fault."""
        if self.answer_timeout:
            return timed_out(self.answer_seconds)
        return EndpointError(f"{self.url} {e}", transient=True)

    # --- internals --------------------------------------------------------------------------------

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            host, port = self.host, self.parts.port
            if self.parts.scheme == "https":
                self._connection = http.client.HTTPSConnection(
                    host, port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                self._connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        return self._connection

    def _send(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str], stream: bool = False
    ) -> Response:
        all_headers = {"User-Agent": USER_AGENT, **headers}
        if self.credentials is not None:
            auth = self.credentials.header(method, target)
            if auth:
                all_headers["Authorization"] = auth
        if body is not None:
            all_headers["Content-Length"] = str(len(body))
        for attempt in (1, 2):
            reused = self._connection is not None
            try:
                response = self._exchange(method, target, body, all_headers, stream)
                break
            except BaseException as e:
                self.close()  # a connection in an unknown state is never reused
                if (
                    reused
                    and attempt == 1
                    and isinstance(e, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError))
                ):
                    continue  # the server dropped a kept-alive connection while it was idle: once more, anew
                if body and isinstance(e, (BrokenPipeError, ConnectionResetError)):
                    refusal = self._refusal(method, target, headers)
                    if refusal is not None:
                        return refusal
                if isinstance(e, (OSError, http.client.HTTPException)):
                    raise self._connection_error(e) from None
                raise
        if response.headers.get("connection", "").lower() == "close":
            self.close()
        return response

    def _refusal(self, method: str, target: str, headers: dict[str, str]) -> Response | None:
        """After the server hung up on a body: the same request without one, to see whether it was a refusal
        (a 401 answered before the body was read) rather than a lost connection; None when not."""
        try:
            response = self._send(method, target, b"", headers)
        except EndpointError:
            return None
        return response if response.status in (401, 403, 407) else None

    def _exchange(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str], stream: bool = False
    ) -> Response:
        connection = self._connect()
        deadline = time.monotonic() + self.answer_seconds
        connection.response_class = functools.partial(  # type: ignore[assignment]
            BoundedResponse, deadline=deadline, seconds=self.answer_seconds, wait=self.timeout
        )
        connection.request(method, target, body=body, headers=headers)
        try:
            raw = connection.getresponse()
        except TooMuch as e:
            raise EndpointError(f"{self.url} answered with {e}: kg reads no more") from None
        lower = {k.lower(): v for k, v in raw.getheaders()}
        if stream and 200 <= raw.status < 300:
            self._connection = None  # the response's now: it is closed when its reader is done
            return Response(raw.status, raw.reason, lower, b"", stream=raw)
        limit = getattr(self, "_max_body", MAX_BODY)
        data = raw.read(limit + 1)
        if len(data) > limit:
            raise EndpointError(f"{self.url} answered with more than {_size(limit)}: kg reads no more")
        return Response(raw.status, raw.reason, lower, data)

    def _connection_error(self, e: BaseException) -> KgError:
        where = self.url
        if isinstance(e, Overdue):
            return self.overdue(e)
        if isinstance(e, (socket.timeout, TimeoutError)):
            return EndpointError(
                f"{where} did not answer within {self.timeout:g} s (set {TIMEOUT_ENV} to wait longer)",
                transient=True,
            )
        if isinstance(e, socket.gaierror):
            return EndpointError(f"cannot reach {where}: unknown host {self.parts.hostname}")
        if isinstance(e, ConnectionRefusedError):
            return EndpointError(
                f"cannot reach {where}: connection refused (is the server running?)", transient=True
            )
        if isinstance(e, ssl.SSLError):
            return EndpointError(f"cannot reach {where}: TLS failed: {e.reason or e}")
        if isinstance(e, (ConnectionError, http.client.HTTPException)):
            text = str(e) or type(e).__name__
            return EndpointError(f"lost the connection to {where}: {text}", transient=True)
        return EndpointError(f"cannot reach {where}: {getattr(e, 'strerror', None) or e}", transient=True)


def without_credentials(url: str) -> str:
    """`url` with any user and password taken out, for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def status_error(endpoint: Endpoint, response: Response, doing: str) -> EndpointError:
    """An EndpointError for a response that is not a success: `doing` says what was asked."""
    status = f"{response.status} {response.reason}".strip()
    detail = response.excerpt()
    message = f"{endpoint.url} answered {status} to {doing}" + (f": {detail}" if detail else "")
    if response.status == 401:
        message = f"{endpoint.url} refused {doing}: 401 {response.reason} (wrong or missing credentials)"
    retry_after = None
    if response.status in TRANSIENT_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after", ""))
    return EndpointError(
        message,
        transient=response.status in TRANSIENT_STATUSES,
        status=response.status,
        retry_after=retry_after,
    )


def parse_retry_after(value: str) -> float | None:
    """Seconds to wait from a Retry-After header: a finite number of seconds, 0 or more (an HTTP date,
    a negative number, nan or inf: None, the usual backoff then)."""
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _size(n: int) -> str:
    return f"{n >> 20:,} MB" if n >= 1 << 20 else f"{n:,} bytes"


class TooMuch(http.client.HTTPException):
    """An answer bigger than kg reads (its headers)."""


class Overdue(TimeoutError):
    """An answer that did not come whole within its time."""


class _DeadlineSocketReader(io.RawIOBase):
    """A socket's bytes, read with every wait bounded by `wait` seconds and all of them by the deadline
    (so that a server sending one byte a second cannot hold kg), counting the bytes of the head."""

    def __init__(
        self, sock: socket.socket, keeper: io.BufferedReader, deadline: float, seconds: float, wait: float
    ):
        super().__init__()
        self.sock, self.deadline, self.seconds, self.wait = sock, deadline, seconds, wait
        self.keeper = (
            keeper  # the socket's own file: while it is open, closing the connection leaves the socket to us
        )
        self.head_bytes: int | None = 0  # None once the head has been read

    def close(self) -> None:
        self.keeper.close()
        super().close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise Overdue(f"did not send its whole answer within {self.seconds:g} s")
        self.sock.settimeout(min(self.wait, remaining))
        try:
            n = self.sock.recv_into(buffer)
        except TimeoutError:
            if time.monotonic() >= self.deadline:
                raise Overdue(f"did not send its whole answer within {self.seconds:g} s") from None
            raise
        if self.head_bytes is not None:
            self.head_bytes += n
            if self.head_bytes > MAX_HEADER_BYTES + (1 << 16):
                raise TooMuch(f"more than {_size(MAX_HEADER_BYTES)} of headers")
        return n


class BoundedResponse(http.client.HTTPResponse):
    """An HTTPResponse read under a deadline, its headers bounded in bytes (kg.endpoint's limits)."""

    def __init__(
        self, sock: socket.socket, *args: Any, deadline: float, seconds: float, wait: float, **kwargs: Any
    ):
        super().__init__(sock, *args, **kwargs)
        self._raw_reader = _DeadlineSocketReader(sock, self.fp, deadline, seconds, wait)
        self.fp = io.BufferedReader(self._raw_reader, 1 << 16)

    def begin(self) -> None:
        super().begin()
        self._raw_reader.head_bytes = None
