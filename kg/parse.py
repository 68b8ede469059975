"""Page text in, records out: both layouts of a scraped profile page (see FORMAT in the README).

Layout A is a profile: owner, metrics, `N Papers`, then listing blocks separated by blank lines.
Layout B is a headerless list: three lines per listing, the title and the authors fused on one line.
The layout is detected from the first line. Every problem becomes a Diagnostic naming the file and line;
the rest of the page is still used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.records import ERROR, WARNING, Diagnostic, ListingRecord, PageRecord, ParsedPage, shown_path
from kg.split import AuthorLine, Lexicon, looks_like_author_line, looks_like_person_name, parse_author_line, split_fused_line
from kg.vocab import fold

MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}

# A listing header, strictly: [score]CAT Mon D[, YYYY][Code]
HEADER = re.compile(
    r"^(?P<score>\d+(?:\.\d+)?)?(?P<cat>[A-Z]{2,4}?)(?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?(?P<code>Code)?$"
)
# Something that means to be a header but is damaged: caught so that it is reported, not read as text.
LOOSE_HEADER = re.compile(r"^[\d.]*[A-Z]{2,4}[A-Z][a-z]{2,8}\.? ?\d{1,2}(?:, ?\d{1,4})?(?:Code)?$")

METRICS = [
    # (field, pattern, what the line should look like)
    ("h_index", re.compile(r"^h-index(\d+)$"), "h-index<number>"),
    ("paper_count", re.compile(r"^(\d[\d,]*)papers$"), "<number>papers"),
    ("citations", re.compile(r"^(\d{1,3}(?:,\d{3})*|\d+)citations$"), "<number>citations"),
    ("novelty_percent", re.compile(r"^Novelty(\d+)%$"), "Novelty<number>%"),
    ("ai_score", re.compile(r"^AI Score(\d+)$"), "AI Score<number>"),
]
METRIC_HINT = re.compile(r"^(h-index|\S*papers$|\S*citations$|Novelty|AI Score)")
DECLARED_COUNT = re.compile(r"^(\d[\d,]*) Papers?$")
CATEGORY = re.compile(r"^[A-Z]{2,4}$")


@dataclass
class Line:
    number: int  # 1-based
    text: str


def decode_page(data: bytes, source: str) -> tuple[list[Line], list[Diagnostic]]:
    """Bytes to lines: BOM dropped, CRLF and trailing spaces trimmed, bytes that are not UTF-8 replaced."""
    diagnostics = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            diagnostics.append(
                Diagnostic(WARNING, source, number, "bytes that are not UTF-8 were replaced with U+FFFD")
            )
        lines.append(Line(number, text.rstrip("\r").rstrip()))
    while lines and not lines[-1].text:
        lines.pop()
    return lines, diagnostics


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
        diagnostics.append(Diagnostic(ERROR, source, 1, "the file is empty"))
        return ParsedPage(PageRecord(source, "?"), [], diagnostics)
    lexicon = Lexicon(parent=lexicon)
    if layout == "B":
        learn_layout_b(lines, lexicon)
    parser = _PageParser(lines, source, as_of, lexicon, diagnostics)
    page, listings = parser.parse_a() if layout == "A" else parser.parse_b()
    return ParsedPage(page, listings, diagnostics)


def learn_layout_b(lines: list[Line], lexicon: Lexicon) -> None:
    """Add what the fused lines of a layout-B page show beyond doubt (later names, title starts)."""
    after_header = False
    for line in lines:
        if after_header and line.text:
            lexicon.learn_fused_line(line.text)
        after_header = bool(HEADER.match(line.text) or LOOSE_HEADER.match(line.text))


def lexicon_entries(parsed: ParsedPage) -> tuple[list[str], list[str]]:
    """(titles, names) a page adds to the run's lexicon: those of layout-A pages only."""
    if parsed.page.layout != "A":
        return [], []
    titles = [listing.title for listing in parsed.listings]
    names = [name for listing in parsed.listings for name in listing.authors]
    return titles, names + ([parsed.page.owner] if parsed.page.owner else [])


def lexicon_of(parsed: ParsedPage, lexicon: Lexicon) -> None:
    """Add what a layout-A page shows to the run's lexicon."""
    titles, names = lexicon_entries(parsed)
    for title in titles:
        lexicon.add_title(title)
    for name in names:
        lexicon.add_name(name)


