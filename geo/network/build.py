"""Build the walking network from an OSM extract: ``build_network(extract, out)``.

1. :func:`geo.network.osm.read_walkable_ways` reads the walkable ways (pyosmium).
2. :func:`add_area_crossings`: a pedestrian square (``area=yes``) is walked along its
   outline *and across*: every two points where other ways meet the outline are joined
   by a straight edge when that line stays inside the square.
3. :func:`network_from_ways` cuts the ways at every node that two ways share (or one way
   visits twice) and at their ends, then folds chains through nodes with exactly two
   neighbours into single edges, keeping every coordinate so lengths stay exact.
4. The result is saved as one .npz file (:meth:`geo.network.graph.WalkNetwork.save`).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import shapely

from geo.index.sphere import choose_metric_crs
from geo.network.graph import WalkNetwork, routing_arrays
from geo.network.measure import haversine_m
from geo.network.osm import NetworkBuildError, RawWays, check_extract, read_walkable_ways

__all__ = ["BuildReport", "NetworkBuildError", "add_area_crossings", "build_network", "network_from_ways"]


@dataclass
class BuildReport:
    """What a build made; printed by ``angebotskarte network build``."""

    source: str
    out: Path
    ways: int
    nodes: int
    edges: int
    length_km: float
    largest_component_nodes: int
    largest_component_share: float
    components: int
    area_crossings: int
    seconds: float
    file_bytes: int
    bbox: tuple[float, float, float, float]


def build_network(extract: str | os.PathLike, out: str | os.PathLike, *,
                  progress: bool | None = None) -> BuildReport:
    """Read ``extract`` (.osm.pbf, .osm, .osm.gz) and write the walking network to ``out``.

    ``progress``: progress bars on stderr; None shows them only when stderr is a terminal.

    Raises
    ------
    NetworkBuildError
        When the extract is missing, not OSM data, or holds no walkable way.
    """
    started = time.perf_counter()
    extract = check_extract(extract)
    raw = read_walkable_ways(extract, progress=progress)
    n_ways = raw.n_ways
    raw, crossings = add_area_crossings(raw)
    network = network_from_ways(raw, source=extract.name, progress=progress)
    network.meta["build_seconds"] = f"{time.perf_counter() - started:.3f}"
    size = network.save(out)
    summary = network.summary()
    return BuildReport(
        source=extract.name, out=Path(out), ways=n_ways, nodes=network.n_nodes, edges=network.n_edges,
        length_km=summary["length_km"], largest_component_nodes=summary["largest_component_nodes"],
        largest_component_share=summary["largest_component_share"], components=summary["components"],
        area_crossings=crossings, seconds=time.perf_counter() - started, file_bytes=size, bbox=network.bbox,
    )


# ---------------------------------------------------------------------- areas

def add_area_crossings(raw: RawWays) -> tuple[RawWays, int]:
    """``raw`` plus a two-node way across each walkable area between its junctions.

    A junction is a point of the outline that another walkable way also uses. Two
    junctions are joined when the straight line between them lies inside the area
    (tested in a local metric plane, so a concave square is not cut across its gap).
    Returns the new ways and how many crossings were added.
    """
    areas = np.flatnonzero(raw.area)
    if not len(areas):
        return raw, 0
    _ids, inverse, counts = np.unique(raw.refs, return_inverse=True, return_counts=True)
    uses = counts[inverse]
    new_refs, new_lon, new_lat, new_way = [], [], [], []
    for w in areas:
        part = raw.way(int(w))
        refs, lon, lat = raw.refs[part], raw.lon[part], raw.lat[part]
        own = {ref: int(n) for ref, n in zip(*np.unique(refs, return_counts=True))}
        ring = slice(0, len(refs) - 1)  # the closing node repeats the first
        junction = np.array([uses[part.start + i] > own[refs[i]] for i in range(len(refs) - 1)], dtype=bool)
        picks = np.flatnonzero(junction)
        picks = picks[np.unique(refs[ring][picks], return_index=True)[1]]
        if len(picks) < 2:
            continue
        x, y = _local_plane(lon, lat)
        polygon = shapely.Polygon(np.column_stack((x[ring], y[ring])))
        if not polygon.is_valid:
            polygon = shapely.make_valid(polygon)
        polygon = polygon.buffer(0.05)  # the outline itself counts as inside, despite rounding
        shapely.prepare(polygon)
        i, j = np.triu_indices(len(picks), k=1)
        a, b = picks[i], picks[j]
        lines = shapely.linestrings(np.stack((np.column_stack((x[a], y[a])), np.column_stack((x[b], y[b]))), axis=1))
        inside = shapely.covers(polygon, lines)
        for p, q in zip(a[inside], b[inside]):
            new_refs += [refs[p], refs[q]]
            new_lon += [lon[p], lon[q]]
            new_lat += [lat[p], lat[q]]
            new_way.append(raw.way_id[w])
    if not new_way:
        return raw, 0
    n_new = len(new_way)
    ptr = np.concatenate((raw.ptr, raw.ptr[-1] + 2 * np.arange(1, n_new + 1)))
    return RawWays(
        refs=np.concatenate((raw.refs, np.asarray(new_refs, dtype=np.int64))),
        lon=np.concatenate((raw.lon, new_lon)), lat=np.concatenate((raw.lat, new_lat)), ptr=ptr,
        way_id=np.concatenate((raw.way_id, np.asarray(new_way, dtype=np.int64))),
        area=np.concatenate((raw.area, np.zeros(n_new, dtype=bool))),
    ), n_new


def _local_plane(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Equirectangular metres around the area: exact enough to tell inside from outside
    # across a square of a few hundred metres.
    k = np.cos(np.radians(float(np.mean(lat))))
    return (lon - lon.mean()) * 111_320.0 * k, (lat - lat.mean()) * 110_574.0


# ---------------------------------------------------------------------- graph

def network_from_ways(raw: RawWays, *, source: str = "", progress: bool | None = None) -> WalkNetwork:
    """The simplified network of ``raw`` (a pure transformation, no files)."""
    way_of = np.repeat(np.arange(raw.n_ways), np.diff(raw.ptr))
    _ids, inverse, counts = np.unique(raw.refs, return_inverse=True, return_counts=True)
    keep = counts[inverse] >= 2
    keep[raw.ptr[:-1]] = True
    keep[raw.ptr[1:] - 1] = True
    kept = np.flatnonzero(keep)
    # An edge runs between consecutive cut points of one way.
    same_way = way_of[kept[:-1]] == way_of[kept[1:]]
    start, end = kept[:-1][same_way], kept[1:][same_way]
    if not len(start):
        raise NetworkBuildError(f"{source or 'extract'}: the walkable ways form no edge")
    node_refs, node_first = np.unique(raw.refs[kept], return_index=True)
    u = np.searchsorted(node_refs, raw.refs[start])
    v = np.searchsorted(node_refs, raw.refs[end])
    chains = _fold_chains(len(node_refs), u, v, progress=progress)
    return _assemble(raw, node_refs, kept[node_first], start, end, way_of, chains, source)


def _fold_chains(n_nodes: int, u: np.ndarray, v: np.ndarray, *, progress: bool | None = None
                 ) -> list[tuple[int, int, list[tuple[int, bool]]]]:
    """Walk every chain of edges through nodes with exactly two neighbours.

    Returns (first node, last node, pieces) per folded edge; a piece is (edge, forward).
    Nodes that are not folded away are the *anchors*: dead ends, intersections, and one
    node of every ring that meets nothing else.
    """
    from tqdm import tqdm

    n_edges = len(u)
    degree = np.bincount(u, minlength=n_nodes) + np.bincount(v, minlength=n_nodes)
    ends_node = np.concatenate((u, v))
    ends_edge = np.concatenate((np.arange(n_edges), np.arange(n_edges)))
    order = np.argsort(ends_node, kind="stable")
    incident_edge = ends_edge[order].tolist()
    incident_ptr = np.concatenate(([0], np.cumsum(np.bincount(ends_node, minlength=n_nodes)))).tolist()
    anchor = degree != 2
    loops = np.flatnonzero(u == v)
    anchor[u[loops]] = True  # a node whose two ends are one self-loop stays
    anchor_list = anchor.tolist()
    u_list, v_list = u.tolist(), v.tolist()
    visited = [False] * n_edges
    chains: list[tuple[int, int, list[tuple[int, bool]]]] = []

    def walk(first: int, edge: int) -> None:
        pieces = []
        node = first
        while True:
            visited[edge] = True
            forward = u_list[edge] == node
            pieces.append((edge, forward))
            node = v_list[edge] if forward else u_list[edge]
            if anchor_list[node]:
                break
            a, b = incident_edge[incident_ptr[node]:incident_ptr[node] + 2]
            edge = b if a == edge else a
            if visited[edge]:  # back where a ring started
                break
        chains.append((first, node, pieces))

    bar = tqdm(total=n_edges, unit=" edges", desc="folding chains", file=sys.stderr,
               disable=None if progress is None else not progress, leave=False)
    for node in np.flatnonzero(anchor).tolist():
        for edge in incident_edge[incident_ptr[node]:incident_ptr[node + 1]]:
            if not visited[edge]:
                before = len(chains)
                walk(node, edge)
                bar.update(len(chains[before][2]))
    for edge in range(n_edges):  # rings of two-neighbour nodes only
        if not visited[edge]:
            anchor_list[u_list[edge]] = True
            walk(u_list[edge], edge)
            bar.update(len(chains[-1][2]))
    bar.close()
    return chains


def _assemble(raw: RawWays, node_refs: np.ndarray, node_pos: np.ndarray, start: np.ndarray, end: np.ndarray,
              way_of: np.ndarray, chains: list, source: str) -> WalkNetwork:
    """Turn folded chains into the final arrays, numbering only the nodes that remain."""
    positions: list[np.ndarray] = []
    first_nodes, last_nodes, ways = [], [], []
    start_list, end_list = start.tolist(), end.tolist()
    for first, last, pieces in chains:
        parts = []
        for k, (edge, forward) in enumerate(pieces):
            run = np.arange(start_list[edge], end_list[edge] + 1)
            if not forward:
                run = run[::-1]
            parts.append(run if k == 0 else run[1:])
        positions.append(np.concatenate(parts))
        first_nodes.append(first)
        last_nodes.append(last)
        ways.append(int(raw.way_id[way_of[start_list[pieces[0][0]]]]))
    used = np.unique(np.concatenate((first_nodes, last_nodes)))
    renumber = np.full(len(node_refs), -1, dtype=np.int64)
    renumber[used] = np.arange(len(used))
    edge_u = renumber[np.asarray(first_nodes, dtype=np.int64)].astype(np.int32)
    edge_v = renumber[np.asarray(last_nodes, dtype=np.int64)].astype(np.int32)
    geom_ptr = np.concatenate(([0], np.cumsum([len(p) for p in positions]))).astype(np.int64)
    flat = np.concatenate(positions)
    geom_lon, geom_lat = raw.lon[flat], raw.lat[flat]
    # Lengths from the final geometry, the same sums snapping measures along an edge with.
    seg = haversine_m(geom_lon[:-1], geom_lat[:-1], geom_lon[1:], geom_lat[1:])
    cumulative = np.concatenate(([0.0], np.cumsum(seg)))
    edge_length = cumulative[geom_ptr[1:] - 1] - cumulative[geom_ptr[:-1]]
    node_lon, node_lat = raw.lon[node_pos[used]], raw.lat[node_pos[used]]
    indptr, indices, weights = routing_arrays(len(used), edge_u, edge_v, edge_length)
    bbox = (float(geom_lon.min()), float(geom_lat.min()), float(geom_lon.max()), float(geom_lat.max()))
    meta = {"source": source, "bbox": bbox, "metric_crs": choose_metric_crs(bbox),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    network = WalkNetwork(
        node_lon=node_lon, node_lat=node_lat, node_osm_id=node_refs[used].astype(np.int64),
        edge_u=edge_u, edge_v=edge_v, edge_length_m=edge_length, edge_way_id=np.asarray(ways, dtype=np.int64),
        geom_ptr=geom_ptr, geom_lon=geom_lon, geom_lat=geom_lat, indptr=indptr, indices=indices,
        weights=weights, meta=meta,
    )
    network.__dict__["geom_cumulative_m"] = cumulative - cumulative[np.repeat(geom_ptr[:-1], np.diff(geom_ptr))]
    return network
