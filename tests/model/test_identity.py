"""Identities: one node for one paper, person or organisation printed with trivial differences, and
never one node for two different ones (ontology/README.md, "Identities")."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.model.vocab import Iris, identity_key, key_of_slug, slug

IRIS = Iris("https://kg.example.org/id/")
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


# --- kept apart --------------------------------------------------------------------------------------


def test_titles_that_differ_in_a_sign_are_different_papers():
    titles = [
        "Programming in C++",
        "Programming in C",
        "Programming in C#",
        "Programming in C: A Survey",
        "Programming in C - A Survey",
    ]
    assert len({IRIS.paper(t) for t in titles}) == len(titles)


def test_people_and_organisations_that_differ_in_a_sign_are_different():
    assert IRIS.person("Jean-Pierre Roy") != IRIS.person("Jean Pierre Roy")
    assert IRIS.person("A. B. Smith") != IRIS.person("A B Smith")
    assert IRIS.org("c++ labs") != IRIS.org("c labs")
    assert IRIS.org("ai2") != IRIS.org("ai-2")


@settings(max_examples=500)
@given(text, text)
def test_no_two_different_keys_share_an_iri(a, b):
    """The slug is an injective code of the identity key: it reads back into the key."""
    assert key_of_slug(slug(a)) == identity_key(a)
    if identity_key(a) != identity_key(b):
        assert IRIS.paper(a) != IRIS.paper(b)
        assert IRIS.person(a) != IRIS.person(b)
        assert IRIS.org(a) != IRIS.org(b)


@settings(max_examples=300)
@given(text)
def test_every_slug_is_a_valid_iri_segment(a):
    import pyoxigraph as ox

    ox.NamedNode(IRIS.paper(a))
    assert set(slug(a)) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_")


# --- joined ------------------------------------------------------------------------------------------

DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"]
QUOTES = ["'", '"', "`", "\u2018", "\u2019", "\u201c", "\u201d", "\u00ab", "\u00bb"]
words = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyzÀÉÎÕÜçñ0123456789", min_size=1, max_size=8), min_size=1, max_size=6
)


def printings(draw_words, dash, quote, upper, spaces, decompose):
    title = f" {quote}".join(
        [" ".join(draw_words[: len(draw_words) // 2 + 1]), *draw_words[len(draw_words) // 2 + 1 :]]
    )
    title = title.replace(" ", spaces) + f" {dash} end"
    title = title.upper() if upper else title
    return unicodedata.normalize("NFD" if decompose else "NFC", title)


@settings(max_examples=300)
@given(
    words,
    st.sampled_from(DASHES),
    st.sampled_from(DASHES),
    st.sampled_from(QUOTES),
    st.sampled_from(QUOTES),
    st.booleans(),
    st.sampled_from([" ", "  ", "\t", "\u00a0"]),
    st.booleans(),
)
def test_trivial_differences_are_one_paper(ws, dash1, dash2, quote1, quote2, upper, spaces, decompose):
    one = printings(ws, dash1, quote1, False, " ", False)
    other = printings(ws, dash2, quote2, upper, spaces, decompose)
    assert IRIS.paper(one) == IRIS.paper(other)


def test_trivial_differences_examples():
    same = [
        ("Nemotron 3 — Nano: “Open” Models", 'nemotron 3 - nano: "open" models'),
        ("Émile Durand", "Emile  DURAND"),
        ("Don’t Stop", "Don't stop"),
        ("Nemotron 3 - Nano", "Nemotron 3-Nano"),
        ("ﬁne-tuning", "fine–tuning"),  # a ligature, an en dash
    ]
    for a, b in same:
        assert IRIS.paper(a) == IRIS.paper(b), (a, b)
