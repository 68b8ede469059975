"""The ontology (ontology/kg.ttl), the category scheme (ontology/categories.ttl) and their contract
with ontology/README.md: every term declared and labelled, the alignment axioms as the model's tables give
them, and what OWL RL inference (owlrl) must yield over data shaped like the model's example."""

from __future__ import annotations

import re
from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.model import vocab
from kg.system.resources import ontology_dir

KG = Namespace(vocab.KG)
SCHEMA = Namespace(vocab.SCHEMA)
FOAF = Namespace(vocab.FOAF)
VIVO = Namespace(vocab.VIVO)
PROV = Namespace(vocab.PROV)
XSD = Namespace(vocab.XSD)
BASE = vocab.DEFAULT_BASE
ONTOLOGY_IRI = URIRef("https://kg.example.org/ns")

MODEL_MD = Path(__file__).resolve().parents[2] / "ontology" / "README.md"

PREFIXES = {
    "kg": vocab.KG,
    "schema": vocab.SCHEMA,
    "foaf": vocab.FOAF,
    "dcterms": vocab.DCTERMS,
    "vivo": vocab.VIVO,
    "skos": vocab.SKOS,
    "prov": vocab.PROV,
    "xsd": vocab.XSD,
}

# One listing of one profile page, shaped like the example in ontology/README.md: one paper, two people
# (one shown on the list, one the page's owner implied behind "et al."), one page, one listing, two
# authorships, and the organisation and category they point to.
EXAMPLE = (Path(__file__).parents[1] / "fixtures" / "example.ttl").read_text(encoding="utf-8")

CATEGORY_NAMES = {
    "AI": ("cs", "Artificial Intelligence"),
    "AR": ("cs", "Hardware Architecture"),
    "CC": ("cs", "Computational Complexity"),
    "CE": ("cs", "Computational Engineering, Finance, and Science"),
    "CG": ("cs", "Computational Geometry"),
    "CL": ("cs", "Computation and Language"),
    "CR": ("cs", "Cryptography and Security"),
    "CV": ("cs", "Computer Vision and Pattern Recognition"),
    "CY": ("cs", "Computers and Society"),
    "DB": ("cs", "Databases"),
    "DC": ("cs", "Distributed, Parallel, and Cluster Computing"),
    "DL": ("cs", "Digital Libraries"),
    "DM": ("cs", "Discrete Mathematics"),
    "DS": ("cs", "Data Structures and Algorithms"),
    "ET": ("cs", "Emerging Technologies"),
    "FL": ("cs", "Formal Languages and Automata Theory"),
    "GL": ("cs", "General Literature"),
    "GR": ("cs", "Graphics"),
    "GT": ("cs", "Computer Science and Game Theory"),
    "HC": ("cs", "Human-Computer Interaction"),
    "IR": ("cs", "Information Retrieval"),
    "IT": ("cs", "Information Theory"),
    "LG": ("cs", "Machine Learning"),
    "LO": ("cs", "Logic in Computer Science"),
    "MA": ("cs", "Multiagent Systems"),
    "MM": ("cs", "Multimedia"),
    "MS": ("cs", "Mathematical Software"),
    "NA": ("cs", "Numerical Analysis"),
    "NE": ("cs", "Neural and Evolutionary Computing"),
    "NI": ("cs", "Networking and Internet Architecture"),
    "OH": ("cs", "Other Computer Science"),
    "OS": ("cs", "Operating Systems"),
    "PF": ("cs", "Performance"),
    "PL": ("cs", "Programming Languages"),
    "RO": ("cs", "Robotics"),
    "SC": ("cs", "Symbolic Computation"),
    "SD": ("cs", "Sound"),
    "SE": ("cs", "Software Engineering"),
    "SI": ("cs", "Social and Information Networks"),
    "SY": ("cs", "Systems and Control"),
    "ML": ("stat", "Machine Learning (Statistics)"),
    "SP": ("eess", "Signal Processing"),
    "IV": ("eess", "Image and Video Processing"),
    "AS": ("eess", "Audio and Speech Processing"),
}


# --- loading -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_dir() / "kg.ttl", format="turtle")


@pytest.fixture(scope="module")
def categories() -> Graph:
    return Graph().parse(ontology_dir() / "categories.ttl", format="turtle", publicID=BASE)


def curie(term: str) -> URIRef:
    prefix, local = term.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


# --- the model's tables ----------------------------------------------------------------------------


def _table_rows(heading: str) -> list[list[str]]:
    """The body rows of the first table under `## heading` in ontology/README.md, as lists of cells."""
    text = MODEL_MD.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    body = rows[2:]  # header and |---| separator
    return [[cell.strip() for cell in row.strip().strip("|").split("|")] for row in body]


def _curies(cell: str) -> list[str]:
    return re.findall(r"\b(?:kg|schema|foaf|dcterms|vivo|skos|prov|xsd):[A-Za-z]+", cell)


