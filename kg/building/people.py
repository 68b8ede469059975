"""Who is who, for one build: the person of every name the pages show (kg.model.identity), decided over
the pages read now and the stored ones, whose mentions the support store keeps with the person and base
group each was taken as.

A build from nothing clusters every mention; an update decides again only what its pages reach
(kg.model.identity_update), and tells which stored pages name someone otherwise now: those are mapped
again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.model import identity, identity_update
from kg.model.identity import WHOLE, BaseCode, Key, Mention, Packed, Stored, unpacked
from kg.model.terms import text_of
from kg.model.vocab import KG, Iris
from kg.reading.records import WARNING, Diagnostic
from kg.store import mention_index
from kg.store.pagework import PageWork, Scan, scan_page
from kg.system import collector
from kg.system.workers import in_child

# Identity over this many mentions (about 2,000 pages) runs in a child process: what clustering takes
# (2 GB at 20,000 pages) is returned to the system before the pages are loaded.
APART_FROM = 100_000

Rows = list[Stored]  # a stored page's mentions, each with its person and base group
Stored_ = dict[str, Rows] | mention_index.StoredMentions  # every stored page's rows, or read as asked


def people_of_pages(
    pages: list[Packed], kept: list[Mention], iris: Iris, printings: Path
) -> tuple[dict[Key, str], dict[Key, Key]]:
    """The person (IRI segment) of every mention of the pages (unpacked here: in the child, when apart)
    and of `kept`, and the base group of those whose person is several (kg.model.identity); the keys of
    every printing for the store's index written to `printings` (`mention_index.write_printings`).
    Called within `Deciding.decide`, whose pause of the collector a forked child keeps."""
    resolution = identity.resolve(
        unpacked(pages) + kept,
        explain=False,  # a build keeps who, not why
        printings=lambda index: mention_index.write_printings(index, iris, printings),
    )
    return resolution.iri_of, resolution.base_codes()


@dataclass
class Deciding:
    """What deciding who is who reads beside the pages: the support store, the stored pages' files."""

    support: ox.Store | None
    iris: Iris
    work: PageWork
    incremental: bool
    has_stored: bool  # whether pages were stored before this build
    stored_pages: Callable[[], Iterable[str]]  # their page graphs (read only when needed)
    page_file: Callable[[str], Path | None]  # a stored page's file, when it is still there
    scratch: Path  # a folder of the build's own, for the keys of every printing identity writes
    diagnostics: list[Diagnostic] = field(default_factory=list)
    decided: int = 0  # mentions decided again (all of them, in a build from nothing)

    @property
    def printings(self) -> Path:
        """The keys of every printing, written by identity (`people_of_pages`) and loaded from here."""
        return self.scratch / "printings.nq"

    def decide(self, scans: list[Scan]) -> list[Path]:
        """Sets `work.people` and `work.bases` for the pages to map, and returns the stored pages not
        given whose people changed: they are mapped again. Keeps the index of the stored mentions
        (kg.store.mention_index) in step: changed for the pages written again, or made whole."""
        with collector.paused():  # a million mentions read back and indexed (kg.system.collector)
            return self._decide(scans)

    def _decide(self, scans: list[Scan]) -> list[Path]:
        given = {scan.page_id: scan.mentions for scan in scans}
        self.work.people, self.work.bases = {}, {}
        if self.incremental and not given:  # every page given is unchanged: so is everyone
            return []
        if self.incremental and self.unchanged(given):  # the pages show the names they showed
            return []
        indexed, rows = self.index_to_read()
        stored: Stored_ = indexed if indexed is not None else rows if rows is not None else {}
        prefix = self.iris.page_graph_prefix
        for graph in self.stored_pages() if self.has_stored and indexed is None else ():
            page_id = graph[len(prefix) :]  # a page stored by a kg that kept no mentions: read again
            if page_id not in given and page_id not in stored:
                path = self.page_file(page_id)
                scan = scan_page(path, self.work) if path is not None else None
                if scan is not None:
                    assert isinstance(stored, dict)
                    stored[page_id] = [Stored(m, "", identity.UNKNOWN) for m in scan.mentions.unpack()]
        files: dict[str, Path] = {}
        for _ in range(3):  # a page mapped again may read otherwise than stored: then once more
            people, bases = self.people_of(given, stored, indexed)
            changed = sorted({key[0] for key in people if key[0] not in given and key[0] in stored})
            reread = False
            for page_id in changed:
                path = files.get(page_id) or self.page_file(page_id)
                if path is None:
                    message = "the people this page names changed, but its file is gone: build it again with the page"
                    self.diagnostics.append(Diagnostic(WARNING, page_id, 1, message))
                    continue
                files[page_id] = path
                scan = scan_page(path, self.work)
                if scan is None or scan.mentions.unpack() == [m for m, _, _ in stored[page_id]]:
                    continue
                given[page_id] = scan.mentions
                reread = True
            if not reread:
                break
        for page_id in files:  # a page mapped again: its mentions as stored, but those taken otherwise
            for m, node, base in stored[page_id] if page_id not in given else ():
                people.setdefault(m.key, node)
                bases.setdefault(m.key, base)
        while people:  # each taken out as it is put by page: a million mentions are not held twice
            (page_id, line, rank), node = people.popitem()
            self.work.people.setdefault(page_id, {})[(line, rank)] = node
        for (page_id, line, rank), base in bases.items():
            if isinstance(base, tuple):
                self.work.bases.setdefault(page_id, {})[(line, rank)] = base
        self.keep_index(given, stored, indexed, files)
        return [files[page_id] for page_id in sorted(files)]

    def keep_index(
        self,
        given: dict[str, Packed],
        stored: Stored_,
        indexed: mention_index.StoredMentions | None,
        files: dict[str, Path],
    ) -> None:
        """The index of the stored mentions after this build: the keys of the pages written again
        changed (an update that read it), or the whole index made again and loaded."""
        if self.support is None:
            return
        people, bases = self.work.people or {}, self.work.bases
        written = {**dict.fromkeys(given), **dict.fromkeys(files)}

        def now(page_id: str) -> Iterator[Stored]:
            """A written page's mentions, with the person and base group each is taken as now."""
            shown = (
                [Stored(m, "", WHOLE) for m in given[page_id].unpack()]
                if page_id in given
                else stored[page_id]
            )
            return mention_index.rows_now(shown, people.get(page_id, {}), bases.get(page_id, {}))

        if indexed is not None:
            indexed.rewrite(
                {page_id: indexed.rows(page_id) for page_id in written}, {p: list(now(p)) for p in written}
            )
            return
        assert isinstance(stored, dict)

        def whole() -> bytes:
            # page by page: a million mentions are not all made at once; the printings' keys come from
            # the index identity made (`self.printings`, written by `people_of_pages`)
            entries = mention_index.Entries(compatible_keys=False)
            for page_id, page_rows in stored.items():
                if page_id not in written:
                    for s in page_rows:
                        entries.add(*s)
            for page_id in written:
                for s in now(page_id):
                    entries.add(*s)
            return entries.nquads(self.iris)

        # Over many mentions, in a child: what gathering them takes (200 MB at 20,000 pages) would stay
        # in this process's heap through the mapping that follows, where a build peaks. The printings'
        # keys load meanwhile (both cores work).
        index = mention_index.StoredMentions(self.support, self.iris)
        index.clear()
        if self.decided >= APART_FROM:
            index.load(in_child(whole, meanwhile=lambda: index.load_file(self.printings)))
        else:
            index.load_file(self.printings)
            index.load(whole())
        self.printings.unlink()

    def people_of(
        self, given: dict[str, Packed], stored: Stored_, indexed: mention_index.StoredMentions | None
    ) -> tuple[dict[Key, str], dict[Key, BaseCode]]:
        """The person and base code of each mention of the given pages, and of each stored mention
        taken otherwise than stored (of a build from nothing, only the codes that are not WHOLE: a
        million mentions' WHOLE is what is left out of `work.bases` anyway)."""
        if indexed is not None:  # read as the change reaches
            new = unpacked(given.values())
            old = [row for page_id in given for row in indexed.rows(page_id)]
            update = identity_update.update(indexed, old, new)
            self.decided = update.decided
            return self._with_shown(update, old, new)
        assert isinstance(stored, dict)
        kept = [
            Stored(m, p, b) for page_id, rows in stored.items() if page_id not in given for m, p, b in rows
        ]
        pages, kept_mentions = list(given.values()), [row.mention for row in kept]
        self.decided = sum(packed.size for packed in pages) + len(kept)
        if self.decided >= APART_FROM:
            iri_of, codes = in_child(people_of_pages, pages, kept_mentions, self.iris, self.printings)
        else:
            iri_of, codes = people_of_pages(pages, kept_mentions, self.iris, self.printings)
        if not kept:  # every mention is new (a build from nothing): taken as they come, not copied
            return iri_of, dict(codes)
        old_keys = {m.key for m in kept_mentions}
        people: dict[Key, str] = {key: node for key, node in iri_of.items() if key not in old_keys}
        bases: dict[Key, BaseCode] = {key: codes.get(key, WHOLE) for key in people}
        for row in kept:
            key = row.mention.key
            node, base = iri_of[key], codes.get(key, WHOLE)
            if (node, base) != (row.person, row.base):
                people[key], bases[key] = node, base
        return people, bases

    def index_to_read(self) -> tuple[mention_index.StoredMentions | None, dict[str, Rows] | None]:
        """The index of the stored mentions, for an update (made here from the stored rows when a kg
        that kept none stored them, if every stored page's rows are whole); else every stored page's
        rows, when pages were stored: then everyone is decided again, as when the index is of another
        version (its people were decided by another rule)."""
        if not self.has_stored:
            return None, None
        indexed = mention_index.StoredMentions(self.support, self.iris) if self.support is not None else None
        version = indexed.version() if indexed is not None else None
        if self.incremental and indexed is not None and version == mention_index.VERSION:
            return indexed, None
        rows = self.stored_rows()
        if not self.incremental or indexed is None or version is not None:
            return None, rows
        prefix = self.iris.page_graph_prefix
        pages = {graph[len(prefix) :] for graph in self.stored_pages()}
        whole = pages <= rows.keys() and identity_update.can_update(s for page in rows.values() for s in page)
        if not whole:
            return None, rows
        indexed.replace(mention_index.entries_of(s for page in rows.values() for s in page).nquads(self.iris))
        return indexed, None

    @staticmethod
    def _with_shown(
        update: identity_update.Update, old: list[Stored], new: list[Mention]
    ) -> tuple[dict[Key, str], dict[Key, BaseCode]]:
        shown = set(new)
        for row in old:  # a mention shown as stored, and taken as stored
            if row.mention in shown and row.mention.key not in update.people:
                update.people[row.mention.key] = row.person
                update.bases[row.mention.key] = row.base
        return update.people, update.bases

    def unchanged(self, given: dict[str, Packed]) -> bool:
        """When each given page shows the mentions it showed as who is who reads them
        (`identity_update.seen`: a new date or year, a `Code` flag, an abstract, a title no other page
        lists before or after), no identity can change: their stored people and bases are taken, and
        the index of the stored mentions learns their new papers."""
        assert self.support is not None
        mentions, graph = ox.NamedNode(KG + "mentions"), ox.NamedNode(self.iris.identity_graph)
        before: dict[str, Rows] = {}
        for page_id in given:
            node = ox.NamedNode(self.iris.page_graph(page_id))
            stored = next(iter(self.support.quads_for_pattern(node, mentions, None, graph)), None)
            if stored is None:
                return False
            rows = before[page_id] = identity.load_rows(page_id, text_of(stored.object))
            if not all(s.person and s.base != identity.UNKNOWN for s in rows):
                return False
        now = {page_id: found.unpack() for page_id, found in given.items()}
        if any([s.mention for s in before[page_id]] != now[page_id] for page_id in given):
            index = mention_index.StoredMentions(self.support, self.iris)
            if index.version() != mention_index.VERSION:
                return False
            listed = {
                paper: set(index.lookup(identity_update.PAPER + paper)) for paper in _papers(before, now)
            }
            listed_now = {paper: pages - given.keys() for paper, pages in listed.items()}
            for page_id, ms in now.items():
                for m in ms:
                    if m.paper:
                        listed_now[m.paper].add(page_id)

            def elsewhere_before(m: Mention) -> bool:
                return bool(listed[m.paper] - {m.page})

            def elsewhere_now(m: Mention) -> bool:
                return bool(listed_now[m.paper] - {m.page})

            for page_id in given:
                was = [s.mention for s in before[page_id]]
                if identity_update.seen(was, elsewhere_before) != identity_update.seen(
                    now[page_id], elsewhere_now
                ):
                    return False
            index.rewrite(
                before,
                {
                    page_id: [
                        Stored(m, s.person, s.base)
                        for m, s in zip(now[page_id], before[page_id], strict=True)
                    ]
                    for page_id in given
                },
            )
        self.work.people = {
            page_id: {s.mention.key[1:]: s.person for s in rows} for page_id, rows in before.items()
        }
        self.work.bases = {
            page_id: {s.mention.key[1:]: s.base for s in rows if isinstance(s.base, tuple)}
            for page_id, rows in before.items()
        }
        return True

    def stored_rows(self) -> dict[str, Rows]:
        """Every stored page's mentions, with the person and base group each was taken as."""
        assert self.support is not None
        prefix = self.iris.page_graph_prefix
        found = self.support.quads_for_pattern(
            None, ox.NamedNode(KG + "mentions"), None, ox.NamedNode(self.iris.identity_graph)
        )
        out = {}
        for quad in found:
            page_id = text_of(quad.subject)[len(prefix) :]
            out[page_id] = identity.load_rows(page_id, text_of(quad.object))
        return out


def _papers(before: dict[str, Rows], now: dict[str, list[Mention]]) -> set[str]:
    """The papers the pages listed before and list now."""
    found = {s.mention.paper for rows in before.values() for s in rows}
    found.update(m.paper for ms in now.values() for m in ms)
    return found - {""}
