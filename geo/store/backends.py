"""The two places a store can live, behind one small interface the SQL code uses.

Everything that differs between the GeoPackage file and PostgreSQL + PostGIS is
here: how to connect, whether the store exists, how geometries are encoded, how a
layer is announced to GIS software, and how concurrent schema upgrades are kept
apart (SQLite: the write lock of BEGIN IMMEDIATE; PostgreSQL: an advisory lock).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from geo.store import geopackage, postgis
from geo.store.errors import StoreError


class Backend:
    """What the shared SQL code needs from a backend."""

    name: str
    dialect: str

    def __init__(self) -> None:
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._create_engine()
        return self._engine

    def _create_engine(self) -> Engine:  # pragma: no cover - abstract
        raise NotImplementedError

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def label(self) -> str:
        """The store named for messages: a file name or a URL without password."""
        raise NotImplementedError

    def file_exists(self) -> bool:
        """Whether there is anything to open (the file; a database always "exists")."""
        return True

    def prepare(self, connection) -> None:
        """Set-up outside any transaction, before the schema is created or upgraded."""

    def lock_schema(self, connection) -> None:
        """Keep other processes out while this one creates or upgrades the schema."""

    def encode_geometries(self, geometries) -> list:
        raise NotImplementedError

    def decode_geometries(self, values):
        raise NotImplementedError

    def register_layer(self, connection, table: str, geometry_type: str | None, bounds=None) -> None:
        """Announce a table to GIS software (GeoPackage only)."""

    def unregister_layer(self, connection, table: str) -> None:
        """The inverse of :meth:`register_layer`."""

    def touch_layer(self, connection, table: str) -> None:
        """Note that a layer changed (GeoPackage only)."""

    def insert_rows(self, connection, table, rows: list[dict]) -> None:
        """Insert many rows in the connection's transaction (executemany; COPY on PostgreSQL)."""
        if rows:
            connection.execute(table.insert(), rows)


class GeoPackageBackend(Backend):
    name = "geopackage"
    dialect = "sqlite"

    def __init__(self, path: Path, busy_timeout_s: float = 30.0):
        super().__init__()
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s

    @property
    def label(self) -> str:
        return self.path.name

    def file_exists(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except FileNotFoundError:
            return False

    def _create_engine(self) -> Engine:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return geopackage.create_gpkg_engine(self.path, self.busy_timeout_s)

    def prepare(self, connection) -> None:
        geopackage.prepare_file(connection)

    def encode_geometries(self, geometries) -> list:
        return geopackage.encode_blobs(geometries)

    def decode_geometries(self, values):
        return geopackage.decode_blobs(values)

    def register_layer(self, connection, table, geometry_type, bounds=None) -> None:
        geopackage.register_layer(connection, table, geometry_type, bounds)

    def unregister_layer(self, connection, table) -> None:
        geopackage.unregister_layer(connection, table)

    def touch_layer(self, connection, table) -> None:
        geopackage.touch_layer(connection, table)

    def insert_rows(self, connection, table, rows: list[dict]) -> None:
        # The driver's executemany with plain tuples: SQLAlchemy's per-row parameter
        # processing would cost more than SQLite's work for an import's 100,000 rows.
        if not rows:
            return
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                                   [tuple(row[c] for c in columns) for row in rows])


class PostgisBackend(Backend):
    name = "postgis"
    dialect = "postgresql"

    def __init__(self, url: str, busy_timeout_s: float = 30.0):
        super().__init__()
        postgis.engine_url(url)  # refuses other databases early, with a clear message
        self.url = url
        self.busy_timeout_s = busy_timeout_s

    def _create_engine(self) -> Engine:
        return postgis.create_postgis_engine(self.url, lock_timeout_s=self.busy_timeout_s)

    @property
    def label(self) -> str:
        return postgis.safe_url(self.url)

    def lock_schema(self, connection) -> None:
        # Held until the transaction ends: a second process waits here, then finds the
        # schema current and does nothing.
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": postgis.MIGRATION_LOCK_ID})
        postgis.ensure_postgis(connection)

    def insert_rows(self, connection, table, rows: list[dict]) -> None:
        # COPY is several times faster than INSERT for an import's 100,000 rows and their history.
        if len(rows) < 50:
            return super().insert_rows(connection, table, rows)
        postgis.copy_rows(connection, table.name, rows)

    def encode_geometries(self, geometries) -> list:
        return postgis.encode_ewkb(geometries)

    def decode_geometries(self, values):
        return postgis.decode_ewkb(values)


def backend_for(location, busy_timeout_s: float = 30.0) -> Backend:
    """The backend for a GeoPackage path or a postgresql:// URL."""
    text_location = str(location)
    if "://" in text_location:
        return PostgisBackend(text_location, busy_timeout_s)
    return GeoPackageBackend(Path(location), busy_timeout_s)


def describe_error(backend: Backend, exc: BaseException) -> str:
    """A one-line message for a database error, naming the store but no path or password."""
    original = getattr(exc, "orig", exc)
    if isinstance(original, sqlite3.DatabaseError):
        message = str(original)
        if "not a database" in message or "malformed" in message:
            return f"{backend.label}: not a readable GeoPackage ({message})"
        if "locked" in message or "busy" in message:
            return (f"{backend.label}: another process kept the store locked for more than "
                    f"{backend.busy_timeout_s:g} s ({message}); try again")
        return f"{backend.label}: {message}"
    import psycopg

    if isinstance(original, psycopg.errors.LockNotAvailable):
        return (f"{backend.label}: another process kept the store locked for more than "
                f"{backend.busy_timeout_s:g} s; try again")
    first_line = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    return f"{backend.label}: {first_line}"


def is_unreachable(exc: BaseException) -> bool:
    """Whether a database error means "cannot connect" (503 and retry) rather than a broken store."""
    import psycopg

    original = getattr(exc, "orig", exc)
    if getattr(exc, "connection_invalidated", False):
        return True
    return isinstance(original, psycopg.OperationalError) and not isinstance(original, psycopg.errors.LockNotAvailable)


__all__ = ["Backend", "GeoPackageBackend", "PostgisBackend", "backend_for", "describe_error", "is_unreachable",
           "StoreError"]
