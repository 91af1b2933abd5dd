"""Coordinates as lists give them: decimal degrees with commas, both in one cell, or x/y in a metric CRS.

- Breitengrad/Längengrad in decimal degrees, with German decimal commas ("49,4447").
- Both in one cell, in a "Koordinaten" column or pasted into the latitude column:
  "49,4;7,8", "49.4447, 7.7689", "49.4447 7.7689", "49,4447, 7,7689". Read when the
  reading is unambiguous, else reported; never passed on silently.
- Rechtswert/Hochwert or x/y in a stated CRS (``[import] crs``, e.g. "EPSG:25832") or,
  when none is stated, in the one common German CRS (UTM 32N/33N, Gauß-Krüger zones 2-5,
  with or without a zone prefix) that puts the points inside the area: reprojected to
  WGS84 with pyproj, and the CRS used is reported.

Coordinates outside the area's bbox are dropped with a warning (the address is used
instead); swapped latitude/longitude are swapped back.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo.collect import Collector
from geo.field_rules import numbers
from geo.settings import Settings

# Candidates for x/y columns without a stated CRS, most common in German town data first.
_CANDIDATE_CRS = ("EPSG:25832", "EPSG:25833", "EPSG:31467", "EPSG:31468", "EPSG:31466", "EPSG:31469", "EPSG:3857")
_NUMBER = r"-?\d{1,3}(?:[.,]\d+)?"


def parse_pair(text: str) -> tuple[float, float] | None:
    """Two decimal numbers from one cell, in the order written, or None when that is not clear.

    "49,4;7,8" and "49.4447, 7.7689" and "49.4447 7.7689" are pairs; "49,4447, 7,7689"
    too (a comma and a space separate it); "49,4,7,8" is not (which comma separates?).
    """
    t = " ".join(str(text).replace("\u2212", "-").split())
    for sep in (r"\s*;\s*", r"\s*/\s*", r"\s*\|\s*", r",\s+", r"\s+"):
        parts = re.split(sep, t)
        if len(parts) == 2 and all(re.fullmatch(_NUMBER, p) for p in parts):
            return float(parts[0].replace(",", ".")), float(parts[1].replace(",", "."))
    parts = t.split(",")
    if len(parts) == 2 and all(re.fullmatch(r"-?\d{1,3}\.\d+", p.strip()) for p in parts):
        return float(parts[0]), float(parts[1])
    return None


def _order(a: float, b: float, settings: Settings) -> tuple[float, float]:
    """(lat, lon) for a pair in either order: the one that lies in the area wins, else as written."""
    lon_min, lat_min, lon_max, lat_max = settings.bbox
    if not (lat_min <= a <= lat_max and lon_min <= b <= lon_max) and (lat_min <= b <= lat_max and lon_min <= a <= lon_max):
        return b, a
    return a, b


def read_coordinates(frame_text, settings: Settings, col: Collector, location_type: pd.Series,
                     crs: str = "") -> tuple[np.ndarray, np.ndarray]:
    """lat and lon arrays (NaN where unknown) from the lat/lon, coordinates or x/y columns.

    ``frame_text(name)`` gives a column's text (a Series of "" when absent).
    """
    lat_text, lon_text = frame_text("lat"), frame_text("lon")
    # copies: pandas hands out read-only views, and cells are filled in below
    lat, lon = np.array(numbers(lat_text), dtype=float), np.array(numbers(lon_text), dtype=float)
    has_lat, has_lon = lat_text.str.len().values > 0, lon_text.str.len().values > 0
    # a pair pasted into one of the two columns
    for pos in np.flatnonzero((has_lat & np.isnan(lat)) | (has_lon & np.isnan(lon))):
        column, cell = ("lat", lat_text.iat[pos]) if has_lat[pos] and np.isnan(lat[pos]) else ("lon", lon_text.iat[pos])
        pair = parse_pair(cell)
        other_empty = not (lon_text.iat[pos] if column == "lat" else lat_text.iat[pos])
        if pair and other_empty:
            lat[pos], lon[pos] = _order(*pair, settings)
            col.add(pos, column, cell, f"both coordinates in one cell; read as latitude {lat[pos]}, "
                    f"longitude {lon[pos]}", "give latitude and longitude their own columns", severity="warning")
            has_lat[pos] = has_lon[pos] = True
        else:
            col.add(pos, column, cell, "not a number; coordinates ignored, the address is used instead",
                    "write decimal degrees such as 49.4447 or 49,4447", severity="warning")
    pairs = frame_text("coordinates")
    for pos in np.flatnonzero(pairs.str.len().values > 0):
        if has_lat[pos] or has_lon[pos]:
            continue
        pair = parse_pair(pairs.iat[pos])
        if pair is None:
            col.add(pos, "coordinates", pairs.iat[pos], "not two numbers (latitude, longitude); coordinates ignored, "
                    "the address is used instead", "write them as '49.4447, 7.7689' or '49,4447; 7,7689'",
                    severity="warning")
            continue
        lat[pos], lon[pos] = _order(*pair, settings)
        has_lat[pos] = has_lon[pos] = True
    _metric_columns(frame_text, settings, col, lat, lon, has_lat, has_lon, crs)
    for pos in np.flatnonzero(has_lat ^ has_lon):
        col.add(pos, "lat" if has_lat[pos] else "lon", lat_text.iat[pos] or lon_text.iat[pos],
                "only one of latitude and longitude given; coordinates ignored", severity="warning")
    both = ~np.isnan(lat) & ~np.isnan(lon)
    lat = np.where(both, lat, np.nan)
    lon = np.where(both, lon, np.nan)
    _check_area(lat, lon, both, settings, col)
    virtual = (location_type == "virtual").values
    lat[virtual] = np.nan
    lon[virtual] = np.nan
    return lat, lon


def _metric_columns(frame_text, settings: Settings, col: Collector, lat, lon, has_lat, has_lon, crs: str) -> None:
    x_text, y_text = frame_text("x"), frame_text("y")
    if not (x_text.str.len() > 0).any():
        return
    x, y = np.array(numbers(x_text), dtype=float), np.array(numbers(y_text), dtype=float)
    todo = ~np.isnan(x) & ~np.isnan(y) & ~(has_lat & has_lon)
    for pos in np.flatnonzero((x_text.str.len().values > 0) & (np.isnan(x) | np.isnan(y))):
        col.add(pos, "x", f"{x_text.iat[pos]}, {y_text.iat[pos]}", "x/y are not two numbers; ignored",
                severity="warning")
    if not todo.any():
        return
    chosen, how = _choose_crs(x[todo], y[todo], settings, crs)
    if chosen is None:
        for pos in np.flatnonzero(todo):
            col.add(pos, "x", f"{x_text.iat[pos]}, {y_text.iat[pos]}",
                    "x/y in an unknown coordinate system (none of UTM 32N/33N, Gauß-Krüger, Web Mercator puts them "
                    "in the area); ignored", "state it in [import] crs, e.g. \"EPSG:25832\"", severity="warning")
        return
    xs, ys = x[todo], y[todo]
    if how.startswith("zone prefix"):
        xs = xs % 1_000_000
    lons, lats = Transformer.from_crs(chosen, "EPSG:4326", always_xy=True).transform(xs, ys)
    lat[todo], lon[todo] = lats, lons
    has_lat[todo] = has_lon[todo] = True
    first = int(np.flatnonzero(todo)[0])
    col.add(first, "x", f"{x_text.iat[first]}, {y_text.iat[first]}",
            f"x/y read as {chosen} ({how}) and converted to latitude/longitude for {int(todo.sum())} rows",
            severity="note")


def _choose_crs(x: np.ndarray, y: np.ndarray, settings: Settings, stated: str) -> tuple[str | None, str]:
    lon_min, lat_min, lon_max, lat_max = settings.bbox
    if stated:
        try:
            return CRS.from_user_input(stated).to_string(), "as stated in the config"
        except CRSError:
            return None, ""
    if np.nanmedian(np.abs(x)) <= 180 and np.nanmedian(np.abs(y)) <= 90:
        return "EPSG:4326", "they are degrees"
    # UTM written with its zone in front: 32412345 -> zone 32, easting 412345
    if np.all((x >= 31_000_000) & (x < 34_000_000)):
        zone = int(np.median(x) // 1_000_000)
        return f"EPSG:258{zone}", f"zone prefix {zone} in the x values"
    for candidate in _CANDIDATE_CRS:
        lons, lats = Transformer.from_crs(candidate, "EPSG:4326", always_xy=True).transform(x, y)
        inside = (lats >= lat_min) & (lats <= lat_max) & (lons >= lon_min) & (lons <= lon_max)
        if inside.mean() >= 0.9:
            return candidate, "the one common German system that puts them in the area"
    return None, ""


def _check_area(lat, lon, both, settings: Settings, col: Collector) -> None:
    lon_min, lat_min, lon_max, lat_max = settings.bbox
    area = settings.area.name
    with np.errstate(invalid="ignore"):
        inside = (lat >= lat_min) & (lat <= lat_max) & (lon >= lon_min) & (lon <= lon_max)
        swapped_inside = (lon >= lat_min) & (lon <= lat_max) & (lat >= lon_min) & (lat <= lon_max)
    for pos in np.flatnonzero(both & ~inside & swapped_inside):
        col.add(pos, "lat", f"{lat[pos]}, {lon[pos]}",
                "latitude and longitude are swapped (the point would lie far outside the area); swapped back",
                "Breitengrad (latitude) is about 47–55 in Germany, Längengrad (longitude) about 6–15", severity="warning")
        lat[pos], lon[pos] = lon[pos], lat[pos]
    for pos in np.flatnonzero(both & ~inside & ~swapped_inside):
        col.add(pos, "lat", f"{lat[pos]}, {lon[pos]}",
                f"coordinates lie outside the area of {area} {list(settings.bbox)}; ignored, the address is used instead",
                "check the coordinates or [area] bbox in the config", severity="warning")
        lat[pos] = lon[pos] = np.nan
