"""Exact nearest offers by walking distance, with every filter of the offer index.

The straight-line (great-circle) distance never exceeds the walking distance (see
:mod:`geo.network.measure`), so the offer index's straight-line order bounds the walk:

1. pick a walking budget ``L`` from the k-th nearest matching offer in a straight line;
2. one Dijkstra search from the query's snap point, stopped at ``L``;
3. the candidates are every matching offer within ``L`` in a straight line (the index
   answers this with all filters applied); any offer that can be walked to within ``L``
   is among them, and its walking distance is now known exactly;
4. when at least k candidates are within ``L`` on foot, the k nearest of them are the k
   nearest overall: the next straight-line candidate is farther than ``L``, hence farther
   than the k-th walk. Otherwise double ``L`` and repeat.

Nothing is approximate: the answer equals sorting every matching offer by its walking
distance (tests check this against a full single-source search on random networks).
Ties are broken by row, as in the index, so pages never overlap.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from geo.index import OfferIndex, OfferQuery
from geo.network.measure import haversine_m, walk_minutes
from geo.network.route import Router, walk_to
from geo.network.snap import EdgeSnapper, Snapped, along_edge_m

#: The walking speed the pages use today ([map] walk_speed_kmh in geo/defaults.toml).
DEFAULT_SPEED_KMH = 4.5

_EMPTY_ROWS = np.zeros(0, dtype=np.intp)


@dataclass(frozen=True)
class WalkResult:
    """One page of offers in walking order.

    ``rows`` are positions in the index's offers frame; ``walk_m`` the walking metres
    from the query point (snapping at both ends included), ``walk_minutes`` the same at
    the walking speed, rounded up; ``straight_m`` the great-circle metres. Offers without
    a place (``include_virtual``) come last with NaN distances. ``total`` counts every
    match, not only this page; ``rounds`` how many searches the exact answer took.
    """

    rows: np.ndarray
    ids: np.ndarray
    walk_m: np.ndarray
    walk_minutes: np.ndarray
    straight_m: np.ndarray
    total: int
    offset: int
    limit: int
    rounds: int = 1

    def __len__(self) -> int:
        return len(self.rows)


class WalkingSearch:
    """Nearest offers on foot over one version of the offers (:class:`OfferIndex`).

    Keep one per data version, next to the index: the offers' snap points are computed
    once, on the first query, and reused. The snapper and router belong to the network
    and are shared by every version (see :class:`geo.network.walking.Walking`).
    """

    #: The first walking budget: this many times the k-th straight-line distance ...
    FIRST_BUDGET_FACTOR = 1.5
    #: ... plus this many metres (and the query point's snapping distance).
    FIRST_BUDGET_SLACK_M = 150.0

    def __init__(self, index: OfferIndex, snapper: EdgeSnapper, router: Router, *,
                 speed_kmh: float = DEFAULT_SPEED_KMH):
        if not speed_kmh > 0:
            raise ValueError(f"speed_kmh must be a positive number of km/h, got {speed_kmh!r}")
        self.index = index
        self.snapper = snapper
        self.router = router
        self.network = router.network
        self.speed_kmh = float(speed_kmh)
        lon_min, lat_min, lon_max, lat_max = self.network.bbox
        # Past this budget a search covers the whole network anyway; go unlimited.
        self._unlimited_from_m = 2.0 * float(haversine_m(lon_min, lat_min, lon_max, lat_max))

    @cached_property
    def offers(self) -> Snapped:
        """Snap point of every offer of the index (edge -1 for offers without a place)."""
        return self.snapper.snap(self.index.lon, self.index.lat)

    # ------------------------------------------------------------------ asking

    def search(self, query: OfferQuery) -> WalkResult:
        """Offers matching ``query`` in walking order from ``query.near``.

        ``radius_m`` is a *walking* radius here: offers within that many metres on foot.
        ``bbox``, text, facets, open now and ``include_virtual`` work as in
        :meth:`OfferIndex.search`.
        """
        if query.near is None:
            raise ValueError("a walking search needs near=(lat, lon)")
        lat, lon = query.near
        source = self.snapper.snap([lon], [lat])
        if not source.ok[0]:
            raise ValueError("the network has no walkable edge to snap to")
        located = dataclasses.replace(query, include_virtual=False, offset=0)
        k = query.offset + query.limit
        rows, walk, rounds, total = self._located(lat, lon, source, located, k)
        rows, walk = rows[:k], walk[:k]
        if query.include_virtual:
            placeless = self._placeless(query)
            total += len(placeless)
            if len(rows) < k:
                extra = placeless[:k - len(rows)]
                rows = np.concatenate((rows, extra))
                walk = np.concatenate((walk, np.full(len(extra), np.nan)))
        page = slice(query.offset, query.offset + query.limit)
        rows, walk = rows[page], walk[page]
        straight = np.where(np.isfinite(walk), self.index.distances_m(lat, lon, rows), np.nan)
        return WalkResult(rows=rows, ids=self.index.ids[rows], walk_m=walk,
                          walk_minutes=walk_minutes(walk, self.speed_kmh), straight_m=straight,
                          total=int(total), offset=query.offset, limit=query.limit, rounds=rounds)

    def nearest(self, lat: float, lon: float, k: int = 10, query: OfferQuery | None = None) -> WalkResult:
        """The ``k`` nearest offers on foot from (lat, lon) matching ``query``'s filters."""
        base = query or OfferQuery()
        return self.search(dataclasses.replace(base, near=(lat, lon), limit=k, offset=0))

    def walk_m(self, lat: float, lon: float, rows) -> np.ndarray:
        """Walking metres from (lat, lon) to the offers at ``rows`` (NaN for offers without a place).

        For a detail page ("12 minutes on foot from your address"): one search, grown
        until every offer asked for is reached.
        """
        rows = np.atleast_1d(np.asarray(rows, dtype=np.intp))
        out = np.full(len(rows), np.nan)
        placed = self.offers.ok[rows]
        if not placed.any():
            return out
        source = self.snapper.snap([lon], [lat])
        targets = self.offers.take(rows[placed])
        straight = self.index.distances_m(lat, lon, rows[placed])
        budget = self._first_budget(float(straight.max()), source)
        while True:
            walk = self._walks(source, targets, budget)
            if np.all(walk <= budget) or not np.isfinite(budget):
                break
            budget = self._grow(budget)
        out[placed] = walk
        return out

    # ------------------------------------------------------------------ inside

    def _located(self, lat: float, lon: float, source: Snapped, query: OfferQuery,
                 k: int) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Located matching offers by walking distance: all within a walking radius, or the first ``k``.

        Returns (rows, walking metres, searches run, total matches).
        """
        radius = query.radius_m
        if radius is not None:
            budget = float(radius)
            want = None
        else:
            # The k nearest in a straight line size the first budget; the same answer counts the matches.
            first = self.index.search(dataclasses.replace(query, limit=k))
            want = min(k, first.total)
            if want == 0:
                return _EMPTY_ROWS, np.zeros(0), 0, first.total
            budget = self._first_budget(float(first.distances_m[want - 1]), source)
        rounds = 0
        while True:
            rounds += 1
            candidates = self._candidates(query, lat, lon, budget)
            walk = self._walks(source, self.offers.take(candidates), budget)
            known = walk <= budget
            if want is None or int(known.sum()) >= want or not np.isfinite(budget):
                break
            budget = self._grow(budget)
        rows, walk = candidates[known], walk[known]
        order = np.lexsort((rows, walk))
        return rows[order], walk[order], rounds, (len(rows) if want is None else first.total)

    def _candidates(self, query: OfferQuery, lat: float, lon: float, budget: float) -> np.ndarray:
        """Every located offer matching ``query`` within ``budget`` metres in a straight line."""
        ask = dataclasses.replace(query, near=(lat, lon), limit=self.index.n_rows,
                                  radius_m=budget * (1.0 + 1e-9) + 0.01 if np.isfinite(budget) else None)
        return self.index.search(ask).rows

    def _walks(self, source: Snapped, targets: Snapped, budget: float) -> np.ndarray:
        """Walking metres from the query point to each target point; inf beyond ``budget``."""
        snap = float(source.snap_m[0])
        from_source = self.router.from_point(source, limit=max(budget - snap, 0.0))
        walk = snap + walk_to(self.network, from_source, targets)
        same = np.flatnonzero(targets.edge == source.edge[0])
        if len(same):
            here = source.take(np.zeros(len(same), dtype=np.intp))
            direct = snap + along_edge_m(self.network, here, targets.take(same)) + targets.snap_m[same]
            walk[same] = np.minimum(walk[same], direct)
        return walk

    def _first_budget(self, straight_m: float, source: Snapped) -> float:
        return self.FIRST_BUDGET_FACTOR * straight_m + float(source.snap_m[0]) + self.FIRST_BUDGET_SLACK_M

    def _grow(self, budget: float) -> float:
        return np.inf if budget * 2.0 > self._unlimited_from_m else budget * 2.0

    def _placeless(self, query: OfferQuery) -> np.ndarray:
        """Matching offers without a place, in the index's name order."""
        ask = dataclasses.replace(query, near=None, radius_m=None, bbox=None, include_virtual=True,
                                  offset=0, limit=self.index.n_rows)
        rows = self.index.search(ask).rows
        return rows[~self.index.located[rows]]
