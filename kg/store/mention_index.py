"""Where each printing's letters, paper and person of the stored mentions is shown, which base groups
print each printing's letters, and which printings are kept under each key of `name_match.index_keys`:
the index of the support store that lets an update read only the pages its change reaches, and find a
printing's compatible printings without reading every printing of its family name
(kg.model.identity_update), not every stored mention.

One quad a key, in a graph of its own: the key's IRI, and its values (pages, printings or people) as one
text, one value a line. A build from nothing writes it whole; an update writes again the keys of the
pages it writes again, as a build from nothing of the same pages would write them.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import pyoxigraph as ox

from kg.model.identity import WHOLE, BaseCode, Key, Mention, Stored, load_rows
from kg.model.identity_update import (
    COMPATIBLE,
    LETTERS,
    PAGE_KEYS,
    PAPER,
    PEOPLE,
    PERSON,
    SLUG,
    group_text,
    index_entries,
)
from kg.model.mapping import k
from kg.model.name_match import CompatibleIndex, compact, index_keys
from kg.model.ntriples import iri, nquads, string
from kg.model.terms import text_of
from kg.model.vocab import KG, Iris

# The layout of the index, and of the rule that decided the people it holds (kg.model.identity): an
# index of another version is not read; the people are decided again over every stored mention.
VERSION = "7"


def key_iri(iris: Iris, key: str) -> str:
    return f"{iris.base}identity-index/{quote(key, safe='')}"


def mark_iri(iris: Iris) -> str:
    """The node whose version says the index is there, and in which layout."""
    return f"{iris.base}identity-index"


class Entries:
    """Index entries gathered, one key's values together: what `identity_update.index_entries` gives
    for each mention, worked out once for each printing and person (a million mentions at 20,000
    pages). Mentions come page by page, so a page is kept once under a key by comparing it with the
    last; the values are the mentions' own strings, not copies.

    Without `compatible_keys`, the keys of `name_match.index_keys` are left out: a build writes them from the
    index identity made of the same printings (`write_printings`)."""

    def __init__(self, compatible_keys: bool = True) -> None:
        self.pages: dict[str, list[str]] = defaultdict(list)
        self.values: dict[str, set[str]] = defaultdict(set)
        self.compatible_keys = compatible_keys
        self._printings: dict[str, tuple[str, str]] = {}
        self._people: set[str] = set()

    def _page(self, key: str, page: str) -> None:
        pages = self.pages[key]
        if not pages or pages[-1] != page:
            pages.append(page)

    def add(self, m: Mention, person: str, base: BaseCode) -> None:
        keys = self._printings.get(m.name)
        if keys is None:
            letters = compact(m.name)
            keys = self._printings[m.name] = (LETTERS + letters, PEOPLE + letters)
            for key in index_keys(m.name) if self.compatible_keys else ():
                self.values[COMPATIBLE + key].add(m.name)
        self._page(keys[0], m.page)
        if m.paper:
            self._page(PAPER + m.paper, m.page)
        if person:
            self._page(PERSON + person, m.page)
            self.values[keys[1]].add(group_text(person, base))
            if person not in self._people:
                self._people.add(person)
                self.values[SLUG + person.split("~", 1)[0]].add(person)

    def nquads(self, iris: Iris) -> bytes:
        """The whole index, with the mark that it is there; the entries are let go as they are written
        (a build from nothing writes it beside a million mentions)."""
        mark = nquads([(iri(mark_iri(iris)), k("indexVersion"), string(VERSION))], iris.mention_index_graph)
        return mark + _nquads(self.pages, iris) + _nquads(self.values, iris)


def write_printings(index: CompatibleIndex, iris: Iris, path: Path) -> None:
    """The keys of every printing of `index` (`name_match.index_keys`), as `Entries` writes them, into a
    file to load (`StoredMentions.load_file`): a build takes them from the index identity made to find
    variants, which holds every printing, and lets it go as it writes (116 MB at 20,000 pages)."""
    with path.open("wb") as out:
        _write(index.keyed, iris, out, COMPATIBLE)


def _nquads(table: dict[str, list[str]] | dict[str, set[str]], iris: Iris) -> bytes:
    out = io.BytesIO()
    _write(table, iris, out)
    return out.getvalue()


def _write(
    table: dict[str, list[str]] | dict[str, set[str]], iris: Iris, out: BinaryIO, prefix: str = ""
) -> None:
    """Index entries as N-Quads, one quad a key (`prefix` and the table's key), its values one text;
    each let go as it is written."""
    graph, indexed = iri(iris.mention_index_graph), iri(KG + "indexed")
    lines: list[str] = []
    while table:
        key, found = table.popitem()
        values = string("\n".join(sorted(set(found))))
        lines.append(f"{iri(key_iri(iris, prefix + key))} {indexed} {values} {graph} .\n")
        if len(lines) >= 10_000:
            out.write("".join(lines).encode("utf-8"))
            lines.clear()
    out.write("".join(lines).encode("utf-8"))


def entries_of(rows: Iterable[Stored]) -> Entries:
    entries = Entries()
    for m, person, base in rows:
        entries.add(m, person, base)
    return entries


class StoredMentions:
    """The stored mentions, read from the support store as they are asked for (`identity_update.Source`)."""

    def __init__(self, support: ox.Store, iris: Iris):
        self.support, self.iris = support, iris
        self.graph = ox.NamedNode(iris.mention_index_graph)
        self.indexed = ox.NamedNode(KG + "indexed")
        self.mentions = ox.NamedNode(KG + "mentions")
        self.identity = ox.NamedNode(iris.identity_graph)
        self._rows: dict[str, list[Stored]] = {}

    def version(self) -> str | None:
        """The version of the index this store holds (VERSION, or an earlier one), or None."""
        mark = ox.NamedNode(mark_iri(self.iris))
        found = self.support.quads_for_pattern(mark, ox.NamedNode(KG + "indexVersion"), None, self.graph)
        return next((text_of(q.object) for q in found), None)

    def lookup(self, key: str) -> list[str]:
        node = ox.NamedNode(key_iri(self.iris, key))
        for quad in self.support.quads_for_pattern(node, self.indexed, None, self.graph):
            return text_of(quad.object).split("\n")
        return []

    def rows(self, page: str) -> list[Stored]:
        found = self._rows.get(page)
        if found is None:
            node = ox.NamedNode(self.iris.page_graph(page))
            found = []
            for quad in self.support.quads_for_pattern(node, self.mentions, None, self.identity):
                found = load_rows(page, text_of(quad.object))
            self._rows[page] = found
        return found

    def __contains__(self, page: str) -> bool:
        return bool(self.rows(page))

    def __getitem__(self, page: str) -> list[Stored]:
        return self.rows(page)

    def rewrite(self, before: Mapping[str, Sequence[Stored]], after: dict[str, list[Stored]]) -> None:
        """Each page of `after` now shows these mentions, taken as these people (it showed `before`'s):
        the keys that changed written again, as a build from nothing writes them."""
        gone: dict[str, set[str]] = defaultdict(set)
        added: dict[str, set[str]] = defaultdict(set)
        for page, rows in after.items():
            was = {e for s in before.get(page, ()) for e in index_entries(*s)}
            now = {e for s in rows for e in index_entries(*s)}
            for key, value in was - now:
                gone[key].add(value)
            for key, value in now - was:
                added[key].add(value)
        values: dict[str, set[str]] = {}  # the keys written, as they will be
        printed: dict[str, bool] = {}  # a printing gone from some pages -> still shown (many keys hold it)
        for key in sorted(gone.keys() | added.keys(), key=lambda key: key[:2] not in PAGE_KEYS):
            values[key] = (set(self.lookup(key)) - gone[key]) | added[key]
            if key[:2] not in PAGE_KEYS:  # a printing, a person, may be another page's still
                values[key] |= {v for v in gone[key] if self._still(key, v, values, after, printed)}
        for key, found in values.items():
            node = ox.NamedNode(key_iri(self.iris, key))
            for quad in list(self.support.quads_for_pattern(node, self.indexed, None, self.graph)):
                self.support.remove(quad)
            if found:
                self.support.add(
                    ox.Quad(node, self.indexed, ox.Literal("\n".join(sorted(found))), self.graph)
                )

    def _still(
        self,
        key: str,
        value: str,
        values: dict[str, set[str]],
        after: dict[str, list[Stored]],
        printed: dict[str, bool],
    ) -> bool:
        """Whether a printing (under a key of `name_match.index_keys`), a person (under a slug) or a
        base group (under a printing's letters) that some pages no longer show is still shown by another.
        The pages' keys are written first: what they hold is what they will hold."""
        if key.startswith(SLUG):
            person = PERSON + value
            return bool(values[person] if person in values else self.lookup(person))
        group = key.startswith(PEOPLE)
        if not group and value in printed:
            return printed[value]
        letters = key[len(PEOPLE) :] if group else compact(value)

        def shows(s: Stored) -> bool:
            if group:
                return compact(s.mention.name) == letters and group_text(s.person, s.base) == value
            return s.mention.name == value

        where = LETTERS + letters
        pages = values[where] if where in values else self.lookup(where)
        still = any(shows(s) for page in pages for s in (after[page] if page in after else self.rows(page)))
        if not group:
            printed[value] = still
        return still

    def replace(self, data: bytes) -> None:
        """The whole index written again (`Entries.nquads`)."""
        self.clear()
        self.load(data)

    def clear(self) -> None:
        self.support.clear_graph(self.graph)

    def load(self, data: bytes) -> None:
        """Keys written whole (`Entries.nquads`), into a cleared index."""
        self.support.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)  # kg wrote every IRI

    def load_file(self, path: Path) -> None:
        """Keys written whole into a file (`write_printings`), into a cleared index."""
        self.support.bulk_load(path=path, format=ox.RdfFormat.N_QUADS, lenient=True)


def rows_now(
    rows: Iterable[Stored], people: dict[tuple[int, int], str], bases: dict[tuple[int, int], Key]
) -> Iterator[Stored]:
    """Stored rows, each with the person `people` now says (by line and rank), else the stored one, and
    the base group `bases` says, else WHOLE."""
    for s in rows:
        place = (s.mention.line, s.mention.rank)
        yield Stored(s.mention, people.get(place, s.person), bases.get(place, WHOLE))
