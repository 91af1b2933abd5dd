"""Build the offline address gazetteer from an OpenStreetMap extract.

``build_gazetteer(extract, out)`` reads an .osm.pbf, .osm or .osm.gz file with pyosmium and
writes one SQLite file (see :mod:`geo.geocoding.gazetteer` for its layout and for lookups):

* every node, building or area with ``addr:housenumber`` (areas by their centroid, which
  pyosmium assembles from closed ways and multipolygon relations),
* the numbers along ``addr:interpolation`` lines between two addressed nodes,
* named ``highway=*`` ways, so a street without house numbers can still be found,
* ``place=*`` nodes for town-level answers.

Addresses missing ``addr:postcode`` or ``addr:city`` borrow them from their neighbours,
so a query with a postcode still finds them.
"""

from __future__ import annotations

import math
import os
import sqlite3
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import osmium
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiLineString, Point

from geo.geocoding.gazetteer import FORMAT_VERSION, SCHEMA
from geo.geocoding.normalise import city_key, index_housenumber_keys, loose_street_key, parse_housenumber, street_key
from geo.text import FOLD_VERSION

EXTRACT_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.gz", ".osm.bz2")

# How far (metres) an address may borrow a missing postcode or town from a neighbour.
_BORROW_POSTCODE_M = 300.0
_BORROW_CITY_M = 1500.0
# How far a named street way may lie from that street's addresses and still belong to them.
_WAY_TO_STREET_M = 1000.0
# Interpolation lines spanning more numbers than this are treated as mapping errors.
_MAX_INTERPOLATION_SPAN = 200
_PLACE_TYPES = ("city", "town", "village", "suburb", "hamlet", "quarter", "borough")


class GazetteerBuildError(Exception):
    """The extract cannot be read or holds no addresses; the message names the file."""


@dataclass
class BuildStats:
    """What a build found; printed by ``angebotskarte gazetteer build``."""

    addresses: int = 0
    interpolated: int = 0
    streets: int = 0
    street_ways: int = 0
    postcodes: int = 0
    cities: int = 0
    skipped_without_street: int = 0
    seconds: float = 0.0
    bbox: tuple[float, float, float, float] | None = None


@dataclass
class _Addr:
    street: str
    housenumber: str
    postcode: str
    city: str
    lon: float
    lat: float


@dataclass
class _Collected:
    addrs: list[_Addr] = field(default_factory=list)
    node_addr: dict[int, int] = field(default_factory=dict)  # node id -> index in addrs
    way_addr: dict[int, int] = field(default_factory=dict)  # closed way id -> index in addrs
    interpolations: list[tuple[str, list[tuple[int, float, float]]]] = field(default_factory=list)
    street_ways: list[tuple[str, list[tuple[float, float]]]] = field(default_factory=list)
    places: list[tuple[str, str, float, float]] = field(default_factory=list)
    skipped: int = 0


class _Reader(osmium.SimpleHandler):
    """Collects what the gazetteer needs in one pass (pyosmium adds a second for areas)."""

    def __init__(self) -> None:
        super().__init__()
        self.c = _Collected()
        self._wkb = osmium.geom.WKBFactory()

    def _add(self, tags, lon: float, lat: float) -> int | None:
        street = tags.get("addr:street") or tags.get("addr:place") or ""
        if not street.strip():
            self.c.skipped += 1
            return None
        self.c.addrs.append(_Addr(street.strip(), tags.get("addr:housenumber", "").strip(),
                                  tags.get("addr:postcode", "").strip(), tags.get("addr:city", "").strip(),
                                  lon, lat))
        return len(self.c.addrs) - 1

    def node(self, n) -> None:
        tags = n.tags
        if "addr:housenumber" in tags:
            i = self._add(tags, n.location.lon, n.location.lat)
            if i is not None:
                self.c.node_addr[n.id] = i
        if "place" in tags and "name" in tags and tags["place"] in _PLACE_TYPES:
            self.c.places.append((tags["place"], tags["name"], n.location.lon, n.location.lat))

    def way(self, w) -> None:
        tags = w.tags
        has_hn = "addr:housenumber" in tags
        is_street = "highway" in tags and "name" in tags
        is_interp = "addr:interpolation" in tags
        if not (has_hn or is_street or is_interp):
            return
        # Nodes cut off by the extract's edge have no location; skip them.
        pts = [(nd.ref, nd.location.lon, nd.location.lat) for nd in w.nodes if nd.location.valid()]
        if not pts:
            return
        if has_hn:
            # Mean of the vertices for now; area() replaces it with the true centroid for
            # closed ways that form a valid polygon.
            ring = pts[:-1] if len(pts) > 2 and pts[0][0] == pts[-1][0] else pts
            i = self._add(tags, sum(p[1] for p in ring) / len(ring), sum(p[2] for p in ring) / len(ring))
            if i is not None and w.is_closed():
                self.c.way_addr[w.id] = i
        if is_street and len(pts) >= 2:
            self.c.street_ways.append((tags["name"], [(p[1], p[2]) for p in pts]))
        if is_interp:
            self.c.interpolations.append((tags["addr:interpolation"], pts))

    def area(self, a) -> None:
        if "addr:housenumber" not in a.tags:
            return
        try:
            geom = shapely.from_wkb(self._wkb.create_multipolygon(a))
        except Exception:  # noqa: BLE001 - a broken ring keeps the vertex mean from way()
            return
        if geom.is_empty:
            return
        c = geom.centroid
        if a.from_way():
            i = self.c.way_addr.get(a.orig_id())
            if i is not None:
                self.c.addrs[i].lon, self.c.addrs[i].lat = c.x, c.y
        else:
            self._add(a.tags, c.x, c.y)


