"""Diagnostics of the parser: one page per problem (tests/fixtures/bad/, described in its EXPECTED.md),
plus empty, junk, header-only and date edge cases, and abstracts that carry LaTeX and URLs.

Every problem must come out as a Diagnostic with its file and line, and the valid rest of the page must
still be used. The messages asserted here are the contract: change them together with this file.
"""

from __future__ import annotations

import random
import re
from dataclasses import astuple
from datetime import date
from pathlib import Path

import pytest

from kg.reading.parse import parse_page
from kg.reading.records import ERROR, WARNING, ParsedPage
from kg.reading.split import Lexicon

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BAD = FIXTURES / "bad"
PAGES = FIXTURES / "pages"
AS_OF = date(2026, 11, 24)

METRIC_SHAPES = "h-index<number>, <number>papers, <number>citations, Novelty<number>%, AI Score<number>"


def parse(path: Path, as_of: date = AS_OF, lexicon: Lexicon | None = None) -> ParsedPage:
    return parse_page(path.read_bytes(), path.name, as_of, lexicon)


def parse_text(text: str | bytes, as_of: date = AS_OF, lexicon: Lexicon | None = None, source: str = "t.txt"):
    return parse_page(text, source, as_of, lexicon)


def diags(parsed: ParsedPage) -> list[tuple[str, int, str]]:
    return [(d.severity, d.line, d.message) for d in parsed.diagnostics]


