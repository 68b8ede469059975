"""Page text in, records out: both layouts of a scraped profile page (docs/input.md).

Layout A is a profile: owner, metrics, `N Papers`, then listing blocks separated by blank lines.
Layout B is a headerless list: three lines per listing, the title and the authors fused on one line.
The layout is detected from the first line. Every problem becomes a Diagnostic naming the file and line;
the rest of the page is still used.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypedDict

from kg.reading.author_lines import (
    AuthorLine,
    looks_like_author_line,
    looks_like_person_name,
    parse_author_line,
)
from kg.reading.decoding import Line, decode_page, read_page_bytes
from kg.reading.records import ERROR, WARNING, Diagnostic, ListingRecord, PageRecord, ParsedPage, shown_path
from kg.reading.split import Lexicon, fused_line_entries, split_fused_line
from kg.reading.text import fold

MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1
    )
}

# A listing header, strictly: [score]CAT Mon D[, YYYY][Code]
HEADER = re.compile(
    r"^(?P<score>\d+(?:\.\d+)?)?(?P<cat>[A-Z]{2,4}?)(?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?(?P<code>Code)?$"
)
# Something that means to be a header but is damaged: caught so that it is reported, not read as text.
LOOSE_HEADER = re.compile(
    r"^[\d.]*[A-Z]{2,4}[A-Z][a-z]{2,8}\.? ?\d{1,2}(?:, ?\d{1,4})?(?:Code)?$"
    r"|^(?i:[\d.]*\s*[a-z]{2,4}[\s-]*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s?\d{1,2}(?:st|nd|rd|th)?(?:,? ?\d{1,4})?\s*(?:code)?)$"
)

METRICS = [
    # (field, pattern, what the line should look like)
    ("h_index", re.compile(r"^h-index(\d+)$"), "h-index<number>"),
    ("paper_count", re.compile(r"^(\d[\d,]*)papers$"), "<number>papers"),
    ("citations", re.compile(r"^(\d{1,3}(?:,\d{3})*|\d+)citations$"), "<number>citations"),
    ("novelty_percent", re.compile(r"^Novelty(\d+)%$"), "Novelty<number>%"),
    ("ai_score", re.compile(r"^AI Score(\d+)$"), "AI Score<number>"),
]
FIELD_NAMES = {
    "h_index": "the h-index",
    "paper_count": "the paper count",
    "citations": "the citation count",
    "novelty_percent": "the novelty",
    "ai_score": "the AI score",
    "declared_listing_count": "the number of papers (N Papers)",
}
# What the shapes allow (shapes/kg.ttl): a percentage is at most 100; the others only at least 0.
METRIC_LIMITS = {"novelty_percent": 100}
METRIC_HINT = re.compile(r"^(h-index|\S*papers$|\S*citations$|Novelty|AI Score)")
DECLARED_COUNT = re.compile(r"^(\d[\d,]*) Papers?$")
CATEGORY = re.compile(r"^[A-Z]{2,4}$")


def detect_layout(lines: list[Line]) -> str | None:
    first = next((line.text for line in lines if line.text), None)
    if first is None:
        return None
    return "B" if HEADER.match(first) or LOOSE_HEADER.match(first) else "A"


def parse_page(data: bytes | str, source: str, as_of: date, lexicon: Lexicon | None = None) -> ParsedPage:
    """Parse one page. `lexicon` holds titles and names seen in layout-A pages of the same run."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    lines, diagnostics = decode_page(data, source)
    layout = detect_layout(lines)
    if layout is None:
        if not any(d.severity == ERROR for d in diagnostics):
            diagnostics.append(Diagnostic(ERROR, source, 1, "the file is empty"))
        return ParsedPage(PageRecord(source, "?"), [], diagnostics)
    if not _looks_like_a_page(lines):
        what = _shown(next(line.text for line in lines if line.text))
        diagnostics.append(
            Diagnostic(
                ERROR,
                source,
                1,
                f"not a profile page: no listing header and no profile metrics (it starts {what}); the file is skipped",
            )
        )
        return ParsedPage(PageRecord(source, "?"), [], diagnostics)
    if layout == "B" and not (lexicon is not None and lexicon.lists_learned):
        lexicon = Lexicon(parent=lexicon)  # what the page itself shows beyond doubt
        learn_layout_b(lines, lexicon)
    parser = _PageParser(lines, source, as_of, lexicon or Lexicon(), diagnostics)
    page, listings = parser.parse_a() if layout == "A" else parser.parse_b()
    return ParsedPage(page, listings, diagnostics)


