"""Attribute layers whose columns come from the data (population, population grid, …).

Each is a real table (QGIS shows it as a table; PostgreSQL users can join it) with
an integer ``fid`` and the frame's columns, replaced whole inside the caller's
transaction. The registry ``attribute_layers`` keeps each column's name as the
frame had it, the column it is stored in (a name SQL cannot hold, e.g. one longer
than PostgreSQL's 63 bytes or a second "Population" beside "population" in SQLite's
case-insensitive world, gets a safe one) and its type, so a layer reads back
exactly as it was written.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Boolean, Column, Float, Integer, MetaData, Table, Text, select

from geo.store.errors import StoreError
from geo.store.tables import attribute_layers, metadata

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,50}$")
_TYPES = {"float": Float, "integer": BigInteger().with_variant(Integer(), "sqlite"), "boolean": Boolean, "text": Text}


def check_layer_name(name: str) -> None:
    """Layer names are table names: lower-case letters, digits and _, not one of the store's own."""
    if not _NAME.match(name or ""):
        raise StoreError(f"layer name {name!r}: use lower-case letters, digits and _ (starting with a letter)")
    if name in metadata.tables or name.startswith(("gpkg_", "rtree_", "sqlite_", "alembic")):
        raise StoreError(f"layer name {name!r} is taken by the store itself")


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "text"


def _column_names(names: list[str]) -> list[str]:
    out, seen = [], set()
    for i, name in enumerate(names):
        candidate = str(name)
        if (len(candidate.encode("utf-8")) > 60 or candidate.casefold() in seen or candidate.casefold() == "fid"
                or not candidate or '"' in candidate):
            candidate = f"column_{i + 1}"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def _table(name: str, spec: list[dict]) -> Table:
    return Table(name, MetaData(),
                 Column("fid", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
                 *[Column(c["column"], _TYPES[c["type"]]) for c in spec])


def _cell(kind: str, value):
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if kind == "float":
        return float(value)
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        return bool(value)
    return str(value)


def write_attribute_layer(connection, name: str, frame: pd.DataFrame, *, data_version: int, at: str,
                          gpkg: bool) -> int:
    """Replace layer ``name`` with ``frame`` (without a geometry column); returns the row count."""
    check_layer_name(name)
    plain = pd.DataFrame(frame).drop(columns=[c for c in ("geometry",) if c in frame])
    names = [str(c) for c in plain.columns]
    spec = [{"name": n, "column": c, "type": _kind(plain[n])}
            for n, c in zip(names, _column_names(names))]
    drop_attribute_layer(connection, name, gpkg=gpkg)
    table = _table(name, spec)
    table.create(connection)
    if len(plain):
        columns = [[_cell(s["type"], v) for v in plain[s["name"]].tolist()] for s in spec]
        rows = [dict(zip([s["column"] for s in spec], values)) for values in zip(*columns)]
        connection.execute(table.insert(), rows)
    connection.execute(attribute_layers.insert().values(
        name=name, columns=json.dumps(spec, ensure_ascii=False), updated_at=at, data_version=data_version))
    if gpkg:
        from geo.store import geopackage

        geopackage.register_layer(connection, name, None)
    return len(plain)


def drop_attribute_layer(connection, name: str, *, gpkg: bool) -> bool:
    """Remove a layer and its registry row; False when there was none."""
    known = connection.execute(select(attribute_layers.c.fid).where(attribute_layers.c.name == name)).first()
    connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
    connection.execute(attribute_layers.delete().where(attribute_layers.c.name == name))
    if gpkg:
        from geo.store import geopackage

        geopackage.unregister_layer(connection, name)
    return known is not None


def layer_names(connection) -> list[str]:
    return [r[0] for r in connection.execute(select(attribute_layers.c.name).order_by(attribute_layers.c.name))]


def read_attribute_layer(connection, name: str) -> pd.DataFrame | None:
    """The layer as written (columns, names and types), or None when there is none."""
    row = connection.execute(select(attribute_layers.c.columns).where(attribute_layers.c.name == name)).first()
    if row is None:
        return None
    spec = json.loads(row[0])
    table = _table(name, spec)
    result = connection.execute(select(*[table.c[s["column"]] for s in spec]).order_by(table.c.fid)).all()
    data = {}
    for i, s in enumerate(spec):
        values = [r[i] for r in result]
        if s["type"] == "float":
            data[s["name"]] = pd.array([np.nan if v is None else v for v in values], dtype=float)
        elif s["type"] == "integer" and all(v is not None for v in values):
            data[s["name"]] = pd.array(values, dtype="int64")
        else:
            data[s["name"]] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=[s["name"] for s in spec])
