"""What a build from nothing gathers from its pages as they pass, so that no derivation reads back
from the store what the pages already gave: each paper's authors (the coauthor rule, the top pairs),
the dates each page gives it and whether the page printed the year (one date per paper), whether some
page cut its author list, and the authorships a profile's owner implies (the ranks of
`incomplete-author-lists` and `hidden-owner`).

Only a build from nothing gathers (kg.plan): every page of the store passes through it, so what it
gathers is what the store holds. Any other build reads what its derivations need from the store.
"""

from __future__ import annotations

from collections import defaultdict
from sys import intern
from typing import TYPE_CHECKING

from kg.model.mapping import HiddenOwner

if TYPE_CHECKING:
    from kg.store.pagework import PageResult


class Gathered:
    """The pages' part of the derivations of a build from nothing (see the module's doc)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget everything (the derivations have used it)."""
        self.authors_of: dict[str, set[str]] = defaultdict(set)  # paper -> its authors
        # paper -> {ISO date: a page that states it printed the year}
        self.dates: dict[str, dict[str, bool]] = defaultdict(dict)
        self.truncated: set[str] = set()  # papers some page cut the author list of
        self.hidden_owners: list[HiddenOwner] = []
        # predicate -> node -> values: the facts labels are chosen from (kg.model.mapping.LABELLED)
        self.printings: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def take(self, result: PageResult) -> None:
        # Each page's result brings its own copy of every IRI and date: one person is an author of
        # many papers, one date the date of many, so each is kept once (interned) rather than once a set
        for paper, authors in result.paper_authors.items():
            self.authors_of[paper].update(map(intern, authors))
        on_page: dict[str, tuple[set[str], bool]] = {}
        for listed in result.listed:
            dates, printed = on_page.get(listed.paper, (set(), False))
            dates.add(intern(listed.date))
            on_page[listed.paper] = (dates, printed or listed.year_printed)
            if listed.truncated:
                self.truncated.add(listed.paper)
        # a page that states a date printed its year when one of its listings of the paper did
        for paper, (dates, printed) in on_page.items():
            known = self.dates[paper]
            for date in dates:
                known[date] = known.get(date, False) or printed
        self.hidden_owners += result.hidden_owners
        printings = self.printings
        for node, predicate, value in result.printings:
            printings[predicate][node].add(value)
