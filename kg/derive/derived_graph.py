"""The inferred graph of a store, kept right as pages come and go.

All inferred triples live in one named graph, `B graph/inferred`, each once however many pages entail
it. A full build bulk-loads every page's consequences (the store keeps one copy of each). When a page is
replaced, what only its old triples entailed must go: every consequence of the old page that the new
page does not entail is looked up for another premise in the asserted graphs (`Schema.premises` names
the patterns that entail it) and removed when none is left. That costs lookups in proportion to the
page, not to the store.

The coauthor rule (two distinct authors of one paper) joins across pages: it is redone for everyone on a
full build, and for the people a small update touched otherwise.

`InferredGraph` owns all this for a build: the inferred graph, its count, and the derivations
(`kg.derivation`) every build keeps right, in the order `derivations()` gives.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import nullcontext
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.derive.derivation import INFERRED, Additions, Change, Derivation
from kg.derive.gathered import Gathered, papers_of
from kg.model.inference import Schema
from kg.model.mapping import ontology_statements
from kg.model.ntriples import Triple, iri, nquads, term
from kg.model.terms import quads_with, text_of
from kg.model.vocab import KG, Iris
from kg.system.progress import ticking

if TYPE_CHECKING:
    from kg.derive.labels import Chosen
    from kg.store.generations import KgStore
    from kg.store.pagework import PageResult
    from kg.store.plan import BuildPlan
    from kg.system.progress import Progress


HAS_AUTHOR = ox.NamedNode(KG + "hasAuthor")
COAUTHOR = ox.NamedNode(KG + "coauthorWith")


def asserted_graph_test(iris: Iris) -> Callable[[ox.NamedNode | ox.BlankNode | ox.DefaultGraph], bool]:
    page_prefix, plain = iris.page_graph_prefix, {iris.ontology_graph, iris.facts_graph}

    def is_asserted(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bool:
        return isinstance(graph, ox.NamedNode) and (
            graph.value.startswith(page_prefix) or graph.value in plain
        )

    return is_asserted


def is_supported(
    store: ox.Store,
    triple: Triple,
    schema: Schema,
    is_asserted: Callable[[ox.NamedNode | ox.BlankNode | ox.DefaultGraph], bool],
) -> bool:
    """Whether some asserted triple still entails `triple` (or states it)."""
    for s, p, o in schema.premises(triple):
        pattern = (term(s) if s else None, ox.NamedNode(p[1:-1]), term(o) if o else None)
        if any(is_asserted(q.graph_name) for q in quads_with(store, *pattern)):
            return True
    return False


def retract(store: ox.Store, iris: Iris, schema: Schema, candidates: Iterable[Triple]) -> int:
    """Remove the candidates no asserted triple entails any more; how many were removed."""
    graph = ox.NamedNode(iris.inferred_graph)
    is_asserted = asserted_graph_test(iris)
    removed = 0
    for triple in candidates:
        quad = ox.Quad(term(triple[0]), term(triple[1]), term(triple[2]), graph)
        if quad in store and not is_supported(store, triple, schema, is_asserted):
            store.remove(quad)
            removed += 1
    return removed


def add(store: ox.Store, iris: Iris, triples: Iterable[Triple]) -> int:
    """Add consequences one by one (a small update), counting those that were new."""
    graph = ox.NamedNode(iris.inferred_graph)
    added = 0
    for s, p, o in triples:
        quad = ox.Quad(term(s), term(p), term(o), graph)
        if quad not in store:
            store.add(quad)
            added += 1
    return added


def reinfer_all(kg: KgStore, schema: Schema) -> None:
    """Drop the inferred graph and entail it again from the ontology and every page (the ontology changed).

    A page's consequences come from its own graph and the shared facts it stated, taken together."""
    iris, store = kg.iris, kg.store
    ontology = ontology_statements(iris.base)
    kg.remove_graph(iris.inferred_graph)
    for named in list(store.named_graphs()):
        if named.value == iris.ontology_graph:
            statements = kg.page_triples(named.value)
        elif named.value.startswith(iris.page_graph_prefix):
            statements = kg.page_statements(named.value)
        else:
            continue
        store.bulk_load(
            nquads(schema.infer(statements, ontology), iris.inferred_graph), format=ox.RdfFormat.N_QUADS
        )


def ontology_nquads(kg: KgStore, schema: Schema) -> bytes:
    """The ontology graph of a store without pages and its inferred graph, the ontology's own
    consequences (its categories), as N-Quads for the build's one load; the graphs a previous
    generation held are dropped."""
    iris = kg.iris
    kg.remove_graph(iris.ontology_graph)
    kg.remove_graph(iris.inferred_graph)
    ontology = ontology_statements(iris.base)
    statements = sorted(ontology)
    return nquads(statements, iris.ontology_graph) + nquads(
        schema.infer(statements, ontology), iris.inferred_graph
    )