def _looks_like_a_page(lines: list[Line]) -> bool:
    """A page shows a listing header, or at least the metrics of a profile (a profile may list nothing)."""
    for line in lines:
        text = line.text
        if HEADER.match(text) or LOOSE_HEADER.match(text) or DECLARED_COUNT.match(text):
            return True
        if any(pattern.match(text) for _, pattern, _ in METRICS):
            return True
    return False


def learn_layout_b(lines: list[Line], lexicon: Lexicon) -> None:
    """Add what the fused lines of a layout-B page show beyond doubt (later names, title starts)."""
    lexicon.learn_fused(*layout_b_entries(lines))


def layout_b_entries(lines: list[Line]) -> tuple[list[str], list[str]]:
    """(names, title words) the fused lines of a layout-B page show beyond doubt: what it adds to the
    run's lexicon, which a build records so that an unchanged page is not read for it again."""
    names: list[str] = []
    words: list[str] = []
    after_header = False
    for line in lines:
        if after_header and line.text:
            found, starts = fused_line_entries(line.text)
            names += found
            words += starts
        after_header = bool(HEADER.match(line.text) or LOOSE_HEADER.match(line.text))
    return names, words


def layout_b_file_entries(path: Path) -> tuple[list[str], list[str]]:
    """`layout_b_entries` of a file (none when it cannot be read: the build says so when it reads it)."""
    data = read_page_bytes(path, path.name)
    if isinstance(data, bytes):
        return layout_b_entries(decode_page(data, path.name)[0])
    return [], []


def learn_layout_b_file(path: Path, lexicon: Lexicon) -> None:
    """What a layout-B page shows beyond doubt, added to the run's lexicon before any page is split."""
    lexicon.learn_fused(*layout_b_file_entries(path))


def lexicon_entries(parsed: ParsedPage) -> tuple[list[str], list[str]]:
    """(titles, names) a page adds to the run's lexicon: those of layout-A pages only."""
    if parsed.page.layout != "A":
        return [], []
    titles = [listing.title for listing in parsed.listings]
    names = [name for listing in parsed.listings for name in listing.authors]
    return titles, names + ([parsed.page.owner] if parsed.page.owner else [])


def lexicon_of(parsed: ParsedPage, lexicon: Lexicon) -> None:
    """Add what a layout-A page shows to the run's lexicon."""
    lexicon.learn_listed(*lexicon_entries(parsed))


class _Header(TypedDict):
    """What a listing's header line says: the fields of its ListingRecord that come from it."""

    category: str
    date: date
    year_assumed: bool
    has_code: bool
    score: Decimal | None


