"""`kg.build`: pages into a store, as `kg build` does."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from datetime import date
from typing import TYPE_CHECKING

from kg.api.common import PathLike, store_path
from kg.errors import KgError

if TYPE_CHECKING:
    from kg.building.builder import BuildReport


def build(
    pages: PathLike | Iterable[PathLike],
    store: PathLike | None = None,
    *,
    as_of: date | str | None = None,
    base: str | None = None,
    fresh: bool = False,
    progress: bool | Callable[[str, int, int | None], None] = False,
    keep: int | None = None,
    curation: PathLike | None = None,
) -> BuildReport:
    """Build or update the store from page files or folders of *.txt pages, as `kg build`.

    Problems in the pages are in the report (`report.diagnostics`, each `FILE:LINE: severity: message`;
    `report.rejected` counts the errors), never raised: everything valid is stored. `as_of` (a date or
    `YYYY-MM-DD`) is when the pages were scraped, default today. `progress`: True for a progress bar,
    or a function called with (phase, done, total) as the build goes: ("reading pages", done, total) as
    pages are done, then each later phase as it starts ("loading", "labelling", "deriving for
    queries", "inferring", "counting", "summarising", "switching generation"), with total None
    (kg.progress). `report.plan` says how the build wrote (from nothing, incremental, in bulk,
    re-infer all) and why. `keep`: how many generations `kg diff` can compare (their summaries are
    kept; default KG_KEEP, else 3). `curation`: the curation file of identities (default
    KG_CURATION, else ./kg-curation.toml when there is one); a malformed one raises
    kg.CurationError."""
    from kg.building.builder import build as run_build
    from kg.model import curation as curated

    rules = curated.load(curated.locate(curation))
    paths = [pages] if isinstance(pages, (str, os.PathLike)) else list(pages)
    if not paths:
        raise KgError("no pages given: name page files or folders of *.txt pages")
    kept = keep_count(keep)
    from kg.present.progress_bar import progress_bar

    with progress_bar() if progress is True else nullcontext(progress or None) as advance:
        return run_build(
            paths,
            store_path(store),
            as_of=as_date(as_of),
            base=base,
            fresh=fresh,
            progress=advance,
            keep=kept,
            rules=rules,
        )


DEFAULT_KEEP = 3  # as kg.store.DEFAULT_KEEP, without importing pyoxigraph


def keep_count(keep: int | None) -> int:
    """How many generations a build keeps for `kg diff`: as given, else KG_KEEP, else 3."""
    if keep is None:
        text = os.environ.get("KG_KEEP") or str(DEFAULT_KEEP)
        try:
            keep = int(text)
        except ValueError:
            raise KgError(f"KG_KEEP must be a number of generations, not {text!r}") from None
    if keep < 1:
        raise KgError(f"keep must be 1 or more (the live generation), not {keep}")
    return keep


def as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise KgError(f"{value!r} is not a date like 2026-11-24") from None
