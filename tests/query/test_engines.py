"""Every canned query on every engine kg talks to gives the same SPARQL JSON results: the same rows in
the same order with the same types. The engines: the local store, `kg serve`, an Oxigraph server kg
pushed to, and Virtuoso (pushed to, read through `--graph kg` and through its own default graph).
Each runs `kg query NAME ARGS --format json`, through --endpoint for the remote ones, as a user would.

Where a query's text makes an engine answer differently today, the case is marked xfail(strict) with
the construct and what the engine returns: the marker fails loudly once the query is fixed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_main as kg
from test_remote import canned_arguments

from kg.query.canned import Catalogue

# Virtuoso twice: reading kg's graphs by name (--graph kg), and its own default graph, which holds its
# system graphs too (the canned queries read only kg's properties, so the answers must not change).
REMOTE_ENGINES = ("kg serve", "oxigraph server", "virtuoso", "virtuoso default graph")

# What the query texts avoid, because Virtuoso 7.2.5 does it otherwise: it orders (and compares with <)
# MIN()/MAX() of literals by an internal order, not alphabetically (over STR() values it is alphabetical);
# it answers a comparison or IF(..., true, false) as xsd:integer 1/0 (xsd:boolean(...) of it is a
# boolean); GROUP_CONCAT over a value an inner aggregate made fails with SR066.


@pytest.fixture
def engine_args(request) -> list[str]:
    """The options that point kg query at the engine named by the test's parameter."""
    engine = request.node.callspec.params["engine"]
    if engine == "kg serve":
        return ["--endpoint", request.getfixturevalue("served_store")]
    if engine == "oxigraph server":
        assert request.getfixturevalue("pushed")[0] == 0
        return ["--endpoint", f"{request.getfixturevalue('oxigraph_server')}/query"]
    virtuoso = request.getfixturevalue("virtuoso")
    request.getfixturevalue("virtuoso_pushed")
    return ["--endpoint", virtuoso.sparql_url] + (["--graph", "kg"] if engine == "virtuoso" else [])


def cases() -> list:
    return [
        pytest.param(name, engine, id=f"{name}-{engine.replace(' ', '-')}")
        for name in Catalogue().names()
        for engine in REMOTE_ENGINES
    ]


@pytest.fixture(scope="module")
def local_answers(fixture_store) -> dict[str, dict]:
    answers = {}
    for name in Catalogue().names():
        code, out, err = kg(
            "query",
            name,
            *canned_arguments(Catalogue().get(name)),
            "--store",
            str(fixture_store),
            "--format",
            "json",
        )
        assert (code, err) == (0, ""), f"{name}: {err}"
        answers[name] = json.loads(out)
        assert answers[name]["results"]["bindings"], (
            f"{name} finds nothing locally: pick arguments that exercise it"
        )
    return answers


@pytest.mark.parametrize("name, engine", cases())
def test_every_canned_query_answers_the_same_on_every_engine(name, engine, engine_args, local_answers):
    code, out, err = kg(
        "query", name, *canned_arguments(Catalogue().get(name)), *engine_args, "--format", "json"
    )
    assert (code, err) == (0, ""), err
    there = json.loads(out)
    local = local_answers[name]
    assert there["head"] == local["head"]
    assert rows(there) == rows(local)


def rows(answer: dict) -> list[tuple[str, ...]]:
    """Each row as its terms, `value^^datatype` or `value@lang` or `<iri>`, in the order of the head."""
    return [
        tuple(term_text(binding.get(var)) for var in answer["head"]["vars"])
        for binding in answer["results"]["bindings"]
    ]


def term_text(term: dict | None) -> str:
    if term is None:
        return "(unbound)"
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return "_:"
    suffix = (
        f"@{term['xml:lang']}"
        if "xml:lang" in term
        else f"^^{term['datatype'].rsplit('#', 1)[-1]}"
        if "datatype" in term
        else ""
    )
    return term["value"] + suffix


def test_pandas_reads_the_served_endpoint_as_the_readme_shows(served_store):
    """`pandas.read_csv` on /query needs `Accept: text/csv`: the tour shows it."""
    import urllib.parse

    pd = pytest.importorskip("pandas")
    query = "SELECT ?paper WHERE { ?paper a <https://kg.example.org/ns#Paper> }"
    url = f"{served_store}?query={urllib.parse.quote(query)}"
    frame = pd.read_csv(url, storage_options={"Accept": "text/csv"})
    assert frame.shape == (59, 1) and list(frame.columns) == ["paper"]
    readme = (Path(__file__).parents[2] / "docs" / "tour.md").read_text(encoding="utf-8")
    assert 'storage_options={"Accept": "text/csv"}' in readme
