"""Pages parsed once per build: what the names pass parsed, kept on disk for the mapping pass.

A build reads its pages twice: first for the names they show (kg.identity needs every page's names
before any page is mapped), then to map them. Parsing is most of what the first pass costs (a layout-B
page's fused lines most of all), so each worker keeps what it parsed in a file of this folder, and the
mapping pass takes it from there instead of parsing again: about 0.3 ms to write and read back against
3 ms to parse, measured. On disk, not in memory, so that a build's memory does not grow with its
corpus. A parse is taken only for the same bytes (their SHA-256): a file changed between the passes
is parsed again. The folder belongs to the build's new generation (kg.store.generations), and goes
with it however the build ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

from kg.reading.records import ParsedPage

SUFFIX = ".parsed"  # beside a generation's folder: the pages its build parsed, until they are mapped


class ParsedSpool:
    """One build's parsed pages, by file (see the module's doc)."""

    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    @contextlib.contextmanager
    def kept_in(cls, folder: Path) -> Iterator[ParsedSpool]:
        """A spool in `folder`, new and empty, and removed with all it holds when the block ends."""
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        try:
            yield cls(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _file(self, source: str) -> Path:
        return self.folder / (hashlib.md5(source.encode("utf-8", "surrogateescape")).hexdigest() + ".pickle")

    def put(self, source: str, sha256: str, parsed: ParsedPage) -> None:
        """Keep `parsed`, read from `source` whose bytes have this digest; a full disk keeps nothing."""
        with contextlib.suppress(OSError):
            self._file(source).write_bytes(pickle.dumps((sha256, parsed), protocol=pickle.HIGHEST_PROTOCOL))

    def take(self, source: str, sha256: str) -> ParsedPage | None:
        """What `put` kept for `source`, if its bytes are the same; removed either way."""
        path = self._file(source)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        path.unlink(missing_ok=True)
        try:
            kept, parsed = pickle.loads(data)
        except Exception:  # cut short (a full disk): the page is parsed again
            return None
        return parsed if kept == sha256 and isinstance(parsed, ParsedPage) else None
