"""The PostgreSQL + PostGIS backend: engine, PostGIS check, geometry encoding.

Connections come from a small pool, are checked before use (a database restart
costs one failed request at most, then service resumes by itself) and give up
connecting after a few seconds, so a request gets a 503 instead of hanging.
Geometries travel as EWKB: PostGIS casts bytea to geometry on insert and its text
output (hex EWKB) decodes with shapely, so no per-row SQL function is needed.
"""

from __future__ import annotations

import numpy as np
import shapely
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from geo.store.errors import StoreError

CONNECT_TIMEOUT_S = 5
# Arbitrary, fixed: the advisory lock every process takes before creating or upgrading the schema.
MIGRATION_LOCK_ID = 0x416E6765  # "Ange"


def engine_url(url: str):
    """The SQLAlchemy URL for a [store] url, on psycopg 3 whatever driver the URL names."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise StoreError(f"[store] url {safe_url(url)!r}: only postgresql://user@host:port/database is supported")
    return parsed.set(drivername="postgresql+psycopg")


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: say nothing of it that could hold a secret
        return "postgresql://…"


def create_postgis_engine(url: str, *, lock_timeout_s: float | None = None) -> Engine:
    """A pooled engine; ``lock_timeout_s`` bounds how long a writer waits for the lock."""
    options = "-c timezone=UTC"
    if lock_timeout_s:
        options += f" -c lock_timeout={int(lock_timeout_s * 1000)}"
    engine = create_engine(engine_url(url), pool_pre_ping=True, pool_size=5, max_overflow=5,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "options": options,
                                         "application_name": "angebotskarte"})

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        # Readers see one snapshot for all the tables they read (offers and their data version
        # must agree); writers serialise on the data_version row and use READ COMMITTED.
        if not connection.get_execution_options().get("store_write", False):
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    return engine


def ensure_postgis(connection) -> None:
    """CREATE EXTENSION postgis when missing, or a clear message when we may not."""
    if connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first():
        return
    available = connection.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first()
    if not available:
        raise StoreError("PostGIS is not installed on the database server; install it (Debian: "
                         "apt install postgresql-15-postgis-3) and run the command again")
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except Exception as exc:
        raise StoreError("the database has no PostGIS extension and this user may not create it; run "
                         "'CREATE EXTENSION postgis;' in the database as its owner or a superuser "
                         f"({type(exc).__name__})") from None


def copy_rows(connection, table: str, rows: list[dict]) -> None:
    """COPY rows (dicts with the same keys) into ``table`` inside the connection's transaction.

    Geometry values (EWKB bytes) go as hex text, the form PostGIS reads in COPY.
    """
    columns = list(rows[0])
    geometry = [i for i, c in enumerate(columns) if c == "geom"]
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = [row[c] for c in columns]
            for i in geometry:
                if values[i] is not None:
                    values[i] = values[i].hex()
            copy.write_row(values)


def encode_ewkb(geometries, srid: int = 4326) -> list[bytes | None]:
    """Shapely geometries as EWKB (with SRID) for geometry columns; None stays NULL."""
    geoms = np.asarray(geometries, dtype=object)
    out: list[bytes | None] = [None] * len(geoms)
    idx = np.flatnonzero([g is not None and not g.is_empty for g in geoms])
    if len(idx):
        tagged = shapely.set_srid(geoms[idx], srid)
        for i, wkb in zip(idx, shapely.to_wkb(tagged, include_srid=True, byte_order=1)):
            out[i] = wkb
    return out


def decode_ewkb(values) -> np.ndarray:
    """Geometry column values as fetched (hex EWKB text) to shapely geometries."""
    out = np.full(len(values), None, dtype=object)
    idx = [i for i, v in enumerate(values) if v is not None]
    if idx:
        out[idx] = shapely.from_wkb([values[i] for i in idx])
    return out
