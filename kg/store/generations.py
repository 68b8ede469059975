"""The persistent store: an on-disk Oxigraph database, replaced atomically by every build.

Layout of a store folder:

    kg-store/
      CURRENT          the name of the live generation, e.g. "gen-000003"
      gen-000003/      an Oxigraph (RocksDB) database: the whole graph, as queries see it
      gen-000003.support/  an Oxigraph database of the shared facts each page stated, one graph per
                       page: what a rebuild of a page checks before it takes a fact back (never queried)
      gen-000003.json  what the generation was built with: base IRI, kg version, ontology hash
      gen-000003.files  the record of each page's file (kg.store.pagestate): what the next build
                       need not read again
      gen-000003.summary  its papers, people, listings and title words (kg.summary): what kg diff and
                       kg search read; kept for the last few generations (`kg build --keep N`)
      lock             held by the one process that writes

A build takes the lock, checkpoints the live generation into a new one (RocksDB hard-links its files,
so this is cheap whatever the size), writes there, and only then points CURRENT at it with an atomic
rename. A build killed midway leaves CURRENT on the previous, complete generation; readers never see a
half-written graph.

A reader pins the generation it opens: a shared flock on its `gen-N.json`, held as long as the reader
runs. A build retires an old generation only when it can take that lock exclusively, so a generation
is never removed under a reader: one still in use is left for a later build to remove. A reader that
pins a generation just retired (its json is gone) starts again from CURRENT and gets the next one.

Databases are kept for the live generation and the one before it (for readers still on it); summaries,
a few percent of a database's size, for the last `keep` generations: a build that goes live removes the
older ones. A reader with a summary open keeps reading it after its removal (the file lives on while
open).
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

import pyoxigraph as ox

from kg.errors import KgError, StoreBusy, StoreMissing
from kg.model.terms import text_of
from kg.model.vocab import KG, Iris
from kg.store import stated
from kg.store.loading import FIFO_SUFFIX
from kg.store.pagestate import RECORDS_SUFFIX
from kg.store.parsed_spool import SUFFIX as PARSED_SUFFIX
from kg.system.files import copy_file
from kg.system.workers import parent_only, released

if TYPE_CHECKING:
    from kg.model.ntriples import Triple

CURRENT = "CURRENT"
LOCK = "lock"
GENERATION_PREFIX = "gen-"
SUPPORT_SUFFIX = ".support"
SUMMARY_SUFFIX = ".summary"
DEFAULT_KEEP = 3  # generations whose summary is kept: the live one and two before it
# Stores of an older layout are rebuilt, not updated: 1 held shared facts in every page graph, 2 kept
# one support quad per fact a page stated (kg.store.stated)
LAYOUT = 3
LAYOUT_KEY = "layout"


@dataclass
class StoreMeta:
    """What a generation was built with."""

    base: str
    kg_version: str = ""
    ontology_hash: str = ""
    built_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # JSON: the build's own keys

    @classmethod
    def load(cls, path: Path) -> StoreMeta:
        return cls.from_bytes(path.read_bytes())

    @classmethod
    def from_bytes(cls, raw: bytes) -> StoreMeta:
        """ValueError when it is not a complete generation record."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"its record is not valid JSON: {e}") from None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("base"), str)
            or not isinstance(data.get("extra", {}), dict)
        ):
            raise ValueError("its record has no base IRI")
        known = {k: data.get(k, "") for k in ("base", "kg_version", "ontology_hash", "built_at")}
        return cls(**known, extra=data.get("extra", {}))

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)


def missing_message(root: Path) -> str:
    return f"no graph at {display_path(root)}: run kg build PAGES"


def display_path(root: Path) -> str:
    text = str(root)
    if not root.is_absolute() and not text.startswith((".", "/")):
        text = "./" + text
    return text


def summary_path(root: Path, generation: str) -> Path:
    """Where a generation's summary (kg.summary) is."""
    return root / (generation + SUMMARY_SUFFIX)


def records_path(root: Path, generation: str) -> Path:
    """Where a generation's file records (kg.store.pagestate) are."""
    return root / (generation + RECORDS_SUFFIX)