def class_table() -> list[tuple[str, list[str]]]:
    """(kg class, [aligned superclasses]) per row of the Classes table."""
    return [(_curies(cls)[0], _curies(aligned)) for cls, aligned in _table_rows("Classes")]


def property_table() -> list[tuple[str, str, str, list[str], str]]:
    """(property, domain, range, [aligned superproperties], notes); rows naming several properties
    are split into one entry per property."""
    entries = []
    for prop_cell, domain_range, aligned, notes in _table_rows("Properties"):
        domain, range_ = (part.strip() for part in domain_range.split("→"))
        for prop in _curies(prop_cell):
            entries.append((prop, domain, range_, _curies(aligned), notes))
    return entries


def _as_term(name: str) -> URIRef:
    """A domain or range cell ("Paper", "xsd:date") as an IRI."""
    return curie(name) if ":" in name else KG[name]


def test_model_tables_are_read() -> None:
    assert len(class_table()) == 9
    props = {p for p, *_ in property_table()}
    assert {"kg:hasAuthor", "kg:declaredListingCount", "kg:yearAssumed", "skos:notation"} <= props


# --- the ontology ------------------------------------------------------------------------------------


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, RDFS.label) is not None
    assert ontology.value(ONTOLOGY_IRI, RDFS.comment) is not None
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert isinstance(ontology.value(ONTOLOGY_IRI, DCTERMS.license), URIRef)


def test_every_kg_term_of_the_model_is_declared_with_label_and_comment(ontology: Graph) -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    table_lines = [line for line in text.splitlines() if line.startswith("|")]
    terms = {t for line in table_lines for t in _curies(line) if t.startswith("kg:")}
    # Named outside the tables: the scheme, and the page graph's hash.
    terms |= {"kg:categories", "kg:contentHash"}
    assert len(terms) > 40
    declared_types = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme}
    for term in sorted(terms):
        iri = curie(term)
        assert set(ontology.objects(iri, RDF.type)) & declared_types, f"{term} is not declared"
        label = ontology.value(iri, RDFS.label)
        comment = ontology.value(iri, RDFS.comment)
        assert label is not None and str(label).strip(), f"{term} has no rdfs:label"
        assert comment is not None and len(str(comment)) > 20, f"{term} has no useful rdfs:comment"


@pytest.mark.parametrize("cls, aligned", class_table(), ids=lambda v: v if isinstance(v, str) else None)
def test_class_alignment_as_in_model(ontology: Graph, cls: str, aligned: list[str]) -> None:
    iri = curie(cls)
    assert (iri, RDF.type, OWL.Class) in ontology
    assert set(ontology.objects(iri, RDFS.subClassOf)) == {curie(a) for a in aligned}


@pytest.mark.parametrize(
    "prop, domain, range_, aligned, notes",
    [row for row in property_table() if row[0].startswith("kg:")],
    ids=lambda v: v if isinstance(v, str) and v.startswith("kg:") else "",
)
def test_property_as_in_model(
    ontology: Graph, prop: str, domain: str, range_: str, aligned: list[str], notes: str
) -> None:
    iri = curie(prop)
    rng = _as_term(range_)
    expected_kind = OWL.DatatypeProperty if str(rng).startswith(vocab.XSD) else OWL.ObjectProperty
    assert (iri, RDF.type, expected_kind) in ontology
    assert set(ontology.objects(iri, RDFS.domain)) == ({_as_term(domain)} if domain != "any" else set())
    assert set(ontology.objects(iri, RDFS.range)) == {rng}
    assert set(ontology.objects(iri, RDFS.subPropertyOf)) == {curie(a) for a in aligned}


def test_inverses_and_symmetry(ontology: Graph) -> None:
    assert (KG.hasAuthor, OWL.inverseOf, KG.authorOf) in ontology
    assert (KG.owner, OWL.inverseOf, KG.hasProfile) in ontology
    assert (KG.coauthorWith, RDF.type, OWL.SymmetricProperty) in ontology
    assert (KG.categories, RDF.type, SKOS.ConceptScheme) in ontology


def test_external_terms_are_only_declared(ontology: Graph) -> None:
    """Terms of other vocabularies get a bare declaration, nothing more (no domains, ranges, labels)."""
    bare = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    external = {s for s in ontology.subjects() if isinstance(s, URIRef) and not s.startswith(vocab.KG)}
    external.discard(ONTOLOGY_IRI)
    assert external, "the aligned terms should be declared"
    for term in external:
        for p, o in ontology.predicate_objects(term):
            assert p == RDF.type and o in bare, f"{term} says more than a declaration: {p} {o}"
    # Everything the kg terms align with is declared.
    for p in (RDFS.subClassOf, RDFS.subPropertyOf):
        for target in ontology.objects(None, p):
            assert target in external, f"{target} is used but not declared"


