"""Walking the real streets: a pedestrian network from an OpenStreetMap extract.

Build once (:func:`build_network`, ``angebotskarte network build``) into one .npz file;
load it with :meth:`WalkNetwork.load`. Every length is great-circle metres
(:mod:`geo.network.measure`).
"""

from geo.network.build import BuildReport, build_network, network_from_ways
from geo.network.graph import FORMAT_VERSION, NetworkFileError, WalkNetwork
from geo.network.osm import NetworkBuildError

__all__ = [
    "FORMAT_VERSION", "BuildReport", "NetworkBuildError", "NetworkFileError", "WalkNetwork", "build_network",
    "network_from_ways",
]
