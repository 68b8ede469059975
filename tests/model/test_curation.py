"""Identities a user curates (kg-curation.toml): `same` groups join printings into one person, `distinct`
rules split one printed name into several people by evidence. Hand-made pages in fixtures/curation:
two Wei Zhangs (one writes with Alice Smith at stanford, one with Bob Jones at google, and a third
listing with Eve Park at stanford), and Yuke Wang printed `Y. Wang` on Alice's pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, FIXTURE_PAGES, TESTS, run_main
from stores import store_quads, support_quads

import kg
from kg.building.builder import build
from kg.model.curation import CurationError, load, parse
from kg.query.canned import Catalogue, LocalEngine, run_canned
from kg.query.person_lookup import PersonResolver
from kg.store.generations import KgStore

PAGES = TESTS / "fixtures" / "curation"
BASE = "https://kg.example.org/id/"
SPLIT_BY_COAUTHOR = """\
[[distinct]]        # two people print this name
name = "Wei Zhang"
by = "coauthor"
groups = [["Alice Smith"], ["Bob Jones"]]
"""
JOIN_WANG = """\
[[same]]
names = ["Yuke Wang", "Y. Wang"]
"""


def rules(tmp_path: Path, text: str, name: str = "kg-curation.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load(path)


def query(store: Path, name: str, *args: str) -> list[dict]:
    with kg.open(store) as graph:
        return graph.query(name, *args).rows()


def coauthors(store: Path, name: str) -> dict[str, str]:
    return {row["coauthor"]: str(row["sharedPapers"]) for row in query(store, "coauthors-of", name)}


def test_two_wei_zhangs_split_by_coauthor(tmp_path):
    report = build([PAGES], tmp_path / "s", as_of=AS_OF, rules=rules(tmp_path, SPLIT_BY_COAUTHOR))
    assert report.rejected == 0
    store = tmp_path / "s"
    assert coauthors(store, "Wei Zhang (coauthor: Alice Smith)") == {"Alice Smith": "1", "Carol Lee": "1"}
    assert coauthors(store, "Wei Zhang (coauthor: Bob Jones)") == {"Bob Jones": "1"}
    # the listing with Eve matches no group: it keeps the name's own node, labelled so
    assert coauthors(store, "Wei Zhang (other)") == {"Eve Park": "1"}
    # every printing is still a name of each; the plain name is now ambiguous, and says so
    code, _, err = run_main("query", "coauthors-of", "Wei Zhang", "--store", str(store))
    assert code == 1
    assert (
        '"Wei Zhang" matches 3 people: Wei Zhang (coauthor: Alice Smith), Wei Zhang (coauthor: Bob Jones), '
        "Wei Zhang (other)" in err
    )
    papers = query(store, "papers-of", "Alice Smith")
    assert {row["authors"] for row in papers} >= {"Wei Zhang (coauthor: Alice Smith), Alice Smith, Carol Lee"}


def test_split_by_org_and_by_page(tmp_path):
    by_org = SPLIT_BY_COAUTHOR.replace('"coauthor"', '"org"').replace(
        '[["Alice Smith"], ["Bob Jones"]]', '[["Stanford"], ["google"]]'
    )
    build([PAGES], tmp_path / "org", as_of=AS_OF, rules=rules(tmp_path, by_org))
    assert coauthors(tmp_path / "org", "Wei Zhang (org: Stanford)") == {
        "Alice Smith": "1",
        "Carol Lee": "1",
        "Eve Park": "1",
    }
    assert coauthors(tmp_path / "org", "Wei Zhang (org: google)") == {"Bob Jones": "1"}
    by_page = """\
