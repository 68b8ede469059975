"""A request read strictly, as kg serve's relay reads every request: HTTP/1.1 with CR LF line ends, one
Content-Type, one Content-Length, no chunked or encoded bodies, no folded or duplicated framing
headers. A request two readers could frame differently is refused (`Refusal`), never passed on; a
client that sends too slowly is dropped (`Gone`)."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

HEAD_SECONDS = 10.0  # a request's line and headers arrive within this once begun
BODY_SECONDS = 30.0  # and its body within this
IDLE_SECONDS = 15.0  # a connection with no request in progress is closed after this
MAX_HEAD = 64 << 10  # bytes of request line and headers
MAX_BODY = 16 << 20  # bytes of a request body: a query, not a data upload (the store is read-only)
_BARE = re.compile(rb"(?<!\r)\n|\r(?!\n|\Z)")  # a LF without CR, or a CR without LF (not yet)
_REQUEST_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e]+) HTTP/1\.([01])")
_HEADER = re.compile(
    rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*((?:[\x21-\x7e\x80-\xff](?:[ \t]*[\x21-\x7e\x80-\xff])*)?)[ \t]*"
)
SINGLE = {  # headers that decide how a request is framed or read: twice is ambiguous, refused
    b"host",
    b"content-type",
    b"content-length",
    b"transfer-encoding",
    b"content-encoding",
    b"connection",
    b"expect",
}
REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    405: "Method Not Allowed",
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    417: "Expectation Failed",
    431: "Request Header Fields Too Large",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class Refusal(Exception):
    """A request answered by the relay itself, with this status and message; the connection then closes."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status

    def answer(self) -> bytes:
        return plain_answer(self.status, str(self))


class Cut(Exception):
    """An answer that cannot be given complete: the client's connection is reset."""

    def __init__(self, overdue: bool = False):
        super().__init__()
        self.overdue = overdue


class Gone(Exception):
    """The client went away, or sent nothing for too long: close quietly."""


def plain_answer(status: int, message: str) -> bytes:
    body = (message + "\n").encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


# --- reading a request -------------------------------------------------------------------------------


@dataclass
class Request:
    """A complete request as the relay read it: the only thing it checks and forwards from."""

    method: str
    target: str
    version: int  # 0 for HTTP/1.0, 1 for HTTP/1.1
    headers: dict[str, str]  # lower-case names; one value each
    body: bytes = b""

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        return "close" not in connection and (self.version == 1 or "keep-alive" in connection)


class Reader:
    """The bytes of one client connection, read under deadlines."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = bytearray()

    def take(self, n: int) -> bytes:
        """The first `n` bytes read, taken out of the buffer."""
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def fill(self, deadline: float, quiet: bool = False) -> None:
        """Read more; Gone when the peer ended or (when `quiet`) sent nothing in time; Refusal 408 else."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            if quiet:
                raise Gone()
            raise Refusal(408, "the request did not arrive in time")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(1 << 16)
        except TimeoutError:
            if quiet:
                raise Gone() from None
            raise Refusal(408, "the request did not arrive in time") from None
        except OSError:
            raise Gone() from None
        if not data:
            raise Gone()
        self.buffer += data


def read_request(reader: Reader, send: Callable[[bytes], None]) -> Request:
    """The next complete request on the connection; Refusal for one that must not be passed on, Gone
    when the client ends or idles out. `send` answers an Expect: 100-continue."""
    idle_until = time.monotonic() + IDLE_SECONDS
    while not reader.buffer:
        reader.fill(idle_until, quiet=True)
    head_until = time.monotonic() + HEAD_SECONDS
    while True:
        end = _head_end(reader.buffer)
        if end >= 0:
            break
        if len(reader.buffer) > MAX_HEAD:
            raise Refusal(431, "the request's headers are too large")
        reader.fill(head_until)
    if end > MAX_HEAD:
        raise Refusal(431, "the request's headers are too large")
    head = bytes(reader.take(end))
    request = parse_head(head)
    length = _body_length(request)
    if length and len(reader.buffer) < length and request.headers.get("expect", "").lower() == "100-continue":
        send(b"HTTP/1.1 100 Continue\r\n\r\n")
    body_until = time.monotonic() + BODY_SECONDS
    while len(reader.buffer) < length:
        reader.fill(body_until)
    request.body = reader.take(length)
    return request


def _head_end(buffer: bytearray) -> int:
    """Where the head ends (after its empty line), -1 when not yet; a head with a bare LF or CR is
    refused: its other reader may see other lines than this one."""
    crlf = buffer.find(b"\r\n\r\n")
    lf = buffer.find(b"\n\n")
    bare = _BARE.search(buffer[:crlf] if crlf >= 0 else buffer)
    if bare is not None:
        raise Refusal(400, "the request's lines must end with CR LF")
    if lf >= 0 and (crlf < 0 or lf < crlf):
        raise Refusal(400, "the request's lines must end with CR LF")
    return crlf + 4 if crlf >= 0 else -1


def parse_head(head: bytes) -> Request:
    lines = head[:-4].split(b"\r\n")
    line = _REQUEST_LINE.fullmatch(lines[0])
    if line is None:
        raise Refusal(400, "the request line is not METHOD TARGET HTTP/1.1")
    method, target, minor = line.groups()
    if not target.startswith(b"/"):
        raise Refusal(400, "the request target must be a path (/query?...)")
    headers: dict[str, str] = {}
    for raw in lines[1:]:
        header = _HEADER.fullmatch(raw)
        if header is None:
            raise Refusal(400, f"a header line is malformed: {raw[:60].decode('latin-1')!r}")
        name, value = header.group(1).lower(), header.group(2)
        key = name.decode("ascii")
        if key in headers:
            if name in SINGLE:
                raise Refusal(400, f"the request has {key} twice")
            headers[key] += ", " + value.decode("latin-1")
        else:
            headers[key] = value.decode("latin-1")
    return Request(method.decode("ascii"), target.decode("ascii"), int(minor), headers)


def _body_length(request: Request) -> int:
    headers = request.headers
    if "transfer-encoding" in headers:
        raise Refusal(411, "send the request with a Content-Length, not a Transfer-Encoding")
    if headers.get("content-encoding", "identity").lower() != "identity":
        raise Refusal(415, "send the request body without a Content-Encoding")
    expect = headers.get("expect")
    if expect is not None and expect.lower() != "100-continue":
        raise Refusal(417, f"cannot meet Expect: {expect}")
    text = headers.get("content-length", "0")
    if not text.isdigit() or not text.isascii() or len(text) > 12:
        raise Refusal(400, "the Content-Length is not a number")
    length = int(text)
    if length > MAX_BODY:
        raise Refusal(413, "the request is too large for a query")
    return length
