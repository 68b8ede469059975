"""Properties of the parser (hypothesis).

1. Records rendered back into page text (both layouts, exactly as FORMAT.md draws them) re-parse to the
   same records, with no error diagnostics.
2. Garbled and truncated text never raises: only diagnostics, each with a line inside the file.
"""

from __future__ import annotations

import re
import string
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kg.reading.parse import HEADER, LOOSE_HEADER, parse_page
from kg.reading.records import ERROR, WARNING, ListingRecord, PageRecord, ParsedPage
from kg.reading.split import CAMEL_PREFIXES, PARTICLES, Lexicon

AS_OF = date(2026, 11, 24)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL_PAGES = sorted((FIXTURES / "pages").glob("*.txt")) + sorted((FIXTURES / "bad").glob("*.txt"))

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SETTINGS_SMALL = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

COMPARED = [
    "source",
    "line",
    "category",
    "date",
    "year_assumed",
    "has_code",
    "score",
    "title",
    "authors",
    "authors_truncated",
    "orgs",
    "abstract",
]
assert set(COMPARED) | {"doubt"} == {f.name for f in fields(ListingRecord)}  # doubt: see test_split.py


# --- the renderer, after FORMAT.md ---------------------------------------------------------------------


def render_header(listing: ListingRecord, with_score: bool) -> str:
    shown = f"{MONTHS[listing.date.month - 1]} {listing.date.day}"
    if not listing.year_assumed:
        shown += f", {listing.date.year}"
    score = str(listing.score) if with_score and listing.score is not None else ""
    return f"{score}{listing.category}{shown}{'Code' if listing.has_code else ''}"


def render_authors(listing: ListingRecord) -> str:
    text = ", ".join(listing.authors) + (" et al." if listing.authors_truncated else "")
    if listing.orgs:
        text += " · " + ", ".join(listing.orgs)
    return text


def render_layout_a(page: PageRecord, listings: list[ListingRecord]) -> str:
    lines = [
        page.owner,
        "",
        page.primary_category,
        f"h-index{page.h_index}",
        f"{page.paper_count}papers",
        f"{page.citations:,}citations",
        f"Novelty{page.novelty_percent}%",
        f"AI Score{page.ai_score}",
        "",
        f"{len(listings)} Papers",
        "",
    ]
    for listing in listings:
        lines += [
            render_header(listing, False),
            listing.title,
            "",
            render_authors(listing),
            "",
            listing.abstract,
            "",
        ]
    return "\n".join(lines)


def render_layout_b(listings: list[ListingRecord]) -> str:
    lines = []
    for listing in listings:
        lines += [render_header(listing, True), listing.title + render_authors(listing), listing.abstract]
    return "\n".join(lines) + "\n"


def line_of_a(index: int) -> int:
    return 12 + 7 * index  # 11 lines of profile head, then 7 lines a listing


def line_of_b(index: int) -> int:
    return 1 + 3 * index


# --- generators ----------------------------------------------------------------------------------------

LOWER = string.ascii_lowercase
NAME_LOWER = LOWER + "éèöüñçłåø"
NAME_UPPER = string.ascii_uppercase + "ÉÅÖÜŁØÇ"


def capitalised(upper: str = string.ascii_uppercase, lower: str = LOWER, max_size: int = 8):
    return st.builds(
        lambda c, rest: c + rest, st.sampled_from(upper), st.text(lower, min_size=1, max_size=max_size)
    )


lower_word = st.text(LOWER, min_size=1, max_size=8)
acronym = st.text(string.ascii_uppercase, min_size=2, max_size=5)
digits = st.integers(0, 9999).map(str)
cap_word = capitalised().filter(lambda w: w not in CAMEL_PREFIXES)
camel_word = st.builds(
    lambda a, b, n: a + b + n,
    capitalised(max_size=5),
    capitalised(max_size=6),
    st.sampled_from(["", "", "2", "3"]),
)


def has_inner_capital(word: str) -> bool:
    return any(word[j].isupper() and word[j - 1].islower() for j in range(1, len(word)))


