"""The SHACL shapes compiled to SPARQL queries that Oxigraph runs over the whole graph.

One query per constraint of a shape; each returns only what fails it (the focus node, and the value
node where the constraint judges values), so its cost is one scan of the index holding the property,
joined with the target class. pySHACL stays the reference: tests/test_validate.py proves the results
equal to pySHACL's on the sample graph and on graphs broken against each constraint component used.

Supported: targets sh:targetClass (with the data's rdfs:subClassOf), sh:targetNode,
sh:targetSubjectsOf, sh:targetObjectsOf; property shapes with a predicate path; sh:minCount,
sh:maxCount, sh:datatype, sh:nodeKind, sh:class, sh:minInclusive, sh:maxInclusive, sh:minExclusive,
sh:maxExclusive, sh:hasValue, sh:in, sh:pattern, sh:minLength, sh:maxLength, sh:languageIn,
sh:uniqueLang; and sh:sparql constraints (SELECT, $this pre-bound by the target). A shape using
anything else is refused with a KgError naming it, never silently skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.model.vocab import RDF_TYPE, SH

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# Datatypes Oxigraph can cast to: a literal is well-formed for them when the cast of its text succeeds.
CASTABLE = {
    XSD + t
    for t in (
        "boolean",
        "integer",
        "decimal",
        "float",
        "double",
        "date",
        "dateTime",
        "time",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
    )
}
NODE_KINDS = {
    "IRI": "isIRI(?value)",
    "BlankNode": "isBlank(?value)",
    "Literal": "isLiteral(?value)",
    "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
    "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
    "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
}
COMPARISONS = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
# Parameters that describe a shape rather than constrain it.
DESCRIPTIVE = {
    "message",
    "severity",
    "path",
    "name",
    "description",
    "order",
    "group",
    "deactivated",
    "targetClass",
    "targetNode",
    "targetSubjectsOf",
    "targetObjectsOf",
    "property",
    "sparql",
    "declare",
    "prefixes",
    "flags",
}


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as a query whose solutions are its results (?this, maybe ?value)."""

    shape: str  # the shape's IRI, or its blank node id in the shapes graph
    component: str  # the sh:...ConstraintComponent IRI
    severity: str  # Violation, Warning, Info
    path: str  # the predicate IRI, "" for node shapes
    message: str  # sh:message, with {?var} placeholders for SPARQL constraints
    query: str
    has_value: bool  # whether each result names a value node
    description: tuple[tuple[str, str], ...] = field(default=())  # (predicate, object N-Triples) of the shape


class AssertedScope:
    """How a triple pattern reads the data: all of the default graph, or every named graph but some."""

    def __init__(self, excluded_graphs: tuple[str, ...] = ()) -> None:
        self.excluded = excluded_graphs
        self._count = 0

    def triple(self, s: str, p: str, o: str) -> str:
        if not self.excluded:
            return f"{s} {p} {o} ."
        self._count += 1
        g = f"?g{self._count}"
        condition = " && ".join(f"{g} != <{e}>" for e in self.excluded)
        return f"GRAPH {g} {{ {s} {p} {o} }} FILTER ({condition})"


def _iri(term: str | Node) -> str:
    return f"<{term}>"


def _literal_sparql(term: Node) -> str:
    return term.n3()


def subclasses(superclass_of: dict[str, set[str]], cls: str) -> list[str]:
    """cls and every class below it (rdfs:subClassOf*, read from the data as SHACL says)."""
    below: dict[str, set[str]] = {}
    for sub, sups in superclass_of.items():
        for sup in sups:
            below.setdefault(sup, set()).add(sub)
    found, todo = {cls}, [cls]
    while todo:
        for sub in below.get(todo.pop(), ()):
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(found)


def compile_shapes(shapes: Graph, superclass_of: dict[str, set[str]], scope: AssertedScope) -> list[Check]:
    """Every constraint of every shape in the rdflib shapes graph, as a Check."""
    from rdflib import Namespace

    sh = Namespace(SH)
    checks: list[Check] = []
    node_shapes = set(shapes.subjects(sh.targetClass, None)) | set(shapes.subjects(sh.targetNode, None))
    node_shapes |= set(shapes.subjects(sh.targetSubjectsOf, None)) | set(
        shapes.subjects(sh.targetObjectsOf, None)
    )
    # rdflib types a graph's terms as Node, which has no order; they are Identifiers, which have one
    for node_shape in sorted(node_shapes):  # type: ignore[type-var]
        if _deactivated(shapes, node_shape):
            continue
        target = _target(shapes, node_shape, superclass_of, scope)
        checks.extend(_node_checks(shapes, node_shape, target, scope))
        for prop in shapes.objects(node_shape, sh.property):
            if not _deactivated(shapes, prop):
                checks.extend(_property_checks(shapes, prop, target, superclass_of, scope))
    return checks


def _deactivated(shapes: Graph, shape: Node) -> bool:
    from rdflib import Literal, Namespace

    return shapes.value(shape, Namespace(SH).deactivated) == Literal(True)


