"""Other routing libraries behind the router interface of geo.network, for scripts/bench_network.py.

Each adapter answers ``from_point(source, limit)`` -- walking metres from a snap point
to every node, inf beyond ``limit`` -- on the same graph as :class:`geo.network.route.Router`
(scipy), so :class:`geo.network.nearest.WalkingSearch` runs unchanged on top of it and
the comparison is the same search, graph and query with only the shortest-path library
swapped:

* igraph: ``Graph.distances`` has no distance limit; it searches the whole graph from
  both ends of the snapped edge;
* pandana: contraction hierarchies; ``nodes_in_range`` from both ends, up to the limit;
* networkx: ``single_source_dijkstra_path_length`` with ``cutoff`` from a temporary
  node joined to both ends (OSMnx routes with these networkx functions).

Missing libraries make :func:`available_routers` leave their adapter out.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import numpy as np

from geo.network.graph import WalkNetwork
from geo.network.snap import Snapped


def _ends(network: WalkNetwork, source: Snapped) -> tuple[int, int, float, float]:
    edge = int(source.edge[0])
    u, v = int(network.edge_u[edge]), int(network.edge_v[edge])
    to_u, to_v = float(source.to_u_m[0]), float(source.to_v_m[0])
    if u == v:
        to_u = to_v = min(to_u, to_v)
    return u, v, to_u, to_v


def _simple_edges(network: WalkNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected edges without loops, the shortest of parallel ones: the graph scipy routes on."""
    rows = np.repeat(np.arange(network.n_nodes), np.diff(network.indptr))
    upper = rows < network.indices
    return rows[upper], network.indices[upper].astype(np.int64), network.weights[upper]


class IgraphRouter:
    name = "igraph"

    def __init__(self, network: WalkNetwork):
        import igraph

        self.network = network
        u, v, w = _simple_edges(network)
        self.graph = igraph.Graph(n=network.n_nodes, edges=np.column_stack((u, v)).tolist(), directed=False)
        self.graph.es["weight"] = w.tolist()

    def from_point(self, source: Snapped, limit: float = np.inf) -> np.ndarray:
        u, v, to_u, to_v = _ends(self.network, source)
        d = np.asarray(self.graph.distances(source=[u, v], weights="weight"), dtype=float)
        out = np.minimum(d[0] + to_u, d[1] + to_v)
        out[out > limit] = np.inf
        return out


class PandanaRouter:
    name = "pandana"

    def __init__(self, network: WalkNetwork):
        import pandana
        import pandas as pd

        self.network = network
        u, v, w = _simple_edges(network)
        with _quiet():  # pandana prints its contraction progress from C++
            self.net = pandana.Network(pd.Series(network.node_lon), pd.Series(network.node_lat),
                                       pd.Series(u), pd.Series(v), pd.DataFrame({"w": w}), twoway=True)

    def from_point(self, source: Snapped, limit: float = np.inf) -> np.ndarray:
        u, v, to_u, to_v = _ends(self.network, source)
        radius = float(min(limit, 1e9))
        found = self.net.nodes_in_range([u, v], radius)
        out = np.full(self.network.n_nodes, np.inf)
        for node, offset in ((u, to_u), (v, to_v)):
            part = found[found["source"] == node]
            dest = part["destination"].to_numpy(dtype=np.int64)
            np.minimum.at(out, dest, part["w"].to_numpy(dtype=float) + offset)
        out[out > limit] = np.inf
        return out


class NetworkxRouter:
    name = "networkx"

    def __init__(self, network: WalkNetwork):
        import networkx as nx

        self._nx = nx
        self.network = network
        u, v, w = _simple_edges(network)
        self.graph = nx.Graph()
        self.graph.add_nodes_from(range(network.n_nodes))
        self.graph.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist()))

    def from_point(self, source: Snapped, limit: float = np.inf) -> np.ndarray:
        u, v, to_u, to_v = _ends(self.network, source)
        start = "snap point"
        self.graph.add_edge(start, u, weight=to_u)
        self.graph.add_edge(start, v, weight=to_v)
        try:
            lengths = self._nx.single_source_dijkstra_path_length(
                self.graph, start, cutoff=None if not np.isfinite(limit) else limit, weight="weight")
        finally:
            self.graph.remove_node(start)
        del lengths[start]
        out = np.full(self.network.n_nodes, np.inf)
        out[np.fromiter(lengths.keys(), dtype=np.int64, count=len(lengths))] = np.fromiter(
            lengths.values(), dtype=float, count=len(lengths))
        return out


def available_routers(network: WalkNetwork) -> tuple[list, list[str]]:
    """(adapters that could be built, notes on those that could not)."""
    routers, notes = [], []
    for cls in (IgraphRouter, PandanaRouter, NetworkxRouter):
        try:
            routers.append(cls(network))
        except ImportError as exc:
            notes.append(f"{cls.name} not installed ({exc.name}); `pip install -e '.[bench]'`")
    return routers, notes


@contextmanager
def _quiet():
    """Silence output written by C/C++ code to the process's stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