@st.composite
def titles(draw, camel_last: bool):
    """Capitalised and lower-case words, acronyms, digits, camel case; sometimes a colon after the first word.

    Without `camel_last`, the last word has no inner capital and no word is a bare camel prefix (Mc, Le,
    De, ...): both make a legitimately ambiguous layout-B line ("Gated MegaBlocks Le"+"Ann Lee" also
    reads "Gated Mega" by "Blocks LeAnn Lee")."""
    word = st.one_of(cap_word, cap_word, lower_word, lower_word, acronym, digits, camel_word)
    first = draw(st.one_of(cap_word, acronym, camel_word))
    rest = draw(st.lists(word, min_size=0, max_size=7))
    if not camel_last and rest and has_inner_capital(rest[-1]):
        rest[-1] = draw(st.one_of(cap_word, lower_word, acronym, digits))
    if not rest and not camel_last and has_inner_capital(first):
        first = draw(st.one_of(cap_word, acronym))
    if rest and draw(st.booleans()):
        first += ":"
    title = " ".join([first, *rest])
    assume(not HEADER.match(title) and not LOOSE_HEADER.match(title))
    return title


name_part = capitalised(NAME_UPPER, NAME_LOWER, 7)


@st.composite
def person_names(draw):
    """Capitalised given and family names, an optional middle initial, an optional particle."""
    parts = [draw(name_part)]
    if draw(st.integers(0, 3)) == 0:
        parts.append(draw(st.sampled_from(string.ascii_uppercase)) + ".")
    if draw(st.integers(0, 3)) == 0:
        parts.append(draw(st.sampled_from(sorted(PARTICLES))))
    parts.append(draw(name_part))
    return " ".join(parts)


org_slug = st.builds(
    lambda a, b: a + (f"-{b}" if b else ""),
    st.text(LOWER, min_size=2, max_size=10),
    st.one_of(st.just(""), st.text(LOWER, min_size=2, max_size=8)),
)

ABSTRACT_SNIPPETS = [
    r"$4\times$",
    r"\emph{x}",
    "%",
    "50%",
    r"$\mathcal{O}(n)$",
    r"\\",
    "https://github.com/a/b",
    "http://example.org/x?y=1&z=%20#frag",
    "{",
    "}",
    "~",
    "·",
    " · ",
    ", et al.",
]
abstract_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60)


@st.composite
def abstracts(draw):
    pieces = draw(
        st.lists(st.one_of(abstract_text, st.sampled_from(ABSTRACT_SNIPPETS)), min_size=1, max_size=6)
    )
    text = " ".join(pieces).strip()
    assume(text and not HEADER.match(text) and not LOOSE_HEADER.match(text))
    return text


@st.composite
def dates(draw):
    if draw(st.booleans()):
        return draw(st.dates(date(1990, 1, 1), date(2030, 12, 31))), False
    return draw(
        st.dates(date(AS_OF.year - 1, AS_OF.month, AS_OF.day + 1), AS_OF)
    ), True  # the year up to the scrape


scores = st.builds(
    lambda whole, frac: Decimal(f"{whole}.{frac}" if frac is not None else f"{whole}"),
    st.integers(0, 100),
    st.one_of(st.none(), st.integers(0, 9)),
)


@st.composite
def listings(draw, source: str, layout: str, camel_last: bool = True):
    published, year_assumed = draw(dates())
    count = draw(st.integers(1, 3))
    authors = draw(st.lists(person_names(), min_size=count, max_size=count))
    return ListingRecord(
        source=source,
        line=0,  # set from the position on the page
        category=draw(st.from_regex(r"[A-Z]{2}", fullmatch=True)),
        date=published,
        year_assumed=year_assumed,
        has_code=draw(st.booleans()),
        title=draw(titles(camel_last)),
        authors=authors,
        authors_truncated=count == 3 and draw(st.booleans()),
        orgs=draw(st.lists(org_slug, max_size=2)),
        abstract=draw(abstracts()),
        score=draw(st.one_of(st.none(), scores)) if layout == "B" else None,
    )


