"""Hostile and unusual input, parser side: encodings, line ends, sizes, headers kg cannot read, files that
are not pages, file names, header fields out of range or repeated, author lines of any shape.

Each case: what kg reports (file:line and message), and that nothing else of the page is lost.
"""

from __future__ import annotations

from datetime import date

import pytest

from kg.reading.decoding import MAX_FILE_BYTES, MAX_LINE_BYTES
from kg.reading.parse import parse_files, parse_page
from kg.reading.records import ERROR, WARNING, Diagnostic

AS_OF = date(2026, 11, 24)

PROFILE = """Zoë Müller-Lüdenscheidt

LG
h-index12
40papers
1,234citations
Novelty55%
AI Score61

2 Papers

LGApr 3, 2024Code
Sparse Attention for Long Documents

Zoë Müller-Lüdenscheidt, René Fischer et al. · cmu

We study sparse attention.

CVMay 9, 2023
Robust Vision Models

René Fischer, Zoë Müller-Lüdenscheidt

Robust models for vision.
"""

LIST_B = """95.3LGApr 14Code
Sparse Attention for Long DocumentsZoë Müller-Lüdenscheidt, René Fischer et al. · cmu
We study sparse attention.
CVMay 9, 2023
Robust Vision ModelsRené Fischer, Zoë Müller-Lüdenscheidt
Robust models for vision.
"""


def parse(text: str | bytes, source: str = "p.txt"):
    return parse_page(text, source, AS_OF)


def diags(parsed) -> list[tuple[str, int, str]]:
    return [(d.severity, d.line, d.message) for d in parsed.diagnostics]


def titles(parsed) -> list[str]:
    return [x.title for x in parsed.listings]


# --- encodings and line ends ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be", "utf-8-sig"])
@pytest.mark.parametrize("text", [PROFILE, LIST_B], ids=["A", "B"])
def test_byte_order_mark_says_the_encoding(encoding, text):
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    if encoding == "utf-32-be":
        data = b"\x00\x00\xfe\xff" + data
    parsed = parse(data)
    assert diags(parsed) == []
    assert titles(parsed) == ["Sparse Attention for Long Documents", "Robust Vision Models"]
    assert "Zoë Müller-Lüdenscheidt" in parsed.listings[0].authors


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_legacy_encoding_is_guessed_and_named(encoding):
    parsed = parse(PROFILE.replace("Zoë Müller-Lüdenscheidt", "Zoé Muller").encode(encoding))
    assert diags(parsed) == [(WARNING, 1, "the file is not UTF-8; read as cp1252 (a guess)")]
    assert parsed.page.owner == "Zoé Muller"  # not U+FFFD: the owner is kept
    assert parsed.listings[1].authors == ["René Fischer", "Zoé Muller"]


def test_windows_1252_quotes_are_read():
    parsed = parse(
        PROFILE.replace("We study sparse attention.", "We study \u201csparse\u201d attention.")
        .encode("cp1252", errors="strict")
        .replace("Zo\xeb".encode("cp1252"), b"Zoe")
    )
    assert parsed.listings[0].abstract == "We study \u201csparse\u201d attention."


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"], ids=["CR", "CRLF", "LF"])
@pytest.mark.parametrize("text", [PROFILE, LIST_B], ids=["A", "B"])
def test_every_line_ending_reads_the_same(ending, text):
    parsed = parse(text.replace("\n", ending).encode("utf-8"))
    assert diags(parsed) == []
    assert titles(parsed) == ["Sparse Attention for Long Documents", "Robust Vision Models"]
    assert [x.line for x in parsed.listings] == ([12, 19] if text is PROFILE else [1, 4])


def test_message_about_a_bad_first_line_does_not_print_the_whole_file():
    parsed = parse(("x" * 5000 + "\r") * 3)
    assert parsed.diagnostics and all(len(d.message) < 300 for d in parsed.diagnostics)


# --- sizes ---------------------------------------------------------------------------------------------


