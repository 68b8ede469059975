"""`kg.parse` and `kg.validate_file`: what kg reads from pages and files, without a store."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kg.api.building import as_date

if TYPE_CHECKING:
    from kg.reading.records import Diagnostic, ParsedPage
    from kg.validation.report import ValidationOutcome


@dataclass
class Parsed:
    """The pages as `kg parse` reads them: every listing kept (kg.present.tabular's shape: a row per
    listing; JSON with every field, and the other reading of a doubtful split), and
    the problems found, as `FILE:LINE: SEVERITY: MESSAGE` diagnostics."""

    pages: list[ParsedPage]
    columns = ("where", "date", "cat", "title", "authors", "doubt")

    def rows(self) -> list[dict[str, object]]:
        from kg.reading.parse import listing_row

        return [listing_row(listing) for page in self.pages for listing in page.listings]

    def to_json(self) -> list[dict[str, object]]:
        from kg.reading.parse import listing_json

        return [listing_json(listing) for page in self.pages for listing in page.listings]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for page in self.pages for d in page.diagnostics]

    @property
    def rejected(self) -> bool:
        """Whether any record was rejected (kg parse then exits with 1)."""
        return any(page.errors for page in self.pages)


def parse(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], as_of: date | str | None = None
) -> Parsed:
    """Read pages as `kg build` would (files, or folders of *.txt pages, as one run), without building."""
    from kg.building.pagefiles import find_pages
    from kg.reading.parse import parse_files

    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    return Parsed(parse_files(find_pages(given), as_of_date(as_of)))


def as_of_date(value: date | str | None) -> date:
    return as_date(value) or date.today()


def validate_file(path: str | os.PathLike[str], input_format: str | None = None) -> ValidationOutcome:
    """An RDF file (e.g. an export) checked against the SHACL shapes, as `kg validate FILE`: every graph
    in it merged; `input_format` when its name does not say it (turtle, ntriples, nquads, trig,
    jsonld, rdfxml)."""
    from kg.validation import report

    return report.validate_file(os.fspath(path), input_format)
