"""Who is who after some pages change, decided again only where the change reaches: the same people as
`identity.resolve` over every mention, at the cost of the part the changed pages touch.

Why a part suffices, phase by phase (kg.model.identity):

- The evidence steps (owners, papers, coauthors) and the loners make the *base groups*. Each only ever
  tries to join, or weighs against each other, mentions *linked*: compatible names beside one coauthor
  or on one paper, a profile's owner and the names on its listings compatible with theirs (or with their
  given names), and every mention of one printing's letters. So the base groups of an *evidence part*
  (mentions connected by links) are decided by that part alone, in the same order as in a whole run;
  only "is this paper on several pages" is counted over everything (`on_pages`).
- Variants then joins each base group owning no profile (and printing no short name) to the one other
  base group printing a name compatible with its names, read from the base groups alone. A group moves
  at most once and a group owning a profile never moves, so no two profiles ever meet in a move and the
  people are the connected sets of moves, whatever their order.
- A person's IRI is its main printing's slug, qualified by its anchor when another person has the same
  main printing.

So an update: finds the evidence parts the changed pages' new mentions are in, and those their old
mentions were in (and the mentions of the papers a changed page lists or no longer lists: their page
count changes); makes those parts' base groups again; decides again the moves of every base group of the people these touch and of the
groups printing a name compatible with the part's names (their moves read the part); joins the
unchanged people those moves reach whole; and names again the people whose main printing any of this
touches. Everything else keeps its stored person and base group.

It reads the stored mentions through an index (`Source`, kept in the support store by
kg.store.mention_index): the pages printing a printing's letters, listing a paper or naming a person,
the printings kept under the keys where a printing's compatible ones are (`name_match.sought_keys`),
the base groups printing some letters. So what an update reads follows the part its change reaches,
not the store; a part can still be large (a name printed on thousands of pages: all its mentions are
one part).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Protocol

from kg.model import evidence_alike
from kg.model.identity import (
    OWNER_LINE,
    UNKNOWN,
    WHOLE,
    BaseCode,
    Key,
    Mention,
    Stored,
    _context,
    _main_key,
    _Resolver,
    _short,
    person_slugs,
    variant_of,
)
from kg.model.name_match import (
    CompatibleIndex,
    compact,
    compatible,
    compatible_among,
    home_key,
    index_keys,
    same_given,
    sought_keys,
)
from kg.model.vocab import slug

Unit = tuple[str, object]  # ("g", base group) decided again, or ("p", person slug) kept whole


class _Links:
    """Mentions indexed by what links them (module docstring): by printing (and printings by their
    letters), by paper, by page."""

    def __init__(self, mentions: Iterable[Mention]):
        self.by_name: dict[str, list[Mention]] = defaultdict(list)
        self.by_paper: dict[str, list[Mention]] = defaultdict(list)
        self.by_page: dict[str, list[Mention]] = defaultdict(list)
        for m in mentions:
            self.by_name[m.name].append(m)
            if m.paper:
                self.by_paper[m.paper].append(m)
            self.by_page[m.page].append(m)
        self.names_by_letters: dict[str, list[str]] = defaultdict(list)
        for name in self.by_name:
            self.names_by_letters[compact(name)].append(name)

    def by_letters(self, letters: str) -> list[Mention]:
        return [m for name in self.names_by_letters.get(letters, ()) for m in self.by_name[name]]

    def named(self, name: str) -> Sequence[Mention]:
        return self.by_name.get(name, ())

    def named_beside(self, name: str, papers: Collection[str], beside: Collection[str]) -> Sequence[Mention]:
        """The mentions printing `name`, among them those on one of `papers` or beside a coauthor
        printing one of `beside`'s letters (`_context`)."""
        return self.by_name.get(name, ())

    def on_paper(self, paper: str) -> Sequence[Mention]:
        return self.by_paper.get(paper, ())

    def on_page(self, page: str) -> Sequence[Mention]:
        return self.by_page.get(page, ())


# --- the stored mentions, read as an update asks for them ------------------------------------------------

