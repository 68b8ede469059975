"""`kg validate`: the SHACL shapes (shapes/) over an RDF file or the store.

The shapes are compiled to SPARQL (kg/compiled_shapes.py): one query per constraint, run inside
Oxigraph over the whole graph, each returning only the failing focus nodes and values. That is one
index scan per constraint instead of pySHACL's Python walk over every triple (README: "Validation",
with the figures that chose it). pySHACL stays the reference the tests compare the report with.

What is checked is what pages assert: on the store, every graph but the inferred one (page graphs,
shared facts, the ontology, whose rdfs:subClassOf gives each target class its subclasses); a file is
checked as it is, all its graphs merged. No inference runs.
Exit codes: 0 no violations (warnings allowed), 1 violations, 2 cannot run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import KgError
from kg.model.vocab import KG, PREFIXES, SH
from kg.system.resources import shapes_dir
from kg.validation.shapes import RDFS_SUBCLASS, AssertedScope, Check, compile_shapes

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from kg.model.terms import AnyTerm
    from kg.store.generations import KgStore

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
# Properties that name a node for a person reading the report.
LABELS = ("title", "name", "sourceFile", "slug", "nameAsPrinted")

RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class Finding:
    """One validation result: one failing value (or focus node, for counts and SPARQL constraints)."""

    severity: str  # Violation, Warning, Info
    focus: str  # the focus node, in N-Triples form when not an IRI (a blank node or literal)
    label: str
    path: str  # compact (kg:title), "" for node shapes
    message: str
    shape: str = ""  # the shape's IRI, or its blank node id in the shapes graph
    component: str = ""  # the sh:...ConstraintComponent IRI
    value: str = ""  # the failing value in N-Triples form, "" when the result names none
    shape_description: tuple[tuple[str, str], ...] = field(default=(), compare=False)


@dataclass
class ValidationOutcome:
    findings: list[Finding]

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        """No violations: what kg's exit code and text verdict go by (warnings pass). The W3C report's
        sh:conforms is stricter: false whenever there is any result."""
        return not self.violations


# --- the shapes -----------------------------------------------------------------------------------


def shapes_graph() -> Graph:
    from rdflib import Graph

    graph = Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def compiled_checks(store: ox.Store, scope: AssertedScope) -> list[Check]:
    """The shapes as queries, with each target class's subclasses read from the data."""
    superclass_of: dict[str, set[str]] = {}
    rows = _solutions(
        store, f"SELECT DISTINCT ?sub ?sup WHERE {{ {scope.triple('?sub', f'<{RDFS_SUBCLASS}>', '?sup')} }}"
    )
    for row in rows:
        superclass_of.setdefault(row["sub"].value, set()).add(row["sup"].value)
    return compile_shapes(shapes_graph(), superclass_of, scope)


# --- reading what to validate ---------------------------------------------------------------------


INPUT_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def read_rdf_file(path: str | Path, input_format: str | None = None) -> ox.Store:
    """Any RDF file into an in-memory store (named graphs kept), in `input_format` (one of
    INPUT_FORMATS) or the one its extension names. KgError when it cannot be read."""
    path = Path(path)
    fmt = INPUT_FORMATS[input_format] if input_format else RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise KgError(
            f"cannot tell the RDF format of {path} from its extension ({', '.join(sorted(RDF_FORMATS))}): "
            f"give --input-format ({', '.join(INPUT_FORMATS)})"
        )
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except FileNotFoundError:
        raise KgError(f"no such file: {path}") from None
    except (SyntaxError, ValueError, OSError) as e:
        raise KgError(f"cannot parse {path} as {fmt.name}: {e}") from e
    return store


# --- running ------------------------------------------------------------------------------------------


def _solutions(store: ox.Store, query: str) -> ox.QuerySolutions:
    """The solutions of a SELECT query over all the store's graphs."""
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)  # kg's own SELECT queries only
    return solutions


def _term_text(term: AnyTerm) -> str:
    """An IRI as itself, any other term in N-Triples form (a blank node, a literal)."""
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _findings_of(store: ox.Store, check: Check) -> list[Finding]:
    try:
        rows = _solutions(store, check.query)
    except SyntaxError as e:
        raise KgError(f"the shape {check.shape} gives a query Oxigraph cannot run: {e}") from e
    variables = [v.value for v in rows.variables]
    out = []
    for row in rows:
        bound = {name: row[name] for name in variables if row[name] is not None}
        focus = bound.get("this")
        if focus is None:
            continue
        message = check.message
        if check.component == SH + "SPARQLConstraintComponent":
            for name, term in bound.items():  # the {?var} / {$var} placeholders of sh:message
                message = message.replace(f"{{?{name}}}", term.value).replace(f"{{${name}}}", term.value)
        if check.component == SH + "SPARQLConstraintComponent":
            value = bound.get("value", focus)  # SHACL: the focus node when the query binds no ?value
        else:
            value = bound.get("value") if check.has_value else None
        out.append(
            Finding(
                check.severity,
                _term_text(focus),
                "",
                compact(check.path) if check.path else "",
                message,
                check.shape,
                check.component,
                _term_text(value) if value is not None else "",
                check.description,
            )
        )
    return out


