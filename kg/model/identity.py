"""Who is who: the people behind the names the pages show, decided from the evidence on all pages.

A person is a set of name mentions (a name shown on a listing, or a profile's owner line). The build
collects every page's mentions (`page_mentions`, kept per page in the support database so an unchanged
page is not read again), then `resolve` clusters them all at once (ontology/README.md, People from
evidence):

1. Evidence joins mentions whose names are compatible (`compatible`): a profile's owner is the name on
   each of its listings compatible with theirs (or, on a complete list without one, the one name with
   their given names); the same paper on several pages; a shared coauthor (a name on the listing, or
   the page's owner). The owner step ties each profile to its own listings; the other two link
   mentions into clusters, and a cluster tied to several profiles is shared out among them, each
   mention to the profile fewest links away (as near two: apart from both, and said why), so two
   profiles are never one person by evidence, whatever order the links are found in.
2. What evidence leaves alone is decided by name, precision first: a group is the owner of the one
   profile printing its name (letters alike); when several profiles print it, it is kept apart and
   reported (`Resolution.ambiguous`); otherwise one name is one person, but for short names (two words
   of at most SHORT_LETTERS letters), whose lone mentions only join the one group evidence made of them;
   and a longer name only one other group prints compatibly is that group's.
3. Each group gets an IRI segment (`Resolution.iri_of`): the slug of its main printing, alone when no
   other group's main printing is the same, else qualified by its anchor (its first profile, or its
   first mention), so pages that print none of a person's names never change their IRI.

Name compatibility is a rule about kinds of names, never a list of names: accents, case, dots, hyphens
and nicknames aside, an initial matches a given name with that letter; given names may be dropped
(middle names, or a leading given name), joined (`Engsiong` = `Eng Siong`) or hyphenated; the family
name may come first or last, and a second family name may be dropped. Every join needs compatible names (or
letters alike), which is what lets an update decide again only the part its pages reach
(kg.model.identity_update).
"""

from __future__ import annotations

import json
import pickle
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from kg.model import clusters
from kg.model.clusters import Union
from kg.model.name_match import (
    CompatibleIndex,
    compact,
    compatible,
    compatible_pairs,
    same_given,
    words,
)
from kg.model.vocab import identity_key, slug

if TYPE_CHECKING:
    from kg.reading.records import ParsedPage

SHORT_LETTERS = 7  # a two-word printing of at most this many letters is a short name (module docstring)
OWNER_LINE = 0  # the line and rank of a profile's owner line, as a mention
G = TypeVar("G")  # a group of mentions, however named


class Mention(NamedTuple):
    """A name shown on a page: on a listing (line, rank 1-3) or the owner line (0, 0). A tuple: a build
    holds one for every name every page shows (a million at 20,000 pages), made fast and kept small."""

    page: str  # the page id
    line: int
    rank: int
    name: str
    paper: str = ""  # the identity key of the listing's title
    others: tuple[str, ...] = ()  # the other names shown on the listing
    owner: str = ""  # the page's owner, for a profile
    year: int = 0
    complete: bool = False  # the listing shows every author (no ` et al.`)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.page, self.line, self.rank)

    def to_json(self) -> list[object]:
        return [
            self.line,
            self.rank,
            self.name,
            self.paper,
            list(self.others),
            self.owner,
            self.year,
            self.complete,
        ]

    @classmethod
    def from_json(cls, page: str, data: list[Any]) -> Mention:  # a row as json.loads gives it
        line, rank, name, paper, others, owner, year, complete = data
        return cls(page, line, rank, name, paper, tuple(others), owner, year, complete)


class Packed(NamedTuple):
    """A page's mentions as one pickled value. A build holds every page's mentions from the names pass
    until who is who is decided (985,719 at 20,000 generated pages: 294 MB as objects, 67 MB packed),
    and the child that clusters them would copy every object it touches; packed, the build holds less
    than a quarter of that, and only the child makes the objects."""

    size: int  # how many
    data: bytes

    @classmethod
    def of(cls, mentions: list[Mention]) -> Packed:
        return cls(len(mentions), pickle.dumps(mentions, protocol=pickle.HIGHEST_PROTOCOL))

    def unpack(self) -> list[Mention]:
        mentions: list[Mention] = pickle.loads(self.data)  # made by `of`, in this build's processes
        return mentions


