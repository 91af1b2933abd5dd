"""Snap points onto the nearest walkable edge of the network's largest connected component.

A point is put on the street in front of it, not on the nearest intersection: the
nearest edge is found with a shapely STRtree over the edges' segments in the metric
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
        # Planar coordinates of every geometry vertex.
        x, y = self._to_metric.transform(network.geom_lon, network.geom_lat)
        self.coord_x, self.coord_y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        ptr = network.geom_ptr
        #: The edges of the largest component, the only ones points snap to.
        self.edges = np.flatnonzero(network.edge_in_largest)
        # The tree holds single segments, not whole edges: the nearest segment names the
        # vertex the snap point follows, and the foot of the perpendicular on it is plain
        # vector arithmetic. (Locating and interpolating along whole edges took a third of
        # the time of snapping 100,000 points in a profile; the tree queries cost the same.)
        counts = np.diff(ptr)[self.edges] - 1
        first = np.repeat(ptr[self.edges] - (np.cumsum(counts) - counts), counts)
        self._seg_start = first + np.arange(int(counts.sum()))  # geometry position where a segment starts
        self._seg_edge = np.repeat(self.edges, counts)
        a, b = self._seg_start, self._seg_start + 1
        segments = shapely.linestrings(
            np.stack((np.column_stack((self.coord_x[a], self.coord_y[a])),
                      np.column_stack((self.coord_x[b], self.coord_y[b]))), axis=1))
        self._tree = shapely.STRtree(segments)

    @cached_property
    def edge_lines(self) -> np.ndarray:
        """One planar linestring per edge of :attr:`edges` (``edge_lines[i]`` is edge ``edges[i]``)."""
        ptr = self.network.geom_ptr
        counts = np.diff(ptr)[self.edges]
        coords = np.repeat(ptr[self.edges] - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        return shapely.linestrings(self.coord_x[coords], self.coord_y[coords],
                                   indices=np.repeat(np.arange(len(self.edges)), counts))

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
            found = self._tree.query_nearest(shapely.points(x, y), all_matches=False)
            nearest = found[1][np.argsort(found[0], kind="stable")]
            s = self._seg_start[nearest]
            e = self._seg_edge[nearest]
            # Foot of the perpendicular on segment s -> s + 1, clamped to the segment.
            ax, ay = self.coord_x[s], self.coord_y[s]
            dx, dy = self.coord_x[s + 1] - ax, self.coord_y[s + 1] - ay
            length2 = dx * dx + dy * dy
            t = np.divide((x - ax) * dx + (y - ay) * dy, length2, out=np.zeros(len(ok)), where=length2 > 0)
            t = np.clip(t, 0.0, 1.0)
            fx, fy = ax + t * dx, ay + t * dy
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