def xfail_bug(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


# --- the bad fixtures: exact diagnostics -----------------------------------------------------------
#
# Each entry: file -> [(severity, line, message)]. The line is checked against EXPECTED.md (quoted in
# the comment).

EXPECTED_DIAGNOSTICS = {
    # bom_crlf.txt:1-24: nothing to report.
    "bom_crlf.txt": [],
    # not_utf8.txt:22: the bad byte is on line 22 (byte offset 479, column 19).
    "not_utf8.txt": [(WARNING, 22, "bytes that are not UTF-8 were read as Windows-1252")],
    # bad_metric.txt:4: h-indexforty.
    "bad_metric.txt": [(ERROR, 4, f"malformed metric 'h-indexforty': expected one of {METRIC_SHAPES}")],
    # impossible_date.txt:19: Feb 30, 2021.
    "impossible_date.txt": [(ERROR, 19, "impossible date Feb 30, 2021; the listing is skipped")],
    # no_title.txt:19-21: "report that the listing at line 19 has no title".
    "no_title.txt": [(ERROR, 19, "listing has no title; the listing is skipped")],
    # no_authors.txt:20-22: "report that the listing at line 19 (title on line 20) has no author line".
    # (EXPECTED.md also wants the paper kept, with the owner as implied author: see the xfail below.)
    "no_authors.txt": [
        (
            WARNING,
            19,
            "listing has no author line; kept with the owner Samuel Adeyemi as its only known author",
        )
    ],
    # cut_off.txt:26-27: the truncated last listing at 26; no separate count error against line 10.
    "cut_off.txt": [
        (ERROR, 26, "listing is cut off after its title: no author line; the listing is skipped")
    ],
    # count_differs.txt:10: declares 3, lists 2.
    "count_differs.txt": [(WARNING, 10, "the page declares 3 papers but lists 2")],
    # owner_missing.txt:22: the complete author list on line 22 lacks the owner.
    "owner_missing.txt": [
        (
            WARNING,
            22,
            "the owner Ada Example is not among the complete author list; "
            "kept as an author because the profile lists the paper",
        )
    ],
    # garbled_b.txt:5: the fused line 5 has no author list.
    "garbled_b.txt": [(ERROR, 5, "no author names found after the title; the listing is skipped")],
    # ambiguous_b.txt:5: two readings of the fused line 5, both named.
    "ambiguous_b.txt": [
        (
            WARNING,
            5,
            'took "Scaling Laws for Open Models" as the title and "BigScience Workshop" as the first author; '
            '"Scaling Laws for Open ModelsBig" by "Science Workshop" would also read',
        )
    ],
}

BAD_FILES = sorted(p.name for p in BAD.glob("*.txt"))


def test_every_bad_fixture_is_covered_and_described():
    assert sorted(EXPECTED_DIAGNOSTICS) == BAD_FILES
    described = set(re.findall(r"`(\w+\.txt):\d", (BAD / "EXPECTED.md").read_text(encoding="utf-8")))
    assert described == set(BAD_FILES)


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_fixture_diagnostics(name):
    parsed = parse(BAD / name)
    assert diags(parsed) == EXPECTED_DIAGNOSTICS[name]
    assert all(d.source == name for d in parsed.diagnostics)


# --- the bad fixtures: the valid rest is still used --------------------------------------------------
#
# file -> the valid listings EXPECTED.md says must still be parsed: (line, title, authors, truncated, orgs, date)

VALID_LISTINGS = {
    "bom_crlf.txt": [
        (
            12,
            "Sparse Attention Kernels for Long-Context Inference",
            ["Marta Kowalczyk", "Jonas Lindqvist", "Priya Raman"],
            True,
            ["cmu"],
            date(2022, 3, 3),
        ),
        (
            19,
            "Elastic Checkpointing for Preemptible GPU Clusters",
            ["Jonas Lindqvist", "Marta Kowalczyk"],
            False,
            [],
            date(2020, 11, 21),
        ),
    ],
    "not_utf8.txt": [
        (
            12,
            "Multilingual Instruction Tuning with Synthetic Dialogues",
            ["Daniel Okafor", "Ama Mensah", "Lukas Brandt"],
            True,
            ["allen-ai"],
            date(2023, 8, 14),
        ),
        (
            19,
            "Robust Named Entity Recognition for Code-Switched Text",
            ["Daniel Okafor", "René Fischer", "Sofia Marchetti"],
            False,
            [],
            date(2021, 1, 9),
        ),
    ],
    "bad_metric.txt": [
        (
            12,
            "Learning Contact-Rich Assembly from Few Demonstrations",
            ["Ingrid Halvorsen", "Mateo Ruiz", "Yuki Tanaka"],
            True,
            ["stanford"],
            date(2022, 10, 4),
        ),
        (
            19,
            "Uncertainty-Aware Grasp Planning for Cluttered Bins",
            ["Mateo Ruiz", "Ingrid Halvorsen"],
            False,
            [],
            date(2020, 5, 19),
        ),
    ],
    "impossible_date.txt": [
        (
            12,
            "Sim-to-Real Transfer of Legged Locomotion via Domain Randomized Dynamics",
            ["Kenji Watanabe", "Clara Hoffmann", "Arjun Mehta"],
            True,
            ["berkeley"],
            date(2022, 12, 2),
        ),
        (
            26,
            "Self-Supervised Depth Estimation from Monocular Driving Video",
            ["Arjun Mehta", "Kenji Watanabe", "Sun-Hee Park"],
            True,
            [],
            date(2019, 8, 7),
        ),
    ],
    "no_title.txt": [
        (
            12,
            "Open-Vocabulary Segmentation of Aerial Imagery",
            ["Lucia Ferreira", "Marco Bellini", "Hannah Steiner"],
            True,
            ["eth-zurich"],
            date(2023, 6, 14),
        ),
        (
            25,
            "Label-Efficient Change Detection with Contrastive Pretraining",
            ["Hannah Steiner", "Lucia Ferreira"],
            False,
            [],
            date(2021, 1, 17),
        ),
    ],
    "no_authors.txt": [
        (
            12,
            "Learned Cardinality Estimation for Multi-Way Joins",
            ["Samuel Adeyemi", "Julia Nowak", "Ethan Brooks"],
            True,
            ["cmu"],
            date(2023, 3, 28),
        ),
        (19, "Adaptive Compression for Columnar Time-Series Storage", [], True, [], date(2022, 5, 8)),
        (
            25,
            "Consistent Snapshots for Serverless Data Pipelines",
            ["Julia Nowak", "Samuel Adeyemi"],
            False,
            [],
            date(2020, 10, 11),
        ),
    ],
    "cut_off.txt": [
        (
            12,
            "Dense Retrieval with Hard Negatives Mined from Click Logs",
            ["Grace Oyelaran", "Victor Lemaire", "Anika Bose"],
            True,
            ["amazon-science"],
            date(2023, 4, 21),
        ),
        (
            19,
            "Query Rewriting for Conversational Search with Weak Supervision",
            ["Victor Lemaire", "Grace Oyelaran"],
            False,
            [],
            date(2021, 9, 12),
        ),
    ],
    "count_differs.txt": [
        (
            12,
            "Planning with Language Models under Partial Observability",
            ["Nadia Rahman", "Omar Haddad", "Julien Roux"],
            True,
            [],
            date(2023, 11, 2),
        ),
        (
            19,
            "Reward Shaping from Natural Language Feedback",
            ["Omar Haddad", "Nadia Rahman"],
            False,
            [],
            date(2022, 6, 30),
        ),
    ],
    "owner_missing.txt": [
        (
            12,
            "Calibrated Uncertainty for Gradient-Boosted Trees",
            ["Ada Example", "Felix Brandt", "Noor Haddad"],
            True,
            ["berkeley"],
            date(2023, 7, 11),
        ),
        (
            19,
            "Conformal Prediction for Time Series with Drift",
            ["Bruno Castellanos", "Mei Lin Tan", "Oskar Nyberg"],
            False,
            [],
            date(2021, 3, 3),
        ),
    ],
    "garbled_b.txt": [
        (
            1,
            "Speculative Decoding with Draft Model Cascades",
            ["Elena Popescu", "Haruto Sato", "Marcus Bell"],
            True,
            ["stanford"],
            date(2023, 3, 12),
        ),
        (
            7,
            "Topology-Aware Collective Communication for Multi-Rack Training",
            ["Wen Jie Koh", "Aisha Bello"],
            False,
            [],
            date(2021, 2, 9),
        ),
    ],
    "ambiguous_b.txt": [
        (
            1,
            "Curriculum Sampling for Efficient Instruction Tuning",
            ["Karin Vogt", "Tobias Engel", "Mira Shah"],
            True,
            ["cmu"],
            date(2023, 6, 3),
        ),
        (
            7,
            "Quantized Optimizer States for Memory-Lean Finetuning",
            ["Ravi Iyer", "Chloe Martin"],
            False,
            [],
            date(2021, 2, 17),
        ),
    ],
}

# How many listings each file yields, as EXPECTED.md states it.
LISTING_COUNTS = {
    "bom_crlf.txt": 2,
    "not_utf8.txt": 2,
    "bad_metric.txt": 2,
    "impossible_date.txt": 2,  # the Feb 30 listing is skipped (allowed: "or skip the listing and report that")
    "no_title.txt": 2,
    "no_authors.txt": 3,  # "Keep the paper with the owner Samuel Adeyemi as its only (implied) author"
    "cut_off.txt": 2,  # dropping the cut-off listing is allowed
    "count_differs.txt": 2,
    "owner_missing.txt": 2,
    "garbled_b.txt": 2,  # skipping the line without authors is allowed
    "ambiguous_b.txt": 3,  # kept, with the warning
}

XFAIL_COUNTS: dict[str, str] = {}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_fixture_valid_listings_are_kept(name):
    parsed = parse(BAD / name)
    by_line = {listing.line: listing for listing in parsed.listings}
    for line, title, authors, truncated, orgs, published in VALID_LISTINGS[name]:
        assert line in by_line, f"{name}: the valid listing at {line} was lost"
        listing = by_line[line]
        assert listing.source == name
        assert listing.title == title
        assert listing.authors == authors
        assert listing.authors_truncated is truncated
        assert listing.orgs == orgs
        assert listing.date == published
        assert listing.year_assumed is False
        assert listing.abstract


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=xfail_bug(XFAIL_COUNTS[name])) if name in XFAIL_COUNTS else name
        for name in BAD_FILES
    ],
)
def test_bad_fixture_listing_count(name):
    assert len(parse(BAD / name).listings) == LISTING_COUNTS[name]


