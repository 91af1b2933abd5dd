"""Tiny OpenStreetMap worlds for the walking-network tests, drawn in metres.

A world is nodes at (x, y) metres east/north of a point in Kaiserslautern and ways
over them with tags; :func:`write_osm` writes it as OSM XML (.osm or .osm.gz) that
pyosmium reads like any extract. :func:`path_m` gives the great-circle length of a
polyline through nodes, the exact walking distance the network must report for it.
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

from geo.network.measure import haversine_m

ORIGIN_LON, ORIGIN_LAT = 7.75, 49.44
_M_PER_DEG_LAT = 111_194.9
_M_PER_DEG_LON = _M_PER_DEG_LAT * math.cos(math.radians(ORIGIN_LAT))


def at(x: float, y: float) -> tuple[float, float]:
    """(lon, lat) of the point x metres east and y metres north of the origin (7 decimals, as OSM stores)."""
    return round(ORIGIN_LON + x / _M_PER_DEG_LON, 7), round(ORIGIN_LAT + y / _M_PER_DEG_LAT, 7)


def write_osm(path: Path, nodes: dict[int, tuple[float, float]], ways: list[tuple[int, list[int], dict]],
              node_tags: dict[int, dict] | None = None) -> Path:
    """Write nodes {id: (x, y)} and ways [(id, [node ids], {tag: value})] as an OSM XML file.

    ``node_tags`` gives tags of some nodes ({id: {tag: value}}), e.g. barriers.
    """
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="angebotskarte tests">']
    for node_id, (x, y) in sorted(nodes.items()):
        lon, lat = at(x, y)
        tags = (node_tags or {}).get(node_id)
        if not tags:
            lines.append(f'  <node id="{node_id}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
            continue
        lines.append(f'  <node id="{node_id}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">')
        lines.extend(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        lines.append("  </node>")
    for way_id, refs, tags in ways:
        lines.append(f'  <way id="{way_id}" version="1">')
        lines.extend(f'    <nd ref="{ref}"/>' for ref in refs)
        lines.extend(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        lines.append("  </way>")
    lines.append("</osm>")
    text = "\n".join(lines) + "\n"
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def path_m(nodes: dict[int, tuple[float, float]], refs: list[int]) -> float:
    """Great-circle metres along the polyline through ``refs`` (node coordinates as written)."""
    lonlat = np.array([at(*nodes[r]) for r in refs])
    return float(haversine_m(lonlat[:-1, 0], lonlat[:-1, 1], lonlat[1:, 0], lonlat[1:, 1]).sum())


def point_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle metres between two (x, y) points of the world."""
    (lon1, lat1), (lon2, lat2) = at(*a), at(*b)
    return float(haversine_m(lon1, lat1, lon2, lat2))


def river_town() -> tuple[dict, list]:
    """Two streets on either bank of a river, one footbridge at x = 200, a railway in the west.

    South street y = -50 and north street y = +50 run from x = -400 to 400. At x = -450
    a railway runs north-south; the only way to the west street (x = -500) is a footway
    under it (tunnel) from the north street's west end. A road bridge (x = -430) passes
    over that footway without a shared node: it does not connect to it. A footway
    shortcut with ``foot=no`` (x = 0) and a private service road (x = -200) cross the
    river too, a motorway (x = 380) as well; none of them may be walked. Steps lead up
    from the north street's east end. A footway loop on an island in the river connects
    to nothing.
    """
    nodes = {
        # south street
        1: (-400, -50), 2: (-200, -50), 3: (0, -50), 4: (200, -50), 5: (400, -50),
        # north street
        11: (-400, 50), 12: (-200, 50), 13: (0, 50), 14: (200, 50), 15: (400, 50),
        # river (not walkable)
        21: (-500, 0), 22: (500, 0),
        # forbidden crossings: foot=no at x=0, private service road at x=-200
        31: (0, -45), 32: (0, 45),
        # steps from the north street up to a lookout
        41: (400, 80), 42: (400, 120),
        # island loop in the river
        51: (-100, -10), 52: (-80, -10), 53: (-80, 10), 54: (-100, 10),
        # railway west of the town, a tunnel footway under it, the west street, a road bridge
        61: (-450, -200), 62: (-450, 200),
        71: (-500, 20), 72: (-400, 20),
        91: (-500, -150), 92: (-500, 150),
        93: (-430, -30), 94: (-430, 70),
        # motorway shortcut (no foot tag)
        81: (380, -50), 82: (380, 50),
    }
    ways = [
        (101, [1, 2, 3, 4, 5], {"highway": "residential", "name": "Südufer"}),
        (102, [11, 12, 13, 14, 15], {"highway": "residential", "name": "Nordufer"}),
        (103, [4, 14], {"highway": "footway", "bridge": "yes", "name": "Steg"}),
        (104, [21, 22], {"waterway": "river"}),
        (105, [3, 31, 32, 13], {"highway": "footway", "foot": "no"}),
        (106, [2, 12], {"highway": "service", "access": "private"}),
        (107, [15, 41, 42], {"highway": "steps"}),
        (108, [51, 52, 53, 54, 51], {"highway": "footway"}),
        (109, [61, 62], {"railway": "rail"}),
        (110, [71, 72, 11], {"highway": "footway", "tunnel": "yes", "layer": "-1"}),
        (111, [81, 82], {"highway": "motorway"}),
        (112, [91, 71, 92], {"highway": "residential", "name": "Westweg"}),
        (113, [93, 94], {"highway": "tertiary", "bridge": "yes", "layer": "1"}),
    ]
    return nodes, ways