def _metric(lon: np.ndarray, lat: np.ndarray, lat0: float) -> np.ndarray:
    # Local equirectangular projection: accurate to well under 1 % across a town, and
    # enough for "nearest neighbour within a few hundred metres".
    k = math.cos(math.radians(lat0))
    return np.column_stack((np.asarray(lon) * 111_320.0 * k, np.asarray(lat) * 110_574.0))


def _borrow_missing(addrs: list[_Addr], lat0: float) -> None:
    """Fill missing postcodes and towns from the nearest neighbours that have them."""
    if not addrs:
        return
    xy = _metric(np.array([a.lon for a in addrs]), np.array([a.lat for a in addrs]), lat0)
    for attr, radius in (("postcode", _BORROW_POSTCODE_M), ("city", _BORROW_CITY_M)):
        have = np.array([bool(getattr(a, attr)) for a in addrs])
        if have.all() or not have.any():
            continue
        idx_have = np.flatnonzero(have)
        tree = cKDTree(xy[idx_have])
        missing = np.flatnonzero(~have)
        # Prefer a neighbour on the same street: ask for a few and take the first match.
        k = min(8, len(idx_have))
        dist, nn = tree.query(xy[missing], k=k, distance_upper_bound=radius)
        dist, nn = np.atleast_2d(dist).reshape(len(missing), k), np.atleast_2d(nn).reshape(len(missing), k)
        for row, i in enumerate(missing):
            same_street = None
            nearest = None
            for d, j in zip(dist[row], nn[row]):
                if not np.isfinite(d):
                    break
                cand = addrs[idx_have[j]]
                nearest = nearest or cand
                if street_key(cand.street) == street_key(addrs[i].street):
                    same_street = cand
                    break
            donor = same_street or nearest
            if donor is not None:
                setattr(addrs[i], attr, getattr(donor, attr))
    # A town still missing but a postcode known: the town most addresses with it have.
    by_pc: dict[str, Counter] = defaultdict(Counter)
    for a in addrs:
        if a.postcode and a.city:
            by_pc[a.postcode][a.city] += 1
    for a in addrs:
        if not a.city and a.postcode in by_pc:
            a.city = by_pc[a.postcode].most_common(1)[0][0]


def _interpolate(c: _Collected) -> list[_Addr]:
    """Addresses along addr:interpolation lines, between consecutive addressed nodes."""
    out: list[_Addr] = []
    for kind, pts in c.interpolations:
        step = {"odd": 2, "even": 2, "all": 1}.get(kind, 0)
        if not step:
            continue  # "alphabetic" and free-text values are too rare to be worth guessing
        anchors = [(k, c.addrs[c.node_addr[ref]]) for k, (ref, _, _) in enumerate(pts) if ref in c.node_addr]
        for (k1, a1), (k2, a2) in zip(anchors, anchors[1:]):
            n1, n2 = parse_housenumber(a1.housenumber).number, parse_housenumber(a2.housenumber).number
            if n1 is None or n2 is None or n1 == n2 or abs(n2 - n1) > _MAX_INTERPOLATION_SPAN:
                continue
            if street_key(a1.street) != street_key(a2.street):
                continue
            line = LineString([(p[1], p[2]) for p in pts[k1:k2 + 1]])
            if line.length == 0:
                continue
            direction = 1 if n2 > n1 else -1
            for n in range(n1 + direction * step, n2, direction * step):
                p = line.interpolate((n - n1) / (n2 - n1), normalized=True)
                out.append(_Addr(a1.street, str(n), a1.postcode or a2.postcode, a1.city or a2.city, p.x, p.y))
    return out


