"""kg: a knowledge graph of researchers, built from their scraped profile pages.

For Python code (kg.api):

    import kg
    report = kg.build(["pages/"], "kg-store", as_of="2026-11-24")
    with kg.open("kg-store") as g:                      # or kg.open(endpoint="http://host:7878/query")
        df = g.query("coauthors-of", "Suyog Gupta").to_pandas()

Importing kg is light: pyoxigraph, rdflib, pyshacl, owlrl, pandas and networkx are imported only by the
functions that use them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from kg.errors import AmbiguousName, KgError, NameNotFound, StoreBusy, StoreMissing

__version__ = "0.1.0"  # the one place the version is written: pyproject.toml reads it from here

# The API's names, each imported from its module on first use.
_LAZY = {
    "build": ("kg.api", "build"),
    "open": ("kg.api", "open"),
    "Graph": ("kg.api", "Graph"),
    "KgNote": ("kg.api", "KgNote"),
    "NeedsLocalStore": ("kg.api", "NeedsLocalStore"),
    "QueryNotFound": ("kg.api", "QueryNotFound"),
    "query_names": ("kg.api", "query_names"),
    "parse": ("kg.api", "parse"),
    "validate_file": ("kg.api", "validate_file"),
    "Result": ("kg.present.result", "Result"),
    "ArgumentError": ("kg.query.canned", "ArgumentError"),
    "SparqlSyntaxError": ("kg.query.canned", "SparqlSyntaxError"),
    "BuildReport": ("kg.building.builder", "BuildReport"),
    "CurationError": ("kg.model.curation", "CurationError"),
}

__all__ = ["AmbiguousName", "KgError", "NameNotFound", "StoreBusy", "StoreMissing", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(import_module(module), attribute)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The lazy names too, for completion in notebooks."""
    return sorted(set(globals()) | set(__all__))
