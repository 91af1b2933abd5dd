"""The read model: one immutable snapshot of one data version, swapped atomically.

A web process answers many requests while imports change the store. Every value
a request derives from the data (the search index, the GeoJSON features, the
search vocabulary, map bounds, the coverage context ...) must come from one and
the same data version, or a request mixes rows of two versions: an index of
the old offers with features of the new ones answers with the wrong offers or
fails outright. So:

* :class:`Snapshot` holds one version's frames (offers, districts, population,
  the tables the planner reads) and lazily, once each, everything derived from
  them (:meth:`Snapshot.derived`). Nothing in it changes after it is built,
  except that its cache fills up.
* :class:`ReadModel` holds the current snapshot of one store. A request calls
  :meth:`ReadModel.snapshot` once and derives everything from what it got.
  When the store's version has changed, a new snapshot is built beside the old
  one and then swapped in with one assignment; requests that hold the old one
  finish with it undisturbed.

The store is reached only through ``version``, ``offers()``, ``districts()``,
``population()``, ``layers()`` and ``read_table(name)``, so a transactional
SQL store with a cheap version query can stand in for the GeoPackage file.
No Flask here: webmap/state.py wires one ReadModel per app.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

#: Attribute tables a snapshot carries besides offers, districts and population
#: (the planner's population grid, geo.coverage.inputs.GRID_LAYER).
EXTRA_TABLES = ("population_grid",)
#: How often a snapshot build is retried when the store changes while it is read.
BUILD_ATTEMPTS = 5


class SnapshotSource(Protocol):
    """What the read model needs of a store."""

    @property
    def version(self) -> str: ...

    def offers(self) -> Any: ...

    def districts(self) -> Any: ...

    def population(self) -> pd.DataFrame: ...

    def layers(self) -> list[str]: ...

    def read_table(self, name: str) -> pd.DataFrame: ...


class StoreChangedWhileReading(RuntimeError):
    """The store changed under every attempt to read one consistent version."""


@dataclass(eq=False)
class Snapshot:
    """One data version's frames and everything derived from them (built lazily, once).

    ``index_builder`` makes the OfferIndex from the offers frame; it is called
    at most once per snapshot (see :attr:`index`).
    """

    version: str
    offers: Any
    districts: Any
    population: pd.DataFrame
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    index_builder: Callable[[Any], Any] | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    # Reentrant: one derived value may be built from another (features from the index).
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def derived(self, name: str, build: Callable[["Snapshot"], Any]) -> Any:
        """``build(self)``, computed once per snapshot (thread-safe) and kept with it.

        Because the cache belongs to the snapshot, a value can never be stored
        under a version it was not built from.
        """
        try:
            return self._cache[name]
        except KeyError:
            pass
        with self._lock:
            if name not in self._cache:
                self._cache[name] = build(self)
            return self._cache[name]

    @property
    def index(self) -> Any:
        """The OfferIndex of exactly this snapshot's offers."""
        if self.index_builder is None:
            raise RuntimeError("this snapshot was built without an index builder")
        return self.derived("index", lambda snap: snap.index_builder(snap.offers))

    def table(self, name: str) -> pd.DataFrame | None:
        """One of :data:`EXTRA_TABLES` as read with this version, or None when the store has none."""
        return self.tables.get(name)

    def memo(self, name: str, size: int, max_chars: int | None = None) -> "LruMemo":
        """A bounded memo of answers kept with this snapshot (recent coverage questions, map views ...)."""
        return self.derived(f"memo:{name}", lambda _snap: LruMemo(size, max_chars))


class LruMemo:
    """The ``size`` most recently used answers, by key (thread-safe).

    With ``max_chars``, answers are text and their total length is bounded too:
    the oldest go first, and an answer longer than the whole budget is not kept.
    """

    def __init__(self, size: int, max_chars: int | None = None):
        self.size = size
        self.max_chars = max_chars
        self._chars = 0
        self._lock = threading.Lock()
        self._answers: OrderedDict[Any, Any] = OrderedDict()

    def _weight(self, value: Any) -> int:
        return len(value) if self.max_chars is not None else 0

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The answer for ``key``, computed with ``compute()`` when it is not kept."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        value = compute()
        weight = self._weight(value)
        if self.max_chars is not None and weight > self.max_chars:
            return value
        with self._lock:
            if key not in self._answers:
                self._answers[key] = value
                self._chars += weight
            while len(self._answers) > self.size or (self.max_chars is not None and self._chars > self.max_chars):
                _old_key, old = self._answers.popitem(last=False)
                self._chars -= self._weight(old)
        return value


def read_snapshot(store: SnapshotSource, *, index_builder: Callable[[Any], Any] | None = None,
                  extra_tables: tuple[str, ...] = EXTRA_TABLES) -> Snapshot:
    """One consistent version of ``store``'s data.

    The version is read before and after the frames; when an import replaced
    the data in between, the frames are read again (a file store has no read
    transaction to hold the version still).

    Raises
    ------
    StoreChangedWhileReading
        When the store changed during each of :data:`BUILD_ATTEMPTS` reads.
    """
    for _attempt in range(BUILD_ATTEMPTS):
        version = store.version
        offers, districts, population = store.offers(), store.districts(), store.population()
        layers = set(store.layers()) if extra_tables else set()
        tables = {name: store.read_table(name) for name in extra_tables if name in layers}
        if store.version == version:
            return Snapshot(version=version, offers=offers, districts=districts, population=population,
                            tables=tables, index_builder=index_builder)
    raise StoreChangedWhileReading(f"the data changed during each of {BUILD_ATTEMPTS} attempts to read it")


class ReadModel:
    """The current snapshot of one store, refreshed when the store's version changes.

    This is the one place that decides when to look for new data: each call of
    :meth:`snapshot` compares the store's version (cheap: a file stat for the
    GeoPackage, one query for SQL) with the snapshot's. One thread builds a new
    snapshot at a time; while it does, other threads keep answering from the
    previous snapshot rather than queueing behind the build.
    """

    def __init__(self, store: SnapshotSource, *, index_builder: Callable[[Any], Any] | None = None,
                 extra_tables: tuple[str, ...] = EXTRA_TABLES):
        self.store = store
        self._index_builder = index_builder
        self._extra_tables = extra_tables
        self._current: Snapshot | None = None
        self._building = threading.Lock()

    def snapshot(self) -> Snapshot:
        """The snapshot of the store's current version (take it once per request)."""
        current = self._current
        if current is not None and current.version == self.store.version:
            return current
        if current is not None and not self._building.acquire(blocking=False):
            return current  # someone is building the new one; answer from the old meanwhile
        if current is None:
            self._building.acquire()
        try:
            latest = self._current
            if latest is not None and latest is not current and latest.version == self.store.version:
                return latest
            fresh = read_snapshot(self.store, index_builder=self._index_builder, extra_tables=self._extra_tables)
            if fresh.index_builder is not None:
                fresh.index  # built before the swap: the first request of a version does not wait for it
            self._current = fresh  # one assignment: requests see the old snapshot or the new one
            return fresh
        finally:
            self._building.release()

    def peek(self) -> Snapshot | None:
        """The snapshot last built, without looking at the store (None before the first)."""
        return self._current
