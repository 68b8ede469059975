"""Writing N-Quads into Oxigraph fast: its bulk loader, fed from a thread so that parsing goes on.

Two ways, measured on 1.9M quads: one bulk load of everything (11-14 s) is faster than the same quads
in several calls (18 s: each later call ingests into a store that is no longer empty). But one call
holds all it is given until it ends, about 4 bytes of memory per byte of N-Quads (measured: 0.7 GB for
180 MB of a build's N-Quads, 1.4 GB for 361 MB), and loads only once its input is closed, after the
pages are read. A build therefore loads in pieces (`BulkWriter`), each while the next is being made:
its memory stays flat however large the corpus. `StreamingWriter` is the one call, fed through a pipe.
Both are a `Writer`: a build can use either the same way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.errors import KgError
from kg.system.workers import parent_only, released

FIFO_SUFFIX = ".nq.fifo"  # the named pipes a build feeds its loaders through

BULK_BYTES = 64 << 20  # N-Quads per bulk load in pieces: the loader has a fixed cost per call
# Less than this goes in by a plain load: the bulk loader's fixed cost (new files laid into the
# database, about 0.15 s measured) is most of a small update's load
SMALL_BYTES = 1 << 20
PIECES_OUT = 2  # pieces a bulk writer holds at once, loading or waiting: each about 4x its bytes loading
LOAD_THREADS = 2  # a build's graph loads two pieces at a time once its pages are read (BulkWriter.spread)


def in_pieces(chunks: list[bytes], size: int = BULK_BYTES) -> Iterator[bytes]:
    """N-Quads `chunks` (each of whole lines) as pieces of at most `size` bytes cut at line ends (a
    single longer line is a piece of its own), for bulk loads that each hold about four times what
    they are given. The list is emptied as the pieces are taken, so what was loaded is let go."""
    chunks.reverse()
    piece: list[bytes] = []
    room = size
    while chunks:
        chunk, start = chunks.pop(), 0
        while len(chunk) - start > room:
            cut = chunk.rfind(b"\n", start, start + room) + 1
            if cut <= start and not piece:  # one line longer than a piece
                cut = chunk.index(b"\n", start) + 1
            if cut > start:
                piece.append(chunk[start:cut])
                start = cut
            yield b"".join(piece)
            piece, room = [], size
        if start < len(chunk):
            piece.append(chunk[start:] if start else chunk)
            room -= len(chunk) - start
    if piece:
        yield b"".join(piece)


def load_failed(failure: BaseException) -> KgError:
    """The loader's failure as the user sees it: the build ends, and its generation is dropped."""
    reason = getattr(failure, "strerror", None) or str(failure) or type(failure).__name__
    return KgError(
        f"the store could not load the build's data: {reason}; nothing was stored, the store is as it was"
    )


class Writer(Protocol):
    """Where a build's N-Quads go. Every method works on every writer; none raises but for a failed load."""

    seconds: float  # spent loading
    given: int  # bytes added so far
    loaded: int  # of them, bytes in the store (what the progress display counts)

    def add(self, data: bytes) -> None:
        """Queue N-Quads for the store."""

    def flush(self) -> None:
        """Load everything added so far, and wait until it is in the store (before reading it back)."""

    def close(self) -> None:
        """Load the rest and stop; a failed load is raised here as the KgError the user sees."""

    def abort(self) -> None:
        """The build failed: stop at once, loading nothing more."""

    def waiting(self, seconds: float) -> bool:
        """For `close()` in steps: wait up to `seconds` for the loads under way; True once none is."""