# What the index of the stored mentions holds (kg.store.mention_index keeps it): under a printing's
# letters, a paper and a person, the pages showing them; under a printing's letters also the base groups
# printing them; under each key of `name_match.index_keys`, the printings kept there (so that an update
# finds the printings compatible with one as `CompatibleIndex` does); under a person IRI's slug, the
# people whose IRI it begins.
LETTERS, PAPER, PERSON, COMPATIBLE, SLUG, PEOPLE = "l:", "p:", "s:", "c:", "n:", "w:"
PAGE_KEYS = (LETTERS, PAPER, PERSON)  # whose values are pages


def index_entries(m: Mention, person: str, base: BaseCode) -> Iterator[tuple[str, str]]:
    """The index entries (key, value) of one stored mention taken as `person`, in base group `base`."""
    letters = compact(m.name)
    yield LETTERS + letters, m.page
    if m.paper:
        yield PAPER + m.paper, m.page
    if person:
        yield PERSON + person, m.page
        yield PEOPLE + letters, group_text(person, base)
        yield SLUG + person.split("~", 1)[0], person
    for key in index_keys(m.name):
        yield COMPATIBLE + key, m.name


def group_text(person: str, base: BaseCode) -> str:
    """A stored base group as the index writes it: its person, and its first mention when the person
    is several groups."""
    return f"{person}\t{base[0]}\t{base[1]}\t{base[2]}" if isinstance(base, tuple) else person


def stored_group(s: Stored) -> object:
    """A stored mention's base group as `update` names it: its first mention, or its person when the
    person is one group."""
    return s.base if s.base != WHOLE else s.person


def group_of_text(text: str) -> tuple[object, str]:
    """(the base group as `update` names it, its person) of what `group_text` wrote."""
    person, *base = text.split("\t")
    return ((base[0], int(base[1]), int(base[2])) if base else person), person


class Source(Protocol):
    """Where the stored mentions are read from: the support store (kg.store.mention_index), or memory."""

    def lookup(self, key: str) -> Iterable[str]:
        """What the index holds under `key` (`index_entries`) of every stored mention, the changed
        pages' as they were stored among them."""

    def rows(self, page: str) -> Sequence[Stored]:
        """A stored page's mentions, with their people and base groups."""


class InMemory:
    """A `Source` over stored rows held in memory."""

    def __init__(self, rows: Iterable[Stored]):
        self.by_page: dict[str, list[Stored]] = defaultdict(list)
        self.index: dict[str, set[str]] = defaultdict(set)
        for s in rows:
            self.by_page[s.mention.page].append(s)
            for key, value in index_entries(s.mention, s.person, s.base):
                self.index[key].add(value)

    def lookup(self, key: str) -> Iterable[str]:
        return self.index.get(key, ())

    def rows(self, page: str) -> Sequence[Stored]:
        return self.by_page.get(page, ())


