"""The IRIs kg writes: namespaces, and the data IRIs under the configurable base (ontology/README.md)."""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache

KG = "https://kg.example.org/ns#"
DEFAULT_BASE = "https://kg.example.org/id/"

SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
DCTERMS = "http://purl.org/dc/terms/"
VIVO = "http://vivoweb.org/ontology/core#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES = {
    "kg": KG,
    "schema": SCHEMA,
    "foaf": FOAF,
    "dcterms": DCTERMS,
    "vivo": VIVO,
    "skos": SKOS,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
}

RDF_TYPE = RDF + "type"


def base_from_env(base: str | None = None) -> str:
    """The data base IRI: the argument, else KG_BASE, else the default. Always ends in / or #."""
    base = base or os.environ.get("KG_BASE") or DEFAULT_BASE
    if not base.endswith(("/", "#")):
        base += "/"
    return base


# The identity of a title, name or organisation: what two printings must share to be one node.
DASHES = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"}
QUOTES = {
    ord(c): '"'
    for c in "'`\u00b4\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2039\u203a"
}
_SPACE_BY_SIGN = re.compile(r"\s*([^\w\s])\s*")


@lru_cache(maxsize=1 << 16)  # names and titles recur across pages; bounded, so memory stays flat
def identity_key(text: str) -> str:
    """The normalised form under which printings are one node (ontology/README.md, "Identities").

    Joined: letter case, accents and compatibility forms (NFKD: ligatures, full-width letters), runs of
    white space, white space next to a sign, invisible format characters, every kind of dash (one "-")
    and every kind of quote (one \'"\'). Everything else is kept: letters, digits and every other sign,
    so "C++", "C" and "C#" are three keys.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    kept = kept.translate(DASHES).translate(QUOTES).casefold()
    kept = " ".join(kept.split())
    return _SPACE_BY_SIGN.sub(r"\1", kept)


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """The IRI segment of a title, name or organisation: its identity key, written so that two
    different keys never give one segment.

    ASCII letters and digits stay, a space becomes "-", and any other character c becomes "_HEX_"
    (its code point): a code no two keys share, so the segment can be read back into the key. "C++"
    is `c_2b__2b_`, "Nemotron 3: Nano" `nemotron-3_3a_nano`.
    """
    key = identity_key(text)
    out = []
    for c in key:
        if c in _PLAIN:
            out.append(c)
        elif c == " ":
            out.append("-")
        else:
            out.append(f"_{ord(c):x}_")
    return "".join(out) or "_"


def key_of_slug(segment: str) -> str:
    """The identity key a slug was made from (the inverse of `slug`)."""
    if segment == "_":
        return ""
    out, i = [], 0
    while i < len(segment):
        c = segment[i]
        if c == "_":
            end = segment.index("_", i + 1)
            out.append(chr(int(segment[i + 1 : end], 16)))
            i = end + 1
        else:
            out.append(" " if c == "-" else c)
            i += 1
    return "".join(out)


class Iris:
    """Data IRIs under one base."""

    def __init__(self, base: str | None = None):
        self.base = base_from_env(base)

    def person(self, name: str) -> str:
        return f"{self.base}person/{slug(name)}"

    def paper(self, title: str) -> str:
        return f"{self.base}paper/{slug(title)}"

    def org(self, name: str) -> str:
        return f"{self.base}org/{slug(name)}"

    def category(self, code: str) -> str:
        return f"{self.base}category/{slug(code).upper()}"

    def page(self, page_id: str) -> str:
        return f"{self.base}page/{page_id}"

    def listing(self, page_id: str, line: int) -> str:
        return f"{self.base}listing/{page_id}/{line}"

    def authorship(self, page_id: str, line: int, person_name: str) -> str:
        return f"{self.base}authorship/{page_id}/{line}/{slug(person_name)}"

    def page_graph(self, page_id: str) -> str:
        return f"{self.base}graph/page/{page_id}"

    @property
    def page_graph_prefix(self) -> str:
        return f"{self.base}graph/page/"

    @property
    def facts_graph(self) -> str:
        """The shared facts (papers, people, organisations, categories), each once, whichever pages state them."""
        return f"{self.base}graph/facts"

    @property
    def identity_graph(self) -> str:
        """In the support store: each page's name mentions and the person each was taken as (kg.identity)."""
        return f"{self.base}graph/identity"

    @property
    def mention_index_graph(self) -> str:
        """In the support store: where each name, paper and person of the stored mentions is shown
        (kg.store.mention_index)."""
        return f"{self.base}graph/identity-index"

    @property
    def pairs_graph(self) -> str:
        """In the support store: the pairs who share the most papers, more than the graph lists, kept
        for updates (kg.derive.top_pairs)."""
        return f"{self.base}graph/top-pairs"

    @property
    def inferred_graph(self) -> str:
        """Everything inference adds: OWL RL consequences of every asserted graph, and the coauthor rule."""
        return f"{self.base}graph/inferred"

    @property
    def ontology_graph(self) -> str:
        return f"{self.base}graph/ontology"


_ID_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/")
_ALL_SAFE = re.compile(r"[A-Za-z0-9._/-]*")  # most paths: kept whole, without a look at each character
PAGE_SUFFIX = ".txt"


def page_id_for(page_path: str) -> str:
    """A page's id from its identity path (relative to the store's home folder, or full): the path
    without ".txt", kept as written where it is IRI-safe, any other character as ~HEX~, and a final "~"
    when the name had no ".txt", so two different paths never share an id."""
    page_path = page_path.replace("\\", "/")
    stem, marker = (
        (page_path[: -len(PAGE_SUFFIX)], "") if page_path.endswith(PAGE_SUFFIX) else (page_path, "~")
    )
    if _ALL_SAFE.fullmatch(stem):
        return stem + marker
    return "".join(c if c in _ID_SAFE else f"~{ord(c):x}~" for c in stem) + marker
