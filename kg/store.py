"""The persistent store: an on-disk Oxigraph database, replaced atomically by every build.

Layout of a store folder:

    kg-store/
      CURRENT          the name of the live generation, e.g. "gen-000003"
      gen-000003/      an Oxigraph (RocksDB) database: the whole graph
      gen-000003.json  what the generation was built with: base IRI, kg version, ontology hash
      lock             held by the one process that writes

A build takes the lock, checkpoints the live generation into a new one (RocksDB hard-links its files,
so this is cheap whatever the size), writes there, and only then points CURRENT at it with an atomic
rename. A build killed midway leaves CURRENT on the previous, complete generation; readers never see a
half-written graph. The previous generation is kept one more round for readers that still have it open.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError, StoreBusy, StoreMissing
from kg.vocab import Iris
from kg.workers import parent_only, released

CURRENT = "CURRENT"
LOCK = "lock"
GENERATION_PREFIX = "gen-"


@dataclass
class StoreMeta:
    """What a generation was built with."""

    base: str
    kg_version: str = ""
    ontology_hash: str = ""
    built_at: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "StoreMeta":
        data = json.loads(path.read_text(encoding="utf-8"))
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


def live_generation(root: Path) -> str | None:
    """The name of the generation CURRENT points at, if it exists."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if name and (root / name).is_dir() else None


class KgStore:
    """A generation of the store opened for reading."""

    def __init__(self, root: Path, generation: str, store: ox.Store, meta: StoreMeta):
        self.root = root
        self.generation = generation
        self.store = store
        self.meta = meta
        self.iris = Iris(meta.base)

    @property
    def database_dir(self) -> Path:
        return self.root / self.generation

    @classmethod
    def open_read(cls, path: str | os.PathLike) -> "KgStore":
        """The live generation, read-only. StoreMissing when nothing was built there."""
        root = Path(path)
        generation = live_generation(root)
        if generation is None:
            raise StoreMissing(missing_message(root))
        try:
            store = ox.Store.read_only(str(root / generation))
        except OSError as e:
            raise KgError(f"cannot open the store at {display_path(root)}: {e}") from e
        return cls(root, generation, store, StoreMeta.load(root / f"{generation}.json"))

    @staticmethod
    def exists(path: str | os.PathLike) -> bool:
        return live_generation(Path(path)) is not None


class StoreWriter:
    """A new generation being written; `commit()` makes it live, leaving the block without it drops it.

    Holding the writer holds the store's lock: a second build fails at once with StoreBusy.
    """

    def __init__(self, path: str | os.PathLike, base: str):
        self.root = Path(path)
        self.base = base
        self._lock_file = None
        self.store: ox.Store | None = None
        self.generation = ""
        self.previous: str | None = None
        self.previous_meta: StoreMeta | None = None
        self._committed = False

    def __enter__(self) -> "StoreWriter":
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
        self.previous = live_generation(self.root)
        self._remove_abandoned()
        self.generation = self._next_generation_name()
        target = self.root / self.generation
        if self.previous is not None:
            self.previous_meta = StoreMeta.load(self.root / f"{self.previous}.json")
            if self.previous_meta.base != self.base:
                self._release()
                raise KgError(
                    f"the store at {display_path(self.root)} uses the base {self.previous_meta.base}, "
                    f"not {self.base}: build into another --store, or use the same base"
                )
            ox.Store.read_only(str(self.root / self.previous)).backup(str(target))
        self.store = ox.Store(str(target))
        return self

    def commit(self, meta: StoreMeta) -> None:
        """Make the new generation the live one, atomically."""
        assert self.store is not None
        self.store.flush()
        self.store = None  # closes the database before anyone reads it
        meta.save(self.root / f"{self.generation}.json")
        tmp = self.root / (CURRENT + ".tmp")
        tmp.write_text(self.generation + "\n", encoding="utf-8")
        os.replace(tmp, self.root / CURRENT)
        self._committed = True
        self._remove_old(keep={self.generation, self.previous})

    def __exit__(self, exc_type, exc, tb) -> None:
        self.store = None
        if not self._committed:
            self._drop(self.generation)
        self._release()

    def _release(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            released(self._lock_file.fileno())
            self._lock_file.close()
            self._lock_file = None

    def _generations(self) -> list[str]:
        return sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith(GENERATION_PREFIX)
        )

    def _next_generation_name(self) -> str:
        numbers = [int(n[len(GENERATION_PREFIX) :]) for n in self._generations() if n[len(GENERATION_PREFIX) :].isdigit()]
        return f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"

    def _remove_abandoned(self) -> None:
        """Generations newer than the live one were left by a build that was killed."""
        live = self.previous or ""
        for name in self._generations():
            if name > live:
                self._drop(name)

    def _remove_old(self, keep: set[str | None]) -> None:
        for name in self._generations():
            if name not in keep:
                self._drop(name)

    def _drop(self, name: str) -> None:
        if not name:
            return
        shutil.rmtree(self.root / name, ignore_errors=True)
        try:
            (self.root / f"{name}.json").unlink()
        except FileNotFoundError:
            pass
