"""The graph built from pages: counts, merged papers, export round trips, golden graphs, the store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import AS_OF, FIXTURE_PAGES, SEEDS
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, to_isomorphic
from servers import kg_subprocess
from stores import store_quads, support_quads

from kg.building.builder import build
from kg.errors import StoreBusy
from kg.features.export import exported_statements
from kg.model.vocab import KG
from kg.store.generations import KgStore, StoreWriter

GOLDEN_GRAPHS = Path(__file__).parents[1] / "golden" / "graph"
PREFIX = f"PREFIX kg: <{KG}>\n"


def select(path, query: str) -> list[tuple]:
    kg = KgStore.open_read(path)
    rows = kg.store.query(PREFIX + query, use_default_graph_as_union=True)
    return [tuple(term.value if term is not None else None for term in row) for row in rows]


def authors_of(path, title: str) -> set[str]:
    rows = select(
        path, f'SELECT DISTINCT ?name WHERE {{ ?p kg:title "{title}" ; kg:hasAuthor ?a . ?a kg:name ?name }}'
    )
    return {name for (name,) in rows}


def assert_same_graph(expected: Graph, actual: Graph) -> None:
    """Isomorphism, with the triples each side lacks printed when it fails."""
    iso_expected, iso_actual = to_isomorphic(expected), to_isomorphic(actual)
    if iso_expected != iso_actual:
        _, only_expected, only_actual = graph_diff(iso_expected, iso_actual)
        missing = sorted(only_expected.serialize(format="nt").splitlines())
        extra = sorted(only_actual.serialize(format="nt").splitlines())
        pytest.fail(
            "graphs differ\nmissing:\n  "
            + "\n  ".join(missing[:40])
            + "\nextra:\n  "
            + "\n  ".join(extra[:40])
        )


def dataset_graph(dataset_text: str, fmt: str) -> Graph:
    """A dataset's quads as one graph of reified-by-name statements: (s, p, o) with the graph kept apart."""
    dataset = Dataset()
    dataset.parse(data=dataset_text, format=fmt)
    return {(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None))}


# --- what the graph holds -----------------------------------------------------------------------


@pytest.mark.parametrize("kind, expected", [("Paper", 59), ("Listing", 65), ("Profile", 5)])
def test_fixture_graph_counts(fixture_store, kind, expected):
    assert select(fixture_store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a kg:{kind} }}") == [
        (str(expected),)
    ]


def test_a_paper_on_three_pages_has_its_shown_authors_and_every_owner(fixture_store):
    assert authors_of(fixture_store, "NVIDIA Nemotron 3: Efficient and Open Intelligence") == {
        "Aaron Blakeman", "Aaron Grattafiori", "Aarti Basant",
        "Suyog Gupta", "Deepak Narayanan", "Mahdi Nazemi",
    }  # fmt: skip


def test_a_complete_list_on_a_headerless_page_has_exactly_its_names(fixture_store):
    title = "FlexSA: Flexible Systolic Array Architecture for Efficient Pruned DNN Model Training"
    assert authors_of(fixture_store, title) == {"Sangkug Lym", "Mattan Erez"}


def test_hidden_owner_authorship_has_provenance_and_no_rank(fixture_store):
    rows = select(
        fixture_store,
        """SELECT ?rank ?line ?file WHERE {
             ?paper kg:title "Lingvo: a Modular and Scalable Framework for Sequence-to-Sequence Modeling" .
             ?as kg:authorshipPaper ?paper ; kg:authorshipPerson/kg:name "Suyog Gupta" ;
                 kg:impliedByOwner true ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?listing .
             ?listing kg:sourceLine ?line ; kg:onPage/kg:sourceFile ?file .
             OPTIONAL { ?as kg:rank ?rank } }""",
    )
    assert rows == [(None, "54", "000_d1e1c11066227b5a.txt")]


def test_every_paper_meets_the_schema_org_contract_after_inference(fixture_store):
    missing = select(
        fixture_store,
        """PREFIX schema: <https://schema.org/>
           SELECT ?p WHERE { ?p a kg:Paper .
             FILTER NOT EXISTS { ?p a schema:ScholarlyArticle ; schema:name ?n ; schema:author ?a ; schema:datePublished ?d } }""",
    )
    assert missing == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the real seed pages are not beside this checkout")
