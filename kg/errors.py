"""Failures a user can act on, each with the exit code that tells its kind."""

from __future__ import annotations

import errno

# Exit codes, the same for every command.
OK = 0
FINDINGS = 1  # the command ran and found problems: rejected records, violations, no such person
CANNOT_RUN = 2  # bad arguments, no store, store busy, unreadable file, unreachable endpoint
INTERNAL = 3  # a bug in kg: reported without a traceback unless KG_DEBUG is set
INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
TERMINATED = 143  # SIGTERM (128 + SIGTERM)


class KgError(Exception):
    """An error with a message meant for the user."""

    exit_code = CANNOT_RUN

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)


class StoreMissing(KgError):
    """No graph at the store location."""


class StoreBusy(KgError):
    """Another kg process is writing to the store."""


class NameNotFound(KgError):
    """A person named by the user matches nobody (AmbiguousName: more than one person)."""

    exit_code = FINDINGS


class AmbiguousName(NameNotFound):
    """A person named by the user matches several people: the message names them; `candidates` are
    their names. A NameNotFound, so that code catching that one still catches it."""

    def __init__(self, message: str, candidates: list[str] | None = None):
        super().__init__(message)
        self.candidates = list(candidates or [])


def describe_os_error(error: OSError) -> str:
    """An OSError as one line: which file, and why (the store's own errors carry both in their text)."""
    text = str(error)
    reason = error.strerror or (text.splitlines()[0] if text else type(error).__name__)
    if error.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left" in text:
        reason += " (free some space, then run the command again)"
    return f"cannot use {error.filename}: {reason}" if error.filename else f"cannot go on: {reason}"


class Stopped(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM arrived: the command unwinds (workers stopped, nothing half-written
    kept) and exits 128 + the signal's number. Not an Exception: no `except Exception` swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return INTERRUPTED if self.signum == 2 else TERMINATED
