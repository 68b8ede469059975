"""Conflicts of interest by policy: which of the people named share a paper, or an organisation.

A policy says which evidence counts: papers dated within `years` of `as_of` (default: any date), papers
with at most `max_authors` authors (a 300-author report does not make its authors collaborators), and,
with `same_org`, two people each having a paper in the window that lists the same organisation.

The search runs in the store, as SPARQL with the resolved people bound as IRIs (VALUES blocks, never
text pasted into a query), so it works the same on the local store and on an endpoint:
1. the shared papers of every pair, inside the window;
2. with `same_org`, the (person, organisation, paper) triples inside the window;
3. for the papers found, the facts that explain a row: title, dates, how many authors are known, whether
   the list was cut, and the listings (page and line) that show the paper.
Pairing people by organisation is done here, from step 2: the pairs of a large organisation would
multiply inside the store, while grouping them here costs one dictionary per organisation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pyoxigraph as ox

from kg.errors import INTERNAL, KgError, NameNotFound
from kg.features.name_lists import Name
from kg.model.terms import bind_values
from kg.model.vocab import KG, SKOS, XSD
from kg.present.terminal import counted
from kg.query.answers import Solutions
from kg.query.canned import Engine

# The earliest and latest dates a window can have: an open window is bound as these, so one query text
# serves every policy.
EARLIEST = date(1, 1, 1)
LATEST = date(9999, 12, 31)
# A paper without a date cannot be placed in a window: it is kept (a conflict missed is worse than one
# to dismiss), and the row shows no date.
# Each side's papers are a subquery of their own, joined on the paper: written as one pattern, Oxigraph
# pairs every value of ?a with every value of ?b before it looks anything up (550 people within one
# list: 9.6 s against 2.1 s; 500 against 50: 1.8 s against 0.3 s). The window is checked on the right
# side, the authors' papers, usually the fewer.
SHARED_PAPERS = f"""PREFIX kg: <{KG}>
SELECT DISTINCT ?a ?b ?paper WHERE {{
  {{
    SELECT ?paper ?a WHERE {{
      # @values left ?a
      ?paper kg:hasAuthor ?a .
    }}
  }}
  {{
    SELECT ?paper ?b WHERE {{
      # @values right ?b
      ?paper kg:hasAuthor ?b .
      # @values from
      # @values to
      OPTIONAL {{ ?paper kg:datePublished ?date }}
      FILTER (!BOUND(?date) || (?date >= ?from && ?date <= ?to))
    }}
  }}
  FILTER (?a != ?b)
}}
"""


ORGS_OF_PEOPLE = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
SELECT DISTINCT ?person ?org ?orgLabel ?paper ?date WHERE {{
  # @values people ?person
  ?paper kg:hasAuthor ?person ;
         kg:organization ?org .
  # @values from
  # @values to
  OPTIONAL {{ ?paper kg:datePublished ?date }}
  FILTER (!BOUND(?date) || (?date >= ?from && ?date <= ?to))
  OPTIONAL {{ ?org skos:prefLabel ?orgLabel }}
}}
"""


PAPER_FACTS = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
SELECT ?paper ?title ?date ?truncated ?shown WHERE {{
  # @values papers ?paper
  ?paper kg:title ?anyTitle .
  OPTIONAL {{ ?paper skos:prefLabel ?title }}
  OPTIONAL {{ ?paper kg:datePublished ?date }}
  OPTIONAL {{ ?paper kg:authorListTruncated ?truncated }}
  OPTIONAL {{ ?paper kg:listedAuthorCount ?shown }}
}}
"""


AUTHOR_COUNTS = f"""PREFIX kg: <{KG}>
SELECT ?paper (COUNT(DISTINCT ?author) AS ?authors) WHERE {{
  # @values papers ?paper
  ?paper kg:hasAuthor ?author .
}}
GROUP BY ?paper
"""


LISTINGS = f"""PREFIX kg: <{KG}>
SELECT ?paper ?file ?line WHERE {{
  # @values papers ?paper
  ?listing kg:listedPaper ?paper ;
           kg:onPage ?page ;
           kg:sourceLine ?line .
  ?page kg:sourceFile ?file .
}}
"""


LABELS = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
SELECT ?person ?label ?name WHERE {{
  # @values people ?person
  ?person kg:name ?name .
  OPTIONAL {{ ?person skos:prefLabel ?label }}
}}
"""


