"""`kg validate`: SHACL shapes (shapes/) over an RDF file or the store, with pyshacl.

The data graph is the asserted triples plus the ontology; no inference runs inside pyshacl (the shapes
speak of the kg: vocabulary that pages assert). Exit codes: 0 conforms (warnings allowed), 1 violations,
2 cannot run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.resources import shapes_dir
from kg.vocab import KG, SH

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
# Properties that name a node for a person reading the report.
LABELS = ("title", "name", "sourceFile", "slug", "nameAsPrinted")

RDF_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".n3": "n3",
}


@dataclass(frozen=True)
class Finding:
    severity: str  # Violation, Warning, Info
    focus: str
    label: str
    path: str
    message: str


@dataclass
class ValidationOutcome:
    findings: list[Finding]
    report_graph: object  # the rdflib graph of the SHACL validation report

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations


def shapes_graph():
    from rdflib import Graph

    graph = Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def read_rdf_file(path: str | Path):
    """Any RDF file as one rdflib Graph (named graphs merged). KgError when it cannot be read."""
    from rdflib import Dataset, Graph

    path = Path(path)
    fmt = RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise KgError(f"cannot tell the RDF format of {path} from its extension ({', '.join(sorted(RDF_FORMATS))})")
    try:
        if fmt in ("nquads", "trig", "json-ld"):
            dataset = Dataset()
            dataset.parse(path, format=fmt)
            graph = Graph()
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
            return graph
        graph = Graph()
        graph.parse(path, format=fmt)
        return graph
    except FileNotFoundError:
        raise KgError(f"no such file: {path}") from None
    except Exception as e:  # rdflib raises many kinds (and AssertionError) on malformed input
        raise KgError(f"cannot parse {path} as {fmt}: {e}") from e


def store_graph(kg):
    """The asserted page graphs and the ontology graph of a store, merged into one rdflib Graph."""
    from rdflib import Graph

    import pyoxigraph as ox

    graphs = [g for g in kg.store.named_graphs() if g.value.startswith(kg.iris.page_graph_prefix) or g.value == kg.iris.ontology_graph]
    values = " ".join(str(g) for g in graphs)
    data = ox.serialize(
        kg.store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"),
        format=ox.RdfFormat.N_TRIPLES,
    )
    graph = Graph()
    graph.parse(data=data, format="nt")
    return graph


def validate_graph(data_graph) -> ValidationOutcome:
    import pyshacl

    try:
        _, report_graph, _ = pyshacl.validate(
            data_graph, shacl_graph=shapes_graph(), inference="none", advanced=True, allow_warnings=True
        )
    except Exception as e:
        raise KgError(f"SHACL validation could not run: {e}") from e
    return ValidationOutcome(findings(report_graph, data_graph), report_graph)


def findings(report_graph, data_graph) -> list[Finding]:
    from rdflib import Namespace

    sh = Namespace(SH)
    out = []
    for result in report_graph.subjects(predicate=sh.resultSeverity):
        severity = str(report_graph.value(result, sh.resultSeverity)).rsplit("#", 1)[-1]
        focus = report_graph.value(result, sh.focusNode)
        path = report_graph.value(result, sh.resultPath)
        message = report_graph.value(result, sh.resultMessage)
        out.append(
            Finding(
                severity=severity,
                focus=str(focus),
                label=label_of(data_graph, focus),
                path=compact(path) if path is not None else "",
                message=str(message) if message is not None else "",
            )
        )
    return sorted(set(out), key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.focus, f.path, f.message))


def label_of(graph, node) -> str:
    from rdflib import URIRef

    for local in LABELS:
        value = graph.value(node, URIRef(KG + local))
        if value is not None:
            return str(value)
    return ""


def compact(term) -> str:
    from kg.vocab import PREFIXES

    text = str(term)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def report_lines(outcome: ValidationOutcome) -> list[str]:
    """The text report: one line per finding, then a closing count."""
    lines = []
    for f in outcome.findings:
        named = f'{f.focus} ("{f.label}")' if f.label else f.focus
        where = f" [{f.path}]" if f.path else ""
        lines.append(f"{f.severity}: {named}{where}: {f.message}")
    counts = {s: sum(1 for f in outcome.findings if f.severity == s) for s in ("Violation", "Warning", "Info")}
    verdict = "conforms" if outcome.conforms else "does not conform"
    lines.append(f"{verdict}: {counts['Violation']} violations, {counts['Warning']} warnings")
    return lines
