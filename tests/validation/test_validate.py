"""`kg validate` runs the shapes compiled to SPARQL; pySHACL is the reference it must equal.

Equal means the same set of results, each compared on everything the W3C report gives: severity,
focus node, path, value, constraint component, source shape and message. Checked on the stores built
from the sample pages (clean and bad ones) and on the example graph broken against every constraint
component the shapes use.
"""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
import pytest
from conftest import BAD_PAGES, run_main
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from test_shapes import CASES, KG, SH, N, add, both, data_graph, drop, put

from kg.store.generations import KgStore
from kg.validation import report as kg_validate

SKOS_IN_SCHEME = URIRef("http://www.w3.org/2004/02/skos/core#inScheme")

# Broken in ways the shared cases of tests/test_shapes.py do not cover.
MORE_CASES = {
    "page-two-files": add(N.page, KG.sourceFile, Literal("other.txt")),  # sh:maxCount
    "category-out-of-scheme": drop(N.category, SKOS_IN_SCHEME),  # sh:hasValue
    "rank-ill-formed-integer": put(N.shown_authorship, KG.rank, Literal("first", datatype=XSD.integer)),
    "date-ill-formed": put(N.paper, KG.datePublished, Literal("2025-02-30", datatype=XSD.date)),
    "rank-a-string": put(N.shown_authorship, KG.rank, Literal("1")),  # datatype and range at once
    "author-blank-node": both(
        add(N.paper, KG.hasAuthor, BNode("someone")), add(BNode("someone"), RDF.type, KG.Person)
    ),
    "two-bad-values-one-node": both(
        add(N.paper, KG.hasCode, Literal("yes")), add(N.paper, KG.hasCode, Literal("no"))
    ),
    "everything-at-once": both(*(case.mutate for case in CASES)),
}
ALL_CASES = {case.id: case.mutate for case in CASES} | MORE_CASES


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return kg_validate.shapes_graph()


def shape_key(shape, shapes: Graph):
    """A shape named by its IRI, or (an inline property shape) by what it says."""
    if isinstance(shape, URIRef):
        return str(shape)
    return frozenset((str(p), o.n3()) for p, o in shapes.predicate_objects(shape) if not isinstance(o, BNode))


def same_blank(term):
    """Blank nodes are renamed when a graph is written and read back: compare them as "a blank node"."""
    return "_:blank" if isinstance(term, BNode) else term


def pyshacl_results(data: Graph, shapes: Graph) -> tuple[bool, set]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    results = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        results.add(
            (
                str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                same_blank(report.value(r, SH.focusNode)),
                str(path) if path is not None else "",
                same_blank(report.value(r, SH.value)),
                str(report.value(r, SH.sourceConstraintComponent)),
                shape_key(report.value(r, SH.sourceShape), shapes),
                " ".join(str(m) for m in report.objects(r, SH.resultMessage)),
            )
        )
    return conforms, results


def kg_results(outcome: kg_validate.ValidationOutcome) -> set:
    expand = {prefix + ":": namespace for prefix, namespace in kg_validate.PREFIXES.items()}
    results = set()
    for f in outcome.findings:
        prefix, _, local = f.path.partition(":")
        results.add(
            (
                f.severity,
                same_blank(kg_validate._term(f.focus)),
                expand.get(prefix + ":", prefix + ":") + local if f.path else "",
                same_blank(kg_validate._term(f.value)) if f.value else None,
                f.component,
                f.shape if f.shape.startswith("http") else frozenset(f.shape_description),
                f.message,
            )
        )
    return results


def validate_as_file(graph: Graph, tmp_path) -> kg_validate.ValidationOutcome:
    path = tmp_path / "graph.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    return kg_validate.validate_file(path)


@pytest.mark.parametrize("case", sorted(ALL_CASES))
def test_a_broken_graph_gives_the_report_pyshacl_gives(case, shapes, tmp_path):
    graph = data_graph()
    ALL_CASES[case](graph)
    _conforms, expected = pyshacl_results(graph, shapes)
    outcome = validate_as_file(graph, tmp_path)
    assert expected, "the broken graph has results"
    assert kg_results(outcome) == expected
    assert outcome.conforms == (not any(r[0] == "Violation" for r in expected))


def test_the_example_graph_has_no_results_in_either(shapes, tmp_path):
    graph = data_graph()
    assert pyshacl_results(graph, shapes) == (True, set())
    assert validate_as_file(graph, tmp_path).findings == []


