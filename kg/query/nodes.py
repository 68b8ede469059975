"""What the graph says about one node, for a page about it: a person, a paper, or any node kg mints.

A person's tables are the canned queries' own answers (papers-of, coauthors-of, orgs-of, topics-of,
profile), run with the row's node added to what they select, so a page shows the rows `kg query`
prints, in its order, and can link each one. The rest (spellings, the listings behind each paper, a
paper's authors in order, any node's statements and their sources) are questions only a page asks,
so their SPARQL is here, with the `# @values` markers of kg.queries: nodes are bound as RDF terms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

import pyoxigraph as ox

from kg.model.terms import BoundTerm, bind_values, text_of
from kg.model.vocab import KG, PROV, RDF_TYPE, SKOS
from kg.query.answers import Term
from kg.query.canned import Catalogue, Engine, select

# Every printing of a person: kg:name, and skos:altLabel where a graph states one; with the label, and
# whether a curation file set it.
SPELLINGS = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
SELECT ?kind ?text WHERE {{
  # @values node
  {{ ?node kg:name ?text . BIND ("name" AS ?kind) }}
  UNION {{ ?node skos:altLabel ?text . BIND ("name" AS ?kind) }}
  UNION {{ ?node skos:prefLabel ?text . BIND ("label" AS ?kind) }}
  UNION {{ ?node kg:curatedLabel ?text . BIND ("curated" AS ?kind) }}
}}
"""

# How often each spelling is printed on the person's listings.
PRINTED = f"""PREFIX kg: <{KG}>
SELECT ?printed (COUNT(?authorship) AS ?listings) WHERE {{
  # @values node
  ?authorship kg:authorshipPerson ?node ;
              kg:nameAsPrinted ?printed .
}}
GROUP BY ?printed
ORDER BY DESC(?listings) ?printed
"""

