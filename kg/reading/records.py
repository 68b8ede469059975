"""What the parser gives: page and listing records, and diagnostics. No RDF here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

ERROR = "error"  # something was not used: a record or a field was rejected
WARNING = "warning"  # used, but doubtful or repaired


def shown_path(name: str) -> str:
    """A file name as diagnostics show it: one line of printable text, whatever its characters or bytes.

    Control characters (a newline would fake a diagnostic line), backslashes, and bytes that were not
    UTF-8 (surrogate escapes from the file system) are written as Python escapes; other text is kept.
    """
    if name.isprintable() and "\\" not in name:
        return name
    out = []
    for c in name:
        if c == "\\":
            out.append("\\\\")
        elif 0xDC80 <= ord(c) <= 0xDCFF:  # os.fsdecode's escape for an undecodable byte
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        elif not c.isprintable():
            out.append(c.encode("unicode_escape").decode("ascii"))
        else:
            out.append(c)
    return "".join(out)


def _printable(text: str) -> str:
    """Text quoted from a page, made safe for a terminal: control characters (ANSI escapes) escaped."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii") for c in text
    )


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        message = self.message if self.message.isprintable() else _printable(self.message)
        return f"{shown_path(self.source)}:{self.line}: {self.severity}: {message}"


@dataclass
class PageRecord:
    """One scraped page: the owner and metrics of a profile (layout A), or just its source (layout B)."""

    source: str
    layout: str  # "A" profile, "B" headerless list
    owner: str | None = None
    primary_category: str | None = None
    h_index: int | None = None
    paper_count: int | None = None
    citations: int | None = None
    novelty_percent: int | None = None
    ai_score: int | None = None
    declared_listing_count: int | None = None


@dataclass
class ListingRecord:
    """One listing block of a page: a paper as that page shows it."""

    source: str
    line: int
    category: str
    date: date
    year_assumed: bool
    has_code: bool
    title: str
    authors: list[str]
    authors_truncated: bool
    orgs: list[str] = field(default_factory=list)
    abstract: str | None = None
    score: Decimal | None = None
    # Where the split of a fused line (layout B) was in doubt: the other reading, {"title", "authors"}.
    doubt: dict[str, str | list[str]] | None = None


@dataclass
class ParsedPage:
    page: PageRecord
    listings: list[ListingRecord]
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]


def to_jsonable(record: PageRecord | ListingRecord) -> dict[str, object]:
    """A record as plain JSON values (dates as ISO text, scores as text), for golden files."""
    data = asdict(record)
    if data.get("doubt", 0) is None:  # listings read without doubt keep the shape of the golden files
        del data["doubt"]
    for key, value in data.items():
        if isinstance(value, date):
            data[key] = value.isoformat()
        elif isinstance(value, Decimal):
            data[key] = str(value)
    return data