def unpacked(pages: Iterable[Packed]) -> list[Mention]:
    """Every mention of these pages, in their order."""
    return [m for packed in pages for m in packed.unpack()]


def page_mentions(page_id: str, parsed: ParsedPage) -> list[Mention]:
    """Every name a parsed page (kg.records.ParsedPage) shows, with what its listing shows beside it."""
    owner = parsed.page.owner or ""
    out = []
    if owner:
        out.append(Mention(page_id, OWNER_LINE, OWNER_LINE, owner, owner=owner))
    for listing in parsed.listings:
        paper = identity_key(listing.title)
        for rank, name in enumerate(listing.authors, start=1):
            others = tuple(n for n in listing.authors if n != name)
            out.append(
                Mention(
                    page_id,
                    listing.line,
                    rank,
                    name,
                    paper,
                    others,
                    owner,
                    listing.date.year,
                    not listing.authors_truncated,
                )
            )
    return out


Key = tuple[str, int, int]  # a mention's page, line and rank
BaseCode = Key | int  # a mention's base group as stored: its first mention, or WHOLE (below)
WHOLE = 0  # the base group is the whole person (the person was made by evidence and name alone)
UNKNOWN = -1  # a row written before base groups were kept


def dumps(
    mentions: Sequence[Mention], people: dict[tuple[int, int], str], bases: dict[tuple[int, int], Key]
) -> str:
    """A page's mentions, the person each was taken as and its base group (`Resolution.base_code`), as
    kept in the support store."""
    rows = [
        [*m.to_json(), people.get((m.line, m.rank), ""), list(bases.get((m.line, m.rank), ())) or WHOLE]
        for m in mentions
    ]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def loads(page: str, text: str) -> list[tuple[Mention, str]]:
    """What `dumps` wrote: (mention, its person's IRI segment) pairs."""
    return [(m, person) for m, person, _ in load_rows(page, text)]


class Stored(NamedTuple):
    """A mention as the last build kept it: the person it was taken as, and its base group."""

    mention: Mention
    person: str
    base: BaseCode  # WHOLE, the first mention of its base group, or UNKNOWN


def load_rows(page: str, text: str) -> list[Stored]:
    """What `dumps` wrote, each mention with its person's IRI segment and its base code (UNKNOWN when
    not kept)."""
    out = []
    for row in json.loads(text):
        mention = Mention(page, row[0], row[1], row[2], row[3], tuple(row[4]), row[5], row[6], row[7])
        base = row[9] if len(row) == 10 else UNKNOWN
        out.append(Stored(mention, row[8], tuple(base) if isinstance(base, list) else base))
    return out


# --- clustering ---------------------------------------------------------------------------------------


@dataclass
class Decision:
    """Why two groups of mentions are one person, or why one was left apart."""

    kind: str  # "owner", "paper", "coauthor", "attached", "ambiguous", "kept apart"
    names: tuple[str, str]
    detail: str


@dataclass
class Resolution:
    """The person of every mention: `iri_of[mention key]` is the slug path under person/; the base group
    of every mention (what evidence and names made, before variants joined groups): `base_of[mention
    key]` is the group's first mention, kept so that an update decides again only what a change reaches
    (kg.model.identity_update)."""

    iri_of: dict[Key, str] = field(default_factory=dict)
    base_of: dict[Key, Key] = field(default_factory=dict)
    decisions: dict[str, list[Decision]] = field(default_factory=dict)  # by person slug
    ambiguous: list[tuple[str, list[str], list[Mention]]] = field(default_factory=list)

    def base_codes(self) -> dict[Key, Key]:
        """The base group of each mention of a person made of several (the others are WHOLE)."""
        return base_codes(self.iri_of, self.base_of)


def base_codes(iri_of: dict[Key, str], base_of: dict[Key, Key]) -> dict[Key, Key]:
    """What is stored of each mention's base group: nothing (WHOLE) when its person is one base group,
    else the group's first mention."""
    bases_of_person: dict[str, set[Key]] = defaultdict(set)
    for key, person in iri_of.items():
        bases_of_person[person].add(base_of[key])
    return {key: base_of[key] for key, person in iri_of.items() if len(bases_of_person[person]) > 1}