def test_bom_crlf_equals_the_lf_version():
    raw = (BAD / "bom_crlf.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    clean = "\n".join(line.rstrip() for line in raw[3:].decode("utf-8").replace("\r\n", "\n").split("\n"))
    crlf = parse_page(raw, "bom_crlf.txt", AS_OF)
    lf = parse_page(clean.encode("utf-8"), "bom_crlf.txt", AS_OF)
    assert crlf.diagnostics == [] and lf.diagnostics == []
    assert crlf.page == lf.page
    assert [astuple(x) for x in crlf.listings] == [astuple(x) for x in lf.listings]
    assert crlf.page.owner == "Marta Kowalczyk"
    assert crlf.page.ai_score == 47
    assert crlf.page.h_index == 18 and crlf.page.citations == 1482 and crlf.page.declared_listing_count == 2
    assert crlf.listings[0].title == "Sparse Attention Kernels for Long-Context Inference"
    assert crlf.listings[1].authors == ["Jonas Lindqvist", "Marta Kowalczyk"]
    assert crlf.listings[1].abstract.endswith("lose under 5% of their progress.")
    assert all("\r" not in x.abstract and x.abstract == x.abstract.strip() for x in crlf.listings)


def test_not_utf8_reads_only_the_bad_line_as_windows_1252():
    parsed = parse(BAD / "not_utf8.txt")
    # the valid UTF-8 middle dot on line 15 is read as such (no whole-file re-decode)
    assert parsed.listings[0].orgs == ["allen-ai"]
    assert parsed.page.owner == "Daniel Okafor"
    assert "René Fischer" in parsed.listings[1].authors
    assert not any("\ufffd" in x.title + "".join(x.authors) + (x.abstract or "") for x in parsed.listings)


def test_bad_metric_leaves_h_index_unset_and_keeps_the_rest():
    page = parse(BAD / "bad_metric.txt").page
    assert page.h_index is None
    assert page.owner == "Ingrid Halvorsen"
    assert page.primary_category == "RO"
    assert (page.paper_count, page.citations, page.novelty_percent, page.ai_score) == (2, 2317, 58, 52)
    assert page.declared_listing_count == 2


def test_impossible_date_is_not_rolled_over():
    parsed = parse(BAD / "impossible_date.txt")
    assert all(x.date not in (date(2021, 3, 2), date(2021, 2, 28)) for x in parsed.listings)
    assert "Federated Averaging with Heterogeneous Client Schedules" not in [x.title for x in parsed.listings]


def test_no_title_does_not_take_authors_or_abstract_as_title():
    titles = [x.title for x in parse(BAD / "no_title.txt").listings]
    assert "Lucia Ferreira, Marco Bellini, Hannah Steiner" not in titles
    assert not any(t.startswith("Introduces a benchmark") for t in titles)


def test_no_authors_does_not_read_the_abstract_as_authors():
    for listing in parse(BAD / "no_authors.txt").listings:
        assert not any(a.startswith("Chooses a compression codec") for a in listing.authors)


def test_no_authors_keeps_the_paper_with_no_listed_authors():
    parsed = parse(BAD / "no_authors.txt")
    by_line = {x.line: x for x in parsed.listings}
    assert 19 in by_line
    kept = by_line[19]
    assert kept.title == "Adaptive Compression for Columnar Time-Series Storage"
    # no author shown; the owner is implied (the mapping adds him, marked impliedByOwner)
    assert kept.authors == [] and kept.authors_truncated
    assert [d.line for d in parsed.diagnostics if d.line in range(19, 23)]


def test_cut_off_has_no_separate_count_diagnostic():
    parsed = parse(BAD / "cut_off.txt")
    assert not [d for d in parsed.diagnostics if d.line == 10]
    assert parsed.page.declared_listing_count == 3


def test_owner_missing_keeps_the_listed_authors():
    parsed = parse(BAD / "owner_missing.txt")
    assert parsed.page.owner == "Ada Example"
    listing = {x.line: x for x in parsed.listings}[19]
    # the owner claim is added where the graph is built (impliedByOwner), not by rewriting the list
    assert listing.authors == ["Bruno Castellanos", "Mei Lin Tan", "Oskar Nyberg"]
    assert listing.authors_truncated is False


def test_garbled_b_does_not_split_a_capitalised_tail_off_as_authors():
    parsed = parse(BAD / "garbled_b.txt")
    for listing in parsed.listings:
        assert not {"Clinical Question Answering", "Question Answering", "Answering"} & set(listing.authors)


def test_ambiguous_b_with_a_known_author_splits_right_silently():
    lexicon = Lexicon()
    lexicon.add_name("BigScience Workshop")
    parsed = parse(BAD / "ambiguous_b.txt", lexicon=lexicon)
    assert parsed.diagnostics == []
    listing = {x.line: x for x in parsed.listings}[4]
    assert listing.title == "Scaling Laws for Open Models"
    assert listing.authors == ["BigScience Workshop", "Teven Le Scao", "Angela Fan"]
    assert listing.authors_truncated is True
    assert listing.orgs == ["allen-ai", "berkeley"]
    assert listing.category == "CL" and listing.date == date(2022, 11, 9) and listing.score is None


def test_ambiguous_b_with_a_known_title_splits_right_silently():
    lexicon = Lexicon()
    lexicon.add_title("Scaling Laws for Open Models")
    parsed = parse(BAD / "ambiguous_b.txt", lexicon=lexicon)
    listing = {x.line: x for x in parsed.listings}[4]
    assert listing.title == "Scaling Laws for Open Models"
    assert listing.authors == ["BigScience Workshop", "Teven Le Scao", "Angela Fan"]
    assert parsed.diagnostics == []


# --- empty, junk, header-only ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [b"", b"\n", b"\r\n\r\n", b"   \n\t\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \r\n"]
)
def test_empty_file(data):
    parsed = parse_text(data, source="empty.txt")
    assert diags(parsed) == [(ERROR, 1, "the file is empty")]
    assert parsed.listings == []
    assert parsed.page.source == "empty.txt"
    assert parsed.page.owner is None


