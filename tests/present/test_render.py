"""kg.render: terminal tables, the W3C SPARQL results formats, plain records and RDF graphs."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.present.render import (
    GRAPH_FORMATS,
    format_boolean,
    format_graph,
    format_records,
    format_result,
    format_solutions,
)
from kg.query.answers import Solutions, Triples
from kg.query.canned import LocalEngine

XSD = "http://www.w3.org/2001/XMLSchema#"

# Every kind of term the formats treat differently: IRIs, plain/typed/language literals, numbers,
# booleans, dates, unbound values, and text with quotes, commas, tabs and newlines.
MIXED = r"""SELECT ?iri ?text ?number WHERE {
  VALUES (?iri ?text ?number) {
    (<http://example.org/a> "plain" 1)
    (<http://example.org/b?x=1#f> "with \"quotes\", a comma,\ta tab\nand a newline" 1.5)
    (UNDEF "bonjour"@fr -2)
    (<http://example.org/c> true "2020-01-31"^^<http://www.w3.org/2001/XMLSchema#date>)
    (<http://example.org/d> "1e3"^^<http://www.w3.org/2001/XMLSchema#double> UNDEF)
    (<http://example.org/e> "" "007"^^<http://www.w3.org/2001/XMLSchema#integer>)
  }
}"""

NATIVE = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return ox.Store()


def solutions(store: ox.Store, query: str) -> Solutions:
    result = LocalEngine(store).run(query)
    assert isinstance(result, Solutions)
    return result


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_are_the_w3c_formats_byte_for_byte(store, fmt):
    ours = format_solutions(solutions(store, MIXED), fmt)
    theirs = store.query(MIXED).serialize(format=NATIVE[fmt]).decode("utf-8")
    assert ours == theirs


def test_json_is_the_w3c_format(store):
    ours = json.loads(format_solutions(solutions(store, MIXED), "json"))
    theirs = json.loads(store.query(MIXED).serialize(format=NATIVE["json"]))
    assert ours == theirs


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_json_and_xml_read_back_as_the_same_solutions(store, fmt):
    ours = format_solutions(solutions(store, MIXED), fmt).encode("utf-8")
    native = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}[fmt]
    parsed = ox.parse_query_results(ours, format=native)
    names = [v.value for v in parsed.variables]
    assert names == ["iri", "text", "number"]
    assert [tuple(s[n] for n in names) for s in parsed] == solutions(store, MIXED).rows


def test_json_terms_carry_type_datatype_and_language(store):
    bindings = json.loads(format_solutions(solutions(store, MIXED), "json"))["results"]["bindings"]
    assert bindings[0] == {
        "iri": {"type": "uri", "value": "http://example.org/a"},
        "text": {"type": "literal", "value": "plain"},
        "number": {"type": "literal", "value": "1", "datatype": XSD + "integer"},
    }
    assert bindings[2]["text"] == {"type": "literal", "value": "bonjour", "xml:lang": "fr"}
    assert "iri" not in bindings[2]  # unbound: left out


def test_blank_nodes_in_every_format(store):
    found = solutions(store, "SELECT ?b WHERE { BIND (BNODE() AS ?b) }")
    label = found.rows[0][0].value
    assert format_solutions(found, "csv") == f"b\r\n_:{label}\r\n"
    assert format_solutions(found, "tsv") == f"?b\n_:{label}\n"
    assert json.loads(format_solutions(found, "json"))["results"]["bindings"] == [
        {"b": {"type": "bnode", "value": label}}
    ]
    assert format_solutions(found, "table").splitlines()[2] == f"_:{label}"


def test_table_shows_values_plainly_and_aligns_columns(store):
    table = format_solutions(solutions(store, MIXED), "table")
    assert table == (
        "iri                         text                                         number\n"
        "--------------------------  -------------------------------------------  ----------\n"
        "http://example.org/a        plain                                        1\n"
        'http://example.org/b?x=1#f  with "quotes", a comma, a tab and a newline  1.5\n'
        "                            bonjour                                      -2\n"
        "http://example.org/c        true                                         2020-01-31\n"
        "http://example.org/d        1000\n"  # pyoxigraph keeps numbers in canonical form
        "http://example.org/e                                                     7\n"
    )


def test_table_right_aligns_number_columns(store):
    table = format_solutions(
        solutions(store, 'SELECT ?name ?n WHERE { VALUES (?name ?n) { ("a" 5) ("bb" 120) } }'), "table"
    )
    assert table == "name    n\n----  ---\na       5\nbb    120\n"


def test_table_of_nothing_is_just_the_header(store):
    assert (
        format_solutions(solutions(store, "SELECT ?x ?y WHERE { FILTER(false) }"), "table") == "x  y\n-  -\n"
    )


def test_table_counts_wide_letters_as_two_columns():
    rows = [(ox.Literal("数据"), ox.Literal("x")), (ox.Literal("abcd"), ox.Literal("y"))]
    assert format_solutions(Solutions(["name", "v"], rows), "table") == "name  v\n----  -\n数据  x\nabcd  y\n"


@pytest.mark.parametrize(
    "value, fmt, expected",
    [
        (True, "json", '{"head": {}, "boolean": true}\n'),
        (False, "json", '{"head": {}, "boolean": false}\n'),
        (True, "table", "true\n"),
        (False, "csv", "false\n"),
        (True, "tsv", "true\n"),
    ],
)
def test_ask_results(value, fmt, expected):
    assert format_boolean(value, fmt) == expected
    assert format_result(value, fmt) == expected


RECORDS = [
    {"what": "pages", "count": 5},
    {"what": "people", "count": 114, "note": None},
    {"what": "ok", "count": True},
]


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("table", "what    count  note\n------  -----  ----\npages   5\npeople  114\nok      true\n"),
        ("csv", "what,count,note\r\npages,5,\r\npeople,114,\r\nok,true,\r\n"),
        ("tsv", "what\tcount\tnote\npages\t5\t\npeople\t114\t\nok\ttrue\t\n"),
    ],
)
def test_plain_records(fmt, expected):
    assert format_records(RECORDS, fmt) == expected


def test_plain_records_right_align_numbers():
    assert (
        format_records([{"k": "a", "n": 5}, {"k": "b", "n": 120}], "table")
        == "k    n\n-  ---\na    5\nb  120\n"
    )


def test_plain_records_as_json():
    assert json.loads(format_records(RECORDS, "json")) == RECORDS
    assert json.loads(format_result(RECORDS, "json")) == RECORDS


def test_plain_records_with_chosen_columns():
    assert format_records(RECORDS[:1], "csv", columns=["count"]) == "count\r\n5\r\n"


KG = "https://kg.example.org/ns#"
TRIPLES = [
    ox.Triple(
        ox.NamedNode("https://kg.example.org/id/person/ada"),
        ox.NamedNode(KG + "name"),
        ox.Literal("Ada Lovelace"),
    ),
    ox.Triple(
        ox.NamedNode("https://kg.example.org/id/person/ada"), ox.NamedNode(KG + "hIndex"), ox.Literal(12)
    ),
]
_PARSE_AS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_graph_formats_round_trip(fmt):
    text = format_graph(TRIPLES, fmt)
    assert text.endswith("\n")
    parsed = {q.triple for q in ox.parse(text.encode("utf-8"), format=_PARSE_AS[fmt])}
    assert parsed == set(TRIPLES)
    assert format_result(Triples(TRIPLES), fmt) == text


def test_turtle_declares_the_prefixes_it_uses_and_no_others():
    text = format_graph(TRIPLES, "turtle")
    assert "@prefix kg: <https://kg.example.org/ns#> ." in text
    assert "foaf" not in text and "schema" not in text and "prov" not in text
    assert "kg:name" in text


@pytest.mark.parametrize(
    "call", [lambda: format_solutions(Solutions([], []), "yaml"), lambda: format_graph([], "csv")]
)
def test_unknown_formats_are_refused(call):
    with pytest.raises(ValueError, match="unknown format"):
        call()