class _PageParser:
    def __init__(
        self, lines: list[Line], source: str, as_of: date, lexicon: Lexicon, diagnostics: list[Diagnostic]
    ):
        self.lines = lines
        self.source = source
        self.as_of = as_of
        self.lexicon = lexicon
        self.diagnostics = diagnostics
        self.strays = 0  # listings whose header kg could not read: reported, and counted as listed

    def report(self, severity: str, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(severity, self.source, line, message))

    # --- layout A ---------------------------------------------------------------------------

    def parse_a(self) -> tuple[PageRecord, list[ListingRecord]]:
        page = PageRecord(self.source, "A")
        starts = self._header_starts()
        head = [line for line in self.lines if not starts or line.number < starts[0]]
        self._parse_profile_head(head, page)
        listings = []
        for block in self._blocks(starts):
            listing = self._parse_block_a(block, page.owner)
            if listing is not None:
                listings.append(listing)
        self._check_declared_count(page, head, len(starts) + self.strays)
        return page, listings

    def _parse_profile_head(self, head: list[Line], page: PageRecord) -> None:
        texts = [line for line in head if line.text]
        if not texts:
            self.report(ERROR, 1, "profile has no owner line")
            return
        owner = texts[0]
        if _readable_name(owner.text):
            page.owner = owner.text
        else:
            self.report(
                ERROR,
                owner.number,
                f"the first line is neither a person's name nor a listing header: {_shown(owner.text)}; the page has no owner",
            )
        self._seen: dict[str, Line] = {}
        for line in texts[1:]:
            text = line.text
            if CATEGORY.match(text) and page.primary_category is None:
                page.primary_category = text
            elif (m := DECLARED_COUNT.match(text)) is not None:
                self._set_once(
                    page, "declared_listing_count", int(m.group(1).replace(",", "")), line, "N Papers"
                )
            elif self._parse_metric(line, page):
                continue
            else:
                self.report(ERROR, line.number, f"unrecognised line in the profile header: {_shown(text)}")

    def _set_once(self, page: PageRecord, field_name: str, value: int, line: Line, shape: str) -> None:
        """A header field is stated once; a repeat is reported and the first kept."""
        first = self._seen.get(field_name)
        if first is not None:
            kept = getattr(page, field_name)
            self.report(
                WARNING,
                line.number,
                f"{FIELD_NAMES[field_name]} is stated again (first on line {first.number}); the first, {kept:,}, is kept",
            )
            return
        self._seen[field_name] = line
        setattr(page, field_name, value)

    def _parse_metric(self, line: Line, page: PageRecord) -> bool:
        for field_name, pattern, shape in METRICS:
            m = pattern.match(line.text)
            if m:
                value = int(m.group(1).replace(",", ""))
                limit = METRIC_LIMITS.get(field_name)
                if limit is not None and value > limit:
                    self.report(
                        ERROR,
                        line.number,
                        f"{_shown(line.text)} is out of range: {shape} is at most {limit}; left unset",
                    )
                    return True
                self._set_once(page, field_name, value, line, shape)
                return True
        if METRIC_HINT.match(line.text):
            self.report(
                ERROR,
                line.number,
                f"malformed metric {_shown(line.text)}: expected one of {', '.join(s for _, _, s in METRICS)}",
            )
            return True
        return False

    def _check_declared_count(self, page: PageRecord, head: list[Line], found: int) -> None:
        if page.declared_listing_count is None:
            if page.layout == "A":
                self.report(
                    WARNING,
                    head[-1].number if head else 1,
                    "profile does not declare how many papers it lists",
                )
            return
        if page.declared_listing_count != found:
            line = next(line.number for line in head if DECLARED_COUNT.match(line.text))
            self.report(
                WARNING,
                line,
                f"the page declares {page.declared_listing_count} papers but lists {found}",
            )

    def _check_owner(self, owner: str | None, authors: AuthorLine, line: int) -> None:
        if owner and not authors.truncated and not any(_same_name(a, owner) for a in authors.authors):
            self.report(
                WARNING,
                line,
                f"the owner {owner} is not among the complete author list; "
                "kept as an author because the profile lists the paper",
            )

    def _parse_block_a(self, block: list[Line], owner: str | None) -> ListingRecord | None:
        header, body = block[0], block[1:]
        fields = self._parse_header(header)
        if fields is None:
            return None
        title_line = body[0] if body and any(c.isalnum() for c in body[0].text) else None
        paragraphs = _paragraphs(body[1:] if title_line else body)
        if title_line is None:
            self.report(ERROR, header.number, "listing has no title; the listing is skipped")
            return None
        paragraphs = self._stray_listings(paragraphs)
        if not paragraphs:
            self.report(
                ERROR,
                header.number,
                "listing is cut off after its title: no author line; the listing is skipped",
            )
            return None
        author_text = paragraphs[0]
        # The author line is known by its place: the line after the title, when another (the abstract)
        # follows it. Alone, it must read as names, not as prose, or it is taken for the abstract.
        if len(paragraphs) >= 2 or looks_like_author_line(author_text.text):
            authors = parse_author_line(author_text.text)
            if not authors.authors:
                authors = AuthorLine([author_text.text.strip()], authors.truncated, authors.orgs)
            self._check_owner(owner, authors, author_text.number)
            rest = paragraphs[1:]
        elif owner:
            # The profile still says its owner wrote the paper; nothing else about the authors is known.
            self.report(
                WARNING,
                header.number,
                f"listing has no author line; kept with the owner {owner} as its only known author",
            )
            authors = AuthorLine([], truncated=True, orgs=[])
            rest = paragraphs
        else:
            self.report(ERROR, header.number, "listing has no author line; the listing is skipped")
            return None
        abstract = rest[0].text if rest else None
        for extra in rest[1:]:
            self.report(WARNING, extra.number, "unexpected extra line in the listing is ignored")
        if abstract is None and block is self._last_block:
            self.report(WARNING, header.number, "listing has no abstract; the page may be cut off here")
        return self._listing(header, fields, title_line.text, authors, abstract)

    def _stray_listings(self, paragraphs: list[Line]) -> list[Line]:
        """The lines of this listing, without those of listings whose header kg does not read.

        In layout A a header and its title stand on adjacent lines, every other field alone between blank
        lines. Two adjacent lines after the author line are a listing whose header is not one (`lg`,
        `LG Jan 5, 2020`, `5th`): it is reported, never read as part of the listing before it.
        """
        for i in range(1, len(paragraphs) - 1):
            if paragraphs[i + 1].number == paragraphs[i].number + 1:
                stray, title = paragraphs[i], paragraphs[i + 1]
                self.strays += 1
                self.report(
                    ERROR,
                    stray.number,
                    f"{_shown(stray.text, 40)} is not a listing header (like LGApr 14, 2020Code); "
                    f"the listing titled {_shown(title.text)} is skipped",
                )
                self._stray_listings(paragraphs[i + 1 :])  # its own lines, then any further stray listing
                return paragraphs[:i]
        return paragraphs

    # --- layout B ---------------------------------------------------------------------------

    def parse_b(self) -> tuple[PageRecord, list[ListingRecord]]:
        page = PageRecord(self.source, "B")
        starts = self._header_starts()
        if starts and starts[0] != self.lines[0].number:
            for line in self.lines[: starts[0] - 1]:
                if line.text:
                    self.report(ERROR, line.number, "text before the first listing is ignored")
        listings = []
        for block in self._blocks(starts):
            listing = self._parse_block_b(block)
            if listing is not None:
                listings.append(listing)
        return page, listings

    def _parse_block_b(self, block: list[Line]) -> ListingRecord | None:
        header = block[0]
        body = [line for line in block[1:] if line.text]
        fields = self._parse_header(header)
        if fields is None:
            return None
        if not body:
            self.report(ERROR, header.number, "listing is cut off after its header; the listing is skipped")
            return None
        fused = body[0]
        split = split_fused_line(fused.text, self.lexicon)
        if not split.ok or split.title is None or split.authors is None:
            self.report(ERROR, fused.number, f"{split.problem}; the listing is skipped")
            return None
        if split.doubt:
            self.report(WARNING, fused.number, split.doubt)
        abstract = body[1].text if len(body) > 1 else None
        self._extra_lines_b(body[2:])
        if abstract is None and block is self._last_block:
            self.report(WARNING, header.number, "listing has no abstract; the page may be cut off here")
        listing = self._listing(header, fields, split.title, split.authors, abstract)
        if split.other is not None:
            listing.doubt = {"title": split.other.title, "authors": split.other.authors}
        return listing

    def _extra_lines_b(self, extras: list[Line]) -> None:
        """Lines past a layout-B listing's three: a listing whose header kg does not read (`lg`, `JAN`,
        `LG-Jan`) is three lines, header first; it is reported, never read as part of the one before."""
        i = 0
        while i < len(extras):
            if i + 1 < len(extras):
                stray, fused = extras[i], extras[i + 1]
                self.report(
                    ERROR,
                    stray.number,
                    f"{_shown(stray.text, 40)} is not a listing header (like 95.3LGApr 14, 2020Code); "
                    f"the listing on line {fused.number} is skipped",
                )
                i += 3
            else:
                self.report(WARNING, extras[i].number, "unexpected extra line in the listing is ignored")
                i += 1

    # --- shared -----------------------------------------------------------------------------

    def _header_starts(self) -> list[int]:
        return [
            line.number for line in self.lines if HEADER.match(line.text) or LOOSE_HEADER.match(line.text)
        ]

    def _blocks(self, starts: list[int]) -> list[list[Line]]:
        by_number = {line.number: line for line in self.lines}
        # each block runs to the next header; the last to the end (no header: no block)
        bounds = [*starts, len(self.lines) + 1] if starts else []
        blocks = [
            [by_number[n] for n in range(start, end) if n in by_number]
            for start, end in itertools.pairwise(bounds)
        ]
        self._last_block = blocks[-1] if blocks else None
        return blocks

    def _parse_header(self, header: Line) -> _Header | None:
        m = HEADER.match(header.text)
        if m is None:
            self.report(
                ERROR, header.number, f"malformed listing header {header.text!r}; the listing is skipped"
            )
            return None
        month = MONTHS.get(m.group("mon"))
        if month is None:
            self.report(ERROR, header.number, f"unknown month {m.group('mon')!r}; the listing is skipped")
            return None
        year_assumed = m.group("year") is None
        day = int(m.group("day"))
        published = (
            _assumed_date(month, day, self.as_of) if year_assumed else _date(int(m.group("year")), month, day)
        )
        if published is None:
            shown = f"{m.group('mon')} {day}" + ("" if year_assumed else f", {m.group('year')}")
            assumed = f" (year {self.as_of.year} assumed)" if year_assumed else ""
            self.report(ERROR, header.number, f"impossible date {shown}{assumed}; the listing is skipped")
            return None
        score = None
        if m.group("score"):
            try:
                score = Decimal(m.group("score"))
            except InvalidOperation:  # the pattern admits only digits; kept for safety
                self.report(ERROR, header.number, f"malformed score {m.group('score')!r}")
        return {
            "category": m.group("cat"),
            "date": published,
            "year_assumed": year_assumed,
            "has_code": m.group("code") is not None,
            "score": score,
        }

    def _listing(
        self, header: Line, fields: _Header, title: str, authors: AuthorLine, abstract: str | None
    ) -> ListingRecord:
        return ListingRecord(
            source=self.source,
            line=header.number,
            title=title,
            authors=authors.authors,
            authors_truncated=authors.truncated,
            orgs=authors.orgs,
            abstract=abstract,
            **fields,
        )


