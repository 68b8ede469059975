"""How a build writes: chosen once, from what the store holds and what the build was given."""

from __future__ import annotations

from dataclasses import dataclass

# An update touching fewer pages than this share of the store keeps the derived graph triple by triple.
INCREMENTAL_SHARE = 0.25

FROM_NOTHING, INCREMENTAL, IN_BULK, REINFER_ALL = "from nothing", "incremental", "in bulk", "re-infer all"


@dataclass(frozen=True)
class BuildPlan:
    """One of four ways to build, and why:

    - from nothing: the store has no pages; everything goes to the bulk loader as it comes, and nothing
      is read back before the derivations;
    - incremental: a small update; facts and consequences are added and taken back triple by triple,
      and the derivations redone for what the pages touched;
    - in bulk: a large update; pages, facts and consequences load in large pieces, then the
      derivations are redone for everything and the graphs recounted;
    - re-infer all: the ontology changed; as in bulk, and every page's consequences are inferred again.
    """

    kind: str
    reason: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"

    @property
    def streams(self) -> bool:
        """Into an empty store: every page's data and consequences go to the loader as they come."""
        return self.kind == FROM_NOTHING

    @property
    def incremental(self) -> bool:
        return self.kind == INCREMENTAL

    @property
    def reinfers_all(self) -> bool:
        return self.kind == REINFER_ALL

    @property
    def recounts(self) -> bool:
        """Bulk loads do not say what was new: the derived graphs are counted again afterwards."""
        return not self.incremental


def choose_plan(
    stored_pages: int, given_pages: int, ontology_changed: bool, again: str | None = None, read_again: int = 0
) -> BuildPlan:
    """The plan for a build given `given_pages` files to read (those unchanged since the store read them
    left out: kg.pagestate) into a store holding `stored_pages` pages. `again`: what changed that made
    the build start its generation empty and read every page (the curation rules, the ontology), of
    which `read_again` were not given (kg.building.rebuilds)."""
    if stored_pages == 0:
        if not again:
            return BuildPlan(FROM_NOTHING, "the store holds no pages")
        files = f" ({read_again} not given, read from their files)" if read_again else ""
        return BuildPlan(FROM_NOTHING, f"{again} changed: every page built again{files}")
    if ontology_changed:
        return BuildPlan(
            REINFER_ALL,
            "the ontology changed since the last build, and a page the store holds is neither given nor "
            "where it was read (given every page, kg builds it again from nothing, faster)",
        )
    share = f"{given_pages} files to read for {stored_pages} stored pages"
    if given_pages < INCREMENTAL_SHARE * stored_pages:
        return BuildPlan(INCREMENTAL, f"{share}, under {INCREMENTAL_SHARE:.0%}")
    return BuildPlan(IN_BULK, f"{share}, {INCREMENTAL_SHARE:.0%} or more")