def _junk(newlines: bool) -> bytes:
    rng = random.Random(20261124)
    data = bytes(rng.randrange(256) for _ in range(1024))
    return data if newlines else data.replace(b"\n", b"")


@pytest.mark.parametrize("newlines", [True, False])
def test_random_binary_junk_is_not_a_page(newlines):
    data = _junk(newlines)
    parsed = parse_text(data, source="junk.bin")
    assert parsed.listings == []
    assert parsed.page.owner is None and parsed.page.layout == "?"
    [error] = parsed.errors
    assert error.line == 1
    assert error.message.startswith(
        "not a profile page: no listing header and no profile metrics (it starts "
    )
    assert error.message.endswith("; the file is skipped")
    assert len(error.message) < 200  # the file is not printed
    raw_lines = re.split(rb"\r\n|\r|\n", data)  # CR alone ends a line too
    assert all(1 <= d.line <= len(raw_lines) + 1 and d.message for d in parsed.diagnostics)


@pytest.mark.parametrize("first_line", ["\x00\x01\x02", "Ann\ufffd Lee", "\ufffd\ufffd"])
def test_unreadable_first_line_is_no_owner(first_line):
    parsed = parse_text(first_line + "\n" + HEADER_ONLY.split("\n", 1)[1])
    assert parsed.page.owner is None
    assert parsed.errors[0].line == 1
    assert parsed.errors[0].message == (
        f"the first line is neither a person's name nor a listing header: {first_line!r}; the page has no owner"
    )
    assert parsed.page.h_index == 10  # the rest of the head is still read


