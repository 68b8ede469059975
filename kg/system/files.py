"""Writing an output file the way a user expects: complete or not at all, where they said, and never
somewhere a link was planted to send it.

- A plain file (or a new one) is written to a temporary file beside it that replaces it only when
  complete: an interrupted write never leaves a truncated file behind. It gets the mode a plain write
  would give it (the umask, or the mode of the file it replaces).
- A file reached through a symbolic link, or one with other hard links, is written in place, as a
  shell's `>` would: the links stay links to it and it keeps its owner (an interrupted write leaves
  it cut short; kg says so).
- A symbolic link that points nowhere is refused (kg does not create the file it names), and so is a
  link in a shared sticky folder (such as /tmp) that someone else owns: the kernel refuses to follow
  those (fs.protected_symlinks), and kg, which resolves nothing itself, follows the same rule.
- A target that is not a regular file (a device, a pipe, /dev/stdout) is written into directly.

Copying a file the store keeps (`copy_file`, `CopyAhead`: a generation's summary, from the one before)
is done by the kernel where it can, and can be stopped midway.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from kg.errors import KgError


@contextmanager
def output_file(output: str) -> Iterator[BinaryIO]:
    """A binary file to write `output` through (see above for where it goes and how)."""
    path = Path(output)
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        link = None
    except OSError as e:
        raise KgError(f"cannot write {output}: {e.strerror or e}") from None
    linked = link is not None and stat.S_ISLNK(link.st_mode)
    if link is not None and linked:
        _check_link(path, link, output)
    try:
        existing = path.stat() if link is not None else None
    except OSError as e:
        raise KgError(f"cannot write {output}: {e.strerror or e}") from None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise KgError(f"cannot write {output}: it is a folder")
    if existing is not None and not stat.S_ISREG(existing.st_mode):  # /dev/stdout, a FIFO, a device
        with _writing_in_place(path, output) as f:
            yield f
        return
    if existing is not None and (linked or existing.st_nlink > 1):
        with _writing_in_place(path, output, cut_short_note=True) as f:
            yield f
        return
    if not path.parent.is_dir():
        raise KgError(f"cannot write {output}: there is no folder {path.parent}")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as e:
        raise KgError(f"cannot write {output}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.chmod(tmp, stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~current_umask())
        if existing is not None:
            # Only root may give a file away; the mode is kept all the same.
            with suppress(PermissionError):
                os.chown(tmp, existing.st_uid, existing.st_gid)
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise KgError(f"cannot write {output}: {e.strerror or e}") from None
        raise


def _check_link(path: Path, link: os.stat_result, output: str) -> None:
    """KgError for a symbolic link kg will not follow: one that points nowhere, or one in a shared
    sticky folder owned by neither the writer nor the folder's owner."""
    folder = os.stat(path.parent)
    shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
    if shared and link.st_uid not in (os.geteuid(), folder.st_uid):
        raise KgError(
            f"cannot write {output}: it is a link in a shared folder that another user owns; "
            "kg follows no such link (write elsewhere, or remove the link)"
        )
    if not path.exists():
        raise KgError(
            f"cannot write {output}: it is a link to {os.readlink(path)}, which does not exist; "
            "kg writes through links to existing files only"
        )


@contextmanager
def _writing_in_place(path: Path, output: str, cut_short_note: bool = False) -> Iterator[BinaryIO]:
    try:
        f = open(path, "wb")  # noqa: SIM115 - closed below, its errors told as one line
    except OSError as e:
        raise KgError(f"cannot write {output}: {e.strerror or e}") from None
    try:
        with f:
            yield f
    except OSError as e:
        left = " (it was written in place: what it holds is cut short)" if cut_short_note else ""
        raise KgError(f"cannot write {output}: {e.strerror or e}{left}") from None


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


COPY_STEP = 64 << 20  # bytes copied between two looks at whether to stop


def copy_file(source: Path, target: Path, stop: threading.Event | None = None) -> None:
    """`source` copied to `target` by the kernel (`copy_file_range`: a filesystem that shares blocks
    between files, such as Btrfs or XFS, copies none), stopping early once `stop` is set; where the
    kernel cannot, by reads and writes."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        left = os.fstat(src.fileno()).st_size
        try:
            while left > 0 and not (stop and stop.is_set()):
                done = os.copy_file_range(src.fileno(), dst.fileno(), min(left, COPY_STEP))
                if done == 0:
                    break
                left -= done
            return
        except OSError as e:
            if e.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                raise
        while not (stop and stop.is_set()) and (block := src.read(1 << 20)):
            dst.write(block)


class CopyAhead:
    """`source` copied to `target` in a thread (`copy_file`) while the caller does other work:
    `copied()` waits for it; `discard()` stops it and removes the copy, whatever happened."""

    def __init__(self, source: Path, target: Path):
        self.source, self.target = source, target
        self._stop = threading.Event()
        self._failure: OSError | None = None
        target.unlink(missing_ok=True)
        self._thread = threading.Thread(target=self._copy, daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        try:
            copy_file(self.source, self.target, self._stop)
        except OSError as e:  # the caller copies again, and says what fails then
            self._failure = e

    def copied(self) -> bool:
        """Wait for the copy; whether it is complete."""
        self._thread.join()
        return self._failure is None and not self._stop.is_set()

    def discard(self) -> None:
        self._stop.set()
        self._thread.join()
        self.target.unlink(missing_ok=True)
