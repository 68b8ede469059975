"""kg search: papers by the words of their titles, ranked, on the sample pages and on pages made for it."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from conftest import AS_OF, run_main
from test_diff import page

import kg
from kg.building.builder import build

# graph: 3 titles, sparse: 2, transformers: 2; so a title with "sparse" or "transformers" alone outranks
# one with "graph" alone, and the newest comes first between equals.
PAPERS = [
    ("Mar 3, 2024", "Sparse Graph Transformers", "Ana Lima, Bruno Costa"),
    ("Jan 9, 2023", "Graph Learning at Scale", "Ana Lima, Carla Dias"),
    ("Feb 2, 2022", "Sparse Attention Kernels", "Ana Lima"),
    ("May 5, 2022", "Transformers for Graphs", "Ana Lima, Bruno Costa"),
    ("Jul 7, 2021", "Graph Sampling", "Ana Lima"),
    ("Aug 8, 2020", "Déjà Vu in Überlagerung Networks", "Ana Lima, Zoë Ærø"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("search")
    (root / "pages").mkdir()
    (root / "pages" / "ana.txt").write_text(page("Ana Lima", PAPERS), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1795478400")
    try:
        report = build([root / "pages"], root / "kg-store", as_of=AS_OF)
    finally:
        mp.undo()
    assert report.rejected == 0
    return root / "kg-store"


def search(store: Path, *args: str) -> list[dict]:
    code, out, err = run_main("search", "--store", str(store), "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def test_more_words_then_rarer_words_then_newer(store):
    hits = search(store, "sparse", "graph", "transformers")
    assert [h["title"] for h in hits] == [
        "Sparse Graph Transformers",
        "Transformers for Graphs",  # transformers (2 titles), 2022-05
        "Sparse Attention Kernels",  # sparse (2 titles), 2022-02
        "Graph Learning at Scale",  # graph (3 titles), 2023
        "Graph Sampling",
    ]
    assert [h["matched"] for h in hits] == [3, 1, 1, 1, 1]
    assert hits[1]["score"] == hits[2]["score"] > hits[3]["score"] == hits[4]["score"]
    assert hits[0] == {
        "title": "Sparse Graph Transformers",
        "paper": "https://kg.example.org/id/paper/sparse-graph-transformers",
        "date": "2024-03-03",
        "authors": "Ana Lima, Bruno Costa",
        "truncated": False,
        "matched": 3,
        "score": hits[0]["score"],
        "where": "ana.txt:12",
    }


def test_case_and_accents_do_not_matter(store):
    for words in ("deja vu", "DÉJÀ", "uberlagerung", "Überlagerung"):
        assert [h["title"] for h in search(store, words)] == ["Déjà Vu in Überlagerung Networks"], words
    hit = search(store, "deja")[0]
    assert hit["authors"] == "Ana Lima, Zoë Ærø"


def test_a_word_ending_in_a_star_matches_the_words_it_starts(store):
    hits = search(store, "graph*")
    # "Sparse Graph Transformers" and "Transformers for Graphs" both match; each counts the word once
    assert sorted(h["title"] for h in hits) == [
        "Graph Learning at Scale",
        "Graph Sampling",
        "Sparse Graph Transformers",
        "Transformers for Graphs",
    ]
    assert {h["matched"] for h in hits} == {1}
    assert [h["title"] for h in search(store, "transformers graph*")][:2] == [
        "Sparse Graph Transformers",
        "Transformers for Graphs",
    ]
    assert [h["title"] for h in search(store, "ÜBER*")] == ["Déjà Vu in Überlagerung Networks"]
    assert [h["title"] for h in search(store, "graph")] == [
        "Sparse Graph Transformers",
        "Graph Learning at Scale",
        "Graph Sampling",
    ]  # without the star, the word alone


def test_limit_and_the_table(store):
    assert len(search(store, "graph", "--limit", "2")) == 2
    code, out, err = run_main("search", "--store", str(store), "graph sampling", "--limit", "1")
    assert (code, err) == (0, "")
    assert out.splitlines()[0].split() == ["title", "date", "authors", "where"]
    assert out.splitlines()[2].split() == ["Graph", "Sampling", "2021-07-07", "Ana", "Lima", "ana.txt:40"]


def test_no_match_and_no_words(store):
    assert run_main("search", "--store", str(store), "quantum") == (
        1,
        "",
        "kg: no paper's title has any of the words of 'quantum'\n",
    )
    code, out, _ = run_main("search", "--store", str(store), "quantum", "--format", "json")
    assert (code, out) == (1, "[]\n")
    code, _, err = run_main("search", "--store", str(store), "--", "-- !")
    assert code == 2 and "nothing to search for" in err


def test_the_api_gives_the_same_hits(store):
    with kg.open(store) as g:
        hits = g.search("sparse graph transformers", limit=2)
    assert [(h.title, h.date, h.matched) for h in hits] == [
        ("Sparse Graph Transformers", datetime.date(2024, 3, 3), 3),
        ("Transformers for Graphs", datetime.date(2022, 5, 5), 1),
    ]


def test_search_on_the_sample_pages(fixture_store):
    code, out, _ = run_main(
        "search", "--store", str(fixture_store), "nemotron nano", "--limit", "4", "--format", "csv"
    )
    assert code == 0
    assert out.splitlines() == [
        "title,date,authors,where",
        "Nemotron 3 Nano Omni: Efficient and Open Multimodal Intelligence,2026-04-27,"
        '"Amala Sanjay Deshmukh, Kateryna Chumachenko, Tuomas Rintamaki et al.",001_f501fd07813c86e2.txt:4',
        '"Nemotron 3 Nano: Open, Efficient Mixture-of-Experts Hybrid Mamba-Transformer Model for Agentic '
        'Reasoning",2025-12-23,"Aaron Blakeman, Aaron Grattafiori, Aarti Basant et al.",000_d1e1c11066227b5a.txt:12',
        "NVIDIA Nemotron Nano 2: An Accurate and Efficient Hybrid Mamba-Transformer Reasoning Model,2025-08-20,"
        '"Aarti Basant, Abhijit Khairnar, Abhijit Paithankar et al.",002_616fe619df06ff1f.txt:47',
        # one word of the two: "nemotron" is in 9 titles, "nano" in 3, so these come after, newest first
        '"Nemotron 3 Super: Open, Efficient Mixture-of-Experts Hybrid Mamba-Transformer Model for Agentic '
        'Reasoning",2026-04-14,"Aakshita Chandiramani, Aaron Blakeman, Abdullahi Olaoye et al.",'
        "001_f501fd07813c86e2.txt:1",
    ]


def test_search_and_diff_need_the_store_itself():
    from kg.api import Graph, NeedsLocalStore

    remote = Graph(engine=None, base="https://kg.example.org/id/", source="http://127.0.0.1:1/query")  # type: ignore[arg-type]
    for call in (lambda: remote.search("graph"), lambda: remote.diff(), remote.generations):
        with pytest.raises(
            NeedsLocalStore, match=r"reads the store.s own files, which the endpoint .* does not serve"
        ):
            call()