def test_kg_build_on_the_real_seeds(kg_cli, tmp_path):
    code, out, err = kg_cli(
        "build", str(SEEDS), "--store", str(tmp_path / "s"), "--as-of", "2026-11-24", "--format", "json"
    )
    assert code == 0, err
    assert '"papers": 59' in out and '"listings": 65' in out
    assert authors_of(tmp_path / "s", "NVIDIA Nemotron 3: Efficient and Open Intelligence") == {
        "Aaron Blakeman", "Aaron Grattafiori", "Aarti Basant",
        "Suyog Gupta", "Deepak Narayanan", "Mahdi Nazemi",
    }  # fmt: skip


# --- golden graphs --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN_GRAPHS.iterdir() if p.is_dir()))
def test_golden_graph(case, tmp_path):
    """Each case folder: pages/ in, expected.trig out (named graphs included), compared by isomorphism."""
    folder = GOLDEN_GRAPHS / case
    build([folder / "pages"], tmp_path / "s", as_of=AS_OF)
    kg = KgStore.open_read(tmp_path / "s")
    actual = Dataset()
    actual.parse(
        data=ox.serialize(exported_statements(kg, "trig", inferred=False), format=ox.RdfFormat.TRIG),
        format="trig",
    )
    expected = Dataset()
    expected.parse(folder / "expected.trig", format="trig")
    graphs = sorted(
        {str(g.identifier) for g in expected.graphs()} | {str(g.identifier) for g in actual.graphs()}
    )
    page_graphs = [name for name in graphs if name.startswith(kg.iris.page_graph_prefix)]
    assert len(page_graphs) == len(list((folder / "pages").iterdir()))
    for name in [*page_graphs, kg.iris.facts_graph]:
        assert_same_graph(expected.graph(name), actual.graph(name))


# --- export -----------------------------------------------------------------------------------------


def test_turtle_export_reparses_to_the_stores_graph(kg_cli, fixture_store, tmp_path):
    out = tmp_path / "graph.ttl"
    code, _, err = kg_cli("export", "--store", str(fixture_store), "-o", str(out))
    assert code == 0, err
    exported = Graph().parse(out, format="turtle")
    kg = KgStore.open_read(fixture_store)
    store_graph = Graph().parse(
        data=ox.serialize(exported_statements(kg, "ntriples", False), format=ox.RdfFormat.N_TRIPLES),
        format="nt",
    )
    assert_same_graph(store_graph, exported)
    assert len(exported) > 2000


@pytest.mark.parametrize(
    "fmt, rdflib_format", [("trig", "trig"), ("jsonld", "json-ld"), ("nquads", "nquads")]
)
@pytest.mark.parametrize("inferred", [False, True])
def test_dataset_exports_round_trip_with_their_named_graphs(
    kg_cli, fixture_store, fmt, rdflib_format, inferred
):
    args = ["export", "--store", str(fixture_store), "--format", fmt] + (["--inferred"] if inferred else [])
    code, out, err = kg_cli(*args)
    assert code == 0, err
    parsed = dataset_graph(out, rdflib_format)
    kg = KgStore.open_read(fixture_store)
    expected = dataset_graph(
        ox.serialize(exported_statements(kg, "nquads", inferred), format=ox.RdfFormat.N_QUADS).decode(),
        "nquads",
    )
    assert parsed == expected
    graphs = {g for *_, g in parsed}
    assert any(str(g).endswith("/graph/inferred") for g in graphs) == inferred


# --- validation of exports ----------------------------------------------------------------------


def test_an_export_missing_one_title_fails_validation_naming_that_paper(kg_cli, fixture_store, tmp_path):
    out = tmp_path / "graph.nt"
    assert kg_cli("export", "--store", str(fixture_store), "--format", "ntriples", "-o", str(out))[0] == 0
    assert kg_cli("validate", str(out))[0] == 0
    title = "FlexSA: Flexible Systolic Array Architecture for Efficient Pruned DNN Model Training"
    broken = tmp_path / "broken.nt"
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if f"{KG}title>" not in line or title not in line]
    assert len(kept) == len(lines) - 1
    broken.write_text("".join(kept), encoding="utf-8")
    code, report, _ = kg_cli("validate", str(broken))
    assert code == 1
    paper = "https://kg.example.org/id/paper/flexsa_3a_flexible-systolic-array-architecture-for-efficient-pruned-dnn-model-training"
    assert f"Violation: {paper} [kg:title]: A paper needs a title (kg:title)." in report
    assert report.rstrip().endswith("does not conform: 1 violations, 0 warnings")


