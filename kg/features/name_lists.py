"""The names a user gives kg coi: a name, @FILE or - (standard input), each read whole but bounded (names, characters, bytes), every name checked and kept with where it came from (FILE:LINE)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from kg.errors import KgError


@dataclass(frozen=True)
class Name:
    """A name as the user gave it, and where: `--people`, or `FILE:LINE` of a list of names."""

    text: str
    where: str = ""


def read_names(values: Iterable[str], option: str, stdin: IO[str] | None = None) -> list[Name]:
    """The names of an option's values: `@FILE` reads a file, `-` standard input (one name a line; blank
    lines and lines starting with `#` are skipped); any other value is a name."""
    names: list[Name] = []
    for value in values:
        if value == "-":
            if stdin is None:
                raise KgError(f"{option} -: no standard input to read names from")
            names += names_in_text(_read_bounded(stdin, "standard input"), "<stdin>")
        elif value.startswith("@") and len(value) > 1:
            path = value[1:]
            try:
                with open(path, "rb") as f:
                    text = _read_bounded(f, path)
            except OSError as e:
                raise KgError(f"cannot read the names in {path}: {e.strerror or e}") from None
            names += names_in_text(text, path)
        else:
            check_name(value, option)
            names.append(Name(value, option))
        if len(names) > MAX_NAMES:
            raise KgError(f"{option} gives more than {MAX_NAMES:,} names: check them in smaller lists")
    return names


MAX_NAMES = 20_000  # names one option may give
MAX_NAME = 200  # characters in a name
MAX_NAMES_BYTES = 4 << 20  # of a file (or standard input) of names
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _read_bounded(source: IO[str] | IO[bytes], where: str) -> str:
    """The text of a names file (or stdin): UTF-8, at most MAX_NAMES_BYTES; KgError otherwise."""
    raw = getattr(source, "buffer", source)
    data: str | bytes = raw.read(MAX_NAMES_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > MAX_NAMES_BYTES:
        raise KgError(f"cannot read the names in {where}: more than {MAX_NAMES_BYTES >> 20} MB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise KgError(f"cannot read the names in {where}: not UTF-8 text (byte {e.start + 1})") from None


def check_name(name: str, where: str) -> None:
    """KgError for what cannot be a name: control characters, fewer than two letters, more than MAX_NAME
    characters."""
    if _CONTROL.search(name):
        raise KgError(f"{where}: not a name: it holds control characters")
    if len(name) > MAX_NAME:
        raise KgError(f"{where}: not a name: longer than {MAX_NAME} characters ({name[:40]}...)")
    if sum(c.isalpha() for c in name) < 2:
        raise KgError(f"{where}: not a name: {name!r} has fewer than two letters")


def names_in_text(text: str, source: str) -> list[Name]:
    names = []
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        name = line.removesuffix("\r").strip()
        if name and not name.startswith("#"):
            check_name(name, f"{source}:{number}")
            names.append(Name(name, f"{source}:{number}"))
    return names
