"""The order of the two queries that list the whole graph, kept by the build a block at a time.

`hidden-owner` lists authorships (owner as printed, title, page) and `incomplete-author-lists` papers
(newest first, then title). Sorting the whole graph at query time would make their first rows cost the
whole graph, so the build keeps the order: each listed node has a place, from 1, in its block
(`kg:hiddenOwnerRank`, `kg:cutListRank`), its block (`kg:hiddenOwnerBlock`, `kg:cutListBlock`, a
`kg:RankBlock`) has a place, from 1, among the list's blocks (`kg:blockPlace`), and a query reads its
first rows by looking up the first block places (`# @ranked` in kg.query.canned), on any engine.

Where a block starts is decided by the nodes alone, as rsync or restic cut a file into chunks by its
content: at the list's first node, and at every node whose IRI hashes to 0 modulo `BLOCK`. So the
blocks are a function of the ordered nodes (an update leaves the same triples as a build from nothing),
a block holds about `BLOCK` nodes, and a node that comes, goes or moves rewrites the places of the block
it leaves and the one it joins; the places of the blocks after them change only when it starts a block
(one node in `BLOCK`). One dense rank over the whole list made a paper's new title rewrite every rank
after its place: 19,079 triples at 5,000 pages.

An update is given the nodes its pages touched: the only ones whose rows may have changed. It reads the
list's block places (one per block), the blocks those nodes leave or join, and the keys of their nodes;
it writes only what moved.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import pyoxigraph as ox

from kg.derive.derivation import Additions
from kg.model.ntriples import Triple, integer, iri
from kg.model.terms import bind_values, quads_with, text_of
from kg.model.vocab import KG, PROV, RDF_TYPE, SKOS, Iris

BLOCK = 64  # nodes per block, on average
BLOCK_PLACE = KG + "blockPlace"
RANK_BLOCK = KG + "RankBlock"

Key = tuple[Any, ...]  # a sort key: the order of a listing query's rows
KeysOf = Callable[..., Iterable[tuple[Key, str]]]  # (store, nodes=None) -> (key, node) for each row


# --- the rows of the two lists, and their sort keys --------------------------------------------------

_HIDDEN_OWNER_ROWS = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
PREFIX prov: <{PROV}>
SELECT ?authorship ?name ?title ?sourceFile ?profile WHERE {{
  # @values authorship
  ?authorship kg:impliedByOwner true ;
              kg:nameAsPrinted ?name ;
              kg:authorshipPaper ?paper ;
              prov:wasDerivedFrom ?listing .
  ?paper kg:authorListTruncated true ;
         skos:prefLabel ?title .
  ?listing kg:onPage ?profile .
  OPTIONAL {{ ?profile kg:sourceFile ?sourceFile }}
}}"""

