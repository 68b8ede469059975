"""An update decides who is who again only where its pages reach, and gets exactly the people (and base
groups) of resolving every mention from nothing: on many random collections of pages whose names are
printed in the ways that make identity hard (initials, family name first, dropped and joined given
names, short names, one person under two family names, one name for several people), each changed in
the ways a user changes pages."""

from __future__ import annotations

import random

import pytest

from kg.model.identity import WHOLE, Mention, Stored, resolve
from kg.model.identity_update import InMemory, Update, can_update, update

FAMILIES = ["Chen", "Wang", "Gupta", "Kumar", "Smith", "Li"]
GIVEN = ["Wei", "Jun", "Suyog", "Amit", "Anna", "Li", "Eng Siong", "Jian Wei", "John Paul", "Mei"]


def printing(rng: random.Random, given: str, family: str) -> str:
    """One way a page prints a person."""
    kind = rng.randrange(7)
    if kind == 0:
        return f"{given[0]}. {family}"
    if kind == 1:
        return f"{family} {given}"  # family name first
    if kind == 2 and " " in given:
        return f"{given.replace(' ', '')} {family}"  # given names joined
    if kind == 3 and " " in given:
        return f"{given.split()[0]} {family}"  # a given name dropped
    if kind == 4:
        return f"{given} {rng.choice('ABK')}. {family}"
    return f"{given} {family}"


Listing = tuple[int, str, bool, list[str]]  # line, paper, every author shown, the names
Page = tuple[str, list[Listing]]  # the owner ("" for a list) and the listings


def collection(rng: random.Random, pages: int) -> dict[str, Page]:
    """Pages: profiles (an owner and their listings) and lists; papers shared between pages."""
    people = [(rng.choice(GIVEN), rng.choice(FAMILIES)) for _ in range(14)]
    return {f"p{p}": page_of(rng, people) for p in range(pages)}


def page_of(rng: random.Random, people: list[tuple[str, str]]) -> Page:
    owner_person = rng.choice(people) if rng.random() < 0.7 else None
    owner = printing(rng, *owner_person) if owner_person else ""
    listings = []
    for line in range(1, rng.randrange(2, 6)):
        authors = rng.sample(people, rng.randrange(1, 4))
        if owner_person and rng.random() < 0.8:
            authors = [owner_person, *[a for a in authors if a != owner_person]][:3]
        names = [printing(rng, *a) for a in authors]
        if owner_person and rng.random() < 0.1:  # the owner under another family name
            names[0] = f"{owner_person[0]} {rng.choice(FAMILIES)}"
        listings.append((line * 10, f"paper {rng.randrange(18)}", rng.random() < 0.7, names))
    return owner, listings


def mentions_of(page: str, shown: Page) -> list[Mention]:
    """The mentions a page shows, as `identity.page_mentions` makes them (one name may be printed twice
    on a listing: two authors printing one name)."""
    owner, listings = shown
    found = [Mention(page, 0, 0, owner, owner=owner)] if owner else []
    for line, paper, complete, names in listings:
        for rank, name in enumerate(names, start=1):
            others = tuple(n for n in names if n != name)
            found.append(Mention(page, line, rank, name, paper, others, owner, 2020, complete))
    return found


def printed_otherwise(rng: random.Random, shown: Page) -> Page:
    """One name on the page printed the other way round (family name first or last)."""
    owner, listings = shown
    spots = [(-1, 0)] * bool(owner) + [
        (n, r) for n, (_, _, _, names) in enumerate(listings) for r in range(len(names))
    ]
    if not spots:
        return shown
    n, r = rng.choice(spots)
    turn = lambda name: " ".join([name.split()[-1], *name.split()[:-1]])  # noqa: E731
    if n < 0:
        return turn(owner), listings
    line, paper, complete, names = listings[n]
    names = [turn(name) if i == r else name for i, name in enumerate(names)]
    return owner, [*listings[:n], (line, paper, complete, names), *listings[n + 1 :]]


def listed_otherwise(rng: random.Random, shown: Page) -> Page:
    """One listing given another title (perhaps one another page lists) or shown whole where it was cut
    (or cut where it was whole): every name printed as it was."""
    owner, listings = shown
    if not listings:
        return shown
    n = rng.randrange(len(listings))
    line, paper, complete, names = listings[n]
    if rng.random() < 0.7:
        paper = f"paper {rng.randrange(18)}" if rng.random() < 0.7 else f"a title of its own {line}"
    else:
        complete = not complete
    return owner, [*listings[:n], (line, paper, complete, names), *listings[n + 1 :]]


def stored_rows(mentions: list[Mention]) -> dict[Mention, Stored]:
    resolution = resolve(mentions)
    codes = resolution.base_codes()
    return {m: Stored(m, resolution.iri_of[m.key], codes.get(m.key, WHOLE)) for m in mentions}


