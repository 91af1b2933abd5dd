"""Shortest walks from snapped points, with scipy.sparse.csgraph's Dijkstra.

Why scipy: measured against igraph, pandana and networkx in scripts/bench_network.py
(docs/benchmarks.md). Our questions are local ("which offers are within the next
kilometre on foot"), and scipy's ``dijkstra`` takes a distance ``limit`` that stops the
search there, where igraph has none and computes every node; pandana's contraction
hierarchies answer single pairs fast but need a pair per candidate and offsets at both
ends; networkx is pure Python. scipy is a dependency already.

A walk starts at a *snap point* inside an edge, not at a node. Instead of splitting the
edge, the routing graph gets extra *source rows*: row ``n + i`` has two out-edges, to
the edge's end nodes, weighted with the metres from the snap point to each. Dijkstra from
that row gives exact walking metres from the snap point to every node. Nothing points
back to the source rows, so they never shorten another walk.
"""

from __future__ import annotations

import threading

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from geo.network.graph import WalkNetwork
from geo.network.snap import Snapped


class Router:
    """Walking distances on one network (build once per network; thread-safe)."""

    def __init__(self, network: WalkNetwork):
        self.network = network
        self.n_nodes = network.n_nodes
        self._local = threading.local()

    def _single_source_graph(self) -> csr_matrix:
        """This thread's copy of the graph with one source row, filled per query.

        Copying the arrays once per thread instead of once per query keeps a query at the
        cost of the search itself; the shared network is never written to.
        """
        graph = getattr(self._local, "graph", None)
        if graph is None:
            net = self.network
            n, nnz = net.n_nodes, len(net.indices)
            indptr = np.concatenate((net.indptr, [nnz + 2])).astype(np.int32)
            indices = np.concatenate((net.indices, [0, 0])).astype(np.int32)
            weights = np.concatenate((net.weights, [0.0, 0.0]))
            graph = csr_matrix((weights, indices, indptr), shape=(n + 1, n + 1), copy=False)
            self._local.graph = graph
        return graph

    def from_point(self, source: Snapped, limit: float = np.inf) -> np.ndarray:
        """Walking metres from the snap point of ``source`` (one point) to every node.

        The snapping distance is *not* included. Nodes farther than ``limit`` are inf.
        """
        edge = int(source.edge[0])
        if edge < 0:
            raise ValueError("the source point has no place on the network (not snapped)")
        graph = self._single_source_graph()
        u, v = int(self.network.edge_u[edge]), int(self.network.edge_v[edge])
        to_u, to_v = float(source.to_u_m[0]), float(source.to_v_m[0])
        if u == v:  # a loop: both ways lead to the same node
            to_u = to_v = min(to_u, to_v)
        graph.indices[-2:] = (u, v)
        graph.data[-2:] = (to_u, to_v)
        return dijkstra(graph, directed=True, indices=self.n_nodes, limit=limit)[:-1]

    def graph_with_sources(self, sources: Snapped, extra_m: np.ndarray | None = None) -> csr_matrix:
        """The routing graph plus one source row per point of ``sources`` (rows n, n+1, ...).

        ``extra_m`` is added to both out-edges of a source (e.g. its snapping distance,
        so distances count from the point itself).
        """
        net = self.network
        n, k = net.n_nodes, len(sources)
        u = net.edge_u[sources.edge].astype(np.int32)
        v = net.edge_v[sources.edge].astype(np.int32)
        extra = np.zeros(k) if extra_m is None else np.asarray(extra_m, dtype=float)
        to_u = sources.to_u_m + extra
        to_v = sources.to_v_m + extra
        loop = u == v
        to_u = np.where(loop, np.minimum(to_u, to_v), to_u)
        to_v = np.where(loop, to_u, to_v)
        nnz = len(net.indices)
        indptr = np.concatenate((net.indptr, nnz + 2 * np.arange(1, k + 1))).astype(np.int32)
        indices = np.concatenate((net.indices, np.column_stack((u, v)).ravel())).astype(np.int32)
        weights = np.concatenate((net.weights, np.column_stack((to_u, to_v)).ravel()))
        return csr_matrix((weights, indices, indptr), shape=(n + k, n + k), copy=False)

    def from_nearest(self, sources: Snapped, limit: float = np.inf, *,
                     extra_m: np.ndarray | None = None) -> np.ndarray:
        """Walking metres from the nearest of the source points to every node.

        A multi-source search: every source starts at once, like a flood from all
        offers; ``extra_m`` per source is added at its start (e.g. its snapping distance).
        One super-source row gets an out-edge to both ends of every source's edge.
        """
        n = self.n_nodes
        if len(sources) == 0:
            return np.full(n, np.inf)
        if not sources.ok.all():
            raise ValueError("every source point must be snapped (drop points without a place first)")
        net = self.network
        extra = np.zeros(len(sources)) if extra_m is None else np.asarray(extra_m, dtype=float)
        ends = np.concatenate((net.edge_u[sources.edge], net.edge_v[sources.edge]))
        start = np.concatenate((sources.to_u_m + extra, sources.to_v_m + extra))
        order = np.lexsort((start, ends))
        ends, start = ends[order], start[order]
        first = np.ones(len(ends), dtype=bool)
        first[1:] = ends[1:] != ends[:-1]  # one out-edge per node: the shortest start
        ends, start = ends[first].astype(np.int32), start[first]
        nnz = len(net.indices)
        indptr = np.concatenate((net.indptr, [nnz + len(ends)])).astype(np.int32)
        graph = csr_matrix((np.concatenate((net.weights, start)), np.concatenate((net.indices, ends)).astype(np.int32),
                            indptr), shape=(n + 1, n + 1), copy=False)
        return dijkstra(graph, directed=True, indices=n, limit=limit)[:-1]


def walk_to(network: WalkNetwork, from_source: np.ndarray, targets: Snapped) -> np.ndarray:
    """Walking metres from a source's snap point to each target *point* (its snapping distance included).

    ``from_source`` is the result of :meth:`Router.from_point` or :meth:`Router.from_nearest`;
    the walk enters the target's edge at either end. A target on the source's own edge
    may be closer along the edge: callers add that case (see :func:`geo.network.snap.along_edge_m`).
    """
    u = network.edge_u[targets.edge]
    v = network.edge_v[targets.edge]
    return np.minimum(from_source[u] + targets.to_u_m, from_source[v] + targets.to_v_m) + targets.snap_m
