"""Why kg took names for people: the identity decisions of the last build, read back (`kg people
--evidence`, and the kept-apart names of `kg people --ambiguous`).

The build keeps every page's name mentions in the support store (kg.identity); resolving them again
gives the same people and, with them, the evidence for each join and each name kept apart. Only a
local store has them: an endpoint holds the graph alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import KgError
from kg.model import identity
from kg.model.terms import text_of
from kg.model.vocab import KG, Iris

if TYPE_CHECKING:
    from kg.store.generations import KgStore


@dataclass
class Explained:
    """One person's identity: the joins that made them, and the names kept apart from them."""

    iri: str
    joins: list[identity.Decision] = field(default_factory=list)
    apart: list[str] = field(default_factory=list)  # sentences, with the evidence missing

    def lines(self) -> list[str]:
        alike: dict[tuple[str, str, str], list[str]] = {}  # one line per kind of join and pair of names
        for d in self.joins:
            alike.setdefault((d.kind, min(d.names), max(d.names)), []).append(d.detail)
        out = []
        for (kind, a, b), details in alike.items():
            more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
            if kind == "apart":
                out.append(f'kept apart: "{a}": {details[0]}')
            else:
                out.append(f'joined by {kind}: "{a}" and "{b}": {details[0]}{more}')
        return out + [f"kept apart: {text}" for text in self.apart]


def stored_resolution(kg_store: KgStore) -> identity.Resolution:
    """The build's identity resolution, from the mentions its support store keeps."""
    iris: Iris = kg_store.iris
    try:
        support = kg_store._support()
    except (OSError, RuntimeError) as e:
        raise KgError(f"cannot read the store's support database: {e}") from None
    prefix = iris.page_graph_prefix
    mentions: list[identity.Mention] = []
    found = support.quads_for_pattern(
        None, ox.NamedNode(KG + "mentions"), None, ox.NamedNode(iris.identity_graph)
    )
    for quad in found:
        page_id = text_of(quad.subject)[len(prefix) :]
        mentions.extend(m for m, _ in identity.loads(page_id, text_of(quad.object)))
    return identity.resolve(mentions)


def explain(resolution: identity.Resolution, iris: Iris, person_iris: list[str]) -> list[Explained]:
    """The evidence for each of `person_iris` (as the build named them)."""
    people = f"{iris.base}person/"
    apart: dict[str, list[str]] = defaultdict(list)
    for _, candidates, singles in resolution.ambiguous:
        where = ", ".join(f"{m.page}:{m.line}" for m in singles[:5]) + (" ..." if len(singles) > 5 else "")
        if candidates:
            reason = f'{len(candidates)} people print "{singles[0].name}"'
            for c in candidates:
                apart[c].append(
                    f'"{singles[0].name}" at {where}: {reason}, nothing on those listings meets this one'
                )
        for m in singles:
            node = resolution.iri_of.get(m.key)
            if node:
                others = (
                    f"{len(candidates)} people printing it"
                    if candidates
                    else "others printing this short name"
                )
                apart[node].append(f"no evidence joins {m.page}:{m.line} to {others}")
    out = []
    for person in person_iris:
        node = person[len(people) :] if person.startswith(people) else person
        out.append(Explained(person, list(resolution.decisions.get(node, [])), apart.get(node, [])))
    return out


def kept_apart_toml(resolution: identity.Resolution, limit: int | None = None) -> str:
    """The names kept apart for want of evidence, as comments of a curation file: each with the people
    who print it. A rule that joins them is the user's to write ([[same]], or a [[distinct]] rule
    that names the groups' coauthors or pages)."""
    blocks = []
    for _, candidates, singles in resolution.ambiguous[:limit]:
        lines = [f'# "{singles[0].name}": kept apart at {len(singles)} listing(s), no evidence either way']
        for m in singles[:5]:
            beside = ", ".join(m.others) or "nobody else shown"
            lines.append(f"#   {m.page}:{m.line}, beside {beside}")
        for c in candidates:
            lines.append(f"#   a person printing it: {c}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