def resolve(
    mentions: Iterable[Mention],
    explain: bool = True,
    printings: Callable[[CompatibleIndex], None] | None = None,
) -> Resolution:
    """Cluster every mention into people (module docstring) and name each person; with `explain`, keep
    why (`Resolution.decisions`): one Decision a join, a third of the memory at 20,000 pages.
    `printings(index)` is given the index of every printing that finding variants made, once they are
    found and before the people are named (the store keeps its keys for updates, kg.store.mention_index:
    so it is made once, and not held while the people are named)."""
    resolver = _Resolver(mentions, explain=explain)
    resolver.printings = printings
    return resolver.run()


class _Resolver:
    def __init__(
        self,
        mentions: Iterable[Mention],
        on_pages: Callable[[str], int] | None = None,
        explain: bool = True,
    ):
        """`on_pages(paper)`: on how many pages a paper is, when these mentions are part of a bigger whole
        (kg.model.identity_update); counted among these mentions by default. `explain`: keep each
        decision (`resolve`)."""
        self.mentions = sorted(mentions, key=lambda m: m.key)
        self.on_pages = on_pages
        self.explain = explain
        self.keys = [m.key for m in self.mentions]  # one tuple a mention, shared by every map made here
        self.at = {key: n for n, key in enumerate(self.keys)}
        self.uf = Union(len(self.mentions))
        self.decisions: list[tuple[tuple[str, int, int], Decision]] = []
        self.owned: dict[int, set[str]] = {}  # group root -> the profiles it owns
        self.ambiguous: list[tuple[str, list[int], list[Mention]]] = []
        self.printings: Callable[[CompatibleIndex], None] | None = None  # given the variants' index
        for m in self.mentions:
            if m.rank == OWNER_LINE:
                self.owned[self.at[m.key]] = {m.page}

    def join(self, a: Mention, b: Mention, kind: str, detail: str | Callable[[], str]) -> bool:
        """One person from two groups, unless both own profiles (two profiles are two people)."""
        uf = self.uf
        ra, rb = uf.find(self._place(a)), uf.find(self._place(b))
        if ra == rb or (self.owned.get(ra) and self.owned.get(rb)):
            return False
        mine = self.owned.pop(ra, set()) | self.owned.pop(rb, set())
        uf.union(ra, rb)
        if mine:
            self.owned[uf.find(ra)] = mine
        if self.explain:
            said = detail if isinstance(detail, str) else detail()  # told only for a join made
            self.decisions.append((a.key, Decision(kind, (a.name, b.name), said)))
        return True

    def _place(self, m: Mention) -> int:
        return self.at[(m.page, m.line, m.rank)]  # m.key, without the property's call

    def groups(self) -> dict[int, list[Mention]]:
        out: dict[int, list[Mention]] = defaultdict(list)
        for n, m in enumerate(self.mentions):
            out[self.uf.find(n)].append(m)
        return out

    def run(self) -> Resolution:
        self.base_groups()
        keys, find = self.keys, self.uf.find
        base_of = {key: keys[find(n)] for n, key in enumerate(keys)}  # a group's root is its first mention
        self.variants()
        resolution = self.named()
        resolution.base_of = base_of
        return resolution

    def base_groups(self) -> None:
        """The groups evidence and names make (the steps that only ever read their own evidence part,
        kg.model.identity_update)."""
        self.evidence()
        self.loners()

    def evidence(self) -> None:
        """The groups evidence makes. The owner step ties each profile to its own listings; the paper and
        coauthor steps link the other mentions into clusters. A cluster tied to one profile is that
        profile's owner; tied to several, it is shared out: each mention goes to the profile it is
        fewest links from (over the links that made the cluster), and mentions as near one profile as
        another stay apart from all of them. So no two profiles are ever one person by evidence, and
        the groups do not depend on the order the links were found in, only on the links."""
        size = len(self.mentions)
        self.linked = Union(size)
        self.tree: tuple[array[int], array[int]] = (array("i"), array("i"))  # the links that joined clusters
        self.sources: dict[int, int] = {}  # a profile's listing mention -> the profile's owner line
        self.said: list[tuple[int, int, Decision]] = []
        self.owners()
        self.papers()
        self.coauthors()
        self._share()
        del self.linked, self.tree, self.sources, self.said

    def link(self, a: Mention, b: Mention, kind: str, detail: str | Callable[[], str]) -> None:
        """Evidence that `a` and `b` are one person: the owner step's (`a` the owner line) or a link."""
        pa, pb = self._place(a), self._place(b)
        if kind == "owner":
            self.sources[pb] = pa
        elif self.linked.union(pa, pb):
            self.tree[0].append(pa)
            self.tree[1].append(pb)
        else:
            return
        if self.explain:
            said = detail if isinstance(detail, str) else detail()
            self.said.append((pa, pb, Decision(kind, (a.name, b.name), said)))

    def _share(self) -> None:
        """The groups of the links and profiles found (`evidence`)."""
        linked, uf = self.linked, self.uf
        profiles: dict[int, set[int]] = defaultdict(set)  # a cluster -> the owner lines tied to it
        for x, owner in self.sources.items():
            profiles[linked.find(x)].add(owner)
        shared = {cluster for cluster, owners in profiles.items() if len(owners) > 1}
        near: dict[int, list[int]] = defaultdict(list)  # the links of the shared clusters
        for a, b in zip(*self.tree, strict=True):
            if shared and linked.find(a) in shared:
                near[a].append(b)
                near[b].append(a)
            else:
                uf.union(a, b)
        nearest = clusters.nearest(near, {x: o for x, o in self.sources.items() if linked.find(x) in shared})
        for a, b in zip(*self.tree, strict=True):
            if a in nearest and nearest[a] == nearest[b]:
                uf.union(a, b)
        for x, owner in self.sources.items():
            uf.union(owner, x)
        self.owned = {uf.find(n): {m.page} for n, m in enumerate(self.mentions) if m.rank == OWNER_LINE}
        if not self.explain:
            return
        for a, b, decision in self.said:
            if uf.find(a) == uf.find(b):
                self.decisions.append((self.keys[a], decision))
            else:  # a link between two profiles' shares, or beside one as near as another
                first, second = decision.names
                detail = f'{decision.detail}, but "{first}" {self._where(nearest[a])} and "{second}" {self._where(nearest[b])}'
                said = Decision("apart", decision.names, detail)
                self.decisions += [(self.keys[a], said), (self.keys[b], said)]  # told on both sides

    def _where(self, owner: int) -> str:
        if owner == clusters.CONTESTED:
            return "is as near one profile as another"
        return f"is nearest the profile {self.mentions[owner].page}"

    def owners(self) -> None:
        """A profile's owner is the name compatible with theirs on each of its listings."""
        owner_of_page = {m.page: m for m in self.mentions if m.rank == OWNER_LINE}
        by_listing: dict[tuple[str, int], list[Mention]] = defaultdict(list)
        for m in self.mentions:
            if m.rank != OWNER_LINE and m.page in owner_of_page:
                by_listing[(m.page, m.line)].append(m)
        for (page, line), shown in by_listing.items():
            owner = owner_of_page[page]
            exact = [m for m in shown if identity_key(m.name) == identity_key(owner.name)]
            loose = exact or [m for m in shown if compatible(m.name, owner.name)]
            if len(loose) == 1:
                self.link(
                    owner, loose[0], "owner", f"{page}:{line}: a listing on the profile of {owner.name}"
                )
            elif not loose and shown[0].complete:
                # every author shown and none prints the owner's name: the owner under another family name
                renamed = [m for m in shown if same_given(m.name, owner.name)]
                if len(renamed) == 1:
                    detail = f"{page}:{line}: every author shown on the profile of {owner.name}, and one with their given names"
                    self.link(owner, renamed[0], "owner", detail)

    def papers(self) -> None:
        """The same paper on several pages: compatible names on its listings are one person."""
        by_paper: dict[str, list[Mention]] = defaultdict(list)
        for m in self.mentions:
            if m.paper:
                by_paper[m.paper].append(m)
        for paper, found in by_paper.items():
            on_pages = self.on_pages(paper) if self.on_pages else len({m.page for m in found})
            if on_pages > 1:
                self._alike(
                    found, lambda a, b: f"one paper on {a.page}:{a.line} and {b.page}:{b.line}", "paper"
                )

    def coauthors(self) -> None:
        """Mentions with compatible names beside the same coauthor (a name on their listing, or their
        page's owner) are one person."""
        beside: dict[str, list[Mention]] = defaultdict(list)
        for m in self.mentions:
            for other in _context(m):
                beside[other].append(m)
        for other in sorted(beside):

            def detail(a: Mention, b: Mention, o: str = other) -> str:
                return f"both beside {_printed(a, o)}"

            self._alike(beside[other], detail, "coauthor")

    def _alike(self, found: list[Mention], detail: Callable[[Mention, Mention], str], kind: str) -> None:
        """Join the mentions among `found` whose names are compatible (on other listings)."""
        by_name: dict[str, list[Mention]] = defaultdict(list)
        for m in found:
            by_name[compact(m.name)].append(m)
        for same in by_name.values():
            for m in same[1:]:
                if (m.page, m.line) != (same[0].page, same[0].line):
                    self.link(same[0], m, kind, partial(detail, same[0], m))
        if len(by_name) < 2:
            return
        printed = {m.name: m for m in found}
        for name, other in compatible_pairs(printed):
            m, n = printed[name], printed[other]
            if (m.page, m.line) != (n.page, n.line):
                self.link(m, n, kind, partial(detail, m, n))

    def loners(self) -> None:
        """Groups owning no profile: attached to the one profile printing their name (letters alike);
        apart when several profiles print it; else one person per printing, but for short names."""
        grouped = self.groups()
        holders: dict[str, set[int]] = defaultdict(set)
        rest: dict[str, list[int]] = defaultdict(list)
        for g, ms in grouped.items():
            if self.owned.get(g):
                for m in ms:
                    holders[compact(m.name)].add(g)
            else:
                rest[Counter(compact(m.name) for m in ms).most_common(1)[0][0]].append(g)
        for key, loose in sorted(rest.items()):
            candidates = sorted(holders.get(key, ()))
            if len(candidates) == 1:
                for g in loose:
                    owner = grouped[candidates[0]][0]
                    detail = f'{owner.page} is the only profile printing "{grouped[g][0].name}"'
                    self.join(grouped[g][0], owner, "attached", detail)
            elif candidates:
                self.ambiguous.append((key, candidates, [grouped[g][0] for g in loose]))
            elif _short(grouped[loose[0]][0].name):
                # a short name is printed by many people: a lone mention joins the one group that
                # evidence made of it; without one, or with several, each stays apart
                big = [g for g in loose if len(grouped[g]) > 1]
                lone = [g for g in loose if len(grouped[g]) == 1]
                if len(big) == 1:
                    detail = f'the only person printing the short name "{grouped[big[0]][0].name}" on several listings'
                    for g in lone:
                        self.join(grouped[g][0], grouped[big[0]][0], "attached", detail)
                elif len(loose) > 1:
                    self.ambiguous.append((key, big, [grouped[g][0] for g in lone]))
            else:
                for g in loose[1:]:
                    name = grouped[loose[0]][0].name
                    self.join(
                        grouped[loose[0]][0],
                        grouped[g][0],
                        "name",
                        f'both print "{name}", and nobody else does',
                    )

    def variants(self) -> None:
        """A group owning no profile whose names only one other group prints compatibly (`Kwoh Chee
        Keong`, `Chee Keong Kwoh`) is that group's person, unless either prints a short name."""
        grouped = self.groups()
        holders: dict[str, set[int]] = defaultdict(set)  # printing's letters -> groups
        for g, ms in grouped.items():
            for m in ms:
                holders[compact(m.name)].add(g)
        # built here, not before the base groups: the two are never needed at once
        index = CompatibleIndex(m.name for m in self.mentions)
        moves = []
        for g, ms in sorted(grouped.items()):
            mine = {m.name for m in ms}
            if self.owned.get(g) or any(_short(n) for n in mine):
                continue
            found = variant_of(mine, g, lambda key: holders.get(key, set()), index.compatible_with)
            if found is not None:
                h, name, other = found
                if not any(_short(m.name) for m in grouped[h]):
                    moves.append(
                        (ms[0], next(m for m in grouped[h] if compact(m.name) == compact(other)), name)
                    )
        if self.printings is not None:
            self.printings(index)
        del index  # not held while the people are named
        for a, b, name in moves:
            self.join(a, b, "variant", f"the only person printing a name compatible with {name!r}")

    def named(self) -> Resolution:
        """Each person's IRI segment: their main printing's slug, qualified by their anchor when
        another person's main printing is the same."""
        grouped = self.groups()
        resolution = Resolution()
        main_key = {g: _main_key(ms) for g, ms in grouped.items()}
        sharing_key: dict[str, list[int]] = defaultdict(list)
        for g in grouped:
            sharing_key[main_key[g]].append(g)
        slug_of = {}
        for key, gs in sharing_key.items():
            for g, node in zip(gs, person_slugs(key, [grouped[g] for g in gs]), strict=True):
                slug_of[g] = node
                for m in grouped[g]:
                    resolution.iri_of[self.keys[self._place(m)]] = node
        sharing: dict[str, list[str]] = defaultdict(list)  # main printing's key -> the people's slugs
        for g in grouped:
            sharing[main_key[g]].append(slug_of[g])
        for g, ms in grouped.items():
            others = sorted(n for n in sharing[main_key[g]] if n != slug_of[g])
            if others and self.explain:
                name = next((m.name for m in ms if identity_key(m.name) == main_key[g]), ms[0].name)
                detail = f"{len(others)} other person(s) print it, with no paper or coauthor in common: {', '.join(others)}"
                self.decisions.append((ms[0].key, Decision("apart", (name, name), detail)))
        for where, decision in self.decisions:
            resolution.decisions.setdefault(slug_of[self.uf.find(self.at[where])], []).append(decision)
        for name_key, candidates, singles in self.ambiguous:
            resolution.ambiguous.append((name_key, [slug_of[self.uf.find(c)] for c in candidates], singles))
        return resolution


