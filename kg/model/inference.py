"""OWL RL inference that scales: owlrl on the ontology alone, then the closure applied to the data.

owlrl over instance data runs at about 500 triples/s. But with the schema fixed, every OWL RL rule kg
applies to data takes a single data triple:

    cax-sco   x a C, C ⊑ D                    → x a D
    prp-spo1  x P y, P ⊑ Q                    → x Q y
    prp-inv   x P y, P inverseOf Q            → y Q x
    prp-symp  x P y, P symmetric              → y P x
    prp-dom   x P y, P domain C               → x a C
    prp-rng   x P y, P range C (a class)      → y a C
    (cax-eqc and prp-eqp arrive as ⊑ both ways in owlrl's schema closure)

so the consequences of one triple depend only on its predicate (or class). `Schema` compiles, from
owlrl's closure of the ontology, one template per predicate and class; applying it is a dictionary
look-up per triple. Consequences of a page depend on that page alone, so pages are inferred in parallel;
`premises` is the reverse, used to take back what a removed page alone entailed.

The one rule that joins across pages is kg's coauthor rule (two distinct authors of one paper are
coauthors): see kg.inferred.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.model.ntriples import Triple
from kg.model.vocab import OWL, RDF, RDF_TYPE, RDFS

if TYPE_CHECKING:
    from rdflib import Graph

A = f"<{RDF_TYPE}>"
SUBCLASS = RDFS + "subClassOf"
SUBPROPERTY = RDFS + "subPropertyOf"
# Classes and properties every resource or statement has in OWL: true, and of no use to a query.
TRIVIAL = {OWL + "Thing", RDFS + "Resource", OWL + "topObjectProperty", OWL + "topDataProperty"}


@dataclass
class Template:
    """What one triple with a given predicate entails: properties forward/backward, and node types."""

    forward: list[str] = field(default_factory=list)  # x Q y
    backward: list[str] = field(default_factory=list)  # y Q x
    subject_types: list[str] = field(default_factory=list)
    object_types: list[str] = field(default_factory=list)


@dataclass
class Schema:
    """The compiled schema closure: templates per predicate, superclasses per class (bracketed IRIs)."""

    properties: dict[str, Template]
    classes: dict[str, list[str]]
    ontology_hash: str = ""

    def consequences(self, triple: Triple) -> list[Triple]:
        s, p, o = triple
        out: list[Triple] = []
        if p == A:
            for c in self.classes.get(o, ()):
                out.append((s, A, c))
            return out
        template = self.properties.get(p)
        if template is None:
            return out
        object_is_node = not o.startswith('"')
        for q in template.forward:
            out.append((s, q, o))
        for t in template.subject_types:
            out.append((s, A, t))
        if object_is_node:
            for q in template.backward:
                out.append((o, q, s))
            for t in template.object_types:
                out.append((o, A, t))
        return out

    def infer(
        self, triples: list[Triple], asserted_elsewhere: frozenset[Triple] = frozenset()
    ) -> list[Triple]:
        """Everything the rules add to `triples` (not the triples themselves, nor those asserted
        elsewhere, e.g. in the ontology graph), in a stable order."""
        asserted = set(triples)
        inferred: dict[Triple, None] = {}
        for triple in triples:
            for derived in self.consequences(triple):
                if derived not in asserted and derived not in asserted_elsewhere:
                    inferred[derived] = None
        return list(inferred)

    def premises(self, triple: Triple) -> list[tuple[str, str, str]]:
        """The (subject, predicate, object) patterns of asserted triples that entail `triple`; '' is
        any node. The reverse of `consequences`, for taking back what a removed page entailed."""
        if not hasattr(self, "_reverse"):
            self._reverse = self._reverse_templates()
        by_class, by_property = self._reverse
        x, q, y = triple
        if q == A:
            sub_classes, domain_of, range_of = by_class.get(y, ((), (), ()))
            return (
                [(x, A, c) for c in (y, *sub_classes)]
                + [(x, p, "") for p in domain_of]
                + [("", p, x) for p in range_of]
            )
        forward_of, backward_of = by_property.get(q, ((), ()))
        return [(x, p, y) for p in (q, *forward_of)] + [(y, p, x) for p in backward_of]

    def _reverse_templates(
        self,
    ) -> tuple[dict[str, tuple[list[str], list[str], list[str]]], dict[str, tuple[list[str], list[str]]]]:
        by_class: dict[str, tuple[list[str], list[str], list[str]]] = {}
        by_property: dict[str, tuple[list[str], list[str]]] = {}
        for c, supers in self.classes.items():
            for d in supers:
                by_class.setdefault(d, ([], [], []))[0].append(c)
        for p, t in self.properties.items():
            for d in t.subject_types:
                by_class.setdefault(d, ([], [], []))[1].append(p)
            for d in t.object_types:
                by_class.setdefault(d, ([], [], []))[2].append(p)
            for q in t.forward:
                by_property.setdefault(q, ([], []))[0].append(p)
            for q in t.backward:
                by_property.setdefault(q, ([], []))[1].append(p)
        return by_class, by_property

    def to_json(self) -> str:
        return json.dumps(
            {
                "ontology_hash": self.ontology_hash,
                "classes": self.classes,
                "properties": {p: t.__dict__ for p, t in self.properties.items()},
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Schema:
        data = json.loads(text)
        return cls(
            {p: Template(**t) for p, t in data["properties"].items()},
            data["classes"],
            data["ontology_hash"],
        )


def ontology_hash(ontology_turtle: bytes) -> str:
    return hashlib.sha256(ontology_turtle).hexdigest()


def compile_schema(ontology: Graph, digest: str = "") -> Schema:
    """Run owlrl on the ontology alone (an rdflib Graph) and compile the per-triple templates."""
    import owlrl  # heavy: only the build and the tests need it
    from rdflib import Graph, URIRef

    closed = Graph()
    for triple in ontology:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)

    def related(pred: str) -> dict[str, set[str]]:
        table: dict[str, set[str]] = {}
        for a, b in closed.subject_objects(URIRef(pred)):
            if isinstance(a, URIRef) and isinstance(b, URIRef) and a != b and str(b) not in TRIVIAL:
                table.setdefault(str(a), set()).add(str(b))
        return table

    superclasses = related(SUBCLASS)
    superproperties = related(SUBPROPERTY)
    inverses = related(OWL + "inverseOf")
    for a, bs in list(inverses.items()):
        for b in bs:
            inverses.setdefault(b, set()).add(a)
    symmetric = {str(p) for p in closed.subjects(URIRef(RDF_TYPE), URIRef(OWL + "SymmetricProperty"))}
    domains = related(RDFS + "domain")
    ranges = related(RDFS + "range")
    classes = {str(c) for c in closed.subjects(URIRef(RDF_TYPE), URIRef(OWL + "Class"))} | set(superclasses)
    datatypes = {str(d) for d in closed.subjects(URIRef(RDF_TYPE), URIRef(RDFS + "Datatype"))}

    def is_class(term: str) -> bool:
        return (
            term not in datatypes
            and not term.startswith("http://www.w3.org/2001/XMLSchema#")
            and term != RDFS + "Literal"
        )

    def close_types(types: set[str]) -> set[str]:
        out = set(types)
        for t in types:
            out |= superclasses.get(t, set())
        return {t for t in out if t not in TRIVIAL}

    properties = {}
    predicates = set(superproperties) | set(inverses) | symmetric | set(domains) | set(ranges)
    for p in predicates:
        # Abstract closure over (property, reversed) pairs: what `x p y` entails about x and y.
        seen = {(p, False)}
        todo = [(p, False)]
        while todo:
            q, rev = todo.pop()
            nexts = [(r, rev) for r in superproperties.get(q, ())]
            nexts += [(r, not rev) for r in inverses.get(q, ())]
            if q in symmetric:
                nexts.append((q, not rev))
            for n in nexts:
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        template = Template()
        s_types: set[str] = set()
        o_types: set[str] = set()
        for q, rev in seen:
            if str(q).startswith((RDF, RDFS, OWL)):
                continue
            if (q, rev) != (p, False):
                (template.backward if rev else template.forward).append(f"<{q}>")
            dom = {c for c in domains.get(q, ()) if is_class(c)}
            rng = {c for c in ranges.get(q, ()) if is_class(c)}
            (o_types if rev else s_types).update(dom)
            (s_types if rev else o_types).update(rng)
        template.forward.sort()
        template.backward.sort()
        template.subject_types = sorted(f"<{t}>" for t in close_types(s_types))
        template.object_types = sorted(f"<{t}>" for t in close_types(o_types))
        if template.forward or template.backward or template.subject_types or template.object_types:
            properties[f"<{p}>"] = template
    class_table = {
        f"<{c}>": sorted(f"<{d}>" for d in close_types(superclasses.get(c, set())) if d != c)
        for c in classes
        if superclasses.get(c)
    }
    return Schema(properties, {c: v for c, v in class_table.items() if v}, digest)
