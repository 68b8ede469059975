"""`kg people`: who is in the graph, with their paper counts, and which names look wrong.

Two kinds of doubt, each a suggestion for the curation file (`kg-curation.toml`), with its evidence:

- a name that probably hides several people (`[[distinct]]`): the coauthors of one person node fall
  into groups that never meet (no paper anywhere in the graph joins two groups, the person aside), or,
  when the coauthors do not tell, their papers' organisations fall into sets no paper of theirs joins;
- names that are probably one person (`[[same]]`): two person nodes whose names fit each other (`Y.
  Wang`, `Yuke Wang`: the same last name, each given name equal or an initial of the other) and who
  share a coauthor.

They are suggestions, not facts: a person who changed labs also has coauthor groups that never meet.
The evidence printed with each (the groups, an example paper of each with its page and line, the
shared coauthors) is what a user reads before pasting one in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.features.coi import EARLIEST, LATEST, PaperEvidence, paper_facts, select_rows
from kg.model.terms import bind_values
from kg.model.vocab import KG, SKOS
from kg.present.terminal import visible
from kg.query.canned import Engine
from kg.query.person_lookup import Person
from kg.reading.names import is_group
from kg.reading.text import fold

PAPER_COUNTS = f"""PREFIX kg: <{KG}>
SELECT ?person (COUNT(DISTINCT ?paper) AS ?papers) WHERE {{
  # @values people ?person
  ?paper kg:hasAuthor ?person .
}}
GROUP BY ?person
"""

AUTHORSHIPS = f"""PREFIX kg: <{KG}>
SELECT ?paper ?person WHERE {{ ?paper kg:hasAuthor ?person }}
"""

# The papers each page lists: a page is one person's list of papers (a profile, or a list scraped
# without its header), so one name on two papers of one page is one person.
PAGE_PAPERS = f"""PREFIX kg: <{KG}>
SELECT DISTINCT ?page ?paper WHERE {{
  ?listing kg:onPage ?page ;
           kg:listedPaper ?paper .
}}
"""

ORGANISATIONS = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
SELECT ?paper ?org ?label WHERE {{
  ?paper kg:organization ?org .
  OPTIONAL {{ ?org skos:prefLabel ?label }}
}}
"""

EXAMPLES_SHOWN = 3  # papers and shared coauthors named in a suggestion's comments


@dataclass(frozen=True)
class Listed:
    """A person as `kg people` lists them."""

    name: str
    papers: int
    names: tuple[str, ...]
    iri: str

    def record(self) -> dict[str, object]:
        return {"person": self.name, "papers": self.papers, "names": "; ".join(self.names), "iri": self.iri}


class People(list[Listed]):
    """People as `kg people` lists them (kg.present.tabular's shape; JSON with each one's IRI)."""

    columns = ("person", "papers", "names")

    def first(self, n: int | None) -> People:
        """The first `n` (None: all), still a People."""
        return People(self[:n])

    def rows(self) -> list[dict[str, object]]:
        return [{c: person.record()[c] for c in self.columns} for person in self]

    def to_json(self) -> list[dict[str, object]]:
        return [person.record() for person in self]


def listing(engine: Engine, people: Sequence[Person], everyone: bool) -> People:
    """`people` with how many papers each has (every person in the graph when `everyone`)."""
    counts: dict[str, int] = {}
    if everyone:
        batches: Iterable[str] = [PAPER_COUNTS]
    else:
        iris = [ox.NamedNode(p.iri) for p in people]
        batches = (
            bind_values(PAPER_COUNTS, {"people": iris[i : i + 2000]}) for i in range(0, len(iris), 2000)
        )
    for text in batches:
        for person, count in select_rows(engine, text):
            counts[person.value] = int(count.value)
    return People(Listed(p.name, counts.get(p.iri, 0), p.names, p.iri) for p in people)


# --- suggestions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One of the groups a name's papers fall into: its coauthors (or organisations) and papers."""

    members: tuple[str, ...]  # coauthor display names, or organisation labels
    papers: tuple[PaperEvidence, ...]