# --- the coauthor rule ----------------------------------------------------------------------------
# kg:hasAuthor is only ever asserted in the graph of facts, and kg:coauthorWith only ever made by this rule.


def people_whose_coauthors_may_change(old: dict[str, set[str]], new: dict[str, set[str]]) -> set[str]:
    """The authors of every paper whose author list differs between two versions of a page."""
    people: set[str] = set()
    for paper in old.keys() | new.keys():
        before, after = old.get(paper, set()), new.get(paper, set())
        if before != after:
            people |= before | after
    return people


def coauthor_pairs(store: ox.Store, people: set[str] | None) -> set[tuple[str, str]]:
    """(a, b) for every coauthorship of `people` (both directions), or of everyone when None."""
    authors_of: dict[str, set[str]] = defaultdict(set)
    if people is None:
        for q in store.quads_for_pattern(None, HAS_AUTHOR, None, None):
            authors_of[text_of(q.subject)].add(text_of(q.object))
    else:
        papers = {
            q.subject
            for person in people
            for q in store.quads_for_pattern(None, HAS_AUTHOR, ox.NamedNode(person), None)
        }
        for paper in papers:
            for q in store.quads_for_pattern(paper, HAS_AUTHOR, None, None):
                authors_of[text_of(paper)].add(text_of(q.object))
    return pairs_of(authors_of, people)


PIECE_BYTES = 4 << 20  # of the coauthor rule's N-Quads, handed to the loader at a time


def coauthor_nquads(authors_of: Mapping[str, Collection[str]], iris: Iris) -> Iterator[bytes]:
    """The coauthor rule's triples for papers whose authors are all known here (a build from nothing),
    person by person in pieces of about PIECE_BYTES: the pairs are never all held at once (2.3M pairs,
    346 MB of N-Quads at 20,000 pages, which the loader held four times over in one call)."""
    papers = papers_of(authors_of)
    tail = f" {iri(COAUTHOR.value)} "
    graph = f" {iri(iris.inferred_graph)} .\n"
    piece: list[str] = []
    size = 0
    for person in sorted(papers):
        coauthors = set().union(*(authors_of[paper] for paper in papers[person]))
        coauthors.discard(person)
        lines = "".join(f"<{person}>{tail}<{other}>{graph}" for other in sorted(coauthors))
        piece.append(lines)
        size += len(lines)
        if size >= PIECE_BYTES:
            yield "".join(piece).encode("utf-8")
            piece, size = [], 0
    if piece:
        yield "".join(piece).encode("utf-8")


def pairs_of(authors_of: dict[str, set[str]], people: set[str] | None) -> set[tuple[str, str]]:
    pairs = set()
    for authors in authors_of.values():
        for a in authors:
            if people is None or a in people:
                for b in authors:
                    if a != b:
                        pairs.add((a, b))
                        pairs.add((b, a))
    return pairs


def run_coauthor_rule(store: ox.Store, iris: Iris, people: set[str] | None) -> int:
    """(Re)derive kg:coauthorWith for `people`, or for everyone when None; the change in triples.

    Only the difference is written: an update that leaves everyone's coauthors as they were writes
    nothing, however many coauthors its people have."""
    if people is not None and not people:
        return 0
    graph = ox.NamedNode(iris.inferred_graph)
    present: Iterable[ox.Quad]
    if people is None:
        present = store.quads_for_pattern(None, COAUTHOR, None, graph)
    else:
        present = [
            q
            for person in people
            for q in itertools.chain(
                store.quads_for_pattern(ox.NamedNode(person), COAUTHOR, None, graph),
                store.quads_for_pattern(None, COAUTHOR, ox.NamedNode(person), graph),
            )
        ]
    before = {(text_of(q.subject), text_of(q.object)) for q in present}
    after = coauthor_pairs(store, people)
    for a, b in before - after:
        store.remove(ox.Quad(ox.NamedNode(a), COAUTHOR, ox.NamedNode(b), graph))
    added = sorted(after - before)
    store.bulk_load(
        nquads([(iri(a), iri(COAUTHOR.value), iri(b)) for a, b in added], iris.inferred_graph),
        format=ox.RdfFormat.N_QUADS,
    )
    return len(added) - len(before - after)


# --- the derivations this module keeps, and their owner ---------------------------------------------


