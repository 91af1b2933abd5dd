"""Snap points onto the nearest walkable edge of the network's largest connected component.

A point is put on the street in front of it, not on the nearest intersection: the
nearest edge is found with a shapely STRtree over the edges in the network's metric
CRS (EPSG:25832 in most of Germany; :func:`geo.index.sphere.choose_metric_crs`), the
foot of the perpendicular on it is the *snap point*. Every length after that is in
great-circle metres (see :mod:`geo.network.measure`): the snapping distance from the
point to the snap point, and the split of the edge at the snap point into the part
towards its first node (``to_u_m``) and towards its last node (``to_v_m``).

Only the largest connected component takes part: a point next to a footway on a
fenced island would otherwise get no walk to anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from pyproj import Transformer

from geo.network.graph import WalkNetwork
from geo.network.measure import haversine_m


@dataclass(frozen=True)
class Snapped:
    """Where points sit on the network; arrays of one entry per point.

    ``edge`` is -1 for a point that was not snapped (NaN coordinates); its lengths are
    NaN. ``seg`` is the position, in the network's geometry arrays, of the vertex that
    starts the segment holding the snap point; ``before_m`` / ``after_m`` are the metres
    from that vertex to the snap point and from the snap point to the next vertex.
    """

    edge: np.ndarray
    seg: np.ndarray
    before_m: np.ndarray
    after_m: np.ndarray
    to_u_m: np.ndarray
    to_v_m: np.ndarray
    snap_m: np.ndarray
    lon: np.ndarray
    lat: np.ndarray

    def __len__(self) -> int:
        return len(self.edge)

    @property
    def ok(self) -> np.ndarray:
        """Per point: True when it was snapped."""
        return self.edge >= 0

    def take(self, positions) -> "Snapped":
        """The entries at ``positions`` (an index array or a boolean mask)."""
        return Snapped(**{name: getattr(self, name)[positions] for name in self.__dataclass_fields__})


class EdgeSnapper:
    """Nearest-edge lookups on one network (build once per network; thread-safe to query)."""

    def __init__(self, network: WalkNetwork):
        self.network = network
        self.crs = network.metric_crs
        self._to_metric = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self._to_lonlat = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        # Planar coordinates of every geometry vertex, and one linestring per edge of the
        # largest component (``edge_lines[i]`` is edge ``edges[i]``).
        x, y = self._to_metric.transform(network.geom_lon, network.geom_lat)
        self.coord_x, self.coord_y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        ptr = network.geom_ptr
        self.edges = np.flatnonzero(network.edge_in_largest)
        counts = np.diff(ptr)[self.edges]
        coords = np.concatenate([np.arange(ptr[e], ptr[e + 1]) for e in self.edges]) if len(self.edges) else \
            np.zeros(0, dtype=np.int64)
        self.edge_lines = shapely.linestrings(self.coord_x[coords], self.coord_y[coords],
                                          indices=np.repeat(np.arange(len(self.edges)), counts))
        self._tree = shapely.STRtree(self.edge_lines)

    @cached_property
    def _metric_position(self) -> np.ndarray:
        """Per geometry coordinate: planar metres along all edges, laid end to end with 1 m gaps.

        One increasing array lets a single searchsorted find the segment of every snap point.
        """
        seg = np.hypot(np.diff(self.coord_x), np.diff(self.coord_y))
        ptr = self.network.geom_ptr
        gap = np.zeros(len(self.coord_x))
        gap[ptr[1:-1]] = 1.0  # the step from one edge's last vertex to the next edge's first
        seg = np.where(gap[1:] > 0, 1.0, seg)
        return np.concatenate(([0.0], np.cumsum(seg)))

    def to_metric(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """WGS84 degrees -> planar metres in :attr:`crs`."""
        x, y = self._to_metric.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def snap(self, lon, lat) -> Snapped:
        """Snap points given in WGS84 degrees (arrays, NaN for points without a place)."""
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        n = len(lon)
        out = {name: np.full(n, np.nan) for name in ("before_m", "after_m", "to_u_m", "to_v_m", "snap_m",
                                                      "lon", "lat")}
        edge = np.full(n, -1, dtype=np.int64)
        seg = np.full(n, -1, dtype=np.int64)
        ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
        if len(ok) and len(self.edges):
            x, y = self.to_metric(lon[ok], lat[ok])
            points = shapely.points(x, y)
            found = self._tree.query_nearest(points, all_matches=False)
            order = np.argsort(found[0], kind="stable")
            line_pos = found[1][order]
            lines = self.edge_lines[line_pos]
            along = shapely.line_locate_point(lines, points)
            foot = shapely.line_interpolate_point(lines, along)
            fx, fy = shapely.get_x(foot), shapely.get_y(foot)
            e = self.edges[line_pos]
            ptr = self.network.geom_ptr
            position = self._metric_position
            s = np.searchsorted(position, position[ptr[e]] + along, side="right") - 1
            s = np.clip(s, ptr[e], ptr[e + 1] - 2)
            flon, flat = self._to_lonlat.transform(fx, fy)
            flon, flat = np.asarray(flon, dtype=float), np.asarray(flat, dtype=float)
            glon, glat = self.network.geom_lon, self.network.geom_lat
            before = haversine_m(glon[s], glat[s], flon, flat)
            after = haversine_m(flon, flat, glon[s + 1], glat[s + 1])
            cumulative = self.network.geom_cumulative_m
            edge[ok], seg[ok] = e, s
            out["before_m"][ok], out["after_m"][ok] = before, after
            out["to_u_m"][ok] = cumulative[s] + before
            out["to_v_m"][ok] = after + (self.network.edge_length_m[e] - cumulative[s + 1])
            out["snap_m"][ok] = haversine_m(lon[ok], lat[ok], flon, flat)
            out["lon"][ok], out["lat"][ok] = flon, flat
        return Snapped(edge=edge, seg=seg, **out)


def along_edge_m(network: WalkNetwork, a: Snapped, b: Snapped) -> np.ndarray:
    """Metres along a shared edge between snap points ``a[i]`` and ``b[i]`` (same edge each).

    Within one segment it is the great-circle distance between the two snap points;
    across segments the partial segments plus the whole ones between them. Either way
    it is never shorter than the great-circle distance (the lower bound stays).
    """
    out = np.empty(len(a))
    same_seg = a.seg == b.seg
    if same_seg.any():
        out[same_seg] = haversine_m(a.lon[same_seg], a.lat[same_seg], b.lon[same_seg], b.lat[same_seg])
    rest = ~same_seg
    if rest.any():
        first_is_a = a.seg < b.seg
        lo = np.where(first_is_a, a.seg, b.seg)[rest]
        hi = np.where(first_is_a, b.seg, a.seg)[rest]
        after_lo = np.where(first_is_a, a.after_m, b.after_m)[rest]
        before_hi = np.where(first_is_a, b.before_m, a.before_m)[rest]
        cumulative = network.geom_cumulative_m
        out[rest] = after_lo + (cumulative[hi] - cumulative[lo + 1]) + before_hi
    return out