@pytest.mark.parametrize(
    "content, suffix, message",
    [
        ("@prefix x: <http://x/> . x:a x:b", ".ttl", "kg: cannot parse"),
        ("", ".csv", "kg: cannot tell the RDF format of"),
    ],
)
def test_validate_cannot_run_exits_2(tmp_path, content, suffix, message):
    bad = tmp_path / f"bad{suffix}"
    bad.write_text(content)
    result = kg_subprocess("validate", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


# --- the store ------------------------------------------------------------------------------------


def test_building_the_same_pages_twice_gives_the_same_triples(tmp_path):
    build([FIXTURE_PAGES], tmp_path / "s", as_of=AS_OF)
    first = store_quads(tmp_path / "s")
    report = build([FIXTURE_PAGES], tmp_path / "s", as_of=AS_OF)
    assert (report.pages_written, report.pages_unchanged) == (0, 5)
    assert store_quads(tmp_path / "s") == first


def test_rebuilding_a_changed_page_replaces_its_graph(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    page = pages / "003_fd8b96957d83db75.txt"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("FlexSA: Flexible", "FlexSA2: Flexible"), encoding="utf-8")
    report = build([page], tmp_path / "s", as_of=AS_OF)
    assert (report.pages_written, report.stats["papers"], report.stats["listings"]) == (1, 59, 65)
    titles = {t for (t,) in select(tmp_path / "s", "SELECT ?t WHERE { ?p kg:title ?t }")}
    assert not any(t.startswith("FlexSA: ") for t in titles)
    assert any(t.startswith("FlexSA2: ") for t in titles)
    # the coauthor rule followed: Mattan Erez still has Sangkug Lym, through the renamed paper only
    assert select(
        tmp_path / "s", 'SELECT ?n WHERE { ?a kg:name "Mattan Erez" ; kg:coauthorWith/kg:name ?n }'
    ) == [("Sangkug Lym",)]


def test_a_build_killed_midway_leaves_the_previous_graph(tmp_path, monkeypatch):
    build([FIXTURE_PAGES / "000_d1e1c11066227b5a.txt"], tmp_path / "s", as_of=AS_OF)
    before = store_quads(tmp_path / "s")
    import kg.derive.derived_graph

    def killed(*args):  # every page is written by now; the generation is not yet live
        raise KeyboardInterrupt

    monkeypatch.setattr(kg.derive.derived_graph, "run_coauthor_rule", killed)
    with pytest.raises(KeyboardInterrupt):
        build([FIXTURE_PAGES], tmp_path / "s", as_of=AS_OF)
    assert store_quads(tmp_path / "s") == before
    # what the killed build left (if anything) goes with the next build
    monkeypatch.undo()
    build([FIXTURE_PAGES], tmp_path / "s", as_of=AS_OF)
    generations = sorted(
        p.name
        for p in (tmp_path / "s").iterdir()
        if p.name.startswith("gen-") and p.is_dir() and "." not in p.name
    )
    assert generations[0] == "gen-000001" and len(generations) == 2


def test_a_second_writer_is_refused_while_a_build_runs(tmp_path):
    with (
        StoreWriter(tmp_path / "s", "https://kg.example.org/id/"),
        pytest.raises(StoreBusy, match="another kg process is writing to"),
    ):
        build([FIXTURE_PAGES], tmp_path / "s", as_of=AS_OF)


def test_readers_see_the_store_while_a_build_writes(fixture_store, tmp_path):
    copy = tmp_path / "s"
    shutil.copytree(fixture_store, copy)
    with StoreWriter(copy, "https://kg.example.org/id/"):
        assert select(copy, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a kg:Paper }") == [("59",)]


def test_triple_counts_kept_by_updates_match_a_recount(kg_cli, tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    page = pages / "000_d1e1c11066227b5a.txt"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "Suyog Gupta, Berkin Akin", "Suyog Gupta, Berkin Akin, Ada Example"
        ),
        encoding="utf-8",
    )
    report = build([page], tmp_path / "s", as_of=AS_OF)
    kg = KgStore.open_read(tmp_path / "s")
    recount = {"asserted": 0, "inferred": 0}
    for graph in kg.store.named_graphs():
        size = len(list(kg.store.quads_for_pattern(None, None, None, graph)))
        if graph.value.startswith(kg.iris.page_graph_prefix) or graph.value == kg.iris.facts_graph:
            recount["asserted"] += size
        elif graph.value == kg.iris.inferred_graph:
            recount["inferred"] += size
    assert (report.stats["triples_asserted"], report.stats["triples_inferred"]) == (
        recount["asserted"],
        recount["inferred"],
    )
    code, out, _ = kg_cli("stats", "--store", str(tmp_path / "s"), "--format", "json")
    assert code == 0 and f'"triples_asserted": {recount["asserted"]}' in out


