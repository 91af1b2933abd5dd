"""One loaded walking network with everything built from it, for an app process or a script.

:class:`Walking` is what callers keep: load it once per network file, then ask it for
a :class:`~geo.network.nearest.WalkingSearch` per data version (nearest offers on foot),
:class:`~geo.network.reach.NetworkCosts` for the planner, and isochrones.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property

from geo.index import OfferIndex
from geo.network.graph import WalkNetwork
from geo.network.isochrone import DEFAULT_CORRIDOR_M, DEFAULT_MINUTES, isochrones
from geo.network.nearest import DEFAULT_SPEED_KMH, WalkingSearch
from geo.network.reach import NetworkCosts
from geo.network.route import Router
from geo.network.snap import EdgeSnapper


class Walking:
    """A walking network with its snapping index and router (both built lazily, then shared).

    ``speed_kmh`` turns metres into minutes ([map] walk_speed_kmh).
    """

    def __init__(self, network: WalkNetwork, *, speed_kmh: float = DEFAULT_SPEED_KMH):
        if not speed_kmh > 0:
            raise ValueError(f"speed_kmh must be a positive number of km/h, got {speed_kmh!r}")
        self.network = network
        self.speed_kmh = float(speed_kmh)

    @classmethod
    def load(cls, path: str | os.PathLike, *, speed_kmh: float = DEFAULT_SPEED_KMH) -> "Walking":
        """Read a network file (:class:`~geo.network.graph.NetworkFileError` when it is unusable)."""
        return cls(WalkNetwork.load(path), speed_kmh=speed_kmh)

    @cached_property
    def snapper(self) -> EdgeSnapper:
        return EdgeSnapper(self.network)

    @cached_property
    def router(self) -> Router:
        return Router(self.network)

    def search(self, index: OfferIndex) -> WalkingSearch:
        """Nearest-on-foot search over one data version's index (keep it beside the index)."""
        return WalkingSearch(index, self.snapper, self.router, speed_kmh=self.speed_kmh)

    def costs(self, crs: str) -> NetworkCosts:
        """Walking costs for points in the metric CRS ``crs`` (the coverage context's)."""
        return NetworkCosts(self.snapper, self.router, crs)

    def isochrones(self, lat: float, lon: float, minutes: Sequence[float] = DEFAULT_MINUTES, *,
                   corridor_m: float = DEFAULT_CORRIDOR_M) -> dict:
        """GeoJSON FeatureCollection of the areas reachable on foot in ``minutes`` from (lat, lon)."""
        return isochrones(self.snapper, self.router, lat, lon, minutes=minutes, speed_kmh=self.speed_kmh,
                          corridor_m=corridor_m)