def kept_summaries(root: Path) -> list[str]:
    """The generations whose summary the store still keeps, oldest first."""
    return sorted(
        p.name[: -len(SUMMARY_SUFFIX)]
        for p in root.glob(f"{GENERATION_PREFIX}*{SUMMARY_SUFFIX}")
        if p.is_file()
    )


def live_generation(root: Path) -> str | None:
    """The name of the generation CURRENT points at, if it exists."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if name and (root / name).is_dir() else None


class KgStore:
    """A generation of the store: opened for reading, pinned (see above) until `close()` or exit, or the
    new one a build writes (`StoreWriter.kg`, with its support database). What the store knows of its
    pages (their graphs, hashes and sizes) is asked here."""

    def __init__(
        self,
        root: Path,
        generation: str,
        store: ox.Store,
        meta: StoreMeta,
        pin: BinaryIO | None = None,
        support: ox.Store | None = None,
        made_from: str | None = None,
    ):
        self.root = root
        self.generation = generation
        self.made_from = made_from  # the generation a build's new one is a copy of (None: it starts empty)
        self.store = store
        self.support = support  # the shared facts each page stated: a build's writer opens it
        self.meta = meta
        self.iris = Iris(meta.base)
        self._pin = pin
        if pin is not None:
            _PINS.append(pin)  # the store object may outlive this one: the pin lasts until close() or exit

    @property
    def database_dir(self) -> Path:
        return self.root / self.generation

    @property
    def support_dir(self) -> Path:
        return self.root / (self.generation + SUPPORT_SUFFIX)

    @property
    def records_path(self) -> Path:
        """Its file records (kg.store.pagestate)."""
        return records_path(self.root, self.generation)

    @property
    def summary_path(self) -> Path:
        return summary_path(self.root, self.generation)

    @classmethod
    def open_read(cls, path: str | os.PathLike[str]) -> KgStore:
        """The live generation, read-only. StoreMissing when nothing was built there."""
        root = Path(path)
        for _ in range(PIN_TRIES):
            generation = live_generation(root)
            if generation is None:
                raise StoreMissing(missing_message(root))
            pinned = pin_generation(root, generation)
            if pinned is None:
                continue  # retired by a build just now: CURRENT names a newer one
            pin, meta = pinned
            try:
                store = ox.Store.read_only(str(root / generation))
            except (OSError, RuntimeError) as e:
                pin.close()
                if "Permission denied" in str(e):
                    raise KgError(
                        f"cannot read the store at {display_path(root)}: permission denied"
                    ) from None
                raise damaged(root, generation, e) from None
            return cls(root, generation, store, meta, pin)
        raise KgError(f"the store at {display_path(root)} keeps changing under kg build; try again")

    def close(self) -> None:
        """Release the generation: a build may now retire it."""
        self.store = None  # type: ignore[assignment]  # closes the database; the object is not used again
        if self._pin is not None:
            _PINS.remove(self._pin)
            self._pin.close()
            self._pin = None

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        return live_generation(Path(path)) is not None

    # --- the store's own facts ----------------------------------------------------------------------

    def page_hashes(self, count: int | None = None) -> PageHashes:
        """The content hash of every page graph, by graph IRI; `count`: how many there are, when known."""
        return PageHashes(self.store, count)

    def page_triples(self, graph: str) -> list[Triple]:
        """A page graph's own triples, without the build's provenance stamp about the graph itself."""
        return graph_triples(self.store, graph)

    def stated_facts(self, graph: str) -> list[Triple]:
        """The shared facts a page stated (kept in the support database: kg.store.stated)."""
        return stated.facts_of(self._support(), graph)

    def stated_by_pages(self) -> stated.StatedFacts:
        """Which pages state a fact, for one update's questions."""
        return stated.StatedFacts(self._support())

    def page_statements(self, graph: str) -> list[Triple]:
        """Everything one page says: its own graph and the shared facts it stated."""
        return self.page_triples(graph) + self.stated_facts(graph)

    def graph_size(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self.store.query(query)))["n"].value)  # type: ignore[arg-type]

    def remove_graph(self, graph: str) -> None:
        node = ox.NamedNode(graph)
        if self.store.contains_named_graph(node):
            self.store.remove_graph(node)

    def remove_page(self, graph: str) -> None:
        """A page's graph and the shared facts it stated."""
        self.remove_graph(graph)
        node = ox.NamedNode(graph)
        if self._support().contains_named_graph(node):
            self._support().remove_graph(node)

    def _support(self) -> ox.Store:
        if self.support is None:
            self.support = ox.Store.read_only(str(self.support_dir))
        return self.support