def _date(year: int, month: int, day: int) -> date | None:
    """The date, or None where there is none (Feb 30, year 0)."""
    try:
        return date(year, month, day) if year >= 1 else None
    except ValueError:
        return None


def _assumed_date(month: int, day: int, as_of: date) -> date | None:
    """A date shown without its year: in the scrape's year, or the year before where that would put it
    after the scrape (a listing is not newer than the page that shows it). None where neither has it."""
    this_year = _date(as_of.year, month, day)
    if this_year is not None and this_year <= as_of:
        return this_year
    year_before = _date(as_of.year - 1, month, day)
    if this_year is None and year_before is None:
        return None
    return year_before if year_before is not None else this_year


def _shown(text: str, width: int = 60) -> str:
    """A line quoted in a message: escaped, and cut to `width` characters."""
    return repr(text if len(text) <= width else text[:width] + "…")


def _paragraphs(lines: list[Line]) -> list[Line]:
    """Non-blank lines; in layout A each field is one line with blank lines between."""
    return [line for line in lines if line.text]


def _readable_name(text: str) -> bool:
    """A profile's first line: a name, not control characters or replaced bytes."""
    if any(not c.isprintable() or c == "\ufffd" for c in text):
        return False
    return looks_like_person_name(text) or (looks_like_author_line(text) and "," not in text)


