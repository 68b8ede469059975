"""What an ad-hoc query may do: no SERVICE calls unless asked for, and no more time than allowed.

SERVICE makes the engine fetch from any address the query names (another server, a file:// URL), so
a query typed or pasted by someone else could make kg reach out on their behalf: `kg sparql` refuses
it unless `--allow-service` is given. The check is SPARQL's own grammar, and what runs is the text it
checked (kg.service_check), so `?service` or `ex:SERVICE` do not trip it and no spelling slips by.

A query runs in a thread of its own (Oxigraph releases the GIL while it works): the command waits for
it with a time limit, and Ctrl-C is heard at once; when the command gives up, its process exits and
the query's work stops with it. A streamed answer (`pump`) is pulled by such a thread into a `Feed`
the command writes from as items come, under the same time limit.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from kg.errors import KgError

T = TypeVar("T")
Item = TypeVar("Item")  # an item of an answer: a row, a triple


def uses_service(query: str) -> bool:
    """Whether the query calls SERVICE, or may (kg.service_check: SPARQL's own grammar decides)."""
    from kg.query.service_check import service_reason

    return service_reason(query) is not None


def refuse_service(query: str) -> str:
    """The text to run (kg.service_check.checked_text), or KgError when it calls SERVICE or may."""
    from kg.query.service_check import ServiceRefused, checked_text, service_reason

    reason = service_reason(query)
    if reason is not None:
        raise ServiceRefused(
            f"refusing a query with SERVICE: {reason}; give --allow-service if you trust the query"
        )
    return checked_text(query)


def bare(error: BaseException) -> BaseException:
    """The error without its traceback and the errors it was raised from: their frames hold engine
    objects (an answer being parsed) that must be dropped in the thread that made them."""
    error.__context__ = error.__cause__ = None
    return error.with_traceback(None)


def run_limited(work: Callable[[], T], seconds: float | None) -> T:
    """work(), in a thread; KgError when it takes more than `seconds` (None: no limit)."""
    values: list[T] = []  # what work() returned, once it has
    errors: list[BaseException] = []  # or what it raised

    def run() -> None:
        try:
            values.append(work())
        except BaseException as e:
            # without its traceback: its frames hold Oxigraph objects that must be dropped in this thread
            errors.append(bare(e))

    thread = threading.Thread(target=run, daemon=True, name="kg-query")
    thread.start()
    thread.join(seconds)  # Ctrl-C interrupts this wait
    if thread.is_alive():
        raise KgError(f"the query took longer than {seconds:g} s and was stopped (--timeout)")
    if errors:
        error = errors[0]
        if isinstance(error, OSError) and not isinstance(
            error, BrokenPipeError
        ):  # e.g. a SERVICE call that failed
            raise KgError(f"the query failed: {error}") from None
        raise error
    return values[0]


# --- answers handed over as they come ---------------------------------------------------------------

BATCH = 4096  # the most items the engine gets ahead of the writer: what a streamed answer holds in memory


class Feed(Generic[Item]):
    """The items of an engine's answer, pulled by a worker thread and read here as they come.

    The two threads take turns: the worker pulls a batch (1 item, then 2, 4, ... up to BATCH, so the
    first rows show at once) while the reader waits, then the reader writes it while the worker waits.
    Running both at once would make them fight over the GIL at every item (three times slower); taking
    turns, memory stays flat whatever the answer's size. The reader waits with the deadline in view, so
    a query past its time is stopped (KgError, exit 2) and Ctrl-C is heard at once, even while the
    engine works on one item; and it takes what the worker has so far when the next item is slow to
    come. `close()` tells the worker to stop at its next item."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.items: collections.deque[Item] = collections.deque()
        self.done = False
        self.stopped = False
        self.error: BaseException | None = None
        self.ready = threading.Event()  # the worker has items (or is done)
        self.go = threading.Event()  # the reader has taken them: pull more

    # --- the worker's side

    def fill(self, source: Iterator[Item]) -> None:
        items, batch = self.items, 1
        try:
            for item in source:
                items.append(item)
                if len(items) >= batch:
                    batch = min(2 * batch, BATCH)
                    self.go.clear()
                    self.ready.set()
                    self.go.wait()
                if self.stopped:
                    return
        except BaseException as e:
            self.fail(e)
        finally:
            self.finish()

    def fail(self, error: BaseException) -> None:
        # without its traceback: its frames hold engine objects that must be dropped in this thread
        self.error = bare(error)

    def finish(self) -> None:
        self.done = True
        self.ready.set()

    # --- the reader's side

    def __iter__(self) -> Iterator[Item]:
        items = self.items
        while True:
            while items:
                yield items.popleft()
            if self.done:
                if items:
                    continue
                self._raise_error()
                return
            self.wait()

    def wait(self, longest: float = 0.1) -> None:
        """Let the worker pull more, until it has some (or `longest` seconds); KgError past the deadline."""
        self.ready.clear()
        if not self.items and not self.done:
            self.go.set()
            wait = (
                longest if self.deadline is None else max(0.0, min(longest, self.deadline - time.monotonic()))
            )
            self.ready.wait(wait)  # Ctrl-C interrupts this wait
        self._check_deadline()

    def count_rest(self, seconds: float) -> int | None:
        """How many items are still to come, if that is known within `seconds`; None otherwise."""
        end, count = time.monotonic() + seconds, 0
        items = self.items
        while True:
            while items:
                items.popleft()
                count += 1
            if self.done and not items:
                return None if self.error is not None else count
            if time.monotonic() > end:
                return None
            self.wait(0.01)

    def close(self) -> None:
        self.stopped = True
        self.items.clear()
        self.go.set()

    def _check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline and not self.done:
            self.close()
            raise timed_out(self.seconds)

    def _raise_error(self) -> None:
        if self.error is not None:
            raise _user_error(self.error)


def timed_out(seconds: float | None) -> KgError:
    return KgError(f"the query took longer than {seconds:g} s and was stopped (--timeout)")


def _user_error(error: BaseException) -> BaseException:
    if isinstance(error, OSError) and not isinstance(
        error, BrokenPipeError
    ):  # e.g. a SERVICE call that failed
        return KgError(f"the query failed: {error}")
    return error


def pump(
    open_answer: Callable[[], T], split: Callable[[T], tuple[T, Iterator[Item] | None]], seconds: float | None
) -> tuple[T, Feed[Item]]:
    """open_answer() in a worker thread; `split(answer)` gives what the reader needs to know of it (its
    variables, say) and the iterator of its items (None: nothing to pull), which the worker pulls into a
    Feed. (that head, the feed) as soon as the answer is open, within `seconds` (None: no limit).

    The engine's objects stay in the worker thread, where they are made, used and dropped: pyoxigraph's
    cannot be dropped in another."""
    feed: Feed[Item] = Feed(seconds)
    opened: dict[str, T] = {}

    def run() -> None:
        try:
            head, source = split(open_answer())
            opened["head"] = head
        except BaseException as e:
            feed.fail(e)
            feed.finish()
            return
        if source is None:
            feed.finish()
            return
        feed.ready.set()
        feed.fill(source)

    threading.Thread(target=run, daemon=True, name="kg-query").start()
    while "head" not in opened and not feed.done:
        feed.wait()
    if "head" not in opened:
        feed._raise_error()
    return opened["head"], feed
