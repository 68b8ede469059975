"""What the canned queries would otherwise compute over the whole graph, computed by the build instead.

Kept in the graph of facts beside the display labels (`kg.labels`), so it travels wherever the asserted
data goes (`kg export`, `kg push`) and every engine answers the queries alike:

- one date per paper, `kg:preferredDate`: two pages may date a paper differently (a page that prints no
  year makes kg assume one), and every stated date stays a `kg:datePublished` fact. The preferred date
  is the earliest of the dates a page printed with its year, or the earliest date when every page left
  the year out. Which page stated which date comes from the support store (`kg.store.stated`).
- the 100 pairs of people who share the most papers (`top-collaborators`): one `kg:Collaboration` node
  per pair, with both people and the count (kg.derive.top_pairs).
- the order of the two queries that list the whole graph, in blocks of about 64 rows (kg.derive.ranks,
  which keeps them): a query reads its first rows by looking up the first blocks (`# @ranked` in
  kg.query.canned), so its time follows the rows asked for, not the size of the graph.

A build brings all of it in line after the labels. Loading in bulk, it computes everything. A small
update starts from what is stored and redoes only what the pages it wrote or replaced touch: the dates of
their papers; the pairs of the people whose coauthors may have changed (with the pairs kept beyond the
listed ones: kg.derive.top_pairs); the blocks their authorships and papers leave or join, and those of
the hidden owners of a paper whose label changed, on every page. Only what changed is written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.derive import ranks, top_pairs
from kg.derive.derivation import FACTS, Additions, Change, Derivation
from kg.derive.gathered import Gathered
from kg.model.ntriples import Triple, iri, nquads, xsd_date
from kg.model.terms import quads_with, text_of
from kg.model.vocab import KG, PROV, SKOS, Iris

if TYPE_CHECKING:
    from kg.store.generations import KgStore
    from kg.store.stated import StatedFacts

DATE_PUBLISHED = KG + "datePublished"
PREFERRED_DATE = KG + "preferredDate"

_TITLE = iri(KG + "title")
_AUTHORSHIP_PAPER = iri(KG + "authorshipPaper")
_LISTED_PAPER_TEXT, _DERIVED_FROM = iri(KG + "listedPaper"), iri(PROV + "wasDerivedFrom")
_SOURCE_FILE = iri(KG + "sourceFile")
_AUTHORSHIP_PAPER_NODE = ox.NamedNode(KG + "authorshipPaper")
_LISTED_PAPER = ox.NamedNode(KG + "listedPaper")
_YEAR_ASSUMED = ox.NamedNode(KG + "yearAssumed")


@dataclass
class Touched:
    """What a small update may have changed (IRIs without brackets)."""

    papers: set[str]  # papers the pages written or replaced state facts about, now or before
    authorships: set[str]  # authorships those pages hold or held
    people: set[str]  # people whose coauthors may have changed
    relabelled: set[str] = field(default_factory=set)  # of `papers`, those whose label changed


class QueryAggregates(Derivation):
    """What this module derives, as a derivation every build keeps right (kg.derivation): after the
    labels, which the ranks sort by."""

    phase = "deriving for queries"
    graph = FACTS

    def __init__(self, gathered: Gathered):
        self.gathered = gathered  # what the pages of a build from nothing gave

    def update(self, kg: KgStore, change: Change) -> int:
        support = kg.support
        assert support is not None, "a build's writer opens the support database"
        pairs = top_pairs.Kept(support, kg.iris, kg.made_from, kg.generation)
        if change.plan.streams:
            return from_pages(
                kg.store, pairs, kg.iris, self.gathered, change.additions or Additions(kg.store)
            )
        return update(
            kg.store,
            pairs,
            kg.stated_by_pages(),
            kg.iris,
            None if change.everything else touched(kg, change),
            change.additions,
        )


def from_pages(
    store: ox.Store, pairs: top_pairs.Kept, iris: Iris, gathered: Gathered, additions: Additions
) -> int:
    """Everything `update` derives, for a store just built from nothing, from what its pages gave: only
    the labels of the papers listed with a cut author list are read back. The triples added."""
    dates = gathered.preferred_dates()
    added = [
        (iri(paper), iri(PREFERRED_DATE), xsd_date(date.fromisoformat(day)))
        for paper, day in sorted(dates.items())
    ]
    triples = sorted(pairs.keep(top_pairs.of_papers(gathered.authors_of)).triples(iris))
    if added or triples:
        additions.load(nquads(added + triples, iris.facts_graph))
    additions.flush()  # the labels, which the ranks sort by
    label = ox.NamedNode(SKOS + "prefLabel")
    graph = ox.NamedNode(iris.facts_graph)
    titles = {}
    for paper in gathered.truncated:
        found = next(quads_with(store, ox.NamedNode(paper), label, None, graph), None)
        if found is not None:
            titles[paper] = text_of(found.object)
    hidden: dict[str, ranks.Key] = {}
    for row in gathered.hidden_owners:
        if row.paper in titles:
            key = ranks.hidden_owner_key(row.name, titles[row.paper], row.page_file, row.authorship)
            if row.authorship not in hidden or key < hidden[row.authorship]:
                hidden[row.authorship] = key
    cut = {paper: ranks.cut_list_key(dates.get(paper), title, paper) for paper, title in titles.items()}
    ranked = ranks.rank(store, iris, ranks.HIDDEN_OWNERS, additions, best=hidden)
    ranked += ranks.rank(store, iris, ranks.CUT_LISTS, additions, best=cut)
    return len(added) + len(triples) + ranked


def touched(kg: KgStore, change: Change) -> Touched:
    """What a small update changed, and the people whose coauthors it may change: the papers and
    authorships of each page written or replaced whose triples differ between its old and new version
    (all of a new or removed page's). A page edited in one listing touches that listing's paper and
    authorships, not every paper it lists: the dates and ranks are looked at where something moved.
    A hidden owner's row on a page not written moves only with its paper's label (`change.relabelled`,
    told by the labels): all
    else in it is that page's, and the cut author list it needs is one that page states."""
    old_of = {old.graph: old for old in change.replaced}
    written = set(change.written)
    papers: set[str] = set()
    authorships: set[str] = set()
    for graph in sorted(written | old_of.keys()):
        new = set(kg.page_statements(graph)) if graph in written else set()
        old = set(old_of[graph].statements) if graph in old_of else set()
        changed_papers, changed_authorships = _changed(new, old)
        papers |= changed_papers
        authorships |= changed_authorships
    return Touched(papers, authorships, set(change.people), papers & change.relabelled)


def _changed(new: set[Triple], old: set[Triple]) -> tuple[set[str], set[str]]:
    """(papers, authorships) of one page whose triples differ between two versions of it, or that hang
    on a listing that does (IRIs without brackets). A change to the page's own node (its file, its
    owner) touches all of them."""
    both, changed = new | old, new ^ old
    papers = {s for s, p, _ in both if p == _TITLE}
    on = defaultdict(set)  # listing -> its papers; authorship -> its listings (either version)
    for s, p, o in both:
        if p in (_LISTED_PAPER_TEXT, _DERIVED_FROM):
            on[s].add(o)
    every_authorship = {s for s, p, _ in both if p == _AUTHORSHIP_PAPER}
    subjects = {s for s, _, _ in changed}
    if subjects & {s for s, p, _ in both if p == _SOURCE_FILE}:
        touched_papers, touched_authorships = papers, every_authorship
    else:
        nodes = subjects | {o for _, _, o in changed if o.startswith("<")}
        touched_papers = nodes & papers | {paper for node in nodes for paper in on.get(node, ())}
        touched_authorships = {a for a in every_authorship if a in nodes or on.get(a, set()) & nodes}
    return {p[1:-1] for p in touched_papers}, {a[1:-1] for a in touched_authorships}


def update(
    store: ox.Store,
    pairs: top_pairs.Kept,
    by_pages: StatedFacts,
    iris: Iris,
    touched: Touched | None,
    additions: Additions | None = None,
) -> int:
    """Bring the derived facts in line with the store, everywhere (`touched` None) or where a small update
    touched it. The change in the number of triples of the graph of facts; call it once the facts and the
    labels are up to date (`additions` may hold them: they are loaded before the ranks read them)."""
    additions = additions or Additions(store)
    changed = _sync_dates(store, by_pages, iris, None if touched is None else touched.papers, additions)
    listed = _collaborations(store, pairs, iris, touched)
    changed += _sync(store, iris, top_pairs.PATTERNS, listed, additions)
    additions.flush()  # the ranks sort by labels and dates
    hidden = None
    if touched is not None:  # a paper's new title moves its hidden owners on every page
        hidden = touched.authorships | {
            text_of(q.subject)
            for paper in touched.relabelled
            for q in store.quads_for_pattern(None, _AUTHORSHIP_PAPER_NODE, ox.NamedNode(paper), None)
        }
    changed += ranks.rank(store, iris, ranks.HIDDEN_OWNERS, additions, hidden)
    changed += ranks.rank(
        store, iris, ranks.CUT_LISTS, additions, None if touched is None else touched.papers
    )
    return changed


# --- one date per paper -------------------------------------------------------------------------------

Object = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple  # what pyoxigraph gives as a quad's object


def preferred_date(dates: dict[str, bool]) -> str:
    """The one date of a paper stated with these dates ({ISO date: a page printed its year}): the
    earliest printed with its year, else the earliest."""
    printed = [d for d, with_year in dates.items() if with_year]
    return min(printed or dates)


def _sync_dates(
    store: ox.Store, by_pages: StatedFacts, iris: Iris, papers: set[str] | None, additions: Additions
) -> int:
    graph = ox.NamedNode(iris.facts_graph)
    stated, chosen = ox.NamedNode(DATE_PUBLISHED), ox.NamedNode(PREFERRED_DATE)
    dates: dict[str, set[Object]] = defaultdict(set)
    present: dict[str, set[Object]] = defaultdict(set)
    if papers is None:
        for q in store.quads_for_pattern(None, stated, None, graph):
            dates[text_of(q.subject)].add(q.object)
        for q in store.quads_for_pattern(None, chosen, None, graph):
            present[text_of(q.subject)].add(q.object)
    else:
        for paper in papers:
            node = ox.NamedNode(paper)
            dates[paper] = {q.object for q in store.quads_for_pattern(node, stated, None, graph)}
            present[paper] = {q.object for q in store.quads_for_pattern(node, chosen, None, graph)}
    removed, added = 0, []
    for paper in sorted(dates.keys() | present.keys()):
        given = dates.get(paper, set())
        if len(given) > 1:
            by_value = {text_of(d): d for d in given}
            wanted = {by_value[preferred_date(_with_year(store, by_pages, paper, given))]}
        else:
            wanted = given
        old = present.get(paper, set())
        for literal in old - wanted:
            store.remove(ox.Quad(ox.NamedNode(paper), chosen, literal, graph))
            removed += 1
        added += [(iri(paper), iri(PREFERRED_DATE), str(literal)) for literal in wanted - old]
    if added:
        additions.load(nquads(added, iris.facts_graph))
    return len(added) - removed


def _with_year(store: ox.Store, by_pages: StatedFacts, paper: str, dates: set[Object]) -> dict[str, bool]:
    """{date: whether a page that states it printed the year}: a page states the date and one of its
    listings of the paper did not assume the year."""
    node = ox.NamedNode(paper)
    out = {}
    for literal in dates:
        out[text_of(literal)] = any(
            _year_printed(store, node, ox.NamedNode(graph))
            for graph in by_pages.pages_stating((str(node), f"<{DATE_PUBLISHED}>", str(literal)))
        )
    return out


def _year_printed(store: ox.Store, paper: ox.NamedNode, page_graph: ox.NamedNode) -> bool:
    for listing in store.quads_for_pattern(None, _LISTED_PAPER, paper, page_graph):
        for flag in store.quads_for_pattern(listing.subject, _YEAR_ASSUMED, None, page_graph):
            if text_of(flag.object) == "false":
                return True
    return False


# --- the pairs who share the most papers ------------------------------------------------------------


def _collaborations(
    store: ox.Store, pairs: top_pairs.Kept, iris: Iris, touched: Touched | None
) -> set[Triple]:
    """The listed pairs as triples (kg.derive.top_pairs): from the pairs kept before and those of the
    people touched, or every pair counted again; the reserve kept for the next update."""
    reserve = None
    if touched is not None:
        reserve = top_pairs.updated(store, pairs.before() or top_pairs.listed(store, iris), touched.people)
    if reserve is None:
        reserve = top_pairs.of_store(store)
    return pairs.keep(reserve).triples(iris)


# --- writing only what changed -----------------------------------------------------------------------


def _sync(
    store: ox.Store,
    iris: Iris,
    patterns: tuple[tuple[str, str | None], ...],
    wanted: set[Triple],
    additions: Additions,
) -> int:
    """Make the graph of facts hold exactly `wanted` among its triples of these (predicate, object or
    None for any) patterns: the change in triples."""
    graph = ox.NamedNode(iris.facts_graph)
    present: set[Triple] = set()
    for predicate, value in patterns:
        pattern = (ox.NamedNode(predicate), None if value is None else ox.NamedNode(value))
        for q in store.quads_for_pattern(None, *pattern, graph):
            present.add((str(q.subject), str(q.predicate), str(q.object)))
    return additions.replace(iris.facts_graph, sorted(present - wanted), sorted(wanted - present))
