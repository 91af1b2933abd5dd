"""Walking the real streets: a pedestrian network from an OpenStreetMap extract.

Build once (:func:`build_network`, ``angebotskarte network build``), load per process
(:class:`Walking`), then ask:

- :meth:`Walking.search` -> :class:`WalkingSearch`: exact nearest offers by walking
  distance with every filter of the offer index;
- :meth:`Walking.costs` -> :class:`NetworkCosts`: nearest offer on foot per demand
  point and E2SFCA by network distance for the planner;
- :meth:`Walking.isochrones`: areas reachable in 5/10/15 minutes as GeoJSON.

Every length is great-circle metres (:mod:`geo.network.measure`), routing is scipy's
Dijkstra (:mod:`geo.network.route`), snapping goes to the nearest edge of the largest
connected component (:mod:`geo.network.snap`).
"""

from geo.network.build import BuildReport, build_network, network_from_ways
from geo.network.graph import FORMAT_VERSION, NetworkFileError, WalkNetwork
from geo.network.nearest import DEFAULT_SPEED_KMH, WalkingSearch, WalkResult
from geo.network.osm import NetworkBuildError
from geo.network.reach import NetworkCosts
from geo.network.walking import Walking

__all__ = [
    "DEFAULT_SPEED_KMH", "FORMAT_VERSION", "BuildReport", "NetworkBuildError", "NetworkCosts",
    "NetworkFileError", "WalkNetwork", "WalkResult", "Walking", "WalkingSearch", "build_network",
    "network_from_ways",
]