class PageHashes(Mapping[str, str]):
    """The content hash of every stored page graph, by graph IRI: looked up one by one as a build asks
    about the pages it is given, and read whole only when iterated (or counted, when the generation did
    not record how many pages it holds), so that an update's cost follows its pages, not the store.
    (Which given files are unchanged is told by their records, kg.store.pagestate, not by hashes.)"""

    def __init__(self, store: ox.Store, count: int | None = None):
        self._store = store
        self._count = count
        self._all: dict[str, str] | None = None
        self._hash = ox.NamedNode(KG + "contentHash")

    def _whole(self) -> dict[str, str]:
        if self._all is None:
            found = self._store.quads_for_pattern(None, self._hash, None, None)
            self._all = {text_of(q.subject): text_of(q.object) for q in found}
        return self._all

    def __getitem__(self, graph: str) -> str:
        if self._all is not None:
            return self._all[graph]
        node = ox.NamedNode(graph)
        for q in self._store.quads_for_pattern(node, self._hash, None, node):
            return text_of(q.object)
        raise KeyError(graph)

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole())

    def __len__(self) -> int:
        return self._count if self._count is not None else len(self._whole())


def graph_triples(store: ox.Store, graph: str) -> list[Triple]:
    """A named graph's triples as N-Triples terms, without the build's stamp about the graph itself."""
    node = ox.NamedNode(graph)
    return [
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store.quads_for_pattern(None, None, None, node)
        if q.subject != node
    ]


PIN_TRIES = 20
_PINS: list[BinaryIO] = []


def pin_generation(root: Path, generation: str) -> tuple[BinaryIO, StoreMeta] | None:
    """(pin, meta) for a generation, the pin a shared lock on its json; None if it was retired meanwhile."""
    meta_path = root / f"{generation}.json"
    try:
        pin = open(meta_path, "rb")  # noqa: SIM115 - held by the caller while it reads the generation
    except FileNotFoundError:
        return None
    except OSError as e:
        raise KgError(f"cannot read {display_path(meta_path)}: {e.strerror}") from None
    fcntl.flock(pin, fcntl.LOCK_SH)  # waits only while a build removes this generation
    if os.fstat(pin.fileno()).st_nlink == 0 or not (root / generation).is_dir():
        pin.close()
        return None
    try:
        meta = StoreMeta.from_bytes(pin.read())
    except ValueError as e:
        pin.close()
        raise damaged(root, generation, e) from None
    return pin, meta


def damaged(root: Path, generation: str, error: BaseException) -> KgError:
    """A generation that cannot be read: which one, why, and what to do."""
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return KgError(
        f"the live generation {generation} of the store at {display_path(root)} is damaged ({reason}); "
        f"rebuild it with kg build --fresh PAGES --store {display_path(root)}"
    )