class Kept:
    """The stored mentions an update keeps (every page's but the changed ones', and the changed pages'
    mentions shown as stored), read from a `Source` as they are asked for: an update reads the pages its
    change reaches, not the store."""

    def __init__(self, source: Source, changed: set[str], same: Iterable[Stored]):
        self.source, self.changed = source, changed
        self.same = _Links(s.mention for s in same)
        self.stored: dict[Key, Stored] = {s.mention.key: s for s in same}
        self.same_people: dict[str, list[Stored]] = defaultdict(list)
        for s in same:
            self.same_people[s.person].append(s)
        self._pages: dict[str, Sequence[Stored]] = {}
        self._letters: dict[str, list[Mention]] = {}
        self._named: dict[str, list[Mention]] = {}
        self._papers: dict[str, list[Mention]] = {}
        self._members: dict[str, list[Stored]] = {}
        self._keys: dict[str, set[str]] = {}

    def page_rows(self, page: str) -> Sequence[Stored]:
        rows = self._pages.get(page)
        if rows is None:
            rows = () if page in self.changed else self.source.rows(page)
            self._pages[page] = rows
            for s in rows:
                self.stored[s.mention.key] = s
        return rows

    def _mentions(self, key: str, keep: Callable[[Mention], bool]) -> list[Mention]:
        return [
            s.mention for page in sorted(self._lookup(key)) for s in self.page_rows(page) if keep(s.mention)
        ]

    def by_letters(self, letters: str) -> list[Mention]:
        found = self._letters.get(letters)
        if found is None:
            found = self._mentions(LETTERS + letters, lambda m: compact(m.name) == letters)
            found += self.same.by_letters(letters)
            self._letters[letters] = found
        return found

    def named(self, name: str) -> list[Mention]:
        found = self._named.get(name)
        if found is None:
            found = self._named[name] = [m for m in self.by_letters(compact(name)) if m.name == name]
        return found

    def named_beside(self, name: str, papers: Collection[str], beside: Collection[str]) -> list[Mention]:
        """The mentions printing `name`, among them those on one of `papers` or beside a coauthor
        printing one of `beside`'s letters (`_context`): the pages read are those the index shows
        printing `name`'s letters and also listing a paper or printing a coauthor's letters."""
        if name in self._named:
            return self._named[name]
        pages = self._lookup(LETTERS + compact(name))
        near: set[str] = set()
        for paper in papers:
            near |= self._lookup(PAPER + paper) & pages
        for letters in beside:
            near |= self._lookup(LETTERS + letters) & pages
        found = [s.mention for page in sorted(near) for s in self.page_rows(page) if s.mention.name == name]
        return [*found, *self.same.named(name)]

    def pages_printing(self, letters: str) -> set[str]:
        """The kept pages printing these letters (the changed pages aside)."""
        return self._lookup(LETTERS + letters)

    def pages_listing(self, paper: str) -> set[str]:
        """The kept pages listing this paper (the changed pages aside)."""
        return self._lookup(PAPER + paper)

    def same_mentions(self) -> list[Mention]:
        """The changed pages' mentions shown as they were stored."""
        return [m for ms in self.same.by_page.values() for m in ms]

    def _lookup(self, key: str) -> set[str]:
        found = self._keys.get(key)
        if found is None:
            found = set(self.source.lookup(key))
            if key[:2] in PAGE_KEYS:
                found -= self.changed
            self._keys[key] = found
        return found

    def groups_printing(self, letters: str) -> dict[object, str]:
        """The base groups of the stored mentions printing these letters (as `update` names them), each
        with its person; the changed pages' as stored among them."""
        found = dict(group_of_text(text) for text in self._lookup(PEOPLE + letters))
        for m in self.same.by_letters(letters):
            s = self.stored[m.key]
            found[stored_group(s)] = s.person
        return found

    def printed(self, name: str) -> bool:
        """Whether a stored mention prints `name` (perhaps only a changed page's, as stored)."""
        key = home_key(name)
        return (key is not None and name in self._lookup(COMPATIBLE + key)) or bool(self.same.named(name))

    def on_paper(self, paper: str) -> list[Mention]:
        found = self._papers.get(paper)
        if found is None:
            found = self._mentions(PAPER + paper, lambda m: m.paper == paper)
            found += self.same.on_paper(paper)
            self._papers[paper] = found
        return found

    def on_page(self, page: str) -> list[Mention]:
        return [*(s.mention for s in self.page_rows(page)), *self.same.on_page(page)]

    def candidates(self, name: str) -> Iterator[Collection[str]]:
        """The stored printings kept under the keys where those compatible with `name` are
        (`name_match.sought_keys`), the changed pages' as stored among them."""
        return (self._lookup(COMPATIBLE + key) for key in sought_keys(name))

    def members(self, person: str) -> list[Stored]:
        """A person's kept mentions, as stored."""
        found = self._members.get(person)
        if found is None:
            pages = sorted(self._lookup(PERSON + person))
            found = [s for page in pages for s in self.page_rows(page) if s.person == person]
            found += self.same_people.get(person, [])
            self._members[person] = found
        return found

    def people_slugged(self, base: str) -> list[str]:
        """The kept people whose IRI segment is `base`, or `base` qualified."""
        named = {
            *self.source.lookup(SLUG + base),
            *(p for p in self.same_people if p.split("~", 1)[0] == base),
        }
        return sorted(p for p in named if self.members(p))


