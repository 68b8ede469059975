"""kg.people: a name as the user types it, to a person IRI; fast when exact, helpful when not."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import FINDINGS, NameNotFound
from kg.query.canned import LocalEngine
from kg.query.person_lookup import ALL_NAMES, PersonResolver, words

FIXTURE = Path(__file__).parents[1] / "fixtures" / "query-graph.trig"
BASE = "https://kg.example.org/id/"
PERSON = BASE + "person/"


class CountingEngine(LocalEngine):
    """A LocalEngine that remembers the queries it ran."""

    def __init__(self, store):
        super().__init__(store)
        self.queries: list[str] = []

    def run(self, query, limit=None):
        self.queries.append(query)
        return super().run(query, limit)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture
def engine(store) -> CountingEngine:
    return CountingEngine(store)


@pytest.fixture
def notes() -> list[str]:
    return []


@pytest.fixture
def resolver(engine, notes) -> PersonResolver:
    return PersonResolver(engine, BASE, note=notes.append)


@pytest.mark.parametrize(
    "typed, slug",
    [
        ("Ada Lovelace", "ada-lovelace"),
        ("ada lovelace", "ada-lovelace"),
        ("  ADA   LoveLace ", "ada-lovelace"),
        ("Émile Durand", "emile-durand"),
        ("emile durand", "emile-durand"),
        ("ÉMILE DURAND", "emile-durand"),
        ("Zoe Gupta", "zoe-gupta"),
    ],
)
def test_exact_names_are_one_ask(resolver, engine, notes, typed, slug):
    assert resolver.resolve(typed) == PERSON + slug
    assert len(engine.queries) == 1 and "ASK" in engine.queries[0]  # no scan of the names
    assert notes == []


@pytest.mark.parametrize(
    "typed, slug, name",
    [
        ("lovelace", "ada-lovelace", "Ada Lovelace"),
        ("HOPPER", "grace-hopper", "Grace Hopper"),
        ("durand émile", "emile-durand", "Émile Durand"),
        ("émile", "emile-durand", "Émile Durand"),
        ("zoe", "zoe-gupta", "Zoe Gupta"),
    ],
)
def test_a_unique_partial_match_is_taken_and_said(resolver, notes, typed, slug, name):
    assert resolver.resolve(typed) == PERSON + slug
    assert notes == [f'taking "{typed}" as {name}']


def test_the_resolver_gives_named_nodes(resolver):
    assert resolver("Ada Lovelace") == ox.NamedNode(PERSON + "ada-lovelace")


@pytest.mark.parametrize(
    "typed, message",
    [
        ("gupta", '"gupta" matches 2 people: Ravi Gupta, Zoe Gupta; give more of the name'),
        ("Ada Lovelac", 'no person named "Ada Lovelac"; closest names: Ada Lovelace'),
        ("grace hoper", 'no person named "grace hoper"; closest names: Grace Hopper'),
        ("lovelace ada x", 'no person named "lovelace ada x"; closest names: Ada Lovelace'),
        ("Xyzzy Quux", 'no person named "Xyzzy Quux"'),
        ('x" } UNION { ?s ?p ?o } #', 'no person named "x" } UNION { ?s ?p ?o } #"'),
        ("", 'no person named ""'),
        ("   ", 'no person named "   "'),
        (
            "ada lovelace-turing",
            'no person named "ada lovelace-turing"; closest names: Ada Lovelace, Alan Turing',
        ),
    ],
)
def test_no_match_or_several_is_an_error(resolver, notes, typed, message):
    with pytest.raises(NameNotFound) as caught:
        resolver.resolve(typed)
    assert str(caught.value) == message
    assert caught.value.exit_code == FINDINGS
    assert notes == []


def test_a_long_list_of_candidates_is_cut(engine):
    store = ox.Store()
    graph = ox.NamedNode(BASE + "graph/page/many")
    for i in range(12):
        person = ox.NamedNode(f"{PERSON}wang-{i}")
        store.add(
            ox.Quad(
                person,
                ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode("https://kg.example.org/ns#Person"),
                graph,
            )
        )
        store.add(
            ox.Quad(
                person, ox.NamedNode("https://kg.example.org/ns#name"), ox.Literal(f"Wei{i:02d} Wang"), graph
            )
        )
    with pytest.raises(
        NameNotFound, match=r'^"wang" matches 12 people: Wei00 Wang, .*, Wei09 Wang and 2 more; give more'
    ):
        PersonResolver(LocalEngine(store), BASE).resolve("wang")


def test_names_are_read_once_per_resolver(resolver, engine):
    for typed in ("lovelace", "hopper", "turing"):
        resolver.resolve(typed)
    assert engine.queries.count(ALL_NAMES) == 1


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Suyog Gupta", {"suyog", "gupta"}),
        ("  Émile   DURAND ", {"emile", "durand"}),
        ("Mike O'Connor", {"mike", "o", "connor"}),
        ("Jean-Luc", {"jean", "luc"}),
    ],
)
def test_words(name, expected):
    assert words(name) == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_text_resolves_or_is_not_found(store, text):
    try:
        iri = PersonResolver(LocalEngine(store), BASE).resolve(text)
    except NameNotFound as e:
        assert str(e)
    else:
        assert iri.startswith(PERSON)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["Ada Lovelace", "Émile Durand", "Grace Hopper", "Ravi Gupta"]),
    st.lists(st.sampled_from(["upper", "lower", "strip-accents", "spaces"]), max_size=4),
)
def test_case_accents_and_spacing_never_matter(store, name, changes):
    typed = name
    for change in changes:
        typed = {
            "upper": str.upper,
            "lower": str.lower,
            "strip-accents": lambda t: t.replace("É", "E"),
            "spaces": lambda t: "  " + t.replace(" ", "   ") + " ",
        }[change](typed)
    resolver = PersonResolver(LocalEngine(store), BASE)
    assert resolver.resolve(typed) == resolver.resolve(name)
