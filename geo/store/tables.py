"""Every table of the store as SQLAlchemy Core metadata, the same on both backends.

Layout (revision 0001; later revisions add columns and tables):

- ``offers``: one row per offer ever stored, live or soft-deleted (``deleted_at``);
  the fields of :data:`geo.schema.OFFER_COLUMNS`, a point geometry derived from
  lat/lon, the offer's ``version`` (1 on create, +1 on every change), who and when,
  and ``import_baseline``: where the offer as its source file last gave it differs
  from the stored one, those fields as JSON (NULL: no difference, the usual case);
  the base of the three-way merge on re-import.
- ``offer_history``: one row per change of one offer: actor, action, the changed
  fields before and after (JSON), the data version of the change.
- ``changes``: one row per write transaction: the store-wide change log that the
  web app's processes poll ("what changed since data version V").
- ``meta``: key/value; ``data_version`` is the counter bumped by every write
  (its row is also the writers' lock on PostgreSQL), ``store_id`` a random id.
- ``districts`` (multipolygons), ``imports`` (the import log).
- ``attribute_layers``: the registry of tables whose columns come from the data
  (``population``, ``population_grid``): their column names and types.
- ``api_tokens`` (hashes only) and ``rate_limits`` (hashed keys) for the write API
  and limits shared by all app processes.

Every table has an integer primary key ``fid``: the GeoPackage standard asks for one,
and GDAL/QGIS use it as feature id. Geometry columns are GeoPackage blobs declared
POINT / MULTIPOLYGON on SQLite and ``geometry(Point,4326)`` with a GiST index on PostGIS.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Index, Integer, MetaData, Table, Text, UniqueConstraint
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import UserDefinedType

from geo.schema import LIST_COLUMNS, OFFER_COLUMNS

SRID = 4326
FLOAT_FIELDS = ("lat", "lon", "age_min", "age_max")
JSON_FIELDS = (*LIST_COLUMNS, "language_notes")


class GeometryColumn(UserDefinedType):
    """A geometry column; values are bytes already encoded for the backend
    (GeoPackage blob on SQLite, EWKB on PostGIS, which casts bytea to geometry),
    so frames are encoded and decoded column-wise in geo.store.codec."""

    cache_ok = True

    def __init__(self, geometry_type: str):
        self.geometry_type = geometry_type.upper()

    def get_col_spec(self, **kw) -> str:  # SQLite: the declared type GDAL reads
        return self.geometry_type


@compiles(GeometryColumn, "postgresql")
def _postgis_geometry(type_, compiler, **kw) -> str:
    return f"geometry({type_.geometry_type.title().replace('polygon', 'Polygon')},{SRID})"


# 64-bit integers; SQLite's INTEGER is 64-bit already, and GDAL does not know "BIGINT".
# As primary key: PostgreSQL's BIGSERIAL, SQLite's INTEGER PRIMARY KEY (the rowid alias GeoPackage requires).
BigInt = BigInteger().with_variant(Integer(), "sqlite")
FidType = BigInt


def _fid() -> Column:
    return Column("fid", FidType, primary_key=True, autoincrement=True)


metadata = MetaData()


def _offer_field(name: str) -> Column:
    if name == "id":
        return Column("id", Text, nullable=False, unique=True)
    if name in FLOAT_FIELDS:
        return Column(name, Float)
    # Text fields are "" when empty, lists and language notes JSON text (as in the
    # whole-file store before, so QGIS users see the same columns).
    return Column(name, Text, nullable=False, server_default="")


offers = Table(
    "offers", metadata,
    _fid(),
    *[_offer_field(name) for name in OFFER_COLUMNS],
    Column("geom", GeometryColumn("POINT")),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", Text, nullable=False, server_default=""),
    Column("updated_at", Text, nullable=False, server_default=""),
    Column("updated_by", Text, nullable=False, server_default=""),
    Column("deleted_at", Text),
    Column("deleted_by", Text),
    Column("import_baseline", Text),
)
Index("offers_source", offers.c.source)

offer_history = Table(
    "offer_history", metadata,
    Column("fid", FidType, primary_key=True, autoincrement=True),
    Column("data_version", BigInt, nullable=False, index=True),
    Column("offer_id", Text, nullable=False),
    Column("offer_version", Integer, nullable=False),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("before", Text, nullable=False, server_default="{}"),
    Column("after", Text, nullable=False, server_default="{}"),
)
Index("offer_history_offer", offer_history.c.offer_id, offer_history.c.offer_version)

changes = Table(
    "changes", metadata,
    _fid(),
    Column("data_version", BigInt, nullable=False, unique=True),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    # The layer rewritten by this change ("districts", "population", …); NULL when only offers changed.
    Column("layer", Text),
    Column("offers", Integer, nullable=False, server_default="0"),
)

meta = Table(
    "meta", metadata,
    _fid(),
    Column("key", Text, nullable=False, unique=True),
    Column("value", Text, nullable=False),
)

districts = Table(
    "districts", metadata,
    _fid(),
    Column("district_id", Text, nullable=False),
    Column("name", Text, nullable=False, server_default=""),
    Column("geom", GeometryColumn("MULTIPOLYGON")),
)

IMPORT_COLUMNS = (
    "imported_at", "source", "file", "rows_read", "imported", "warnings", "rejected",
    "duplicates", "added", "changed", "removed",
)
IMPORT_TEXT = ("imported_at", "source", "file")

imports = Table(
    "imports", metadata,
    _fid(),
    *[Column(c, Text, nullable=False, server_default="") if c in IMPORT_TEXT else Column(c, Integer)
      for c in IMPORT_COLUMNS],
    Column("actor", Text, nullable=False, server_default=""),
)

attribute_layers = Table(
    "attribute_layers", metadata,
    _fid(),
    Column("name", Text, nullable=False, unique=True),
    # JSON list of {"name": column as the frame had it, "column": in the table, "type": "float"|"integer"|"text"|"boolean"}
    Column("columns", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("data_version", BigInt, nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    _fid(),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("source", Text, nullable=False, server_default=""),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False, server_default=""),
    Column("revoked_at", Text),
    UniqueConstraint("name", name="api_tokens_name"),
)

rate_limits = Table(
    "rate_limits", metadata,
    _fid(),
    Column("bucket", Text, nullable=False, unique=True),
    # Fixed windows: the window's start (epoch seconds) and the hits in it. For spacing
    # buckets (Nominatim's one request per second) window_start is the next free slot.
    Column("window_start", Float, nullable=False),
    Column("hits", Integer, nullable=False),
)

# Tables GIS users see as layers of the GeoPackage, with their geometry type (None: attributes).
GPKG_LAYERS = {"offers": "POINT", "districts": "MULTIPOLYGON", "imports": None, "offer_history": None,
               "changes": None, "meta": None}