def _part(
    indexes: Sequence[_Links | Kept], seeds: Iterable[Mention], compatible_with: Callable[[str], set[str]]
) -> set[Mention]:
    """The evidence parts of `seeds` among the mentions `indexes` hold: every mention linked to them,
    and so on. Printings alike in letters are all reached at once; a printing's links are looked for
    once, for all its mentions together (they are all in one part): the mentions of each compatible
    printing that share a paper or a coauthor with one of them."""
    found = set(seeds)
    todo = list(found)
    letters_done: set[str] = set()
    printings_done: set[str] = set()

    def take(ms: Iterable[Mention]) -> None:
        for n in ms:
            if n not in found:
                found.add(n)
                todo.append(n)

    def owner_linked(name: str, owner: str) -> bool:
        return compact(owner) == compact(name) or compatible(name, owner) or same_given(name, owner)

    while todo:
        m = todo.pop()
        letters = compact(m.name)
        if letters not in letters_done:
            letters_done.add(letters)
            for index in indexes:
                take(index.by_letters(letters))
        if m.name not in printings_done:
            printings_done.add(m.name)
            mine = [x for index in indexes for x in index.named(m.name)]
            papers = {x.paper for x in mine if x.paper}
            beside = frozenset().union(*(_context(x) for x in mine))
            for other in compatible_with(m.name):
                for index in indexes:
                    take(
                        n
                        for n in index.named_beside(other, papers, beside)
                        if (n.paper and n.paper in papers) or not beside.isdisjoint(_context(n))
                    )
        # the owner step weighs a profile's owner and the names on its listings
        if m.rank == OWNER_LINE:
            for index in indexes:
                take(
                    n for n in index.on_page(m.page) if n.rank != OWNER_LINE and owner_linked(n.name, m.name)
                )
        elif m.owner and owner_linked(m.name, m.owner):  # the page's owner line, as `page_mentions` makes it
            take([Mention(m.page, OWNER_LINE, OWNER_LINE, m.owner, owner=m.owner)])
    return found


def seen(mentions: Sequence[Mention], elsewhere: Callable[[Mention], bool]) -> list[tuple[object, ...]]:
    """What deciding who is who reads of these mentions: all but the year, and the paper only when
    another page lists it too (`elsewhere(mention)`: the paper step joins names across pages alone).
    Pages whose mentions read alike before and after a change leave everyone as they were."""
    return [
        (m.key, m.name, m.paper if m.paper and elsewhere(m) else "", m.others, m.owner, m.complete)
        for m in mentions
    ]


@dataclass
class Update:
    """The people of the new mentions: `people[key]` and `bases[key]` (as stored: the base group's first
    mention, or WHOLE) for each mention whose person or base group is not what was stored (every new
    mention not shown as stored among them)."""

    people: dict[Key, str]
    bases: dict[Key, BaseCode]
    decided: int  # mentions whose base group was made again


def can_update(kept: Iterable[Stored]) -> bool:
    """Whether the stored rows hold what an update needs (a person and a base group for each)."""
    return all(s.person and s.base != UNKNOWN for s in kept)


