"""Records to triples under the ontology (ontology/README.md).

A page gives two kinds of triples. Its own (the profile, its listings and authorships: every subject is
an IRI under the page's id) go into its page graph, which no other page writes. The shared facts (papers,
people, organisations, categories) are what several pages may state: they go into the one graph of
distinct facts, so that a query over the union of graphs sees each fact once.

Triples are kept as N-Triples term strings, `('<s>', '<p>', '"o"^^<dt>')`: Oxigraph loads them in bulk,
rdflib parses them for SHACL, and the inference step reads IRIs and literals off them without building
objects. Every IRI is made of a checked base and slugs, so it is always valid.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import NamedTuple

from kg.model.curation import Curation, Evidence
from kg.model.ntriples import Triple, boolean, decimal, integer, iri, string, typed, value_of, xsd_date
from kg.model.vocab import KG, PROV, RDF_TYPE, SKOS, Iris, identity_key, page_id_for
from kg.reading.records import WARNING, Diagnostic, ListingRecord, PageRecord, ParsedPage

A = iri(RDF_TYPE)


def k(local: str) -> str:
    return iri(KG + local)


PROV_DERIVED = iri(PROV + "wasDerivedFrom")
PROV_GENERATED_AT = iri(PROV + "generatedAtTime")
PROV_ENTITY = iri(PROV + "Entity")
CONTENT_HASH = k("contentHash")


# The facts that print a node, by the node's kind: a person's names, a paper's titles, an organisation's
# name as printed; a label a curation rule gives (kg.curation), which wins over printings; a paper's
# author lists as shown. A node's label is chosen from these (kg.derive.labels).
PRINTINGS = (KG + "name", KG + "title", KG + "slug")
CURATED_LABEL = KG + "curatedLabel"
SHOWN_AUTHORS = KG + "shownAuthors"
LABELLED = (*PRINTINGS, CURATED_LABEL, SHOWN_AUTHORS)
_LABELLED_IRIS = {iri(p): p for p in LABELLED}


def printings_of(triples: Iterable[Triple]) -> list[tuple[str, str, str]]:
    """(node, predicate, value) of the facts labels are chosen from (IRIs without brackets, literals'
    text): what a build from nothing gathers from each page, instead of reading them back."""
    return [(s[1:-1], _LABELLED_IRIS[p], value_of(o)) for s, p, o in triples if p in _LABELLED_IRIS]


class Listed(NamedTuple):
    """A listing's paper as the page dates it (IRIs without brackets)."""

    paper: str
    date: str  # ISO
    year_printed: bool  # the page printed the year (kg:yearAssumed false)
    truncated: bool  # the page cut its author list (kg:authorListTruncated true)


class HiddenOwner(NamedTuple):
    """An authorship a profile's owner implies (kg:impliedByOwner), with what `hidden-owner` sorts by."""

    authorship: str
    name: str  # as printed
    paper: str
    page_file: str  # the page's kg:sourceFile


@dataclass
class PageGraph:
    """The triples one page gives: its own (its page graph) and the shared facts it states."""

    page_id: str
    graph: str  # the graph IRI, without brackets
    page: str  # the page's IRI, without brackets
    own: list[Triple] = field(default_factory=list)
    shared: list[Triple] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)  # doubts met while mapping (curation)
    # what a build from nothing derives from without reading the store back (kg.derive.gathered):
    listed: list[Listed] = field(default_factory=list)
    hidden_owners: list[HiddenOwner] = field(default_factory=list)

    @property
    def triples(self) -> list[Triple]:
        return self.own + self.shared

    @cached_property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for s, p, o in sorted(self.triples):
            digest.update(f"{s} {p} {o} .\n".encode())
        return digest.hexdigest()

    def provenance(self, built_at: str) -> list[Triple]:
        """The page graph's own PROV description: where it came from and when it was built."""
        node = iri(self.graph)
        return [
            (node, A, PROV_ENTITY),
            (node, PROV_DERIVED, iri(self.page)),
            (node, PROV_GENERATED_AT, typed(built_at, "dateTime")),
            (node, CONTENT_HASH, string(self.content_hash)),
        ]