IS_PERSON = f"""PREFIX kg: <{KG}>
SELECT ?person WHERE {{
  # @values people ?person
  ?person a kg:Person .
}}
"""


# Papers are looked up in batches: a VALUES block of a few thousand IRIs is read quickly by any engine,
# and keeps a request to an endpoint well under the size servers accept.
BATCH = 2000


@dataclass(frozen=True)
class Policy:
    """Which evidence makes a conflict (see the module's docstring)."""

    years: int | None = None
    as_of: date | None = None
    same_org: bool = False
    max_authors: int | None = None

    def __post_init__(self) -> None:
        if self.years is not None and self.years < 0:
            raise KgError(f"years must be 0 or more, not {self.years}")
        if self.max_authors is not None and self.max_authors < 2:
            raise KgError(
                f"max_authors must be 2 or more (a shared paper has two authors), not {self.max_authors}"
            )

    def window(self) -> tuple[date, date]:
        """(first, last) date that counts, both included: `years` before `as_of` (default today) up to
        `as_of`; with neither, any date."""
        if self.years is None:
            return EARLIEST, self.as_of or LATEST
        last = self.as_of or date.today()
        return years_before(last, self.years), last


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February becomes the 28th in a year that has none)."""
    year = max(day.year - years, EARLIEST.year)
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


@dataclass(frozen=True)
class PaperEvidence:
    """One paper behind a row: its title, the date that counted, where a page lists it, its authors."""

    title: str
    date: date | None
    where: str  # FILE:LINE of the first listing that shows it
    authors: int  # authors known, shown or implied
    lower_bound: bool  # the author list was cut: there may be more


@dataclass(frozen=True)
class Conflict:
    """Two people and why they conflict: a paper they share, or an organisation both their papers list."""

    person1: str
    person2: str
    reason: str  # "paper" or "org"
    evidence: str  # the paper's title, or the organisation
    date: date | None
    where: str  # FILE:LINE (an org: one listing of each person's paper, `; `-separated)
    authors: int | None  # a paper's authors, shown or implied (an organisation: None)
    lower_bound: bool | None  # a paper's author list was cut (an organisation: None)
    papers: tuple[PaperEvidence, ...] = ()

    def record(self) -> dict[str, object]:
        return {
            "person1": self.person1,
            "person2": self.person2,
            "reason": self.reason,
            "evidence": self.evidence,
            "date": self.date.isoformat() if self.date else None,
            "where": self.where,
            "authors": self.authors,
            "lower_bound": self.lower_bound,
        }

    def json_record(self) -> dict[str, object]:
        """The row, and for an organisation the paper of each person that lists it."""
        record = self.record()
        if self.papers:
            record["papers"] = [
                {
                    "person": person,
                    "title": paper.title,
                    "date": paper.date.isoformat() if paper.date else None,
                    "where": paper.where,
                    "authors": paper.authors,
                    "lower_bound": paper.lower_bound,
                }
                for person, paper in zip((self.person1, self.person2), self.papers, strict=True)
            ]
        return record


@dataclass(frozen=True)
class Unresolved:
    """A name that matches nobody, or several people (the message names the candidates)."""

    name: Name
    message: str

    def line(self) -> str:
        """`FILE:LINE: error: MESSAGE` for a name read from a file, `kg: OPTION: MESSAGE` for one typed."""
        where = self.name.where
        if where.startswith("-") or not where:
            return f"kg: {where + ': ' if where else ''}{self.message}"
        return f"{where}: error: {self.message}"


COLUMNS = ["person1", "person2", "reason", "evidence", "date", "where", "authors", "lower_bound"]


@dataclass
class CoiReport:
    conflicts: list[Conflict] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    people: int = 0  # distinct people checked
    pairs: int = 0  # pairs of them checked
    notes: list[str] = field(default_factory=list)  # what was taken for granted: a partial name's person

    @property
    def exit_code(self) -> int:
        """0: no conflict and every name found; 1: a conflict, or a name not found."""
        return 1 if self.conflicts or self.unresolved else 0

    columns = COLUMNS  # kg.present.tabular: the answer's shape

    def rows(self) -> list[dict[str, object]]:
        return [c.record() for c in self.conflicts]

    def to_json(self) -> dict[str, object]:
        return {
            "conflicts": [c.json_record() for c in self.conflicts],
            "unresolved": [
                {"name": u.name.text, "where": u.name.where, "message": u.message} for u in self.unresolved
            ],
            "people": self.people,
            "pairs": self.pairs,
        }

    def summary(self) -> str:
        """One line: what was checked and what was found."""
        conflicting = len({(c.person1, c.person2) for c in self.conflicts})
        people, pairs = counted(self.people, "person", "people"), counted(self.pairs, "pair")
        line = f"{people}, {pairs} checked: {conflicting} in conflict"
        if self.unresolved:
            line += f"; {len(self.unresolved)} name{'s' if len(self.unresolved) > 1 else ''} not resolved"
        return line


def check(
    engine: Engine,
    resolve: Callable[[str], str],
    person_iri: Callable[[str], str],
    people: Sequence[Name],
    against: Sequence[Name] | None,
    policy: Policy,
) -> CoiReport:
    """Every pair among `people` (or each of `people` with each of `against`) that conflicts under
    `policy`. `resolve` turns a name into an IRI (NameNotFound when none or several); `person_iri` is
    the IRI an exact name would have, checked for all names in one query first."""
    report = CoiReport()
    exact = _existing(engine, {person_iri(n.text) for n in [*people, *(against or [])] if n.text.strip()})

    def resolved(names: Sequence[Name]) -> list[str]:
        iris: list[str] = []
        for name in names:
            iri = person_iri(name.text) if name.text.strip() else ""
            if iri not in exact:
                try:
                    iri = resolve(name.text)
                except NameNotFound as e:
                    report.unresolved.append(Unresolved(name, e.message))
                    continue
            iris.append(iri)
        return list(dict.fromkeys(iris))

    left = resolved(people)
    right = resolved(against) if against is not None else left
    within = against is None
    report.people = len(set(left) | set(right))
    report.pairs = _pair_count(left, right, within)
    if not left or not right or report.pairs == 0:
        return report
    labels = _labels(engine, list(dict.fromkeys([*left, *right])))
    window = policy.window()

    shared = _shared_papers(engine, left, right, window, within)
    orgs = _orgs_of(engine, list(dict.fromkeys([*left, *right])), window) if policy.same_org else {}
    # The facts of a paper are read only where they matter: the author counts of every candidate when
    # there is a limit, then the titles and listings of the papers a row shows.
    shared_papers = set(shared.values_papers())
    sized = shared_papers | ({p for h in orgs.values() for p in h.papers()} if policy.max_authors else set())
    facts = paper_facts(engine, sorted(sized), window, listed=False)

    def counts(paper: str) -> bool:
        return policy.max_authors is None or facts[paper].authors <= policy.max_authors

    latest = {org: holders.latest(counts) for org, holders in orgs.items()}
    shown = {p for p in shared_papers if counts(p)} | {p for by in latest.values() for p in by.values()}
    facts.update(paper_facts(engine, sorted(shown - facts.keys()), window, listed=False))
    where = _first_listings(engine, sorted(shown))
    counted = {p: replace(facts[p], where=where.get(p, "")) for p in shown}

    def named(a: str, b: str) -> tuple[str, str]:
        # within one list the pair is shown in alphabetical order; across, the --people side first
        return tuple(sorted((labels[a], labels[b]))) if within else (labels[a], labels[b])  # type: ignore[return-value]

    for (a, b), paper_iris in shared.items():
        for paper in paper_iris:
            if paper in counted:
                fact = counted[paper]
                row = Conflict(
                    *named(a, b), "paper", fact.title, fact.date, fact.where, fact.authors, fact.lower_bound
                )
                report.conflicts.append(row)
    if policy.same_org:
        for a, b, org, (one, two) in _org_pairs(orgs, latest, counted, left, right, within):
            if within and labels[a] > labels[b]:
                one, two = two, one
            dates = [d for d in (one.date, two.date) if d is not None]
            report.conflicts.append(
                Conflict(
                    *named(a, b),
                    "org",
                    org,
                    min(dates) if len(dates) == 2 else None,
                    one.where if one.where == two.where else f"{one.where}; {two.where}",
                    None,
                    None,
                    (one, two),
                )
            )
    report.conflicts.sort(key=_row_order)
    return report


def _row_order(c: Conflict) -> tuple[str, str, bool, int, str]:
    # pairs by name; papers before organisations; the most recent evidence first
    return (c.person1, c.person2, c.reason != "paper", -(c.date.toordinal() if c.date else 0), c.evidence)


def _pair_count(left: list[str], right: list[str], within: bool) -> int:
    if within:
        return len(left) * (len(left) - 1) // 2
    both = len(set(left) & set(right))
    # each pair once: a person on both lists is not paired with themselves, and (a, b) is (b, a)
    return len(left) * len(right) - both - both * (both - 1) // 2


def _existing(engine: Engine, iris: set[str]) -> set[str]:
    found: set[str] = set()
    for batch in _batches(sorted(iris)):
        text = bind_values(IS_PERSON, {"people": [ox.NamedNode(i) for i in batch]})
        found |= {row[0].value for row in select_rows(engine, text)}
    return found


def _labels(engine: Engine, iris: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    names: dict[str, str] = {}
    for batch in _batches(iris):
        text = bind_values(LABELS, {"people": [ox.NamedNode(i) for i in batch]})
        for person, label, name in select_rows(engine, text):
            if label is not None:
                labels[person.value] = min(labels.get(person.value, label.value), label.value)
            names[person.value] = min(names.get(person.value, name.value), name.value)
    return {iri: labels.get(iri) or names.get(iri) or iri for iri in iris}


class _Pairs(dict[tuple[str, str], list[str]]):
    """(person IRI, person IRI) -> paper IRIs, each pair once, in the order the rows show it."""

    def values_papers(self) -> Iterable[str]:
        for papers in self.values():
            yield from papers


def _window_terms(window: tuple[date, date]) -> dict[str, list[ox.Literal]]:
    first, last = (ox.Literal(d.isoformat(), datatype=ox.NamedNode(XSD + "date")) for d in window)
    return {"from": [first], "to": [last]}


def _shared_papers(
    engine: Engine, left: list[str], right: list[str], window: tuple[date, date], within: bool
) -> _Pairs:
    text = bind_values(
        SHARED_PAPERS,
        {
            "left": [ox.NamedNode(i) for i in left],
            "right": [ox.NamedNode(i) for i in right],
            **_window_terms(window),
        },
    )
    pairs = _Pairs()
    for a, b, paper in select_rows(engine, text):
        # each pair once: within one list in IRI order; across, as first met (a person on both lists
        # meets another on both twice, once from each side)
        key = (min(a.value, b.value), max(a.value, b.value)) if within else (a.value, b.value)
        if not within and (b.value, a.value) in pairs:
            key = (b.value, a.value)
        papers = pairs.setdefault(key, [])
        if paper.value not in papers:
            papers.append(paper.value)
    return pairs


@dataclass
class _OrgHolders:
    label: str
    # person IRI -> {paper IRI listing the org: its latest date in the window, or None}
    papers_of: dict[str, dict[str, date | None]] = field(default_factory=dict)

    def papers(self) -> Iterable[str]:
        for papers in self.papers_of.values():
            yield from papers

    def latest(self, counts: Callable[[str], bool]) -> dict[str, str]:
        """Each person's most recent paper listing the org, among those that count."""
        found = {}
        for person, papers in self.papers_of.items():
            kept = [(day or EARLIEST, paper) for paper, day in papers.items() if counts(paper)]
            if kept:
                found[person] = max(kept)[1]
        return found


