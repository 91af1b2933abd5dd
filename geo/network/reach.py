"""Walking costs for the planner: nearest offer on foot, and E2SFCA pairs by network distance.

The coverage metrics (:mod:`geo.coverage.table`) work on points in a metric CRS:
demand points (grid cells, district lattice points) and offers. :class:`NetworkCosts`
gives them walking metres instead of straight-line metres × detour factor, with the
same inputs and outputs as the straight-line functions:

* :meth:`NetworkCosts.nearest` replaces :func:`geo.coverage.metrics.nearest_cost`:
  one multi-source Dijkstra from all offers at once, stopped at ``limit``;
* :meth:`NetworkCosts.pair_costs` plugs into :func:`geo.coverage.e2sfca.e2sfca`
  (``pair_costs=``): per chunk of offers, Dijkstra from each offer stopped at the
  catchment, evaluated at the demand points within the catchment in a straight line
  (the only ones that can be within it on foot).

Snap points are cached by the coordinates' bytes, so a context kept per data version
snaps its demand points and offers once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo.network.route import Router, walk_to
from geo.network.snap import EdgeSnapper, Snapped, along_edge_m

# The shape of geo.coverage.e2sfca.PairCosts (not imported: coverage may import this module).
PairCosts = Callable[[np.ndarray, float], tuple[np.ndarray, np.ndarray, np.ndarray]]

# Straight-line prefilter radius = catchment × this + 1 m: a projected CRS may measure up
# to 0.04 % longer than the great circle the walks are a chain of (UTM scale factor).
_PREFILTER_SCALE = 1.001


class NetworkCosts:
    """Walking metres between points given in ``crs`` (the coverage context's metric CRS)."""

    #: Snapped point sets kept (demand points and offers of a few questions).
    CACHE_SIZE = 8

    def __init__(self, snapper: EdgeSnapper, router: Router, crs: str):
        self.snapper = snapper
        self.router = router
        self.network = router.network
        self.crs = crs
        self._to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        self._cache: OrderedDict[bytes, Snapped] = OrderedDict()
        self._lock = threading.Lock()

    def snap_xy(self, xy: np.ndarray) -> Snapped:
        """Snap points given as (n, 2) metres in :attr:`crs` (cached by their coordinates)."""
        xy = np.ascontiguousarray(np.asarray(xy, dtype=float).reshape(-1, 2))
        key = hashlib.blake2b(xy.tobytes(), digest_size=16).digest()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        lon, lat = self._to_lonlat.transform(xy[:, 0], xy[:, 1])
        snapped = self.snapper.snap(lon, lat)
        with self._lock:
            self._cache[key] = snapped
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return snapped

    def nearest(self, points_xy: np.ndarray, offers_xy: np.ndarray, limit: float = np.inf) -> np.ndarray:
        """Walking metres from each point to its nearest offer; inf without offers or beyond ``limit``.

        The network counterpart of :func:`geo.coverage.metrics.nearest_cost` (which
        multiplies straight lines by the detour factor): snapping at both ends included.
        """
        points_xy = np.asarray(points_xy, dtype=float).reshape(-1, 2)
        if len(points_xy) == 0:
            return np.empty(0)
        if len(np.asarray(offers_xy).reshape(-1, 2)) == 0:
            return np.full(len(points_xy), np.inf)
        points, offers = self.snap_xy(points_xy), self.snap_xy(offers_xy)
        offers = offers.take(offers.ok)  # an offer without coordinates reaches nobody
        from_offers = self.router.from_nearest(offers, limit=limit, extra_m=offers.snap_m)
        cost = walk_to(self.network, from_offers, points)
        # A point and an offer on one edge may be closer along it than through its ends.
        p, o = _same_edge_pairs(points.edge, offers.edge)
        if len(p):
            direct = points.snap_m[p] + along_edge_m(self.network, points.take(p), offers.take(o)) + offers.snap_m[o]
            np.minimum.at(cost, p, direct)
        cost[(cost > limit) | ~points.ok] = np.inf
        return cost

    def pair_costs(self, demand_xy: np.ndarray, supply_xy: np.ndarray) -> PairCosts:
        """The ``pair_costs`` function :func:`geo.coverage.e2sfca.e2sfca` takes, for these points.

        ``e2sfca(demand_xy, demand, supply_xy, supply, catchment_m=..., pair_costs=
        costs.pair_costs(demand_xy, supply_xy))`` computes E2SFCA with walking metres.
        The returned function maps (offer positions of a chunk, catchment) to (position
        in the chunk, demand point, walking metres) for every pair within the catchment.
        """
        demand_xy = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
        supply_xy = np.asarray(supply_xy, dtype=float).reshape(-1, 2)
        demand, supply = self.snap_xy(demand_xy), self.snap_xy(supply_xy)
        demand_tree = cKDTree(demand_xy) if len(demand_xy) else None
        n = self.network.n_nodes
        batch = max(1, min(256, 16_000_000 // max(n, 1)))

        def pairs(chunk: np.ndarray, catchment_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            chunk = np.asarray(chunk, dtype=np.intp)
            found_offer, found_point, found_cost = [], [], []
            for lo in range(0, len(chunk), batch):
                part = chunk[lo:lo + batch]
                offer, point, cost = self._pairs_of(part, catchment_m, demand_xy, supply_xy, demand, supply,
                                                    demand_tree)
                found_offer.append(offer + lo)
                found_point.append(point)
                found_cost.append(cost)
            if not found_offer:
                return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0)
            return np.concatenate(found_offer), np.concatenate(found_point), np.concatenate(found_cost)

        return pairs

    def _pairs_of(self, part: np.ndarray, catchment_m: float, demand_xy: np.ndarray, supply_xy: np.ndarray,
                  demand: Snapped, supply: Snapped, demand_tree: cKDTree | None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        empty = (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0))
        if demand_tree is None or not len(part):
            return empty
        radius = catchment_m * _PREFILTER_SCALE + 1.0
        near = cKDTree(supply_xy[part]).sparse_distance_matrix(demand_tree, radius, output_type="ndarray")
        offer, point = near["i"].astype(np.intp), near["j"].astype(np.intp)
        if not len(offer):
            return empty
        sources = supply.take(part)
        n = self.network.n_nodes
        graph = self.router.graph_with_sources(sources, extra_m=sources.snap_m)
        dist = dijkstra(graph, directed=True, indices=n + np.arange(len(part)), limit=catchment_m)
        dist = dist.reshape(len(part), -1)[:, :n]
        u = self.network.edge_u[demand.edge[point]]
        v = self.network.edge_v[demand.edge[point]]
        cost = np.minimum(dist[offer, u] + demand.to_u_m[point], dist[offer, v] + demand.to_v_m[point])
        cost += demand.snap_m[point]
        same = np.flatnonzero(demand.edge[point] == sources.edge[offer])
        if len(same):
            direct = (sources.snap_m[offer[same]] + demand.snap_m[point[same]]
                      + along_edge_m(self.network, sources.take(offer[same]), demand.take(point[same])))
            cost[same] = np.minimum(cost[same], direct)
        keep = cost <= catchment_m
        return offer[keep], point[keep], cost[keep]


def _same_edge_pairs(a_edge: np.ndarray, b_edge: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with a_edge[i] == b_edge[j] (>= 0), without a dense comparison."""
    order = np.argsort(b_edge, kind="stable")
    sorted_edges = b_edge[order]
    lo = np.searchsorted(sorted_edges, a_edge, side="left")
    hi = np.searchsorted(sorted_edges, a_edge, side="right")
    count = np.where(a_edge >= 0, hi - lo, 0)
    if not count.any():
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    i = np.repeat(np.arange(len(a_edge)), count)
    step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    j = order[np.repeat(lo, count) + step]
    return i, j
