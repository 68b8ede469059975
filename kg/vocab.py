"""The IRIs kg writes: namespaces, and the data IRIs under the configurable base (ontology/README.md)."""

from __future__ import annotations

import hashlib
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
MAX_SLUG = 120


def base_from_env(base: str | None = None) -> str:
    """The data base IRI: the argument, else KG_BASE, else the default. Always ends in / or #."""
    base = base or os.environ.get("KG_BASE") or DEFAULT_BASE
    if not base.endswith(("/", "#")):
        base += "/"
    return base


def fold(text: str) -> str:
    """Text as a user would match it: accents stripped, case folded, spaces collapsed."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=1 << 16)  # names and titles recur across pages; bounded, so memory stays flat
def slug(text: str) -> str:
    """A key for an IRI: folded, anything but ASCII letters and digits turned into '-'.

    Letters without an ASCII form (e.g. CJK, Greek) are kept as their code points so that two
    different names never share a slug just because neither is ASCII.
    """
    folded = fold(text)
    ascii_parts = []
    for c in folded:
        if c.isascii():
            ascii_parts.append(c)
        elif c.isalnum():
            ascii_parts.append(f"u{ord(c):04x}")
        else:
            ascii_parts.append(" ")
    key = _NOT_ALNUM.sub("-", "".join(ascii_parts)).strip("-")
    if len(key) > MAX_SLUG:
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        key = key[:MAX_SLUG].rstrip("-") + "-" + digest
    return key or "_"


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
    def inferred_graph(self) -> str:
        """Everything inference adds: OWL RL consequences of every asserted graph, and the coauthor rule."""
        return f"{self.base}graph/inferred"

    @property
    def ontology_graph(self) -> str:
        return f"{self.base}graph/ontology"


_NOT_ID = re.compile(r"[^0-9A-Za-z_.-]+")


def page_id_for(file_name: str) -> str:
    """A page's id: its file name without the extension, kept as printed where it is IRI-safe."""
    stem = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    return _NOT_ID.sub("-", stem).strip("-") or "_"
