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


# --- the index of names in a store's summary ---------------------------------------------------------

TYPED = [
    "Suyog Gupta",  # exact: one ASK, no index
    "suyog",  # a unique partial match
    "wei",  # several people
    "wang",
    "peter a",  # an initial among the words
    "Massoud",
    "Xyzzy Quux",  # nothing close
    "ada lovelace-turing",
]
MISTYPED = ["Suyog Gupa", "Masoud Pedram", "Pedram Masoud", "Daniel Leee", "yunyang xoing", "Peter A. Berel"]


def _outcome(resolver: PersonResolver, typed: str) -> tuple[str, str]:
    try:
        return "person", resolver.resolve(typed)
    except NameNotFound as e:
        return "error", str(e)


@pytest.fixture
def resolvers(fixture_store):
    """(a resolver that reads everyone's names, one that looks them up in the summary's index, the
    engine of the latter)."""
    from kg.features.search import NamesInSummary
    from kg.store.generations import KgStore

    kg_store = KgStore.open_read(fixture_store)
    engine = CountingEngine(kg_store.store)
    yield (
        PersonResolver(LocalEngine(kg_store.store), kg_store.iris.base),
        PersonResolver(engine, kg_store.iris.base, index=NamesInSummary(kg_store)),
        engine,
    )
    kg_store.close()


@pytest.mark.parametrize("typed", TYPED)
def test_the_summary_index_answers_as_reading_everyone_does(resolvers, typed):
    """A built store looks partial names up in its summary's index of name words, and reads no one's
    names to do so: the person, the note, the candidates listed are those a read of everyone gives."""
    read, indexed, engine = resolvers
    notes_read, notes_indexed = [], []
    read.note, indexed.note = notes_read.append, notes_indexed.append
    assert _outcome(indexed, typed) == _outcome(read, typed)
    assert notes_indexed == notes_read
    assert ALL_NAMES not in engine.queries
    assert not indexed.reads_everyone and read.reads_everyone  # kg serve reads them ahead, or not


@pytest.mark.parametrize("typed", MISTYPED)
def test_a_mistyped_name_suggests_from_the_index_the_closest_name(resolvers, typed):
    """The closest names are looked for among the people with a word beginning as a word typed does:
    the closest a read of everyone finds is among them, and every suggestion shares such a start."""
    read, indexed, engine = resolvers
    kind, message = _outcome(indexed, typed)
    _, everyone = _outcome(read, typed)
    closest = everyone.partition("closest names: ")[2].split(", ")
    suggested = message.partition("closest names: ")[2].split(", ")
    assert kind == "error" and suggested[0] == closest[0]
    starts = {w[:3] for w in words(typed)}
    assert all(starts & {w[:3] for w in words(label)} for label in suggested)
    assert ALL_NAMES not in engine.queries


@pytest.mark.parametrize("summary", ["older", "damaged"])
def test_a_summary_without_the_index_reads_everyone(tmp_path, fixture_store, summary):
    """A summary an older kg wrote has no index of names, a damaged one none that can be read:
    everyone's names are read, as before."""
    import shutil
    import sqlite3

    from kg.features.search import NamesInSummary
    from kg.store.generations import KgStore

    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    kg_store = KgStore.open_read(store)
    try:
        if summary == "older":
            db = sqlite3.connect(kg_store.summary_path)
            db.executescript(
                "DROP TABLE names; DROP TABLE name_words; UPDATE meta SET value = '2' WHERE key = 'format';"
            )
            db.commit()
            db.close()
        else:
            with kg_store.summary_path.open("r+b") as damaged:
                damaged.seek(4096)
                damaged.write(b"\xff" * 8192)
        engine = CountingEngine(kg_store.store)
        resolver = PersonResolver(engine, kg_store.iris.base, index=NamesInSummary(kg_store))
        assert resolver.reads_everyone
        with pytest.raises(NameNotFound, match=r'^"wei" matches 4 people'):
            resolver.resolve("wei")
        assert engine.queries.count(ALL_NAMES) == 1
    finally:
        kg_store.close()