def _severity(shapes: Graph, shape: Node) -> str:
    from rdflib import Namespace

    return str(shapes.value(shape, Namespace(SH).severity) or SH + "Violation").rsplit("#", 1)[-1]


def _target(shapes: Graph, shape: Node, superclass_of: dict[str, set[str]], scope: AssertedScope) -> str:
    """A group that binds ?this to each focus node of the shape (more than once if it is targeted
    several ways): used as a membership test (FILTER EXISTS) once ?this is bound, or under DISTINCT."""
    from rdflib import Namespace

    sh = Namespace(SH)
    parts = []
    for cls in shapes.objects(shape, sh.targetClass):
        values = " ".join(_iri(c) for c in subclasses(superclass_of, str(cls)))
        parts.append(
            f"{{ VALUES ?targetClass {{ {values} }} {scope.triple('?this', _iri(RDF_TYPE), '?targetClass')} }}"
        )
    for node in shapes.objects(shape, sh.targetNode):
        parts.append(f"{{ VALUES ?this {{ {node.n3()} }} }}")
    for p in shapes.objects(shape, sh.targetSubjectsOf):
        parts.append(f"{{ {scope.triple('?this', _iri(p), '?targetObject')} }}")
    for p in shapes.objects(shape, sh.targetObjectsOf):
        parts.append(f"{{ {scope.triple('?targetSubject', _iri(p), '?this')} }}")
    return "{ " + " UNION ".join(parts) + " }"


def _focus_nodes(target: str) -> str:
    return f"{{ SELECT DISTINCT ?this WHERE {target} }}"


def _message(shapes: Graph, shape: Node) -> str:
    from rdflib import Namespace

    return " ".join(str(m) for m in shapes.objects(shape, Namespace(SH).message))


def _description(shapes: Graph, shape: Node) -> tuple[tuple[str, str], ...]:
    """The shape's own triples with IRI or literal objects, to describe a blank-node shape in a report."""
    from rdflib import BNode

    return tuple(
        sorted((str(p), o.n3()) for p, o in shapes.predicate_objects(shape) if not isinstance(o, BNode))
    )


def _node_checks(shapes: Graph, node_shape: Node, target: str, scope: AssertedScope) -> list[Check]:
    from rdflib import Namespace

    sh = Namespace(SH)
    checks = []
    for p, _ in shapes.predicate_objects(node_shape):
        local = str(p).removeprefix(SH)
        if str(p).startswith(SH) and local not in DESCRIPTIVE:
            raise KgError(
                f"the shape {node_shape} uses sh:{local} on a node shape, which kg cannot check yet"
            )
    for constraint in shapes.objects(node_shape, sh.sparql):
        select = str(shapes.value(constraint, sh.select))
        prefixes = "".join(
            f"PREFIX {shapes.value(decl, sh.prefix)}: <{shapes.value(decl, sh.namespace)}>\n"
            for source in shapes.objects(constraint, sh.prefixes)
            for decl in shapes.objects(source, sh.declare)
        )
        # $this and ?this are the same variable in SPARQL. The SELECT runs with it free, then is kept to
        # the focus nodes: the same solutions as SHACL's pre-binding for the queries SHACL allows (no
        # MINUS, VALUES or sub-select hiding $this), 2-3x faster than starting from the target.
        # It runs as written, so on the store it reads the inferred graph too: that graph holds no kg:
        # class and none of the properties these warnings compare (tests/test_validate.py compares the
        # stores' reports with pySHACL's on the asserted triples alone).
        query = f"{prefixes}SELECT * WHERE {{ {{ {select} }} FILTER EXISTS {target} }}"
        message = _message(shapes, constraint) or _message(shapes, node_shape)
        checks.append(
            Check(
                str(node_shape),
                SH + "SPARQLConstraintComponent",
                _severity(shapes, node_shape),
                "",
                message,
                query,
                has_value=False,
            )
        )
    return checks


