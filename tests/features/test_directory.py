"""kg people: the people with their papers, and suggestions for the curation file, with evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_main
from pages import page

import kg
from kg.features import people as directory

PAGES = {
    # one Wei Zhang with Alice at acme, one with Bob at bigcorp: Alice and Bob never meet
    "alice.txt": page("Alice Smith", [("Mar 1, 2024", "Acme Widgets", "Alice Smith, Wei Zhang · acme")]),
    "bob.txt": page("Bob Jones", [("Apr 2, 2024", "Bigcorp Gadgets", "Bob Jones, Wei Zhang · bigcorp")]),
    # Y. Wang and Yuke Wang both write with Carol
    "carol.txt": page(
        "Carol White",
        [
            ("May 3, 2024", "Tensor Tricks", "Carol White, Y. Wang"),
            ("Jun 4, 2024", "Tensor Tricks Two", "Carol White, Yuke Wang, Zed Zulu"),
        ],
    ),
    # one name, two profiles that share nothing: solo papers at acme on one, at bigcorp on the other
    "sam-a.txt": page("Sam Solo", [("Jan 5, 2023", "Alone At Acme", "Sam Solo · acme")]),
    "sam-b.txt": page("Sam Solo", [("Feb 6, 2023", "Alone At Bigcorp", "Sam Solo · bigcorp")]),
    # a group author with two sets of coauthors that never meet: one author, not two people
    "dora.txt": page("Dora Day", [("Jul 7, 2024", "Open Models One", "Dora Day, Zyx Workshop")]),
    "eve.txt": page("Eve Eve", [("Aug 8, 2024", "Open Models Two", "Eve Eve, Zyx Workshop")]),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("people-pages")
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = folder.parent / "people-store"
    report = kg.build(folder, path, as_of="2026-06-01")
    assert report.rejected == 0, [str(d) for d in report.diagnostics]
    return path


EXPECTED_TOML = """\
# "Wei Zhang": 2 papers in 2 coauthor groups that never meet
#   1: 1 paper, with Alice Smith
#      "Acme Widgets" (2024-03-01, alice.txt:12)
#   2: 1 paper, with Bob Jones
#      "Bigcorp Gadgets" (2024-04-02, bob.txt:12)
[[distinct]]
name = "Wei Zhang"
by = "coauthor"
groups = [["Alice Smith"], ["Bob Jones"]]
"""


def test_ambiguous_names_come_as_a_curation_file_with_their_evidence(store):
    # the build already told the two Sam Solos apart (profiles that share nothing) and joined Y. Wang
    # and Yuke Wang (compatible names beside Carol White): what is left is the name it took on trust
    code, out, err = run_main("people", "--ambiguous", "--min-papers", "1", "--store", str(store))
    assert (code, err) == (0, "")
    assert out == EXPECTED_TOML
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and newer
    curation = tomllib.loads(out)  # pastes as it is
    assert [d["name"] for d in curation["distinct"]] == ["Wei Zhang"]


def test_a_group_author_is_never_suggested_for_splitting(store):
    with kg.open(store) as g:
        assert g.identity_suggestions("zyx", min_papers=1) == []
        assert [p.name for p in g.people_with_papers("zyx")] == ["Zyx Workshop"]


def test_ambiguous_with_a_pattern_keeps_what_concerns_those_people(store):
    with kg.open(store) as g:
        assert g.identity_suggestions("wang", min_papers=1) == []
    _, out, _ = run_main(
        "people", "wei", "--ambiguous", "--min-papers", "1", "--format", "json", "--store", str(store)
    )
    (only,) = json.loads(out)
    assert only["kind"] == "distinct" and only["by"] == "coauthor"
    assert [g["members"] for g in only["groups"]] == [["Alice Smith"], ["Bob Jones"]]
    assert only["groups"][0]["papers"] == [
        {"title": "Acme Widgets", "date": "2024-03-01", "where": "alice.txt:12"}
    ]


def test_the_evidence_for_each_join_and_each_name_kept_apart(store):
    code, out, err = run_main("people", "--evidence", "--store", str(store))
    assert (code, err) == (0, "")
    assert (
        "Yuke Wang  <https://kg.example.org/id/person/yuke-wang>  printed: Y. Wang; Yuke Wang\n"
        '  joined by coauthor: "Y. Wang" and "Yuke Wang": both beside "Carol White" (carol:12)\n'
    ) in out
    assert (
        "Sam Solo  <https://kg.example.org/id/person/sam-solo~sam-a>  printed: Sam Solo\n"
        '  joined by owner: "Sam Solo" and "Sam Solo": sam-a:12: a listing on the profile of Sam Solo\n'
        '  kept apart: "Sam Solo": 1 other person(s) print it, with no paper or coauthor in common: '
        "sam-solo~sam-b\n"
    ) in out
    assert (
        '  joined by name: "Wei Zhang" and "Wei Zhang": both print "Wei Zhang", and nobody else does' in out
    )


def test_homonyms_are_named_by_their_iri(store):
    code, _, err = run_main("query", "papers-of", "Sam Solo", "--store", str(store))
    assert code == 1 and "sam-solo~sam-a" in err and "sam-solo~sam-b" in err
    code, out, _ = run_main("query", "papers-of", "sam-solo~sam-b", "--store", str(store))
    assert code == 0 and "Alone At Bigcorp" in out and "Alone At Acme" not in out


def test_people_with_their_papers_and_names(store):
    code, out, err = run_main("people", "wang", "--store", str(store), "--format", "csv")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["person,papers,names", "Yuke Wang,2,Y. Wang; Yuke Wang"]
    code, out, _ = run_main("people", "--store", str(store), "--limit", "3")
    assert out.splitlines() == [
        "person       papers  names",
        "-----------  ------  -----------",
        "Alice Smith       1  Alice Smith",
        "Bob Jones         1  Bob Jones",
        "Carol White       2  Carol White",
    ]


def test_the_sample_pages_list_every_spelling(fixture_store):
    with kg.open(fixture_store) as g:
        listed = {p.name: p for p in g.people_with_papers()}
    assert len(listed) == 114
    assert listed["Suyog Gupta"].papers == 12


def test_a_pattern_that_matches_nobody_is_exit_1(store):
    code, out, err = run_main("people", "nobody", "--store", str(store))
    assert (code, out) == (1, "")
    assert err == 'kg: no person\'s name holds every word of "nobody"\n'


def test_a_format_that_does_not_fit_is_a_usage_error(store):
    code, _, err = run_main("people", "--ambiguous", "--format", "csv", "--store", str(store))
    assert code == 2 and "--format csv does not fit --ambiguous" in err


def test_names_fit_by_initials_only_where_every_word_does():
    assert directory._given_fit(["y"], ["yuke"])
    assert directory._given_fit(["j", "p"], ["jean", "paul"])
    assert not directory._given_fit(["yuke"], ["yuri"])
    assert not directory._given_fit(["y"], ["y", "k"])


def test_people_through_an_endpoint(served_store):
    code, out, err = run_main("people", "gupta", "--endpoint", served_store, "--format", "csv")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["person,papers,names", "Suyog Gupta,12,Suyog Gupta"]


def test_a_split_needs_two_groups_of_min_papers(store):
    """One paper each with people never met again is what anyone has: by default a split needs two
    groups of two papers (the variants that share a coauthor, the build joined already)."""
    with kg.open(store) as g:
        assert g.identity_suggestions() == []
        assert [type(s).__name__ for s in g.identity_suggestions(min_papers=1)] == ["Distinct"]
        with pytest.raises(kg.KgError, match="min_papers must be 1 or more"):
            g.identity_suggestions(min_papers=0)


def test_control_characters_never_break_the_file_or_the_terminal():
    tomllib = pytest.importorskip("tomllib")
    out = directory.toml([directory.Same(("A\x1b[31m Wang", "Ab Wang"), (1, 2), ("Odd\x07 Name",))])
    assert "\x1b" not in out and "\x07" not in out
    assert "share 1 coauthor: Odd\\x07 Name" in out
    assert tomllib.loads(out) == {"same": [{"names": ["A\x1b[31m Wang", "Ab Wang"]}]}


def test_a_name_kept_apart_is_listed_with_where_it_is_printed(tmp_path):
    pages = {
        "sam-a.txt": page("Sam Solo", [("Jan 5, 2023", "Alone At Acme", "Sam Solo, Ann Lee")]),
        "sam-b.txt": page("Sam Solo", [("Feb 6, 2023", "Alone At Bigcorp", "Sam Solo, Bo Ray")]),
        "list.txt": page("Cy Twombly", [("Mar 7, 2023", "Painted Graphs", "Cy Twombly, Sam Solo")]),
    }
    for name, text in pages.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    kg.build(tmp_path, tmp_path / "store", as_of="2026-06-01")
    code, out, _ = run_main("people", "--ambiguous", "--store", str(tmp_path / "store"))
    assert code == 0
    assert (
        '# "Sam Solo": kept apart at 1 listing(s), no evidence either way\n'
        "#   list:12, beside Cy Twombly\n"
        "#   a person printing it: sam-solo~sam-a\n"
        "#   a person printing it: sam-solo~sam-b\n"
    ) in out
    code, out, _ = run_main("people", "sam solo", "--store", str(tmp_path / "store"))
    assert len([line for line in out.splitlines() if line.startswith("Sam Solo")]) == 3  # three people