class _Mapper:
    def __init__(
        self,
        iris: Iris,
        page_id: str,
        page_path: str = "",
        curation: Curation | None = None,
        people: dict[tuple[int, int], str] | None = None,
    ):
        self.iris = iris
        self.people = people or {}  # (line, rank) of a mention -> its person's IRI segment (kg.identity)
        self.page_id = page_id
        self.page_path = page_path
        self.curation = curation
        self.notes: list[Diagnostic] = []
        self.owner_node: str | None = None
        self.own: list[Triple] = []
        self.shared: list[Triple] = []
        self._seen: set[Triple] = set(ontology_statements(iris.base))  # the ontology graph states these
        self.listed: list[Listed] = []
        self.hidden_owners: list[HiddenOwner] = []

    def add(self, s: str, p: str, o: str) -> None:
        """A triple about the page, its listings or authorships: the page's own."""
        self._put(self.own, (s, p, o))

    def fact(self, s: str, p: str, o: str) -> None:
        """A triple about a paper, person, organisation or category: a fact other pages may state too."""
        self._put(self.shared, (s, p, o))

    def _put(self, into: list[Triple], triple: Triple) -> None:
        if triple not in self._seen:
            self._seen.add(triple)
            into.append(triple)

    def person(
        self,
        name: str,
        evidence: Sequence[Evidence] = (),
        source: tuple[str, int] = ("", 1),
        at: tuple[int, int] | None = None,
    ) -> str:
        """The node of a person printed `name` where `evidence` shows them: a curation rule's when one
        names it, else the one the build's identity resolution gave the mention `at` (line, rank), else
        the printed name's own."""
        label = None
        resolved = self.people.get(at) if at is not None else None
        if resolved is not None and not (self.curation and self.curation.names(name)):
            node = iri(f"{self.iris.base}person/{resolved}")
        elif self.curation is None:
            node = iri(self.iris.person(name))
        else:
            identity, doubts = self.curation.identity(self.iris, name, evidence)
            node, label = iri(identity.iri), identity.label
            self.notes.extend(Diagnostic(WARNING, source[0], source[1], doubt) for doubt in doubts)
        self.fact(node, A, k("Person"))
        self.fact(node, k("name"), string(name))
        if label is not None:
            self.fact(node, k("curatedLabel"), string(label))
        return node

    def evidence(self, names: list[str], orgs: list[str]) -> Evidence:
        curation = self.curation
        assert curation is not None
        return Evidence(
            self.page_path,
            frozenset(identity_key(o) for o in orgs),
            frozenset(curation.canonical_key(n) for n in names),
        )

    def owner(self, parsed: ParsedPage) -> str:
        """A profile's owner: one person for the whole page, all its listings the evidence."""
        owner = parsed.page.owner
        assert owner is not None
        evidence: list[Evidence] = []
        if self.curation is not None and self.curation.is_split(owner):
            key = identity_key(owner)
            evidence = [
                self.evidence([n for n in listing.authors if identity_key(n) != key], listing.orgs)
                for listing in parsed.listings
            ] or [self.evidence([], [])]  # a profile without listings: its page is the evidence
        self.owner_node = self.person(owner, evidence, (parsed.page.source, 1), (0, 0))
        return self.owner_node

    def author(self, name: str, record: ListingRecord, owner: str | None, rank: int = 0) -> str:
        """A name on a listing: as the build's identity resolution says; else the page's owner when it
        prints the owner's name, else by its evidence."""
        if (record.line, rank) in self.people and not (self.curation and self.curation.names(name)):
            return self.person(name, (), (record.source, record.line), (record.line, rank))
        if owner and self.owner_node and identity_key(name) == identity_key(owner):
            self.fact(self.owner_node, k("name"), string(name))  # this printing of the owner's name
            return self.owner_node
        evidence: list[Evidence] = []
        if self.curation is not None and self.curation.is_split(name):
            key = identity_key(name)
            others = [n for n in record.authors if identity_key(n) != key] + ([owner] if owner else [])
            evidence = [self.evidence(others, record.orgs)]
        return self.person(name, evidence, (record.source, record.line))

    def category(self, code: str) -> str:
        node = iri(self.iris.category(code))
        self.fact(node, A, k("Category"))
        self.fact(node, iri(SKOS + "notation"), string(code))
        self.fact(node, iri(SKOS + "inScheme"), k("categories"))
        return node

    def org(self, name: str) -> str:
        node = iri(self.iris.org(name))
        self.fact(node, A, k("Organization"))
        self.fact(node, k("slug"), string(name))
        return node

    def profile(self, record: PageRecord, scraped_on: date, page_path: str, parsed: ParsedPage) -> str:
        page = iri(self.iris.page(self.page_id))
        self.add(page, A, k("Profile"))
        self.add(page, k("sourceFile"), string(page_path))
        self.add(page, k("scrapedOn"), xsd_date(scraped_on))
        if record.owner:
            self.add(page, k("owner"), self.owner(parsed))
        if record.primary_category:
            self.add(page, k("primaryCategory"), self.category(record.primary_category))
        for field_name, prop in (
            ("h_index", "hIndex"),
            ("paper_count", "paperCount"),
            ("citations", "citationCount"),
            ("novelty_percent", "noveltyPercent"),
            ("ai_score", "aiScore"),
            ("declared_listing_count", "declaredListingCount"),
        ):
            value = getattr(record, field_name)
            if value is not None:
                self.add(page, k(prop), integer(value))
        return page

    def listing(self, record: ListingRecord, page: str, owner: str | None) -> None:
        listing = iri(self.iris.listing(self.page_id, record.line))
        paper = iri(self.iris.paper(record.title))
        self.add(listing, A, k("Listing"))
        self.add(listing, k("onPage"), page)
        self.add(listing, k("sourceLine"), integer(record.line))
        self.add(listing, k("listedPaper"), paper)
        self.add(listing, k("yearAssumed"), boolean(record.year_assumed))
        self.add(listing, PROV_DERIVED, page)
        if record.score is not None:
            self.add(listing, k("score"), decimal(record.score))

        self.listed.append(
            Listed(paper[1:-1], record.date.isoformat(), not record.year_assumed, record.authors_truncated)
        )
        self.fact(paper, A, k("Paper"))
        self.fact(paper, k("title"), string(record.title))
        self.fact(paper, k("datePublished"), xsd_date(record.date))
        self.fact(paper, k("category"), self.category(record.category))
        if record.has_code:  # a listing without `Code` says nothing of code: another page may show it
            self.fact(paper, k("hasCode"), boolean(True))
        self.fact(paper, k("authorListTruncated"), boolean(record.authors_truncated))
        self.fact(paper, k("listedAuthorCount"), integer(len(record.authors)))
        if record.authors:  # in the order shown: a plain value any engine returns as it is
            self.fact(paper, k("shownAuthors"), string(", ".join(record.authors)))
        if record.abstract:
            self.fact(paper, k("abstract"), string(record.abstract))
        for org in record.orgs:
            self.fact(paper, k("organization"), self.org(org))

        shown = set()
        for rank, name in enumerate(record.authors, start=1):
            person = self.author(name, record, owner, rank)
            if person in shown:  # the same person twice in one list: the first place counts
                continue
            shown.add(person)
            self._authorship(record, paper, listing, name, person, rank)
        if owner and self.owner_node and self.owner_node not in shown:
            self._authorship(record, paper, listing, owner, self.owner_node, None)

    def _authorship(
        self, record: ListingRecord, paper: str, listing: str, name: str, person: str, rank: int | None
    ) -> None:
        self.fact(paper, k("hasAuthor"), person)
        node = iri(self.iris.authorship(self.page_id, record.line, name))
        self.add(node, A, k("Authorship"))
        self.add(node, k("authorshipPerson"), person)
        self.add(node, k("authorshipPaper"), paper)
        self.add(node, k("nameAsPrinted"), string(name))
        self.add(node, PROV_DERIVED, listing)
        if rank is None:
            self.add(node, k("impliedByOwner"), boolean(True))
            self.hidden_owners.append(HiddenOwner(node[1:-1], name, paper[1:-1], self.page_path))
        else:
            self.add(node, k("rank"), integer(rank))