def _validate(store: ox.Store, scope: AssertedScope) -> ValidationOutcome:
    found: list[Finding] = []
    for check in compiled_checks(store, scope):
        found.extend(_findings_of(store, check))
    return ValidationOutcome(_labelled(found, store))


def validate_store(kg: KgStore) -> ValidationOutcome:
    """What the store's pages assert: every graph but the inferred one."""
    return _validate(kg.store, AssertedScope((kg.iris.inferred_graph,)))


def validate_file(path: str | Path, input_format: str | None = None) -> ValidationOutcome:
    """An RDF file, e.g. an export: every graph in it merged; `input_format` when its name does not
    say it (kg.validate.INPUT_FORMATS)."""
    return _validate(read_rdf_file(path, input_format), AssertedScope())


# --- the report -------------------------------------------------------------------------------------


def _labelled(found: list[Finding], store: ox.Store) -> list[Finding]:
    """Each finding with a name for its focus node (a title, a name, a file), sorted, once each."""
    labels: dict[str, str] = {}
    for focus in {f.focus for f in found}:
        labels[focus] = ""
        if not focus.startswith(("http:", "https:", "urn:")):
            continue
        for local in LABELS:
            rows = list(_solutions(store, f"SELECT ?v WHERE {{ <{focus}> <{KG}{local}> ?v }} LIMIT 1"))
            if rows:
                labels[focus] = rows[0]["v"].value
                break
    unique = {
        Finding(
            f.severity,
            f.focus,
            labels[f.focus],
            f.path,
            f.message,
            f.shape,
            f.component,
            f.value,
            f.shape_description,
        )
        for f in found
    }
    return sorted(
        unique,
        key=lambda f: (
            SEVERITY_ORDER.get(f.severity, 9),
            f.focus,
            f.path,
            f.message,
            f.value,
            f.component,
            f.shape,
        ),
    )


def compact(term: str) -> str:
    text = str(term)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def report_lines(outcome: ValidationOutcome) -> list[str]:
    """The text report: one line per result (the failing value named when there is one), then a count."""
    lines = []
    for f in outcome.findings:
        named = f'{f.focus} ("{f.label}")' if f.label else f.focus
        where = f" [{f.path}]" if f.path else ""
        value = f" {f.value}" if f.value and f.component != SH + "SPARQLConstraintComponent" else ""
        lines.append(f"{f.severity}: {named}{where}{value}: {f.message}")
    counts = {s: sum(1 for f in outcome.findings if f.severity == s) for s in ("Violation", "Warning")}
    verdict = "conforms" if outcome.conforms else "does not conform"
    lines.append(f"{verdict}: {counts['Violation']} violations, {counts['Warning']} warnings")
    return lines


def _term(text: str) -> Node:
    """An rdflib term from a Finding's focus or value (an IRI as itself, anything else in N-Triples)."""
    from rdflib import URIRef

    if text.startswith(("_:", '"')):
        return _from_n3(text)
    return URIRef(text)


def _from_n3(text: str) -> Node:
    """An rdflib term from N-Triples text (kg's own output); text that is no term is kept as a literal."""
    from rdflib import Literal
    from rdflib.term import Node
    from rdflib.util import from_n3

    term = from_n3(text)
    return term if isinstance(term, Node) else Literal(text)


def report_turtle(outcome: ValidationOutcome) -> str:
    """The W3C SHACL validation report in Turtle: one sh:ValidationResult per result, and sh:conforms
    false whenever there is one, warnings included (the exit code is what lets warnings pass)."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, XSD

    sh = Namespace(SH)
    graph = Graph()
    graph.bind("sh", sh)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    report = BNode()
    graph.add((report, RDF.type, sh.ValidationReport))
    graph.add((report, sh.conforms, Literal(not outcome.findings, datatype=XSD.boolean)))
    described: dict[str, BNode] = {}
    for f in outcome.findings:
        result = BNode()
        graph.add((report, sh.result, result))
        graph.add((result, RDF.type, sh.ValidationResult))
        graph.add((result, sh.resultSeverity, sh[f.severity]))
        graph.add((result, sh.focusNode, _term(f.focus)))
        graph.add((result, sh.resultMessage, Literal(f.message)))
        if f.path:
            prefix, _, local = f.path.partition(":")
            graph.add((result, sh.resultPath, URIRef(PREFIXES.get(prefix, prefix + ":") + local)))
        if f.value:
            graph.add((result, sh.value, _term(f.value)))
        if f.component:
            graph.add((result, sh.sourceConstraintComponent, URIRef(f.component)))
        if f.shape.startswith(("http:", "https:", "urn:")):
            graph.add((result, sh.sourceShape, URIRef(f.shape)))
        elif f.shape:
            # a property shape written inline in shapes/ has no name: the report describes it instead
            if f.shape not in described:
                node = described[f.shape] = BNode()
                for predicate, obj in f.shape_description:
                    graph.add((node, URIRef(predicate), _from_n3(obj)))
                graph.add((node, RDF.type, sh.PropertyShape))
            graph.add((result, sh.sourceShape, described[f.shape]))
    return graph.serialize(format="turtle")
