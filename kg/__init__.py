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

import sys
import types
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from kg.errors import KgError, NameNotFound, StoreBusy, StoreMissing

try:
    __version__ = version("kg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+checkout"

# The API's names, each imported from its module on first use.
_LAZY = {
    "open": ("kg.api", "open"),
    "Graph": ("kg.api", "Graph"),
    "KgNote": ("kg.api", "KgNote"),
    "NeedsLocalStore": ("kg.api", "NeedsLocalStore"),
    "QueryNotFound": ("kg.api", "QueryNotFound"),
    "query_names": ("kg.api", "query_names"),
    "Result": ("kg.result", "Result"),
    "ArgumentError": ("kg.queries", "ArgumentError"),
    "SparqlSyntaxError": ("kg.queries", "SparqlSyntaxError"),
    "BuildReport": ("kg.build", "BuildReport"),
}

__all__ = ["KgError", "NameNotFound", "StoreBusy", "StoreMissing", "__version__", "build", *_LAZY]


def __getattr__(name: str) -> Any:
    if name == "build":
        return import_module("kg.build")  # made callable on import: see _Package
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(import_module(module), attribute)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The lazy names too, for completion in notebooks."""
    return sorted(set(globals()) | set(__all__))


class _CallableBuildModule(types.ModuleType):
    """kg.build is both the build's module and the API function: `kg.build(pages, store, ...)` calls
    kg.api.build, while `from kg.build import ...` and the module's attributes work as ever."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """kg.build(pages, store=None, *, as_of=None, base=None, fresh=False, progress=False): see kg.api.build."""
        from kg.api import build

        return build(*args, **kwargs)


class _Package(types.ModuleType):
    """The kg package. Importing the submodule kg.build sets the package's `build` attribute to that
    module, which would hide the API function of the same name: the module is made callable instead."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "build" and type(value) is types.ModuleType and value.__name__ == "kg.build":
            value.__class__ = _CallableBuildModule
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