class StoreWriter:
    """A new generation being written; `commit()` makes it live, leaving the block without it drops it.

    Holding the writer holds the store's lock: a second build fails at once with StoreBusy.
    """

    def __init__(
        self, path: str | os.PathLike[str], base: str, fresh: bool = False, keep: int = DEFAULT_KEEP
    ):
        self.root = Path(path)
        self.base = base
        self.fresh = fresh  # start empty: nothing is read from the live generation, even a damaged one
        if keep < 1:
            raise KgError(f"keep must be 1 or more (the live generation), not {keep}")
        self.keep = keep  # generations whose summary is kept, the new one included
        self._lock_file: TextIO | None = None
        self.store: ox.Store | None = None
        self.support: ox.Store | None = None  # the shared facts of each page (see the module's doc)
        self.generation = ""
        self.previous: str | None = None
        self.previous_meta: StoreMeta | None = None
        self.kg: KgStore | None = None  # the new generation, as the build reads and writes it
        self.records_kept = False  # the live generation's file records were copied to the new one
        self._committed = False

    def __enter__(self) -> StoreWriter:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise KgError(f"cannot create the store folder {display_path(self.root)}: {e}") from e
        self._lock_file = open(self.root / LOCK, "a+")
        parent_only(self._lock_file.fileno())  # a forked worker must not keep the store locked
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            released(self._lock_file.fileno())
            self._lock_file.close()
            raise StoreBusy(
                f"another kg process is writing to {display_path(self.root)}; try again when it has finished"
            ) from None
        try:
            self._open_generation()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _open_generation(self) -> None:
        """The new generation: a copy of the live one, or empty for a fresh build."""
        self.previous = live_generation(self.root)
        self._remove_abandoned()
        self.generation = self._next_generation_name()
        target = self.root / self.generation
        if self.previous is not None and not self.fresh:
            try:
                self.previous_meta = StoreMeta.load(self.root / f"{self.previous}.json")
            except (OSError, ValueError) as e:
                raise damaged(self.root, self.previous, e) from None
            if self.previous_meta.base != self.base:
                raise KgError(
                    f"the store at {display_path(self.root)} uses the base {self.previous_meta.base}, "
                    f"not {self.base}: build into another --store, use the same base, or use --fresh"
                )
            try:
                ox.Store.read_only(str(self.root / self.previous)).backup(str(target))
                previous_support = self.root / (self.previous + SUPPORT_SUFFIX)
                if previous_support.is_dir():
                    ox.Store.read_only(str(previous_support)).backup(str(target) + SUPPORT_SUFFIX)
            except RuntimeError as e:  # RocksDB reports corruption so
                raise damaged(self.root, self.previous, e) from None
            previous_records = records_path(self.root, self.previous)
            if previous_records.is_file():  # a few percent of the summary's size: copied at once
                copy_file(previous_records, self.records_path)
                self.records_kept = True
        self.store = ox.Store(str(target))
        self.support = ox.Store(str(target) + SUPPORT_SUFFIX)
        meta = self.previous_meta or StoreMeta(base=self.base)
        made_from = self.previous if self.previous_meta is not None else None
        self.kg = KgStore(
            self.root, self.generation, self.store, meta, support=self.support, made_from=made_from
        )

    @property
    def previous_layout_is_current(self) -> bool:
        return self.previous_meta is None or self.previous_meta.extra.get(LAYOUT_KEY) == LAYOUT

    def commit(self, meta: StoreMeta) -> None:
        """Make the new generation the live one, atomically."""
        assert self.store is not None and self.support is not None
        self.store.flush()
        self.support.flush()
        self._forget_databases()  # closes them before anyone reads them
        self._ensure_closed()
        meta.extra[LAYOUT_KEY] = LAYOUT
        meta.save(self.root / f"{self.generation}.json")
        tmp = self.root / (CURRENT + ".tmp")
        tmp.write_text(self.generation + "\n", encoding="utf-8")
        os.replace(tmp, self.root / CURRENT)
        self._committed = True
        self._remove_old(keep={self.generation, self.previous})
        self._remove_old_summaries()

    @property
    def summary_path(self) -> Path:
        """Where the new generation's summary goes: written before commit(), so it goes live with it."""
        return summary_path(self.root, self.generation)

    @property
    def records_path(self) -> Path:
        """The new generation's file records (kg.store.pagestate), begun as a copy of the live one's."""
        return records_path(self.root, self.generation)

    @property
    def parsed_path(self) -> Path:
        """Where the new generation's build keeps the pages it parsed until it maps them
        (kg.store.parsed_spool): gone with the generation, if the build does not remove it first."""
        return self.root / (self.generation + PARSED_SUFFIX)

    @property
    def previous_summary(self) -> Path | None:
        """The summary of the generation this one starts from, if it has one."""
        if self.previous is None or self.fresh:
            return None
        path = summary_path(self.root, self.previous)
        return path if path.is_file() else None

    def _remove_old_summaries(self) -> None:
        """All but the last `keep` summaries, once the new generation is live."""
        kept = [name for name in kept_summaries(self.root) if name <= self.generation]
        for name in kept[: -self.keep]:
            summary_path(self.root, name).unlink(missing_ok=True)

    def _ensure_closed(self) -> None:
        """The new generation's database must be closed before anyone reads it: an open RocksDB goes on
        compacting, deleting files that a reader that opened it a moment before still needs.
        Oxigraph closes a database when its last reference goes; opening it again proves that happened.
        A reference kept in a cycle goes only when the collector runs: it runs only then, since after a
        build's work it walks every object the process still holds (0.5 s after an update that decided
        who is who at 20,000 pages)."""
        if self._reopens():
            return
        gc.collect()
        if not self._reopens():
            raise RuntimeError("the new generation is still open in this process")

    def _reopens(self) -> bool:
        """Whether the new generation's database opens: no other reference of this process holds it."""
        try:
            ox.Store(str(self.root / self.generation))  # let go at once: no reference is kept
        except OSError:
            return False
        return True

    def _forget_databases(self) -> None:
        self.store = self.support = None
        if self.kg is not None:
            self.kg.store = self.kg.support = None  # type: ignore[assignment]
            self.kg = None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._forget_databases()
        if not self._committed:
            self._drop(self.generation)
            if self.generation:
                summary_path(self.root, self.generation).unlink(missing_ok=True)
        self._remove_pipes()  # however the build ended, while its lock still keeps others out
        self._release()

    def _remove_pipes(self) -> None:
        """The named pipes a build feeds its loaders through (kg.loading)."""
        for fifo in self.root.glob(f"*{FIFO_SUFFIX}"):
            fifo.unlink(missing_ok=True)

    def _release(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            released(self._lock_file.fileno())
            self._lock_file.close()
            self._lock_file = None

    def _generations(self) -> list[str]:
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir()
            and p.name.startswith(GENERATION_PREFIX)
            and not p.name.endswith((SUPPORT_SUFFIX, PARSED_SUFFIX))
        )

    def _next_generation_name(self) -> str:
        numbers = [
            int(n[len(GENERATION_PREFIX) :])
            for n in self._generations()
            if n[len(GENERATION_PREFIX) :].isdigit()
        ]
        return f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"

    def _remove_abandoned(self) -> None:
        """Generations newer than the live one were left by a build that was killed, and so was a support
        database whose generation is gone (a build killed while it removed the pair)."""
        live = self.previous or ""
        self._remove_pipes()  # a killed build's pipes to its loaders
        for name in self._generations():
            if name > live:
                self._drop(name)
        for name in kept_summaries(self.root):
            if name > live:
                summary_path(self.root, name).unlink(missing_ok=True)
        for tmp in self.root.glob(f"{GENERATION_PREFIX}*{SUMMARY_SUFFIX}.tmp"):
            tmp.unlink(missing_ok=True)
        generations = set(self._generations())
        for records in self.root.glob(f"{GENERATION_PREFIX}*{RECORDS_SUFFIX}"):
            if records.name[: -len(RECORDS_SUFFIX)] not in generations:
                records.unlink(missing_ok=True)
        for suffix in (SUPPORT_SUFFIX, PARSED_SUFFIX):
            for p in self.root.glob(f"{GENERATION_PREFIX}*{suffix}"):
                if p.name[: -len(suffix)] not in generations:
                    shutil.rmtree(p, ignore_errors=True)

    def _remove_old(self, keep: set[str | None]) -> None:
        for name in self._generations():
            if name not in keep:
                self._drop(name)

    def _drop(self, name: str) -> None:
        """Remove a generation, unless a reader has it pinned: then a later build removes it."""
        if not name:
            return
        meta_path = self.root / f"{name}.json"
        try:
            pin = open(meta_path, "rb")  # noqa: SIM115 - `with pin` below; opened apart to tell a missing file
        except FileNotFoundError:
            _remove_generation_folders(self.root, name)
            return
        with pin:
            try:
                fcntl.flock(pin, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            # the record goes first: a reader that pins it now sees it gone and moves on
            meta_path.unlink(missing_ok=True)
            _remove_generation_folders(self.root, name)


def _remove_generation_folders(root: Path, name: str) -> None:
    """A generation's database, the support database and file records beside it, and the pages its
    build parsed."""
    shutil.rmtree(root / name, ignore_errors=True)
    records_path(root, name).unlink(missing_ok=True)
    shutil.rmtree(root / (name + SUPPORT_SUFFIX), ignore_errors=True)
    shutil.rmtree(root / (name + PARSED_SUFFIX), ignore_errors=True)
