"""The cycle collector is paused only for the block that asks, and comes back as it was, even when the
block fails."""

from __future__ import annotations

import gc

import pytest

from kg.system import collector


@pytest.mark.parametrize("before", [True, False])
def test_the_collector_is_paused_in_the_block_and_back_as_it_was_after(before):
    (gc.enable if before else gc.disable)()
    try:
        with pytest.raises(ValueError), collector.paused():
            assert not gc.isenabled()
            raise ValueError("the block failed")
        assert gc.isenabled() == before
    finally:
        gc.enable()