def _orgs_of(engine: Engine, people: list[str], window: tuple[date, date]) -> dict[str, _OrgHolders]:
    text = bind_values(ORGS_OF_PEOPLE, {"people": [ox.NamedNode(i) for i in people], **_window_terms(window)})
    orgs: dict[str, _OrgHolders] = {}
    for person, org, label, paper, day in select_rows(
        engine, text
    ):  # the query keeps the dates in the window
        holders = orgs.setdefault(org.value, _OrgHolders(label.value if label is not None else org.value))
        papers = holders.papers_of.setdefault(person.value, {})
        parsed = _date(day.value) if day is not None else None
        papers[paper.value] = max((d for d in (parsed, papers.get(paper.value)) if d), default=None)
    return orgs


def _org_pairs(
    orgs: dict[str, _OrgHolders],
    latest_of: dict[str, dict[str, str]],
    counted: dict[str, PaperEvidence],
    left: list[str],
    right: list[str],
    within: bool,
) -> Iterable[tuple[str, str, str, tuple[PaperEvidence, PaperEvidence]]]:
    """(a, b, organisation, (a's paper, b's paper)) for each pair of people who each have a counted
    paper listing the organisation; the evidence is each one's most recent such paper."""
    for org, holders in orgs.items():
        latest = {person: counted[paper] for person, paper in latest_of[org].items()}
        firsts = [p for p in left if p in latest]
        seconds = firsts if within else [p for p in right if p in latest]
        seen: set[frozenset[str]] = set()
        for i, a in enumerate(firsts):
            for b in seconds[i + 1 :] if within else seconds:
                pair = frozenset((a, b))
                if a != b and pair not in seen:
                    seen.add(pair)
                    yield a, b, holders.label, (latest[a], latest[b])


