"""The name grammar (kg/names.py), as properties: names built from their parts and printed in every style
pages use (as is, ALL CAPS, all lower case, initials with and without periods) read back as themselves:
as names, in author lines, and in the places of a fused line."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.reading.author_lines import looks_like_author_line, parse_author_line
from kg.reading.names import CAMEL_PREFIXES, name_score, word_kind
from kg.reading.split import Lexicon, split_fused_line

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

UPPER = "ABCDEFGHIJKLMNOPRSTVWYZÉÅÖÜŁØÇ"
LOWER = "abcdefghijklmnoprstuvwyzéèöüñçłåø"

word = st.builds(lambda c, rest: c + rest, st.sampled_from(UPPER), st.text(LOWER, min_size=2, max_size=9))
# a family name: plain, hyphenated, with an apostrophe, with a name prefix
family = st.one_of(
    word,
    word,
    st.builds(lambda a, b: f"{a}-{b}", word, word),
    st.builds(lambda o, b: f"{o}'{b}", st.sampled_from(["O", "D"]), word),
    st.builds(lambda p, b: p + b, st.sampled_from(["Mc", "Mac"]), word),
)


@st.composite
def names(draw):
    """(parts, kinds): a given name, maybe a second one, initials, a nickname, particles, a family name, a suffix."""
    parts = [draw(word)]
    if draw(st.integers(0, 4)) == 0:
        parts.append(f"({draw(word)})")
    if draw(st.integers(0, 3)) == 0:
        parts.append(draw(word))
    for _ in range(draw(st.integers(0, 2))):
        parts.append(draw(st.sampled_from(UPPER[:20])) + ".")
    if draw(st.integers(0, 3)) == 0:
        parts += draw(
            st.sampled_from([["van"], ["de"], ["van", "der"], ["de", "la"], ["des"], ["da"], ["y"]])
        )
    parts.append(draw(family))
    if draw(st.integers(0, 6)) == 0:
        parts.append(draw(st.sampled_from(["Jr.", "III", "II"])))
    return parts


def render(parts: list[str], style: str) -> str:
    if style == "no-periods":
        parts = [p.rstrip(".") if len(p) == 2 and p.endswith(".") else p for p in parts]
    text = " ".join(parts)
    if style == "caps":
        return text.upper()
    if style == "lower":
        return text.lower()
    return text


STYLES = ["as-is", "no-periods", "caps", "lower"]


@SETTINGS
@given(names(), st.sampled_from(STYLES))
def test_a_name_in_any_printing_style_is_a_name(parts, style):
    name = render(parts, style)
    assert name_score(name) is not None, name


@SETTINGS
@given(
    st.lists(st.tuples(names(), st.sampled_from(STYLES)), min_size=1, max_size=20),
    st.booleans(),
    st.lists(st.sampled_from(["cmu", "nvidia", "allen-ai"]), max_size=2),
)
def test_an_author_line_of_any_names_reads_back(named, truncated, orgs):
    shown = [render(parts, style) for parts, style in named]
    text = ", ".join(shown) + (" et al." if truncated else "") + (" · " + ", ".join(orgs) if orgs else "")
    assert looks_like_author_line(text)
    line = parse_author_line(text)
    assert (line.authors, line.truncated, line.orgs) == (shown, truncated, orgs)


TITLES = [
    "Deep Learning for Graphs",
    "Sparse coding via lateral inhibition",
    "A Survey of GPU Kernels",
    "TC-GNN: Bridging Sparse GNN Computation",
]


@SETTINGS
@given(
    names(),
    st.sampled_from(["as-is", "no-periods", "caps"]),
    names(),
    names(),
    st.sampled_from(TITLES),
    st.booleans(),
)
def test_a_capitalised_first_author_in_a_fused_line_reads_back(first, style, second, third, title, truncated):
    authors = [render(first, style), render(second, "as-is"), render(third, "lower")]
    split = split_fused_line(title + ", ".join(authors) + (" et al." if truncated else ""))
    if (split.title, split.authors.authors) != (title, authors):
        # only where the name itself reads two ways (Mc|Kay...) may kg doubt, and then it says so
        assert split.doubt, (split.title, split.authors.authors)


@SETTINGS
@given(names(), st.sampled_from(STYLES), names(), st.sampled_from(TITLES))
def test_a_first_author_the_run_has_seen_reads_back_in_any_style(first, style, second, title):
    authors = [render(first, style), render(second, "as-is")]
    seen = Lexicon()
    seen.add_name(authors[0])  # e.g. on a profile of the same run
    seen.add_title_words(title.split())
    split = split_fused_line(title + ", ".join(authors), seen)
    assert (split.title, split.authors.authors) == (title, authors)


@SETTINGS
@given(names(), names(), st.sampled_from(STYLES), names(), st.sampled_from(TITLES))
def test_later_authors_read_back_in_any_style(first, second, style, third, title):
    # ` et al.` follows three names: the second and third stand between commas, whatever their style
    authors = [render(first, "as-is"), render(second, style), render(third, style)]
    split = split_fused_line(title + ", ".join(authors) + " et al.")
    assert split.authors.authors[1:] == authors[1:]


def test_word_kinds():
    assert [
        word_kind(w)
        for w in [
            "Hinton",
            "E",
            "E.",
            "J.-P.",
            "van",
            "III",
            "(Jack)",
            "LI",
            "koray",
            "王小明",
            "BigScience",
            "GPU2",
        ]
    ] == [
        "cap",
        "initial",
        "initial",
        "initial",
        "particle",
        "suffix",
        "nick",
        "caps",
        "lower",
        "caseless",
        "camel",
        "digits",
    ]
    assert all(word_kind(p + "Donald") == "cap" for p in CAMEL_PREFIXES if p not in ("St",))


def test_a_nine_word_name_is_an_author_line():
    # given name, nickname, second name, two initials, two particles, family name, suffix
    text = "Mdłñthu (Aaa) Baa B. A. de la Aaa Jr., Ada Lovelace"
    assert looks_like_author_line(text)
    assert parse_author_line(text).authors == ["Mdłñthu (Aaa) Baa B. A. de la Aaa Jr.", "Ada Lovelace"]
