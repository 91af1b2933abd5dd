"""GeoJSON input: a FeatureCollection of offers (our own export, or a town's GIS export).

Point geometries give lat/lon; other geometries are reduced to a point inside
them, with a warning (a MultiPoint of one point is that point). Coordinates in
another CRS, named by the legacy ``crs`` member GIS tools still write (Berlin's
facility lists: EPSG:25833), are reprojected to WGS84 with pyproj. Property names
follow the same header rules as CSV. List-valued properties (languages, target
groups) are joined so the validator sees them as it sees a spreadsheet cell.
"""

from __future__ import annotations

import json
from pathlib import Path

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.errors import ShapelyError
from shapely.geometry import shape

from geo.readers.tabular import RawTable, build_raw_table
from geo.schema import InputError, Problem


def read_geojson(path: str | Path) -> RawTable:
    """Read a GeoJSON FeatureCollection into a :class:`RawTable` (row = feature number)."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: GeoJSON must be UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise InputError(f"{path.name}: expected a GeoJSON FeatureCollection")
    transformer = _transformer(path.name, doc)
    problems: list[Problem] = []
    if transformer is not None:
        problems.append(Problem(path.name, None, "geometry", str(transformer.source_crs.to_string()),
                                "coordinates converted from this system to latitude/longitude (WGS84)",
                                severity="note"))
    records: list[dict[str, str]] = []
    headers: list[str] = []
    seen: set[str] = set()
    for number, feature in enumerate(doc["features"], start=1):
        if not isinstance(feature, dict):
            # Kept as a row without a name, so the report rejects it instead of it vanishing.
            problems.append(Problem(path.name, number, "geometry", str(feature)[:80],
                                    "not a GeoJSON Feature object", severity="warning"))
            feature = {}
        props = (feature or {}).get("properties") or {}
        props = dict(props) if isinstance(props, dict) else {}
        if feature and feature.get("id") is not None and "id" not in props:
            props["id"] = feature["id"]
        record = {k: _as_cell(k, v, props) for k, v in props.items() if k != "language_notes"}
        geometry = (feature or {}).get("geometry")
        if geometry:
            try:
                geom = shape(geometry)
            except (ValueError, TypeError, AttributeError, KeyError, ShapelyError) as exc:
                # Like an unreadable coordinate in a spreadsheet: the row is kept without a place.
                problems.append(Problem(path.name, number, "geometry", str(geometry.get("type", ""))[:40]
                                        if isinstance(geometry, dict) else "",
                                        f"unreadable geometry ({exc}); stored without coordinates",
                                        severity="warning"))
                geom = None
            if geom is not None and not geom.is_empty:
                if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
                    geom = geom.geoms[0]
                if geom.geom_type != "Point":
                    problems.append(Problem(path.name, number, "geometry", geom.geom_type,
                                            "not a Point; a point inside the shape is used", severity="warning"))
                    geom = geom.representative_point()
                x, y = (geom.x, geom.y) if transformer is None else transformer.transform(geom.x, geom.y)
                record["lon"], record["lat"] = repr(x), repr(y)
        for key in record:
            if key not in seen:
                seen.add(key)
                headers.append(key)
        records.append(record)
    if not records:
        raise InputError(f"{path.name}: the FeatureCollection has no features")
    if not headers:
        raise InputError(f"{path.name}: no feature has properties; every offer needs at least a name")
    rows = [[r.get(h, "") for h in headers] for r in records]
    # Every feature is meant as an offer: an empty one is rejected in the report, not skipped.
    return build_raw_table(path.name, headers, rows, problems, first_row_number=1, skip_blank=False)


def _transformer(name: str, doc: dict) -> Transformer | None:
    """From the legacy ``crs`` member's system to WGS84 lon/lat, or None when it is WGS84 already."""
    crs = doc.get("crs")
    if not crs:
        return None
    label = str(((crs or {}).get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    if not label or "CRS84" in label.upper():
        return None
    try:
        source = CRS.from_user_input(label)
    except CRSError:
        raise InputError(f"{name}: the crs member names {label!r}, which is not a coordinate system pyproj knows; "
                         "export the file as WGS84 (EPSG:4326)") from None
    if source.to_epsg() == 4326:
        return None
    return Transformer.from_crs(source, "EPSG:4326", always_xy=True)


def _as_cell(key: str, value, props: dict) -> str:
    if value is None:
        return ""
    if key == "languages" and isinstance(value, list):
        notes = props.get("language_notes") or {}
        return "; ".join(f"{code} ({notes[code]})" if notes.get(code) else str(code) for code in value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