def asserted_graph(store: KgStore) -> Graph:
    """What the store's pages assert (every graph but the inferred one), as one rdflib graph."""
    inferred = store.iris.inferred_graph
    triples = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.store.quads_for_pattern(None, None, None, None)
        if q.graph_name.value != inferred
    ]
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


@pytest.fixture(scope="module")
def bad_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("bad-store") / "kg-store"
    code, _, err = run_main("build", str(BAD_PAGES), "--store", str(path), "--as-of", "2026-11-24", "-q")
    assert code in (0, 1), err
    return path


@pytest.mark.parametrize("which", ["fixture_store", "bad_store"])
def test_the_stores_built_from_the_sample_pages_give_the_report_pyshacl_gives(which, request, shapes):
    store = KgStore.open_read(request.getfixturevalue(which))
    _, expected = pyshacl_results(asserted_graph(store), shapes)
    assert kg_results(kg_validate.validate_store(store)) == expected
    if which == "bad_store":
        assert {r[0] for r in expected} == {"Warning"} and len(expected) == 5


def report_of(outcome) -> tuple[Graph, list]:
    report = Graph().parse(data=kg_validate.report_turtle(outcome), format="turtle")
    return report, list(report.subjects(RDF.type, SH.ValidationResult))


def test_the_w3c_report_has_one_result_per_failing_value_with_all_its_parts(tmp_path):
    graph = data_graph()
    MORE_CASES["two-bad-values-one-node"](graph)
    MORE_CASES["page-two-files"](graph)
    report, results = report_of(validate_as_file(graph, tmp_path))
    (verdict,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(verdict, SH.conforms) == Literal(False)
    has_code = [r for r in results if report.value(r, SH.resultPath) == KG.hasCode]
    assert {report.value(r, SH.value) for r in has_code} == {Literal("yes"), Literal("no")}
    for r in results:
        assert report.value(r, SH.focusNode) in (N.paper, N.page)
        assert report.value(r, SH.resultSeverity) == SH.Violation
        assert str(report.value(r, SH.sourceConstraintComponent)).endswith("ConstraintComponent")
        assert report.value(r, SH.resultMessage)
        shape = report.value(r, SH.sourceShape)
        assert shape is not None and report.value(shape, SH.path) == report.value(r, SH.resultPath)
    (too_many,) = [r for r in results if report.value(r, SH.resultPath) == KG.sourceFile]
    assert report.value(too_many, SH.sourceConstraintComponent) == SH.MaxCountConstraintComponent
    assert report.value(too_many, SH.value) is None  # a count names no value


def test_warnings_alone_make_the_w3c_report_not_conform_but_kg_exits_0(kg_cli, bad_store):
    code, out, _ = kg_cli("validate", "--store", str(bad_store), "--format", "turtle")
    assert code == 0
    report = Graph().parse(data=out, format="turtle")
    assert (None, SH.conforms, Literal(False)) in report
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == 5
    for r in results:
        assert report.value(r, SH.resultSeverity) == SH.Warning
        assert report.value(r, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent
        assert str(report.value(r, SH.sourceShape)).startswith("https://kg.example.org/shapes#")


def test_the_text_report_names_each_failing_value(tmp_path):
    graph = data_graph()
    MORE_CASES["two-bad-values-one-node"](graph)
    lines = kg_validate.report_lines(validate_as_file(graph, tmp_path))
    assert [line for line in lines if "[kg:hasCode]" in line] == [
        f'Violation: {N.paper} ("Nemotron 3 Nano") [kg:hasCode] "no": kg:hasCode must be true or false (xsd:boolean).',
        f'Violation: {N.paper} ("Nemotron 3 Nano") [kg:hasCode] "yes": kg:hasCode must be true or false (xsd:boolean).',
    ]
    assert lines[-1] == "does not conform: 2 violations, 0 warnings"


def test_a_shape_kg_cannot_compile_is_refused_by_name_not_skipped():
    from kg.errors import KgError
    from kg.validation.shapes import AssertedScope, compile_shapes

    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix kg: <https://kg.example.org/ns#> .
        kg:S a sh:NodeShape ; sh:targetClass kg:Paper ; sh:property [ sh:path kg:title ; sh:equals kg:abstract ] .""",
        format="turtle",
    )
    with pytest.raises(KgError, match="sh:equals"):
        compile_shapes(shapes, {}, AssertedScope())
