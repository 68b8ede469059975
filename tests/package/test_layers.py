"""The package's layout holds: each subpackage imports only from those below it, and no import cycle exists.

The layers follow the data flow (ARCHITECTURE.md draws them); `kg` itself and `kg.errors` are the package's
face, importable from anywhere; `kg.api` and `kg.cli` stand on top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

KG = Path(__file__).resolve().parents[2] / "kg"

LAYERS = [
    "system",  # the machine: worker processes, files written whole, progress, package data
    "reading",  # page text to records
    "model",  # records to RDF under the ontology: vocabulary, identities, mapping, entailment
    "store",  # the on-disk store and each page's way into it
    "derive",  # what a build derives: labels, query aggregates, inference across pages, the summary
    "building",  # the build: its plan carried out, generation by generation
    "validation",  # the SHACL shapes as SPARQL over the store
    "query",  # canned queries, engines, answers, names to people
    "present",  # tables, formats, streams, pictures
    "features",  # coi, people, diff, search, export, push, serve, stats
    "api",  # the Python API
    "site",  # kg serve's pages, on the API
    "cli",  # the kg command
]
FACE = {"kg", "kg.errors", "kg.__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if module in FACE or len(parts) < 2:
        return None
    return LAYERS.index(parts[1])


def _type_only(tree: ast.Module) -> set[ast.AST]:
    """The nodes inside `if TYPE_CHECKING:` blocks: imports for annotations, never run."""
    inside: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside.update(ast.walk(child))
    return inside


def imports_of(path: Path, type_only: bool = True) -> set[str]:
    """Every kg module this file imports, at any depth (function-level imports included); with
    `type_only=False`, not those only made for type annotations (they make no cycle at run time)."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = set() if type_only else _type_only(tree)
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "kg")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != "kg":
                continue
            for alias in node.names:  # `from kg.query import canned` imports the module kg.query.canned
                candidate = f"{base}.{alias.name}"
                found.add(candidate if (KG.parent / (candidate.replace(".", "/") + ".py")).exists() else base)
    return found - {here}


MODULES = {module_name(p): p for p in sorted(KG.rglob("*.py")) if "_data" not in p.parts}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_from_layers_below_it(module):
    own = layer_of(module)
    if own is None:
        return
    upward = sorted(
        imported
        for imported in imports_of(MODULES[module])
        if (theirs := layer_of(imported)) is not None and theirs > own
    )
    assert not upward, f"{module} ({LAYERS[own]}) imports from above it: {upward}"


def test_no_import_cycle():
    graph = nx.DiGraph()
    for module, path in MODULES.items():
        graph.add_node(module)
        imported_at_run_time = imports_of(path, type_only=False)
        graph.add_edges_from((module, imported) for imported in imported_at_run_time if imported in MODULES)
    # a package's __init__ and its modules are not a cycle
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_the_top_of_the_package_is_only_its_face():
    top = sorted(p.name for p in KG.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "errors.py"]


LONGEST = 650  # lines: a module longer than this holds more than one idea; split it by idea


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_too_long_to_read(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    bound = LONGEST
    assert lines <= bound, f"{module} has {lines} lines: split it by idea"