_CUT_LIST_ROWS = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
SELECT ?paper ?title ?date WHERE {{
  # @values paper
  ?paper kg:authorListTruncated true ;
         skos:prefLabel ?title .
  OPTIONAL {{ ?paper kg:preferredDate ?date }}
}}"""


def hidden_owner_key(name: str, title: str, page: str, authorship: str) -> Key:
    return (name, title, page, authorship)


def _hidden_owner_keys(store: ox.Store, nodes: Iterable[str] | None = None) -> Iterable[tuple[Key, str]]:
    """(key, authorship) for every row `hidden-owner` lists (or for the rows of some authorships): owner
    as printed, title, page, authorship."""
    for row in _select(store, _HIDDEN_OWNER_ROWS, "authorship", nodes):
        page = row["sourceFile"] if row["sourceFile"] is not None else row["profile"]
        found = row["authorship"].value
        yield hidden_owner_key(row["name"].value, row["title"].value, page.value, found), found


def cut_list_key(date: str | None, title: str, paper: str) -> Key:
    """Newest first, undated last (as SPARQL's DESC puts an unbound value), then title and IRI."""
    newest_first = (0, tuple(-ord(c) for c in date)) if date is not None else (1, ())
    return (newest_first, title, paper)


def _cut_list_keys(store: ox.Store, nodes: Iterable[str] | None = None) -> Iterable[tuple[Key, str]]:
    """(key, paper) for every row `incomplete-author-lists` lists (or for the rows of some papers)."""
    for row in _select(store, _CUT_LIST_ROWS, "paper", nodes):
        date = row["date"].value if row["date"] is not None else None
        found = row["paper"].value
        yield cut_list_key(date, row["title"].value, found), found


def _select(store: ox.Store, text: str, variable: str, nodes: Iterable[str] | None) -> ox.QuerySolutions:
    if nodes is not None:
        text = bind_values(text, {variable: [ox.NamedNode(node) for node in nodes]})
    solutions = store.query(text, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


@dataclass(frozen=True)
class Listing:
    """One list of the whole graph: its name in block IRIs, its two properties, its rows' keys."""

    name: str
    place: str  # a node's place in its block
    block: str  # a node's block
    keys: KeysOf

    def least_keys(self, store: ox.Store, nodes: Iterable[str] | None = None) -> dict[str, Key]:
        """Each node's least key (a node with several rows takes its first place); nodes without a row
        are left out."""
        best: dict[str, Key] = {}
        for key, node in self.keys(store, nodes):
            if node not in best or key < best[node]:
                best[node] = key
        return best


HIDDEN_OWNERS = Listing("hidden-owner", KG + "hiddenOwnerRank", KG + "hiddenOwnerBlock", _hidden_owner_keys)
CUT_LISTS = Listing("cut-list", KG + "cutListRank", KG + "cutListBlock", _cut_list_keys)


# --- blocks ----------------------------------------------------------------------------------------


def starts_block(node: str) -> bool:
    """Whether a node starts a block wherever it stands (but first, where every list's first node does)."""
    digest = hashlib.blake2b(node.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % BLOCK == 0


def blocks_of(order: Sequence[str]) -> list[list[str]]:
    """Nodes in order, cut into blocks: one starts at the first node and at each node that starts one."""
    blocks: list[list[str]] = []
    for node in order:
        if not blocks or starts_block(node):
            blocks.append([])
        blocks[-1].append(node)
    return blocks


def block_iri(iris: Iris, listing: Listing, first: str) -> str:
    """A block's IRI, named after its first node (which a block place look-up thus gives back)."""
    tail = first[len(iris.base) :] if first.startswith(iris.base) else "~" + quote(first, safe="")
    return f"{iris.base}rank/{listing.name}/{tail}"


def first_of(iris: Iris, listing: Listing, block: str) -> str:
    tail = block[len(f"{iris.base}rank/{listing.name}/") :]
    return unquote(tail[1:]) if tail.startswith("~") else iris.base + tail


def _block_prefix(iris: Iris, listing: Listing) -> str:
    return f"{iris.base}rank/{listing.name}/"


def _triples(iris: Iris, listing: Listing, blocks: Iterable[tuple[int, list[str]]]) -> set[Triple]:
    """The triples of blocks (place, nodes): each block's type and place, each node's block and place."""
    found: set[Triple] = set()
    for place, nodes in blocks:
        block = iri(block_iri(iris, listing, nodes[0]))
        found.add((block, iri(RDF_TYPE), iri(RANK_BLOCK)))
        found.add((block, iri(BLOCK_PLACE), integer(place)))
        for rank, node in enumerate(nodes, start=1):
            found.add((iri(node), iri(listing.block), block))
            found.add((iri(node), iri(listing.place), integer(rank)))
    return found


# --- keeping them ------------------------------------------------------------------------------------


def rank(
    store: ox.Store,
    iris: Iris,
    listing: Listing,
    additions: Additions,
    touched: set[str] | None = None,
    best: dict[str, Key] | None = None,
) -> int:
    """Bring the list's blocks in line with its rows: everywhere (`touched` None), or where the nodes
    `touched` were and now go. With `best`, each node's least key, taken as given. The change in triples."""
    if touched is not None:
        try:
            return _rank_touched(store, iris, listing, additions, touched)
        except _Stale:
            pass
    best = best if best is not None else listing.least_keys(store)
    order = sorted(best, key=best.__getitem__)
    wanted = _triples(iris, listing, enumerate(blocks_of(order), start=1))
    graph = ox.NamedNode(iris.facts_graph)
    present: set[Triple] = set()
    for predicate in (listing.place, listing.block):
        for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
            present.add((str(q.subject), str(q.predicate), str(q.object)))
    prefix = _block_prefix(iris, listing)
    for predicate in (BLOCK_PLACE, RDF_TYPE):
        value = ox.NamedNode(RANK_BLOCK) if predicate == RDF_TYPE else None
        for q in store.quads_for_pattern(None, ox.NamedNode(predicate), value, graph):
            if text_of(q.subject).startswith(prefix):
                present.add((str(q.subject), str(q.predicate), str(q.object)))
    return additions.replace(iris.facts_graph, sorted(present - wanted), sorted(wanted - present))


class _Stale(Exception):
    """A node the update did not touch no longer has its row: the list is redone from everything."""


def _rank_touched(
    store: ox.Store, iris: Iris, listing: Listing, additions: Additions, touched: set[str]
) -> int:
    """Only the blocks the touched nodes leave or join are read and laid out again.

    The blocks are taken in groups: a block whose first node is untouched starts a group, and the
    blocks after it whose first node is touched join it (a touched node may no longer start anything).
    The first group also starts at the list's first block. A touched node joins the group whose
    first node is the last to sort before it (a binary search over those first nodes' keys, read one at
    a time); each group a touched node leaves or joins is read whole and cut into blocks again."""
    graph = ox.NamedNode(iris.facts_graph)
    block_of_node, place_of_node = ox.NamedNode(listing.block), ox.NamedNode(listing.place)
    left = {}  # touched node -> the block it was in
    for node in touched:
        for q in store.quads_for_pattern(ox.NamedNode(node), block_of_node, None, graph):
            left[node] = text_of(q.object)
    fresh = listing.least_keys(store, sorted(touched))
    if not left and not fresh:
        return 0
    blocks = _blocks_in_order(store, iris, listing)
    index = {block: i for i, block in enumerate(blocks)}
    starts = [i for i, block in enumerate(blocks) if i == 0 or first_of(iris, listing, block) not in touched]
    group_of = {}  # block index -> the index of its group's first block
    for n, start in enumerate(starts):
        for i in range(start, starts[n + 1] if n + 1 < len(starts) else len(blocks)):
            group_of[i] = start

    first_keys: dict[int, Key] = {}

    def first_key(start: int) -> Key:
        if start not in first_keys:
            first = first_of(iris, listing, blocks[start])
            found = listing.least_keys(store, [first])
            if first not in found:
                raise _Stale(first)
            first_keys[start] = found[first]
        return first_keys[start]

    joins: dict[int, list[str]] = {}  # group -> touched nodes that go there
    for node, key in fresh.items():
        if not starts:
            group = -1  # an empty list: a group of its own
        else:  # the last group whose first node sorts before the node; the first group otherwise
            group = starts[
                bisect.bisect_right(range(1, len(starts)), key, key=lambda n: first_key(starts[n]))
            ]
        joins.setdefault(group, []).append(node)
    groups = sorted({group_of[index[block]] for block in left.values() if block in index} | set(joins))

    old: set[Triple] = set()
    laid_out: dict[int, list[list[str]]] = {}  # group -> its new blocks
    for group in groups:
        members = [] if group < 0 else _group_blocks(starts, group, len(blocks))
        nodes: list[str] = []
        for i in members:
            for q in store.quads_for_pattern(None, block_of_node, ox.NamedNode(blocks[i]), graph):
                node = text_of(q.subject)
                old.add((iri(node), iri(listing.block), iri(blocks[i])))
                for p in store.quads_for_pattern(q.subject, place_of_node, None, graph):
                    old.add((iri(node), iri(listing.place), str(p.object)))
                if node not in touched:
                    nodes.append(node)
        keys = listing.least_keys(store, nodes) if nodes else {}
        if len(keys) != len(nodes):
            raise _Stale(next(node for node in nodes if node not in keys))
        keys.update((node, fresh[node]) for node in joins.get(group, ()))
        laid_out[group] = blocks_of(sorted(keys, key=keys.__getitem__))

    new_order: list[tuple[str, list[str] | None]] = []  # (block IRI, its nodes when laid out again)
    if -1 in laid_out:
        new_order += [(block_iri(iris, listing, b[0]), b) for b in laid_out[-1]]
    for i, block in enumerate(blocks):
        group = group_of[i]
        if group not in laid_out:
            new_order.append((block, None))
        elif i == group:
            new_order += [(block_iri(iris, listing, b[0]), b) for b in laid_out[group]]
    new: set[Triple] = set()
    was = {block: i + 1 for i, block in enumerate(blocks)}
    for place, (block, laid) in enumerate(new_order, start=1):
        if laid is not None:
            new |= _triples(iris, listing, [(place, laid)])
        elif was[block] != place:  # an untouched block that moved: its place alone
            new.add((iri(block), iri(BLOCK_PLACE), integer(place)))
            old.add((iri(block), iri(BLOCK_PLACE), integer(was[block])))
    for group in groups:  # the old blocks of the groups laid out again
        for i in [] if group < 0 else _group_blocks(starts, group, len(blocks)):
            old.add((iri(blocks[i]), iri(RDF_TYPE), iri(RANK_BLOCK)))
            old.add((iri(blocks[i]), iri(BLOCK_PLACE), integer(i + 1)))
    return additions.replace(iris.facts_graph, sorted(old - new), sorted(new - old))


def _group_blocks(starts: list[int], group: int, count: int) -> range:
    n = starts.index(group)
    return range(group, starts[n + 1] if n + 1 < len(starts) else count)


def _blocks_in_order(store: ox.Store, iris: Iris, listing: Listing) -> list[str]:
    """The list's blocks by place: one look-up of every block place (about one node in `BLOCK`)."""
    prefix = _block_prefix(iris, listing)
    placed = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(BLOCK_PLACE), None, ox.NamedNode(iris.facts_graph)):
        block = text_of(q.subject)
        if block.startswith(prefix):
            placed[block] = int(text_of(q.object))
    return sorted(placed, key=placed.__getitem__)


def block_at(store: ox.Store, iris: Iris, listing: Listing, place: int) -> str | None:
    """The list's block at a place, if any (for tests and checks)."""
    prefix = _block_prefix(iris, listing)
    for q in quads_with(
        store, None, ox.NamedNode(BLOCK_PLACE), ox.Literal(place), ox.NamedNode(iris.facts_graph)
    ):
        if text_of(q.subject).startswith(prefix):
            return text_of(q.subject)
    return None
