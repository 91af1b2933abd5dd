"""Great-circle geometry for the search tree, and the choice of a metric CRS.

The tree holds each offer as a point on a sphere of the Earth's mean radius in
3-D Cartesian coordinates. The straight-line (chord) distance between two such
points is a strictly increasing function of their great-circle (haversine)
distance, so "the k nearest by chord" is exactly "the k nearest by haversine"
everywhere, with no projection distortion to allow for. A planar UTM projection
differs from haversine by up to ~0.3 % inside Germany, enough to swap near-ties
(measured: 1 in 100 nearest-10 answers differed; see docs/benchmarks.md).
"""

from __future__ import annotations

import math

import numpy as np

# IUGG mean Earth radius, the radius the usual haversine formula uses.
EARTH_RADIUS_M = 6_371_008.8


def to_xyz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Degrees (WGS84 lon, lat) -> (N, 3) Cartesian metres on the mean sphere."""
    lon_r = np.radians(np.asarray(lon, dtype=float))
    lat_r = np.radians(np.asarray(lat, dtype=float))
    cos_lat = np.cos(lat_r)
    return np.column_stack((
        EARTH_RADIUS_M * cos_lat * np.cos(lon_r),
        EARTH_RADIUS_M * cos_lat * np.sin(lon_r),
        EARTH_RADIUS_M * np.sin(lat_r),
    ))


def point_xyz(lon: float, lat: float) -> np.ndarray:
    """One point (degrees) -> (3,) Cartesian metres; :func:`to_xyz` for a single query centre."""
    lon_r, lat_r = math.radians(lon), math.radians(lat)
    cos_lat = math.cos(lat_r)
    return np.array((EARTH_RADIUS_M * cos_lat * math.cos(lon_r), EARTH_RADIUS_M * cos_lat * math.sin(lon_r),
                     EARTH_RADIUS_M * math.sin(lat_r)))


def chord_from_metres(metres: float) -> float:
    """Chord length of a great-circle distance (half the circumference or more -> the diameter)."""
    angle = min(float(metres) / EARTH_RADIUS_M, np.pi)
    return 2.0 * EARTH_RADIUS_M * np.sin(angle / 2.0)


def metres_from_chord(chord: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres for chord lengths (the inverse of :func:`chord_from_metres`)."""
    ratio = np.asarray(chord, dtype=float) / (2.0 * EARTH_RADIUS_M)
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(ratio, 1.0))  # chords are >= 0


def chord_distances(points: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Chord distances from ``centre`` (3,) to each of ``points`` (N, 3)."""
    diff = points - centre
    return np.sqrt(np.einsum("ij,ij->i", diff, diff))


def choose_metric_crs(bbox: tuple[float, float, float, float]) -> str:
    """A metric CRS for the area ``bbox`` = (lon_min, lat_min, lon_max, lat_max).

    The UTM zone of the box centre: ETRS89 / UTM (EPSG:258xx) in Europe, where
    German authorities publish data (EPSG:25832 west of 12° E, 25833 east of it),
    WGS84 / UTM (EPSG:326xx north, 327xx south) elsewhere.
    """
    lon_min, lat_min, lon_max, lat_max = bbox
    lon = (lon_min + lon_max) / 2.0
    lat = (lat_min + lat_max) / 2.0
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    if 28 <= zone <= 38 and 34.0 <= lat <= 72.0:
        return f"EPSG:{25800 + zone}"
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"