class _PageParser:
    def __init__(self, lines: list[Line], source: str, as_of: date, lexicon: Lexicon, diagnostics: list):
        self.lines = lines
        self.source = source
        self.as_of = as_of
        self.lexicon = lexicon
        self.diagnostics = diagnostics

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
        self._check_declared_count(page, head, len(starts))
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
            self.report(ERROR, owner.number, f"the first line is neither a person's name nor a listing header: {owner.text[:60]!r}; the page has no owner")
        for line in texts[1:]:
            text = line.text
            if CATEGORY.match(text) and page.primary_category is None:
                page.primary_category = text
            elif (m := DECLARED_COUNT.match(text)) is not None:
                page.declared_listing_count = int(m.group(1).replace(",", ""))
            elif self._parse_metric(line, page):
                continue
            else:
                self.report(ERROR, line.number, f"unrecognised line in the profile header: {text!r}")

    def _parse_metric(self, line: Line, page: PageRecord) -> bool:
        for field_name, pattern, shape in METRICS:
            m = pattern.match(line.text)
            if m:
                setattr(page, field_name, int(m.group(1).replace(",", "")))
                return True
        if METRIC_HINT.match(line.text):
            self.report(ERROR, line.number, f"malformed metric {line.text!r}: expected one of {', '.join(s for _, _, s in METRICS)}")
            return True
        return False

    def _check_declared_count(self, page: PageRecord, head: list[Line], found: int) -> None:
        if page.declared_listing_count is None:
            if page.layout == "A":
                self.report(WARNING, head[-1].number if head else 1, "profile does not declare how many papers it lists")
            return
        if page.declared_listing_count != found:
            line = next(line.number for line in head if DECLARED_COUNT.match(line.text))
            self.report(
                WARNING,
                line,
                f"the page declares {page.declared_listing_count} papers but lists {found}",
            )

    def _check_owner(self, owner: str | None, authors, line: int) -> None:
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
        if not paragraphs:
            self.report(ERROR, header.number, "listing is cut off after its title: no author line; the listing is skipped")
            return None
        author_text = paragraphs[0]
        if looks_like_author_line(author_text.text):
            authors = parse_author_line(author_text.text)
            self._check_owner(owner, authors, author_text.number)
            rest = paragraphs[1:]
        elif owner:
            # The profile still says its owner wrote the paper; nothing else about the authors is known.
            self.report(WARNING, header.number, f"listing has no author line; kept with the owner {owner} as its only known author")
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
        if not split.ok:
            self.report(ERROR, fused.number, f"{split.problem}; the listing is skipped")
            return None
        if split.doubt:
            self.report(WARNING, fused.number, split.doubt)
        abstract = body[1].text if len(body) > 1 else None
        for extra in body[2:]:
            self.report(WARNING, extra.number, "unexpected extra line in the listing is ignored")
        if abstract is None and block is self._last_block:
            self.report(WARNING, header.number, "listing has no abstract; the page may be cut off here")
        listing = self._listing(header, fields, split.title, split.authors, abstract)
        if split.other is not None:
            listing.doubt = {"title": split.other.title, "authors": split.other.authors}
        return listing

    # --- shared -----------------------------------------------------------------------------

    def _header_starts(self) -> list[int]:
        return [line.number for line in self.lines if HEADER.match(line.text) or LOOSE_HEADER.match(line.text)]

    def _blocks(self, starts: list[int]) -> list[list[Line]]:
        by_number = {line.number: line for line in self.lines}
        ends = starts[1:] + [len(self.lines) + 1]
        blocks = [[by_number[n] for n in range(start, end) if n in by_number] for start, end in zip(starts, ends)]
        self._last_block = blocks[-1] if blocks else None
        return blocks

    def _parse_header(self, header: Line) -> dict | None:
        m = HEADER.match(header.text)
        if m is None:
            self.report(ERROR, header.number, f"malformed listing header {header.text!r}; the listing is skipped")
            return None
        month = MONTHS.get(m.group("mon"))
        if month is None:
            self.report(ERROR, header.number, f"unknown month {m.group('mon')!r}; the listing is skipped")
            return None
        year_assumed = m.group("year") is None
        day = int(m.group("day"))
        published = _assumed_date(month, day, self.as_of) if year_assumed else _date(int(m.group("year")), month, day)
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

    def _listing(self, header: Line, fields: dict, title: str, authors: AuthorLine, abstract: str | None) -> ListingRecord:
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


def _paragraphs(lines: list[Line]) -> list[Line]:
    """Non-blank lines; in layout A each field is one line with blank lines between."""
    return [line for line in lines if line.text]


def _readable_name(text: str) -> bool:
    """A profile's first line: a name, not control characters or replaced bytes."""
    if any(not c.isprintable() or c == "\ufffd" for c in text):
        return False
    return looks_like_person_name(text) or looks_like_author_line(text) and "," not in text


def _same_name(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def parse_files(paths: list[Path], as_of: date) -> list[ParsedPage]:
    """Parse a set of pages as one run, in the order given: layout-A pages first fill the lexicon that
    settles layout-B splits. (`kg build` does the same in worker processes, see kg.pagework.)"""
    pages = [(Path(p), Path(p).read_bytes()) for p in paths]
    lexicon = Lexicon()
    parsed: dict[int, ParsedPage] = {}
    layout_b = []
    for index, (path, data) in enumerate(pages):
        if detect_layout(decode_page(data, path.name)[0]) == "B":
            layout_b.append(index)
            continue
        parsed[index] = parse_page(data, path.name, as_of)
        lexicon_of(parsed[index], lexicon)
    for index in layout_b:
        learn_layout_b(decode_page(pages[index][1], pages[index][0].name)[0], lexicon)
    for index in layout_b:
        path, data = pages[index]
        parsed[index] = parse_page(data, path.name, as_of, lexicon)
    return [parsed[i] for i in range(len(pages))]


# --- what `kg parse` shows ----------------------------------------------------------------------------


def listing_json(listing: ListingRecord) -> dict:
    """One listing as `kg parse --format json` prints it."""
    return {
        "file": listing.source,
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


def listing_row(listing: ListingRecord) -> dict:
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
