"""Offer records and frames <-> table rows.

In memory an offer is a record (dict) or a frame row with the fields of
:data:`geo.schema.OFFER_COLUMNS`: text fields are "" when empty (never None),
``languages``/``target_groups`` lists, ``language_notes`` a dict, lat/lon/ages
floats. In the table lists and dicts are JSON text and missing numbers NULL.
Records handed out by the store (``offer()``, history) use None for a missing
number, so they serialise to JSON as they are.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.schema import LIST_COLUMNS, OFFER_COLUMNS, TEXT_COLUMNS
from geo.store.tables import FLOAT_FIELDS, JSON_FIELDS

# Fields that decide whether a re-imported offer "changed": how it was located is
# bookkeeping (a cache hit instead of a fresh lookup is not a change of the offer).
COMPARED_FIELDS = tuple(c for c in OFFER_COLUMNS
                        if c not in ("geocode_status", "geocode_provider", "geocode_precision"))


def empty_offers() -> gpd.GeoDataFrame:
    """An offers frame with every column and no rows."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in OFFER_COLUMNS})
    for c in FLOAT_FIELDS:
        frame[c] = frame[c].astype(float)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=4326), crs=4326)


def empty_districts() -> gpd.GeoDataFrame:
    """A districts frame (district_id, name, geometry) with no rows."""
    return gpd.GeoDataFrame({"district_id": pd.Series(dtype=object), "name": pd.Series(dtype=object)},
                            geometry=gpd.GeoSeries([], crs=4326), crs=4326)


# -- single values -------------------------------------------------------------------------------

def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def field_value(name: str, value: Any) -> Any:
    """One field normalised to its record form (what history and comparisons see)."""
    if name in FLOAT_FIELDS:
        if _is_missing(value) or value == "":
            return None
        return float(value)
    if name in LIST_COLUMNS:
        if isinstance(value, str):
            value = json.loads(value) if value.startswith("[") else [v for v in value.split(",") if v]
        return [str(v) for v in value] if isinstance(value, (list, tuple, np.ndarray)) else []
    if name == "language_notes":
        if isinstance(value, str):
            value = json.loads(value) if value else {}
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
    return "" if _is_missing(value) else str(value)


def normalise_record(record: dict) -> dict:
    """Every offer field of ``record`` in record form; fields it lacks are empty."""
    return {name: field_value(name, record.get(name)) for name in OFFER_COLUMNS}


def same_value(name: str, a: Any, b: Any) -> bool:
    """Field equality as an editor sees it: coordinates to 7 decimals (about 1 cm)."""
    a, b = field_value(name, a), field_value(name, b)
    if name in FLOAT_FIELDS and a is not None and b is not None:
        return round(a, 7) == round(b, 7)
    return a == b


def record_to_columns(record: dict) -> dict:
    """A normalised record as table column values (JSON text, None for missing numbers)."""
    out = {}
    for name in OFFER_COLUMNS:
        value = record[name]
        out[name] = json.dumps(value, ensure_ascii=False) if name in JSON_FIELDS else value
    return out


def row_to_record(row: Any) -> dict:
    """A table row (mapping with the offer columns) as a record."""
    return {name: field_value(name, row[name]) for name in OFFER_COLUMNS}


def baseline_of(current: dict, stored_text: str | None) -> dict:
    """The full import baseline of an offer: its current fields, overlaid with the stored
    differences (``import_baseline`` holds only the fields where the file's last values differ
    from the stored ones; NULL when none do, which is the usual case)."""
    if not stored_text:
        return current
    return {**current, **json.loads(stored_text)}


def baseline_text(baseline: dict, stored: dict) -> str | None:
    """What ``import_baseline`` keeps for ``stored`` fields: the fields where ``baseline`` differs."""
    differences = {name: baseline[name] for name in OFFER_COLUMNS if not same_value(name, baseline[name], stored[name])}
    return json.dumps(differences, ensure_ascii=False) if differences else None


def non_empty(record: dict) -> dict:
    """The fields of a record that hold something (a created offer's history row keeps these)."""
    return {k: v for k, v in record.items() if v not in ("", None, [], {})}


