"""kg diff and the generations a store keeps for it: what changed between builds, on the sample pages and
on small pages written for each case."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, FIXTURE_PAGES, run_main

import kg
from kg.building.builder import build

OWNER_PAGE = "004_0b1fd6c6ee51fc8c.txt"
# The papers only page 004 lists (its others are on pages 000 and 002 too).
OWNER_PAPERS = [
    "A Hardware-Friendly Algorithm for Scalable Training and Deployment of Dimensionality Reduction Models on FPGA",
    "A Tunable Robust Pruning Framework Through Dynamic Network Rewiring of DNNs",
    "Deploying Customized Data Representation and Approximate Computing in Machine Learning Applications",
    "Efficient Compilation and Mapping of Fixed Function Combinational Logic onto Digital Signal Processors "
    "Targeting Neural Network Inference and Utilizing High-level Synthesis",
    "FFT-Based Deep Learning Deployment in Embedded Systems",
    "High-Performance FPGA Implementation of Equivariant Adaptive Separation via Independence Algorithm for "
    "Independent Component Analysis",
    "Low-Precision Mixed-Computation Models for Inference on Edge",
    "Memory-Efficient Vision Transformers: An Activation-Aware Mixed-Rank Compression Strategy",
    "NullaNet Tiny: Ultra-low-latency DNN Inference Through Fixed-function Combinational Logic",
    "NullaNet: Training Deep Neural Networks for Reduced-Memory-Access Inference",
    "Pre-defined Sparsity for Low-Complexity Convolutional Neural Networks",
    "Sensitivity-Aware Mixed-Precision Quantization and Width Optimization of Deep Neural Networks Through "
    "Cluster-Based Tree-Structured Parzen Estimation",
    "SynergicLearning: Neural Network-Based Feature Extraction for Highly-Accurate Hyperdimensional Learning",
]


def page(owner: str, listings: list[tuple[str, str, str]]) -> str:
    """A layout-A profile page: (date as printed, title, authors as printed) per listing."""
    lines = [owner, "", "LG", "h-index3", f"{len(listings)}papers", "10citations", "Novelty50%", "AI Score50"]
    lines += ["", f"{len(listings)} Papers", ""]
    for printed_date, title, authors in listings:
        lines += [f"LG{printed_date}", title, "", authors, "", "An abstract of our own.", ""]
    return "\n".join(lines)


ANA = [
    ("Mar 3, 2024", "Sparse Graph Transformers", "Ana Lima, Bruno Costa"),
    ("Jan 9, 2023", "Graph Learning at Scale", "Ana Lima, Carla Dias"),
]
BO = [("Jun 1, 2025", "Déjà Vu in Federated Training", "Bo Chen, Ana Lima, Dan Eze")]


def diff_json(store: Path, *args: str) -> dict:
    code, out, err = run_main("diff", "--store", str(store), "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def titles(items: list[dict]) -> list[str]:
    return [item["title"] for item in items]


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "ana.txt").write_text(page("Ana Lima", ANA), encoding="utf-8")
    return folder


def revise(pages: Path, n: int) -> None:
    """Ana's abstracts reworded: a change the graph holds, that kg diff does not list (a build that
    changes nothing makes no generation)."""
    text = page("Ana Lima", ANA).replace("An abstract of our own.", f"An abstract of our own, revision {n}.")
    (pages / "ana.txt").write_text(text, encoding="utf-8")


def build_ok(pages: Path, store: Path, **kwargs) -> None:
    report = build([pages], store, as_of=AS_OF, **kwargs)
    assert report.rejected == 0, [str(d) for d in report.diagnostics]


def test_adding_a_sample_page_lists_exactly_its_papers(tmp_path):
    pages, store = tmp_path / "pages", tmp_path / "store"
    shutil.copytree(FIXTURE_PAGES, pages)
    owner = (pages / OWNER_PAGE).rename(tmp_path / OWNER_PAGE)
    build_ok(pages, store)
    owner.rename(pages / OWNER_PAGE)
    build_ok(pages, store)
    changes = diff_json(store)
    assert changes["from"]["generation"] == "gen-000001" and changes["to"]["generation"] == "gen-000002"
    assert titles(changes["papers_added"]) == OWNER_PAPERS
    assert {w["page"] for item in changes["papers_added"] for w in item["where"]} == {OWNER_PAGE}
    first = changes["papers_added"][0]
    assert first["dates"] == ["2018-01-11"]
    assert first["authors"] == ["Mahdi Nazemi, Amir Erfan Eshratifar, Massoud Pedram"]
    assert first["where"] == [{"page": OWNER_PAGE, "line": 89}]
    counts = changes["counts"]
    assert (counts["papers_removed"], counts["dates_changed"], counts["people_removed"]) == (0, 0, 0)
    assert counts["people_added"] == 14 and counts["pairs_added"] == 29
    # Mahdi Nazemi now shares the Nemotron paper's names, from the page that shows him on it
    pair = next(p for p in changes["pairs_added"] if p["names"] == ["Aaron Blakeman", "Mahdi Nazemi"])
    assert pair["papers"] == ["NVIDIA Nemotron 3: Efficient and Open Intelligence"]


def test_a_new_page_on_small_pages_gives_its_paper_people_and_pairs(pages, tmp_path):
    store = tmp_path / "store"
    build_ok(pages, store)
    (pages / "bo.txt").write_text(page("Bo Chen", BO), encoding="utf-8")
    build_ok(pages, store)
    changes = diff_json(store)
    assert changes["papers_added"] == [
        {
            "paper": "https://kg.example.org/id/paper/deja-vu-in-federated-training",
            "title": "Déjà Vu in Federated Training",
            "dates": ["2025-06-01"],
            "authors": ["Bo Chen, Ana Lima, Dan Eze"],
            "where": [{"page": "bo.txt", "line": 12}],
        }
    ]
    assert [(p["name"], p["where"]) for p in changes["people_added"]] == [
        ("Bo Chen", [{"page": "bo.txt", "line": 12}]),
        ("Dan Eze", [{"page": "bo.txt", "line": 12}]),
    ]
    assert [p["names"] for p in changes["pairs_added"]] == [
        ["Ana Lima", "Bo Chen"],
        ["Ana Lima", "Dan Eze"],
        ["Bo Chen", "Dan Eze"],
    ]
    assert all(p["where"] == [{"page": "bo.txt", "line": 12}] for p in changes["pairs_added"])
    assert not any(
        changes[k] for k in ("papers_removed", "dates_changed", "authors_changed", "pairs_removed")
    )


def test_a_changed_date_and_author_list(pages, tmp_path):
    store = tmp_path / "store"
    build_ok(pages, store)
    changed = [("Mar 4, 2024", ANA[0][1], ANA[0][2]), (ANA[1][0], ANA[1][1], "Ana Lima, Carla Dias, Eva Fox")]
    (pages / "ana.txt").write_text(page("Ana Lima", changed), encoding="utf-8")
    build_ok(pages, store)
    changes = diff_json(store)
    assert changes["dates_changed"] == [
        {
            "paper": "https://kg.example.org/id/paper/sparse-graph-transformers",
            "title": "Sparse Graph Transformers",
            "before": ["2024-03-03"],
            "after": ["2024-03-04"],
            "where": [{"page": "ana.txt", "line": 12}],
        }
    ]
    assert [(c["title"], c["before"], c["after"]) for c in changes["authors_changed"]] == [
        ("Graph Learning at Scale", ["Ana Lima, Carla Dias"], ["Ana Lima, Carla Dias, Eva Fox"])
    ]
    assert [p["name"] for p in changes["people_added"]] == ["Eva Fox"]
    assert [p["names"] for p in changes["pairs_added"]] == [
        ["Ana Lima", "Eva Fox"],
        ["Carla Dias", "Eva Fox"],
    ]
    assert not changes["papers_added"] and not changes["papers_removed"]
    code, out, _ = run_main("diff", "--store", str(store))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "from gen-000001 to gen-000002: 5 changes"
    assert lines[1].split() == ["change", "what", "detail", "where"]
    assert "2024-03-03 -> 2024-03-04" in lines[3] and lines[3].endswith("ana.txt:12")


def test_removing_a_page_lists_what_only_it_showed(pages, tmp_path):
    store = tmp_path / "store"
    (pages / "bo.txt").write_text(page("Bo Chen", BO), encoding="utf-8")
    build_ok(pages, store)
    (pages / "bo.txt").unlink()
    build_ok(pages, store, fresh=True)  # an update keeps pages it is not given; a fresh build drops them
    changes = diff_json(store)
    assert titles(changes["papers_removed"]) == ["Déjà Vu in Federated Training"]
    assert changes["papers_removed"][0]["where"] == [{"page": "bo.txt", "line": 12}]
    assert [p["name"] for p in changes["people_removed"]] == ["Bo Chen", "Dan Eze"]
    assert len(changes["pairs_removed"]) == 3 and not changes["pairs_added"]


def test_nothing_changed_says_so(pages, tmp_path):
    store = tmp_path / "store"
    build_ok(pages, store)
    revise(pages, 1)
    build_ok(pages, store)
    assert run_main("diff", "--store", str(store)) == (0, "no changes from gen-000001 to gen-000002\n", "")


def test_since_compares_with_an_older_generation(pages, tmp_path):
    store = tmp_path / "store"
    build_ok(pages, store)
    (pages / "bo.txt").write_text(page("Bo Chen", BO), encoding="utf-8")
    build_ok(pages, store)
    revise(pages, 1)
    build_ok(pages, store)
    assert diff_json(store)["counts"]["papers_added"] == 0  # gen 2 -> 3: nothing kg diff lists
    for since in ("gen-000001", "1", "gen-1"):
        changes = diff_json(store, "--since", since)
        assert changes["from"]["generation"] == "gen-000001"
        assert titles(changes["papers_added"]) == ["Déjà Vu in Federated Training"]
    with kg.open(store) as g:
        assert titles(g.diff("1").changes["papers_added"]) == ["Déjà Vu in Federated Training"]
        assert [row["generation"] for row in g.generations()] == ["gen-000001", "gen-000002", "gen-000003"]
        assert [row["papers"] for row in g.generations()] == [2, 3, 3]
    code, _, err = run_main("diff", "--store", str(store), "--since", "3")
    assert code == 2 and "gen-000003 is not older than the live generation gen-000003" in err
    code, _, err = run_main("diff", "--store", str(store), "--since", "last week")
    assert code == 2 and "'last week' is not a generation" in err


def test_keep_bounds_the_generations_kept(pages, tmp_path):
    store = tmp_path / "store"
    for n in range(5):
        revise(pages, n)
        assert run_main("build", str(pages), "--store", str(store), "--keep", "2", "-q")[0] == 0
    assert sorted(p.name for p in store.glob("gen-*.summary")) == ["gen-000004.summary", "gen-000005.summary"]
    # databases: the live one and the one before it, for readers still on it
    assert sorted(p.name for p in store.glob("gen-*") if p.is_dir() and "." not in p.name) == [
        "gen-000004",
        "gen-000005",
    ]
    code, out, _ = run_main("diff", "--store", str(store), "--list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["gen-000004", "gen-000005"]
    assert out.splitlines()[-1].split()[-1] == "true"
    code, _, err = run_main("diff", "--store", str(store), "--since", "2")
    assert code == 2
    assert "the store no longer keeps gen-000002 (kept: gen-000004, gen-000005)" in err
    # the default keeps three; KG_KEEP says otherwise
    for n in range(5, 7):
        revise(pages, n)
        assert run_main("build", str(pages), "--store", str(store), "-q")[0] == 0
    assert len(list(store.glob("gen-*.summary"))) == 3
    revise(pages, 7)
    code, _, _ = run_main("build", str(pages), "--store", str(store), "-q", env={"KG_KEEP": "1"})
    assert code == 0 and [p.name for p in store.glob("gen-*.summary")] == ["gen-000008.summary"]
    # the database before the live one is kept for its readers: kg diff reads it when its summary is gone
    assert diff_json(store)["from"]["generation"] == "gen-000007"
    code, _, err = run_main("build", str(pages), "--store", str(store), "--keep", "0")
    assert code == 2 and "--keep" in err


def test_a_generation_without_a_summary_is_read_from_its_database(pages, tmp_path):
    store = tmp_path / "store"
    build_ok(pages, store)
    (store / "gen-000001.summary").unlink()  # as a kg that wrote none left it
    (pages / "bo.txt").write_text(page("Bo Chen", BO), encoding="utf-8")
    build_ok(pages, store)
    assert titles(diff_json(store)["papers_added"]) == ["Déjà Vu in Federated Training"]


def test_diff_needs_two_builds(pages, tmp_path):
    store = tmp_path / "store"
    build_ok(pages, store)
    code, out, err = run_main("diff", "--store", str(store))
    assert code == 2 and out == ""
    assert err == (
        "kg: the store keeps no generation before the live one (gen-000001): "
        "kg diff compares two builds, so build again first\n"
    )


def test_a_killed_build_leaves_no_summary_behind(pages, tmp_path, monkeypatch):
    store = tmp_path / "store"
    build_ok(pages, store)
    from kg.store.generations import StoreWriter

    def killed(self, meta):
        raise KeyboardInterrupt

    monkeypatch.setattr(StoreWriter, "commit", killed)
    revise(pages, 1)
    with pytest.raises(KeyboardInterrupt):
        build([pages], store, as_of=AS_OF)
    monkeypatch.undo()
    assert sorted(p.name for p in store.glob("gen-*.summary*")) == ["gen-000001.summary"]
    build_ok(pages, store)
    assert sorted(p.name for p in store.glob("gen-*.summary*")) == [
        "gen-000001.summary",
        "gen-000002.summary",
    ]


def test_a_small_update_brings_the_summary_up_to_date_as_a_full_read_would(tmp_path, monkeypatch):
    from kg.derive import summary

    pages, store = tmp_path / "pages", tmp_path / "store"
    shutil.copytree(FIXTURE_PAGES, pages)
    build_ok(pages, store)
    updates_made = []
    update = summary._update
    monkeypatch.setattr(summary, "_update", lambda *args: updates_made.append(1) or update(*args))
    bo = pages / "bo.txt"
    # a new page naming a known person another way (Bérkin Akin is Berkin Akin: a label may change)
    updates = [
        [("Jun 1, 2025", "Déjà Vu in Federated Training", "Bo Chen, Bérkin Akin, Dan Eze")],
        [("Jun 2, 2025", "Déjà Vu in Federated Training", "Bo Chen, Bérkin Akin")],
        [("Jun 2, 2025", "Accelerator-aware Neural Network Design using AutoML", "Suyog Gupta, Bo Chen")],
    ]
    for listings in updates:
        bo.write_text(page("Bo Chen", listings), encoding="utf-8")
        build_ok(bo, store)
        assert_summary_as_read_whole(store)
    assert len(updates_made) == len(updates)  # each brought up to date, not read again
    changes = diff_json(store)
    assert titles(changes["papers_removed"]) == ["Déjà Vu in Federated Training"]
    assert [c["title"] for c in changes["authors_changed"]] == [
        "Accelerator-aware Neural Network Design using AutoML"
    ]


def assert_summary_as_read_whole(store: Path) -> None:
    """The live summary, as an update brought it up to date, holds what one read from the graph holds."""
    from kg.derive import summary
    from kg.store.generations import KgStore

    reader = KgStore.open_read(store)
    on_disk = summary.open_file(reader.summary_path)
    assert summary.contents(on_disk) == summary.contents(summary.in_memory(reader.store, {}))
    on_disk.close()
    reader.close()


def test_an_update_keeps_the_index_of_names_as_a_full_read_would(tmp_path):
    """The index of the words of people's names follows a page whose owner is printed otherwise, though
    it lists no paper (so no authorship names the owner): the old name no longer finds anyone."""
    pages, store = tmp_path / "pages", tmp_path / "store"
    shutil.copytree(FIXTURE_PAGES, pages)
    build_ok(pages, store)
    zed = pages / "zed.txt"
    listed = [("Jun 1, 2025", "A Paper", "Zed Quorom, Bo Chen")]
    for owner, listings, gone in (
        ("Zed Quorum", [], "quorom"),
        ("Zed Quorom", [], "quorum"),
        ("Zed Quorom", listed, ""),
    ):
        zed.write_text(page(owner, listings))
        build_ok(zed, store)
        assert_summary_as_read_whole(store)
        with kg.open(store) as graph:
            assert [p.name for p in graph.people(owner.split()[1])] == [owner]
            if gone:
                assert graph.people(gone) == []