# Other people printed with one of the person's spellings: a name kg holds to be several people.
NAMESAKES = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
SELECT DISTINCT ?other ?label WHERE {{
  # @values node
  ?node kg:name ?name .
  ?other kg:name ?name .
  FILTER (?other != ?node)
  OPTIONAL {{ ?other skos:prefLabel ?label }}
}}
"""

# The listings that show each of some papers (page file and line).
LISTINGS_OF_PAPERS = f"""PREFIX kg: <{KG}>
SELECT ?paper ?file ?line WHERE {{
  # @values papers ?paper
  ?listing kg:listedPaper ?paper ;
           kg:sourceLine ?line ;
           kg:onPage ?page .
  OPTIONAL {{ ?page kg:sourceFile ?file }}
}}
"""

# The papers a person is an author of only as the owner of a page that lists them ("et al." hid them).
IMPLIED = f"""PREFIX kg: <{KG}>
SELECT DISTINCT ?paper WHERE {{
  # @values node
  ?authorship kg:authorshipPerson ?node ;
              kg:impliedByOwner true ;
              kg:authorshipPaper ?paper .
}}
"""

# Every statement about a node, in any graph (asserted or inferred).
STATEMENTS = """SELECT DISTINCT ?p ?o WHERE {
  # @values node
  ?node ?p ?o .
}
"""

LABELS = f"""PREFIX skos: <{SKOS}>
SELECT ?node ?label WHERE {{
  # @values nodes ?node
  ?node skos:prefLabel ?label .
}}
"""

# A paper's authorships: who, where in the list, as printed, on which listing.
AUTHORSHIPS = f"""PREFIX kg: <{KG}>
PREFIX prov: <{PROV}>
SELECT ?person ?rank ?implied ?printed ?file ?line WHERE {{
  # @values node
  ?authorship kg:authorshipPaper ?node ;
              kg:authorshipPerson ?person ;
              prov:wasDerivedFrom ?listing .
  OPTIONAL {{ ?authorship kg:rank ?rank }}
  OPTIONAL {{ ?authorship kg:impliedByOwner ?implied }}
  OPTIONAL {{ ?authorship kg:nameAsPrinted ?printed }}
  ?listing kg:sourceLine ?line ;
           kg:onPage ?page .
  OPTIONAL {{ ?page kg:sourceFile ?file }}
}}
"""

# The listings that show a paper, with the page's owner and the listing's own facts.
LISTINGS_OF_PAPER = f"""PREFIX kg: <{KG}>
SELECT ?listing ?page ?file ?line ?owner ?score ?yearAssumed WHERE {{
  # @values node
  ?listing kg:listedPaper ?node ;
           kg:sourceLine ?line ;
           kg:onPage ?page .
  OPTIONAL {{ ?page kg:sourceFile ?file }}
  OPTIONAL {{ ?page kg:owner ?owner }}
  OPTIONAL {{ ?listing kg:score ?score }}
  OPTIONAL {{ ?listing kg:yearAssumed ?yearAssumed }}
}}
"""

# The statements of a node's sources, for its Linked Data: a person's authorships, a paper's
# listings, and the pages (file) and lines they come from.
SOURCES = f"""PREFIX kg: <{KG}>
PREFIX prov: <{PROV}>
CONSTRUCT {{
  ?source ?p ?o .
  ?listing kg:onPage ?page ; kg:sourceLine ?line .
  ?page kg:sourceFile ?file .
}} WHERE {{
  # @values node
  {{ ?source kg:authorshipPerson ?node . ?source prov:wasDerivedFrom ?listing . }}
  UNION {{ ?source kg:listedPaper ?node . BIND (?source AS ?listing) }}
  ?source ?p ?o .
  ?listing kg:onPage ?page ; kg:sourceLine ?line .
  OPTIONAL {{ ?page kg:sourceFile ?file }}
}}
"""

IS_NODE = """ASK {
  # @values node
  { ?node ?p ?o } UNION { ?s ?p ?node }
}
"""

TITLE = KG + "title"
DATE = KG + "datePublished"
PREFERRED_DATE = KG + "preferredDate"
HAS_CODE = KG + "hasCode"
TRUNCATED = KG + "authorListTruncated"
LISTED = KG + "listedAuthorCount"
SHOWN = KG + "shownAuthors"
SHOWN_LABEL = KG + "shownAuthorsLabel"
ABSTRACT = KG + "abstract"
ORG = KG + "organization"
CATEGORY = KG + "category"
HAS_AUTHOR = KG + "hasAuthor"
PREF_LABEL = SKOS + "prefLabel"
NOTATION = SKOS + "notation"


@dataclass(frozen=True)
class Rows:
    """A canned query's answer as `kg query` gives it (`vars`, `rows` of terms), and the node each row
    is about (`nodes`, an IRI or None)."""

    vars: list[str]
    rows: list[tuple[Term | None, ...]]
    nodes: list[str | None]

    def records(self) -> list[dict[str, str | None]]:
        """Each row as {variable: the value as text, or None}."""
        return [
            {v: (None if t is None else text_of(t)) for v, t in zip(self.vars, row, strict=True)}
            for row in self.rows
        ]


@dataclass(frozen=True)
class Place:
    """A listing: the page file (as the store names it) and the line of its header."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class PersonView:
    iri: str
    label: str
    names: list[str]  # every spelling, sorted
    curated: str | None  # the label a curation file gave, if any
    printed: list[tuple[str, int]]  # (spelling, listings printing it), most printed first
    papers: Rows  # papers-of, each row's paper
    coauthors: Rows  # coauthors-of, each row's person
    orgs: Rows  # orgs-of, each row's organisation
    topics: Rows  # topics-of, each row's category
    profiles: Rows  # profile, each row's page
    listings: dict[str, list[Place]] = field(default_factory=dict)  # paper IRI -> the listings showing it
    implied: set[str] = field(default_factory=set)  # papers the person is on only as a page's owner
    namesakes: list[tuple[str, str]] = field(default_factory=list)  # (IRI, label): others printed alike


@dataclass(frozen=True)
class Author:
    iri: str
    label: str
    rank: int | None  # the place in the list as printed (the smallest over the listings); None: implied
    printed: tuple[str, ...]  # the spellings the listings print


class _Authorship(TypedDict):
    """What a paper's listings say of one author: their best rank, and how they print the name."""

    rank: int | None
    printed: set[str]


@dataclass(frozen=True)
class Listing:
    iri: str
    place: Place
    page: str  # the page's IRI
    owner: str | None  # the page owner's IRI
    score: str | None
    year_assumed: bool


@dataclass
class PaperView:
    iri: str
    title: str
    titles: list[str]  # every printing of the title
    dates: list[str]  # every date the listings give
    date: str | None  # the one date queries use (kg:preferredDate)
    category: tuple[str, str] | None  # (IRI, label)
    has_code: bool
    truncated: bool
    listed: int | None  # how many names a listing shows
    shown: str | None  # the authors as shown, each by their label
    abstract: str | None
    authors: list[Author]  # in the order printed; implied ones (the page's owner) last
    orgs: list[tuple[str, str]]  # (IRI, label)
    listings: list[Listing]
    labels: dict[str, str] = field(default_factory=dict)  # labels of the people and pages named