def variant_of(
    mine: set[str], me: G, holders: Callable[[str], set[G]], compatible_with: Callable[[str], Iterable[str]]
) -> tuple[G, str, str] | None:
    """The one other group printing a name compatible with one of `mine` (a group's printings), with the
    first such (name, other printing) in order, the name itself first; None when none or several do.
    `holders(letters)`: the groups printing a printing's letters."""
    near: dict[G, tuple[str, bool, str]] = {}
    for name in sorted(mine):
        for other in chain((name,), compatible_with(name)):
            for h in holders(compact(other)):
                if h != me:
                    found = (name, other != name, other)
                    near[h] = min(near.get(h, found), found)
            if len(near) > 1:  # a short printing is compatible with a whole block: stop at two groups
                return None
    if not near:
        return None
    ((h, (name, _, other)),) = near.items()
    return h, name, other


@lru_cache(maxsize=1 << 16)
def _context_of(name: str, others: tuple[str, ...], owner: str) -> frozenset[str]:
    found = {compact(n) for n in others}
    if owner:
        found.add(compact(owner))
    found.discard(compact(name))
    return frozenset(found)


def _context(m: Mention) -> frozenset[str]:
    """The coauthors a mention shows beside it (their letters): the other names on its listing and the
    page's owner."""
    return _context_of(m.name, m.others, m.owner if m.rank != OWNER_LINE else "")


