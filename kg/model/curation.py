"""Identities a user curates: a TOML file of rules, applied to every page a build maps.

    [[same]]            # one person printed several ways: one node, every printing kept as a name
    names = ["Y. Wang", "Yuke Wang"]
    [[distinct]]        # one printed name that is several people, told apart by evidence
    name = "Wei Zhang"
    by = "coauthor"     # or "org" or "page"
    groups = [["Alice Smith"], ["Bob Jones"]]

A `same` group is one IRI, the first name's, with every printing a `kg:name` of it (no `owl:sameAs`:
ontology/README.md, Curated identities). A `distinct` rule gives each group a node of its own,
`{the name's IRI}~{n}` (a slug never holds `~`, so no printed name can take it), and a display label
that tells it apart (`kg:curatedLabel`); a listing that matches no group keeps the name's own node,
labelled `NAME (other)`. Rules change only which node a printing is: they reach the graph through the
pages' triples. The store keeps a digest of its rules; under other rules kg.building builds the graph
again from nothing (a rule on a common name touches most pages, and replacing them one by one measured
far slower), so removing a rule gives the graph a build without it gives.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from kg.errors import KgError
from kg.model.vocab import Iris, identity_key
from kg.reading.records import shown_path

DEFAULT_FILE = "kg-curation.toml"
ENV_VAR = "KG_CURATION"
EVIDENCE = ("coauthor", "org", "page")
SPLIT_MARK = "~"  # between a name's IRI and a group's number: never part of a slug
OTHER = "other"  # the label's note on the node of listings no group matched


class CurationError(KgError):
    """A curation file kg cannot use; exit code 2. `located`: the message is `FILE:LINE: error: ...`."""

    def __init__(self, message: str, located: bool = False):
        super().__init__(message)
        self.located = located


@dataclass(frozen=True)
class SameRule:
    line: int
    names: tuple[str, ...]
    label: str | None = None


@dataclass(frozen=True)
class DistinctRule:
    line: int
    name: str
    by: str
    groups: tuple[tuple[str, ...], ...]
    labels: tuple[str, ...]  # one per group, then the one of listings no group matched


@dataclass(frozen=True)
class Evidence:
    """What a listing shows beside a name: its page, its organisations, the other people on it."""

    page: str  # the page's identity path (relative to the store's home)
    orgs: frozenset[str] = frozenset()  # identity keys
    coauthors: frozenset[str] = frozenset()  # identity keys, after `same` groups


@dataclass(frozen=True)
class Identity:
    """The node a printing is, and the display label a rule gives it (None: the usual rule)."""

    iri: str
    label: str | None = None


@dataclass
class Curation:
    source: str  # the file, as given
    same: list[SameRule] = field(default_factory=list)
    distinct: list[DistinctRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        # identity key of a printing -> the `same` group it is in, or the `distinct` rule that splits it
        self._same = {identity_key(n): r for r in self.same for n in r.names}
        self._split = {identity_key(r.name): r for r in self.distinct}

    @property
    def digest(self) -> str:
        """What the rules say, whatever the file's comments and layout."""
        rules = {
            "same": [[list(r.names), r.label] for r in self.same],
            "distinct": [[r.name, r.by, [list(g) for g in r.groups], list(r.labels)] for r in self.distinct],
        }
        return hashlib.sha256(json.dumps(rules, ensure_ascii=False).encode()).hexdigest()

    def canonical_key(self, name: str) -> str:
        """The identity key of the person a printing is, `same` groups applied."""
        key = identity_key(name)
        rule = self._same.get(key)
        return identity_key(rule.names[0]) if rule else key

    def names(self, name: str) -> bool:
        """Does a rule name this printing? Then the rule, not the evidence on the pages, says who it is."""
        key = identity_key(name)
        return key in self._same or key in self._split

    def is_split(self, name: str) -> bool:
        return identity_key(name) in self._split

    def identity(
        self, iris: Iris, name: str, evidence: Sequence[Evidence] = ()
    ) -> tuple[Identity, list[str]]:
        """The node `name` is where it shows with `evidence` (one listing's, or every listing of a profile
        for its owner); and notes on doubts. A split name goes to the group the most listings match (the
        first of equals), with a note when several match; a name no rule splits needs no evidence."""
        key = identity_key(name)
        rule = self._split.get(key)
        if rule is None:
            same = self._same.get(key)
            if same is None:
                return Identity(iris.person(name)), []
            return Identity(iris.person(same.names[0]), same.label), []
        plain = iris.person(name)
        votes = [sum(1 for e in evidence if self._matches(rule.by, group, e)) for group in rule.groups]
        matched = [n for n, count in enumerate(votes) if count]
        if not matched:
            return Identity(plain, rule.labels[-1]), []
        best = max(matched, key=lambda n: (votes[n], -n))
        notes = []
        if len(matched) > 1:
            counted = len(evidence) > 1
            shown = " and ".join(
                f"{n + 1} ({', '.join(rule.groups[n])}"
                + (f": {votes[n]} listing{'s' if votes[n] > 1 else ''})" if counted else ")")
                for n in matched
            )
            notes.append(
                f'"{name}" matches groups {shown} of the rule at {self.where(rule.line)}; '
                f"taken as group {best + 1}"
            )
        return Identity(f"{plain}{SPLIT_MARK}{best + 1}", rule.labels[best]), notes

    def _matches(self, by: str, group: tuple[str, ...], evidence: Evidence) -> bool:
        if by == "page":
            return any(evidence.page == entry or evidence.page.endswith("/" + entry) for entry in group)
        if by == "org":
            return bool({identity_key(entry) for entry in group} & evidence.orgs)
        return bool({self.canonical_key(entry) for entry in group} & evidence.coauthors)  # any spelling

    def where(self, line: int) -> str:
        return f"{shown_path(self.source)}:{line}"