@dataclass
class NodeView:
    """Any node: its statements (predicate, object) and the labels of the nodes they name."""

    iri: str
    statements: list[tuple[ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]]
    labels: dict[str, str]

    @property
    def types(self) -> list[str]:
        return [o.value for p, o in self.statements if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)]

    def label(self) -> str:
        for p, o in self.statements:
            if p.value == PREF_LABEL:
                return o.value
        return self.iri


def _bound(text: str, iri: str) -> str:
    return bind_values(text, {"node": [ox.NamedNode(iri)]})


def canned_rows(engine: Engine, name: str, node_var: str, values: Mapping[str, Sequence[BoundTerm]]) -> Rows:
    """The canned query `name`, bound as `kg query` binds it, also selecting ?node_var: its rows as
    the CLI gets them, and each row's node."""
    canned = Catalogue().get(name)
    assert canned is not None, f"queries/{name}.rq is one of kg's canned queries"
    text = bind_values(canned.text, values)
    text, count = re.subn(r"^SELECT ", f"SELECT ?{node_var} ", text, count=1, flags=re.M)
    assert count == 1, f"queries/{name}.rq has its SELECT at the start of a line"
    answer = select(engine, text)
    rows = [row[1:] for row in answer.rows]
    nodes = [None if row[0] is None else text_of(row[0]) for row in answer.rows]
    return Rows(answer.vars[1:], rows, nodes)


def person_view(engine: Engine, iri: str, listed: int | None = None) -> PersonView:
    """Everything a person page shows about the person `iri`; the listings of their first `listed`
    papers (None: of all)."""
    node = ox.NamedNode(iri)
    names: set[str] = set()
    labels: set[str] = set()
    curated = None
    for kind, text in select(engine, _bound(SPELLINGS, iri)).rows:
        if kind is None or text is None:
            continue
        if text_of(kind) == "name":
            names.add(text_of(text))
        elif text_of(kind) == "label":
            labels.add(text_of(text))
        else:
            curated = text_of(text)
    printed = [(text_of(p), int(text_of(n))) for p, n in select(engine, _bound(PRINTED, iri)).rows if p and n]
    values = {"person": [node]}
    view = PersonView(
        iri=iri,
        label=min(labels, default=min(names, default=iri)),
        names=sorted(names),
        curated=curated,
        printed=printed,
        papers=canned_rows(engine, "papers-of", "paper", values),
        coauthors=canned_rows(engine, "coauthors-of", "other", values),
        orgs=canned_rows(engine, "orgs-of", "organization", values),
        topics=canned_rows(engine, "topics-of", "cat", values),
        profiles=canned_rows(engine, "profile", "profile", values),
    )
    papers = [p for p in view.papers.nodes if p is not None][:listed]
    view.listings = listings_of(engine, papers)
    view.implied = {
        text_of(row[0]) for row in select(engine, _bound(IMPLIED, iri)).rows if row[0] is not None
    }
    namesakes = {}
    for other, label in select(engine, _bound(NAMESAKES, iri)).rows:
        if other is not None:
            namesakes[text_of(other)] = text_of(label) if label is not None else text_of(other)
    view.namesakes = sorted(((o, n) for o, n in namesakes.items()), key=lambda x: (x[1], x[0]))
    return view


def listings_of(engine: Engine, papers: Sequence[str]) -> dict[str, list[Place]]:
    """Each paper's listings (page file and line), in file and line order."""
    found: dict[str, list[Place]] = {}
    for start in range(0, len(papers), 2000):
        batch = [ox.NamedNode(p) for p in papers[start : start + 2000]]
        for paper, file, line in select(engine, bind_values(LISTINGS_OF_PAPERS, {"papers": batch})).rows:
            if paper is not None and line is not None:
                place = Place(text_of(file) if file is not None else "", int(text_of(line)))
                found.setdefault(text_of(paper), []).append(place)
    for places in found.values():
        places.sort(key=lambda p: (p.file, p.line))
    return found


def labels_of(engine: Engine, iris: Sequence[str]) -> dict[str, str]:
    """The display label (skos:prefLabel) of each node that has one."""
    found: dict[str, str] = {}
    wanted = list(dict.fromkeys(iris))
    for start in range(0, len(wanted), 2000):
        batch = [ox.NamedNode(i) for i in wanted[start : start + 2000]]
        for node, label in select(engine, bind_values(LABELS, {"nodes": batch})).rows:
            if node is not None and label is not None:
                found[text_of(node)] = min(found.get(text_of(node), text_of(label)), text_of(label))
    return found


