"""One display label per person, paper and organisation, kept in the graph of facts.

A node printed several ways (`Gábor Lugosi`, `Gabor Lugosi`) keeps every printing as a fact (`kg:name`,
`kg:title`, `kg:slug`), and gets one `skos:prefLabel`, which the canned queries and `kg graph` show, so
one node is one row. The label is a function of the set of printings alone (ontology/README.md,
Identities), so it does not depend on build order or on which pages were rebuilt: a build recomputes it
for every node whose printings a written or replaced page touched, and writes only what changed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import pyoxigraph as ox

from kg.mapping import Triple, iri, nquads, string
from kg.vocab import KG, SKOS, Iris

# The facts that print a node, by the node's kind: a person's names, a paper's titles, an organisation's
# name as printed.
PRINTINGS = (KG + "name", KG + "title", KG + "slug")
PREF_LABEL = SKOS + "prefLabel"


def preferred_label(printings: Iterable[str]) -> str:
    """The one label of a node printed these ways.

    Prefer a printing that is not all lower case or all capitals (`koray kavukcuoglu` loses to `Koray
    Kavukcuoglu`), then the one with the most non-ASCII letters (the accents a plain-ASCII printing
    dropped), then the smallest by code point, so any order of the same printings gives the same label.
    """
    return min(set(printings), key=_rank)


def _rank(text: str) -> tuple[bool, int, str]:
    flat = text.islower() or text.isupper()  # False when it has no cased letter at all: nothing to prefer
    non_ascii = sum(1 for c in unicodedata.normalize("NFC", text) if c.isalpha() and not c.isascii())
    return (flat, -non_ascii, text)


def printed_nodes(triples: Iterable[Triple]) -> set[str]:
    """The nodes (IRIs without brackets) whose printings these facts touch."""
    wanted = {iri(p) for p in PRINTINGS}
    return {s[1:-1] for s, p, _ in triples if p in wanted}


def relabel(store: ox.Store, iris: Iris, nodes: set[str] | None) -> int:
    """Bring the labels of `nodes` (every printed node when None) in line with their printings; the
    change in the number of triples of the graph of facts. Call it once the facts are up to date."""
    graph = ox.NamedNode(iris.facts_graph)
    label = ox.NamedNode(PREF_LABEL)
    printings: dict[str, set[str]] = {}
    present: dict[str, set[str]] = {}
    if nodes is None:
        for predicate in PRINTINGS:
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
                printings.setdefault(q.subject.value, set()).add(q.object.value)
        for q in store.quads_for_pattern(None, label, None, graph):
            present.setdefault(q.subject.value, set()).add(q.object.value)
    else:
        for node in nodes:
            subject = ox.NamedNode(node)
            for predicate in PRINTINGS:
                for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None, graph):
                    printings.setdefault(node, set()).add(q.object.value)
            for q in store.quads_for_pattern(subject, label, None, graph):
                present.setdefault(node, set()).add(q.object.value)
    wanted = {node: preferred_label(values) for node, values in printings.items()}
    removed = 0
    for node, labels in present.items():
        for old in labels:
            if wanted.get(node) != old:
                store.remove(ox.Quad(ox.NamedNode(node), label, ox.Literal(old), graph))
                removed += 1
    added = [(iri(node), iri(PREF_LABEL), string(text)) for node, text in sorted(wanted.items()) if text not in present.get(node, ())]
    if added:
        store.bulk_load(nquads(added, iris.facts_graph), format=ox.RdfFormat.N_QUADS)
    return len(added) - removed