def update(source: Source | Sequence[Stored], old: Sequence[Stored], new: Sequence[Mention]) -> Update:
    """The people after the mentions `old` (as stored) became `new`; `source`: the stored mentions,
    those of `old`'s and `new`'s pages aside (or every other stored mention, as a list). Equal to
    `identity.resolve` over the kept mentions and `new` (module docstring). A mention of `new` shown
    as it was stored is taken as kept: only the mentions that differ are where the change starts."""
    if isinstance(source, Sequence):
        source = InMemory(source)
    same = set(new) & {s.mention for s in old}
    listed_before = {(s.mention.page, s.mention.paper) for s in old if s.mention.paper}
    listed_now = {(m.page, m.paper) for m in new if m.paper}
    repaged = sorted({paper for _, paper in listed_before ^ listed_now})  # papers whose pages change
    changed_pages = {s.mention.page for s in old} | {m.page for m in new}
    kept = Kept(source, changed_pages, [s for s in old if s.mention in same])
    old = [s for s in old if s.mention not in same]
    new = [m for m in new if m not in same]
    new_links, old_links = _Links(new), _Links(s.mention for s in old)
    stored = kept.stored  # filled as the pages are read: every kept mention met is among them
    compatible_cache: dict[str, set[str]] = {}
    # the stored printings are read from the index under the keys sought; the changed pages' (new, as
    # stored, and shown as stored) are indexed here too, for a source that holds only the other pages'
    fresh = CompatibleIndex([*(m.name for m in new), *(s.mention.name for s in old), *kept.same.by_name])

    def compatible_with(name: str) -> set[str]:
        """The printings compatible with `name`, printed unlike it (some perhaps no longer shown)."""
        found = compatible_cache.get(name)
        if found is None:
            found = set(compatible_among(name, chain(kept.candidates(name), fresh.candidates(name))))
            compatible_cache[name] = found
        return found

    # 0. a change that prints every name as it was and leaves every evidence group as it was leaves
    # everyone as they were (kg.model.evidence_alike): only its clusters are read
    read = evidence_alike.unchanged(kept, [s.mention for s in old], new, repaged, compatible_with)
    if read is not None:
        was = {s.mention.key: s for s in old}
        return Update({m.key: was[m.key].person for m in new}, {m.key: was[m.key].base for m in new}, read)

    # 1. the evidence parts the change reaches, made again
    old_mentions = {s.mention for s in old}
    was_reached = _part([kept, old_links], old_mentions, compatible_with)
    seeds = set(new) | {m for m in was_reached if m.key in stored and m not in old_mentions}
    for paper in repaged:  # the evidence of a paper counts its pages
        seeds.update(kept.on_paper(paper))
    part = _part([kept, new_links], seeds, compatible_with)

    def on_pages(paper: str) -> int:
        return len({m.page for m in [*kept.on_paper(paper), *new_links.on_paper(paper)]})

    resolver = _Resolver(part, on_pages, explain=False)  # who, not why
    resolver.base_groups()
    base_of: dict[Mention, Key] = {}  # the mentions of the part
    part_groups: dict[object, list[Mention]] = {}
    for ms in resolver.groups().values():
        part_groups[ms[0].key] = ms
        for m in ms:
            base_of[m] = ms[0].key

    # the base groups of the mentions outside the part, as stored
    members = kept.members

    def group_of(m: Mention) -> object:
        if m in base_of:
            return base_of[m]
        return stored_group(stored[m.key])

    # 2. the base groups whose moves are decided again: those of the people the part touches, and
    # those printing a name compatible with one of the part's (old or new)
    # Every kept and new mention printing letters the part prints is in the part (`_part`). Of other
    # letters, the index (which holds the changed pages as stored) says what is kept now, but for
    # those a changed page printed: those are read from the kept pages.
    part_letters: dict[str, list[Mention]] = defaultdict(list)
    for m in part:
        part_letters[compact(m.name)].append(m)
    old_letters = {compact(s.mention.name) for s in old}

    def printed_now(name: str) -> bool:
        letters = compact(name)
        if letters in part_letters:
            return any(m.name == name for m in part_letters[letters])
        if letters in old_letters:
            return bool(kept.named(name))
        return kept.printed(name)

    def groups_printing(letters: str) -> dict[object, str]:
        """The stored base groups of the kept mentions printing these letters (not in the part), each
        with its person."""
        if letters in old_letters:
            return {group_of(m): stored[m.key].person for m in kept.by_letters(letters)}
        return kept.groups_printing(letters)

    def compatible_now(name: str) -> set[str]:
        """The printings shown now compatible with `name` (a printing gone may share letters with one
        shown, so it must not count)."""
        return {n for n in compatible_with(name) if printed_now(n)}

    touched = {stored[m.key].person for m in part if m.key in stored} | {s.person for s in old}
    for printing in {m.name for m in part} | {s.mention.name for s in old}:
        for other in compatible_with(printing):
            letters = compact(other)
            if letters not in part_letters:  # else their people are the part's
                touched.update(groups_printing(letters).values())
    groups: dict[object, list[Mention]] = {**part_groups}  # the base groups decided again
    for person in sorted(touched):
        for s in members(person):
            if s.mention not in base_of:
                groups.setdefault(group_of(s.mention), []).append(s.mention)

    person_of: dict[object, str] = {}  # the person of each stored base group read as a holder

    holders: dict[str, set[object]] = {}  # a printing's letters -> the groups printing them, once asked

    def holders_of(letters: str) -> set[object]:
        found = holders.get(letters)
        if found is None:
            if letters in part_letters:
                found = {base_of[m] for m in part_letters[letters]}
            else:  # as stored (a new mention is in the part)
                stored_groups = groups_printing(letters)
                person_of.update(stored_groups)
                found = set(stored_groups)
            holders[letters] = found
        return found

    def members_of(group: object) -> list[Mention]:
        if group in groups:
            return groups[group]
        return [s.mention for s in members(person_of[group]) if group_of(s.mention) == group]

    def unit(group: object) -> Unit:
        return ("g", group) if group in groups else ("p", person_of[group])

    parent: dict[Unit, Unit] = {}
    reached: set[str] = set()  # unchanged people a move joins

    def find(u: Unit) -> Unit:
        while parent.get(u, u) != u:
            u = parent[u]
        return u

    for g, ms in groups.items():
        mine = {m.name for m in ms}
        if any(m.rank == OWNER_LINE for m in ms) or any(_short(n) for n in mine):
            continue
        moved = variant_of(mine, g, holders_of, compatible_now)
        if moved is None or any(_short(m.name) for m in members_of(moved[0])):
            continue
        target = unit(moved[0])
        if target[0] == "p":
            reached.add(str(target[1]))
        a, b = find(("g", g)), find(target)
        if a != b:
            parent[a] = b

    # 3. the people: the moves' connected sets, named again where their main printing is touched
    people_of_unit: dict[Unit, list[Mention]] = defaultdict(list)
    for g, ms in groups.items():
        people_of_unit[find(("g", g))].extend(ms)
    for person in sorted(reached):
        people_of_unit[find(("p", person))].extend(s.mention for s in members(person))
    touched |= reached
    changed = [(_main_key(ms), ms) for ms in people_of_unit.values()]

    keys = {key for key, _ in changed}
    old_of: dict[str, list[Mention]] = defaultdict(list)
    for s in old:
        old_of[s.person].append(s.mention)
    for person in touched:  # their main printing before: the people sharing it may be named otherwise
        ms = [s.mention for s in members(person)] + old_of.get(person, [])
        if ms:
            keys.add(_main_key(ms))
    wanted = {slug(key): key for key in sorted(keys)}
    unchanged: dict[str, list[str]] = {}  # a touched main printing -> unchanged people
    for base, key in wanted.items():
        unchanged[key] = [p for p in kept.people_slugged(base) if p not in touched]
    result = Update({}, {}, len(part))
    new_mentions = set(new)

    def first_key(group: object) -> Key:
        if isinstance(group, tuple):
            return group
        return min(m.key for m in members_of(group))

    by_key: dict[str, list[list[Mention]]] = defaultdict(list)  # the people of each touched printing
    for key, ms in changed:
        by_key[key].append(ms)
    for key, persons in unchanged.items():
        by_key[key] += [[s.mention for s in members(person)] for person in persons]
    for key, people in by_key.items():
        for node, ms in zip(person_slugs(key, people), people, strict=True):
            several = len({group_of(m) for m in ms}) > 1
            for m in ms:
                code: BaseCode = first_key(group_of(m)) if several else WHOLE
                row = stored.get(m.key) if m not in new_mentions else None
                if row is None or row.person != node or row.base != code:
                    result.people[m.key] = node
                    result.bases[m.key] = code
    return result