def point_of(record: dict) -> shapely.Point | None:
    """The offer's place: a point where lat and lon are both known."""
    lat, lon = record.get("lat"), record.get("lon")
    if _is_missing(lat) or _is_missing(lon):
        return None
    return shapely.Point(float(lon), float(lat))


def points_of(records: list[dict]) -> np.ndarray:
    """The places of many records at once (None where lat or lon is missing)."""
    lat = np.array([np.nan if r.get("lat") is None else r["lat"] for r in records], dtype=float)
    lon = np.array([np.nan if r.get("lon") is None else r["lon"] for r in records], dtype=float)
    out = np.full(len(records), None, dtype=object)
    ok = ~(np.isnan(lat) | np.isnan(lon))
    if ok.any():
        out[ok] = shapely.points(lon[ok], lat[ok])
    return out


def records_to_columns(records: list[dict]) -> list[dict]:
    """:func:`record_to_columns` for many records, the JSON fields encoded once per distinct value."""
    encoded = {name: json_texts([r[name] for r in records]) for name in JSON_FIELDS}
    rows = []
    for i, record in enumerate(records):
        row = dict(record)
        for name in JSON_FIELDS:
            row[name] = encoded[name][i]
        rows.append(row)
    return rows


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


# -- whole frames (column-wise: 100,000 offers are encoded in well under a second) --------------

def frame_to_records(frame: pd.DataFrame) -> list[dict]:
    """Offer frame rows as normalised records (fields missing from the frame are empty)."""
    columns: dict[str, list] = {}
    n = len(frame)
    for name in OFFER_COLUMNS:
        values = frame[name].tolist() if name in frame else [None] * n
        if name in FLOAT_FIELDS:
            numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)
            columns[name] = [None if math.isnan(v) else float(v) for v in numbers]
        elif name in TEXT_COLUMNS:
            columns[name] = ["" if _is_missing(v) else str(v) for v in values]
        else:
            columns[name] = [field_value(name, v) for v in values]
    return [dict(zip(OFFER_COLUMNS, row)) for row in zip(*(columns[c] for c in OFFER_COLUMNS))]


def json_texts(values: Iterable) -> list[str]:
    """json.dumps of each list/dict; the few hundred distinct language combinations of a
    large import are encoded once each."""
    memo: dict = {}
    out = []
    for v in values:
        key = tuple(v.items()) if isinstance(v, dict) else tuple(v)
        text = memo.get(key)
        if text is None:
            text = memo[key] = json.dumps(v, ensure_ascii=False)
        out.append(text)
    return out


def json_values(texts: Iterable, kind: type) -> list:
    """The inverse of :func:`json_texts`; every row gets its own list/dict (callers may change them)."""
    memo: dict = {}
    values = []
    for text in texts:
        if not isinstance(text, str) or not text:
            values.append(kind())
            continue
        decoded = memo.get(text)
        if decoded is None:
            decoded = memo[text] = json.loads(text)
        values.append(kind(decoded) if isinstance(decoded, kind) else kind())
    return values


def encode_offers(offers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Offers as GIS files keep them: lists and language notes as JSON text (GeoPackage has no arrays)."""
    out = offers[[*OFFER_COLUMNS, offers.geometry.name]].copy()
    for col in JSON_FIELDS:
        out[col] = json_texts([v if isinstance(v, (list, dict)) else ([] if col in LIST_COLUMNS else {})
                               for v in out[col].tolist()])
    return out


def columns_to_frame(columns: dict[str, list], geometry: list) -> gpd.GeoDataFrame:
    """Table columns (as fetched) to an offers frame with exactly OFFER_COLUMNS + geometry."""
    data = {}
    for name in OFFER_COLUMNS:
        values = columns[name]
        if name in FLOAT_FIELDS:
            data[name] = pd.array([np.nan if v is None else v for v in values], dtype=float)
        elif name in LIST_COLUMNS:
            data[name] = json_values(values, list)
        elif name == "language_notes":
            data[name] = json_values(values, dict)
        else:
            data[name] = np.array(values, dtype=object)  # NOT NULL text columns: "" when empty
    frame = pd.DataFrame(data, columns=list(OFFER_COLUMNS))
    for name in FLOAT_FIELDS:
        frame[name] = frame[name].astype(float)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=4326), crs=4326)
