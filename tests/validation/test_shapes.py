"""The SHACL shapes (shapes/kg.ttl), run as kg runs them: on the asserted triples of a page plus the
ontology graph, without inference.

What this establishes about pyshacl (0.40):
- sh:sparql constraints (SHACL-SPARQL, not SHACL-AF) run with advanced=True and with advanced=False
  alike (test_warnings_do_not_need_advanced_mode);
- the {?var} / {$this} placeholders of their sh:message are filled from the SELECT solution
  (test_warnings_do_not_need_advanced_mode and the message checks of the warning cases).
With only warnings, pyshacl still reports conforms=False, so the tests look at each result's severity.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from kg.model import vocab
from kg.system.resources import ontology_dir, shapes_dir

KG = Namespace(vocab.KG)
SH = Namespace(vocab.SH)
XSD = Namespace(vocab.XSD)
BASE = vocab.DEFAULT_BASE

# One listing of one profile page, shaped like the example in ontology/README.md: one paper, two people
# (one shown, and the page's owner implied behind "et al."), one page, one listing, two authorships.
EXAMPLE = (Path(__file__).parents[1] / "fixtures" / "example.ttl").read_text(encoding="utf-8")

OTHER_BASE = "http://example.com/data/"


class Nodes:
    """The example's nodes under one base."""

    def __init__(self, base: str) -> None:
        self.page = URIRef(base + "page/000_d1e1c11066227b5a")
        self.listing = URIRef(base + "listing/000_d1e1c11066227b5a/12")
        self.paper = URIRef(base + "paper/nemotron-3-nano")
        self.shown = URIRef(base + "person/aaron-blakeman")
        self.owner = URIRef(base + "person/suyog-gupta")
        self.shown_authorship = URIRef(base + "authorship/000_d1e1c11066227b5a/12/aaron-blakeman")
        self.owner_authorship = URIRef(base + "authorship/000_d1e1c11066227b5a/12/suyog-gupta")
        self.org = URIRef(base + "org/nvidia")
        self.category = URIRef(base + "category/CL")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_dir() / "kg.ttl", format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_dir() / "kg.ttl", format="turtle")


def data_graph(base: str = BASE) -> Graph:
    """The example page triples + the ontology graph (kg.ttl + categories.ttl under the base)."""
    g = Graph()
    g.parse(ontology_dir() / "kg.ttl", format="turtle")
    g.parse(ontology_dir() / "categories.ttl", format="turtle", publicID=base)
    g.parse(data=EXAMPLE, format="turtle", publicID=base)
    return g


@pytest.fixture(scope="module")
def valid() -> Graph:
    return data_graph()


@dataclass
class Result:
    focus: object
    path: object
    severity: URIRef
    component: URIRef
    message: str


def validate(data: Graph, shapes: Graph, advanced: bool = True) -> tuple[bool, list[Result]]:
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=None, inference="none", advanced=advanced
    )
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        results.append(
            Result(
                focus=report.value(r, SH.focusNode),
                path=report.value(r, SH.resultPath),
                severity=report.value(r, SH.resultSeverity),
                component=report.value(r, SH.sourceConstraintComponent),
                message=" ".join(str(m) for m in report.objects(r, SH.resultMessage)),
            )
        )
    return conforms, results


def copy(g: Graph) -> Graph:
    out = Graph()
    out += g
    return out


# --- the shapes file ---------------------------------------------------------------------------------


def test_every_class_has_a_shape(shapes: Graph) -> None:
    targets = set(shapes.objects(None, SH.targetClass))
    for cls in ("Person", "Paper", "Organization", "Profile", "Listing", "Authorship", "Category"):
        assert KG[cls] in targets, f"no shape targets kg:{cls}"


def test_shapes_use_only_declared_kg_terms(shapes: Graph, ontology: Graph) -> None:
    text = (shapes_dir() / "kg.ttl").read_text(encoding="utf-8")
    used = set(re.findall(r"\bkg:([A-Za-z]+)", text))
    assert used
    for local in sorted(used):
        assert (KG[local], None, None) in ontology, (
            f"shapes use kg:{local}, which the ontology does not declare"
        )