NEMOTRON_3_ABSTRACT = "Gives an overview of the Nemotron 3 family"


@pytest.mark.parametrize(
    "change",
    [
        "edit a listing",
        "drop a listing",
        "rename the owner",
        "restate a paper three pages list",
        "drop a paper three pages list",
        "print a title in other case",  # the same paper, with a second spelling of its title
        "date a paper three pages list anew",  # its one date, and its place in the dated lists, change
        "leave out the year of a paper three pages list",  # a second date, not preferred
    ],
)
@pytest.mark.parametrize(
    "given", ["the page", "the folder"]
)  # a small update is kept triple by triple, a larger one in bulk
def test_an_updated_store_equals_a_fresh_build_of_the_same_pages(tmp_path, change, given):
    """Incremental upkeep of the graph of facts (a fact goes only when no page states it any more), of
    the inferred graph (take back what only the old page entailed) and of the coauthor rule gives
    exactly what building the final pages from nothing gives."""
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    build([pages], tmp_path / "updated", as_of=AS_OF)
    page = pages / "000_d1e1c11066227b5a.txt"
    text = page.read_text(encoding="utf-8")
    if change == "edit a listing":
        text = text.replace("Suyog Gupta, Berkin Akin\n", "Suyog Gupta, Ada Example\n")
    elif change == "drop a listing":
        lines = text.split("\n")
        text = "\n".join(lines[:46] + lines[53:])  # the block of "Accelerator-aware Neural Network Design"
    elif change == "restate a paper three pages list":  # the old abstract stays: two other pages state it
        text = text.replace(NEMOTRON_3_ABSTRACT, "An overview of the Nemotron 3 family", 1)
    elif change == "print a title in other case":
        text = text.replace("NVIDIA Nemotron 3: Efficient", "Nvidia Nemotron 3: efficient", 1)
    elif change == "date a paper three pages list anew":
        text = text.replace("CLDec 24, 2025\nNVIDIA Nemotron 3", "CLDec 20, 2024\nNVIDIA Nemotron 3", 1)
    elif change == "leave out the year of a paper three pages list":
        text = text.replace("CLDec 24, 2025\nNVIDIA Nemotron 3", "CLJan 5\nNVIDIA Nemotron 3", 1)
    elif change == "drop a paper three pages list":
        lines = text.split("\n")
        text = "\n".join(lines[:18] + lines[25:])
    else:
        text = text.replace("Suyog Gupta\n", "Suyog K. Gupta\n", 1)
    page.write_text(text, encoding="utf-8")
    report = build([page if given == "the page" else pages], tmp_path / "updated", as_of=AS_OF)
    assert report.pages_written == 1
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert store_quads(tmp_path / "updated") == store_quads(tmp_path / "fresh")
    assert support_quads(tmp_path / "updated") == support_quads(tmp_path / "fresh")
    updated, fresh = (KgStore.open_read(tmp_path / p).meta.extra for p in ("updated", "fresh"))
    counts = ("triples", "listings", "counted")
    assert [updated[c] for c in counts] == [fresh[c] for c in counts]


