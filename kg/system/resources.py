"""Where the ontology, shapes and canned queries are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # kg/


def resource_dir(name: str) -> Path:
    """The folder `name` (ontology, shapes or queries).

    An installed wheel carries them in kg/_data/; an editable install or a checkout has them at the
    top of the repository, beside the package.
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"kg is missing its {name}/ folder (looked in {_PACKAGE / '_data'} and {_PACKAGE.parent})"
    )


def ontology_dir() -> Path:
    return resource_dir("ontology")


def shapes_dir() -> Path:
    return resource_dir("shapes")


def queries_dir() -> Path:
    return resource_dir("queries")