def _printed(m: Mention, key: str) -> str:
    """The printing behind a coauthor's letters (`_context`), as the mention's listing shows it."""
    for name in (*m.others, m.owner):
        if name and compact(name) == key:
            return f'"{name}" ({m.page}:{m.line})'
    return key


def _short(name: str) -> bool:
    """Two words of few letters (`Wei Wang`): a name many people print, so never enough alone."""
    ws = words(name)
    return len(ws) <= 2 and len(compact(name)) <= SHORT_LETTERS


def _main_key(ms: list[Mention]) -> str:
    """The printing a person's IRI is made of: their profile's owner line, else their most printed key."""
    owned = sorted((m.page, m.name) for m in ms if m.rank == OWNER_LINE)
    if owned:
        return identity_key(owned[0][1])
    counts = Counter(identity_key(m.name) for m in ms)
    return min(counts, key=lambda k: (-counts[k], -len(k), k))


def person_slugs(key: str, people: list[list[Mention]]) -> list[str]:
    """The IRI segments of the people whose main printing is `key`: its slug, qualified by each one's
    anchor when there are several, and by the rank of their first mention when two are first shown on
    one listing (a paper by two authors printing one name)."""
    if len(people) == 1:
        return [slug(key)]
    anchors = [_anchor(ms) for ms in people]
    twice = {a for a, n in Counter(anchors).items() if n > 1}
    return [
        f"{slug(key)}~{a}" + (f"~{min(ms, key=lambda m: m.key).rank}" if a in twice else "")
        for a, ms in zip(anchors, people, strict=True)
    ]


def _anchor(ms: list[Mention]) -> str:
    """What tells a person apart from others printing their name: their first profile, else their first
    mention (page and line)."""
    owned = sorted(m.page for m in ms if m.rank == OWNER_LINE)
    if owned:
        return owned[0]
    first = min(ms, key=lambda m: m.key)
    return f"{first.page}~{first.line}"
