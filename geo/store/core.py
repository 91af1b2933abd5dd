"""The store's spine: opening, schema readiness, read and write transactions, the data version.

Every write runs in :meth:`StoreCore._write`: one transaction that first bumps
the data version (on PostgreSQL the UPDATE of that one row also queues writers
one behind the other, as BEGIN IMMEDIATE does on SQLite, so data versions are
handed out in commit order and no reader can miss a change), then does its work,
then records its history rows and one ``changes`` row. A transaction that changed
nothing is rolled back, so an idle re-import does not invalidate any cache.
"""

from __future__ import annotations

import logging
import sqlite3
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator

from sqlalchemy import Integer, Text, cast, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from geo.store import migrate
from geo.store.backends import Backend, GeoPackageBackend, backend_for, describe_error, is_unreachable
from geo.store.errors import StoreError, StoreUnavailable
from geo.store.tables import changes, meta, offer_history

log = logging.getLogger("geo.store")


def utc_now() -> str:
    """Timestamps are UTC ISO 8601 with seconds, e.g. 2025-03-01T09:30:12+00:00."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class WriteContext:
    """One write transaction: its connection, data version, time and actor, and what it did."""

    connection: Any
    data_version: int
    at: str
    actor: str
    action: str
    layer: str | None = None
    offers_changed: int = 0
    history_rows: list[dict] = field(default_factory=list)
    layers_changed: list[str] = field(default_factory=list)
    logged: bool = False

    def record(self, offer_id: str, offer_version: int, action: str, before: dict, after: dict) -> None:
        """One history row for one offer (written in bulk at commit)."""
        from geo.store.codec import to_json

        self.history_rows.append({
            "data_version": self.data_version, "offer_id": offer_id, "offer_version": offer_version,
            "at": self.at, "actor": self.actor, "action": action, "before": to_json(before), "after": to_json(after),
        })
        self.offers_changed += 1

    def layer_changed(self, name: str) -> None:
        self.layers_changed.append(name)

    @property
    def changed_anything(self) -> bool:
        return bool(self.offers_changed or self.layers_changed or self.logged)


class _Rollback(Exception):
    """Raised inside a write transaction that changed nothing."""


class StoreCore:
    """Opening and transactions; the read and write methods live in the mixins of geo.store.store."""

    def __init__(self, location, *, busy_timeout_s: float = 30.0):
        self.backend: Backend = backend_for(location, busy_timeout_s)
        # Pooled connections are closed when the Store is dropped without close().
        weakref.finalize(self, self.backend.dispose)
        self._ready = False
        self._cache_version: int | None = None
        self._cache_store_id: str | None = None
        self._cache: dict[str, Any] = {}

    # -- identity -----------------------------------------------------------------------------

    @property
    def path(self):
        """The GeoPackage file (None for PostGIS)."""
        return self.backend.path if isinstance(self.backend, GeoPackageBackend) else None

    @property
    def label(self) -> str:
        """The store named in messages: the file name, or the URL without password."""
        return self.backend.label

    def __repr__(self) -> str:
        return f"<Store {self.backend.name} {self.label}>"

    def close(self) -> None:
        """Release connections (the web app keeps its store open; commands close theirs)."""
        self.backend.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema -------------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether the store has been created (a file with content, or a database with our schema)."""
        if not self.backend.file_exists():
            return False
        if self.backend.dialect == "sqlite":
            return True
        try:
            with self.backend.engine.connect() as connection:
                return migrate.has_schema(connection)
        except SQLAlchemyError as exc:
            raise self._translate(exc) from None

    def _ensure_schema(self, create: bool) -> bool:
        """Create or upgrade the schema when needed; False when there is no store and create is False."""
        if self._ready:
            return True
        try:
            state = migrate.ensure(self.backend, create=create, log=log)
        except (SQLAlchemyError, sqlite3.Error) as exc:
            raise self._translate(exc) from None
        self._ready = state
        return state

    def upgrade(self) -> str:
        """Create or upgrade the schema now (``angebotskarte db upgrade``); returns what was done."""
        try:
            message = migrate.upgrade(self.backend, log=log)
        except (SQLAlchemyError, sqlite3.Error) as exc:
            raise self._translate(exc) from None
        self._ready = True
        return message

    # -- errors ---------------------------------------------------------------------------------

    def _translate(self, exc: BaseException) -> StoreError:
        if isinstance(exc, StoreError):
            return exc
        if self.backend.dialect == "postgresql" and isinstance(exc, DBAPIError) and is_unreachable(exc):
            return StoreUnavailable(f"{self.label}: the database cannot be reached ({describe_error(self.backend, exc)})")
        return StoreError(describe_error(self.backend, exc))

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """A read transaction (one snapshot), or None when the store does not exist yet."""
        if self._ready and not self.backend.file_exists():
            self._ready = False  # the file was removed under us: read nothing, create nothing
        if not self._ensure_schema(create=False):
            yield None
            return
        try:
            with self.backend.engine.connect() as connection, connection.begin():
                yield connection
        except SQLAlchemyError as exc:
            raise self._translate(exc) from None

    @contextmanager
    def _write(self, actor: str, action: str, *, data: bool = True) -> Iterator[WriteContext]:
        """One write transaction: bump the data version, do the work, write history and the change row.

        ``data=False`` for writes that change no data a reader caches (tokens, secrets):
        no new data version, no change row.
        """
        if not actor:
            raise ValueError("every write names its actor")
        self._ensure_schema(create=True)
        try:
            with self.backend.engine.connect().execution_options(store_write=True) as connection:
                try:
                    with connection.begin():
                        version = _bump_data_version(connection) if data else _read_state(connection)[1]
                        tx = WriteContext(connection, version, utc_now(), actor, action)
                        yield tx
                        if not tx.changed_anything:
                            raise _Rollback
                        if not data:
                            return
                        self.backend.insert_rows(connection, offer_history, tx.history_rows)
                        layer = tx.layers_changed[0] if len(set(tx.layers_changed)) == 1 else (
                            "*" if tx.layers_changed else None)
                        connection.execute(changes.insert().values(
                            data_version=version, at=tx.at, actor=actor, action=action, layer=layer,
                            offers=tx.offers_changed))
                        if tx.offers_changed:
                            self.backend.touch_layer(connection, "offers")
                except _Rollback:
                    pass
        except SQLAlchemyError as exc:
            raise self._translate(exc) from None

    # -- the data version ---------------------------------------------------------------------

    def data_version(self) -> int:
        """The store's change counter (0 for a new or missing store); one cheap query."""
        with self._read() as connection:
            if connection is None:
                return 0
            return _read_state(connection)[1]

    @property
    def version(self) -> str:
        """The public data version ``"<store id>:<counter>"`` ("" before the store exists).

        The store id differs between stores, so ETags of two deployments never collide.
        """
        with self._read() as connection:
            if connection is None:
                return ""
            store_id, counter = _read_state(connection)
        return f"{store_id}:{counter}"

    def _cached(self, connection, name: str, loader):
        """A frame of the data version the connection's snapshot sees, built once per version."""
        store_id, counter = _read_state(connection)
        if (store_id, counter) != (self._cache_store_id, self._cache_version):
            self._cache = {}
            self._cache_store_id, self._cache_version = store_id, counter
        if name not in self._cache:
            self._cache[name] = loader(connection)
        return self._cache[name]


def _read_state(connection) -> tuple[str, int]:
    rows = dict(connection.execute(select(meta.c.key, meta.c.value).where(meta.c.key.in_(("store_id", "data_version")))).all())
    return rows.get("store_id", ""), int(rows.get("data_version", 0))


def _bump_data_version(connection) -> int:
    statement = (meta.update().where(meta.c.key == "data_version")
                 .values(value=cast(cast(meta.c.value, Integer) + 1, Text)).returning(meta.c.value))
    return int(connection.execute(statement).scalar_one())
