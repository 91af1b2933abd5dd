"""The area reachable on foot in 5, 10, 15 minutes from a point, as GeoJSON polygons.

Method: one Dijkstra search from the point's snap point, stopped at the largest
budget; for each budget the *reachable parts of the edges* (whole edges, and the first
metres into an edge from each end that is reached with budget left), plus the way from
the point to its snap point; these lines buffered by ``corridor_m`` (the houses along a
street are reached from it) and merged, in the network's metric CRS.

Why not a concave hull of the reached nodes: a hull spans gaps, so it would paint the
far bank of a river or the other side of a railway as reachable where the network says
it is not -- the very thing walking distances are for. The buffered lines show exactly
where one can walk; blocks enclosed by reachable streets are filled when smaller than
``fill_holes_m2`` (their buildings open onto those streets).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from pyproj import Transformer

from geo.network.route import Router
from geo.network.snap import EdgeSnapper

DEFAULT_MINUTES = (5, 10, 15)
#: Half-width of the walked corridor around reached lines.
DEFAULT_CORRIDOR_M = 50.0
#: Holes (blocks surrounded by reachable streets) below this area are filled.
DEFAULT_FILL_HOLES_M2 = 50_000.0
#: Polygon simplification tolerance, metres (well below the corridor width).
SIMPLIFY_M = 5.0


def isochrones(snapper: EdgeSnapper, router: Router, lat: float, lon: float, *,
               minutes: Sequence[float] = DEFAULT_MINUTES, speed_kmh: float = 4.5,
               corridor_m: float = DEFAULT_CORRIDOR_M, fill_holes_m2: float = DEFAULT_FILL_HOLES_M2) -> dict:
    """A GeoJSON FeatureCollection (EPSG:4326): one (Multi)Polygon per walking time.

    Features come in the order of ``minutes`` with properties ``minutes`` and
    ``walk_m`` (the walking budget in metres at ``speed_kmh``). Coordinates are rounded
    to 6 decimals (about 0.1 m).
    """
    budgets = _budgets(minutes, speed_kmh)
    source = snapper.snap([lon], [lat])
    if not source.ok[0]:
        raise ValueError("the network has no walkable edge to snap to")
    snap = float(source.snap_m[0])
    from_source = router.from_point(source, limit=max(max(budgets) - snap, 0.0))
    px, py = snapper.to_metric([lon], [lat])
    sx, sy = snapper.to_metric(source.lon, source.lat)
    to_lonlat = Transformer.from_crs(snapper.crs, "EPSG:4326", always_xy=True)
    geometries: dict[int, dict] = {}
    smaller = None
    for position in np.argsort(budgets, kind="stable").tolist():  # shortest first, so each contains the last
        budget = budgets[position]
        left = budget - snap  # metres left on the network after reaching the street
        lines = _reached_lines(snapper, from_source, source, left) if left > 0 else []
        lines.append(shapely.LineString([(px[0], py[0]), (sx[0], sy[0])]) if left > 0 else
                     shapely.LineString([(px[0], py[0]), (px[0] + (sx[0] - px[0]) * budget / snap,
                                                           py[0] + (sy[0] - py[0]) * budget / snap)]))
        # Buffer each line, then merge: GEOS buffers a MultiLineString of thousands of
        # overlapping lines in seconds, separate buffers merge in a tenth of that (measured).
        area = shapely.union_all(shapely.buffer(np.array(lines, dtype=object), corridor_m, quad_segs=4))
        area = _fill_holes(area, fill_holes_m2).simplify(SIMPLIFY_M)
        if smaller is not None:  # simplification must not let a shorter walk stick out of a longer one
            area = shapely.union(area, smaller)
        smaller = area
        geometry = shapely.transform(area, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1])))
        geometries[position] = shapely.geometry.mapping(shapely.set_precision(geometry, 1e-6))
    features = [{"type": "Feature", "properties": {"minutes": minute, "walk_m": round(budget, 1)},
                 "geometry": geometries[position]}
                for position, (minute, budget) in enumerate(zip(minutes, budgets))]
    return {"type": "FeatureCollection", "features": features}


def _budgets(minutes: Sequence[float], speed_kmh: float) -> list[float]:
    if not speed_kmh > 0:
        raise ValueError(f"speed_kmh must be a positive number of km/h, got {speed_kmh!r}")
    minutes = list(minutes)
    if not minutes or any(not (np.isfinite(m) and 0 < m <= 120) for m in minutes):
        raise ValueError(f"minutes must be walking times between 0 and 120, got {minutes!r}")
    return [float(m) * speed_kmh * 1000.0 / 60.0 for m in minutes]


def _reached_lines(snapper: EdgeSnapper, from_source: np.ndarray, source, left: float) -> list:
    """The parts of the largest component's edges reachable with ``left`` metres, in metric coordinates."""
    network = snapper.network
    edges = snapper.edges
    length = network.edge_length_m[edges]
    from_u = np.clip(left - from_source[network.edge_u[edges]], 0.0, None)  # metres into the edge from u
    from_v = np.clip(left - from_source[network.edge_v[edges]], 0.0, None)
    whole = from_u + from_v >= length
    lines = list(snapper.edge_lines[np.flatnonzero(whole & (length > 0))])
    partial = np.flatnonzero(~whole & ((from_u > 0) | (from_v > 0)))
    for i in partial.tolist():
        e = int(edges[i])
        if from_u[i] > 0:
            lines.append(_edge_part(snapper, e, 0.0, float(from_u[i])))
        if from_v[i] > 0:
            lines.append(_edge_part(snapper, e, float(length[i] - from_v[i]), float(length[i])))
    # The snap point's own edge, walked from the snap point in both directions.
    e = int(source.edge[0])
    at = float(source.to_u_m[0])
    lines.append(_edge_part(snapper, e, max(at - left, 0.0), min(at + left, float(network.edge_length_m[e]))))
    return [line for line in lines if line is not None]


def _edge_part(snapper: EdgeSnapper, edge: int, start_m: float, end_m: float):
    """The piece of an edge between ``start_m`` and ``end_m`` metres from its first node, metric coordinates."""
    network = snapper.network
    lo, hi = int(network.geom_ptr[edge]), int(network.geom_ptr[edge + 1])
    along = network.geom_cumulative_m[lo:hi]
    x, y = snapper.coord_x[lo:hi], snapper.coord_y[lo:hi]
    if end_m <= start_m:
        return None
    inner = (along > start_m) & (along < end_m)
    ends = np.interp([start_m, end_m], along, np.arange(hi - lo))  # fractional vertex positions
    points = [_at(x, y, ends[0]), *zip(x[inner], y[inner]), _at(x, y, ends[1])]
    return shapely.LineString(points)


def _at(x: np.ndarray, y: np.ndarray, position: float) -> tuple[float, float]:
    i = min(int(np.floor(position)), len(x) - 2)
    t = position - i
    return (x[i] + (x[i + 1] - x[i]) * t, y[i] + (y[i + 1] - y[i]) * t)


def _fill_holes(area, max_hole_m2: float):
    """``area`` without interior rings smaller than ``max_hole_m2``."""
    parts = shapely.get_parts(area)
    filled = []
    for polygon in parts:
        holes = [ring for ring in polygon.interiors if shapely.Polygon(ring).area >= max_hole_m2]
        filled.append(shapely.Polygon(polygon.exterior, holes))
    return shapely.union_all(filled) if len(filled) > 1 else (filled[0] if filled else area)