@dataclass(frozen=True)
class Distinct:
    """A name that probably hides several people."""

    name: str
    by: str  # "coauthor" or "org"
    groups: tuple[Group, ...]

    @property
    def strength(self) -> int:
        # two groups of five papers say more than ten papers and one
        return sorted(len(g.papers) for g in self.groups)[-2]

    def toml(self) -> str:
        total = sum(len(g.papers) for g in self.groups)
        kind = "coauthor groups that never meet" if self.by == "coauthor" else "sets of organisations"
        lines = [f"# {_string(self.name)}: {_papers(total)} in {len(self.groups)} {kind}"]
        for number, group in enumerate(self.groups, start=1):
            shown = visible(", ".join(group.members[:EXAMPLES_SHOWN]))
            more = (
                f" and {len(group.members) - EXAMPLES_SHOWN} more"
                if len(group.members) > EXAMPLES_SHOWN
                else ""
            )
            lines.append(f"#   {number}: {_papers(len(group.papers))}, with {shown}{more}")
            lines += [f"#      {_example(paper)}" for paper in group.papers[:EXAMPLES_SHOWN]]
        lines += [
            "[[distinct]]",
            f"name = {_string(self.name)}",
            f'by = "{self.by}"',
            "groups = [" + ", ".join(_array(g.members) for g in self.groups) + "]",
        ]
        return "\n".join(lines) + "\n"

    def json(self) -> dict[str, object]:
        return {
            "kind": "distinct",
            "name": self.name,
            "by": self.by,
            "groups": [
                {"members": list(g.members), "papers": [_paper_json(p) for p in g.papers]}
                for g in self.groups
            ],
        }


@dataclass(frozen=True)
class Same:
    """Names that are probably one person: they fit each other and share coauthors."""

    names: tuple[str, str]
    papers: tuple[int, int]
    shared: tuple[str, ...]  # the coauthors they share, by display name
    examples: tuple[PaperEvidence, ...] = field(default=())

    @property
    def strength(self) -> int:
        return len(self.shared)

    def toml(self) -> str:
        (one, two), (n1, n2) = self.names, self.papers
        shown = visible(", ".join(self.shared[:EXAMPLES_SHOWN]))
        more = f" and {len(self.shared) - EXAMPLES_SHOWN} more" if len(self.shared) > EXAMPLES_SHOWN else ""
        lines = [
            f"# {_string(one)} ({_papers(n1)}) and {_string(two)} ({_papers(n2)}) share "
            f"{len(self.shared)} coauthor{'s' if len(self.shared) > 1 else ''}: {shown}{more}"
        ]
        lines += [f"#      {_example(paper)}" for paper in self.examples[:EXAMPLES_SHOWN]]
        lines += ["[[same]]", f"names = {_array(self.names)}"]
        return "\n".join(lines) + "\n"

    def json(self) -> dict[str, object]:
        return {
            "kind": "same",
            "names": list(self.names),
            "papers": list(self.papers),
            "shared": list(self.shared),
            "examples": [_paper_json(p) for p in self.examples],
        }


Suggestion = Distinct | Same


def suggestions(
    engine: Engine, people: Sequence[Person], focus: Sequence[Person] | None = None, min_papers: int = 2
) -> list[Suggestion]:
    """Names that probably hide several people, then names that are probably one person, strongest
    evidence first. `people` is everyone in the graph; `focus` (default: everyone) the people to look at.
    A name is split only when two of its groups hold `min_papers` papers or more each: anyone has a
    paper or two with people they never wrote with again."""
    label = {p.iri: p.name for p in people}
    papers_of: dict[str, set[str]] = {}
    authors_of: dict[str, set[str]] = {}
    for paper, person in select_rows(engine, AUTHORSHIPS):
        papers_of.setdefault(person.value, set()).add(paper.value)
        authors_of.setdefault(paper.value, set()).add(person.value)
    orgs_of: dict[str, set[str]] = {}
    for paper, org, org_label in select_rows(engine, ORGANISATIONS):
        orgs_of.setdefault(paper.value, set()).add(org_label.value if org_label is not None else org.value)
    pages_of: dict[str, set[str]] = {}
    for page, paper in select_rows(engine, PAGE_PAPERS):
        pages_of.setdefault(paper.value, set()).add(page.value)
    graph = _Authorship(papers_of, authors_of, orgs_of, pages_of, label, min_papers)
    looked_at = list(focus if focus is not None else people)

    splits = [
        (p.iri, split)
        for p in looked_at
        if not is_group(p.name) and (split := graph.split(p.iri)) is not None  # a group is no one person
    ]
    focus_iris = {p.iri for p in looked_at}
    merges = [m for m in graph.merges(people) if focus_iris & {m[0], m[1]}]

    papers = sorted(
        {p for _, split in splits for _, group in split for p in group} | {p for m in merges for p in m[3]}
    )
    facts = paper_facts(engine, papers, (EARLIEST, LATEST)) if papers else {}

    def evidence(paper_iris: Iterable[str]) -> tuple[PaperEvidence, ...]:
        found = [facts[p] for p in paper_iris if p in facts]
        return tuple(sorted(found, key=lambda f: (-(f.date.toordinal() if f.date else 0), f.title)))

    distinct = [
        Distinct(
            label[iri], split.by, tuple(Group(tuple(members), evidence(group)) for members, group in split)
        )
        for iri, split in splits
    ]
    distinct.sort(key=lambda s: (-s.strength, s.name))
    same = [
        Same(
            (label[a], label[b]),
            (len(papers_of.get(a, ())), len(papers_of.get(b, ()))),
            tuple(sorted(label[c] for c in shared)),
            evidence(example_papers),
        )
        for a, b, shared, example_papers in merges
    ]
    same.sort(key=lambda s: (-s.strength, s.names))
    return [*distinct, *same]


