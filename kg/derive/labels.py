"""One display label per person, paper and organisation, kept in the graph of facts.

A node printed several ways (`Gábor Lugosi`, `Gabor Lugosi`) keeps every printing as a fact (`kg:name`,
`kg:title`, `kg:slug`), and gets one `skos:prefLabel`, which the canned queries and `kg graph` show, so
one node is one row. The label is a function of the set of printings alone (ontology/README.md,
Identities), so it does not depend on build order or on which pages were rebuilt: a build recomputes it
for every node whose printings a written or replaced page touched, and writes only what changed.

A paper's author lists as pages show them (`kg:shownAuthors`) get the same treatment: each is written
again with every name replaced by that person's label (`kg:shownAuthorsLabel`), so two pages that print
one list with different spellings give one value. These depend on people's labels too, so a person whose
label changes has the lists of all their papers rewritten.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.derive.derivation import FACTS, Additions, Change, Derivation
from kg.model.curation import SPLIT_MARK
from kg.model.mapping import CURATED_LABEL, PRINTINGS, SHOWN_AUTHORS
from kg.model.ntriples import Triple, iri, nquads, string
from kg.model.terms import text_of
from kg.model.vocab import KG, SKOS, Iris, identity_key

if TYPE_CHECKING:
    from kg.derive.gathered import Gathered
    from kg.store.generations import KgStore

# What a node's label is chosen from is kg.model.mapping's PRINTINGS and CURATED_LABEL.
PREF_LABEL = SKOS + "prefLabel"
ALT_LABEL = SKOS + "altLabel"  # a person's printings other than their label
SHOWN_AUTHORS_LABEL = KG + "shownAuthorsLabel"
HAS_AUTHOR = KG + "hasAuthor"
NAME_SEPARATOR = ", "  # how kg.mapping joins the names of kg:shownAuthors


def preferred_label(printings: Iterable[str]) -> str:
    """The one label of a node printed these ways.

    Prefer a printing that is not all lower case or all capitals (`koray kavukcuoglu` loses to `Koray
    Kavukcuoglu`), then the one with the most non-ASCII letters (the accents a plain-ASCII printing
    dropped), then the one with the fewest initials (`Yuke Wang` over `Y. Wang`), then the smallest by
    code point, so any order of the same printings gives the same label.
    """
    return min(set(printings), key=_rank)


def _rank(text: str) -> tuple[bool, int, int, str]:
    flat = text.islower() or text.isupper()  # False when it has no cased letter at all: nothing to prefer
    non_ascii = sum(1 for c in unicodedata.normalize("NFC", text) if c.isalpha() and not c.isascii())
    initials = sum(1 for word in re.split(r"[\s.-]+", text) if len(word) == 1 and word.isalpha())
    return (flat, -non_ascii, initials, text)


def printed_nodes(triples: Iterable[Triple]) -> set[str]:
    """The nodes (IRIs without brackets) whose printings these facts touch."""
    wanted = {iri(p) for p in (*PRINTINGS, SHOWN_AUTHORS, CURATED_LABEL)}
    return {s[1:-1] for s, p, _ in triples if p in wanted}


class Labels(Derivation):
    """The labels and labelled author lists, as a derivation every build keeps right (kg.derivation)."""

    phase = "labelling"
    graph = FACTS

    def __init__(self, gathered: Gathered | None = None) -> None:
        self.chosen: Chosen | None = None
        self.gathered = gathered

    def update(self, kg: KgStore, change: Change) -> int:
        nodes = None  # every node: a build in bulk, or a store a kg without labels built
        if not change.everything:
            nodes = set().union(*(printed_nodes(kg.stated_facts(g)) for g in change.written))
            nodes |= set().union(*(printed_nodes(old.stated_facts) for old in change.replaced))
            change.printed = nodes
        # a build from nothing keeps what it chose: its summary is written from it (kg.summary_rows),
        # and chooses from what its pages gave, not read back from the store
        self.chosen = Chosen() if change.plan.streams else None
        gathered = self.gathered if change.plan.streams else None
        return relabel(kg.store, kg.iris, nodes, change.additions, self.chosen, gathered, change.relabelled)


@dataclass
class Chosen:
    """Every label and labelled author list a build of every node chose: what the graph of facts holds."""

    labels: dict[str, str] = field(default_factory=dict)  # node -> its skos:prefLabel
    lists: dict[str, set[str]] = field(default_factory=dict)  # paper -> its kg:shownAuthorsLabel values
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # person -> its kg:name values


def relabel(
    store: ox.Store,
    iris: Iris,
    nodes: set[str] | None,
    additions: Additions | None = None,
    chosen: Chosen | None = None,
    gathered: Gathered | None = None,
    relabelled: set[str] | None = None,
) -> int:
    """Bring the labels of `nodes` (every node when None) and the author lists of the papers among them,
    or of a person whose label changed, in line with the facts; the change in the number of triples of
    the graph of facts. Call it once the facts are up to date. The labels of every node are chosen
    without reading back those just added: `additions` may hold them (kg.derivation). With every node,
    `chosen` is given every label and list the graph of facts holds afterwards. With every node,
    `gathered` gives the facts they are chosen from: a build from nothing gathered them from its pages
    (kg.derive.gathered), and does not read them back. `relabelled` is told the nodes whose label
    changed."""
    additions = additions or Additions(store)
    given = gathered.printings if gathered is not None and nodes is None else None
    changed, changed_labels, wanted = _update(
        store,
        iris,
        PRINTINGS,
        PREF_LABEL,
        nodes,
        lambda node, values: {preferred_label(values)},
        additions,
        preferred=CURATED_LABEL,
        given=given,
    )
    if relabelled is not None:
        relabelled |= changed_labels
    # a person's other printings, as alternative labels
    alternatives, _, _ = _update(
        store,
        iris,
        (KG + "name",),
        ALT_LABEL,
        nodes,
        lambda node, values: set(values) - wanted.get(node, set()),
        additions,
        given=given,
    )
    changed += alternatives
    # Every label just chosen, so that the author lists need no look-up per name: such a look-up costs
    # more the larger a store just bulk-loaded is (measured 321 s of a 7,000-page build). Only a build of
    # every node knows them all; a name that curation split (kg.curation) is still looked up per paper.
    known: dict[str, str] = {}
    split: set[str] = set()
    authors: dict[str, dict[str, str]] | None = None  # paper -> printed name's key -> its author
    if nodes is None:
        known = {node: min(values) for node, values in wanted.items() if values}
        people = f"{iris.base}person/"
        split = {n.rsplit(SPLIT_MARK, 1)[0] for n in known if n.startswith(people) and SPLIT_MARK in n}
        authors = (
            _authors_by_printing(store, iris)
            if gathered is None
            else _authors_of_printings((given or {}).get(KG + "name", {}), gathered.authors_of)
        )
    papers = None
    if nodes is not None:
        authored = ox.NamedNode(HAS_AUTHOR)
        graph = ox.NamedNode(iris.facts_graph)
        papers = set(nodes) | {
            text_of(q.subject)
            for person in changed_labels
            for q in store.quads_for_pattern(None, authored, ox.NamedNode(person), graph)
        }
    lists, _, labelled = _update(
        store,
        iris,
        (SHOWN_AUTHORS,),
        SHOWN_AUTHORS_LABEL,
        papers,
        lambda paper, shown: {_by_label(store, iris, paper, s, known, split, authors) for s in shown},
        additions,
        given=given,
    )
    if chosen is not None and nodes is None:
        chosen.labels, chosen.lists = known, labelled
        chosen.names = (given or {}).get(KG + "name", {})  # what the labels were chosen from
    return changed + lists


def _authors_by_printing(store: ox.Store, iris: Iris) -> dict[str, dict[str, str]]:
    """Every paper's authors by the identity key of each of their printings, read in two passes: a name
    is the person the build took it as (kg.identity), which need not be the node its printing names."""
    graph = ox.NamedNode(iris.facts_graph)
    names: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(KG + "name"), None, graph):
        names.setdefault(text_of(q.subject), set()).add(text_of(q.object))
    authors_of: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(HAS_AUTHOR), None, graph):
        authors_of.setdefault(text_of(q.subject), set()).add(text_of(q.object))
    return _authors_of_printings(names, authors_of)


def _authors_of_printings(
    names: Mapping[str, Collection[str]], authors_of: Mapping[str, Collection[str]]
) -> dict[str, dict[str, str]]:
    """Every paper's authors by the identity key of each of their printings (two authors of a paper
    printed alike: the first by IRI), from the people's names and the papers' authors."""
    keys = {node: {identity_key(n) for n in printed} for node, printed in names.items()}
    out: dict[str, dict[str, str]] = {}
    for paper, authors in authors_of.items():
        mine = out.setdefault(paper, {})
        for author in sorted(authors):
            for key in keys.get(author, ()):
                mine.setdefault(key, author)
    return out


def _by_label(
    store: ox.Store,
    iris: Iris,
    paper: str,
    shown: str,
    known: dict[str, str],
    split: set[str],
    authors: dict[str, dict[str, str]] | None = None,
) -> str:
    """A shown author list with each name replaced by its person's label (the name itself if none).

    The person is the paper's author printed that way: the name's own node, or, where curation made a
    printing another node's (kg.curation), the author of the paper who has that printing. `known`
    labels are taken as they are, unless the name is one curation `split`."""
    label = ox.NamedNode(PREF_LABEL)
    graph = ox.NamedNode(iris.facts_graph)
    authored = ox.NamedNode(HAS_AUTHOR)
    paper_node = ox.NamedNode(paper)
    out = []
    for name in shown.split(NAME_SEPARATOR):
        if authors is not None:
            author = authors.get(paper, {}).get(identity_key(name))
            if author in known:
                out.append(known[author])
                continue
        own = iris.person(name)
        if authors is None and own in known and own not in split:
            out.append(known[own])
            continue
        person = ox.NamedNode(own)
        if not _has(store, paper_node, authored, person, graph):
            person = _author_printed(store, paper_node, name, graph) or person
        if person.value in known:
            out.append(known[person.value])
            continue
        found = next(iter(store.quads_for_pattern(person, label, None, graph)), None)
        out.append(text_of(found.object) if found is not None else name)
    return NAME_SEPARATOR.join(out)


def _has(store: ox.Store, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode, graph: ox.NamedNode) -> bool:
    return next(iter(store.quads_for_pattern(s, p, o, graph)), None) is not None


def _author_printed(
    store: ox.Store, paper: ox.NamedNode, name: str, graph: ox.NamedNode
) -> ox.NamedNode | None:
    """The author of `paper` one of whose printings is `name` (by identity key), if any."""
    key = identity_key(name)
    printed = ox.NamedNode(KG + "name")
    for q in store.quads_for_pattern(paper, ox.NamedNode(HAS_AUTHOR), None, graph):
        author = q.object
        if isinstance(author, ox.NamedNode) and any(
            identity_key(text_of(n.object)) == key
            for n in store.quads_for_pattern(author, printed, None, graph)
        ):
            return author
    return None


def _update(
    store: ox.Store,
    iris: Iris,
    sources: tuple[str, ...],
    target: str,
    nodes: set[str] | None,
    derive: Callable[[str, set[str]], set[str]],
    additions: Additions,
    preferred: str | None = None,
    given: Mapping[str, Mapping[str, Collection[str]]] | None = None,
) -> tuple[int, set[str], dict[str, set[str]]]:
    """Make each node's `target` values `derive(node, its source values)`, taking only its `preferred`
    values where it has any; (change in triples, nodes changed, the values of every node looked at).
    With every node, `given` may hold the source facts (predicate -> node -> values), not read again."""
    graph = ox.NamedNode(iris.facts_graph)
    label = ox.NamedNode(target)
    printings: dict[str, set[str]] = {}
    chosen: dict[str, set[str]] = {}
    present: dict[str, set[str]] = {}
    into = [(p, printings) for p in sources] + ([(preferred, chosen)] if preferred else [])
    if nodes is None and given is not None:
        for predicate, values in into:
            for node, found in given.get(predicate, {}).items():
                values.setdefault(node, set()).update(found)
        for q in store.quads_for_pattern(None, label, None, graph):
            present.setdefault(text_of(q.subject), set()).add(text_of(q.object))
    elif nodes is None:
        for predicate, values in into:
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
                values.setdefault(text_of(q.subject), set()).add(text_of(q.object))
        for q in store.quads_for_pattern(None, label, None, graph):
            present.setdefault(text_of(q.subject), set()).add(text_of(q.object))
    else:
        for node in nodes:
            subject = ox.NamedNode(node)
            for predicate, values in into:
                for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None, graph):
                    values.setdefault(node, set()).add(text_of(q.object))
            for q in store.quads_for_pattern(subject, label, None, graph):
                present.setdefault(node, set()).add(text_of(q.object))
    wanted = {node: derive(node, chosen.get(node) or values) for node, values in printings.items()}
    changed = {
        node for node in wanted.keys() | present.keys() if wanted.get(node, set()) != present.get(node, set())
    }
    removed = 0
    for node in sorted(changed):
        for old in present.get(node, set()) - wanted.get(node, set()):
            store.remove(ox.Quad(ox.NamedNode(node), label, ox.Literal(old), graph))
            removed += 1
    added = [
        (iri(node), iri(target), string(text))
        for node in sorted(changed)
        for text in sorted(wanted.get(node, set()) - present.get(node, set()))
    ]
    if added:
        additions.load(nquads(added, iris.facts_graph))
    return len(added) - removed, changed, wanted