@st.composite
def pages_a(draw):
    source = "gen_a.txt"
    page = PageRecord(
        source=source,
        layout="A",
        owner=draw(person_names()),
        primary_category=draw(st.from_regex(r"[A-Z]{2}", fullmatch=True)),
        h_index=draw(st.integers(0, 300)),
        paper_count=draw(st.integers(0, 5000)),
        citations=draw(st.integers(0, 10**7)),
        novelty_percent=draw(st.integers(0, 100)),
        ai_score=draw(st.integers(0, 100)),
    )
    items = draw(st.lists(listings(source, "A"), min_size=0, max_size=4))
    items = [replace(x, line=line_of_a(i)) for i, x in enumerate(items)]
    page.declared_listing_count = len(items)
    return page, items


@st.composite
def pages_b(draw, camel_last: bool):
    source = "gen_b.txt"
    items = draw(st.lists(listings(source, "B", camel_last), min_size=1, max_size=4))
    return [replace(x, line=line_of_b(i)) for i, x in enumerate(items)]


# --- round trip ----------------------------------------------------------------------------------------


def assert_same_records(parsed: ParsedPage, expected: list[ListingRecord], text: str) -> None:
    errors = [str(d) for d in parsed.errors]
    assert errors == [], f"{errors}\n---\n{text}"
    assert len(parsed.listings) == len(expected), text
    for got, want in zip(parsed.listings, expected, strict=True):
        for name in COMPARED:
            assert getattr(got, name) == getattr(want, name), (
                f"{name}: {getattr(got, name)!r} != {getattr(want, name)!r}\n---\n{text}"
            )


@SETTINGS
@given(pages_a())
def test_layout_a_round_trip(generated):
    page, items = generated
    text = render_layout_a(page, items)
    parsed = parse_page(text, page.source, AS_OF)
    assert_same_records(parsed, items, text)
    assert parsed.page == page
    # the only warnings a clean page can earn: a future assumed date, the owner not in a complete list
    for d in parsed.warnings:
        assert d.message.startswith(("date ", "the owner ")), d


@SETTINGS
@given(pages_b(camel_last=False))
def test_layout_b_round_trip(items):
    """Generated names and titles are often degenerate (`Aa` by `Aaaa A. af Aa`) and truly ambiguous when
    fused: every listing must come back, read as generated or with a warning at its fused line."""
    text = render_layout_b(items)
    parsed = parse_page(text, "gen_b.txt", AS_OF)
    assert [str(d) for d in parsed.errors] == [], text
    assert parsed.page == PageRecord("gen_b.txt", "B")
    assert len(parsed.listings) == len(items), text
    doubts = {d.line for d in parsed.warnings if d.message.startswith("took ")}
    for d in parsed.warnings:
        assert d.message.startswith(("date ", "took ")), d
    for got, want in zip(parsed.listings, items, strict=True):
        same = all(getattr(got, name) == getattr(want, name) for name in COMPARED)
        assert same or want.line + 1 in doubts, f"{got.title!r} by {got.authors} read silently\n---\n{text}"
        assert (got.doubt is not None) <= (want.line + 1 in doubts)


@SETTINGS
@given(pages_b(camel_last=True))
def test_layout_b_round_trip_with_known_titles(items):
    # A known title settles a split only when it is the one known title the line can start with: with
    # `Ca` and `CaCa` both known, `CaCaa A. Aa` is truly ambiguous (kg warns, naming both readings).
    titles = [x.title.casefold() for x in items]
    assume(not any(a != b and b.startswith(a) for a in titles for b in titles))
    lexicon = Lexicon()
    for x in items:
        lexicon.add_title(x.title)
    text = render_layout_b(items)
    parsed = parse_page(text, "gen_b.txt", AS_OF, lexicon)
    assert_same_records(parsed, items, text)
    for d in parsed.warnings:
        assert d.message.startswith("date "), d


# --- garbled and truncated text ------------------------------------------------------------------------


