"""Copying a file as a store does (kg.system.files.copy_file): whole, or stopped when asked."""

from __future__ import annotations

import errno
import os
import threading

import pytest

from kg.system import files

DATA = bytes(range(256)) * 4099  # not a multiple of any step


@pytest.mark.parametrize("kernel", ["copy_file_range", "reads and writes"])
def test_a_copy_is_the_file_byte_for_byte(tmp_path, monkeypatch, kernel):
    """By the kernel, or by reads and writes where it cannot copy between the files (another
    filesystem, an older kernel): the same bytes either way, in steps smaller than the file."""
    source, target = tmp_path / "a", tmp_path / "b"
    source.write_bytes(DATA)
    monkeypatch.setattr(files, "COPY_STEP", 1000)
    if kernel != "copy_file_range":

        def cannot(*_: object) -> int:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

        monkeypatch.setattr(os, "copy_file_range", cannot)
    target.write_bytes(b"older and longer" * 100_000)
    files.copy_file(source, target)
    assert target.read_bytes() == DATA


def test_a_copy_stops_when_asked(tmp_path, monkeypatch):
    source, target = tmp_path / "a", tmp_path / "b"
    source.write_bytes(DATA)
    monkeypatch.setattr(files, "COPY_STEP", 1000)
    stop = threading.Event()
    real = os.copy_file_range
    steps = []

    def step(src: int, dst: int, count: int) -> int:
        steps.append(count)
        if len(steps) == 3:
            stop.set()
        return real(src, dst, count)

    monkeypatch.setattr(os, "copy_file_range", step)
    files.copy_file(source, target, stop)
    assert len(steps) == 3
    assert target.read_bytes() == DATA[:3000]
