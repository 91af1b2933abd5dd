"""The offers frame's columns as the numpy arrays the index is built from."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely


def text_array(column: Any) -> np.ndarray:
    """A column as an object array of str ("" for missing), without a Python loop when it is text already."""
    values = np.asarray(column.to_numpy(dtype=object) if hasattr(column, "to_numpy") else list(column), dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values[missing] = ""
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = np.asarray([str(v) for v in values], dtype=object)
    return values


def coordinates(offers: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) arrays in WGS84 from the geometry column (NaN where there is no point).

    Falls back to the lat/lon columns for a plain DataFrame. A frame in another
    CRS is converted: distances would be meaningless otherwise.
    """
    n = len(offers)
    geometry = getattr(offers, "geometry", None) if "geometry" in getattr(offers, "columns", ()) else None
    if geometry is not None:
        crs = getattr(geometry, "crs", None)
        if crs is not None and crs.to_epsg() != 4326:
            geometry = geometry.to_crs("EPSG:4326")
        geoms = np.asarray(geometry.values if hasattr(geometry, "values") else geometry, dtype=object)
        is_point = shapely.get_type_id(geoms) == 0
        lon = np.where(is_point, shapely.get_x(geoms), np.nan).astype(float)
        lat = np.where(is_point, shapely.get_y(geoms), np.nan).astype(float)
        return lon, lat
    if n and "lon" in offers and "lat" in offers:
        return (np.asarray(offers["lon"], dtype=float), np.asarray(offers["lat"], dtype=float))
    return np.full(n, np.nan), np.full(n, np.nan)