def check_diagnostics_only(data: bytes, source: str = "garbled.txt") -> ParsedPage:
    parsed = parse_page(data, source, AS_OF)
    assert isinstance(parsed, ParsedPage)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    line_count = len(re.split(rb"\r\n|\r|\n", body))  # CR alone ends a line too
    for d in parsed.diagnostics:
        assert d.severity in (ERROR, WARNING)
        assert d.source == source
        assert 1 <= d.line <= line_count + 1, (d, line_count)
        assert isinstance(d.message, str) and d.message.strip()
    for listing in parsed.listings:
        assert 1 <= listing.line <= line_count
        assert listing.title and (
            listing.authors or parsed.page.owner
        )  # no names: the owner is the known author
    return parsed


@SETTINGS
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_give_only_diagnostics(data):
    check_diagnostics_only(data)


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    b"",
                    b"\r",
                    b"   ",
                    b"\xef\xbb\xbf",
                    b"\xff\xfe",
                    b"LGApr 14Code",
                    b"95.3LGApr 14",
                    b"CVFeb 30, 2020",
                    b"LGApr 99",
                    b"XXFoo 3",
                    b"12 Papers",
                    b"h-index",
                    b"Aditi, Bob Lee et al. \xc2\xb7 cmu",
                    b" \xc2\xb7 ",
                    b"et al.",
                    b"A TitleAnn Lee",
                    b"Ann Lee",
                    b",,,",
                    b"Code",
                    b"3 Papers",
                    b"AI Score",
                    b"Novelty%",
                ]
            ),
            st.binary(max_size=40),
        ),
        max_size=40,
    )
)
def test_line_soup_gives_only_diagnostics(lines):
    check_diagnostics_only(b"\n".join(lines))


@SETTINGS
@given(st.sampled_from(REAL_PAGES), st.data())
def test_truncated_real_page_gives_only_diagnostics(path, data):
    raw = path.read_bytes()
    cut = data.draw(st.integers(0, len(raw)))
    check_diagnostics_only(raw[:cut], path.name)


@SETTINGS
@given(st.sampled_from(REAL_PAGES), st.data())
def test_shuffled_real_page_gives_only_diagnostics(path, data):
    lines = path.read_bytes().split(b"\n")
    ops = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(["delete", "duplicate", "swap"]), st.integers(0, 10**6), st.integers(0, 10**6)
            ),
            max_size=8,
        )
    )
    for op, i, j in ops:
        if not lines:
            break
        i, j = i % len(lines), j % len(lines)
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
    check_diagnostics_only(b"\n".join(lines), path.name)


@SETTINGS_SMALL
@given(st.sampled_from(REAL_PAGES), st.data())
def test_real_page_with_flipped_bytes_gives_only_diagnostics(path, data):
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    check_diagnostics_only(bytes(raw), path.name)


# --- fuzz: real pages in every encoding and line ending, flipped, cut and duplicated ------------------------

REAL_DATA_PAGES = sorted((FIXTURES.parent.parent.parent / "shared" / "realdata" / "pages").glob("*.txt"))[:6]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252"]


@SETTINGS_SMALL
@given(
    st.sampled_from(REAL_PAGES + REAL_DATA_PAGES),
    st.sampled_from(ENCODINGS),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.data(),
)
def test_fuzzed_pages_in_any_encoding_give_only_records_and_diagnostics(path, encoding, ending, data):
    text = path.read_bytes().decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\n", ending)
    raw = bytearray(text.encode(encoding, errors="replace"))
    for _ in range(data.draw(st.integers(0, 6))):
        op = data.draw(st.sampled_from(["flip", "cut", "duplicate"]))
        if not raw:
            break
        i = data.draw(st.integers(0, len(raw) - 1))
        if op == "flip":
            raw[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[i : i + data.draw(st.integers(1, 200))]
        else:
            j = min(len(raw), i + data.draw(st.integers(1, 200)))
            raw[i:i] = raw[i:j]
    parsed = parse_page(bytes(raw), path.name, AS_OF)
    assert isinstance(parsed, ParsedPage)
    for d in parsed.diagnostics:
        assert d.severity in (ERROR, WARNING) and d.source == path.name and d.line >= 1 and d.message.strip()
        str(d).encode("utf-8")  # printable, whatever the page held
    for listing in parsed.listings:
        assert listing.title and listing.line >= 1