def test_an_over_long_line_is_reported_and_skipped():
    long = "A" * (MAX_LINE_BYTES + 1)
    text = PROFILE.replace("We study sparse attention.", long)
    parsed = parse(text)
    assert (
        ERROR,
        17,
        f"the line is {MAX_LINE_BYTES + 1:,} bytes long, more than a line of a page can be (65,536 bytes); it is skipped",
    ) in diags(parsed)
    assert titles(parsed) == ["Sparse Attention for Long Documents", "Robust Vision Models"]
    assert parsed.listings[0].abstract is None


def test_an_over_long_line_in_a_file_with_a_stray_byte_is_reported_and_skipped():
    text = PROFILE.replace("We study sparse attention.", "A" * (MAX_LINE_BYTES + 5)).replace(
        "Robust models", "Robust mod\udce9ls"
    )
    parsed = parse(text.encode("utf-8", errors="surrogateescape"))
    assert [d.line for d in parsed.errors] == [17]
    assert titles(parsed) == ["Sparse Attention for Long Documents", "Robust Vision Models"]


def test_an_over_large_file_is_reported_and_skipped(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no need to write 16 MiB
    small = tmp_path / "small.txt"
    small.write_text(PROFILE, encoding="utf-8")
    pages = parse_files([big, small], AS_OF)
    assert [str(d) for d in pages[0].diagnostics] == [
        "big.txt:1: error: the file is 16.0 MiB, more than a page can be (16.0 MiB); it is skipped"
    ]
    assert pages[0].listings == []
    assert titles(pages[1]) == ["Sparse Attention for Long Documents", "Robust Vision Models"]


# --- listing headers kg cannot read ---------------------------------------------------------------------

BAD_HEADERS = ["lg", "LG Jan 5, 2020", "JAN", "5th", "LG-Jan"]


@pytest.mark.parametrize("bad", BAD_HEADERS)
def test_unread_header_in_a_profile_is_reported_not_merged(bad):
    text = PROFILE.replace("CVMay 9, 2023", bad)
    parsed = parse(text)
    [error] = parsed.errors
    assert error.line == 19
    assert "is not a listing header" in error.message or "malformed listing header" in error.message
    assert "Robust Vision Models" in error.message or bad in error.message
    # the listing before keeps its own lines: its authors and abstract are not the next one's
    [first] = parsed.listings
    assert first.title == "Sparse Attention for Long Documents"
    assert first.authors == ["Zoë Müller-Lüdenscheidt", "René Fischer"]
    assert first.abstract == "We study sparse attention."
    assert not [d for d in parsed.warnings if "extra line" in d.message]
    assert not [d for d in parsed.warnings if "declares" in d.message]  # the reported listing is one of the 2


@pytest.mark.parametrize("bad", BAD_HEADERS)
def test_unread_header_in_a_list_is_reported_not_merged(bad):
    parsed = parse(LIST_B.replace("CVMay 9, 2023", bad))
    [error] = parsed.errors
    assert error.line == 4
    [first] = parsed.listings
    assert (first.title, first.abstract) == (
        "Sparse Attention for Long Documents",
        "We study sparse attention.",
    )
    assert not [d for d in parsed.warnings if "extra line" in d.message]


# --- author lines of any shape (layout A) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "authors",
    [
        ", ".join(f"Author{i} Person" for i in range(20)) + ", Zoë Müller-Lüdenscheidt",  # many names
        "Zoë Müller-Lüdenscheidt, René Fischer 🚀, 李雷",  # emoji, CJK
        "zoë müller-lüdenscheidt, rené fischer",  # all lower case
        "ZOË MÜLLER-LÜDENSCHEIDT, RENÉ FISCHER",  # all capitals
        "Aaron van den Oord, Oriol Vinyals, koray kavukcuoglu, Zoë Müller-Lüdenscheidt",
    ],
)
def test_author_line_is_known_by_its_place(authors):
    parsed = parse(PROFILE.replace("René Fischer, Zoë Müller-Lüdenscheidt\n", authors + "\n"))
    listing = parsed.listings[1]
    assert listing.authors == [a.strip() for a in authors.split(",")]
    assert listing.abstract == "Robust models for vision."  # the abstract is not lost


