"""What an ad-hoc query may do: no SERVICE calls unless asked for, and no more time than allowed.

SERVICE makes the engine fetch from any address the query names (another server, a file:// URL), so
a query typed or pasted by someone else could make kg reach out on their behalf: `kg sparql` refuses
it unless `--allow-service` is given. The check reads the query's tokens (comments, strings, IRIs,
prefixed names and variables are skipped), so `?service` or `ex:SERVICE` do not trip it.

A query runs in a thread of its own (Oxigraph releases the GIL while it works): the command waits for
it with a time limit, and Ctrl-C is heard at once; when the command gives up, its process exits and
the query's work stops with it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import TypeVar

from kg.errors import KgError

T = TypeVar("T")

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\s]*>)
    | (?P<pname>(?:[A-Za-z][\w.-]*)?:[\w.%:-]*)
    | (?P<var>[?$]\w+)
    | (?P<word>[A-Za-z_]\w*)
    """,
    re.VERBOSE,
)


def uses_service(query: str) -> bool:
    """Whether the query has the SERVICE keyword (in any case) outside comments, strings and IRIs."""
    return any(m.lastgroup == "word" and m.group().upper() == "SERVICE" for m in _TOKEN.finditer(query))


def refuse_service(query: str) -> None:
    if uses_service(query):
        raise KgError(
            "refusing a query with SERVICE: it would make kg fetch from the addresses it names; "
            "give --allow-service if you trust the query"
        )


def run_limited(work: Callable[[], T], seconds: float | None) -> T:
    """work(), in a thread; KgError when it takes more than `seconds` (None: no limit)."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as e:
            # without its traceback: its frames hold Oxigraph objects that must be dropped in this thread
            outcome["error"] = e.with_traceback(None)

    thread = threading.Thread(target=run, daemon=True, name="kg-query")
    thread.start()
    thread.join(seconds)  # Ctrl-C interrupts this wait
    if thread.is_alive():
        raise KgError(f"the query took longer than {seconds:g} s and was stopped (--timeout)")
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, OSError) and not isinstance(
            error, BrokenPipeError
        ):  # e.g. a SERVICE call that failed
            raise KgError(f"the query failed: {error}") from None
        raise error
    return outcome["value"]
