"""A build that makes the graph again from nothing though the store holds one: the store was built
under other curation rules (they change the pages that print their names, often most of them: 5.7x
faster than replacing 73% of the pages, measured) or by a kg with another ontology (every page's
consequences change: 6x faster at 5,000 pages than inferring everything again in place, and within
the memory of a build from nothing, where taking the old inferred graph out held 4.4 GB).

Such a build reads every page the store holds: those given, and the others from their files, where the
store's home puts them, when each file is as the store read it (its record in the support database:
kg.store.pagestate). So `kg build PAGE` after an upgrade makes what `kg build FOLDER` makes. When a
stored page is neither given nor readable as it was, a build under other rules is refused (it would
drop the page) and a build under another ontology infers again in place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.building import curation_checks
from kg.building.pagefiles import home_folder, page_paths
from kg.errors import KgError
from kg.model import curation
from kg.model.ontology import ontology_digest
from kg.model.terms import text_of
from kg.model.vocab import KG, Iris, page_id_for
from kg.store import pagestate
from kg.store.generations import KgStore, StoreMeta

SCHEMA_KEY = "schema"  # in a generation's record: the compiled schema its graph was inferred with


@dataclass
class Rebuild:
    """Why a build starts from nothing, the record of the store it replaces, and the files of the
    stored pages it was not given (read again)."""

    why: str  # what changed: "the curation rules" or "the ontology"
    meta: StoreMeta
    read_again: list[Path]


def needed(
    store_path: str | os.PathLike[str],
    base: str,
    files: list[Path],
    paths: list[str | os.PathLike[str]],
    rules: curation.Curation | None,
) -> Rebuild | None:
    """The rebuild a build given `files` (found under `paths`) must make, if any (module docstring).
    Raises CurationError for changed rules when a stored page cannot be read again."""
    try:
        stored = KgStore.open_read(store_path)
    except KgError:  # nothing built there yet (or unreadable: the build says so itself)
        return None
    try:
        meta = stored.meta
        other_rules = (meta.extra.get(curation_checks.STORE_KEY) or "") != (rules.digest if rules else "")
        if not other_rules and (meta.base != base or same_ontology(meta, ontology_digest(base))):
            return None
        other = curation_checks.OtherRules(meta, set(stored.page_hashes()))
        again = _stored_files(stored, base, other, files, paths)
    finally:
        stored.close()
    if not other_rules:
        return None if again is None else Rebuild("the ontology", meta, again)
    if again is None:
        curation_checks.check_covers(other, _given_graphs(files, paths, meta, base))
    return Rebuild("the curation rules", meta, again or [])


def same_ontology(meta: StoreMeta, digest: str) -> bool:
    """Whether a generation's graph was inferred under the ontology of `digest`, its schema kept."""
    return meta.ontology_hash == digest and SCHEMA_KEY in meta.extra


def _given_graphs(
    files: list[Path], paths: list[str | os.PathLike[str]], meta: StoreMeta, base: str
) -> set[str]:
    """The page graphs of the files given, as the store whose record is `meta` names its pages."""
    given = page_paths(files, home_folder(meta, paths)).values()
    return {Iris(base).page_graph(page_id_for(p)) for p in given}


def _stored_files(
    stored: KgStore,
    base: str,
    other: curation_checks.OtherRules,
    files: list[Path],
    paths: list[str | os.PathLike[str]],
) -> list[Path] | None:
    """The files of the stored pages not among `files`, each where the store's home puts it and as the
    store read it (its size, time and inode, or its bytes' SHA-256); None when one is not. `stored`:
    the live generation, open for reading."""
    missing = other.pages - _given_graphs(files, paths, other.meta, base)
    if not missing:
        return []
    iris, home = Iris(base), home_folder(other.meta, paths)
    if stored.records_path.is_file():
        records = pagestate.FileRecords(stored.records_path)
        states = records.read(missing, pagestate.reads_whole(len(missing), len(other.pages)))
    else:  # kept by a kg before this one
        states = pagestate.older_records(ox.Store.read_only(str(stored.support_dir)))
    source = ox.NamedNode(KG + "sourceFile")
    found = []
    for graph in sorted(missing):
        page = ox.NamedNode(iris.page(graph[len(iris.page_graph_prefix) :]))
        quad = next(iter(stored.store.quads_for_pattern(page, source, None, None)), None)
        state = states.get(graph)
        if quad is None or state is None:
            return None
        path = home / text_of(quad.object)
        try:
            stat = pagestate.stat_of(path)
            if stat != state.stat and (stat[0] != state.size or pagestate.file_digest(path) != state.sha256):
                return None
        except OSError:  # gone, or unreadable
            return None
        found.append(path)
    return found