def test_a_lone_paragraph_of_prose_is_the_abstract():
    text = PROFILE.replace("René Fischer, Zoë Müller-Lüdenscheidt\n\n", "")
    parsed = parse(text)
    listing = parsed.listings[1]
    assert listing.authors == [] and listing.abstract == "Robust models for vision."
    assert (
        WARNING,
        19,
        "listing has no author line; kept with the owner Zoë Müller-Lüdenscheidt as its only known author",
    ) in diags(parsed)


# --- files that are not pages ------------------------------------------------------------------------------

README = """# kg

A knowledge graph of researchers, built from their scraped profile pages.

## Install

    pip install -e .
"""


def test_a_readme_is_not_a_page():
    parsed = parse(README, "README.md")
    assert diags(parsed) == [
        (
            ERROR,
            1,
            "not a profile page: no listing header and no profile metrics (it starts '# kg'); the file is skipped",
        )
    ]
    assert parsed.page.layout == "?" and parsed.listings == []


def test_a_profile_with_no_listings_is_still_a_page():
    text = PROFILE.split("2 Papers")[0] + "0 Papers\n"
    parsed = parse(text)
    assert parsed.page.owner == "Zoë Müller-Lüdenscheidt" and parsed.page.layout == "A"
    assert parsed.errors == []


# --- file names in diagnostics -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, shown",
    [
        ("evil\nx.txt:1: error: fake", "evil\\nx.txt:1: error: fake"),
        ("bytes\udcff\udcfe.txt", "bytes\\xff\\xfe.txt"),  # undecodable bytes, as os.fsdecode gives them
        ("tab\there.txt", "tab\\there.txt"),
        ("esc\x1b[31mred.txt", "esc\\x1b[31mred.txt"),
        ("plain é.txt", "plain é.txt"),
    ],
)
def test_file_names_are_shown_on_one_printable_line(name, shown):
    text = str(Diagnostic(ERROR, name, 3, "something"))
    assert text == f"{shown}:3: error: something"
    assert "\n" not in text and text.isprintable()
    text.encode("utf-8")  # no lone surrogate: printing it cannot fail


def test_a_file_name_with_a_newline_cannot_fake_a_diagnostic_line(tmp_path):
    path = tmp_path / "a\nb.txt:9: error: fake.txt"
    path.write_text(README, encoding="utf-8")
    [page] = parse_files([path], AS_OF)
    lines = "\n".join(str(d) for d in page.diagnostics).splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "a\\nb.txt:9: error: fake.txt:1: error: not a profile page"
    )


# --- header fields out of range, repeated ----------------------------------------------------------------


def test_novelty_out_of_range_is_reported_and_left_unset():
    parsed = parse(PROFILE.replace("Novelty55%", "Novelty100000%"))
    assert diags(parsed) == [
        (ERROR, 7, "'Novelty100000%' is out of range: Novelty<number>% is at most 100; left unset")
    ]
    assert parsed.page.novelty_percent is None
    assert parsed.page.h_index == 12 and len(parsed.listings) == 2


@pytest.mark.parametrize(
    "line, repeat, message",
    [
        ("h-index12", "h-index99", "the h-index is stated again (first on line 4); the first, 12, is kept"),
        (
            "2 Papers",
            "7 Papers",
            "the number of papers (N Papers) is stated again (first on line 10); the first, 2, is kept",
        ),
        (
            "AI Score61",
            "AI Score61",
            "the AI score is stated again (first on line 8); the first, 61, is kept",
        ),
    ],
)
def test_repeated_header_field_is_reported_and_the_first_kept(line, repeat, message):
    parsed = parse(PROFILE.replace(line, f"{line}\n{repeat}"))
    assert [(d.severity, d.message) for d in parsed.diagnostics] == [(WARNING, message)]
    assert parsed.diagnostics[0].line == int(message.split("line ")[1].split(")")[0]) + 1
    assert parsed.page.h_index == 12 and parsed.page.declared_listing_count == 2
