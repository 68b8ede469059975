"""Identities: one node for one paper, person or organisation printed with trivial differences, and
never one node for two different ones (ontology/README.md, "Identities"); people decided from the
evidence on the pages (ontology/README.md, "People from evidence")."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.model import name_match
from kg.model.identity import Mention, compatible, resolve
from kg.model.name_match import CompatibleIndex, compact, compatible_pairs
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


# --- people from evidence (kg.identity) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("Shafiq R. Joty", "Shafiq Joty"),  # a middle initial dropped
        ("Malcolm Y. H. Low", "Malcolm Yoke Hean Low"),  # initials against given names
        ("Yew-Soon Ong", "Yew Soon Ong"),  # a hyphen
        ("Engsiong Chng", "Eng Siong Chng"),  # joined given names
        ("Chng Eng Siong", "Eng Siong Chng"),  # family name first
        ("Chai Quek", "Hiok Chai Quek"),  # a leading given name dropped
        ("Mohamed M. Sabry Aly", "Mohamed M. Sabry"),  # a second family name dropped
        ("José García", "Jose Garcia"),  # accents
        ('Robert "Bob" Smith', "Robert Smith"),  # a nickname
    ],
)
def test_names_of_one_person_are_compatible(a, b):
    assert compatible(a, b) and compatible(b, a)


@pytest.mark.parametrize(
    "a, b", [("Wei Zhang", "Wei Wang"), ("Yuke Wang", "Yuri Wang"), ("A. Smith", "B. Smith"), ("Jo Li", "Li")]
)
def test_names_of_different_people_are_not(a, b):
    assert not compatible(a, b)


# given names that begin alike, join (`Eng Siong`, `Engsiong`) or are initials; family names that are
# also given names, so that every reading (family first, a second family name dropped) meets others
GIVEN = ["Eng", "Siong", "Engsiong", "E.", "S.", "Ada", "Aaron", "A.", "Kim", "K.", "Chee", "Keong", "Es"]
FAMILY = ["Chng", "Ong", "Kim", "Ada", "Chee"]


@st.composite
def printed_names(draw):
    given = draw(st.lists(st.sampled_from(GIVEN), min_size=1, max_size=4))
    family = draw(st.lists(st.sampled_from(FAMILY), min_size=1, max_size=2))
    if len(given) > 1 and draw(st.booleans()) and not any(g.endswith(".") for g in given[:2]):
        given[:2] = ["-".join(given[:2])]  # a hyphenated pair
    parts = [*family, *given] if draw(st.booleans()) else [*given, *family]
    return " ".join(parts)


@pytest.mark.parametrize("keyed", [name_match.KEYED_GIVEN, 1], ids=["keyed", "many given names"])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(printed_names(), min_size=2, max_size=30, unique=True))
def test_the_index_finds_every_compatible_printing(names, keyed, monkeypatch):
    """Identity never compares every pair of a family name's printings: what the index offers a printing
    holds every printing compatible with it, and a few printings beside one coauthor are paired alike.
    Printings with more given names than are keyed are found by their family name."""
    monkeypatch.setattr(name_match, "KEYED_GIVEN", keyed)
    index = CompatibleIndex(names)
    for name in names:
        found = set(index.compatible_with(name))
        for other in names:
            unlike = compact(other) != compact(name)
            assert (other in found) == (unlike and compatible(name, other)), (name, other)
    assert compatible_pairs(names) == sorted(
        (a, b) for a in names for b in names if a < b and compact(a) != compact(b) and compatible(a, b)
    )


def listing(page: str, line: int, names: list[str], owner: str = "", title: str = "") -> list[Mention]:
    return [
        Mention(
            page,
            line,
            rank,
            name,
            title or f"{page}-{line}",
            tuple(n for n in names if n != name),
            owner,
            2024,
            True,
        )
        for rank, name in enumerate(names, start=1)
    ]


def profile(page: str, owner: str, listings: list[list[str]]) -> list[Mention]:
    out = [Mention(page, 0, 0, owner, owner=owner)]
    for n, names in enumerate(listings):
        out += listing(page, 10 + n, names, owner)
    return out


def people(mentions: list[Mention]) -> dict[str, set[tuple[str, int, int]]]:
    found: dict[str, set[tuple[str, int, int]]] = {}
    for key, node in resolve(mentions).iri_of.items():
        found.setdefault(node, set()).add(key)
    return found


def test_two_profiles_with_one_name_that_never_meet_are_two_people():
    mentions = profile("a", "Sam Solo", [["Sam Solo", "Ann Lee"]]) + profile(
        "b", "Sam Solo", [["Sam Solo", "Bo Ray"]]
    )
    nodes = people(mentions)
    assert {"sam-solo~a", "sam-solo~b"} <= set(nodes)
    assert nodes["sam-solo~a"] == {("a", 0, 0), ("a", 10, 1)}


def test_a_mention_no_evidence_ties_to_either_homonym_is_kept_apart_and_reported():
    mentions = profile("a", "Sam Solo", [["Sam Solo", "Ann Lee"]]) + profile(
        "b", "Sam Solo", [["Sam Solo", "Bo Ray"]]
    )
    mentions += listing("list", 5, ["Cy Twombly", "Sam Solo"])
    resolution = resolve(mentions)
    alone = resolution.iri_of[("list", 5, 2)]
    assert alone not in (resolution.iri_of[("a", 0, 0)], resolution.iri_of[("b", 0, 0)])
    (kept,) = resolution.ambiguous
    assert kept[1] == ["sam-solo~a", "sam-solo~b"] and kept[2][0].key == ("list", 5, 2)


def test_the_owner_printed_another_way_is_the_owner_not_a_coauthor():
    mentions = profile("p", "Chng Eng Siong", [["Engsiong Chng", "Andrew Koh"], ["Eng Siong Chng", "Bo Ray"]])
    resolution = resolve(mentions)
    assert (
        resolution.iri_of[("p", 10, 1)] == resolution.iri_of[("p", 11, 1)] == resolution.iri_of[("p", 0, 0)]
    )


def test_a_shared_coauthor_joins_spellings_and_a_short_name_needs_evidence():
    mentions = listing("x", 1, ["Shafiq R. Joty", "Ann Lee"]) + listing("y", 1, ["Shafiq Joty", "Ann Lee"])
    mentions += listing("x", 2, ["Wei Wang", "Bo Ray"]) + listing("y", 2, ["Wei Wang", "Cy Dee"])
    resolution = resolve(mentions)
    assert resolution.iri_of[("x", 1, 1)] == resolution.iri_of[("y", 1, 1)]
    assert resolution.iri_of[("x", 2, 1)] != resolution.iri_of[("y", 2, 1)]  # two words, seven letters


def test_a_person_iri_does_not_change_when_a_page_not_printing_their_names_comes():
    mentions = profile("a", "Sam Solo", [["Sam Solo", "Ann Lee"]])
    before = resolve(mentions).iri_of[("a", 0, 0)]
    after = resolve(mentions + profile("z", "Zed Zulu", [["Zed Zulu", "Ann Lee"]])).iri_of[("a", 0, 0)]
    assert before == after == "sam-solo"


# Ed Ray is met after the link between the two sides (coauthors are taken in order), Bo Ray before it
@pytest.mark.parametrize("coauthor", ["Bo Ray", "Ed Ray"])
def test_a_name_linked_to_two_profiles_goes_to_the_nearer_whatever_the_order_found(coauthor):
    """`J. Smith` on x is beside John Smith's coauthor; on y beside Jane Smith's, and beside x's `J.
    Smith` through Cy Dee. Each goes with the profile fewer links away, and the link between them is
    told as the reason they are apart."""
    mentions = profile("a", "John Smith", [["John Smith", "Ann Lee"]])
    mentions += profile("b", "Jane Smith", [["Jane Smith", coauthor]])
    mentions += listing("x", 1, ["J. Smith", "Ann Lee", "Cy Dee"])
    mentions += listing("y", 1, ["J. Smith", "Cy Dee", coauthor])
    resolution = resolve(mentions)
    john, jane = resolution.iri_of[("a", 0, 0)], resolution.iri_of[("b", 0, 0)]
    assert john != jane
    assert resolution.iri_of[("x", 1, 1)] == john
    assert resolution.iri_of[("y", 1, 1)] == jane
    (apart,) = [d for d in resolution.decisions[john] if d.kind == "apart"]
    assert "nearest the profile a" in apart.detail and "the profile b" in apart.detail


@pytest.mark.parametrize("coauthors", [("Ann Lee", "Bo Ray"), ("Bo Ray", "Ann Lee")])
def test_a_name_as_near_two_profiles_stays_apart_from_both_and_says_why(coauthors):
    first, second = coauthors
    mentions = profile("a", "John Smith", [["John Smith", first]])
    mentions += profile("b", "Jane Smith", [["Jane Smith", second]])
    mentions += listing("z", 1, ["J. Smith", "Ann Lee", "Bo Ray"])
    resolution = resolve(mentions)
    alone = resolution.iri_of[("z", 1, 1)]
    assert alone not in (resolution.iri_of[("a", 0, 0)], resolution.iri_of[("b", 0, 0)])
    said = [d.detail for d in resolution.decisions[resolution.iri_of[("a", 0, 0)]] if d.kind == "apart"]
    said += [d.detail for d in resolution.decisions[resolution.iri_of[("b", 0, 0)]] if d.kind == "apart"]
    assert said and all("as near one profile as another" in detail for detail in said)