def _medoid(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The member point closest to the mean: a representative that lies on real ground."""
    arr = np.asarray(points)
    mean = arr.mean(axis=0)
    return tuple(arr[np.argmin(((arr - mean) ** 2).sum(axis=1))])  # type: ignore[return-value]


def build_gazetteer(extract: str | os.PathLike, out: str | os.PathLike) -> BuildStats:
    """Read an OSM extract and write the gazetteer file ``out`` (replaced atomically).

    Raises
    ------
    GazetteerBuildError
        When the extract is missing, not an OSM file, or holds no addresses.
    """
    started = time.perf_counter()
    extract, out = Path(extract), Path(out)
    if not extract.is_file():
        raise GazetteerBuildError(f"{extract}: OSM extract not found")
    if not extract.name.lower().endswith(EXTRACT_SUFFIXES):
        raise GazetteerBuildError(
            f"{extract}: not an OSM extract; allowed endings: {', '.join(EXTRACT_SUFFIXES)}")
    reader = _Reader()
    try:
        reader.apply_file(str(extract), locations=True)
    except RuntimeError as exc:
        hint = "; sort it first with 'osmium sort IN -o OUT'" if "order" in str(exc) else ""
        raise GazetteerBuildError(f"{extract}: cannot read as OSM data: {exc}{hint}") from None
    c = reader.c
    if not c.addrs:
        raise GazetteerBuildError(f"{extract}: no objects with addr:housenumber and addr:street found")

    lat0 = float(np.median([a.lat for a in c.addrs]))
    _borrow_missing(c.addrs, lat0)
    interpolated = _interpolate(c)
    stats = BuildStats(addresses=len(c.addrs), interpolated=len(interpolated),
                       skipped_without_street=c.skipped)

    # Streets are (street key, town): the same name in two towns is two streets.
    streets: dict[tuple[str, str], dict] = {}

    def street_for(name: str, city: str) -> dict:
        key = (street_key(name), city_key(city))
        s = streets.get(key)
        if s is None:
            s = streets[key] = {"name": name, "city": city, "houses": [], "ways": [], "names": Counter()}
        s["names"][name] += 1
        return s

    for rank_base, group in ((0, c.addrs), (2, interpolated)):
        for a in group:
            keys = index_housenumber_keys(a.housenumber)
            if not keys:
                continue
            s = street_for(a.street, a.city)
            number = parse_housenumber(a.housenumber).number
            for key, rank in keys:
                s["houses"].append((key, number if rank == 0 else parse_housenumber(key).number,
                                    max(rank, rank_base), a.postcode, a.lon, a.lat))

    _attach_ways(c, streets, street_for, lat0)
    stats.street_ways = len(c.street_ways)

    all_pts = [(a.lon, a.lat) for a in c.addrs]
    lons, lats = [p[0] for p in all_pts], [p[1] for p in all_pts]
    stats.bbox = (min(lons), min(lats), max(lons), max(lats))

    tmp = out.with_name(out.name + ".tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp.unlink(missing_ok=True)
    try:
        _write_file(tmp, streets, c, stats, extract.name)
        os.replace(tmp, out)
    except BaseException:
        # A half-written file must not linger next to (or instead of) a good one.
        tmp.unlink(missing_ok=True)
        raise
    stats.seconds = time.perf_counter() - started
    return stats


def _write_file(path: Path, streets: dict, c: _Collected, stats: BuildStats, source: str) -> None:
    con = sqlite3.connect(path)
    try:
        con.executescript(SCHEMA)
        for sid, ((skey, ckey), s) in enumerate(sorted(streets.items()), start=1):
            name = s["names"].most_common(1)[0][0]
            lon, lat = _street_point(s)
            postcodes = sorted({h[3] for h in s["houses"] if h[3]})
            con.execute("INSERT INTO streets VALUES (?,?,?,?,?,?,?,?,?)",
                        (sid, name, skey, loose_street_key(skey), s["city"], ckey, ",".join(postcodes), lat, lon))
            con.executemany("INSERT INTO houses VALUES (?,?,?,?,?,?,?)",
                            [(sid, key, number, rank, pc, lat_, lon_) for key, number, rank, pc, lon_, lat_ in s["houses"]])
        stats.streets = len(streets)
        stats.postcodes, stats.cities = _write_areas(con, c)
        meta = {
            "format_version": str(FORMAT_VERSION),
            "fold_version": str(FOLD_VERSION),
            "source": source,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "addresses": str(stats.addresses),
            "interpolated": str(stats.interpolated),
            "streets": str(stats.streets),
            "bbox": ",".join(f"{v:.6f}" for v in stats.bbox),
        }
        con.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        con.commit()
    finally:
        con.close()


def _attach_ways(c: _Collected, streets: dict, street_for, lat0: float) -> None:
    """Give every named street way to the street of the same name whose addresses are
    nearest; a way far from all of them becomes (part of) a street of its own, in the town
    of the nearest address."""
    if not c.addrs:
        return
    all_xy = _metric(np.array([a.lon for a in c.addrs]), np.array([a.lat for a in c.addrs]), lat0)
    all_tree = cKDTree(all_xy)
    by_key: dict[str, list[tuple[dict, cKDTree]]] = defaultdict(list)
    for (skey, _), s in streets.items():
        pts = [(h[4], h[5]) for h in s["houses"]]
        if pts:
            arr = np.array(pts)
            by_key[skey].append((s, cKDTree(_metric(arr[:, 0], arr[:, 1], lat0))))
    for name, coords in c.street_ways:
        arr = np.array(coords)
        xy = _metric(arr[:, 0], arr[:, 1], lat0)
        best, best_d = None, _WAY_TO_STREET_M
        for s, tree in by_key.get(street_key(name), ()):
            d = float(tree.query(xy, k=1)[0].min())
            if d < best_d:
                best, best_d = s, d
        if best is None:
            d, i = all_tree.query(xy.mean(axis=0), k=1)
            city = c.addrs[int(i)].city if np.isfinite(d) and d < 2 * _WAY_TO_STREET_M else ""
            best = street_for(name, city)
        best["ways"].append(coords)


def _street_point(s: dict) -> tuple[float, float]:
    """Where a street-level answer points: on the street line, nearest to the middle of its
    addresses (or of the line itself); without a line, the middle address."""
    houses = [(h[4], h[5]) for h in s["houses"]]
    if s["ways"]:
        lines = MultiLineString([LineString(w) for w in s["ways"]])
        target = Point(np.mean(houses, axis=0)) if houses else lines.centroid
        p = lines.interpolate(lines.project(target))
        return p.x, p.y
    return _medoid(houses)


def _write_areas(con: sqlite3.Connection, c: _Collected) -> tuple[int, int]:
    """Representative points of postcodes and towns (for queries without a street)."""
    by_pc: dict[str, list] = defaultdict(list)
    by_city: dict[str, list] = defaultdict(list)
    city_names: dict[str, Counter] = defaultdict(Counter)
    pc_cities: dict[str, Counter] = defaultdict(Counter)
    for a in c.addrs:
        if a.postcode:
            by_pc[a.postcode].append((a.lon, a.lat))
            if a.city:
                pc_cities[a.postcode][city_key(a.city)] += 1
        if a.city:
            by_city[city_key(a.city)].append((a.lon, a.lat))
            city_names[city_key(a.city)][a.city] += 1
    rows = []
    for pc, pts in by_pc.items():
        lon, lat = _medoid(pts)
        rows.append(("postcode", pc, pc, ",".join(sorted(pc_cities[pc])), lat, lon))
    # A place node of the town's name beats the middle of its addresses (it marks the centre).
    place_rank = {t: i for i, t in enumerate(_PLACE_TYPES)}
    places: dict[str, tuple[int, float, float, str]] = {}
    for kind, name, lon, lat in c.places:
        k = city_key(name)
        if k not in places or place_rank[kind] < places[k][0]:
            places[k] = (place_rank[kind], lon, lat, name)
    for ck, pts in by_city.items():
        if ck in places:
            _, lon, lat, _ = places[ck]
        else:
            lon, lat = _medoid(pts)
        rows.append(("city", ck, city_names[ck].most_common(1)[0][0], "", lat, lon))
    con.executemany("INSERT INTO areas VALUES (?,?,?,?,?,?)", rows)
    return len(by_pc), len(by_city)
