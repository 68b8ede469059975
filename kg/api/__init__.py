"""kg for Python code: `build` pages into a store, `open` a store or an endpoint, and ask the `Graph`.

    import kg
    kg.build(["pages/"], "kg-store", as_of="2026-11-24")
    with kg.open("kg-store") as g:
        df = g.query("coauthors-of", "Suyog Gupta").to_pandas()

The same steps as the CLI, over the same modules (kg.building, kg.query, kg.features, kg.validation):
the same answers, and failures as the same `KgError`s with the messages the CLI prints. Nothing heavy
is imported before a function needs it. `building` holds `build`; `graph` holds `open` and `Graph`; `reading` holds
`parse` and `validate_file` (pages and files read without a store);
`common` what they share.
"""

from kg.api.building import DEFAULT_KEEP, as_date, build, keep_count
from kg.api.common import (
    DEFAULT_STORE,
    KgNote,
    NeedsLocalStore,
    QueryNotFound,
    canned_query,
    check_query,
    check_sparql,
    query_names,
    store_path,
)
from kg.api.graph import Graph, open
from kg.api.reading import Parsed, parse, validate_file
from kg.present.result import Result

__all__ = [
    "DEFAULT_KEEP",
    "DEFAULT_STORE",
    "Graph",
    "KgNote",
    "NeedsLocalStore",
    "Parsed",
    "QueryNotFound",
    "Result",
    "as_date",
    "build",
    "canned_query",
    "check_query",
    "check_sparql",
    "keep_count",
    "open",
    "parse",
    "query_names",
    "store_path",
    "validate_file",
]
