"""The curation file against a store: rules that the built graph shows doing nothing, and a store built
under other rules than this build's (which then starts from nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.model.curation import SPLIT_MARK, Curation, CurationError
from kg.model.vocab import KG, Iris, identity_key
from kg.reading.records import WARNING, Diagnostic

# --- after a build: rules that did nothing -------------------------------------------------------------


def unused_rules(store: ox.Store, iris: Iris, curation: Curation | None) -> list[Diagnostic]:
    """A warning, at its line, for each rule (or group) that the built graph shows doing nothing."""
    if curation is None:
        return []
    import pyoxigraph as ox

    def names_of(node: str) -> set[str]:
        found = store.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(KG + "name"), None, None)
        return {identity_key(q.object.value) for q in found if isinstance(q.object, ox.Literal)}

    out = []
    for rule in curation.same:
        printed = names_of(iris.person(rule.names[0]))
        used = [n for n in rule.names if identity_key(n) in printed]
        if not used:
            message = f"no page prints any of {', '.join(rule.names)}: the rule matches nothing"
        elif len(used) == 1:
            message = f'only "{used[0]}" is printed: the rule has nothing to join'
        else:
            continue
        out.append(Diagnostic(WARNING, curation.source, rule.line, message))
    for split in curation.distinct:
        plain = iris.person(split.name)
        nodes = [f"{plain}{SPLIT_MARK}{n + 1}" for n in range(len(split.groups))]
        if not any(names_of(node) for node in [plain, *nodes]):
            message = f'no page prints "{split.name}": the rule matches nothing'
            out.append(Diagnostic(WARNING, curation.source, split.line, message))
            continue
        for n, node in enumerate(nodes):
            if not names_of(node):
                message = f'group {n + 1} ({", ".join(split.groups[n])}) matches no listing of "{split.name}"'
                out.append(Diagnostic(WARNING, curation.source, split.line, message))
    return out


STORE_KEY = "curation"  # in the store's metadata: the digest of the rules its pages were mapped by


@dataclass
class OtherRules:
    """A store built under other rules than this build's: its metadata, and its pages' graphs."""

    meta: Any  # kg.store.generations.StoreMeta
    pages: set[str]


def check_covers(other: OtherRules, given: set[str]) -> None:
    """Refuse a build under changed rules that cannot read every page of the store (those not `given`
    are neither where they were read nor as they were: kg.building.rebuilds): it starts from nothing,
    and would drop them."""
    missing = other.pages - given
    if missing:
        raise CurationError(
            f"the curation rules changed since the store was built, and {len(missing)} of its pages are "
            "neither among the pages given nor, as they were read, where their files were: build every "
            "page again (kg build FOLDER) or start over (--fresh)"
        )
