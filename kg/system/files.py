"""Writing an output file the way a user expects: complete or not at all, where they said.

Output goes to a temporary file beside the target that replaces it only when complete: an interrupted
write never leaves a truncated file behind. The file gets the mode a plain write would give it (the
umask, or the mode of the file it replaces), a symlink is written through, and a target that is not a
regular file (a device, a pipe, /dev/stdout) is written into directly, never replaced.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from kg.errors import KgError


@contextmanager
def output_file(output: str) -> Iterator[BinaryIO]:
    """A binary file to write `output` through; it appears complete or not at all (see above)."""
    target = Path(os.path.realpath(output))  # through symlinks: the link stays, its target is written
    if target.is_dir():
        raise KgError(f"cannot write {output}: it is a folder")
    if target.exists() and not target.is_file():  # /dev/stdout, a FIFO, a device: write into it
        try:
            with open(target, "wb") as f:
                yield f
        except OSError as e:
            raise KgError(f"cannot write {output}: {e.strerror or e}") from None
        return
    if not target.parent.is_dir():
        raise KgError(f"cannot write {output}: there is no folder {target.parent}")
    existing = target.stat() if target.exists() else None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
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
        os.replace(tmp, target)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise KgError(f"cannot write {output}: {e.strerror or e}") from None
        raise


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