def _property_checks(
    shapes: Graph, prop: Node, target: str, superclass_of: dict[str, set[str]], scope: AssertedScope
) -> list[Check]:
    from rdflib import URIRef

    path = shapes.value(prop, URIRef(SH + "path"))
    if not isinstance(path, URIRef):
        raise KgError(f"a property shape ({prop}) has a path that is not one property; kg checks only those")
    p = _iri(path)
    severity, message = _severity(shapes, prop), _message(shapes, prop)
    shape_id, description = str(prop), _description(shapes, prop)
    # Each query first finds what fails among all the property's values (one scan of its index, which
    # yields few rows), then keeps the focus nodes of the shape: starting from the target joined each
    # value, 5x slower at 70,000 focus nodes. MINUS is a hash anti-join: one scan of each side.
    values = scope.triple("?this", p, "?value")
    checks = []

    def of_targets(failing: str) -> str:
        return f"SELECT DISTINCT ?this WHERE {{ {{ {failing} }} FILTER EXISTS {target} }}"

    def add(component: str, query: str, has_value: bool) -> None:
        checks.append(
            Check(shape_id, SH + component, severity, str(path), message, query, has_value, description)
        )

    def failing_values(condition: str, component: str) -> None:
        # COALESCE: a value the test cannot even be evaluated on (a comparison with a string) fails it
        failing = f"SELECT ?this ?value WHERE {{ {values} FILTER (!COALESCE({condition}, false)) }}"
        add(
            component,
            f"SELECT DISTINCT ?this ?value WHERE {{ {{ {failing} }} FILTER EXISTS {target} }}",
            True,
        )

    for param, arg in shapes.predicate_objects(prop):
        local = str(param).removeprefix(SH)
        if not str(param).startswith(SH) or local in DESCRIPTIVE:
            continue
        if local == "minCount":
            n = int(str(arg))  # rdflib terms are strings of their lexical form; int() reads that
            if n == 1:
                add(
                    "MinCountConstraintComponent",
                    f"SELECT ?this WHERE {{ {_focus_nodes(target)} MINUS {{ {values} }} }}",
                    False,
                )
            elif n > 1:
                add(
                    "MinCountConstraintComponent",
                    f"SELECT ?this WHERE {{ {_focus_nodes(target)} OPTIONAL {{ {values} }} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})",
                    False,
                )
        elif local == "maxCount":
            add(
                "MaxCountConstraintComponent",
                of_targets(
                    f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(str(arg))})"
                ),
                False,
            )
        elif local == "datatype":
            failing_values(
                f"isLiteral(?value) && DATATYPE(?value) = {_iri(arg)} && {_well_formed(str(arg))}",
                "DatatypeConstraintComponent",
            )
        elif local == "nodeKind":
            kind = str(arg).removeprefix(SH)
            if kind not in NODE_KINDS:
                raise KgError(f"the property shape on {path} has an unknown sh:nodeKind {arg}")
            failing_values(NODE_KINDS[kind], "NodeKindConstraintComponent")
        elif local == "class":
            classes = " ".join(_iri(c) for c in subclasses(superclass_of, str(arg)))
            typed = (
                f"VALUES ?valueClass {{ {classes} }} {scope.triple('?value', _iri(RDF_TYPE), '?valueClass')}"
            )
            failing = f"SELECT ?this ?value WHERE {{ {values} MINUS {{ {typed} }} }}"
            add(
                "ClassConstraintComponent",
                f"SELECT DISTINCT ?this ?value WHERE {{ {{ {failing} }} FILTER EXISTS {target} }}",
                True,
            )
        elif local in COMPARISONS:
            failing_values(
                f"?value {COMPARISONS[local]} {_literal_sparql(arg)}",
                local[0].upper() + local[1:] + "ConstraintComponent",
            )
        elif local == "hasValue":
            add(
                "HasValueConstraintComponent",
                f"SELECT ?this WHERE {{ {_focus_nodes(target)} MINUS {{ {scope.triple('?this', p, arg.n3())} }} }}",
                False,
            )
        elif local == "in":
            from rdflib.collection import Collection

            members = " || ".join(f"sameTerm(?value, {m.n3()})" for m in Collection(shapes, arg))
            failing_values(members or "false", "InConstraintComponent")
        elif local == "pattern":
            flags = shapes.value(prop, URIRef(SH + "flags"))
            pattern = _literal_sparql(arg)
            regex = (
                f"REGEX(STR(?value), {pattern}, {_literal_sparql(flags)})"
                if flags
                else f"REGEX(STR(?value), {pattern})"
            )
            failing_values(f"!isBlank(?value) && {regex}", "PatternConstraintComponent")
        elif local in ("minLength", "maxLength"):
            op = ">=" if local == "minLength" else "<="
            failing_values(
                f"!isBlank(?value) && STRLEN(STR(?value)) {op} {int(str(arg))}",
                local[0].upper() + local[1:] + "ConstraintComponent",
            )
        elif local == "languageIn":
            from rdflib.collection import Collection

            tests = " || ".join(
                f"langMatches(LANG(?value), {_literal_sparql(tag)})" for tag in Collection(shapes, arg)
            )
            failing_values(f"isLiteral(?value) && ({tests or 'false'})", "LanguageInConstraintComponent")
        elif local == "uniqueLang":
            if str(arg) == "true":
                add(
                    "UniqueLangConstraintComponent",
                    of_targets(
                        f'SELECT ?this WHERE {{ {values} FILTER (LANG(?value) != "") }} GROUP BY ?this (LCASE(LANG(?value)) AS ?lang) HAVING (COUNT(DISTINCT ?value) > 1)'
                    ),
                    False,
                )
        else:
            raise KgError(f"the property shape on {path} uses sh:{local}, which kg cannot check yet")
    return checks


def _well_formed(datatype: str) -> str:
    """A SPARQL test that a literal of this datatype has a valid lexical form."""
    if datatype in CASTABLE:
        return f"DATATYPE({_iri(datatype)}(STR(?value))) = {_iri(datatype)}"
    if datatype == RDF_LANGSTRING:
        return 'LANG(?value) != ""'
    return "true"