def paper_view(engine: Engine, iri: str) -> PaperView:
    """Everything a paper page shows about the paper `iri`."""
    statements = select(engine, _bound(STATEMENTS, iri)).rows
    by: dict[str, list[str]] = {}
    for p, o in statements:
        if p is not None and o is not None:
            by.setdefault(text_of(p), []).append(text_of(o))
    people: dict[str, _Authorship] = {}
    for person, rank, _implied, printed, _file, _line in select(engine, _bound(AUTHORSHIPS, iri)).rows:
        if person is None:
            continue
        entry = people.setdefault(text_of(person), {"rank": None, "printed": set()})
        if rank is not None:
            r = int(text_of(rank))
            entry["rank"] = r if entry["rank"] is None else min(entry["rank"], r)
        if printed is not None:
            entry["printed"].add(text_of(printed))
    for author in by.get(HAS_AUTHOR, []):
        people.setdefault(author, {"rank": None, "printed": set()})
    listings = []
    for listing, page, file, line, owner, score, assumed in select(
        engine, _bound(LISTINGS_OF_PAPER, iri)
    ).rows:
        if listing is None or page is None or line is None:
            continue
        listings.append(
            Listing(
                text_of(listing),
                Place(text_of(file) if file is not None else "", int(text_of(line))),
                text_of(page),
                text_of(owner) if owner is not None else None,
                text_of(score) if score is not None else None,
                assumed is not None and text_of(assumed) in ("true", "1"),
            )
        )
    listings.sort(key=lambda x: (x.place.file, x.place.line))
    orgs = sorted(set(by.get(ORG, [])))
    categories = by.get(CATEGORY, [])
    named = [*people, *orgs, *categories, *(x.owner for x in listings if x.owner)]
    labels = labels_of(engine, named)
    authors = [Author(p, labels.get(p, p), e["rank"], tuple(sorted(e["printed"]))) for p, e in people.items()]
    authors.sort(key=lambda a: (a.rank is None, a.rank or 0, a.label, a.iri))
    titles = sorted(set(by.get(TITLE, [])))

    def one(predicate: str) -> str | None:
        values = by.get(predicate)
        return min(values) if values else None

    return PaperView(
        iri=iri,
        title=one(PREF_LABEL) or (titles[0] if titles else iri),
        titles=titles,
        dates=sorted(set(by.get(DATE, []))),
        date=one(PREFERRED_DATE),
        category=(categories[0], labels.get(categories[0], categories[0])) if categories else None,
        has_code="true" in by.get(HAS_CODE, []),
        truncated="true" in by.get(TRUNCATED, []),
        listed=max((int(v) for v in by.get(LISTED, []) if v.isdigit()), default=None),
        shown=one(SHOWN_LABEL) or one(SHOWN),
        abstract=one(ABSTRACT),
        authors=authors,
        orgs=[(o, labels.get(o, o)) for o in orgs],
        listings=listings,
        labels=labels,
    )


def node_view(engine: Engine, iri: str) -> NodeView | None:
    """Any node's statements and the labels of the nodes they name; None when the graph never names it."""
    if not engine.run(_bound(IS_NODE, iri)):
        return None
    rows = select(engine, _bound(STATEMENTS, iri)).rows
    statements = [(p, o) for p, o in rows if isinstance(p, ox.NamedNode) and o is not None]
    statements.sort(key=lambda s: (s[0].value, str(s[1])))
    named = [o.value for _, o in statements if isinstance(o, ox.NamedNode)]
    return NodeView(iri, statements, labels_of(engine, named))  # type: ignore[arg-type]


def node_triples(engine: Engine, iri: str) -> list[ox.Triple]:
    """The node's statements and those of its sources (a person's authorships, a paper's listings, and
    the pages and lines they are on): its Linked Data."""
    node = ox.NamedNode(iri)
    own = [
        ox.Triple(node, p, o)
        for p, o in select(engine, _bound(STATEMENTS, iri)).rows
        if isinstance(p, ox.NamedNode) and o is not None
    ]
    sources = engine.run(_bound(SOURCES, iri))
    found = set(getattr(sources, "triples", [])) - set(own)
    return sorted(own, key=str) + sorted(found, key=str)  # the node first, then its sources
