"""The walking network: a compact graph in CSR arrays, stored as one .npz file.

Nodes are the intersections and dead ends of the walkable ways (chains of nodes with
two neighbours are folded into the edges between them). Each edge keeps its full
geometry, so its length is exact and a point can be snapped onto it. Routing uses a
symmetric CSR matrix (walking has no one-way streets): for every pair of nodes the
shortest of the edges between them, in both directions, no self-loops.

All lengths are great-circle metres (see :mod:`geo.network.measure`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from geo.index.sphere import choose_metric_crs
from geo.network.measure import haversine_m

#: Bumped whenever the arrays in the file change meaning; older files must be rebuilt.
FORMAT_VERSION = 1
FORMAT_NAME = "angebotskarte-walk-network"

_ARRAYS = ("node_lon", "node_lat", "node_osm_id", "edge_u", "edge_v", "edge_length_m", "edge_way_id",
           "geom_ptr", "geom_lon", "geom_lat", "indptr", "indices", "weights")


class NetworkFileError(Exception):
    """A network file is missing, unreadable, or of another format version; the message names it."""


@dataclass(eq=False)
class WalkNetwork:
    """The walking network of one OSM extract (build with :func:`geo.network.build.build_network`).

    Node ``i`` is at (``node_lon[i]``, ``node_lat[i]``). Edge ``e`` joins nodes
    ``edge_u[e]`` and ``edge_v[e]``, is ``edge_length_m[e]`` long and runs along the
    coordinates ``geom_lon/geom_lat[geom_ptr[e]:geom_ptr[e+1]]`` from u to v. ``indptr``,
    ``indices``, ``weights`` are the routing graph in CSR form (int32, int32, float64).
    ``meta`` holds the format version, the extract's name and bbox, and the build time.
    """

    node_lon: np.ndarray
    node_lat: np.ndarray
    node_osm_id: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_way_id: np.ndarray
    geom_ptr: np.ndarray
    geom_lon: np.ndarray
    geom_lat: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ sizes

    @property
    def n_nodes(self) -> int:
        return len(self.node_lon)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    @property
    def nbytes(self) -> int:
        """Memory of the arrays (the snapping index and caches not included)."""
        return int(sum(getattr(self, name).nbytes for name in _ARRAYS))

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(lon_min, lat_min, lon_max, lat_max) of the network's coordinates."""
        return (float(self.geom_lon.min()), float(self.geom_lat.min()),
                float(self.geom_lon.max()), float(self.geom_lat.max()))

    @property
    def metric_crs(self) -> str:
        """The planar CRS snapping works in: the UTM zone of the network (EPSG:25832 in most of Germany)."""
        return str(self.meta.get("metric_crs") or choose_metric_crs(self.bbox))

    # ------------------------------------------------------------------ derived, cached

    @cached_property
    def csgraph(self) -> csr_matrix:
        """The routing graph as a scipy CSR matrix (shares the arrays, no copy)."""
        n = self.n_nodes
        return csr_matrix((self.weights, self.indices, self.indptr), shape=(n, n), copy=False)

    @cached_property
    def component(self) -> np.ndarray:
        """Connected component label per node (walking is undirected)."""
        _count, labels = connected_components(self.csgraph, directed=False)
        return labels

    @cached_property
    def in_largest(self) -> np.ndarray:
        """Per node: True when it belongs to the largest connected component."""
        if self.n_nodes == 0:
            return np.zeros(0, dtype=bool)
        sizes = np.bincount(self.component)
        return self.component == int(np.argmax(sizes))

    @cached_property
    def edge_in_largest(self) -> np.ndarray:
        """Per edge: True when it belongs to the largest connected component."""
        return self.in_largest[self.edge_u]

    @cached_property
    def geom_cumulative_m(self) -> np.ndarray:
        """Per geometry coordinate: great-circle metres from its edge's start along the edge."""
        seg = haversine_m(self.geom_lon[:-1], self.geom_lat[:-1], self.geom_lon[1:], self.geom_lat[1:])
        cumulative = np.concatenate(([0.0], np.cumsum(seg)))
        starts = np.repeat(self.geom_ptr[:-1], np.diff(self.geom_ptr))
        return cumulative - cumulative[starts]

    def edge_coords(self, edge: int) -> np.ndarray:
        """(n, 2) lon, lat of one edge's geometry, from u to v."""
        part = slice(int(self.geom_ptr[edge]), int(self.geom_ptr[edge + 1]))
        return np.column_stack((self.geom_lon[part], self.geom_lat[part]))

    def summary(self) -> dict[str, Any]:
        """Counts for the build report and ``network info``."""
        largest = int(self.in_largest.sum())
        return {
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "length_km": float(self.edge_length_m.sum() / 1000.0),
            "largest_component_nodes": largest,
            "largest_component_share": largest / self.n_nodes if self.n_nodes else 0.0,
            "components": int(self.component.max() + 1) if self.n_nodes else 0,
            "source": self.meta.get("source", ""),
            "built_at": self.meta.get("built_at", ""),
            "bbox": self.meta.get("bbox"),
        }

    # ------------------------------------------------------------------ file

    def save(self, path: str | os.PathLike) -> int:
        """Write the network to ``path`` (.npz, replaced atomically); returns the file size in bytes."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        meta = dict(self.meta, format=FORMAT_NAME, format_version=FORMAT_VERSION)
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        meta_items = sorted((str(k), _meta_text(v)) for k, v in meta.items())
        try:
            with open(tmp, "wb") as handle:
                np.savez_compressed(handle, meta_keys=np.array([k for k, _ in meta_items]),
                                    meta_values=np.array([v for _, v in meta_items]), **arrays)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)  # never leave half a file beside (or instead of) a good one
            raise
        return path.stat().st_size

    @classmethod
    def load(cls, path: str | os.PathLike) -> "WalkNetwork":
        """Read a file written by :meth:`save`.

        Raises
        ------
        NetworkFileError
            When the file is missing, not a network file, or of another format version
            (the message says to rebuild it with ``angebotskarte network build``).
        """
        path = Path(path)
        if not path.is_file():
            raise NetworkFileError(f"{path}: network file not found; build it with 'angebotskarte network build EXTRACT'")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = dict(zip(data["meta_keys"].tolist(), data["meta_values"].tolist()))
                if meta.get("format") != FORMAT_NAME:
                    raise NetworkFileError(f"{path}: not an Angebotskarte walking network file")
                if meta.get("format_version") != str(FORMAT_VERSION):
                    raise NetworkFileError(
                        f"{path}: network file format version {meta.get('format_version')}, this version reads "
                        f"{FORMAT_VERSION}; rebuild it with 'angebotskarte network build EXTRACT'")
                arrays = {name: data[name] for name in _ARRAYS}
        except NetworkFileError:
            raise
        except (OSError, ValueError, KeyError) as exc:
            raise NetworkFileError(f"{path}: cannot read as a walking network file: {exc}") from None
        meta = {k: v for k, v in meta.items() if k not in ("format", "format_version")}
        if "bbox" in meta and meta["bbox"]:
            meta["bbox"] = tuple(float(v) for v in str(meta["bbox"]).split(","))
        network = cls(**arrays, meta=meta)
        network.check()
        return network

    def check(self) -> None:
        """Raise :class:`NetworkFileError` when the arrays do not fit together (a damaged file)."""
        n, e = self.n_nodes, self.n_edges
        problems = []
        if not (len(self.node_lat) == len(self.node_osm_id) == n):
            problems.append("node arrays differ in length")
        if not (len(self.edge_v) == len(self.edge_length_m) == len(self.edge_way_id) == e):
            problems.append("edge arrays differ in length")
        if len(self.geom_ptr) != e + 1 or (e and self.geom_ptr[-1] != len(self.geom_lon)):
            problems.append("edge geometry pointers do not match the coordinates")
        if len(self.indptr) != n + 1 or self.indptr[-1] != len(self.indices) or len(self.weights) != len(self.indices):
            problems.append("routing arrays (indptr, indices, weights) do not fit together")
        if e and (self.edge_u.max() >= n or self.edge_v.max() >= n or self.edge_u.min() < 0):
            problems.append("an edge refers to a node that does not exist")
        if problems:
            raise NetworkFileError(f"damaged network ({self.meta.get('source', '?')}): {'; '.join(problems)}")


def _meta_text(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ",".join(f"{float(v):.7f}" for v in value)
    return str(value)


def routing_arrays(n_nodes: int, u: np.ndarray, v: np.ndarray, length_m: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The symmetric CSR (indptr, indices, weights) of undirected edges.

    Parallel edges keep the shortest length (scipy would add duplicates up); self-loops
    are dropped, they never shorten a walk.
    """
    keep = u != v
    rows = np.concatenate((u[keep], v[keep])).astype(np.int64)
    cols = np.concatenate((v[keep], u[keep])).astype(np.int64)
    data = np.concatenate((length_m[keep], length_m[keep])).astype(float)
    order = np.lexsort((data, cols, rows))
    rows, cols, data = rows[order], cols[order], data[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, data = rows[first], cols[first], data[first]
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_nodes), out=indptr[1:])
    if len(cols) >= np.iinfo(np.int32).max:
        raise ValueError("network too large for 32-bit CSR indices")
    return indptr.astype(np.int32), cols.astype(np.int32), data