class _Split(list[tuple[list[str], set[str]]]):
    """The groups of one name: (members' display names, paper IRIs) each; `by` what they were told by."""

    def __init__(self, by: str, groups: Iterable[tuple[list[str], set[str]]]):
        super().__init__(groups)
        self.by = by


class _Authorship:
    """Who wrote what, in memory: the graph's authorships, organisations and display names."""

    def __init__(
        self,
        papers_of: dict[str, set[str]],
        authors_of: dict[str, set[str]],
        orgs_of: dict[str, set[str]],
        pages_of: dict[str, set[str]],
        label: dict[str, str],
        min_papers: int,
    ):
        self.papers_of, self.authors_of, self.orgs_of, self.label = papers_of, authors_of, orgs_of, label
        self.pages_of = pages_of  # paper -> the pages that list it
        self.min_papers = min_papers
        self._splits: dict[str, _Split | None] = {}
        self._co: dict[str, set[str]] = {}  # person -> coauthors, as asked for

    def _by_page(self, papers: Iterable[str]) -> list[list[str]]:
        """The person's papers, gathered by the pages that list them (one list per page)."""
        on_page: dict[str, list[str]] = {}
        for paper in papers:
            for page in self.pages_of.get(paper, ()):
                on_page.setdefault(page, []).append(paper)
        return list(on_page.values())

    def split(self, person: str) -> _Split | None:
        """The groups a name's papers fall into, when two of them hold `min_papers` papers or more."""
        if len(self.papers_of.get(person, ())) < 2 * self.min_papers:
            return None
        if person not in self._splits:
            self._splits[person] = self._by_coauthors(person) or self._by_orgs(person)
        return self._splits[person]

    def _by_coauthors(self, person: str) -> _Split | None:
        """The person's coauthors in groups that no paper joins (each paper joins its authors, the person
        aside), and that no page joins (the person's papers on one page are one person's)."""
        papers = self.papers_of.get(person, set())
        coauthors = {c for p in papers for c in self.authors_of[p]} - {person}
        if len(coauthors) < 2:
            return None
        groups = _UnionFind(coauthors)
        for coauthor in coauthors:
            for other in self._coauthors(coauthor) & coauthors:
                groups.join([coauthor, other])
        for same_page in self._by_page(papers):
            groups.join(sorted({c for p in same_page for c in self.authors_of[p]} - {person}))
        components = groups.components()
        if len(components) < 2:
            return None
        found = []
        for members in components:
            group_papers = {p for p in papers if self.authors_of[p] & members}
            found.append((sorted(self.label.get(m, m) for m in members), group_papers))
        found.sort(key=lambda g: (-len(g[1]), g[0]))
        return _Split("coauthor", found) if len(found[1][1]) >= self.min_papers else None

    def _by_orgs(self, person: str) -> _Split | None:
        """The organisations on the person's papers, in sets no paper of theirs lists together, when
        the papers of different sets share no coauthor either."""
        papers = [p for p in self.papers_of.get(person, set()) if self.orgs_of.get(p)]
        orgs = {o for p in papers for o in self.orgs_of[p]}
        if len(orgs) < 2:
            return None
        groups = _UnionFind(orgs)
        for paper in papers:
            groups.join(list(self.orgs_of[paper]))
        for same_page in self._by_page(papers):
            groups.join(sorted({o for p in same_page for o in self.orgs_of[p]}))
        components = groups.components()
        if len(components) < 2:
            return None
        found = [
            (sorted(members), {p for p in papers if self.orgs_of[p] & members}) for members in components
        ]
        coauthors = [{a for p in g[1] for a in self.authors_of[p]} - {person} for g in found]
        if any(coauthors[i] & coauthors[j] for i in range(len(found)) for j in range(i + 1, len(found))):
            return None  # the same coauthors at both: more likely one person who moved
        found.sort(key=lambda g: (-len(g[1]), g[0]))
        return _Split("org", found)

    def merges(self, people: Sequence[Person]) -> list[tuple[str, str, set[str], set[str]]]:
        """(a, b, shared coauthors, papers showing them) for person nodes whose names fit each other
        and who share a coauthor."""
        by_last: dict[str, list[tuple[str, list[str]]]] = {}
        for person in people:
            for name in person.names:
                given = _name_words(name)
                if len(given) >= 2:
                    by_last.setdefault(given[-1], []).append((person.iri, given[:-1]))
        found: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
        for candidates in by_last.values():
            for i, (a, given_a) in enumerate(candidates):
                for b, given_b in candidates[i + 1 :]:
                    if a == b or (min(a, b), max(a, b)) in found or not _given_fit(given_a, given_b):
                        continue
                    shared = (self._coauthors(a) & self._coauthors(b)) - {a, b}
                    if shared:
                        examples = {
                            p
                            for p in self.papers_of.get(a, set()) | self.papers_of.get(b, set())
                            if self.authors_of[p] & shared
                        }
                        found[(min(a, b), max(a, b))] = (shared, examples)
        ordered = []
        for (a, b), (shared, examples) in found.items():
            first, second = sorted((a, b), key=lambda i: self.label.get(i, i))
            ordered.append((first, second, shared, examples))
        return ordered

    def _coauthors(self, person: str) -> set[str]:
        if person not in self._co:
            self._co[person] = {c for p in self.papers_of.get(person, ()) for c in self.authors_of[p]} - {
                person
            }
        return self._co[person]