# --- finding and reading the file ---------------------------------------------------------------------


def locate(given: str | os.PathLike[str] | None = None) -> Path | None:
    """The curation file: the one given (or KG_CURATION), which must exist; else ./kg-curation.toml if
    there is one; else none."""
    given = given if given is not None else os.environ.get(ENV_VAR) or None
    if given is not None:
        path = Path(given)
        if path.is_dir():
            raise CurationError(
                f"{shown_path(str(given))} is a folder, not a curation file (kg-curation.toml)"
            )
        if not path.is_file():
            raise CurationError(f"no curation file {shown_path(str(given))}")
        return path
    default = Path(DEFAULT_FILE)
    return default if default.is_file() else None


def load(path: str | os.PathLike[str] | None) -> Curation | None:
    """The rules of a curation file (None for no file); CurationError naming the line of any fault."""
    if path is None:
        return None
    source = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")  # an editor's byte-order mark is not TOML
    except OSError as e:
        raise CurationError(f"cannot read the curation file {shown_path(source)}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise CurationError(f"{shown_path(source)}:1: error: not UTF-8 text ({e.reason})", True) from None
    return parse(text, source)


_TABLE = re.compile(r"^\s*\[\[\s*(same|distinct)\s*\]\]")
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def parse(text: str, source: str) -> Curation:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10 has no tomllib
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        found = _AT_LINE.search(message)
        line = int(found.group(1)) if found else 1
        reason = _AT_LINE.sub("", message).strip()
        raise CurationError(f"{shown_path(source)}:{line}: error: not valid TOML: {reason}", True) from None
    return _Reader(text, source).read(data)


class _Reader:
    """Checks the parsed TOML against the format, naming the line of each fault."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.lines = text.splitlines()
        self.headers: dict[str, list[int]] = {"same": [], "distinct": []}
        for number, line in enumerate(self.lines, start=1):
            found = _TABLE.match(line)
            if found:
                self.headers[found.group(1)].append(number)

    def fail(self, line: int, message: str) -> NoReturn:
        raise CurationError(f"{shown_path(self.source)}:{line}: error: {message}", True)

    def line_of(self, kind: str, index: int) -> int:
        headers = self.headers[kind]
        return headers[index] if index < len(headers) else 1  # written inline: no header to point at

    def key_line(self, start: int, key: str) -> int:
        """The line of `key = ...` in the table starting at `start` (the table's line if not found)."""
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start + 1, len(self.lines) + 1):
            text = self.lines[number - 1]
            if _TABLE.match(text) or text.lstrip().startswith("["):
                break
            if pattern.match(text):
                return number
        return start

    def read(self, data: dict[str, object]) -> Curation:
        for key in data:
            if key not in ("same", "distinct"):
                self.fail(
                    self._top_line(key),
                    f'unknown key "{key}": a curation file has [[same]] and [[distinct]] tables',
                )
        curation = Curation(self.source)
        for kind, reader in (("same", self.same), ("distinct", self.distinct)):
            tables = data.get(kind, [])
            if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
                self.fail(self._top_line(kind), f"{kind} must be tables written [[{kind}]]")
            for index, table in enumerate(tables):
                reader(curation, table, self.line_of(kind, index))
        self._no_overlaps(curation)
        return Curation(self.source, curation.same, curation.distinct)

    def _top_line(self, key: str) -> int:
        pattern = re.compile(rf"^\s*\[*\s*{re.escape(key)}\b")
        return next((n for n, text in enumerate(self.lines, start=1) if pattern.match(text)), 1)

    def _check_keys(self, table: dict[str, object], line: int, allowed: tuple[str, ...], kind: str) -> None:
        for key in table:
            if key not in allowed:
                keys = ", ".join(allowed)
                self.fail(self.key_line(line, key), f'unknown key "{key}" in [[{kind}]] (it takes {keys})')

    def _names(self, value: object, line: int, what: str, minimum: int = 1) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(line, f"{what} must be a list of non-empty strings")
        if len(value) < minimum:
            self.fail(line, f"{what} needs at least {minimum} entries")
        return tuple(v.strip() for v in value)

    def same(self, curation: Curation, table: dict[str, object], line: int) -> None:
        self._check_keys(table, line, ("names", "label"), "same")
        if "names" not in table:
            self.fail(line, '[[same]] needs names = ["...", "..."]')
        names = self._names(table["names"], self.key_line(line, "names"), "names", 2)
        if len({identity_key(n) for n in names}) < len(names):
            self.fail(
                self.key_line(line, "names"),
                "names lists one name twice (kg already joins printings that differ only in case, accents or spacing)",
            )
        label = table.get("label")
        if label is not None and (not isinstance(label, str) or label.strip() not in names):
            self.fail(self.key_line(line, "label"), "label must be one of the names")
        curation.same.append(SameRule(line, names, label.strip() if label else None))

    def distinct(self, curation: Curation, table: dict[str, object], line: int) -> None:
        self._check_keys(table, line, ("name", "by", "groups", "labels"), "distinct")
        for key in ("name", "by", "groups"):
            if key not in table:
                self.fail(line, f"[[distinct]] needs {key}")
        name = table["name"]
        if not isinstance(name, str) or not name.strip():
            self.fail(self.key_line(line, "name"), "name must be a non-empty string")
        name = name.strip()
        by = table["by"]
        if by not in EVIDENCE:
            self.fail(self.key_line(line, "by"), f"by must be one of {', '.join(EVIDENCE)}, not {by!r}")
        groups_line = self.key_line(line, "groups")
        groups = table["groups"]
        if not isinstance(groups, list) or not groups:
            self.fail(groups_line, 'groups must be a list of lists, e.g. [["Alice Smith"], ["Bob Jones"]]')
        groups = tuple(self._names(g, groups_line, "each group") for g in groups)
        keys = [identity_key(e) for g in groups for e in g]
        if len(set(keys)) < len(keys):
            self.fail(groups_line, "an entry is in two groups: the groups must not share evidence")
        if by == "coauthor" and identity_key(name) in keys:
            self.fail(groups_line, f'"{name}" cannot be evidence for itself')
        if "labels" in table:
            labels = self._names(table["labels"], self.key_line(line, "labels"), "labels")
            if len(labels) not in (len(groups), len(groups) + 1):
                self.fail(
                    self.key_line(line, "labels"),
                    f"labels needs one label per group ({len(groups)}), and may add one for listings no group matches",
                )
        else:
            labels = tuple(f"{name} ({by}: {g[0]})" for g in groups)
        if len(labels) == len(groups):
            labels += (f"{name} ({OTHER})",)
        if len({identity_key(label) for label in labels}) < len(labels):
            self.fail(self.key_line(line, "labels"), "two groups have one label: labels must tell them apart")
        curation.distinct.append(DistinctRule(line, name, by, groups, labels))

    def _no_overlaps(self, curation: Curation) -> None:
        """A printing belongs to at most one rule: otherwise which one applies would depend on order."""
        seen: dict[str, int] = {}
        rules: list[tuple[int, Iterable[str]]] = [(r.line, r.names) for r in curation.same]
        rules += [(r.line, (r.name,)) for r in curation.distinct]
        for line, names in sorted(rules, key=lambda rule: rule[0]):
            for name in names:
                key = identity_key(name)
                if key in seen:
                    self.fail(
                        line,
                        f'"{name}" is already in the rule at line {seen[key]}: a name belongs to one rule',
                    )
                seen[key] = line