class BulkWriter:
    """Hands N-Quads to Oxigraph's bulk loader in large pieces, in threads of its own.

    The bulk loader has a fixed cost per call, so pieces are large; it releases the GIL, so while it
    writes one piece this process goes on taking results from the workers and filling the next. One
    call parses on one core; two calls on the same store run side by side (measured: 635,632 quads in
    four pieces, 5.3 s one after the other, 2.9 s two at a time), so the pieces left once the workers
    are done load on both cores (`spread`). While the workers run, one load at a time: two then
    measured slower at 20,000 pages (the cores were busy already, and more files were compacted). At
    most `PIECES_OUT` pieces are loading or waiting at once: memory stays bounded whatever the number
    of threads.
    """

    def __init__(self, store: ox.Store):
        self.store = store
        self.parts: list[bytes] = []
        self.size = 0
        self.seconds = 0.0  # while at least one load runs: wall time, not the threads' sum
        self.given = 0  # bytes added, and of them loaded: what the progress display counts
        self.loaded = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._room = threading.Semaphore(PIECES_OUT)  # taken by a piece handed over, given back once loaded
        self._done = threading.Condition()  # guards the counts below; told each time a load ends
        self._running = 0
        self._since = 0.0
        self._failure: BaseException | None = None
        self._aborted = False
        self._threads: list[threading.Thread] = []
        self.spread(1)

    def add(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        self.given += len(data)
        if self.size >= BULK_BYTES:
            self._hand_over()

    def flush(self) -> None:
        """Load everything added so far, and wait until it is in the store."""
        self._hand_over()
        self._queue.join()
        self._raise()

    def close(self) -> None:
        self.flush()
        self._stop()

    def abort(self) -> None:
        self.parts = []
        self._aborted = True  # a piece still waiting is not loaded
        self._stop()

    def waiting(self, seconds: float) -> bool:
        self._hand_over()
        with self._done:  # woken as a load ends, not on a clock: a small update's load is short
            if self._queue.unfinished_tasks:
                self._done.wait(seconds)
            return not self._queue.unfinished_tasks

    def spread(self, threads: int) -> None:
        """Load the pieces left `threads` at a time from now on (the workers are done: their cores are free)."""
        for _ in range(threads - len(self._threads)):
            thread = threading.Thread(target=self._load, daemon=True)
            self._threads.append(thread)
            thread.start()

    def _stop(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()

    def _hand_over(self) -> None:
        self._raise()
        if self.parts:
            data = b"".join(self.parts)
            self.parts, self.size = [], 0
            self._room.acquire()
            self._queue.put(data)

    def _load(self) -> None:
        while (data := self._queue.get()) is not None:
            try:
                if self._failure is None and not self._aborted:
                    self._starts()
                    loaded = 0
                    try:
                        if len(data) < SMALL_BYTES:
                            self.store.load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
                        else:
                            self.store.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
                        loaded = len(data)
                    finally:
                        self._ends(loaded)
            except BaseException as e:  # handed to the main thread at its next call
                self._failure = e
            finally:
                del data  # let go before the room is given back
                self._room.release()
                with self._done:
                    self._queue.task_done()
                    self._done.notify_all()
        self._queue.task_done()

    def _starts(self) -> None:
        with self._done:
            if not self._running:
                self._since = time.perf_counter()
            self._running += 1

    def _ends(self, loaded: int) -> None:
        with self._done:
            self._running -= 1
            if not self._running:
                self.seconds += time.perf_counter() - self._since
            self.loaded += loaded

    def _raise(self) -> None:
        if self._failure is not None:
            raise load_failed(self._failure) from None


class StreamingWriter:
    """Streams N-Quads into one bulk load for a whole build into an empty store.

    Oxigraph's bulk loader is fastest when it is called once: a second call ingests into a store that
    is no longer empty, which measured 55% slower for the same quads. So the loader runs in a thread,
    reading a named pipe that this process writes each page into as it arrives; the pipe holds the
    workers back when the loader is behind. The loader reads the pipe by its path, in Rust, without
    taking the GIL from this thread.

    This process holds the pipe's only write end (forked workers drop theirs, `kg.workers`), so
    closing it always ends the loader's input. A pipe left by a killed build is replaced.
    """

    def __init__(self, store: ox.Store, folder: Path, name: str = "kg-build"):
        self._store = store
        self._fifo = folder / f"{name}{FIFO_SUFFIX}"
        self.seconds = 0.0
        self.given = self.loaded = 0  # one load takes everything: loaded only once it has ended
        self._start()

    def _start(self) -> None:
        """A new load, reading a new pipe."""
        self._fifo.unlink(missing_ok=True)
        os.mkfifo(self._fifo)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._load, args=(self._store,), daemon=True)
        self._thread.start()
        try:
            self._writer = os.fdopen(self._open_write_end(), "wb")
        except BaseException:
            self._fifo.unlink(missing_ok=True)
            raise
        parent_only(self._writer.fileno())

    def _open_write_end(self) -> int:
        """The pipe's write end, once the loader has opened the other; the loader's failure if it fails first."""
        while True:
            try:
                fd = os.open(self._fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
            else:
                os.set_blocking(fd, True)
                return fd
            if not self._thread.is_alive():
                raise load_failed(self._failure or RuntimeError("it stopped before reading"))
            time.sleep(0.005)

    def _load(self, store: ox.Store) -> None:
        started = time.perf_counter()
        try:
            # lenient: kg wrote every IRI itself from a checked base and slugs; checking them all again
            # measured a quarter of the load time
            store.bulk_load(path=str(self._fifo), format=ox.RdfFormat.N_QUADS, lenient=True)
        except BaseException as e:  # handed to the main thread
            self._failure = e
            self._drain()
        finally:
            self.seconds += time.perf_counter() - started

    def _drain(self) -> None:
        """Unblock a writer waiting on a full pipe, until it closes its end."""
        try:
            fd = os.open(self._fifo, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as drain:
            while drain.read(1 << 16):
                pass

    def add(self, data: bytes) -> None:
        if self._failure is not None:
            raise load_failed(self._failure) from None
        try:
            self._writer.write(data)
            self.given += len(data)
        except BrokenPipeError:  # the loader failed and closed its end: end ours, so its drain ends too
            with contextlib.suppress(OSError):
                self._close_pipe()
            self._thread.join()
            raise load_failed(self._failure or BrokenPipeError("the loader stopped reading")) from None

    def flush(self) -> None:
        """End this load and start another: what follows goes in a later, slower load (see above)."""
        self.close()
        self._start()

    def close(self) -> None:
        self._close_pipe()
        self._thread.join()
        if self._failure is not None:
            raise load_failed(self._failure) from None
        self.loaded = self.given

    def waiting(self, seconds: float) -> bool:
        """The load goes on after the pipe is closed: `close()` in steps, to say what is going on."""
        try:
            self._close_pipe()
        except OSError:  # the loader failed and stopped reading: close() says why
            return True
        self._thread.join(seconds)
        return not self._thread.is_alive()

    def abort(self) -> None:
        """The build failed: make the loader fail at once (its generation is dropped) instead of
        loading what it has read so far, which takes as long as a build."""
        with contextlib.suppress(OSError, ValueError):
            self._writer.write(b"\n<abort: this build was stopped\n")  # not N-Quads: the loader stops at it
        with contextlib.suppress(OSError):
            self._close_pipe()
        self._thread.join()

    def _close_pipe(self) -> None:
        if not self._writer.closed:
            released(self._writer.fileno())
            try:
                self._writer.close()
            finally:
                self._fifo.unlink(missing_ok=True)
