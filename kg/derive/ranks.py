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

An update is given the nodes its pages touched: the only ones whose rows may have changed. It looks up
block places one at a time (a binary search for where each node goes: a block is named after its first
node, so its place gives that node back), reads the blocks those nodes leave or join and the keys of
their nodes, and writes only what moved: the places of the blocks after them only when their number
changed.
"""

from __future__ import annotations

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
    return _block_prefix(iris, listing) + tail


def first_of(iris: Iris, listing: Listing, block: str) -> str:
    tail = block[len(_block_prefix(iris, listing)) :]
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
    blocks after it whose first node is touched join it (a touched node may no longer start anything);
    the first block always starts one. A touched node joins the group whose first node is the last to
    sort before it: a binary search over the block places, reading one block's first node at each step.
    Each group a touched node leaves or joins is read whole and cut into blocks again; the blocks after
    it are read only if the number of blocks changed, to move their places."""
    graph = ox.NamedNode(iris.facts_graph)
    block_of_node, place_of_node = ox.NamedNode(listing.block), ox.NamedNode(listing.place)
    left = set()  # the places of the blocks the touched nodes were in
    for node in touched:
        for q in store.quads_for_pattern(ox.NamedNode(node), block_of_node, None, graph):
            held = ox.NamedNode(text_of(q.object))
            for p in store.quads_for_pattern(held, ox.NamedNode(BLOCK_PLACE), None, graph):
                left.add(int(text_of(p.object)))
    fresh = listing.least_keys(store, sorted(touched))
    if not left and not fresh:
        return 0
    blocks = _StoredBlocks(store, iris, listing, touched)
    joins: dict[int, list[str]] = {}  # group (the place of its first block) -> touched nodes that go there
    count = blocks.count()
    for node, key in fresh.items():
        joins.setdefault(blocks.landing(key, count), []).append(node)
    groups = sorted({blocks.group_of(place) for place in left} | set(joins))

    old: set[Triple] = set()
    new: set[Triple] = set()
    shift, after = 0, 1  # how far the blocks after the last group laid out move; where they start
    for group in groups:
        _move_places(blocks, after, group, shift, old, new)
        members = range(group, blocks.group_end(group)) if count else range(0)
        nodes: list[str] = []
        for place in members:
            block = blocks.at(place)
            assert block is not None
            old.add((iri(block), iri(RDF_TYPE), iri(RANK_BLOCK)))
            old.add((iri(block), iri(BLOCK_PLACE), integer(place)))
            for q in store.quads_for_pattern(None, block_of_node, ox.NamedNode(block), graph):
                node = text_of(q.subject)
                old.add((iri(node), iri(listing.block), iri(block)))
                for p in store.quads_for_pattern(q.subject, place_of_node, None, graph):
                    old.add((iri(node), iri(listing.place), str(p.object)))
                if node not in touched:
                    nodes.append(node)
        keys = listing.least_keys(store, nodes) if nodes else {}
        if len(keys) != len(nodes):
            raise _Stale(next(node for node in nodes if node not in keys))
        keys.update((node, fresh[node]) for node in joins.get(group, ()))
        laid_out = blocks_of(sorted(keys, key=keys.__getitem__))
        new |= _triples(iris, listing, enumerate(laid_out, start=group + shift))
        shift += len(laid_out) - len(members)
        after = members.stop if count else 1
    _move_places(blocks, after, None, shift, old, new)
    return additions.replace(iris.facts_graph, sorted(old - new), sorted(new - old))


def _move_places(
    blocks: _StoredBlocks, start: int, stop: int | None, shift: int, old: set[Triple], new: set[Triple]
) -> None:
    """The blocks from place `start` up to `stop` (or the last) moved by `shift` places."""
    place = start
    while shift and (stop is None or place < stop) and (block := blocks.at(place)) is not None:
        old.add((iri(block), iri(BLOCK_PLACE), integer(place)))
        new.add((iri(block), iri(BLOCK_PLACE), integer(place + shift)))
        place += 1


class _StoredBlocks:
    """A list's blocks as stored, looked up by place as they are needed (a place is one index look-up)."""

    def __init__(self, store: ox.Store, iris: Iris, listing: Listing, touched: set[str]):
        self.store, self.iris, self.listing, self.touched = store, iris, listing, touched
        self.prefix = _block_prefix(iris, listing)
        self.blocks: dict[int, str | None] = {}
        self.first_keys: dict[int, Key] = {}

    def at(self, place: int) -> str | None:
        """The block at a place, None past the last."""
        if place not in self.blocks:
            self.blocks[place] = None
            graph = ox.NamedNode(self.iris.facts_graph)
            for q in quads_with(self.store, None, ox.NamedNode(BLOCK_PLACE), ox.Literal(place), graph):
                if text_of(q.subject).startswith(self.prefix):
                    self.blocks[place] = text_of(q.subject)
        return self.blocks[place]

    def count(self) -> int:
        """How many blocks: the last place that has one, found by doubling, then halving."""
        if self.at(1) is None:
            return 0
        low = 1
        while self.at(2 * low) is not None:
            low *= 2
        high = 2 * low  # at(low) is a block, at(high) none
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if self.at(middle) is not None else (low, middle)
        return low

    def starts_group(self, place: int) -> bool:
        block = self.at(place)
        return place == 1 or (
            block is not None and first_of(self.iris, self.listing, block) not in self.touched
        )

    def group_of(self, place: int) -> int:
        while not self.starts_group(place):
            place -= 1
        return place

    def group_end(self, group: int) -> int:
        """The place after the group's last block."""
        place = group + 1
        while self.at(place) is not None and not self.starts_group(place):
            place += 1
        return place

    def first_key(self, group: int) -> Key:
        if group not in self.first_keys:
            block = self.at(group)
            assert block is not None
            first = first_of(self.iris, self.listing, block)
            found = self.listing.least_keys(self.store, [first])
            if first not in found:
                raise _Stale(first)
            self.first_keys[group] = found[first]
        return self.first_keys[group]

    def landing(self, key: Key, count: int) -> int:
        """The group a node of this key joins: the last whose first node sorts before it; the first
        group when none does, or when the list is empty (then place 1, its blocks made anew)."""
        low, high = 1, count  # the group of `low` sorts before the key (or is the first)
        while low < high:
            middle = (low + high + 1) // 2
            group = self.group_of(middle)
            if group == 1 or self.first_key(group) < key:
                low = middle
            else:
                high = middle - 1
        return self.group_of(low)