[[distinct]]
name = "Wei Zhang"
by = "page"
groups = [["bob.txt"], ["alice.txt", "eve.txt"]]
labels = ["Wei Zhang (Google)", "Wei Zhang (Stanford)"]
"""
    build([PAGES], tmp_path / "page", as_of=AS_OF, rules=rules(tmp_path, by_page))
    assert coauthors(tmp_path / "page", "Wei Zhang (Google)") == {"Bob Jones": "1"}
    assert set(coauthors(tmp_path / "page", "wei zhang stanford")) == {"Alice Smith", "Carol Lee", "Eve Park"}


def test_a_same_group_is_one_person_counted_once(tmp_path):
    # without rules, the evidence already joins them: compatible names, both writing with Alice Smith
    build([PAGES], tmp_path / "plain", as_of=AS_OF)
    assert coauthors(tmp_path / "plain", "Alice Smith") == {
        "Carol Lee": "1",
        "Eve Park": "1",
        "Wei Zhang": "1",
        "Yuke Wang": "2",  # labelled by the printing without initials
    }
    build([PAGES], tmp_path / "s", as_of=AS_OF, rules=rules(tmp_path, JOIN_WANG))
    store = tmp_path / "s"
    assert coauthors(store, "Alice Smith") == {
        "Carol Lee": "1",
        "Eve Park": "1",
        "Wei Zhang": "1",
        "Yuke Wang": "2",
    }
    # either spelling names the one person, without a guess
    assert (
        coauthors(store, "Yuke Wang")
        == coauthors(store, "Y. Wang")
        == {
            "Alice Smith": "2",
            "Bob Jones": "1",
            "Eve Park": "1",
        }
    )
    code, _, err = run_main("query", "profile", "Yuke Wang", "--store", str(store))
    assert code == 0 and "taking" not in err
    names = query(store, "top-collaborators")
    assert not [row for row in names if "Y. Wang" in (row.get("person1"), row.get("person2"))]
    labelled = rules(tmp_path, JOIN_WANG + 'label = "Y. Wang"\n', "labelled.toml")
    build([PAGES], tmp_path / "labelled", as_of=AS_OF, rules=labelled)
    assert "Y. Wang" in coauthors(tmp_path / "labelled", "Alice Smith")


@pytest.mark.parametrize("text", [SPLIT_BY_COAUTHOR, JOIN_WANG, JOIN_WANG + SPLIT_BY_COAUTHOR])
def test_removing_a_rule_undoes_it_exactly(tmp_path, text):
    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    build([pages], tmp_path / "curated", as_of=AS_OF, rules=rules(tmp_path, text))
    report = build([pages], tmp_path / "curated", as_of=AS_OF, rules=None)
    assert report.pages_written == 3  # changed rules: the graph is built again from nothing
    build([pages], tmp_path / "never", as_of=AS_OF)
    assert store_quads(tmp_path / "curated") == store_quads(tmp_path / "never")
    assert support_quads(tmp_path / "curated") == support_quads(tmp_path / "never")


@pytest.mark.parametrize(
    "before, after",
    [
        ("", SPLIT_BY_COAUTHOR),
        ("", JOIN_WANG),
        (SPLIT_BY_COAUTHOR, SPLIT_BY_COAUTHOR.replace('["Bob Jones"]', '["Bob Jones"], ["Eve Park"]')),
        (
            JOIN_WANG + SPLIT_BY_COAUTHOR,
            SPLIT_BY_COAUTHOR.replace('"coauthor"', '"page"').replace("Smith", "Smith.txt"),
        ),
    ],
)
def test_an_update_after_a_rule_change_equals_a_fresh_build(tmp_path, before, after):
    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    old = rules(tmp_path, before, "before.toml") if before else None
    build([pages], tmp_path / "updated", as_of=AS_OF, rules=old)
    new = rules(tmp_path, after, "after.toml")
    build([pages], tmp_path / "updated", as_of=AS_OF, rules=new)
    build([pages], tmp_path / "fresh", as_of=AS_OF, rules=new)
    assert store_quads(tmp_path / "updated") == store_quads(tmp_path / "fresh")
    assert support_quads(tmp_path / "updated") == support_quads(tmp_path / "fresh")
    updated = KgStore.open_read(tmp_path / "updated").meta.extra
    assert updated["triples"] == KgStore.open_read(tmp_path / "fresh").meta.extra["triples"]


def test_an_update_given_some_pages_when_the_rules_changed_reads_the_others_from_their_files(tmp_path):
    """It builds every page again, as given the folder; refused when a page the store holds is neither
    given nor as it was read (the build would drop it)."""
    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    split = rules(tmp_path, SPLIT_BY_COAUTHOR)
    shown = (pages / "alice.txt").read_text(encoding="utf-8")
    (pages / "alice.txt").write_text(shown + "\n", encoding="utf-8")  # changed since the store read it
    with pytest.raises(CurationError, match=r"curation rules changed .* 2 of its pages are neither among"):
        build([pages / "bob.txt"], tmp_path / "s", as_of=AS_OF, rules=split)
    (pages / "alice.txt").write_text(shown, encoding="utf-8")
    report = build([pages / "bob.txt"], tmp_path / "s", as_of=AS_OF, rules=split)
    assert report.plan is not None and report.plan.kind == "from nothing", str(report.plan)
    assert "2 not given, read from their files" in report.plan.reason
    build([pages], tmp_path / "fresh", as_of=AS_OF, rules=split)
    assert store_quads(tmp_path / "s") == store_quads(tmp_path / "fresh")
    build(
        [pages / "bob.txt"], tmp_path / "s", as_of=AS_OF, rules=split
    )  # the same rules: an update as before


def test_every_canned_query_gives_each_answer_once_on_a_curated_store(tmp_path):
    build([PAGES], tmp_path / "s", as_of=AS_OF, rules=rules(tmp_path, JOIN_WANG + SPLIT_BY_COAUTHOR))
    engine = LocalEngine(KgStore.open_read(tmp_path / "s").store)
    resolver = PersonResolver(engine, BASE)
    catalogue = Catalogue()
    people = ["Alice Smith", "Yuke Wang", "Wei Zhang (coauthor: Bob Jones)"]
    for query_ in catalogue.all():
        given = people if query_.variadic else people[: len(query_.params)]
        rows = run_canned(engine, query_, given, resolver).rows
        as_text = [tuple(str(t) for t in row) for row in rows]
        assert len(as_text) == len(set(as_text)), query_.name
    assert len(query(tmp_path / "s", "shared-papers", "Alice Smith", "Y. Wang")) == 2
    with kg.open(tmp_path / "s") as graph:  # one label each, every shape met
        outcome = graph.validate()
    assert outcome.conforms and not outcome.findings
    total = engine.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value
    distinct = engine.run("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert total == distinct.rows[0][0].value


def test_kg_build_reads_kg_curation_toml_and_warns_of_rules_that_match_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(PAGES, tmp_path / "pages")
    (tmp_path / "kg-curation.toml").write_text(
        JOIN_WANG
        + '\n[[same]]\nnames = ["Nobody Here", "N. Here"]\n\n'
        + SPLIT_BY_COAUTHOR.replace('["Bob Jones"]', '["Bob Jones"], ["Zed Nobody"]'),
        encoding="utf-8",
    )
    code, out, err = run_main("build", "pages", "--as-of", "2026-11-24")
    assert code == 0, err
    assert err.splitlines() == [
        "kg-curation.toml:4: warning: no page prints any of Nobody Here, N. Here: the rule matches nothing",
        'kg-curation.toml:7: warning: group 3 (Zed Nobody) matches no listing of "Wei Zhang"',
    ]
    code, out, _ = run_main("query", "coauthors-of", "Y. Wang", "--format", "csv")
    assert out.splitlines() == [
        "coauthor,sharedPapers,lowerBound",
        "Alice Smith,2,false",
        "Bob Jones,1,false",
        "Eve Park,1,false",
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[same]\nnames = []\n", "kg-curation.toml:1: error: not valid TOML"),
        ('[[same]]\nnames = ["Only One"]\n', "kg-curation.toml:2: error: names needs at least 2 entries"),
        ('[[same]]\nnames = ["A B", "a  b"]\n', "kg-curation.toml:2: error: names lists one name twice"),
        (
            '[[same]]\nnames = ["A B", "C D"]\nlabel = "E F"\n',
            "kg-curation.toml:3: error: label must be one of the names",
        ),
        ('[[same]]\nname = ["A B", "C D"]\n', 'kg-curation.toml:2: error: unknown key "name" in [[same]]'),
        (
            '[[distinct]]\nname = "Wei Zhang"\nby = "school"\ngroups = [["x"]]\n',
            "kg-curation.toml:3: error: by must be one of coauthor, org, page",
        ),
        (
            '[[distinct]]\nname = "Wei Zhang"\nby = "org"\n',
            "kg-curation.toml:1: error: [[distinct]] needs groups",
        ),
        (
            '[[distinct]]\nname = "W Z"\nby = "org"\ngroups = [["a"], ["A"]]\n',
            "kg-curation.toml:4: error: an entry is in two groups",
        ),
        (
            '[[same]]\nnames = ["W Z", "Wei Z"]\n\n[[distinct]]\nname = "w z"\nby = "org"\ngroups = [["a"]]\n',
            'kg-curation.toml:4: error: "w z" is already in the rule at line 1',
        ),
        ('title = "x"\n', 'kg-curation.toml:1: error: unknown key "title"'),
    ],
)
def test_a_malformed_file_is_named_by_line_and_exits_2(tmp_path, text, message):
    path = tmp_path / "kg-curation.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CurationError) as caught:
        parse(text, "kg-curation.toml")
    assert str(caught.value).startswith(message)
    code, out, err = run_main("build", str(PAGES), "--store", str(tmp_path / "s"), "--curation", str(path))
    assert code == 2
    assert err.startswith(str(path) + message[len("kg-curation.toml") :]) and out == ""
    assert not (tmp_path / "s").exists()


def test_a_missing_curation_file_given_is_an_error(tmp_path):
    code, _, err = run_main(
        "build", str(PAGES), "--store", str(tmp_path / "s"), "--curation", str(tmp_path / "no.toml")
    )
    assert code == 2 and "no curation file" in err


def profile_page(owner: str, listings: list[tuple[str, str, str]]) -> str:
    """A layout-A page: the owner, metrics, then (date, title, authors line) listings."""
    head = [owner, "", "LG", "h-index5", "3papers", "40citations", "Novelty40%", "AI Score40", ""]
    lines = [*head, f"{len(listings)} Papers", ""]
    for when, title, authors in listings:
        lines += [f"LG{when}", title, "", authors, "", f"About {title.lower()}.", ""]
    return "\n".join(lines)


def test_an_owner_is_one_person_on_the_whole_profile_by_most_listings(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    (pages / "wei.txt").write_text(
        profile_page(
            "Wei Zhang",
            [
                ("Feb 2, 2024", "Robust Speech Recognition", "Wei Zhang, Bob Jones · google"),
                ("Mar 1, 2020", "Quiet Networks", "Bob Jones, Alice Smith et al."),
                ("Mar 2, 2020", "Loud Networks", "Bob Jones et al."),
            ],
        ),
        encoding="utf-8",
    )
    report = build([pages], tmp_path / "s", as_of=AS_OF, rules=rules(tmp_path, SPLIT_BY_COAUTHOR))
    assert [str(d) for d in report.diagnostics] == [
        f'{pages / "wei.txt"}:1: warning: "Wei Zhang" matches groups 1 (Alice Smith: 1 listing) and '
        f"2 (Bob Jones: 3 listings) of the rule at {tmp_path / 'kg-curation.toml'}:1; taken as group 2",
    ]
    assert coauthors(tmp_path / "s", "Wei Zhang (coauthor: Bob Jones)") == {
        "Alice Smith": "1",
        "Bob Jones": "3",
    }
    code, out, _ = run_main(
        "query", "profile", "Wei Zhang (coauthor: Bob Jones)", "--store", str(tmp_path / "s")
    )
    assert code == 0 and "wei.txt" in out


def test_a_listing_matching_two_groups_is_taken_as_the_first_with_a_warning(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "carol.txt").write_text(
        profile_page(
            "Carol Lee", [("Jan 1, 2022", "Both Sides", "Wei Zhang, Bob Jones, Alice Smith et al.")]
        ),
        encoding="utf-8",
    )
    report = build([pages], tmp_path / "s", as_of=AS_OF, rules=rules(tmp_path, SPLIT_BY_COAUTHOR))
    assert [str(d) for d in report.diagnostics] == [
        f'{pages / "carol.txt"}:12: warning: "Wei Zhang" matches groups 1 (Alice Smith) and 2 (Bob Jones) '
        f"of the rule at {tmp_path / 'kg-curation.toml'}:1; taken as group 1",
        f'{tmp_path / "kg-curation.toml"}:1: warning: group 2 (Bob Jones) matches no listing of "Wei Zhang"',
    ]


def test_a_page_edited_under_rules_updates_as_a_fresh_build(tmp_path):
    """One page of eight rebuilt: the small update (triple by triple) moves its Wei Zhang from the
    listings no group matched to group 1, and gives what a build from nothing gives."""
    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    shutil.copytree(FIXTURE_PAGES, pages / "sample")  # Suyog Gupta's coauthor Wei Zhang matches no group
    curated = rules(tmp_path, JOIN_WANG + SPLIT_BY_COAUTHOR)
    build([pages], tmp_path / "updated", as_of=AS_OF, rules=curated)
    eve = pages / "eve.txt"
    eve.write_text(
        eve.read_text(encoding="utf-8").replace("Eve Park, Wei Zhang ·", "Eve Park, Wei Zhang, Alice Smith ·")
    )
    report = build([eve], tmp_path / "updated", as_of=AS_OF, rules=curated)
    assert report.pages_written == 1
    build([pages], tmp_path / "fresh", as_of=AS_OF, rules=curated)
    assert store_quads(tmp_path / "updated") == store_quads(tmp_path / "fresh")
    assert support_quads(tmp_path / "updated") == support_quads(tmp_path / "fresh")
    assert coauthors(tmp_path / "updated", "Wei Zhang (coauthor: Alice Smith)")["Eve Park"] == "1"


def test_a_build_under_new_rules_keeps_the_pages_identities(tmp_path):
    """Built from nothing again, the store keeps its home folder: the pages keep their IRIs."""
    root = tmp_path / "root"
    shutil.copytree(PAGES, root / "pages")
    build([root], tmp_path / "s", as_of=AS_OF)  # home: root, pages are pages/alice.txt, ...
    build([root / "pages"], tmp_path / "s", as_of=AS_OF, rules=rules(tmp_path, JOIN_WANG))
    build([root], tmp_path / "fresh", as_of=AS_OF, rules=rules(tmp_path, JOIN_WANG))
    assert store_quads(tmp_path / "s") == store_quads(tmp_path / "fresh")


def test_coauthor_evidence_is_a_person_under_any_spelling_of_a_same_group(tmp_path):
    """Yuke Wang writes with Bob Jones and, as Y. Wang, with Alice Smith: a group naming "Y. Wang"
    catches the listing that prints "Yuke Wang"."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "dan.txt").write_text(
        profile_page("Dan Brown", [("Jan 1, 2022", "Side by Side", "Wei Zhang, Yuke Wang, Dan Brown")]),
        encoding="utf-8",
    )
    split = 'name = "Wei Zhang"\nby = "coauthor"\ngroups = [["Y. Wang"]]\n'
    build([pages], tmp_path / "s", as_of=AS_OF, rules=rules(tmp_path, f"{JOIN_WANG}\n[[distinct]]\n{split}"))
    assert coauthors(tmp_path / "s", "Wei Zhang (coauthor: Y. Wang)") == {"Dan Brown": "1", "Yuke Wang": "1"}


def test_a_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "kg-curation.toml"
    path.write_bytes("\ufeff".encode() + JOIN_WANG.encode())
    assert load(path).same[0].names == ("Yuke Wang", "Y. Wang")


def test_the_api_builds_with_a_curation_file(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(JOIN_WANG + 'label = "Yuke Wang"\n', encoding="utf-8")
    report = kg.build(PAGES, tmp_path / "s", as_of="2026-11-24", curation=path)
    assert report.rejected == 0
    with kg.open(tmp_path / "s") as graph:
        person = graph.person("Y. Wang")
    assert (person.name, person.names) == ("Yuke Wang", ("Y. Wang", "Yuke Wang"))
    path.write_text('[[same]]\nnames = "Y. Wang"\n', encoding="utf-8")
    with pytest.raises(kg.CurationError, match=r"rules.toml:2: error: names must be a list"):
        kg.build(PAGES, tmp_path / "s", curation=path)