def test_every_constraint_has_a_message(shapes: Graph) -> None:
    for prop_shape in shapes.objects(None, SH.property):
        assert shapes.value(prop_shape, SH.message) is not None, (
            f"property shape without sh:message: {prop_shape}"
        )
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message) is not None


# --- the valid example ---------------------------------------------------------------------------------


def test_example_conforms(valid: Graph, shapes: Graph) -> None:
    conforms, results = validate(copy(valid), shapes)
    assert results == []
    assert conforms


# --- broken copies -------------------------------------------------------------------------------------

N = Nodes(BASE)


def drop(s: URIRef, p: URIRef) -> Callable[[Graph], None]:
    def mutate(g: Graph) -> None:
        g.remove((s, p, None))

    return mutate


def put(s: URIRef, p: URIRef, o) -> Callable[[Graph], None]:
    """Replace every value of s p by o."""

    def mutate(g: Graph) -> None:
        g.set((s, p, o))

    return mutate


def add(s: URIRef, p: URIRef, o) -> Callable[[Graph], None]:
    def mutate(g: Graph) -> None:
        g.add((s, p, o))

    return mutate


def both(*mutations: Callable[[Graph], None]) -> Callable[[Graph], None]:
    def mutate(g: Graph) -> None:
        for m in mutations:
            m(g)

    return mutate


VIOLATION, WARNING = SH.Violation, SH.Warning


@dataclass
class Case:
    id: str
    mutate: Callable[[Graph], None]
    severity: URIRef
    focus: URIRef
    path: URIRef | None  # None: the result has no path (node-level / SPARQL results)
    component: str  # local name of the sh: constraint component
    says: tuple[str, ...]  # substrings of the message


