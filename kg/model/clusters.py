"""Clusters of mentions: a union-find over mentions by their place, and how a cluster tied to several
profiles is shared among them (kg.model.identity, the evidence step)."""

from __future__ import annotations


class Union:
    """Union-find over mentions by their index in key order; a group's root is its first mention."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True


CONTESTED = -1  # a mention as near one profile as another (`nearest`)


def nearest(near: dict[int, list[int]], sources: dict[int, int]) -> dict[int, int]:
    """For each mention reached from `sources` (a mention -> its profile's owner line) over the links
    `near`, the owner line fewest links away, or CONTESTED when several are as near."""
    found = dict(sources)
    frontier = sorted(sources)
    while frontier:
        reached: dict[int, int] = {}
        for u in frontier:
            for v in near[u]:
                if v in found:
                    continue
                seen = reached.get(v)
                reached[v] = found[u] if seen is None or seen == found[u] else CONTESTED
        found.update(reached)
        frontier = sorted(reached)
    return found
