"""Whether a change that prints every name as it was leaves who is who as it was: read from the evidence
clusters it touches alone, not from every mention of the names they print.

After the evidence step (kg.model.identity), everything that decides who is who reads only the groups
evidence made and the names their mentions print: the loners by the letters of each group's names, the
variants by the printings of each group, the IRIs by main printing and first mention. A change that keeps
every mention's page, line, rank and name (a new title, a coauthor list shown whole or cut, a paper moved
between pages) and leaves every evidence group the same set of mentions therefore leaves every person
and base group as it was.

The evidence groups can only change inside the clusters the change touches: the clusters (mentions
joined by paper and coauthor links) of the changed mentions and of the mentions of the papers whose
pages change, before the change and after it. A cluster is shared among the profiles tied to it by its
own links alone, so those clusters, with the owner lines and listings that tie them, are decided again on
each side and compared. A cluster is small beside the part an update decides again when groups do
change (kg.model.identity_update): that part holds every mention of every letters it meets, since the
loners weigh all groups printing a name against each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from kg.model.identity import OWNER_LINE, Key, Mention, _context, _Resolver
from kg.model.name_match import compact

if TYPE_CHECKING:
    from kg.model.identity_update import Kept


def unchanged(
    kept: Kept,
    old: Sequence[Mention],
    new: Sequence[Mention],
    repaged: Iterable[str],
    compatible_with: Callable[[str], set[str]],
) -> int | None:
    """How many mentions were read to find that changing `old` (the changed pages' mentions as stored,
    those shown alike aside) into `new` leaves every evidence group as it was; None when a name, a
    mention or a group is not as it was. `repaged`: the papers whose pages change (the paper step counts
    them). `compatible_with(name)`: the printings compatible with `name`, printed unlike it."""
    if not old or _shown(old) != _shown(new):
        return None
    shown_alike = kept.same_mentions()
    of_papers = [m for paper in repaged for m in kept.on_paper(paper)]
    sides = [_Side(kept, [*shown_alike, *changed]) for changed in (old, new)]
    reached: set[Key] = set()
    for side, changed in zip(sides, (old, new), strict=True):
        reached |= {m.key for m in side.clusters([*changed, *of_papers], compatible_with)}
    before, after = (side.groups(reached) for side in sides)
    return len(reached) if before == after else None


def _shown(mentions: Iterable[Mention]) -> list[tuple[Key, str, str]]:
    return sorted((m.key, m.name, m.owner) for m in mentions)


class _Side:
    """The mentions before the change, or after it: the kept ones, read from the store's index as they
    are asked for, and the changed pages' (`local`)."""

    def __init__(self, kept: Kept, local: Iterable[Mention]):
        self.kept = kept
        self.local: dict[str, list[Mention]] = {}
        for m in local:
            self.local.setdefault(m.page, []).append(m)
        self.near_pages: dict[tuple[str, str], set[str]] = {}
        self.by_letters: dict[str, dict[str, list[Mention]]] = {}  # a page's mentions by their letters
        self.compacted: dict[str, str] = {}
        self.listed: dict[str, int] = {}  # on how many pages each paper is

    def page(self, page: str) -> list[Mention]:
        return [*(s.mention for s in self.kept.page_rows(page)), *self.local.get(page, ())]

    def printing(self, page: str, letters: str) -> list[Mention]:
        """The mentions on a page printing these letters (owner lines aside)."""
        found = self.by_letters.get(page)
        if found is None:
            found = self.by_letters[page] = {}
            for m in self.page(page):
                if m.rank != OWNER_LINE:
                    found.setdefault(self.letters(m.name), []).append(m)
        return found.get(letters, [])

    def letters(self, name: str) -> str:
        found = self.compacted.get(name)
        if found is None:
            found = self.compacted[name] = compact(name)
        return found

    def on_pages(self, paper: str) -> int:
        """On how many pages `paper` is listed, on this side."""
        found = self.listed.get(paper)
        if found is None:
            local = {page for page, ms in self.local.items() if any(m.paper == paper for m in ms)}
            found = self.listed[paper] = len(self.kept.pages_listing(paper) | local)
        return found

    def clusters(self, seeds: Iterable[Mention], compatible_with: Callable[[str], set[str]]) -> set[Mention]:
        """Every mention the seeds reach over links, and so on (with some a link may not join: the
        evidence step decides over them)."""
        found = set(seeds)
        todo = list(found)
        while todo:
            for n in self.linked(todo.pop(), compatible_with):
                if n not in found:
                    found.add(n)
                    todo.append(n)
        return found

    def linked(self, m: Mention, compatible_with: Callable[[str], set[str]]) -> Iterator[Mention]:
        """The mentions a link may join to `m`: printing its letters or a printing compatible with its
        name, on another listing, with its paper (when on several pages) or a coauthor of it beside."""
        if m.rank == OWNER_LINE:  # an owner line is tied to its listings, never linked
            return
        beside = _context(m)
        paper = m.paper if m.paper and self.on_pages(m.paper) > 1 else ""
        alike = compatible_with(m.name)
        letters = self.letters(m.name)
        for printed in {letters, *map(self.letters, alike)}:
            pages: set[str] = set(self.local)
            if paper:
                pages |= self._near(printed, paper, self.kept.pages_listing)
            for coauthor in beside:
                pages |= self._near(printed, coauthor, self.kept.pages_printing)
            for page in pages:  # the order is the closure's own: what it finds is a set
                for n in self.printing(page, printed):
                    if (
                        (n.page, n.line) != (m.page, m.line)
                        and (printed == letters or n.name in alike)
                        and ((paper and n.paper == paper) or not beside.isdisjoint(_context(n)))
                    ):
                        yield n

    def _near(self, printed: str, key: str, pages_of: Callable[[str], set[str]]) -> set[str]:
        """The kept pages printing these letters and also listing a paper or printing a coauthor."""
        found = self.near_pages.get((printed, key))
        if found is None:
            found = self.near_pages[(printed, key)] = self.kept.pages_printing(printed) & pages_of(key)
        return found

    def groups(self, reached: set[Key]) -> set[frozenset[Key]]:
        """The evidence groups of the reached mentions on this side, each as the keys of its reached
        mentions and owner lines. The profiles' owner lines and the whole listings that may tie a
        reached mention to them are decided with them; the other mentions of those listings are in
        other clusters, and left out of what is compared."""
        lines: dict[str, set[int]] = {}  # page -> the lines of its reached mentions
        for page, line, _ in reached:
            lines.setdefault(page, set()).add(line)
        by_key: dict[Key, Mention] = {}
        for page, held in sorted(lines.items()):
            for m in self.page(page):
                if m.key in reached or (m.owner and (m.rank == OWNER_LINE or m.line in held)):
                    by_key[m.key] = m
        resolver = _Resolver(by_key.values(), self.on_pages, explain=False)
        resolver.evidence()
        compared = reached | {key for key, m in by_key.items() if m.rank == OWNER_LINE}
        out = {frozenset(m.key for m in ms if m.key in compared) for ms in resolver.groups().values()}
        return out - {frozenset()}