CASES = [
    # required values
    Case(
        "paper-no-title",
        drop(N.paper, KG.title),
        VIOLATION,
        N.paper,
        KG.title,
        "MinCountConstraintComponent",
        ("title",),
    ),
    Case(
        "paper-no-author",
        drop(N.paper, KG.hasAuthor),
        VIOLATION,
        N.paper,
        KG.hasAuthor,
        "MinCountConstraintComponent",
        ("author",),
    ),
    Case(
        "paper-no-date",
        drop(N.paper, KG.datePublished),
        VIOLATION,
        N.paper,
        KG.datePublished,
        "MinCountConstraintComponent",
        ("date",),
    ),
    Case(
        "person-no-name",
        drop(N.shown, KG.name),
        VIOLATION,
        N.shown,
        KG.name,
        "MinCountConstraintComponent",
        ("name",),
    ),
    Case(
        "authorship-no-person",
        drop(N.shown_authorship, KG.authorshipPerson),
        VIOLATION,
        N.shown_authorship,
        KG.authorshipPerson,
        "MinCountConstraintComponent",
        ("person",),
    ),
    Case(
        "authorship-no-paper",
        drop(N.shown_authorship, KG.authorshipPaper),
        VIOLATION,
        N.shown_authorship,
        KG.authorshipPaper,
        "MinCountConstraintComponent",
        ("paper",),
    ),
    Case(
        "listing-no-page",
        drop(N.listing, KG.onPage),
        VIOLATION,
        N.listing,
        KG.onPage,
        "MinCountConstraintComponent",
        ("page",),
    ),
    Case(
        "listing-no-paper",
        drop(N.listing, KG.listedPaper),
        VIOLATION,
        N.listing,
        KG.listedPaper,
        "MinCountConstraintComponent",
        ("paper",),
    ),
    Case(
        "listing-no-line",
        drop(N.listing, KG.sourceLine),
        VIOLATION,
        N.listing,
        KG.sourceLine,
        "MinCountConstraintComponent",
        ("source line",),
    ),
    Case(
        "page-no-file",
        drop(N.page, KG.sourceFile),
        VIOLATION,
        N.page,
        KG.sourceFile,
        "MinCountConstraintComponent",
        ("source file",),
    ),
    # datatypes
    Case(
        "hindex-forty",
        put(N.page, KG.hIndex, Literal("forty")),
        VIOLATION,
        N.page,
        KG.hIndex,
        "DatatypeConstraintComponent",
        ("kg:hIndex", "whole number", "xsd:integer"),
    ),
    Case(
        "date-as-string",
        put(N.paper, KG.datePublished, Literal("Dec 23, 2025")),
        VIOLATION,
        N.paper,
        KG.datePublished,
        "DatatypeConstraintComponent",
        ("xsd:date",),
    ),
    Case(
        "scraped-on-string",
        put(N.page, KG.scrapedOn, Literal("2026-11-24")),
        VIOLATION,
        N.page,
        KG.scrapedOn,
        "DatatypeConstraintComponent",
        ("xsd:date",),
    ),
    Case(
        "has-code-yes",
        put(N.paper, KG.hasCode, Literal("yes")),
        VIOLATION,
        N.paper,
        KG.hasCode,
        "DatatypeConstraintComponent",
        ("xsd:boolean",),
    ),
    Case(
        "score-text",
        add(N.listing, KG.score, Literal("high")),
        VIOLATION,
        N.listing,
        KG.score,
        "DatatypeConstraintComponent",
        ("xsd:decimal",),
    ),
    # node kinds and classes
    Case(
        "author-is-org",
        both(drop(N.paper, KG.hasAuthor), add(N.paper, KG.hasAuthor, N.org)),
        VIOLATION,
        N.paper,
        KG.hasAuthor,
        "ClassConstraintComponent",
        ("kg:Person",),
    ),
    Case(
        "author-is-literal",
        add(N.paper, KG.hasAuthor, Literal("Aaron Blakeman")),
        VIOLATION,
        N.paper,
        KG.hasAuthor,
        "NodeKindConstraintComponent",
        ("kg:Person",),
    ),
    Case(
        "category-untyped",
        put(N.paper, KG.category, URIRef(BASE + "category/XX")),
        VIOLATION,
        N.paper,
        KG.category,
        "ClassConstraintComponent",
        ("kg:Category",),
    ),
    # ranges
    Case(
        "rank-zero",
        put(N.shown_authorship, KG.rank, Literal(0)),
        VIOLATION,
        N.shown_authorship,
        KG.rank,
        "MinInclusiveConstraintComponent",
        ("at least 1",),
    ),
    Case(
        "negative-citations",
        put(N.page, KG.citationCount, Literal(-1)),
        VIOLATION,
        N.page,
        KG.citationCount,
        "MinInclusiveConstraintComponent",
        ("at least 0",),
    ),
    Case(
        "novelty-101",
        put(N.page, KG.noveltyPercent, Literal(101)),
        VIOLATION,
        N.page,
        KG.noveltyPercent,
        "MaxInclusiveConstraintComponent",
        ("0 to 100",),
    ),
    # one display label per person, paper and organisation
    Case(
        "person-no-label",
        drop(N.shown, SKOS.prefLabel),
        VIOLATION,
        N.shown,
        SKOS.prefLabel,
        "MinCountConstraintComponent",
        ("exactly one display label",),
    ),
    Case(
        "paper-two-labels",
        add(N.paper, SKOS.prefLabel, Literal("NEMOTRON 3 NANO")),
        VIOLATION,
        N.paper,
        SKOS.prefLabel,
        "MaxCountConstraintComponent",
        ("skos:prefLabel",),
    ),
    Case(
        "org-no-label",
        drop(N.org, SKOS.prefLabel),
        VIOLATION,
        N.org,
        SKOS.prefLabel,
        "MinCountConstraintComponent",
        ("display label",),
    ),
    # warnings
    Case(
        "owner-missing-from-complete-list",
        put(N.paper, KG.authorListTruncated, Literal(False)),
        WARNING,
        N.owner_authorship,
        None,
        "SPARQLConstraintComponent",
        ("owner", "Suyog Gupta", "not among the names shown", "complete", "Nemotron 3 Nano"),
    ),
    Case(
        "declared-count-differs",
        put(N.page, KG.declaredListingCount, Literal(12)),
        WARNING,
        N.page,
        None,
        "SPARQLConstraintComponent",
        ("says it lists 12", "but 1 listing(s)"),
    ),
    Case(
        "declared-count-and-no-listings",
        both(put(N.page, KG.declaredListingCount, Literal(2)), drop(N.listing, RDF.type)),
        WARNING,
        N.page,
        None,
        "SPARQLConstraintComponent",
        ("says it lists 2", "but 0 listing(s)"),
    ),
    Case(
        "two-dates",
        add(N.paper, KG.datePublished, Literal("2025-12-24", datatype=XSD.date)),
        WARNING,
        N.paper,
        None,
        "SPARQLConstraintComponent",
        ("disagree", "2025-12-23", "2025-12-24"),
    ),
]