HEADER_ONLY = """Ada Example

ML
h-index10
2papers
534citations
Novelty53%
AI Score40

2 Papers
"""


def test_page_that_is_only_a_header():
    parsed = parse_text(HEADER_ONLY, source="head.txt")
    assert parsed.listings == []
    assert diags(parsed) == [(WARNING, 10, "the page declares 2 papers but lists 0")]
    page = parsed.page
    assert (page.layout, page.owner, page.primary_category) == ("A", "Ada Example", "ML")
    assert (page.h_index, page.paper_count, page.citations, page.novelty_percent, page.ai_score) == (
        10,
        2,
        534,
        53,
        40,
    )
    assert page.declared_listing_count == 2


def test_header_without_declared_count():
    parsed = parse_text("Ada Example\n\nML\nh-index10\n")
    assert diags(parsed) == [(WARNING, 4, "profile does not declare how many papers it lists")]
    assert parsed.listings == []


# --- dates -------------------------------------------------------------------------------------------


def page_a(*headers: str) -> str:
    blocks = "".join(
        f"\n{h}\nSome Title {i}\n\nAda Example, Bob Smith\n\nAn abstract.\n" for i, h in enumerate(headers)
    )
    return HEADER_ONLY.replace("2 Papers", f"{len(headers)} Papers") + blocks


