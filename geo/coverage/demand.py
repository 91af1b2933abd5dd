"""Where residents live: demand points, and demand per language from origin groups.

A demand point is a place in the metric CRS holding a *share* of its district's
residents; the shares of one district sum to 1. Any population column (total,
foreign residents, an origin group, an age band) is spread over the points by
these shares, so one set of points serves every group.

Two sources of points:

- a population grid (Zensus 100 m / 1 km cells): each cell centre inside a
  district is a point, its share = the cell's residents / the district's grid
  residents. The grid says *where* people live inside a district; the population
  table still says *how many* (grid sums are lower where cells are suppressed).
- without a grid (or for a district the grid misses) residents are spread
  evenly over the district's area: a square lattice of ``spacing_m`` cells
  anchored at multiples of the spacing in the metric CRS; each lattice cell
  clipped to the district is a point at the clipped piece's centroid, its share
  = the piece's area / the district's area. A district smaller than one cell is
  one point at a point inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.text import fold

# The even spread never makes more points than this; the spacing grows for large areas.
MAX_SPREAD_POINTS = 500_000
GRID_CRS = "EPSG:3035"


@dataclass
class DemandPoints:
    """Demand points of a set of districts (see the module docstring).

    ``district`` holds positions into ``district_ids``; ``grid_residents`` is the
    grid's own head count per point (NaN for points of the even spread).
    """

    x: np.ndarray
    y: np.ndarray
    district: np.ndarray
    share: np.ndarray
    district_ids: np.ndarray
    method: str
    grid_residents: np.ndarray

    def __len__(self) -> int:
        return len(self.x)

    @cached_property
    def xy(self) -> np.ndarray:
        return np.column_stack([self.x, self.y])

    def spread(self, per_district: np.ndarray) -> np.ndarray:
        """Residents per point for one value per district (aligned with ``district_ids``)."""
        values = np.nan_to_num(np.asarray(per_district, dtype=float), nan=0.0)
        return self.share * values[self.district]


def even_spread(districts: gpd.GeoDataFrame, spacing_m: float = 100.0,
                max_points: int = MAX_SPREAD_POINTS) -> DemandPoints:
    """Demand points that spread each district's residents evenly over its area.

    ``districts`` must be in a metric CRS (metres) with a ``district_id`` column.
    """
    _require_metric(districts)
    geoms = districts.geometry.values
    areas = shapely.area(geoms)
    total = float(np.nansum(areas))
    if spacing_m <= 0:
        raise ValueError(f"spacing_m must be a positive number of metres, got {spacing_m!r}")
    # Keep the point count bounded: a region of 1,000 km² at 100 m would already be 100,000 points.
    spacing = max(float(spacing_m), float(np.sqrt(total / max_points)) if total > 0 else 0.0)
    xs, ys, codes, shares = [], [], [], []
    for code, (geom, area) in enumerate(zip(geoms, areas)):
        if geom is None or geom.is_empty or not area > 0:
            continue
        x, y, s = _lattice(geom, float(area), spacing)
        xs.append(x)
        ys.append(y)
        shares.append(s)
        codes.append(np.full(len(x), code, dtype=np.int64))
    return _points(xs, ys, codes, shares, districts, "even_spread")


def grid_points(districts: gpd.GeoDataFrame, grid: pd.DataFrame, spacing_m: float = 100.0) -> DemandPoints:
    """Demand points from a population grid, with the even spread for districts it misses.

    ``grid`` has columns x, y (cell centres in EPSG:3035) and population; cells
    outside every district are left out.
    """
    _require_metric(districts)
    for column in ("x", "y", "population"):
        if column not in grid:
            raise ValueError(f"population grid has no column {column!r}; it needs x, y (EPSG:3035) and population")
    grid = grid[np.isfinite(grid["population"].to_numpy(float)) & (grid["population"].to_numpy(float) > 0)]
    cells = gpd.GeoSeries(gpd.points_from_xy(grid["x"], grid["y"]), crs=GRID_CRS).to_crs(districts.crs)
    code = locate(cells, districts)
    inside = code >= 0
    cx = cells.x.to_numpy()[inside]
    cy = cells.y.to_numpy()[inside]
    code = code[inside]
    residents = grid["population"].to_numpy(float)[inside]
    per_district = np.bincount(code, residents, minlength=len(districts))
    share = residents / per_district[code]
    xs, ys, codes, shares, counts = [cx], [cy], [code], [share], [residents]
    missing = np.flatnonzero(per_district <= 0)
    if len(missing):
        fallback = even_spread(districts.iloc[missing], spacing_m)
        xs.append(fallback.x)
        ys.append(fallback.y)
        codes.append(missing[fallback.district])
        shares.append(fallback.share)
        counts.append(np.full(len(fallback), np.nan))
    points = _points(xs, ys, codes, shares, districts, "grid")
    points.grid_residents = np.concatenate(counts)
    return points


def locate(points: gpd.GeoSeries, districts: gpd.GeoDataFrame) -> np.ndarray:
    """Position of the district each point lies in, -1 outside all.

    A point on a shared border goes to the first district touching it, the same
    rule as geo.districts.assign_districts.
    """
    if len(points) == 0 or districts.empty:
        return np.full(len(points), -1, dtype=np.int64)
    if points.crs != districts.crs:
        raise ValueError(f"points ({points.crs}) and districts ({districts.crs}) are in different CRS")
    tree = shapely.STRtree(districts.geometry.values)
    pt, poly = tree.query(points.values, predicate="intersects")
    code = np.full(len(points), -1, dtype=np.int64)
    order = np.lexsort((poly, pt))
    pt, poly = pt[order], poly[order]
    first = np.r_[True, pt[1:] != pt[:-1]]
    code[pt[first]] = poly[first]
    return code


def _lattice(geom, area: float, spacing: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xmin, ymin, xmax, ymax = geom.bounds
    ix = np.arange(np.floor(xmin / spacing), np.ceil(xmax / spacing))
    iy = np.arange(np.floor(ymin / spacing), np.ceil(ymax / spacing))
    gx, gy = np.meshgrid(ix * spacing, iy * spacing)
    gx, gy = gx.ravel(), gy.ravel()
    if len(gx) == 0:
        p = geom.representative_point()
        return np.array([p.x]), np.array([p.y]), np.array([1.0])
    boxes = shapely.box(gx, gy, gx + spacing, gy + spacing)
    shapely.prepare(geom)
    inside = shapely.contains_properly(geom, boxes)
    edge = ~inside & shapely.intersects(geom, boxes)
    x = gx[inside] + spacing / 2
    y = gy[inside] + spacing / 2
    w = np.full(len(x), spacing * spacing)
    pieces = shapely.intersection(boxes[edge], geom)
    piece_area = shapely.area(pieces)
    keep = piece_area > 0
    centroids = shapely.centroid(pieces[keep])
    x = np.concatenate([x, shapely.get_x(centroids)])
    y = np.concatenate([y, shapely.get_y(centroids)])
    w = np.concatenate([w, piece_area[keep]])
    if len(x) == 0 or w.sum() <= 0:
        p = geom.representative_point()
        return np.array([p.x]), np.array([p.y]), np.array([1.0])
    # The pieces tile the polygon, so w.sum() equals its area up to rounding; dividing by
    # the sum keeps shares summing to exactly 1.
    return x, y, w / w.sum()


def _points(xs, ys, codes, shares, districts, method) -> DemandPoints:
    def cat(parts, dtype):
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype)

    x = cat(xs, float)
    return DemandPoints(x=x, y=cat(ys, float), district=cat(codes, np.int64), share=cat(shares, float),
                        district_ids=districts["district_id"].astype(str).to_numpy(), method=method,
                        grid_residents=np.full(len(x), np.nan))


def _require_metric(districts: gpd.GeoDataFrame) -> None:
    if districts.crs is None or not districts.crs.is_projected:
        raise ValueError(f"districts must be in a metric (projected) CRS, got {districts.crs}")


# -- demand per language ---------------------------------------------------------------------

def origin_columns(columns, origin_languages: dict[str, list[str]]) -> dict[str, str]:
    """Population columns of the configured origin groups: {origin key: column}.

    A key matches a column of the same name, compared without case, accents or
    spacing ("Türkei" matches "TÜRKEI" and "Turkei"). Keys without a column are
    left out.
    """
    by_fold = {fold(str(c)): str(c) for c in columns}
    found = {}
    for key in origin_languages:
        column = str(key) if str(key) in set(map(str, columns)) else by_fold.get(fold(str(key)))
        if column is not None:
            found[str(key)] = column
    return found


def language_groups(columns, origin_languages: dict[str, list[str]]) -> dict[str, list[str]]:
    """{language code: population columns of the origin groups that may need it}."""
    found = origin_columns(columns, origin_languages)
    groups: dict[str, list[str]] = {}
    for key, column in found.items():
        for code in origin_languages[key]:
            groups.setdefault(str(code), [])
            if column not in groups[str(code)]:
                groups[str(code)].append(column)
    return groups


def language_demand(population: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Residents per district who may need a language: the sum of its origin-group columns.

    Everyone in such a group counts (an upper estimate): not everyone needs an
    offer in their first language, and a person of a group that maps to two
    languages counts for both.
    """
    values = population[columns].apply(pd.to_numeric, errors="coerce")
    return values.sum(axis=1, min_count=1)
