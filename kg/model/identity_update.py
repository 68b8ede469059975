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
mentions were in (and the mentions of their papers, whose page count may change); makes those parts'
base groups again; decides again the moves of every base group of the people these touch and of the
groups printing a name compatible with the part's names (their moves read the part); joins the
unchanged people those moves reach whole; and names again the people whose main printing any of this
touches. Everything else keeps its stored person and base group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

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
from kg.model.name_match import CompatibleIndex, compact, compatible, same_given
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


def _part(
    indexes: Sequence[_Links], seeds: Iterable[Mention], compatible_with: Callable[[str], set[str]]
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
            mine = [x for index in indexes for x in index.by_name.get(m.name, ())]
            papers = {x.paper for x in mine if x.paper}
            beside = frozenset().union(*(_context(x) for x in mine))
            for other in compatible_with(m.name):
                for index in indexes:
                    take(
                        n
                        for n in index.by_name.get(other, ())
                        if (n.paper and n.paper in papers) or not beside.isdisjoint(_context(n))
                    )
        for index in indexes:  # the owner step weighs a profile's owner and the names on its listings
            on_page = index.by_page.get(m.page, ())
            if m.rank == OWNER_LINE:
                take(n for n in on_page if n.rank != OWNER_LINE and owner_linked(n.name, m.name))
            elif m.owner:
                take(n for n in on_page if n.rank == OWNER_LINE and owner_linked(m.name, n.name))
    return found


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


def update(kept: Sequence[Stored], old: Sequence[Stored], new: Sequence[Mention]) -> Update:
    """The people after the mentions `old` (as stored) became `new`; `kept`: every other stored mention.
    Equal to `identity.resolve` over `kept` and `new` (module docstring). A mention of `new` shown
    as it was stored is taken as kept: only the mentions that differ are where the change starts."""
    same = set(new) & {s.mention for s in old}
    kept = [*kept, *(s for s in old if s.mention in same)]
    old = [s for s in old if s.mention not in same]
    new = [m for m in new if m not in same]
    kept_links = _Links(s.mention for s in kept)
    new_links, old_links = _Links(new), _Links(s.mention for s in old)
    stored = {s.mention.key: s for s in kept}
    index = CompatibleIndex([*kept_links.by_name, *new_links.by_name, *old_links.by_name])
    compatible_cache: dict[str, set[str]] = {}

    def compatible_with(name: str) -> set[str]:
        """The printings compatible with `name`, printed unlike it."""
        found = compatible_cache.get(name)
        if found is None:
            letters = compact(name)
            found = {n for n in index.candidates(name) if compact(n) != letters and compatible(name, n)}
            compatible_cache[name] = found
        return found

    # 1. the evidence parts the change reaches, made again
    old_mentions = {s.mention for s in old}
    was_reached = _part([kept_links, old_links], old_mentions, compatible_with)
    seeds = set(new) | {m for m in was_reached if m.key in stored and m not in old_mentions}
    for m in [*new, *old_mentions]:  # their papers' page counts may change
        seeds.update(kept_links.by_paper.get(m.paper, ()) if m.paper else ())
    part = _part([kept_links, new_links], seeds, compatible_with)

    def on_pages(paper: str) -> int:
        return len({m.page for links in (kept_links, new_links) for m in links.by_paper.get(paper, ())})

    resolver = _Resolver(part, on_pages, explain=False)  # who, not why
    resolver.base_groups()
    base_of: dict[Mention, Key] = {}  # the mentions of the part
    part_groups: dict[object, list[Mention]] = {}
    for ms in resolver.groups().values():
        part_groups[ms[0].key] = ms
        for m in ms:
            base_of[m] = ms[0].key

    # the base groups of the mentions outside the part, as stored
    members: dict[str, list[Stored]] = defaultdict(list)  # person -> its kept mentions
    for s in kept:
        members[s.person].append(s)

    def group_of(m: Mention) -> object:
        if m in base_of:
            return base_of[m]
        s = stored[m.key]
        return s.base if s.base != WHOLE else s.person

    # 2. the base groups whose moves are decided again: those of the people the part touches, and
    # those printing a name compatible with one of the part's (old or new)
    printed_now = kept_links.by_name.keys() | new_links.by_name.keys()

    def compatible_now(name: str) -> set[str]:
        """The printings shown now compatible with `name` (a printing gone may share letters with one
        shown, so it must not count)."""
        return compatible_with(name) & printed_now

    touched = {stored[m.key].person for m in part if m.key in stored} | {s.person for s in old}
    for printing in {m.name for m in part} | {s.mention.name for s in old}:
        for other in compatible_with(printing):
            for m in kept_links.by_letters(compact(other)):
                if m not in base_of:
                    touched.add(stored[m.key].person)
    groups: dict[object, list[Mention]] = {**part_groups}  # the base groups decided again
    for person in touched:
        for s in members.get(person, ()):
            if s.mention not in base_of:
                groups.setdefault(group_of(s.mention), []).append(s.mention)

    one_member: dict[object, Mention] = {}  # a mention of each base group read as a holder

    holders: dict[str, set[object]] = {}  # a printing's letters -> the groups printing them, once asked

    def holders_of(letters: str) -> set[object]:
        found = holders.get(letters)
        if found is None:
            found = holders[letters] = set()
            for index in (kept_links, new_links):
                for m in index.by_letters(letters):
                    group = group_of(m)
                    one_member.setdefault(group, m)
                    found.add(group)
        return found

    def members_of(group: object) -> list[Mention]:
        if group in groups:
            return groups[group]
        person = stored[one_member[group].key].person
        return [s.mention for s in members[person] if group_of(s.mention) == group]

    def unit(group: object) -> Unit:
        return ("g", group) if group in groups else ("p", stored[one_member[group].key].person)

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
    for person in reached:
        people_of_unit[find(("p", person))].extend(s.mention for s in members[person])
    touched |= reached
    changed = [(_main_key(ms), ms) for ms in people_of_unit.values()]

    keys = {key for key, _ in changed}
    old_of: dict[str, list[Mention]] = defaultdict(list)
    for s in old:
        old_of[s.person].append(s.mention)
    for person in touched:  # their main printing before: the people sharing it may be named otherwise
        ms = [s.mention for s in members.get(person, ())] + old_of.get(person, [])
        if ms:
            keys.add(_main_key(ms))
    wanted = {slug(key): key for key in keys}
    unchanged: dict[str, list[str]] = defaultdict(list)  # a touched main printing -> unchanged people
    for person in members:
        if person not in touched and person.split("~", 1)[0] in wanted:
            unchanged[wanted[person.split("~", 1)[0]]].append(person)
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
        by_key[key] += [[s.mention for s in members[person]] for person in persons]
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
