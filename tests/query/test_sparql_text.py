"""A user's SPARQL: kg's prefixes declared for them, and a syntax error said in one line."""

from __future__ import annotations

import pytest
from conftest import run_main

import kg
from kg.query.sparql_text import prefixes, syntax_message, with_prefixes


def test_the_readme_prefixes_work_without_declaring_them(fixture_store):
    query = "SELECT (COUNT(?x) AS ?n) WHERE { ?x a kg:Paper ; schema:datePublished ?d ; skos:prefLabel ?l }"
    code, out, err = run_main("sparql", query, "--store", str(fixture_store), "--format", "csv")
    assert (code, err, out.splitlines()) == (0, "", ["n", "59"])
    code, out, err = run_main(
        "sparql", "SELECT (COUNT(?x) AS ?n) WHERE { ?x a kg:Paper }", "--store", str(fixture_store)
    )
    assert (code, err) == (0, "") and out.split()[-1] == "59"


def test_the_api_declares_them_too_and_ask_is_a_bool(fixture_store):
    with kg.open(fixture_store) as graph:
        assert graph.sparql("ASK { ?x a kg:Paper }") is True
        assert graph.sparql("ASK { ?x a kg:NoSuchClass }") is False
        assert len(graph.sparql("SELECT ?x WHERE { ?x a kg:Person }")) == 114


def test_a_query_declaring_a_prefix_itself_keeps_its_own():
    text = with_prefixes(
        "PREFIX kg: <http://other/> SELECT * WHERE { ?s a kg:X ; ?p person:ada }", "https://b/"
    )
    assert "PREFIX kg: <http://other/>" in text and text.count("PREFIX kg:") == 1
    assert "PREFIX person: <https://b/person/>" in text and "PREFIX foaf:" not in text
    plain = "SELECT ?s WHERE { ?s a <https://kg.example.org/ns#Paper> ; ?p 'x:y' }"
    assert with_prefixes(plain, "https://b/") == plain  # sent as written: no prefix of kg's is used
    assert "PREFIX" not in with_prefixes("SELECT ?x WHERE { ?x ?p ?o }", "https://b/")
    assert set(prefixes("https://b/")) >= {"kg", "schema", "foaf", "rdf", "rdfs", "xsd", "person", "paper"}


@pytest.mark.parametrize(
    "query, message",
    [
        (
            "SELECT ?x WHERE { ?x a foo:Bar }",
            "kg: SPARQL syntax error at line 1, column 31: the prefix foo: is not declared "
            "(kg declares kg:, schema:, foaf:, dcterms:, vivo:, skos:, prov:, rdf:, rdfs:, owl:, xsd:, "
            "person:, paper:, org:, category:, page:)\n",
        ),
        (
            "SELEC ?x WHERE { ?x a ?y }",
            "kg: SPARQL syntax error: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE after its "
            "PREFIX lines, not 'selec' (did you mean SELECT?)\n",
        ),
        (
            "SELECT ?x\nWHERE { ?x a ?y . FILTER(?x = ) }",
            "kg: SPARQL syntax error at line 2, column 34 at the end of the line: "
            "expected one of ABS, AVG, DAY, IRI, …\n",
        ),
    ],
)
def test_a_syntax_error_is_one_line_that_says_what_is_wrong(fixture_store, query, message):
    code, out, err = run_main("sparql", query, "--store", str(fixture_store))
    assert (code, out, err) == (2, "", message)


def test_line_numbers_are_the_users_own():
    query = with_prefixes("SELECT ?x\nWHERE { ?x a kg:Paper", "https://b/")
    assert query.startswith("PREFIX kg: <https://kg.example.org/ns#>")
    message = syntax_message('error at 3:15: expected one of ".", "}"', query)
    assert message.startswith("SPARQL syntax error at line 2, column 15")