def page_b(*headers: str) -> str:
    return "".join(
        f"{h}\nSome Title {i}Ada Example, Bob Smith\nAn abstract.\n" for i, h in enumerate(headers)
    )


@pytest.mark.parametrize("render, line", [(page_a, 12), (page_b, 1)])
def test_date_without_year_assumes_the_scrape_year(render, line):
    parsed = parse_text(render("MLMar 3Code"))
    assert parsed.diagnostics == []
    [listing] = parsed.listings
    assert (listing.line, listing.date, listing.year_assumed, listing.has_code) == (
        line,
        date(2026, 3, 3),
        True,
        True,
    )


@pytest.mark.parametrize("render", [page_a, page_b])
def test_date_with_year_is_not_assumed(render):
    [listing] = parse_text(render("MLMar 3, 2019")).listings
    assert (listing.date, listing.year_assumed, listing.has_code) == (date(2019, 3, 3), False, False)


def test_date_on_the_scrape_day_is_fine():
    parsed = parse_text(page_b("MLNov 24"))
    assert parsed.diagnostics == []
    assert parsed.listings[0].date == AS_OF


@pytest.mark.parametrize("render", [page_a, page_b])
def test_date_without_year_after_the_scrape_date_takes_the_year_before(render):
    # a listing is not newer than the page that shows it: Dec 3 scraped on 2026-11-24 is 2025-12-03
    parsed = parse_text(render("MLDec 3"))
    assert diags(parsed) == []
    [listing] = parsed.listings
    assert (listing.date, listing.year_assumed) == (date(2025, 12, 3), True)


def test_date_without_year_on_the_day_after_the_scrape_takes_the_year_before():
    [listing] = parse_text(page_b("MLNov 25")).listings
    assert (listing.date, listing.year_assumed) == (date(2025, 11, 25), True)


def test_feb_29_without_year_takes_the_leap_year_before_the_scrape():
    [listing] = parse_text(page_b("MLFeb 29"), as_of=date(2025, 1, 10)).listings
    assert (listing.date, listing.year_assumed) == (date(2024, 2, 29), True)


@pytest.mark.parametrize("text", ["MLJan 1, 0000"])
def test_year_zero_is_an_impossible_date(text):
    parsed = parse_text(page_b(text))
    assert parsed.listings == []
    assert [m for _, _, m in diags(parsed)] == [f"impossible date {text[2:]}; the listing is skipped"]


