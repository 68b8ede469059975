"""One display label per person, paper and organisation: the rule, and one row per node in what users read."""

from __future__ import annotations

import csv
import io
import random
import shutil

import networkx as nx
import pytest
from conftest import AS_OF, FIXTURE_PAGES, run_main
from hypothesis import given
from hypothesis import strategies as st

from kg.building.builder import build
from kg.derive.labels import preferred_label

# --- the rule ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "printings, label",
    [
        (["koray kavukcuoglu", "Koray Kavukcuoglu"], "Koray Kavukcuoglu"),  # not all lower case
        (["GABOR LUGOSI", "Gabor Lugosi"], "Gabor Lugosi"),  # not all capitals
        (["Gabor Lugosi", "Gábor Lugosi"], "Gábor Lugosi"),  # the accents the other one dropped
        (["gábor lugosi", "Gabor Lugosi"], "Gabor Lugosi"),  # case first, then accents
        (["Jean–Pierre Serre", "Jean-Pierre Serre"], "Jean-Pierre Serre"),  # else the smallest by code point
        (["CNRS", "cnrs"], "CNRS"),
        (["张伟"], "张伟"),  # no cased letter at all: nothing to hold against it
    ],
)
def test_the_label_rule(printings, label):
    assert preferred_label(printings) == label


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6), st.randoms())
def test_any_order_of_the_same_printings_gives_the_same_label(printings, rnd):
    shuffled = list(printings) + rnd.sample(printings, k=len(printings))  # repeats do not matter either
    rnd.shuffle(shuffled)
    assert preferred_label(shuffled) == preferred_label(printings)
    assert preferred_label(printings) in printings


# --- two pages printing one person two ways --------------------------------------------------------------

PAGE_A = """Gábor Lugosi

ML
h-index10
2papers
100citations
Novelty50%
AI Score40

2 Papers

MLMar 3, 2020
Concentration Inequalities

Stéphane Boucheron, Gábor Lugosi, Pascal Massart · cnrs

A nonasymptotic theory of independence.

LGJun 9, 2021
Prediction, Learning, and Games

Nicolò Cesa-Bianchi, Gábor Lugosi · CNRS

Games and learning.
"""

PAGE_B = """Pascal Massart

ML
h-index20
2papers
200citations
Novelty40%
AI Score30

2 Papers

MLMar 3, 2020
CONCENTRATION INEQUALITIES

Stephane Boucheron, Gabor Lugosi, Pascal Massart · cnrs

A nonasymptotic theory of independence.

MLJan 2, 2019
Model Selection

Pascal Massart, GABOR LUGOSI

Oracle inequalities.
"""


@pytest.fixture(scope="module")
def two_ways(tmp_path_factory):
    root = tmp_path_factory.mktemp("two-ways")
    (root / "pages").mkdir()
    (root / "pages" / "a.txt").write_text(PAGE_A, encoding="utf-8")
    (root / "pages" / "b.txt").write_text(PAGE_B, encoding="utf-8")
    report = build([root / "pages"], root / "store", as_of=AS_OF)
    assert report.rejected == 0 and report.stats["people"] == 4
    return root / "store"


def query(store, *args: str) -> list[dict]:
    code, out, err = run_main("query", *args, "--store", str(store), "--format", "csv")
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def test_a_person_printed_two_ways_is_one_coauthor(two_ways):
    rows = query(two_ways, "coauthors-of", "Pascal Massart")
    assert rows == [
        {"coauthor": "Gábor Lugosi", "sharedPapers": "2", "lowerBound": "false"},
        {"coauthor": "Stéphane Boucheron", "sharedPapers": "1", "lowerBound": "false"},
    ]


def test_any_spelling_finds_the_person(two_ways):
    for typed in ("Gabor Lugosi", "gábor lugosi", "lugosi"):
        assert [r["coauthor"] for r in query(two_ways, "coauthors-of", typed)] == [
            "Pascal Massart",
            "Nicolò Cesa-Bianchi",
            "Stéphane Boucheron",
        ]


def test_a_paper_printed_two_ways_is_one_row_with_one_author_list(two_ways):
    rows = query(two_ways, "papers-of", "Gabor Lugosi")
    assert [(r["title"], r["authors"]) for r in rows] == [
        ("Prediction, Learning, and Games", "Nicolò Cesa-Bianchi, Gábor Lugosi"),
        ("Concentration Inequalities", "Stéphane Boucheron, Gábor Lugosi, Pascal Massart"),
        ("Model Selection", "Pascal Massart, Gábor Lugosi"),
    ]