def _name_words(name: str) -> list[str]:
    """A name's words as matching sees them, an initial's dot dropped: `Y. Wang` -> [y, wang]."""
    return re.findall(r"\w+", fold(name))


def _given_fit(a: list[str], b: list[str]) -> bool:
    """Given names fit when, word by word, they are equal or one is the other's initial, and at least
    one differs (equal given names are one identity key already, or differ only in dots)."""
    if len(a) != len(b) or not a:
        return False
    for x, y in zip(a, b, strict=True):
        if x != y and not (len(x) == 1 and y.startswith(x)) and not (len(y) == 1 and x.startswith(y)):
            return False
    return True


class _UnionFind:
    def __init__(self, items: Iterable[str]):
        self.parent = {item: item for item in items}

    def find(self, item: str) -> str:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, items: list[str]) -> None:
        items = [i for i in items if i in self.parent]
        for other in items[1:]:
            self.parent[self.find(other)] = self.find(items[0])

    def components(self) -> list[set[str]]:
        groups: dict[str, set[str]] = {}
        for item in self.parent:
            groups.setdefault(self.find(item), set()).add(item)
        return list(groups.values())


# --- output ----------------------------------------------------------------------------------------


def toml(found: Sequence[Suggestion]) -> str:
    """The suggestions as a curation file to paste from: comments with the evidence, then the table.
    Names and titles are TOML strings (control characters escaped); in comments, shown as \\xNN."""
    if not found:
        return "# no name looks like several people, and no two names like one\n"
    return "\n".join(s.toml() for s in found)


def as_json(found: Sequence[Suggestion]) -> str:
    return json.dumps([s.json() for s in found], indent=2, ensure_ascii=False) + "\n"


def _papers(count: int) -> str:
    return f"{count} paper{'' if count == 1 else 's'}"


def _example(paper: PaperEvidence) -> str:
    day = paper.date.isoformat() if paper.date else "no date"
    return f"{_string(paper.title)} ({day}, {paper.where})"


def _paper_json(paper: PaperEvidence) -> dict[str, str | None]:
    return {
        "title": paper.title,
        "date": paper.date.isoformat() if paper.date else None,
        "where": paper.where,
    }


def _string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's for the characters a name or title holds)."""
    return json.dumps(text, ensure_ascii=False)


def _array(items: Iterable[str]) -> str:
    return "[" + ", ".join(_string(i) for i in items) + "]"