def _same_name(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def parse_files(paths: list[Path], as_of: date) -> list[ParsedPage]:
    """Parse a set of pages as one run, in the order given: layout-A pages first fill the lexicon that
    settles layout-B splits. (`kg build` does the same in worker processes, see kg.pagework.)"""
    lexicon = Lexicon()
    parsed: dict[int, ParsedPage] = {}
    pages = []
    for index, path in enumerate(map(Path, paths)):
        data = read_page_bytes(path, path.name)
        pages.append((path, data if isinstance(data, bytes) else b""))
        if isinstance(data, Diagnostic):
            parsed[index] = ParsedPage(PageRecord(path.name, "?"), [], [data])
    layout_b = []
    for index, (path, data) in enumerate(pages):
        if index in parsed:
            continue
        if detect_layout(decode_page(data, path.name)[0]) == "B":
            layout_b.append(index)
            continue
        parsed[index] = parse_page(data, path.name, as_of)
        lexicon_of(parsed[index], lexicon)
    for index in layout_b:  # later names and title starts of every list, before any list is split
        learn_layout_b(decode_page(pages[index][1], pages[index][0].name)[0], lexicon)
    lexicon.lists_learned = True
    for index in layout_b:
        path, data = pages[index]
        parsed[index] = parse_page(data, path.name, as_of, lexicon)
    return [parsed[i] for i in range(len(pages))]


# --- what `kg parse` shows ----------------------------------------------------------------------------


def listing_json(listing: ListingRecord) -> dict[str, object]:
    """One listing as `kg parse --format json` prints it."""
    try:
        listing.source.encode("utf-8")
        file = listing.source
    except UnicodeEncodeError:  # bytes of the file name that were not UTF-8
        file = shown_path(listing.source)
    return {
        "file": file,
        "line": listing.line,
        "title": listing.title,
        "authors": listing.authors,
        "truncated": listing.authors_truncated,
        "orgs": listing.orgs,
        "date": listing.date.isoformat(),
        "year_assumed": listing.year_assumed,
        "category": listing.category,
        "code": listing.has_code,
        "score": float(listing.score) if listing.score is not None else None,
        "doubt": listing.doubt,
    }


def listing_row(listing: ListingRecord) -> dict[str, object]:
    """One listing as a row of `kg parse`'s table."""
    authors = ", ".join(listing.authors) + (" et al." if listing.authors_truncated else "")
    return {
        "where": f"{shown_path(listing.source)}:{listing.line}",
        "date": listing.date.isoformat() + ("*" if listing.year_assumed else ""),
        "cat": listing.category,
        "title": _clip(listing.title, 60),
        "authors": _clip(authors, 50),
        "doubt": "yes" if listing.doubt else "",
    }


def _clip(text: str, width: int) -> str:
    text = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return text if len(text) <= width else text[: width - 1] + "…"
