"""The transactional store: offers with versions and history, the change log, layers, tokens.

Also upgrades a GeoPackage written by the whole-file store (layers offers,
districts, population, imports, meta and extra attribute layers, written by
pyogrio): its data is read, its GDAL-made tables are dropped (their R-tree
triggers call SpatiaLite functions plain SQLite lacks) and the rows are stored
again in the new tables, every offer at version 1.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from geo.schema import OFFER_COLUMNS

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_FLOATS = ("lat", "lon", "age_min", "age_max")


def _geom(geometry_type):
    from geo.store.tables import GeometryColumn

    return GeometryColumn(geometry_type)


def _bigint():
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fid():
    return sa.Column("fid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                     autoincrement=True)


def _text(name, **kw):
    return sa.Column(name, sa.Text, nullable=False, server_default="", **kw)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    legacy = None
    if sqlite:
        from geo.store import geopackage, legacy as legacy_module

        legacy = legacy_module.read_and_drop(bind)
        geopackage.create_core_tables(bind)

    offer_fields = []
    for name in OFFER_COLUMNS:
        if name == "id":
            offer_fields.append(sa.Column("id", sa.Text, nullable=False, unique=True))
        elif name in _FLOATS:
            offer_fields.append(sa.Column(name, sa.Float))
        else:
            offer_fields.append(_text(name))
    op.create_table(
        "offers", _fid(), *offer_fields,
        sa.Column("geom", _geom("POINT")),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        _text("created_at"), _text("updated_at"), _text("updated_by"),
        sa.Column("deleted_at", sa.Text), sa.Column("deleted_by", sa.Text), sa.Column("import_baseline", sa.Text),
    )
    op.create_index("offers_source", "offers", ["source"])
    op.create_table(
        "offer_history",
        sa.Column("fid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("data_version", _bigint(), nullable=False),
        sa.Column("offer_id", sa.Text, nullable=False),
        sa.Column("offer_version", sa.Integer, nullable=False),
        sa.Column("at", sa.Text, nullable=False), sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("before", sa.Text, nullable=False, server_default="{}"),
        sa.Column("after", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_offer_history_data_version", "offer_history", ["data_version"])
    op.create_index("offer_history_offer", "offer_history", ["offer_id", "offer_version"])
    op.create_table(
        "changes", _fid(),
        sa.Column("data_version", _bigint(), nullable=False, unique=True),
        sa.Column("at", sa.Text, nullable=False), sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False), sa.Column("layer", sa.Text),
        sa.Column("offers", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table("meta", _fid(), sa.Column("key", sa.Text, nullable=False, unique=True),
                    sa.Column("value", sa.Text, nullable=False))
    op.create_table("districts", _fid(), sa.Column("district_id", sa.Text, nullable=False), _text("name"),
                    sa.Column("geom", _geom("MULTIPOLYGON")))
    import_columns = []
    for name in ("imported_at", "source", "file", "rows_read", "imported", "warnings", "rejected", "duplicates",
                 "added", "changed", "removed"):
        import_columns.append(_text(name) if name in ("imported_at", "source", "file") else sa.Column(name, sa.Integer))
    op.create_table("imports", _fid(), *import_columns, _text("actor"))
    op.create_table("attribute_layers", _fid(), sa.Column("name", sa.Text, nullable=False, unique=True),
                    sa.Column("columns", sa.Text, nullable=False), sa.Column("updated_at", sa.Text, nullable=False),
                    sa.Column("data_version", _bigint(), nullable=False))
    op.create_table(
        "api_tokens", _fid(), sa.Column("name", sa.Text, nullable=False), sa.Column("role", sa.Text, nullable=False),
        _text("source"), sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.Text, nullable=False), _text("created_by"), sa.Column("revoked_at", sa.Text),
        sa.UniqueConstraint("name", name="api_tokens_name"),
    )
    if not sqlite:
        # SQLite keeps rate limits in a file of their own (see geo.store.credentials).
        op.create_table("rate_limits", _fid(), sa.Column("bucket", sa.Text, nullable=False, unique=True),
                        sa.Column("window_start", sa.Float, nullable=False),
                        sa.Column("hits", sa.Integer, nullable=False))
        op.create_index("offers_geom", "offers", ["geom"], postgresql_using="gist")
        op.create_index("districts_geom", "districts", ["geom"], postgresql_using="gist")

    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    meta = sa.table("meta", sa.column("key"), sa.column("value"))
    op.bulk_insert(meta, [{"key": "store_id", "value": uuid.uuid4().hex},
                          {"key": "data_version", "value": "0"},
                          {"key": "created_at", "value": now}])
    if sqlite:
        from geo.store.tables import GPKG_LAYERS

        for table, geometry_type in GPKG_LAYERS.items():
            geopackage.register_layer(bind, table, geometry_type)
        if legacy is not None:
            legacy_module.store_again(bind, legacy, now)


def downgrade() -> None:
    raise NotImplementedError("the store is only ever upgraded; restore a backup to go back")
