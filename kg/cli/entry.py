"""The entry point: no traceback reaches the user; exit codes follow kg.errors; signals unwind."""

from __future__ import annotations

import os
import signal
import sys
from contextlib import suppress
from types import FrameType
from typing import NoReturn

import click

from kg.cli.group import cli
from kg.errors import CANNOT_RUN, INTERNAL, INTERRUPTED, KgError, Stopped, describe_os_error
from kg.present import terminal


def main(restore_signals: bool = False) -> None:
    """Entry point: no traceback reaches the user; exit codes follow kg.errors.

    Ctrl-C and SIGTERM stay kg's to the end. Once the command is over they are ignored: Python puts
    its own handlers back to the default while it shuts down (closing the store can take a moment),
    and a signal then would kill kg the default way. A caller that goes on after kg (a test) restores
    them instead."""
    stopping = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, _stop) for s in stopping if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        try:
            _main()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler if restore_signals else signal.SIG_IGN)
    except Stopped as e:  # arrived as the command ended, before the line above
        _quit("interrupted" if e.exit_code == INTERRUPTED else "terminated", e.exit_code)


def _main() -> None:
    if sys.stdout is None:  # started with stdout closed (`kg ... >&-`): the output would vanish
        _quit("standard output is closed: kg has nowhere to write its output", CANNOT_RUN)
    try:
        cli.main(standalone_mode=False, prog_name="kg")
        _flush_output()
    except click.exceptions.Abort:
        _quit("interrupted", INTERRUPTED)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except SystemExit:
        # click's way of saying the reader left: it wraps stdout (the class's name varies between versions)
        if type(sys.stdout).__name__ in ("PacifyFlushWrapper", "_PacifyFlushWrapper"):
            _quit_quietly()
        raise
    except KgError as e:
        _quit(e.message, e.exit_code)
    except BrokenPipeError:
        _quit_quietly()  # `kg export | head`: the reader left; not an error of ours.
    except OSError as e:  # the environment: permissions, a full disk, a missing folder, stdout
        _drop_pending_output()
        if _in_echo(e):
            _quit(f"cannot write the output: {e.strerror or e}", CANNOT_RUN)
        _quit(describe_os_error(e), CANNOT_RUN)
    except KeyboardInterrupt:
        _quit("interrupted", INTERRUPTED)
    except Stopped as e:
        _quit("interrupted" if e.exit_code == INTERRUPTED else "terminated", e.exit_code)
    except Exception as e:
        if os.environ.get("KG_DEBUG"):
            raise
        _quit(f"internal error: {type(e).__name__}: {e} (set KG_DEBUG=1 to see where)", INTERNAL)
    sys.exit(0)


def _stop(signum: int, frame: FrameType | None) -> NoReturn:
    """Ctrl-C or SIGTERM: unwind (click would turn a KeyboardInterrupt into a blank line and Abort)."""
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)  # one is enough: a second must not cut the cleanup short
    raise Stopped(signum)


def _quit(message: str, code: int) -> None:
    """One line on stderr, then exit: whatever state stderr is in."""
    with suppress(Exception):
        click.echo(terminal.visible(f"kg: {message}"), err=True)
    sys.exit(code)


def _flush_output() -> None:
    """Flush stdout here, not at exit: a full disk is reported like any failure (a closed pipe is quiet)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        _drop_pending_output()
        _quit(f"cannot write the output: {e.strerror or e}", CANNOT_RUN)


def _in_echo(error: BaseException) -> bool:
    """Whether the error came from writing the output (click.echo), not from a file or the store."""
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "echo" and os.sep + "click" + os.sep in code.co_filename:
            return True
        tb = tb.tb_next
    return False


def _quit_quietly() -> None:
    """The reader of stdout left: stop without an error, and without Python complaining at exit."""
    _drop_pending_output()
    sys.exit(0)


def _drop_pending_output() -> None:
    """Point stdout at /dev/null, so that what is still buffered cannot fail again at exit."""
    with suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