def _matching(results: list[Result], case: Case) -> list[Result]:
    return [
        r
        for r in results
        if r.severity == case.severity
        and r.focus == case.focus
        and (case.path is None or r.path == case.path)
        and r.component == SH[case.component]
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_copy(valid: Graph, shapes: Graph, case: Case) -> None:
    g = copy(valid)
    case.mutate(g)
    conforms, results = validate(g, shapes)
    assert not conforms
    found = _matching(results, case)
    assert found, f"expected a {case.severity} {case.component} on {case.focus}; got {results}"
    for text in case.says:
        assert any(text.lower() in r.message.lower() for r in found), f"no message says {text!r}: {found}"
    if case.severity == WARNING:
        # The data is still valid: the only results are warnings.
        assert {r.severity for r in results} == {WARNING}, results


def test_listing_count_is_per_page(valid: Graph, shapes: Graph) -> None:
    """A second page with its own listing does not change the first page's count."""
    g = copy(valid)
    other_page = URIRef(BASE + "page/other")
    other_listing = URIRef(BASE + "listing/other/3")
    g.add((other_page, RDF.type, KG.Profile))
    g.add((other_page, KG.sourceFile, Literal("other.txt")))
    g.add((other_page, KG.declaredListingCount, Literal(1)))
    g.add((other_listing, RDF.type, KG.Listing))
    g.add((other_listing, KG.onPage, other_page))
    g.add((other_listing, KG.listedPaper, N.paper))
    g.add((other_listing, KG.sourceLine, Literal(3)))
    conforms, results = validate(g, shapes)
    assert results == [] and conforms


def test_warnings_do_not_need_advanced_mode(valid: Graph, shapes: Graph) -> None:
    g = copy(valid)
    put(N.paper, KG.authorListTruncated, Literal(False))(g)
    put(N.page, KG.declaredListingCount, Literal(12))(g)
    add(N.paper, KG.datePublished, Literal("2025-12-24", datatype=XSD.date))(g)
    for advanced in (False, True):
        _, results = validate(copy(g), shapes, advanced=advanced)
        assert [r.severity for r in results] == [WARNING] * 3, (advanced, results)
        assert {r.focus for r in results} == {N.owner_authorship, N.page, N.paper}
        for r in results:  # pyshacl filled the {?var} placeholders from the SELECT solution
            assert r.message and "{?" not in r.message and "{$" not in r.message, r.message


def test_shapes_do_not_depend_on_the_base(shapes: Graph) -> None:
    """The example under another data base conforms, and a warning still finds its node."""
    other = Nodes(OTHER_BASE)
    g = data_graph(OTHER_BASE)
    conforms, results = validate(copy(g), shapes)
    assert results == [] and conforms
    put(other.page, KG.declaredListingCount, Literal(5))(g)
    _, results = validate(g, shapes)
    assert [(r.severity, r.focus) for r in results] == [(WARNING, other.page)]
