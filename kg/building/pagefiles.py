"""Which files a build reads, and what each page is called in the store.

A build is given files and folders: a folder is searched for `*.txt` pages (`find_pages`), and each
file's identity is its path under the store's home folder, kept from its first build (`home_folder`,
`page_paths`), so a page keeps its graph however it is given.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from pathlib import Path

from kg.errors import KgError
from kg.reading.records import WARNING, Diagnostic, shown_path
from kg.store.generations import StoreMeta

PAGE_SUFFIXES = (".txt",)


class NothingToBuild(KgError):
    """A build given no page: refused before anything is replaced. `diagnostics`: what was said of the
    files given (unreadable, not a page), for the CLI to show first."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


def is_page_file(path: Path) -> bool:
    """What a folder is searched for: *.txt files (any case), not hidden."""
    return path.suffix.lower() in PAGE_SUFFIXES and not path.name.startswith(".")


def find_pages(paths: Iterable[str | os.PathLike[str]], plain: set[str] | None = None) -> list[Path]:
    """Files as given; folders searched for *.txt pages, in name order. NothingToBuild when there is
    none, naming the files a folder held that are not *.txt. `plain`, when given, is told the files
    the folders' listings showed to be no link (for page_paths)."""
    found: list[Path] = []
    skipped: list[Path] = []
    folders: list[str] = []
    dangling = 0
    for given in paths:
        path = Path(given)
        if path.is_dir():
            folders.append(shown_path(str(given)))
            files, links_nowhere = _files_under(path, plain)
            for name in files:
                p = Path(name)
                (found if is_page_file(p) else skipped).append(p)
            dangling += sum(is_page_file(Path(name)) for name in links_nowhere)
        elif path.is_file():
            found.append(path)
        elif path.exists():  # a named pipe, a device, a socket: nothing that can be read twice
            raise KgError(
                f"{shown_path(str(given))} is not a page file or a folder (kg reads pages from regular files)"
            )
        else:
            raise KgError(f"no such file or folder: {shown_path(str(given))}")
    if not found:
        raise NothingToBuild(no_pages_message(folders, skipped, dangling))
    return found


def _files_under(folder: Path, plain: set[str] | None = None) -> tuple[list[str], list[str]]:
    """The files under a folder and its subfolders in the order their paths sort (not those reached
    through a link to a folder), and the links that lead nowhere, or round in a loop; neither hidden.
    One listing a folder, each sorted by name, with no stat a file but for links (os.scandir): 0.23 s
    for a folder of 100,000 pages, where a stat each and a sort of the paths took about a second."""
    files: list[str] = []
    nowhere: list[str] = []
    stack: list[str | os.DirEntry[str]] = [str(folder)]
    while stack:
        top = stack.pop()
        if isinstance(top, str):  # a folder: its entries, in name order, go before what was left
            try:
                with os.scandir(top) as listing:
                    entries = sorted(listing, key=lambda entry: entry.name)
            except OSError:  # a folder kg may not read: passed over, as a shell's glob does
                continue
            stack.extend(
                entry.path if entry.is_dir(follow_symlinks=False) else entry for entry in reversed(entries)
            )
        elif top.name.startswith("."):
            continue
        elif _is_file(top):
            files.append(top.path)
            if plain is not None and not top.is_symlink():
                plain.add(top.path)
        elif top.is_symlink() and not os.path.exists(top.path):
            nowhere.append(top.path)
    return files, nowhere


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:  # a link round in a loop
        return False


def no_pages_message(folders: list[str], skipped: list[Path], dangling: int = 0, shown: int = 3) -> str:
    where = " or ".join(folders) or "the files given"
    if dangling:
        links = "1 link that leads" if dangling == 1 else f"{dangling} links that lead"
        return f"no pages found in {where}: kg reads *.txt files, and skipped {links} nowhere, or round in a loop"
    if not skipped:
        return f"no pages found in {where}: it holds no *.txt files"
    names = ", ".join(p.name for p in skipped[:shown])
    more = f" and {len(skipped) - shown} more" if len(skipped) > shown else ""
    return (
        f"no pages found in {where}: kg reads *.txt files, and skipped {names}{more}; "
        "rename the pages to NAME.txt"
    )


HOME_KEY = "home"  # the folder page identities are relative to


def home_folder(meta: StoreMeta | None, paths: Iterable[str | os.PathLike[str]]) -> Path:
    """The store's home: kept from its first build, which took the first folder given (or the folder
    of the first file given)."""
    if meta is not None and meta.extra.get(HOME_KEY):
        return Path(meta.extra[HOME_KEY])
    for given in paths:
        path = Path(given).resolve()
        return path if path.is_dir() else path.parent
    return Path.cwd().resolve()


def page_paths(files: list[Path], home: Path, plain: Collection[str] = ()) -> dict[str, str]:
    """Each file's identity: its path relative to the store's home, or its full path outside it. Two
    same-named files in different folders are two pages, however they are given. `plain`: files known
    to be no link (find_pages): each folder is resolved once, and a file's own name only when it may be
    a link (20,000 pages: 0.03 s, against 0.3 s for a resolve each)."""
    out = {}
    inside = os.path.join(home, "")
    folders: dict[str, str] = {}
    for file in files:
        given = str(file)
        if given not in plain and os.path.islink(given):
            full = os.path.realpath(given)
        else:
            parent, name = os.path.split(given)
            folder = folders.get(parent)
            if folder is None:
                folder = folders[parent] = os.path.realpath(parent or ".")
            full = os.path.join(folder, name)
        out[given] = full[len(inside) :] if full.startswith(inside) else full
    return out


def each_page_once(files: list[Path], identities: dict[str, str]) -> tuple[list[Path], list[Diagnostic]]:
    """The files with each page once: a file of the same identity as one before it (the same file, given
    twice or by two paths) is read once, and a warning names both."""
    first: dict[str, Path] = {}
    once: list[Path] = []
    twice: list[Diagnostic] = []
    for file in files:
        identity = identities[str(file)]
        if identity in first:
            message = f"the same page as {first[identity]}, given twice; it is read once"
            twice.append(Diagnostic(WARNING, str(file), 1, message))
        else:
            first[identity] = file
            once.append(file)
    return once, twice