@pytest.mark.parametrize("render, line", [(page_a, 12), (page_b, 1)])
def test_feb_29_without_year_in_a_non_leap_year_is_impossible(render, line):
    parsed = parse_text(render("MLFeb 29"))
    # (layout A: the skipped header still counts against "1 Papers", so no count warning)
    assert diags(parsed) == [
        (ERROR, line, "impossible date Feb 29 (year 2026 assumed); the listing is skipped")
    ]
    assert parsed.listings == []


def test_feb_29_without_year_in_a_leap_year_is_fine():
    parsed = parse_text(page_b("MLFeb 29"), as_of=date(2028, 3, 1))
    assert parsed.diagnostics == []
    assert parsed.listings[0].date == date(2028, 2, 29)


def test_feb_29_with_a_non_leap_year_is_impossible():
    parsed = parse_text(page_b("MLFeb 29, 2023", "LGMar 1, 2023"))
    assert diags(parsed) == [(ERROR, 1, "impossible date Feb 29, 2023; the listing is skipped")]
    assert [x.line for x in parsed.listings] == [4]


# --- LaTeX and URLs in abstracts are kept verbatim ---------------------------------------------------

ABSTRACTS = [
    r"Cuts memory by $4\times$ with \emph{x} sparse kernels, saving 30% of time; see https://github.com/a/b.",
    r"Uses $\mathcal{O}(n \log n)$ attention and 100% of \textbf{the} data: http://example.org/x?y=1&z=%20#frag",
    r"50% \% $\times$ \\ {braces} ~tilde~ ^caret^ _under_ <https://x.y/z_(w)>",
]


@pytest.mark.parametrize("abstract", ABSTRACTS)
def test_latex_and_urls_in_abstracts_are_verbatim_layout_a(abstract):
    text = (
        HEADER_ONLY.replace("2 Papers", "1 Papers")
        + f"\nLGApr 3, 2024\nA Title\n\nAda Example, Bob Smith\n\n{abstract}\n"
    )
    parsed = parse_text(text)
    assert parsed.diagnostics == []
    assert parsed.listings[0].abstract == abstract


@pytest.mark.parametrize("abstract", ABSTRACTS)
def test_latex_and_urls_in_abstracts_are_verbatim_layout_b(abstract):
    parsed = parse_text(f"91.5LGApr 3, 2024Code\nA TitleAda Example, Bob Smith\n{abstract}\n")
    assert parsed.diagnostics == []
    assert parsed.listings[0].abstract == abstract


def test_latex_and_urls_in_fixture_abstracts_are_verbatim():
    abstracts = [x.abstract for x in parse(PAGES / "000_d1e1c11066227b5a.txt").listings]
    assert any(r"\emph{sparse}" in a and r"$10\times$" in a for a in abstracts)
    assert any(a.endswith("the code is at https://github.com/tensorflow/lingvo.") for a in abstracts)
    abstracts = [x.abstract for x in parse(PAGES / "002_616fe619df06ff1f.txt").listings]
    assert any(
        r"$2.4\times$ faster" in a and a.endswith("code: https://github.com/stanford-futuredata/megablocks")
        for a in abstracts
    )
    assert any("about 52% of theoretical peak per GPU." in a for a in abstracts)
    abstracts = [x.abstract for x in parse(PAGES / "003_fd8b96957d83db75.txt").listings]
    assert any(r"by $5\times$ and removing over 90% of" in a for a in abstracts)


# --- the good pages parse cleanly --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, count",
    [
        ("000_d1e1c11066227b5a.txt", 12),
        ("001_f501fd07813c86e2.txt", 7),
        ("002_616fe619df06ff1f.txt", 25),
        ("003_fd8b96957d83db75.txt", 7),
        ("004_0b1fd6c6ee51fc8c.txt", 14),
    ],
)
def test_good_pages_have_no_errors(name, count):
    parsed = parse(PAGES / name)
    assert parsed.errors == []
    assert len(parsed.listings) == count
