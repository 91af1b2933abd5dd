"""Move a deployment between the GeoPackage file and PostGIS (either way), losslessly.

Everything is copied as it is: offers (live and deleted) with their versions, times,
actors and import baselines, the whole history and change log, the data version and
the store id (so ETags and the web app's caches stay valid across the move),
districts, the import log, every attribute layer, and API tokens (hashes). Only the
rate-limit counters, which are minutes old at most, are not copied. The target
must be empty; everything is written in one transaction, so a failed copy leaves
it empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text

from geo.store import layers as attribute
from geo.store.errors import StoreError
from geo.store.tables import api_tokens, attribute_layers, changes, districts, imports, meta, offer_history, offers

# Copied row by row, in this order; geometry columns are re-encoded for the target.
_TABLES = (meta, offers, offer_history, changes, districts, imports, api_tokens)
_CHUNK = 5000


@dataclass(frozen=True)
class CopyResult:
    offers: int
    history: int
    layers: int
    data_version: int


def copy_store(source, target) -> CopyResult:
    """Copy ``source`` (a Store) into the empty ``target`` (a Store); returns what was copied."""
    if not source.exists():
        raise StoreError(f"{source.label}: there is no store to copy")
    source._ensure_schema(create=False)
    target._ensure_schema(create=True)
    counts: dict[str, int] = {}
    with source.backend.engine.connect() as reader, reader.begin():
        with target.backend.engine.connect().execution_options(store_write=True) as writer, writer.begin():
            _check_empty(target, writer)
            writer.execute(meta.delete())  # the new store's own id and counter give way to the copied ones
            for table in _TABLES:
                counts[table.name] = _copy_rows(source, target, reader, writer, table)
            names = attribute.layer_names(reader)
            for name in names:
                frame = attribute.read_attribute_layer(reader, name)
                row = reader.execute(select(attribute_layers).where(attribute_layers.c.name == name)).mappings().one()
                attribute.write_attribute_layer(writer, name, frame, data_version=row["data_version"],
                                                at=row["updated_at"], gpkg=target.backend.dialect == "sqlite")
            if target.backend.dialect == "postgresql":
                for table in _TABLES:
                    writer.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'fid'), "
                                        f"(SELECT COALESCE(MAX(fid), 0) + 1 FROM {table.name}), false)"))
            version = int(writer.execute(select(meta.c.value).where(meta.c.key == "data_version")).scalar_one())
    target._cache = {}
    return CopyResult(counts["offers"], counts["offer_history"], len(names), version)


def _check_empty(target, writer) -> None:
    for table in (offers, offer_history, districts, imports, api_tokens):
        if writer.execute(select(func.count()).select_from(table)).scalar_one():
            raise StoreError(f"{target.label}: the target store is not empty ({table.name} has rows); "
                             "copy into a new file or an empty database")
    if attribute.layer_names(writer):
        raise StoreError(f"{target.label}: the target store is not empty (it has layers)")


def _copy_rows(source, target, reader, writer, table) -> int:
    columns = [c.name for c in table.columns]
    has_geometry = "geom" in columns
    total = 0
    last = None
    while True:
        statement = select(table).order_by(table.c.fid).limit(_CHUNK)
        if last is not None:
            statement = statement.where(table.c.fid > last)
        rows = [dict(r) for r in reader.execute(statement).mappings()]
        if not rows:
            return total
        if has_geometry:
            geometries = source.backend.decode_geometries([r["geom"] for r in rows])
            for row, geom in zip(rows, target.backend.encode_geometries(geometries)):
                row["geom"] = geom
        target.backend.insert_rows(writer, table, rows)
        total += len(rows)
        last = rows[-1]["fid"]
