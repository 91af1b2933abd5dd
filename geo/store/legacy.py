"""Upgrade a GeoPackage written by the whole-file store (before the transactional store).

That store wrote every layer with pyogrio/GDAL: ``offers`` and ``districts`` with
R-tree spatial indexes whose triggers call SpatiaLite functions, ``population``,
``imports``, ``meta`` (data version, schema "1") and any further attribute layer
(``population_grid``). Revision 0001 reads all of it, drops those tables and stores
the rows again in the new tables. Geometry blobs are GeoPackageBinary in both, so
they are copied as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import text

from geo.schema import OFFER_COLUMNS
from geo.store.tables import FLOAT_FIELDS, IMPORT_COLUMNS, JSON_FIELDS

_KNOWN = ("offers", "districts", "population", "imports", "meta")


@dataclass
class LegacyData:
    offers: list[dict] = field(default_factory=list)
    districts: list[dict] = field(default_factory=list)
    imports: list[dict] = field(default_factory=list)
    attribute_layers: dict[str, pd.DataFrame] = field(default_factory=dict)


def _tables(bind) -> set[str]:
    return {r[0] for r in bind.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _columns(bind, table: str) -> list[str]:
    return [r[1] for r in bind.exec_driver_sql(f'PRAGMA table_info("{table}")')]


def read_and_drop(bind) -> LegacyData | None:
    """The whole-file store's data, its tables dropped; None when the file has none."""
    tables = _tables(bind)
    if "offers" not in tables or "offer_history" in tables:  # (alembic_version exists already here)
        return None
    contents = {}
    if "gpkg_contents" in tables:
        contents = {r[0]: r[1] for r in bind.exec_driver_sql("SELECT table_name, data_type FROM gpkg_contents")}
    data = LegacyData()
    offer_cols = _columns(bind, "offers")
    for row in bind.exec_driver_sql('SELECT * FROM "offers"').mappings():
        data.offers.append({c: row[c] for c in (*OFFER_COLUMNS, "geom") if c in offer_cols})
    if "districts" in tables:
        for row in bind.exec_driver_sql('SELECT * FROM "districts"').mappings():
            data.districts.append({"district_id": str(row["district_id"]), "name": row.get("name") or "",
                                   "geom": row.get("geom")})
    if "imports" in tables:
        for row in bind.exec_driver_sql('SELECT * FROM "imports"').mappings():
            data.imports.append({c: row.get(c) for c in IMPORT_COLUMNS})
    for name, kind in contents.items():
        if name in _KNOWN and name != "population":
            continue
        if name not in tables:
            continue
        frame = pd.read_sql_query(text(f'SELECT * FROM "{name}"'), bind)
        geometry_columns = {r[0] for r in bind.exec_driver_sql(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,))}
        frame = frame.drop(columns=[c for c in ("fid", *geometry_columns) if c in frame])
        data.attribute_layers[name] = frame
    _drop(bind, tables, contents)
    return data


def _drop(bind, tables: set[str], contents: dict) -> None:
    """Drop the GDAL-made tables with their R-tree indexes and bookkeeping rows."""
    for row in list(bind.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")):
        bind.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{row[0]}"')
    for name in sorted(tables):
        if name.startswith("rtree_") and not name.endswith(("_node", "_parent", "_rowid")):
            bind.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
    for name in set(contents) | set(_KNOWN):
        if name in tables:
            bind.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
    for bookkeeping in ("gpkg_geometry_columns", "gpkg_contents", "gpkg_ogr_contents"):
        if bookkeeping in tables:
            bind.exec_driver_sql(f"DELETE FROM {bookkeeping}")
    if "gpkg_extensions" in tables:
        bind.exec_driver_sql("DELETE FROM gpkg_extensions WHERE table_name IS NOT NULL")


def store_again(bind, data: LegacyData, now: str) -> None:
    """Insert the legacy rows into the new tables (inside revision 0001's transaction)."""
    from geo.store import codec, layers

    rows = []
    for old in data.offers:
        record = codec.normalise_record({c: _legacy_value(c, old.get(c)) for c in OFFER_COLUMNS})
        row = codec.record_to_columns(record)
        row.update(geom=old.get("geom"), version=1, created_at=now, updated_at=now, updated_by="upgrade",
                   import_baseline=None)  # as the imports gave them
        rows.append(row)
    from geo.store.tables import changes, districts, imports, meta, offer_history, offers

    if rows:
        bind.execute(offers.insert(), rows)
        # Version 1 of every offer, so its history starts somewhere (the fields follow from the offer).
        bind.execute(offer_history.insert(), [
            {"data_version": 1, "offer_id": row["id"], "offer_version": 1, "at": now, "actor": "upgrade",
             "action": "create", "before": "{}", "after": "{}"} for row in rows])
    if data.districts:
        bind.execute(districts.insert(), data.districts)
    if data.imports:
        bind.execute(imports.insert(), [_import_row(r) for r in data.imports])
    for name, frame in data.attribute_layers.items():
        layers.write_attribute_layer(bind, name, frame, data_version=1, at=now, gpkg=True)
    bind.execute(meta.update().where(meta.c.key == "data_version").values(value="1"))
    bind.execute(changes.insert(), [{"data_version": 1, "at": now, "actor": "upgrade", "action": "upgrade",
                                     "layer": "*", "offers": len(rows)}])


def _legacy_value(name: str, value):
    if name in JSON_FIELDS and isinstance(value, str) and not value:
        return None
    if name in FLOAT_FIELDS and isinstance(value, str):
        return pd.to_numeric(value, errors="coerce")
    return value


def _import_row(row: dict) -> dict:
    out = {}
    for c in IMPORT_COLUMNS:
        v = row.get(c)
        if c in ("imported_at", "source", "file"):
            out[c] = "" if v is None else str(v)
        else:
            number = pd.to_numeric(v, errors="coerce")
            out[c] = None if pd.isna(number) else int(number)
    out["actor"] = f"import {out['file']}" if out["file"] else ""
    return out
