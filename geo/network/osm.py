"""Read the walkable ways of an OpenStreetMap extract with pyosmium, as flat arrays.

One pass over the file: pyosmium keeps node locations in memory and hands each way
with the coordinates of its nodes; the ways that :func:`geo.network.tags.is_walkable`
accepts are kept as runs in flat arrays (node id, lon, lat), which is all
:mod:`geo.network.build` needs. A way cut by the extract's edge (nodes without a
location) is split at the gap, so no edge jumps across missing nodes; a way through a
barrier node that forbids walking (:func:`geo.network.tags.node_blocks`, a locked gate)
is split there the same way, the barrier node left out. Nodes come before ways in an
OSM file, so the barriers are known when the ways arrive.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium

from geo.network.tags import is_area, is_walkable, node_blocks

EXTRACT_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.gz", ".osm.bz2")


class NetworkBuildError(Exception):
    """The extract cannot be read or holds no walkable way; the message names the file."""


@dataclass
class RawWays:
    """Walkable ways as runs in flat arrays: way ``w`` is positions ``ptr[w]:ptr[w+1]``."""

    refs: np.ndarray       # int64 OSM node id per position
    lon: np.ndarray        # float64 degrees
    lat: np.ndarray        # float64 degrees
    ptr: np.ndarray        # int64, len = ways + 1
    way_id: np.ndarray     # int64 OSM way id per way
    area: np.ndarray       # bool per way: a square crossed in any direction (tags.is_area)

    @property
    def n_ways(self) -> int:
        return len(self.way_id)

    def way(self, w: int) -> slice:
        return slice(int(self.ptr[w]), int(self.ptr[w + 1]))


def check_extract(path: str | os.PathLike) -> Path:
    """The extract's path, or :class:`NetworkBuildError` naming what is wrong with it."""
    path = Path(path)
    if not path.is_file():
        raise NetworkBuildError(f"{path}: OSM extract not found")
    if not path.name.lower().endswith(EXTRACT_SUFFIXES):
        raise NetworkBuildError(f"{path}: not an OSM extract; allowed endings: {', '.join(EXTRACT_SUFFIXES)}")
    return path


def read_walkable_ways(path: str | os.PathLike, *, progress: bool | None = None) -> RawWays:
    """The walkable ways of the extract at ``path`` (.osm.pbf, .osm, .osm.gz, .osm.bz2).

    ``progress``: a tqdm counter of ways read on stderr; None shows it only when stderr
    is a terminal.
    """
    from tqdm import tqdm

    path = check_extract(path)
    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    ptr = [0]
    way_ids: list[int] = []
    areas: list[bool] = []

    def close_run(way_id: int, area: bool) -> None:
        if len(refs) - ptr[-1] >= 2:
            ptr.append(len(refs))
            way_ids.append(way_id)
            areas.append(area)
        else:  # a lone node left by a gap is no way
            del refs[ptr[-1]:], lons[ptr[-1]:], lats[ptr[-1]:]

    blocked: set[int] = set()
    processor = (osmium.FileProcessor(str(path)).with_locations()
                 .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY))
                 .with_filter(osmium.filter.KeyFilter("highway", "railway", "public_transport", "man_made",
                                                      "barrier")))
    bar = tqdm(unit=" ways", desc="reading walkable ways", file=sys.stderr,
               disable=None if progress is None else not progress, leave=False)
    try:
        for way in processor:
            if way.is_node():
                if node_blocks(way.tags):
                    blocked.add(way.id)
                continue
            bar.update()
            tags = way.tags
            if not is_walkable(tags):
                continue
            area = is_area(tags, way.is_closed())
            for node in way.nodes:
                location = node.location
                if not location.valid() or node.ref in blocked:
                    close_run(way.id, False)  # an area cut by the extract or a barrier is a line
                    area = False
                    continue
                refs.append(node.ref)
                lons.append(location.lon)
                lats.append(location.lat)
            close_run(way.id, area)
    except RuntimeError as exc:
        hint = "; sort it first with 'osmium sort IN -o OUT'" if "order" in str(exc) else ""
        raise NetworkBuildError(f"{path}: cannot read as OSM data: {exc}{hint}") from None
    finally:
        bar.close()
    if not way_ids:
        raise NetworkBuildError(f"{path}: no walkable way found (highway=footway, residential, ... "
                                f"see docs for the rules)")
    return RawWays(refs=np.asarray(refs, dtype=np.int64), lon=np.asarray(lons, dtype=float),
                   lat=np.asarray(lats, dtype=float), ptr=np.asarray(ptr, dtype=np.int64),
                   way_id=np.asarray(way_ids, dtype=np.int64), area=np.asarray(areas, dtype=bool))
