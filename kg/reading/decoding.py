"""Page bytes to numbered lines of text: byte-order marks, legacy encodings guessed and named, any line
ending, and the bounds past which a line or a file is reported and skipped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.reading.records import ERROR, WARNING, Diagnostic


@dataclass
class Line:
    number: int  # 1-based
    text: str


# Bounds: past these a line or a file is reported and skipped, so that no input can make kg hang or
# run out of memory. A real page is some kilobytes; its longest line (an abstract) some hundreds of bytes.
MAX_LINE_BYTES = 64 * 1024
MAX_FILE_BYTES = 16 * 1024 * 1024

BOMS = [  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
]
LINE_BREAK = re.compile(rb"\r\n|\r|\n")
TEXT_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Legacy encodings whose letters are not Latin: a guess of one of these is taken as it is; any other
# guess for a file that reads as Windows-1252 is taken to be Windows-1252, the commonest by far.
NOT_LATIN = (
    "1251",
    "koi8",
    "8859_5",
    "cyrillic",
    "866",
    "1253",
    "8859_7",
    "greek",
    "1255",
    "8859_8",
    "hebrew",
    "1256",
    "8859_6",
    "arabic",
    "shift_jis",
    "932",
    "euc",
    "gb",
    "big5",
    "hz",
    "2022",
    "johab",
    "949",
    "874",
    "tis",
)


def size_text(size: int) -> str:
    return f"{size:,} bytes" if size < 1024 * 1024 else f"{size / (1024 * 1024):,.1f} MiB"


def read_page_bytes(path: Path, source: str) -> bytes | Diagnostic:
    """A page's bytes, or the diagnostic that says why they are not used (unreadable, too large)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Diagnostic(
                ERROR,
                source,
                1,
                f"the file is {size_text(size)}, more than a page can be ({size_text(MAX_FILE_BYTES)}); it is skipped",
            )
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        return Diagnostic(ERROR, source, 1, f"cannot read the file: {e.strerror or e}")
    if len(data) > MAX_FILE_BYTES:  # grew while read, or a device
        return Diagnostic(
            ERROR,
            source,
            1,
            f"the file is more than a page can be ({size_text(MAX_FILE_BYTES)}); it is skipped",
        )
    return data


def decode_page(data: bytes, source: str) -> tuple[list[Line], list[Diagnostic]]:
    """Bytes to lines.

    A byte-order mark says UTF-8, UTF-16 or UTF-32. Without one, UTF-8 is expected: a file with no valid
    UTF-8 beyond ASCII and some bytes that are not UTF-8 is in a legacy encoding, guessed and named on
    stderr; a UTF-8 file with a stray byte has only that line read as Windows-1252, and says so. Lines end
    in LF, CRLF or CR alike; trailing spaces are dropped. A line past MAX_LINE_BYTES is reported and read
    as blank.
    """
    diagnostics: list[Diagnostic] = []
    if len(data) > MAX_FILE_BYTES:
        diagnostics.append(
            Diagnostic(
                ERROR,
                source,
                1,
                f"the file is {size_text(len(data))}, more than a page can be ({size_text(MAX_FILE_BYTES)}); it is skipped",
            )
        )
        return [], diagnostics
    for mark, encoding, name in BOMS:
        if data.startswith(mark):
            body = data[len(mark) :]
            if encoding == "utf-8":
                break
            text = body.decode(encoding, errors="replace")
            if "\ufffd" in text:
                diagnostics.append(
                    Diagnostic(
                        WARNING,
                        source,
                        1,
                        f"the file is not valid {name}; what could not be read was replaced with U+FFFD",
                    )
                )
            return _text_lines(text, source, diagnostics), diagnostics
    else:
        body = data
    try:
        utf8 = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _text_lines(utf8, source, diagnostics), diagnostics
    if not _has_utf8_beyond_ascii(body):
        encoding = guess_encoding(body)
        diagnostics.append(
            Diagnostic(WARNING, source, 1, f"the file is not UTF-8; read as {encoding} (a guess)")
        )
        return _text_lines(body.decode(encoding, errors="replace"), source, diagnostics), diagnostics
    lines = []
    for number, raw in enumerate(LINE_BREAK.split(body), start=1):
        if len(raw) > MAX_LINE_BYTES:
            lines.append(_too_long(number, len(raw), source, diagnostics))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
            diagnostics.append(
                Diagnostic(WARNING, source, number, "bytes that are not UTF-8 were read as Windows-1252")
            )
        lines.append(Line(number, text.rstrip()))
    return _trimmed(lines), diagnostics


def _text_lines(text: str, source: str, diagnostics: list[Diagnostic]) -> list[Line]:
    lines = []
    for number, line in enumerate(TEXT_LINE_BREAK.split(text), start=1):
        if len(line) > MAX_LINE_BYTES // 4 and len(line.encode("utf-8", errors="replace")) > MAX_LINE_BYTES:
            lines.append(_too_long(number, len(line.encode("utf-8", errors="replace")), source, diagnostics))
        else:
            lines.append(Line(number, line.rstrip()))
    return _trimmed(lines)


def _too_long(number: int, size: int, source: str, diagnostics: list[Diagnostic]) -> Line:
    diagnostics.append(
        Diagnostic(
            ERROR,
            source,
            number,
            f"the line is {size_text(size)} long, more than a line of a page can be ({size_text(MAX_LINE_BYTES)}); it is skipped",
        )
    )
    return Line(number, "")


def _trimmed(lines: list[Line]) -> list[Line]:
    while lines and not lines[-1].text:
        lines.pop()
    return lines


def _has_utf8_beyond_ascii(data: bytes) -> bool:
    """Whether the bytes hold at least one valid UTF-8 sequence of more than one byte."""
    return (
        re.search(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}", data)
        is not None
    )


def guess_encoding(data: bytes) -> str:
    """The legacy encoding of bytes that are not UTF-8: charset-normalizer's guess where it names a
    non-Latin script, else Windows-1252 (else Latin-1, which reads any byte)."""
    guess = None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        guess = best.encoding if best is not None else None
    except ImportError:  # pragma: no cover - a dependency; kept so that a broken install still reads pages
        pass
    if guess and any(hint in guess.replace("-", "_") for hint in NOT_LATIN):
        return guess
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"
