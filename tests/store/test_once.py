"""What was given to the loader once (kg.store.once): a triple, line or row given again is dropped, a
new one never is, however small the table and however many pass; workers forked from the build share
one table."""

import pickle

import pytest

from kg.store.once import Once
from kg.system.workers import in_child

GRAPH = "https://kg.example.org/graph/facts"


def quads(numbers):
    return b"".join(
        f'<https://kg.example.org/p/{n}> <https://kg.example.org/ns#n> "{n}" <g> .\n'.encode()
        for n in numbers
    )


def triples(numbers):
    return [(f"<https://kg.example.org/p/{n}>", "<https://kg.example.org/ns#n>", f'"{n}"') for n in numbers]


# Large enough that five lines all but never share a slot (1 in 100,000: a shared slot forgets the line
# before, which then passes twice; the table's size is what bounds that, tested below).
EXACT = 1 << 20


def test_a_line_given_again_is_dropped_and_the_rest_keep_their_order():
    once = Once(EXACT)
    assert once.new_lines(quads([3, 1, 2])) == quads([3, 1, 2])
    assert once.new_lines(quads([4, 1, 5, 3, 4])) == quads([4, 5])
    assert once.new_lines(quads([1, 2, 3, 4, 5])) == b""


def test_a_triple_given_again_in_its_graph_is_dropped():
    once = Once(EXACT)
    assert once.new_triples(GRAPH, triples([3, 1, 2])) == triples([3, 1, 2])
    assert once.new_triples(GRAPH, triples([4, 1, 5, 3, 4])) == triples([4, 5])
    assert once.new_triples("https://kg.example.org/graph/inferred", triples([1, 2])) == triples([1, 2])


@pytest.mark.parametrize("slots", [1, 8, 1 << 12])
@pytest.mark.parametrize("kind", ["lines", "triples"])
def test_a_table_too_small_drops_only_what_was_given_before(slots, kind):
    """Forgetting is allowed (the store keeps a line given twice once); dropping a new one is not."""
    once = Once(slots)
    given: set = set()
    offered: set = set()
    for start in range(0, 20_000, 997):
        if kind == "lines":
            piece = quads(range(start, start + 1_500)).splitlines()
            kept = once.new_lines(b"\n".join(piece) + b"\n").splitlines()
        else:
            piece = triples(range(start, start + 1_500))
            kept = once.new_triples(GRAPH, piece)
        assert set(piece) - given <= set(kept)  # every new one passes
        assert len(kept) == len(set(kept))
        given.update(kept)
        offered.update(piece)
    assert given == offered


def test_rows_are_told_apart_by_their_kind():
    once = Once(EXACT)
    assert once.new_rows("paper", [("a", 1), ("b", 2)]) == [("a", 1), ("b", 2)]
    assert once.new_rows("paper", [("b", 2), ("c", 3)]) == [("c", 3)]
    assert once.new_rows("person", [("b", 2)]) == [("b", 2)]


def test_a_shared_table_is_the_forked_workers_own():
    """What a forked worker gave is dropped here, and the table a worker is sent (pickled with the
    build's work) is the one it shares, not a copy."""
    once = Once(EXACT, shared=True)
    try:
        assert once.new_triples(GRAPH, triples([1])) == triples([1])

        def in_worker(sent: bytes) -> list:
            return pickle.loads(sent).new_triples(GRAPH, triples([1, 2, 3]))

        assert in_child(in_worker, pickle.dumps(once)) == triples([2, 3])
        assert once.new_triples(GRAPH, triples([2, 3, 4])) == triples([4])
    finally:
        once.close()


def test_a_private_table_is_sent_empty():
    once = Once(1 << 10)
    once.new_triples(GRAPH, triples([1]))
    assert pickle.loads(pickle.dumps(once)).new_triples(GRAPH, triples([1])) == triples([1])


def test_the_table_size_is_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        Once(1000)
