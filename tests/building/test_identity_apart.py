"""A large build decides who is who in a child process (kg.building.people.APART_FROM): the same people
as deciding in the build's own process, the child's memory returned, its failure told."""

from __future__ import annotations

import os
import time

import pytest
from conftest import AS_OF, FIXTURE_PAGES
from stores import assert_same_store
from test_faults import python_children

from kg.building import builder, people
from kg.system.workers import WorkerDied, in_child


def memory_and_pid(size: int) -> tuple[int, int]:
    held = bytearray(size)  # what the child takes, and gives back when it ends
    return len(held), os.getpid()


def test_a_call_in_a_child_returns_its_result_and_leaves_no_process():
    size, pid = in_child(memory_and_pid, 64 << 20)
    assert size == 64 << 20 and pid != os.getpid()
    assert python_children() == []


def waiting_for(path: str) -> str:
    while not os.path.exists(path):  # written by this process meanwhile
        time.sleep(0.01)
    return "seen"


def test_this_process_works_while_the_child_does(tmp_path):
    """`meanwhile` runs here while the child works (the build loads part of an index while the child
    makes the rest); a failure there ends the child."""
    flag = tmp_path / "written here"
    assert in_child(waiting_for, str(flag), meanwhile=flag.touch) == "seen"
    with pytest.raises(ValueError, match="meanwhile"):
        in_child(waiting_for, str(tmp_path / "never"), meanwhile=lambda: failing("meanwhile"))
    assert python_children() == []


def failing(message: str) -> None:
    raise ValueError(message)


def test_a_failure_in_the_child_is_raised_here():
    with pytest.raises(ValueError, match="no such person"):
        in_child(failing, "no such person")
    assert python_children() == []


def killed() -> None:
    os._exit(9)


def test_a_child_that_dies_is_told():
    with pytest.raises(WorkerDied, match="exit code 9"):
        in_child(killed)


@pytest.mark.parametrize("jobs", [1, 2])
def test_people_decided_apart_are_the_people_decided_here(tmp_path, monkeypatch, jobs):
    build = builder.build
    build([FIXTURE_PAGES], tmp_path / "here", as_of=AS_OF, jobs=jobs)
    where = tmp_path / "decided-by"

    def told(*args):
        where.write_text(str(os.getpid()))
        return people.people_of_pages(*args)

    monkeypatch.setattr(people, "APART_FROM", 1)
    monkeypatch.setattr(
        people,
        "in_child",
        lambda fn, *args, **options: in_child(told if fn is people.people_of_pages else fn, *args, **options),
    )
    build([FIXTURE_PAGES], tmp_path / "apart", as_of=AS_OF, jobs=jobs)
    assert int(where.read_text()) != os.getpid()
    assert_same_store(tmp_path / "here", tmp_path / "apart")
    assert python_children() == []
