"""The command line as a user meets it: exact messages and exit codes of build, stats, export, validate."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import BAD_PAGES, FIXTURE_PAGES
from servers import kg_subprocess

from kg import __version__
from kg.cli import cli, example_of, leaf_commands


def test_kg_alone_lists_every_command_with_an_example(kg_cli):
    code, out, _ = kg_cli()
    assert code == 0
    commands = list(leaf_commands(cli, cli.make_context("kg", [], resilient_parsing=True)))
    assert {name for name, _ in commands} >= {
        "build",
        "validate",
        "export",
        "stats",
        "query",
        "sparql",
        "graph coauthors-of",
    }
    for name, command in commands:
        example = example_of(command)
        assert example.startswith(f"kg {name}"), f"kg {name} has no example in its help"
        assert f"e.g. {example}" in out


def test_version(kg_cli):
    assert kg_cli("--version") == (0, f"kg, version {__version__}\n", "")


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["export"],
        ["validate"],
        ["query", "coauthors-of", "X"],
        ["sparql", "ASK {}"],
        ["graph", "coauthors-of", "X", "-o", "x.html"],
    ],
)
def test_every_command_on_a_missing_store_says_what_to_run(kg_cli, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)  # where kg graph would write its page
    code, _, err = kg_cli(*command, "--store", str(tmp_path / "nothing"))
    assert (code, err) == (2, f"kg: no graph at {tmp_path / 'nothing'}: run kg build PAGES\n")


def test_the_default_store_is_kg_store_in_the_working_folder(kg_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert kg_cli("stats") == (2, "", "kg: no graph at ./kg-store: run kg build PAGES\n")


def test_the_store_comes_from_kg_store(kg_cli, fixture_store):
    code, out, _ = kg_cli("stats", "--format", "json", env={"KG_STORE": str(fixture_store)})
    assert code == 0
    assert json.loads(out)["papers"] == 59


def test_build_summary_as_json_for_scripts(kg_cli, tmp_path):
    code, out, err = kg_cli(
        "build",
        str(FIXTURE_PAGES),
        "--store",
        str(tmp_path / "s"),
        "--as-of",
        "2026-11-24",
        "--format",
        "json",
    )
    assert code == 0, err
    summary = json.loads(out)
    assert {k: summary[k] for k in ("pages", "listings", "warnings", "rejected")} == {
        "pages": 5, "listings": 65, "warnings": 0, "rejected": 0,
    }  # fmt: skip
    store = summary["store"]  # the store as the build left it, apart from this build's figures
    assert {k: store[k] for k in ("pages", "listings", "papers", "people")} == {
        "pages": 5, "listings": 65, "papers": 59, "people": 114,
    }  # fmt: skip
    assert store["triples_asserted"] > 2000 and store["triples_inferred"] > 2000
    assert summary["generation"] == "gen-000001" and summary["new_generation"] is True
    assert set(summary["seconds"]) >= {"pages", "load", "inference", "total"}
    assert err == ""  # no progress bar when the output is not a terminal


def test_build_table_summary(kg_cli, tmp_path):
    page = FIXTURE_PAGES / "003_fd8b96957d83db75.txt"
    code, out, _ = kg_cli("build", str(page), "--store", str(tmp_path / "s"), "--as-of", "2026-11-24")
    assert code == 0
    this_build, store = out.split("\n\n")
    assert this_build.splitlines()[0].split() == ["this", "build", "count"]
    assert this_build.splitlines()[-1].split() == ["rejected", "0"]
    assert "pages given          1" in this_build and "papers" not in this_build
    assert store.splitlines()[0].split() == ["the", "store", "(gen-000001)", "count"]
    assert "papers                      7" in store


def test_build_with_rejected_records_stores_the_rest_and_exits_1(tmp_path):
    result = kg_subprocess(
        "build", str(BAD_PAGES), "--store", str(tmp_path / "s"), "--as-of", "2026-11-24", "--format", "json"
    )
    assert result.returncode == 1
    assert (
        "impossible_date.txt:19: error: impossible date Feb 30, 2021; the listing is skipped\n"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
    summary = json.loads(result.stdout)
    assert summary["rejected"] == 5 and summary["listings"] > 20
    assert summary["store"]["listings"] == summary["listings"]
    assert kg_subprocess("stats", "--store", str(tmp_path / "s")).returncode == 0


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["build", "no/such/folder"], 2, "kg: no such file or folder: no/such/folder\n"),
        (
            ["build", "x", "--as-of", "yesterday"],
            2,
            "Invalid value for '--as-of': 'yesterday' is not a date like 2026-11-24",
        ),
        (["build", "x", "--base", "not an iri"], 2, "kg: the base 'not an iri/' is not a valid IRI"),
        (["export", "--format", "csv"], 2, "Invalid value for '--format'"),
    ],
)
def test_usage_errors(tmp_path, args, code, message):
    if args[0] == "build" and args[1] == "x":
        (tmp_path / "x").mkdir()
    result = kg_subprocess(*args, "--store", str(tmp_path / "s"), cwd=tmp_path)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_build_while_one_writes_is_refused_clearly(kg_cli, tmp_path):
    from kg.store.generations import StoreWriter

    with StoreWriter(tmp_path / "s", "https://kg.example.org/id/"):
        code, _, err = kg_cli("build", str(FIXTURE_PAGES), "--store", str(tmp_path / "s"))
    assert code == 2
    assert err == f"kg: another kg process is writing to {tmp_path / 's'}; try again when it has finished\n"


def test_validate_the_store_and_its_report_in_turtle(kg_cli, fixture_store):
    assert kg_cli("validate", "--store", str(fixture_store)) == (
        0,
        "conforms: 0 violations, 0 warnings\n",
        "",
    )
    code, turtle, _ = kg_cli("validate", "--store", str(fixture_store), "--format", "turtle")
    assert code == 0
    from rdflib import Graph, Literal, Namespace

    report = Graph().parse(data=turtle, format="turtle")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, Literal(True)) in report


def test_validate_reports_warnings_but_conforms(kg_cli, tmp_path):
    store = tmp_path / "s"
    kg_cli("build", str(BAD_PAGES), "--store", str(store), "--as-of", "2026-11-24")
    code, out, _ = kg_cli("validate", "--store", str(store))
    assert code == 0
    assert (
        'Warning: https://kg.example.org/id/page/count_differs ("count_differs.txt"): The page says it lists 3 papers'
        in out
    )
    assert out.endswith("conforms: 0 violations, 5 warnings\n")


def test_export_to_stdout_and_to_a_file_agree(kg_cli, fixture_store, tmp_path):
    out = tmp_path / "g.nt"
    assert kg_cli("export", "--store", str(fixture_store), "--format", "ntriples", "-o", str(out))[0] == 0
    code, piped, _ = kg_cli("export", "--store", str(fixture_store), "--format", "ntriples")
    assert code == 0
    assert sorted(piped.splitlines()) == sorted(out.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("command", ["stats", "query coauthors-of Gupta"])
def test_heavy_libraries_stay_out_of_the_query_path(fixture_store, command):
    code = (
        f"import sys; from kg.cli import main; sys.argv=['kg',*{command.split()!r},'--store',sys.argv[1]];\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('pyshacl','owlrl','rdflib') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(fixture_store)], capture_output=True, text=True)
    assert result.stdout.splitlines()[-1] == "[]"


# --- one count of triples, the one every export and COUNT(*) see -------------------------------------


def test_stats_counts_the_triples_every_export_and_count_see(kg_cli, fixture_store, tmp_path):
    code, out, _ = kg_cli("stats", "--store", str(fixture_store), "--format", "json")
    stats = json.loads(out)
    assert code == 0
    parts = stats["triples_asserted"] + stats["triples_inferred"] + stats["triples_ontology"]
    assert stats["triples"] == parts and stats["triples_ontology"] > 0
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    code, out, _ = kg_cli("sparql", query, "--store", str(fixture_store), "--format", "csv")
    assert out.splitlines()[1] == str(stats["triples"])
    exported = tmp_path / "all.nt"
    assert kg_cli("export", "--inferred", "-o", str(exported), "--store", str(fixture_store))[0] == 0
    assert sum(1 for line in exported.open(encoding="utf-8") if line.strip()) == stats["triples"]


# --- export writes the format its file is named for; validate reads any name -----------------------------


@pytest.mark.parametrize("suffix, syntax", [(".nt", "nt"), (".ttl", "turtle"), (".trig", "trig")])
def test_export_writes_the_format_the_file_is_named_for(kg_cli, fixture_store, tmp_path, suffix, syntax):
    import rdflib

    path = tmp_path / f"graph{suffix}"
    assert kg_cli("export", "-o", str(path), "--store", str(fixture_store))[0] == 0
    parsed = rdflib.Dataset() if syntax == "trig" else rdflib.Graph()
    parsed.parse(path, format=syntax)  # rdflib reads it in the format its name says
    statements = parsed.quads((None, None, None, None)) if syntax == "trig" else iter(parsed)
    assert sum(1 for _ in statements) > 1000
    code, out, _ = kg_cli("validate", str(path))
    assert (code, out) == (0, "conforms: 0 violations, 0 warnings\n")


def test_export_refuses_a_format_its_file_is_not_named_for(kg_cli, fixture_store, tmp_path):
    path = tmp_path / "x.nt"
    code, _, err = kg_cli("export", "-o", str(path), "--format", "turtle", "--store", str(fixture_store))
    assert code == 2 and not path.exists()
    assert (
        err
        == f"kg: {path} is named as ntriples but --format turtle was asked: name the file for its format (e.g. x.ttl) or drop --format\n"
    )


def test_export_offers_no_endpoint(kg_cli):
    code, out, _ = kg_cli("export", "--help")
    assert code == 0 and "--endpoint" not in out


def test_validate_takes_the_format_of_a_file_whose_name_does_not_say_it(kg_cli, fixture_store, tmp_path):
    nt = tmp_path / "g.nt"
    assert kg_cli("export", "-o", str(nt), "--store", str(fixture_store))[0] == 0
    spelled_out, unnamed = tmp_path / "g.ntriples", tmp_path / "g.data"
    spelled_out.write_bytes(nt.read_bytes())
    unnamed.write_bytes(nt.read_bytes())
    assert kg_cli("validate", str(spelled_out))[0] == 0
    code, _, err = kg_cli("validate", str(unnamed))
    assert code == 2 and "give --input-format" in err
    assert kg_cli("validate", str(unnamed), "--input-format", "ntriples")[0] == 0