def test_a_fact_several_pages_state_is_stored_once_and_outlives_one_of_them(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    abstract = f'SELECT (COUNT(*) AS ?n) WHERE {{ ?p kg:abstract ?a FILTER(STRSTARTS(?a, "{NEMOTRON_3_ABSTRACT}")) }}'
    assert select(tmp_path / "s", abstract) == [("1",)]  # three pages state it
    page = pages / "000_d1e1c11066227b5a.txt"
    lines = page.read_text(encoding="utf-8").split("\n")
    page.write_text("\n".join(lines[:18] + lines[25:]), encoding="utf-8")  # this page no longer lists it
    build([page], tmp_path / "s", as_of=AS_OF)
    assert select(tmp_path / "s", abstract) == [("1",)]
    listed_on = 'SELECT (COUNT(*) AS ?n) WHERE { ?l kg:listedPaper ?p . ?p kg:title "NVIDIA Nemotron 3: Efficient and Open Intelligence" }'
    assert select(tmp_path / "s", listed_on) == [("2",)]


# --- one fact, one answer ---------------------------------------------------------------------------


def test_no_triple_sits_in_two_graphs(fixture_store):
    """Engines whose default graph is the union of the named graphs repeat a triple once per graph."""
    kg = KgStore.open_read(fixture_store)
    graphs_of: dict[tuple, int] = {}
    for q in kg.store.quads_for_pattern(None, None, None, None):
        key = (q.subject, q.predicate, q.object)
        graphs_of[key] = graphs_of.get(key, 0) + 1
    assert [t for t, n in graphs_of.items() if n > 1] == []
    assert len(graphs_of) > 6000


@pytest.mark.parametrize(
    "pattern, expected",
    [("?p a kg:Paper", 59), ("?s a kg:Person", 114), ("?l a kg:Listing", 65), ("?s ?p ?o", 7856)],
)
def test_the_default_graph_counts_each_fact_once(fixture_store, pattern, expected):
    assert select(fixture_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}") == [(str(expected),)]


# --- page identity ------------------------------------------------------------------------------------


def test_same_named_files_in_two_folders_are_two_pages(tmp_path):
    """A page is its path under the store's home folder, not its base name: building b/ after a/ keeps a/."""
    source = FIXTURE_PAGES / "000_d1e1c11066227b5a.txt"
    other = FIXTURE_PAGES / "004_0b1fd6c6ee51fc8c.txt"
    for folder, page in (("a", source), ("b", other)):
        (tmp_path / "pages" / folder).mkdir(parents=True)
        shutil.copy(page, tmp_path / "pages" / folder / "profile.txt")
    build([tmp_path / "pages" / "a"], tmp_path / "s", as_of=AS_OF)
    report = build([tmp_path / "pages" / "b"], tmp_path / "s", as_of=AS_OF)
    assert report.pages_written == 1
    files = select(tmp_path / "s", "SELECT ?f WHERE { ?p a kg:Profile ; kg:sourceFile ?f }")
    assert set(files) == {("profile.txt",), ((tmp_path / "pages" / "b" / "profile.txt").as_posix(),)}
    owners = select(tmp_path / "s", "SELECT ?n WHERE { ?p kg:owner/kg:name ?n } ORDER BY ?n")
    assert owners == [("Mahdi Nazemi",), ("Suyog Gupta",)]


def test_a_page_is_the_same_page_however_it_is_given(tmp_path):
    """Given as its folder or as the file itself, a page has one identity: rebuilding it updates it."""
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    page = pages / "000_d1e1c11066227b5a.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report = build([page], tmp_path / "s", as_of=AS_OF)
    assert (report.pages, report.stats["pages"]) == (1, 5)


def test_diagnostics_name_the_file_as_given(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(
            Path(__file__).parents[1] / "fixtures" / "bad" / "impossible_date.txt",
            tmp_path / folder / "p.txt",
        )
    report = build([tmp_path / "a", tmp_path / "b"], tmp_path / "s", as_of=AS_OF)
    assert sorted(str(d).split(":")[0] for d in report.diagnostics) == [
        str(tmp_path / "a" / "p.txt"),
        str(tmp_path / "b" / "p.txt"),
    ]
    assert report.stats["pages"] == 2


def test_a_store_of_the_older_layout_asks_for_a_fresh_build(tmp_path):
    import json

    from kg.errors import KgError

    build([FIXTURE_PAGES / "000_d1e1c11066227b5a.txt"], tmp_path / "s", as_of=AS_OF)
    kg = KgStore.open_read(tmp_path / "s")
    meta_path = tmp_path / "s" / f"{kg.generation}.json"
    meta = json.loads(meta_path.read_text())
    del meta["extra"]["layout"]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(KgError, match="build it again with kg build --fresh"):
        build([FIXTURE_PAGES], tmp_path / "s", as_of=AS_OF)
    report = build([FIXTURE_PAGES], tmp_path / "s", as_of=AS_OF, fresh=True)
    assert report.stats["papers"] == 59


def test_a_file_given_twice_is_read_once(tmp_path):
    page = FIXTURE_PAGES / "000_d1e1c11066227b5a.txt"
    report = build([FIXTURE_PAGES, page], tmp_path / "s", as_of=AS_OF)
    assert report.stats["pages"] == 5 and report.rejected == 0
    assert [str(d) for d in report.diagnostics] == [
        f"{page}:1: warning: the same page as {page}, given twice; it is read once"
    ]
