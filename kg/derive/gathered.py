"""What a build from nothing gathers from its pages as they pass, so that no derivation reads back
from the store what the pages already gave: each paper's authors (the coauthor rule, the top pairs),
its preferred date (earliest printed with its year, else earliest), whether some page cut its author
list, and the authorships a profile's owner implies (the ranks of `incomplete-author-lists` and
`hidden-owner`).

Only a build from nothing gathers (kg.plan): every page of the store passes through it, so what it
gathers is what the store holds. Any other build reads what its derivations need from the store.

It grows with the corpus (about 400 MB at 20,000 pages as sets and dicts), so it is kept compact: each
IRI and date once (interned: a page's result brings its own copies, a paper is on the page of each of
its authors, and a person is an author of many papers), a paper's authors and a node's printings as
tuples (almost always one printing), and of a paper's dates only the two that decide its preferred date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from sys import intern
from typing import TYPE_CHECKING

from kg.model.mapping import HiddenOwner

if TYPE_CHECKING:
    from kg.store.pagework import PageResult

NO_DATE = "~"  # no such date: sorts after every ISO date, so the earliest is `min`


class Gathered:
    """The pages' part of the derivations of a build from nothing (see the module's doc)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget everything (the derivations have used it)."""
        self.authors_of: dict[str, tuple[str, ...]] = {}  # paper -> its authors
        # paper -> (its earliest date a page printed the year of, or NO_DATE; its earliest date)
        self.dates: dict[str, tuple[str, str]] = {}
        self.truncated: set[str] = set()  # papers some page cut the author list of
        self.hidden_owners: list[HiddenOwner] = []
        # predicate -> node -> values: the facts labels are chosen from (kg.model.mapping.LABELLED)
        self.printings: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)

    def preferred_dates(self) -> dict[str, str]:
        """Each paper's one date: the earliest printed with its year, else the earliest
        (kg.derive.aggregates.preferred_date)."""
        return {
            paper: earliest if printed == NO_DATE else printed
            for paper, (printed, earliest) in self.dates.items()
        }

    def take(self, result: PageResult) -> None:
        authors_of = self.authors_of
        for paper, authors in result.paper_authors.items():
            paper = intern(paper)
            authors_of[paper] = _with(authors_of.get(paper, ()), map(intern, authors))
        on_page: dict[str, tuple[str, bool]] = {}  # paper -> its earliest date here, a year printed
        for listed in result.listed:
            day, printed = on_page.get(listed.paper, (NO_DATE, False))
            on_page[listed.paper] = (min(day, listed.date), printed or listed.year_printed)
            if listed.truncated:
                self.truncated.add(intern(listed.paper))
        # a page that states a date printed its year when one of its listings of the paper did
        for paper, (day, printed) in on_page.items():
            paper, day = intern(paper), intern(day)
            best, earliest = self.dates.get(paper, (NO_DATE, NO_DATE))
            self.dates[paper] = (min(best, day) if printed else best, min(earliest, day))
        self.hidden_owners += (
            HiddenOwner(row.authorship, row.name, intern(row.paper), intern(row.page_file))
            for row in result.hidden_owners
        )
        printings = self.printings
        for node, predicate, value in result.printings:
            node = intern(node)
            of = printings[predicate]
            of[node] = _with(of.get(node, ()), (value,))


def papers_of(authors_of: Mapping[str, Collection[str]]) -> dict[str, list[str]]:
    """Each author's papers with other authors: what the coauthor rule and the top pairs go through
    person by person, so that no structure holds every pair of coauthors at once."""
    out: dict[str, list[str]] = defaultdict(list)
    for paper, authors in authors_of.items():
        if len(authors) > 1:
            for author in authors:
                out[author].append(paper)
    return out


def _with(held: tuple[str, ...], given: Iterable[str]) -> tuple[str, ...]:
    """`held` and the values of `given` not in it, in their order."""
    new = [value for value in given if value not in held]
    return held + tuple(dict.fromkeys(new)) if new else held