def test_no_functional_or_cardinality_axioms(ontology: Graph) -> None:
    forbidden = {
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.cardinality,
        OWL.maxCardinality,
        OWL.minCardinality,
        OWL.qualifiedCardinality,
        OWL.maxQualifiedCardinality,
        OWL.hasKey,
    }
    for s, p, o in ontology:
        assert p not in forbidden and o not in forbidden, (s, p, o)


# --- the category scheme ---------------------------------------------------------------------------


def test_categories_cover_the_codes(categories: Graph) -> None:
    concepts = set(categories.subjects(RDF.type, KG.Category))
    assert concepts == {URIRef(f"{BASE}category/{code}") for code in CATEGORY_NAMES}
    for code, (archive, name) in CATEGORY_NAMES.items():
        c = URIRef(f"{BASE}category/{code}")
        assert (c, RDF.type, SKOS.Concept) in categories
        assert (c, SKOS.inScheme, KG.categories) in categories
        assert (c, SKOS.topConceptOf, KG.categories) in categories
        assert list(categories.objects(c, SKOS.notation)) == [Literal(code)]
        assert list(categories.objects(c, SKOS.prefLabel)) == [Literal(name, lang="en")]
        assert list(categories.objects(c, SKOS.scopeNote)) == [Literal(f"{archive}.{code}")]


def test_categories_follow_the_base() -> None:
    """No @base in the file: the concepts land under whatever base it is parsed with."""
    other = "http://example.com/data/"
    g = Graph().parse(ontology_dir() / "categories.ttl", format="turtle", publicID=other)
    subjects = set(g.subjects(RDF.type, KG.Category))
    assert URIRef(other + "category/LG") in subjects
    assert all(str(s).startswith(other + "category/") for s in subjects)
    text = (ontology_dir() / "categories.ttl").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(@base|BASE)\b", text, flags=re.MULTILINE | re.IGNORECASE)


# --- OWL RL --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def closure(ontology: Graph, categories: Graph) -> Graph:
    g = Graph()
    g += ontology
    g += categories
    g.parse(data=EXAMPLE, format="turtle", publicID=BASE)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    return g


def test_owlrl_finds_no_inconsistency(closure: Graph) -> None:
    assert not list(closure.subjects(RDF.type, ERRNS.ErrorMessage))
    assert not list(closure.subjects(RDF.type, OWL.Nothing))


def test_owlrl_contract_papers(closure: Graph) -> None:
    papers = set(closure.subjects(RDF.type, KG.Paper))
    assert papers == {URIRef(BASE + "paper/nemotron-3-nano")}
    for paper in papers:
        assert (paper, RDF.type, SCHEMA.ScholarlyArticle) in closure
        assert (paper, RDF.type, FOAF.Document) in closure
        assert (paper, RDF.type, PROV.Entity) in closure
        titles = set(closure.objects(paper, KG.title))
        assert titles and titles <= set(closure.objects(paper, SCHEMA.name))
        authors = set(closure.objects(paper, KG.hasAuthor))
        assert len(authors) == 2 and authors <= set(closure.objects(paper, SCHEMA.author))
        assert authors <= set(closure.objects(paper, DCTERMS.creator))
        dates = set(closure.objects(paper, KG.datePublished))
        assert dates == {Literal("2025-12-23", datatype=XSD.date)}
        assert dates <= set(closure.objects(paper, SCHEMA.datePublished))
        for author in authors:  # the inverse
            assert (author, KG.authorOf, paper) in closure


def test_owlrl_contract_people(closure: Graph) -> None:
    people = set(closure.subjects(RDF.type, KG.Person))
    assert len(people) == 2
    for person in people:
        assert (person, RDF.type, SCHEMA.Person) in closure
        assert (person, RDF.type, FOAF.Person) in closure
        names = set(closure.objects(person, KG.name))
        assert names and names <= set(closure.objects(person, SCHEMA.name))
        assert names <= set(closure.objects(person, FOAF.name))
    owner = URIRef(BASE + "person/suyog-gupta")
    page = URIRef(BASE + "page/000_d1e1c11066227b5a")
    assert (owner, KG.hasProfile, page) in closure
    assert (page, FOAF.primaryTopic, owner) in closure
    assert (page, RDF.type, SCHEMA.ProfilePage) in closure


def test_owlrl_other_alignments(closure: Graph) -> None:
    authorship = URIRef(BASE + "authorship/000_d1e1c11066227b5a/12/aaron-blakeman")
    listing = URIRef(BASE + "listing/000_d1e1c11066227b5a/12")
    assert (authorship, RDF.type, VIVO.Authorship) in closure
    assert (authorship, VIVO.relates, URIRef(BASE + "person/aaron-blakeman")) in closure
    assert (authorship, VIVO.rank, Literal(1)) in closure
    assert (listing, DCTERMS.isPartOf, URIRef(BASE + "page/000_d1e1c11066227b5a")) in closure
    lg = URIRef(BASE + "category/LG")
    assert (lg, RDF.type, SKOS.Concept) in closure
    assert (lg, RDF.type, SCHEMA.DefinedTerm) in closure
