"""What a query answers, whatever engine gives it: the types the engines return and the writers read.

Read whole: `Solutions` (SELECT), a bool (ASK), `Triples` (CONSTRUCT, DESCRIBE). As it comes:
`RowStream`, `TripleStream` or a bool, read lazily from the local store's cursor or an endpoint's response.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Record = Mapping[str, object]


@dataclass
class Solutions:
    """A SELECT result, whatever engine produced it: variable names, and one term (or None) per variable per row."""

    vars: list[str]
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)


@dataclass
class Triples:
    """A CONSTRUCT/DESCRIBE result."""

    triples: list[ox.Triple]


# What an engine answers, read whole: rows, a boolean (ASK), triples, or records a feature computed.
Answer = Solutions | bool | Triples | Sequence[Record]


@dataclass
class RowStream:
    """A SELECT answer as it comes: the variables, and rows of terms (None where unbound)."""

    vars: list[str]
    rows: Iterator[tuple[Term | None, ...]]


@dataclass
class TripleStream:
    """A CONSTRUCT/DESCRIBE answer as it comes."""

    triples: Iterator[ox.Triple]


Streamed = RowStream | TripleStream | bool


class StreamingEngine(Protocol):
    def stream(self, query: str, limit: int | None = None) -> Streamed: ...