@pytest.mark.parametrize("read_as_stored", [False, True], ids=["kept rows", "store index"])
@pytest.mark.parametrize("seed", range(60))
def test_an_update_gets_the_people_of_resolving_everything(seed, read_as_stored):
    """Given the kept rows, or an index of every stored row (the changed pages' as they were stored
    among them, as the support store holds them)."""
    rng = random.Random(seed)
    pages = collection(rng, rng.randrange(4, 14))
    before = stored_rows([m for page, shown in pages.items() for m in mentions_of(page, shown)])
    people = [(rng.choice(GIVEN), rng.choice(FAMILIES)) for _ in range(14)]
    changed = rng.sample(sorted(pages), rng.randrange(1, 3))
    after: dict[str, Page | None] = dict(pages)
    for page in changed:
        change = rng.randrange(4)
        if change == 0:
            after[page] = printed_otherwise(rng, pages[page])
        elif change == 3:
            after[page] = listed_otherwise(rng, pages[page])
        elif change == 1:  # the page replaced
            after[page] = page_of(rng, people)
        else:  # the page gone
            after[page] = None
    if rng.random() < 0.3:  # and a new page
        after["new"] = page_of(rng, people)
        changed.append("new")
    new = [m for page in changed if (shown := after[page]) for m in mentions_of(page, shown)]
    kept = [row for m, row in before.items() if m.page not in changed]
    old = [row for m, row in before.items() if m.page in changed]
    assert can_update(kept)

    got = update(InMemory([*kept, *old]) if read_as_stored else kept, old, new)

    assert_as_fresh(got, before, kept, new)


def assert_as_fresh(
    got: Update, before: dict[Mention, Stored], kept: list[Stored], new: list[Mention]
) -> None:
    """Every mention has the person and base group resolving everything from nothing gives it."""
    fresh = resolve([row.mention for row in kept] + new)
    codes = fresh.base_codes()
    for m in [row.mention for row in kept] + new:
        stored = before.get(m)  # a mention of a changed page shown as it was is taken as stored
        person = got.people.get(m.key, stored.person if stored else None)
        base = got.bases.get(m.key, stored.base if stored else None)
        assert (person, base) == (fresh.iri_of[m.key], codes.get(m.key, WHOLE)), m
    assert {m.key for m in new if m not in before} <= got.people.keys()


def updated(pages: dict[str, Page], changed: dict[str, Page]) -> Update:
    """The update of `pages` (stored) to `changed` (some of them shown otherwise), checked against
    resolving everything from nothing."""
    before = stored_rows([m for page, shown in pages.items() for m in mentions_of(page, shown)])
    kept = [row for m, row in before.items() if m.page not in changed]
    old = [row for m, row in before.items() if m.page in changed]
    new = [m for page, shown in changed.items() for m in mentions_of(page, shown)]
    got = update(InMemory([*kept, *old]), old, new)
    assert_as_fresh(got, before, kept, new)
    return got


def test_a_new_title_other_pages_list_decides_only_the_clusters_it_touches():
    """A title other pages list too, changed with every name kept: its clusters are decided again
    (the people are as they were), not every mention of the names they print (thirty other Wei Chens)."""
    pages: dict[str, Page] = {
        "anna": ("Anna Li", [(10, "paper a", True, ["Anna Li", "Wei Chen"])]),
        "list": ("", [(10, "paper a", True, ["Anna Li", "Wei Chen"])]),
    }
    for n in range(30):
        pages[f"other{n}"] = ("", [(10, f"paper {n}", True, ["Wei Chen", f"Someone Number{n}"])])
    got = updated(pages, {"anna": ("Anna Li", [(10, "paper b", True, ["Anna Li", "Wei Chen"])])})
    assert got.decided <= 5
    assert set(got.people.values()) == {"anna-li", "wei-chen"}  # the one Wei Chen who writes with Anna


def test_a_paper_left_on_one_page_unlinks_its_listings_there():
    """A paper listed twice on one page and once on another, retitled on the other: the paper step no
    longer joins the names of its two listings (one page), though the change shows none of them."""
    pages: dict[str, Page] = {
        "twice": ("", [(10, "paper a", True, ["J. Smith", "Bo Kim"]), (20, "paper a", True, ["John Smith"])]),
        "once": ("", [(10, "paper a", True, ["Zed Zee"])]),
    }
    got = updated(pages, {"once": ("", [(10, "paper z", True, ["Zed Zee"])])})
    assert got.people  # "J. Smith" and "John Smith" were one person by the paper; now by name alone


@pytest.mark.parametrize("seed", range(10))
def test_a_build_that_keeps_no_reasons_decides_the_same_people(seed):
    """A build resolves without keeping why (`explain=False`, a third of the memory): same people, same
    base groups, same names kept apart as when the reasons are kept for `kg people --why`."""
    rng = random.Random(seed)
    mentions = [m for page, shown in collection(rng, 30).items() for m in mentions_of(page, shown)]
    explained, bare = resolve(mentions), resolve(mentions, explain=False)
    assert bare.iri_of == explained.iri_of and bare.base_of == explained.base_of
    assert bare.ambiguous == explained.ambiguous
    assert explained.decisions and not bare.decisions
