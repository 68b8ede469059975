"""Layout-A pages written by tests: one owner, listings given as (date as printed, title, author line)."""

from __future__ import annotations

HEADER = """{owner}

LG
h-index10
{count}papers
100citations
Novelty50%
AI Score50

{count} Papers
"""


def page(owner: str, listings: list[tuple[str, str, str]]) -> str:
    """A layout-A page: (date as printed, title, author line) per listing."""
    blocks = [HEADER.format(owner=owner, count=len(listings))]
    for day, title, authors in listings:
        blocks.append(f"LG{day}\n{title}\n\n{authors}\n\nAn abstract of our own.\n")
    return "\n".join(blocks)
