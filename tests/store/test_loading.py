"""N-Quads cut into pieces for the bulk loader: every line once, whole, in order, within the bound."""

from __future__ import annotations

import random

import pytest

from kg.store.loading import in_pieces


@pytest.mark.parametrize("seed", range(200))
def test_pieces_keep_every_line_whole_and_within_the_bound(seed):
    rng = random.Random(seed)
    size = rng.randrange(5, 60)
    lines = [b"<s> <p> " + b"o" * rng.randrange(0, 70) + b" .\n" for _ in range(rng.randrange(0, 40))]
    chunks, i = [b""], 0
    while i < len(lines):  # chunks of whole lines, as the derivations give them
        step = rng.randrange(1, 6)
        chunks.append(b"".join(lines[i : i + step]))
        i += step
    held = list(chunks)
    pieces = list(in_pieces(held, size))
    assert b"".join(pieces) == b"".join(chunks) and held == []  # what was held is let go
    assert all(piece.endswith(b"\n") for piece in pieces)
    assert all(len(piece) <= size or piece.count(b"\n") == 1 for piece in pieces)  # a longer line alone
    assert len(pieces) <= 2 * -(-len(b"".join(chunks)) // size) + 1  # not needlessly many
