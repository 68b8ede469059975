"""kg coi: conflicts of interest by policy, on hand-made pages built for each case and on the sample pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_main
from pages import page

import kg
from kg.features.coi import Policy, years_before

AS_OF = "2026-06-01"

PAGES = {
    "rita.txt": page(
        "Rita Reviewer",
        [
            # four years and three months before AS_OF
            ("Mar 10, 2022", "Old Joint Work", "Rita Reviewer, Alan Author · acme"),
            (
                "Jan 5, 2026",
                "Big Collaboration Report",
                "Rita Reviewer, Carl Coauthor, Dana Doe et al. · bigcorp",
            ),
            ("Feb 2, 2026", "Solo Org Paper", "Rita Reviewer · acme"),
        ],
    ),
    "olga.txt": page(
        "Olga Other",
        [
            ("Apr 4, 2025", "Acme Results", "Olga Other, Pete Peer · acme"),
            ("May 5, 2019", "Wei Paper One", "Olga Other, Wei Zhang"),
            ("May 6, 2019", "Wei Paper Two", "Olga Other, Wei Zhao"),
        ],
    ),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("coi-pages")
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = folder.parent / "coi-store"
    report = kg.build(folder, path, as_of=AS_OF)
    assert report.rejected == 0, [str(d) for d in report.diagnostics]
    return path


def rows(report) -> list[tuple]:
    return [
        (c.person1, c.person2, c.reason, c.evidence, str(c.date), c.authors, c.lower_bound)
        for c in report.conflicts
    ]


def coi(store: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    return run_main("coi", "--store", str(store), *args, stdin=stdin)


# --- the window -------------------------------------------------------------------------------------


def test_a_paper_four_years_old_conflicts_at_five_years_not_at_three(store):
    with kg.open(store) as g:
        five = g.coi(["Rita Reviewer", "Alan Author"], years=5, as_of=AS_OF)
        three = g.coi(["Rita Reviewer", "Alan Author"], years=3, as_of=AS_OF)
        four = g.coi(["Rita Reviewer", "Alan Author"], years=4, as_of=AS_OF)
        always = g.coi(["Rita Reviewer", "Alan Author"])
    expected = [("Alan Author", "Rita Reviewer", "paper", "Old Joint Work", "2022-03-10", 2, False)]
    assert rows(five) == expected and rows(always) == expected
    assert rows(three) == [] and rows(four) == []
    assert (five.exit_code, three.exit_code) == (1, 0)


def test_the_cli_row_says_why_and_the_exit_code_says_whether(store):
    code, out, err = coi(
        store,
        "--people",
        "Rita Reviewer",
        "--people",
        "alan author",
        "--years",
        "5",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
    )
    assert code == 1
    assert out.splitlines() == [
        "person1,person2,reason,evidence,date,where,authors,lower_bound",
        "Alan Author,Rita Reviewer,paper,Old Joint Work,2022-03-10,rita.txt:12,2,false",
    ]
    code, out, err = coi(
        store, "--people", "Rita Reviewer", "--people", "Alan Author", "--years", "3", "--as-of", AS_OF
    )
    assert code == 0
    assert out.splitlines()[2:] == []  # the header and its rule only
    assert err == "kg: 2 people, 1 pair checked: 0 in conflict\n"


def test_years_count_back_from_as_of_and_29_february_has_a_day():
    assert Policy(years=3, as_of=kg.api.as_date("2026-06-01")).window() == (
        kg.api.as_date("2023-06-01"),
        kg.api.as_date("2026-06-01"),
    )
    assert str(years_before(kg.api.as_date("2024-02-29"), 1)) == "2023-02-28"


# --- max authors, same org -------------------------------------------------------------------------


def test_a_cut_author_list_is_a_lower_bound_and_max_authors_counts_the_hidden_one(store):
    with kg.open(store) as g:
        kept = g.coi(["Rita Reviewer", "Carl Coauthor"], max_authors=4)
        dropped = g.coi(["Rita Reviewer", "Carl Coauthor"], max_authors=3)
    # three names shown and `et al.`: at least four authors
    assert rows(kept) == [
        ("Carl Coauthor", "Rita Reviewer", "paper", "Big Collaboration Report", "2026-01-05", 4, True)
    ]
    assert rows(dropped) == []


def test_same_org_pairs_people_whose_papers_list_one_organisation(store):
    with kg.open(store) as g:
        plain = g.coi(["Rita Reviewer", "Olga Other"], years=3, as_of=AS_OF)
        by_org = g.coi(["Rita Reviewer", "Olga Other"], years=3, as_of=AS_OF, same_org=True)
        too_old = g.coi(["Rita Reviewer", "Olga Other"], years=1, as_of=AS_OF, same_org=True)
    assert rows(plain) == []
    # each one's most recent paper listing acme: Olga's of 2025-04-04, Rita's of 2026-02-02
    assert rows(by_org) == [("Olga Other", "Rita Reviewer", "org", "acme", "2025-04-04", None, None)]
    assert by_org.conflicts[0].where == "olga.txt:12; rita.txt:26"
    assert [p.title for p in by_org.conflicts[0].papers] == ["Acme Results", "Solo Org Paper"]
    assert rows(too_old) == []  # Olga's acme paper is more than a year old


def test_same_org_in_json_names_each_persons_paper(store):
    code, out, _ = coi(
        store, "--people", "Rita Reviewer", "--people", "Olga Other", "--same-org", "--format", "json"
    )
    assert code == 1
    answer = json.loads(out)
    assert answer["unresolved"] == [] and (answer["people"], answer["pairs"]) == (2, 1)
    (row,) = answer["conflicts"]
    assert row["papers"] == [
        {
            "person": "Olga Other",
            "title": "Acme Results",
            "date": "2025-04-04",
            "where": "olga.txt:12",
            "authors": 2,
            "lower_bound": False,
        },
        {
            "person": "Rita Reviewer",
            "title": "Solo Org Paper",
            "date": "2026-02-02",
            "where": "rita.txt:26",
            "authors": 1,
            "lower_bound": False,
        },
    ]


# --- names -----------------------------------------------------------------------------------------


def test_unknown_and_ambiguous_names_are_reported_and_the_rest_is_checked(store):
    code, out, err = coi(
        store,
        "--people",
        "Rita Reviewer",
        "--people",
        "Nobody Known",
        "--people",
        "wei",
        "--people",
        "Alan Author",
        "--format",
        "csv",
    )
    assert code == 1
    assert out.splitlines()[1:] == [
        "Alan Author,Rita Reviewer,paper,Old Joint Work,2022-03-10,rita.txt:12,2,false"
    ]
    assert err.splitlines() == [
        'kg: --people: no person named "Nobody Known"',
        'kg: --people: "wei" matches 2 people: Wei Zhang, Wei Zhao; give more of the name',
    ]


def test_an_unresolved_name_alone_makes_the_exit_code_1(store):
    code, out, err = coi(
        store,
        "--people",
        "Rita Reviewer",
        "--people",
        "Olga Other",
        "--people",
        "Nobody Known",
        "--format",
        "csv",
    )
    assert code == 1 and out.splitlines()[1:] == []
    assert err == 'kg: --people: no person named "Nobody Known"\n'


def test_names_from_a_file_and_from_stdin(store, tmp_path):
    names = tmp_path / "reviewers.txt"
    names.write_text("# reviewers\nRita Reviewer\n\nNobody Known\n", encoding="utf-8")
    code, out, err = coi(
        store,
        "--people",
        f"@{names}",
        "--against",
        "-",
        "--format",
        "csv",
        stdin="Alan Author\nCarl Coauthor\n",
    )
    assert code == 1
    assert out.splitlines()[1:] == [
        "Rita Reviewer,Alan Author,paper,Old Joint Work,2022-03-10,rita.txt:12,2,false",
        "Rita Reviewer,Carl Coauthor,paper,Big Collaboration Report,2026-01-05,rita.txt:19,4,true",
    ]
    assert err == f'{names}:4: error: no person named "Nobody Known"\n'


def test_a_missing_file_of_names_cannot_run(store, tmp_path):
    code, _, err = coi(store, "--people", f"@{tmp_path / 'nope.txt'}")
    assert code == 2 and err.startswith("kg: cannot read the names in ") and "No such file" in err


def test_against_checks_across_the_lists_only(store):
    with kg.open(store) as g:
        # Alan and Carl never wrote together, and the reviewers are not checked against each other
        report = g.coi(["Alan Author", "Carl Coauthor"], against=["Rita Reviewer", "Olga Other"])
    assert rows(report) == [
        ("Alan Author", "Rita Reviewer", "paper", "Old Joint Work", "2022-03-10", 2, False),
        ("Carl Coauthor", "Rita Reviewer", "paper", "Big Collaboration Report", "2026-01-05", 4, True),
    ]
    assert (report.people, report.pairs) == (4, 4)


def test_a_person_on_both_lists_is_paired_once_and_never_with_themselves(store):
    with kg.open(store) as g:
        report = g.coi(["Rita Reviewer", "Alan Author"], against=["Alan Author", "Rita Reviewer"])
    assert rows(report) == [
        ("Rita Reviewer", "Alan Author", "paper", "Old Joint Work", "2022-03-10", 2, False)
    ]
    assert report.pairs == 1


# --- the sample pages, locally and through kg serve ------------------------------------------------

SAMPLE_ROWS = [
    "person1,person2,reason,evidence,date,where,authors,lower_bound",
    "Deepak Narayanan,Mahdi Nazemi,paper,NVIDIA Nemotron 3: Efficient and Open Intelligence,2025-12-24,000_d1e1c11066227b5a.txt:19,6,true",
    "Deepak Narayanan,Suyog Gupta,paper,NVIDIA Nemotron 3: Efficient and Open Intelligence,2025-12-24,000_d1e1c11066227b5a.txt:19,6,true",
    'Deepak Narayanan,Suyog Gupta,paper,"Nemotron 3 Nano: Open, Efficient Mixture-of-Experts Hybrid Mamba-Transformer Model for Agentic Reasoning",2025-12-23,000_d1e1c11066227b5a.txt:12,5,true',
    "Mahdi Nazemi,Suyog Gupta,paper,NVIDIA Nemotron 3: Efficient and Open Intelligence,2025-12-24,000_d1e1c11066227b5a.txt:19,6,true",
]
SAMPLE_PEOPLE = ["--people", "Suyog Gupta", "--people", "Deepak Narayanan", "--people", "Mahdi Nazemi"]


def test_the_sample_pages(fixture_store):
    code, out, err = coi(fixture_store, *SAMPLE_PEOPLE, "--format", "csv")
    assert (code, err) == (1, "")
    assert out.splitlines() == SAMPLE_ROWS


def test_the_same_rows_through_an_endpoint(served_store):
    code, out, err = run_main("coi", "--endpoint", served_store, *SAMPLE_PEOPLE, "--format", "csv")
    assert (code, err) == (1, "")
    assert out.splitlines() == SAMPLE_ROWS


def test_max_authors_also_leaves_out_the_organisations_of_big_papers(store):
    with kg.open(store) as g:
        kept = g.coi(["Rita Reviewer", "Carl Coauthor"], same_org=True)
        dropped = g.coi(["Rita Reviewer", "Carl Coauthor"], same_org=True, max_authors=3)
    assert [(c.reason, c.evidence, c.where) for c in kept.conflicts] == [
        ("paper", "Big Collaboration Report", "rita.txt:19"),
        ("org", "bigcorp", "rita.txt:19"),
    ]
    assert dropped.conflicts == []


def test_a_partial_name_is_taken_with_a_note(store):
    code, out, err = coi(store, "--people", "rita", "--people", "Alan Author", "--format", "csv")
    assert code == 1 and len(out.splitlines()) == 2
    assert err == 'kg: taking "rita" as Rita Reviewer\n'


def test_as_of_alone_leaves_out_later_papers(store):
    with kg.open(store) as g:
        before = g.coi(["Rita Reviewer", "Carl Coauthor"], as_of="2025-12-31")
        after = g.coi(["Rita Reviewer", "Carl Coauthor"], as_of="2026-01-05")
    assert rows(before) == [] and len(rows(after)) == 1


def test_stdin_gives_one_list_only(store):
    code, _, err = coi(store, "--people", "-", "--against", "-", stdin="Rita Reviewer\n")
    assert code == 2 and "standard input (-) can give only one of --people and --against" in err


def test_one_string_for_a_list_is_refused_by_the_api(store):
    with kg.open(store) as g, pytest.raises(kg.KgError, match="give a list of names"):
        g.coi("Rita Reviewer")


def test_same_org_across_lists_puts_the_people_side_first(store):
    with kg.open(store) as g:
        report = g.coi(
            ["Rita Reviewer"], against=["Olga Other", "Rita Reviewer"], years=3, as_of=AS_OF, same_org=True
        )
    assert [(c.person1, c.person2, c.reason, c.evidence, c.where) for c in report.conflicts] == [
        ("Rita Reviewer", "Olga Other", "org", "acme", "rita.txt:26; olga.txt:12")
    ]
    assert report.pairs == 1


def test_one_person_alone_is_refused_with_a_hint(store):
    code, out, err = coi(store, "--people", "Rita Reviewer")
    assert (code, out) == (2, "")
    assert "one person makes no pair to check: name two or more with --people, or add --against NAME" in err
    code, _, err = coi(store, "--people", "Rita Reviewer", "--people", "Nobody Known")
    assert code == 1 and err.endswith("kg: 1 person, 0 pairs checked: 0 in conflict; 1 name not resolved\n")
