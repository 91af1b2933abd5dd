"""What makes the SQLite file a GeoPackage that QGIS and GDAL open, and safe for many writers.

- Geometry blobs: GeoPackageBinary ("GP" header, SRS id, optional envelope) + WKB.
- The file's header (application_id "GPKG", user_version 10300) and the
  ``gpkg_spatial_ref_sys`` / ``gpkg_contents`` / ``gpkg_geometry_columns`` rows that
  list every layer with its geometry type.
- Connections: WAL journal (readers never block a writer, a writer never blocks
  readers), a busy timeout (a second writer waits instead of failing), and
  ``BEGIN IMMEDIATE`` for write transactions (SQLAlchemy's documented pysqlite
  recipe: pysqlite's own transaction handling is switched off, we emit BEGIN), so
  two writers queue at the start instead of deadlocking on a lock upgrade.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10300  # GeoPackage 1.3
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],'
    'AUTHORITY["EPSG","4326"]]'
)

# The GeoPackage core tables (GeoPackage 1.3, clauses 1.1.2 / 1.1.3 / 2.1.5).
CORE_DDL = (
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
        organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
        description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
        identifier TEXT UNIQUE, description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
        geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
)


# -- geometry blobs -------------------------------------------------------------------------------

def encode_blobs(geometries, srs_id: int = 4326) -> list[bytes | None]:
    """Shapely geometries (None for none) as GeoPackageBinary blobs.

    Points get no envelope (their envelope is the point); other geometries an XY
    envelope, which GIS software uses to skip features outside the view.
    """
    geoms = np.asarray(geometries, dtype=object)
    out: list[bytes | None] = [None] * len(geoms)
    present = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    if not present.any():
        return out
    idx = np.flatnonzero(present)
    wkbs = shapely.to_wkb(geoms[idx], byte_order=1)
    point_header = b"GP\x00\x01" + struct.pack("<i", srs_id)
    for i, wkb, geom in zip(idx, wkbs, geoms[idx]):
        if geom.geom_type == "Point":
            out[i] = point_header + wkb
        else:
            minx, miny, maxx, maxy = geom.bounds
            out[i] = b"GP\x00\x03" + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy) + wkb
    return out


def decode_blobs(blobs) -> np.ndarray:
    """GeoPackageBinary blobs (any byte order and envelope, as GDAL writes them too) to geometries."""
    out = np.full(len(blobs), None, dtype=object)
    wkbs, where = [], []
    for i, blob in enumerate(blobs):
        if blob is None or len(blob) < 8 or blob[:2] != b"GP":
            continue
        flags = blob[3]
        if flags & 0b10000:  # empty geometry flag
            continue
        start = 8 + _ENVELOPE_BYTES.get((flags >> 1) & 0b111, 0)
        wkbs.append(bytes(blob[start:]))
        where.append(i)
    if wkbs:
        out[where] = shapely.from_wkb(wkbs)
    return out


# -- the engine ---------------------------------------------------------------------------------

def create_gpkg_engine(path: Path, busy_timeout_s: float) -> Engine:
    """An engine on the GeoPackage file: WAL, busy timeout, BEGIN IMMEDIATE for writes.

    No connection pool: every operation opens the file and closes it again, so no
    connection outlives an operation (after a command the WAL is checkpointed into
    the file, and a file copy is complete). Opening costs well under a millisecond.
    """
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool,
                           connect_args={"timeout": busy_timeout_s, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _begin)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        # Writers take the write lock at BEGIN: a second writer waits there (busy timeout)
        # instead of failing later when its read lock cannot be upgraded.
        immediate = connection.get_execution_options().get("store_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def prepare_file(connection) -> None:
    """WAL mode (persistent in the file); outside a transaction, as SQLite requires.

    While another process holds the file's lock (it is creating the store right now)
    the switch can fail; that process switches, or the next opening does.
    """
    # On the driver's connection: SQLAlchemy would begin a transaction first.
    raw = connection.connection.driver_connection
    mode = raw.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        try:
            raw.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            pass


def create_core_tables(connection) -> None:
    """The GeoPackage header and core tables, with the SRS rows the standard requires."""
    connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.exec_driver_sql(f"PRAGMA user_version = {USER_VERSION}")
    for ddl in CORE_DDL:
        connection.exec_driver_sql(ddl)
    rows = [
        ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
        ("WGS 84 geodetic", 4326, "EPSG", 4326, WGS84_WKT, "longitude/latitude coordinates in decimal degrees"),
    ]
    for row in rows:
        connection.execute(text(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, "
            "definition, description) VALUES (:a, :b, :c, :d, :e, :f)"),
            dict(zip("abcdef", row)))


def register_layer(connection, table: str, geometry_type: str | None, bounds=None) -> None:
    """List a table in gpkg_contents (and gpkg_geometry_columns) so GIS software shows it."""
    unregister_layer(connection, table)
    if geometry_type is None:
        connection.execute(text(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
            "VALUES (:t, 'attributes', :t, '')"), {"t": table})
        return
    minx, miny, maxx, maxy = bounds if bounds is not None else (None, None, None, None)
    connection.execute(text(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) "
        "VALUES (:t, 'features', :t, '', :a, :b, :c, :d, 4326)"),
        {"t": table, "a": minx, "b": miny, "c": maxx, "d": maxy})
    connection.execute(text(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) "
        "VALUES (:t, 'geom', :g, 4326, 0, 0)"), {"t": table, "g": geometry_type})


def unregister_layer(connection, table: str) -> None:
    connection.execute(text("DELETE FROM gpkg_geometry_columns WHERE table_name = :t"), {"t": table})
    connection.execute(text("DELETE FROM gpkg_contents WHERE table_name = :t"), {"t": table})
    # GDAL's feature-count cache, present in files GDAL wrote (the whole-file store before).
    if connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").first() is not None:
        connection.execute(text("DELETE FROM gpkg_ogr_contents WHERE table_name = :t"), {"t": table})


def touch_layer(connection, table: str) -> None:
    """Update gpkg_contents.last_change (GIS software uses it to notice edits)."""
    connection.execute(text(
        "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = :t"),
        {"t": table})
