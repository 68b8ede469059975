"""Lines given to the loader once (kg.store.once): a line given again is dropped, a new line never is,
however small the table and however many lines pass."""

import pytest

from kg.store.once import Once


def quads(numbers):
    return b"".join(
        f'<https://kg.example.org/p/{n}> <https://kg.example.org/ns#n> "{n}" <g> .\n'.encode()
        for n in numbers
    )


def test_a_line_given_again_is_dropped_and_the_rest_keep_their_order():
    once = Once(1 << 10)
    assert once.new_lines(quads([3, 1, 2])) == quads([3, 1, 2])
    assert once.new_lines(quads([4, 1, 5, 3, 4])) == quads([4, 5])
    assert once.new_lines(quads([1, 2, 3, 4, 5])) == b""


@pytest.mark.parametrize("slots", [1, 8, 1 << 12])
def test_a_table_too_small_for_the_lines_drops_only_lines_given_before(slots):
    """Forgetting is allowed (the store keeps a line given twice once); dropping a new line is not."""
    once = Once(slots)
    given: set[bytes] = set()
    offered: set[bytes] = set()
    for start in range(0, 20_000, 997):
        piece = quads(range(start, start + 1_500))
        kept = once.new_lines(piece).splitlines()
        assert set(piece.splitlines()) - given <= set(kept)  # every new line passes
        assert len(kept) == len(set(kept))
        given.update(kept)
        offered.update(piece.splitlines())
    assert given == offered


def test_rows_are_told_apart_by_their_kind():
    once = Once(1 << 8)
    assert once.new_rows("paper", [("a", 1), ("b", 2)]) == [("a", 1), ("b", 2)]
    assert once.new_rows("paper", [("b", 2), ("c", 3)]) == [("c", 3)]
    assert once.new_rows("person", [("b", 2)]) == [("b", 2)]


def test_the_table_size_is_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        Once(1000)