def map_page(
    parsed: ParsedPage,
    iris: Iris,
    scraped_on: date,
    page_path: str | None = None,
    curation: Curation | None = None,
    people: dict[tuple[int, int], str] | None = None,
) -> PageGraph:
    """The triples of one parsed page (without the build's provenance stamp). `page_path` is the page's
    identity (kg.building.page_paths); the source as given when there is none. `curation`: the rules
    that say which person a printed name is (kg.curation); `people`: the person of each mention, by (line,
    rank) (the owner line is (0, 0)), as the build's identity resolution decided (kg.identity)."""
    page_path = page_path or parsed.page.source
    page_id = page_id_for(page_path)
    mapper = _Mapper(iris, page_id, page_path, curation, people)
    page = mapper.profile(parsed.page, scraped_on, page_path, parsed)
    for listing in parsed.listings:
        mapper.listing(listing, page, parsed.page.owner)
    graph = PageGraph(page_id, iris.page_graph(page_id), iris.page(page_id), mapper.own, mapper.shared)
    graph.notes = mapper.notes
    graph.listed, graph.hidden_owners = mapper.listed, mapper.hidden_owners
    return graph


@lru_cache(maxsize=4)
def ontology_statements(base: str) -> frozenset[Triple]:
    """The ontology graph's triples (the ontology and the category scheme): pages and inference leave
    these to it, so a known category's description is stored once."""
    import pyoxigraph as ox

    from kg.model.ontology import ontology_files

    found: set[Triple] = set()
    for path in ontology_files():
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base):
            found.add((str(t.subject), str(t.predicate), str(t.object)))
    return frozenset(found)