def test_coi_and_top_collaborators_show_each_pair_once(two_ways):
    coi = query(two_ways, "coi", "Pascal Massart", "Gabor Lugosi")
    assert [(r["person1"], r["person2"], r["title"]) for r in coi] == [
        ("Gábor Lugosi", "Pascal Massart", "Concentration Inequalities"),
        ("Gábor Lugosi", "Pascal Massart", "Model Selection"),
    ]
    top = query(two_ways, "top-collaborators")
    assert [(r["person1"], r["person2"], r["sharedPapers"]) for r in top] == [
        ("Gábor Lugosi", "Pascal Massart", "2"),
        ("Gábor Lugosi", "Nicolò Cesa-Bianchi", "1"),
        ("Gábor Lugosi", "Stéphane Boucheron", "1"),
        ("Pascal Massart", "Stéphane Boucheron", "1"),
    ]


def test_an_organisation_printed_two_ways_is_one_row(two_ways):
    assert query(two_ways, "orgs-of", "Gábor Lugosi") == [{"org": "CNRS", "papers": "2"}]


def test_the_network_has_one_node_per_person(two_ways, tmp_path):
    out = tmp_path / "lugosi.graphml"
    code, _, err = run_main("graph", "coauthors-of", "gabor lugosi", "--store", str(two_ways), "-o", str(out))
    assert code == 0, err
    network = nx.read_graphml(out)
    labels = sorted(data.get("label") for _, data in network.nodes(data=True))
    assert labels == ["Gábor Lugosi", "Nicolò Cesa-Bianchi", "Pascal Massart", "Stéphane Boucheron"]


# --- kept right by updates -------------------------------------------------------------------------------


def labels_of(store) -> set[tuple[str, str]]:
    from kg.store.generations import KgStore

    kg = KgStore.open_read(store)
    rows = kg.store.query(
        "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }",
        use_default_graph_as_union=True,
    )
    return {(row[0].value, row[1].value) for row in rows if "/id/category/" not in row[0].value}


@pytest.mark.parametrize("change", ["print it plainly", "drop the listing"])
@pytest.mark.parametrize("given_as", ["the page", "the folder"])
def test_the_label_follows_when_the_page_that_alone_printed_it_changes(tmp_path, change, given_as):
    """Page 000 alone prints an accented "Bérkin Akin"; changing or dropping that listing brings back the
    label the other pages give, exactly as a fresh build of the final pages has it."""
    from stores import store_quads, support_quads

    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    page = pages / "000_d1e1c11066227b5a.txt"
    plain = page.read_text(encoding="utf-8")
    assert plain.count("Berkin Akin") >= 2
    page.write_text(
        plain.replace("Suyog Gupta, Berkin Akin\n", "Suyog Gupta, Bérkin Akin\n"), encoding="utf-8"
    )
    build([pages], tmp_path / "updated", as_of=AS_OF)
    akin = "https://kg.example.org/id/person/berkin-akin"
    assert (akin, "Bérkin Akin") in labels_of(tmp_path / "updated")
    if change == "print it plainly":
        page.write_text(plain, encoding="utf-8")
    else:
        lines = plain.split("\n")
        page.write_text(
            "\n".join(lines[:46] + lines[53:]), encoding="utf-8"
        )  # the "Accelerator-aware ..." listing
    report = build([page if given_as == "the page" else pages], tmp_path / "updated", as_of=AS_OF)
    assert report.pages_written == 1
    assert (akin, "Berkin Akin") in labels_of(tmp_path / "updated")
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert store_quads(tmp_path / "updated") == store_quads(tmp_path / "fresh")
    assert support_quads(tmp_path / "updated") == support_quads(tmp_path / "fresh")


def test_the_labels_do_not_depend_on_build_order(tmp_path):
    """Pages built one by one, in a shuffled order, give the labels of one build of them all."""
    build([FIXTURE_PAGES], tmp_path / "all", as_of=AS_OF)
    pages = sorted(FIXTURE_PAGES.glob("*.txt"))
    random.Random(7).shuffle(pages)
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in pages:  # the same home folder, one page more each time
        shutil.copy(page, folder / page.name)
        build([folder / page.name], tmp_path / "one-by-one", as_of=AS_OF)
    assert labels_of(tmp_path / "one-by-one") == labels_of(tmp_path / "all")
