"""Grid clusters of points in Web-Mercator screen space: what a map shows when a viewport holds many offers.

Pure numpy, no web parts: webmap/api/clusters.py asks it with the matching
offers of one viewport. Cells are squares of ``cell_px`` screen pixels at a
zoom level, so clusters look the same size at every zoom.
"""

from __future__ import annotations

import math

import numpy as np

#: Grid cell size for server-side clusters, in screen pixels.
CELL_PX = 60
_MAX_LAT = 85.05112878  # Web Mercator's edge


def mercator_x(lon: np.ndarray) -> np.ndarray:
    """Web-Mercator x in [0, 1] of longitudes."""
    return (lon + 180.0) / 360.0


def mercator_y(lat: np.ndarray) -> np.ndarray:
    """Web-Mercator y in [0, 1] of latitudes (0 at the north edge), clipped to the projection's edge."""
    lat_r = np.radians(np.clip(lat, -_MAX_LAT, _MAX_LAT))
    return (1.0 - np.log(np.tan(lat_r) + 1.0 / np.cos(lat_r)) / math.pi) / 2.0


def cells_across(bbox: tuple[float, float, float, float], zoom: int, cell_px: int = CELL_PX) -> int:
    """How many grid cells of ``cell_px`` pixels cover ``bbox`` (lon_min, lat_min, lon_max, lat_max) at ``zoom``.

    The work and the size of a clusters answer grow with this number, not with the offers.
    """
    lon_min, lat_min, lon_max, lat_max = bbox
    cells = 256.0 * (2 ** zoom) / cell_px
    width = math.floor(mercator_x(lon_max) * cells) - math.floor(mercator_x(lon_min) * cells) + 1
    height = (math.floor(float(mercator_y(np.array(lat_min))) * cells)
              - math.floor(float(mercator_y(np.array(lat_max))) * cells) + 1)
    return int(width) * int(height)


def _lon_of(x: np.ndarray) -> np.ndarray:
    return x * 360.0 - 180.0


def _lat_of(y: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan(np.sinh(math.pi * (1.0 - 2.0 * y))))


def grid_clusters(lon: np.ndarray, lat: np.ndarray, zoom: int, cell_px: int = CELL_PX,
                  mx: np.ndarray | None = None, my: np.ndarray | None = None) -> list[dict]:
    """Group points into square cells of ``cell_px`` Web-Mercator pixels at ``zoom``.

    Returns one dict per non-empty cell: ``lon``, ``lat`` (mean of its points, so
    a cluster sits where its offers are), ``count`` and ``bbox`` (the cell's
    lon_min, lat_min, lon_max, lat_max: where a click zooms to). Largest first.
    Linear in the number of points (counting, no sorting). ``mx``/``my`` are
    the points' Web-Mercator coordinates in [0, 1] when already known.
    """
    if not len(lon):
        return []
    cells = 256.0 * (2 ** zoom) / cell_px
    x = np.floor((mercator_x(lon) if mx is None else mx) * cells).astype(np.int64)
    y = np.floor((mercator_y(lat) if my is None else my) * cells).astype(np.int64)
    x0, y0 = int(x.min()), int(y.min())
    width, height = int(x.max()) - x0 + 1, int(y.max()) - y0 + 1
    if width * height > 4_000_000:  # a box far wider than any screen: fall back to sparse cell keys
        keys, inverse = np.unique((x - x0) * height + (y - y0), return_inverse=True)
    else:
        keys, inverse = None, (x - x0) * height + (y - y0)
    size = len(keys) if keys is not None else width * height
    counts = np.bincount(inverse, minlength=size)
    sum_lon = np.bincount(inverse, weights=lon, minlength=size)
    sum_lat = np.bincount(inverse, weights=lat, minlength=size)
    used = np.flatnonzero(counts)
    cell = keys[used] if keys is not None else used
    cx, cy = cell // height + x0, cell % height + y0
    west, east = _lon_of(cx / cells), _lon_of((cx + 1) / cells)
    north, south = _lat_of(cy / cells), _lat_of((cy + 1) / cells)
    order = used[np.argsort(-counts[used], kind="stable")]
    position = {int(c): i for i, c in enumerate(used)}
    result = []
    for c in order:
        i = position[int(c)]
        n = int(counts[c])
        result.append({"lon": float(sum_lon[c] / n), "lat": float(sum_lat[c] / n), "count": n,
                       "bbox": [round(float(west[i]), 6), round(float(south[i]), 6),
                                round(float(east[i]), 6), round(float(north[i]), 6)]})
    return result