def paper_facts(
    engine: Engine, papers: list[str], window: tuple[date, date], listed: bool = True
) -> dict[str, PaperEvidence]:
    """Title, date (the latest in the window, where pages disagree), author count and (when `listed`)
    first listing of each paper."""
    titles: dict[str, str] = {}
    dates: dict[str, set[date]] = {}
    truncated: set[str] = set()
    shown: dict[str, int] = {}
    authors: dict[str, int] = {}
    for batch in _batches(papers):
        terms = {"papers": [ox.NamedNode(p) for p in batch]}
        for paper, title, day, cut, count in select_rows(engine, bind_values(PAPER_FACTS, terms)):
            key = paper.value
            if title is not None:
                titles[key] = min(titles.get(key, title.value), title.value)
            if day is not None:
                parsed = _date(day.value)
                if parsed is not None:
                    dates.setdefault(key, set()).add(parsed)
            if cut is not None and cut.value in ("true", "1"):
                truncated.add(key)
            if count is not None and count.value.strip().isdigit():
                shown[key] = max(shown.get(key, 0), int(count.value))
        for paper, count in select_rows(engine, bind_values(AUTHOR_COUNTS, terms)):
            authors[paper.value] = int(count.value)
    listings = _first_listings(engine, papers) if listed else {}
    first, last = window
    facts = {}
    for paper in papers:
        in_window = [d for d in dates.get(paper, ()) if first <= d <= last]
        cut = paper in truncated
        # a cut list shows some names and `et al.`: at least one more author than shown
        known = max(authors.get(paper, 0), shown.get(paper, 0) + (1 if cut else 0))
        facts[paper] = PaperEvidence(
            titles.get(paper, paper), max(in_window, default=None), listings.get(paper, ""), known, cut
        )
    return facts


def _first_listings(engine: Engine, papers: list[str]) -> dict[str, str]:
    """`FILE:LINE` of the first listing (by file, then line) that shows each paper."""
    found: dict[str, tuple[str, int]] = {}
    for batch in _batches(papers):
        text = bind_values(LISTINGS, {"papers": [ox.NamedNode(p) for p in batch]})
        for paper, file, line in select_rows(engine, text):
            here = (file.value, int(line.value))
            if paper.value not in found or here < found[paper.value]:
                found[paper.value] = here
    return {paper: f"{file}:{line}" for paper, (file, line) in found.items()}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def select_rows(engine: Engine, text: str) -> list[tuple[Any, ...]]:
    """The rows of a SELECT (its terms are pyoxigraph terms, None where unbound)."""
    answer = engine.run(text)
    if not isinstance(answer, Solutions):
        raise KgError("the endpoint did not answer a SELECT with a result set", exit_code=INTERNAL)
    return answer.rows


def _batches(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]
