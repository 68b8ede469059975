"""Worker processes that never outlive the build that started them, and never hold what it holds.

Workers are forked (they inherit the schema and lexicon without pickling), so they would also inherit
every file descriptor of the build: the store's lock and the write end of the loader's named pipe. A
worker left holding the lock keeps the store busy after its build is gone; one holding the pipe keeps
the loader from ever seeing the end of its input. So the build names those descriptors
(`parent_only`), and every forked child swaps them for /dev/null at once.

Each worker also asks Linux to kill it when its parent dies (PR_SET_PDEATHSIG), however the parent
dies, SIGKILL included, and ignores Ctrl-C: the terminal sends SIGINT to the whole process group, and
it is the build's to handle (it stops the workers itself).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

_PARENT_ONLY: set[int] = set()
PR_SET_PDEATHSIG = 1


def parent_only(fd: int) -> None:
    """Forked children must not keep `fd` open (a lock, a pipe end)."""
    _PARENT_ONLY.add(fd)


def released(fd: int) -> None:
    """`fd` is being closed by its owner: nothing to do for it in children any more."""
    _PARENT_ONLY.discard(fd)


def _drop_inherited() -> None:
    if not _PARENT_ONLY:
        return
    # dup2 over the descriptor instead of closing it: the child's Python objects that own it may close
    # it later, and must not close an unrelated file that reused the number.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in list(_PARENT_ONLY):
        with contextlib.suppress(OSError):
            os.dup2(null, fd)
    os.close(null)
    _PARENT_ONLY.clear()


os.register_at_fork(after_in_child=_drop_inherited)


def init_worker(parent_pid: int) -> None:
    """First thing in a worker: die with the parent, leave Ctrl-C to it, and end the default way when
    told to (multiprocessing terminates a parent's workers as it exits): the handler `kg` set for
    SIGTERM, inherited, would raise in the worker and print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked while it was forked
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the request above was in place
        os._exit(1)


# --- an ordered map over forked workers -------------------------------------------------------------
# Not ProcessPoolExecutor: killing its workers (Ctrl-C, a failure) can leave its result thread blocked
# on a half-written message, and the process then hangs at exit. Here this process reads every result
# itself, from one pipe per worker, so stopping the workers is just killing them.

IN_FLIGHT = 2  # tasks per worker sent ahead: results wait in memory only as long as the caller's turn


class WorkerDied(Exception):
    """A worker ended without answering (killed, out of memory)."""


def _worker_loop(
    conn: Connection,
    fn: Callable[[T], R],
    init: Callable[..., None] | None,
    initargs: tuple[object, ...],
    parent_pid: int,
) -> None:
    init_worker(parent_pid)
    if init is not None:
        init(*initargs)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        kind, payload = message
        if kind == _INIT:  # a Broadcast: no answer
            if init is not None:
                init(*payload)
            continue
        try:
            conn.send((True, fn(payload)))
        except Exception as e:
            conn.send((False, e))


_TASK, _INIT = "task", "init"


class Broadcast:
    """An item among ordered_map's tasks that is not a task: once every task before it is done and its
    result taken by the caller, `make()` is called and the workers' `init` run again with the arguments
    it returns. The workers are forked once, while this process is small, and still learn what the
    earlier results taught (a worker forked later would keep a copy of everything this process had
    grown to hold, at the cost of memory)."""

    def __init__(self, make: Callable[[], tuple[object, ...]]) -> None:
        self.make = make


def ordered_map(
    fn: Callable[[T], R],
    tasks: Iterator[T | Broadcast],
    jobs: int,
    init: Callable[..., None] | None = None,
    initargs: tuple[object, ...] = (),
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[R]:
    """fn(task) for every task, in order, in `jobs` forked workers; the workers are gone when it ends.
    `meanwhile()` runs here once the first tasks are sent, before the results are waited for."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    workers, conns = [], []
    try:
        for _ in range(jobs):
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=_worker_loop, args=(child_end, fn, init, initargs, os.getpid()), daemon=True
            )
            # Ctrl-C while the worker starts would reach it before it ignores Ctrl-C: held till then
            held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                process.start()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
            child_end.close()  # so that the worker's death reads as EOF here
            workers.append(process)
            conns.append(parent_end)
        sent = received = 0
        barrier: Broadcast | None = None

        def send_more() -> None:
            """Keep IN_FLIGHT tasks per worker sent ahead, up to a Broadcast."""
            nonlocal sent, barrier
            while barrier is None and sent - received < IN_FLIGHT * jobs:
                task = next(tasks, None)
                if task is None:
                    return
                if isinstance(task, Broadcast):
                    barrier = task
                    return
                conns[sent % jobs].send((_TASK, task))
                sent += 1

        send_more()
        if meanwhile is not None:
            meanwhile()
        while True:
            if received == sent:
                if barrier is None:
                    break
                args = barrier.make()  # the caller has taken every earlier result
                barrier = None
                for conn in conns:
                    conn.send((_INIT, args))
                send_more()
                continue
            conn = conns[received % jobs]
            try:
                ok, value = conn.recv()
            except (EOFError, OSError):
                ended = workers[received % jobs]
                ended.join(1)  # its exit code is known once it is reaped
                raise WorkerDied(
                    f"a worker process ended without an answer (exit code {ended.exitcode})"
                ) from None
            received += 1
            send_more()
            if not ok:
                raise value
            yield value
        for conn in conns:
            conn.send(None)
        for process in workers:
            process.join()
    finally:
        for process in workers:
            if process.is_alive():
                process.kill()
        for process in workers:
            process.join()
        for conn in conns:
            conn.close()


# --- one call in a child process ---------------------------------------------------------------------

_HELD: tuple[Callable[..., object], tuple[object, ...]] | None = None  # in the child: what to call


def _hold(fn: Callable[..., object], args: tuple[object, ...]) -> None:
    global _HELD
    _HELD = (fn, args)


def _call_held(_: object) -> object:
    assert _HELD is not None
    fn, args = _HELD
    return fn(*args)


def in_child(fn: Callable[..., R], *args: object, meanwhile: Callable[[], None] | None = None) -> R:
    """fn(*args) in a forked child, its result sent back: the memory the call takes is the system's
    again when the child ends, instead of staying in this process's heap for the rest of its life. The
    arguments are inherited, not pickled; the result is pickled. The child is a worker (above): it dies
    with this process, and its failure is raised here. `meanwhile()` runs here while the child works
    (no thread: a thread alive while a child is forked may hold what the child then needs)."""
    tasks = ordered_map(_call_held, iter([()]), 1, init=_hold, initargs=(fn, args), meanwhile=meanwhile)
    (result,) = list(tasks)
    return cast(R, result)