class Consequences(Derivation):
    """Each page's OWL RL consequences, one copy each in the inferred graph (see the module's doc)."""

    phase = "inferring"

    def __init__(self, schema: Schema):
        self.schema = schema

    def take(self, result: PageResult, plan: BuildPlan) -> bytes:
        # inferred by the workers; an incremental build adds them one by one, a re-inference anew
        return b"" if plan.incremental or plan.reinfers_all else result.inferred_nquads

    def update(self, kg: KgStore, change: Change) -> int:
        if change.plan.reinfers_all:
            reinfer_all(kg, self.schema)
            return 0  # counted again (BuildPlan.recounts)
        ontology, change_in_count = ontology_statements(kg.iris.base), 0
        if change.plan.incremental:
            for graph in change.written:
                change_in_count += add(
                    kg.store, kg.iris, self.schema.infer(kg.page_statements(graph), ontology)
                )
        for old in change.replaced:
            still = set(self.schema.infer(kg.page_statements(old.graph), ontology))
            gone = (t for t in self.schema.infer(old.statements, ontology) if t not in still)
            change_in_count -= retract(kg.store, kg.iris, self.schema, gone)
        return change_in_count


class CoauthorRule(Derivation):
    """kg:coauthorWith between two distinct authors of one paper. A build from nothing takes each
    paper's authors from what its pages gave (kg.derive.gathered) and adds the pairs to its load; any
    other redoes the rule for the people it touched, or for everyone."""

    phase = "inferring"

    def __init__(self, gathered: Gathered) -> None:
        self.gathered = gathered

    def last(self, kg: KgStore, plan: BuildPlan) -> Iterator[bytes]:
        if not plan.streams:
            return iter(())
        return coauthor_nquads(self.gathered.authors_of, kg.iris)

    def update(self, kg: KgStore, change: Change) -> int:
        if change.plan.streams:
            return 0  # in the load already
        return run_coauthor_rule(kg.store, kg.iris, None if change.everything else change.people)


def derivations(schema: Schema, gathered: Gathered) -> list[Derivation]:
    """What every build keeps right once its pages are in, in order: labels and the aggregates the
    canned queries read (in the graph of facts, kg.derived), each page's consequences, the coauthor
    rule. A new derivation is added here, after the ones it reads; `gathered` is what a build from
    nothing took from its pages as they passed."""
    from kg.derive.aggregates import QueryAggregates
    from kg.derive.labels import Labels

    return [Labels(gathered), QueryAggregates(gathered), Consequences(schema), CoauthorRule(gathered)]


class InferredGraph:
    """The derived part of a store under a build, and its upkeep: the inferred graph and its count, and
    the derivations (labels, consequences, the coauthor rule, ...) run in order with their phases."""

    def __init__(self, kg: KgStore, schema: Schema, plan: BuildPlan, count: int):
        self.kg, self.schema, self.plan = kg, schema, plan
        self.count = count  # triples in the inferred graph, kept by every build
        self.facts_change = 0  # what the derivations changed in the graph of facts
        self.gathered = Gathered()  # a build from nothing: what its pages gave (kg.derive.gathered)
        self.derivations = derivations(schema, self.gathered)
        self.seconds: dict[str, float] = {}

    def start(self, new_ontology: bool) -> bytes:
        """What a build from nothing whose ontology is new loads first: the ontology and its
        consequences (b"" otherwise: a build with pages has its ontology loaded and re-inferred)."""
        if self.plan.streams and new_ontology:
            return ontology_nquads(self.kg, self.schema)
        return b""

    def take(self, result: PageResult) -> bytes:
        """A page being written: what the derivations load with it."""
        if self.plan.streams:
            self.gathered.take(result)
        return b"".join(d.take(result, self.plan) for d in self.derivations)

    def last(self) -> Iterator[bytes]:
        """After the last page, in the same load: N-Quads in pieces the loader takes as they come."""
        for derivation in self.derivations:
            yield from derivation.last(self.kg, self.plan)

    def chosen_labels(self) -> Chosen | None:
        """Every label a build from nothing chose (kg.labels.Chosen), once: the derivation lets it go."""
        from kg.derive.labels import Labels

        for derivation in self.derivations:
            if isinstance(derivation, Labels):
                chosen, derivation.chosen = derivation.chosen, None
                return chosen
        return None

    def update(self, change: Change, progress: Progress | None = None) -> None:
        """Bring every derivation in line with what the build wrote (the facts are settled)."""
        if not change.any:
            return
        change.additions = Additions(self.kg.store, hold=change.everything)
        for derivation in self.derivations:
            started = time.perf_counter()
            with ticking(progress, derivation.phase) if progress else nullcontext():
                changed = derivation.update(self.kg, change)
            self.seconds[derivation.phase] = self.seconds.get(derivation.phase, 0.0) + (
                time.perf_counter() - started
            )
            if derivation.graph == INFERRED:
                self.count += changed
            else:
                self.facts_change += changed
        change.additions.flush()
        change.additions = None  # the store is closed after the build: no reference may keep it
        self.gathered.clear()
        if self.plan.recounts:
            self.count = self.kg.graph_size(self.kg.iris.inferred_graph)
