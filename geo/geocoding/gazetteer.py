"""The offline address gazetteer: look up addresses in a file built from OpenStreetMap.

The file is SQLite (``angebotskarte gazetteer build`` writes it, see
:mod:`geo.geocoding.gazetteer_build`): safe to open (no pickle), inspectable with any
SQLite tool, and read whole into memory at start, because a town's few ten thousand
addresses fit in a few megabytes and dictionary lookups then take microseconds.

Matching is tolerant the way real spreadsheets need (see :mod:`geo.geocoding.normalise`)
but never guesses across towns: a street that exists in two towns of the extract needs a
postcode or town to decide, and a street that is not in the gazetteer is "not found", not
moved to the middle of its postcode.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from geo.geocoding.base import AddressQuery, Answer, NotFound
from geo.geocoding.normalise import (
    cities_match,
    city_key,
    clean_query,
    loose_street_key,
    parse_address_text,
    parse_housenumber,
    street_key,
)
from geo.text import FOLD_VERSION

# 2: street and town keys built with geo.text.fold, which folds "ä" and "ae" alike. The fold's
# own version is stored too, so that a later change of the fold also asks for a rebuild.
FORMAT_VERSION = 2

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE streets (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, key TEXT NOT NULL, loose_key TEXT NOT NULL,
    city TEXT NOT NULL, city_key TEXT NOT NULL, postcodes TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL);
-- rank: 0 the object's own addr:housenumber, 1 a number its range or list covers,
--       2 a number on an addr:interpolation line
CREATE TABLE houses (
    street_id INTEGER NOT NULL REFERENCES streets(id), key TEXT NOT NULL, number INTEGER,
    rank INTEGER NOT NULL, postcode TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL);
-- kind: postcode | city; towns: city keys a postcode's addresses name (postcodes only)
CREATE TABLE areas (
    kind TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, towns TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL);
CREATE INDEX streets_key ON streets(key);
CREATE INDEX houses_street ON houses(street_id);
"""

# Two neighbouring numbers further apart than this are not interpolated between.
_MAX_INTERPOLATION_GAP_M = 250.0
_MAX_INTERPOLATION_NUMBERS = 20
# An unknown number goes to the nearest known one only when that is this close in numbering;
# a number far beyond the known ones (a typo, a new building) gets the street's middle.
_MAX_NEAREST_NUMBERS = 10


class GazetteerError(Exception):
    """The gazetteer file is missing, not a gazetteer, or of an unknown format version."""


# A gazetteer answer is a provider answer: position, precision and how it was found.
Match = Answer


@dataclass(frozen=True, slots=True)
class _House:
    key: str
    number: int | None
    rank: int
    postcode: str
    lat: float
    lon: float


@dataclass
class _Street:
    id: int
    name: str
    key: str
    city: str
    city_key: str
    postcodes: frozenset[str]
    lat: float
    lon: float
    houses: dict[str, list[_House]] = field(default_factory=lambda: defaultdict(list))
    numbered: list[_House] = field(default_factory=list)


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Equirectangular approximation: exact enough over the few hundred metres it is used for.
    k = math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * 111_320.0 * k, (lat2 - lat1) * 110_574.0)


class Gazetteer:
    """An opened gazetteer file; ``lookup`` and ``lookup_text`` answer from memory.

    Thread-safe for lookups (nothing changes after loading).
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.is_file():
            raise GazetteerError(
                f"{self.path}: gazetteer file not found; build it with "
                f"'angebotskarte gazetteer build EXTRACT --out {self.path}'")
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise GazetteerError(f"{self.path}: cannot open as SQLite: {exc}") from None
        try:
            self.meta = dict(con.execute("SELECT key, value FROM meta"))
            version = self.meta.get("format_version")
            if version != str(FORMAT_VERSION) or self.meta.get("fold_version") != str(FOLD_VERSION):
                # Its keys were made by another normalisation: it would silently match nothing.
                source = self.meta.get("source") or "EXTRACT"
                raise GazetteerError(
                    f"{self.path}: built by an older Angebotskarte (gazetteer format {version!r}, this program "
                    f"reads {FORMAT_VERSION}) and would match no address; rebuild it with "
                    f"'angebotskarte gazetteer build {source} --out {self.path}'")
            self._load(con)
        except sqlite3.DatabaseError as exc:
            raise GazetteerError(f"{self.path}: not a gazetteer file ({exc})") from None
        finally:
            con.close()

    def _load(self, con: sqlite3.Connection) -> None:
        self._streets: dict[int, _Street] = {}
        self._by_key: dict[str, list[_Street]] = defaultdict(list)
        self._by_loose: dict[str, list[_Street]] = defaultdict(list)
        for sid, name, key, loose, city, ckey, pcs, lat, lon in con.execute(
                "SELECT id, name, key, loose_key, city, city_key, postcodes, lat, lon FROM streets"):
            s = _Street(sid, name, key, city, ckey, frozenset(p for p in pcs.split(",") if p), lat, lon)
            self._streets[sid] = s
            self._by_key[key].append(s)
            self._by_loose[loose].append(s)
        for sid, key, number, rank, pc, lat, lon in con.execute(
                "SELECT street_id, key, number, rank, postcode, lat, lon FROM houses ORDER BY rank"):
            h = _House(key, number, rank, pc, lat, lon)
            s = self._streets[sid]
            s.houses[key].append(h)
            if number is not None and rank != 1:
                s.numbered.append(h)
        for s in self._streets.values():
            s.numbered.sort(key=lambda h: (h.number, h.key))
        self._postcodes: dict[str, tuple[float, float, frozenset[str]]] = {}
        self._cities: dict[str, tuple[float, float, str]] = {}
        for kind, key, name, towns, lat, lon in con.execute(
                "SELECT kind, key, name, towns, lat, lon FROM areas"):
            if kind == "postcode":
                self._postcodes[key] = (lat, lon, frozenset(t for t in towns.split(",") if t))
            else:
                self._cities[key] = (lat, lon, name)

    # -- facts -----------------------------------------------------------------------------

    @property
    def address_count(self) -> int:
        return int(self.meta.get("addresses", 0))

    @property
    def street_count(self) -> int:
        return len(self._streets)

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        """lon_min, lat_min, lon_max, lat_max of the indexed addresses."""
        raw = self.meta.get("bbox")
        return tuple(float(v) for v in raw.split(",")) if raw else None  # type: ignore[return-value]

    def street_names(self) -> list[str]:
        """Every street name the gazetteer knows (geo.addresses expands "K.-Marx-Str." with them)."""
        return sorted({s.name for s in self._streets.values()})

    def postcode_towns(self) -> dict[str, frozenset[str]]:
        """Postcode -> the (normalised) towns it serves (geo.addresses restores lost leading zeros)."""
        return {pc: towns for pc, (_lat, _lon, towns) in self._postcodes.items()}

    # -- lookups ---------------------------------------------------------------------------

    def lookup(self, query: AddressQuery) -> Match:
        """Find an address given in parts.

        Raises
        ------
        NotFound
            With the reason (street unknown, ambiguous between towns, …); the message never
            repeats the address itself.
        """
        q = clean_query(query)
        skey = street_key(q.street)
        ckey = city_key(q.city)
        pc = q.postcode
        if not skey:
            return self._area(pc, ckey)
        streets, loose = self._by_key.get(skey, []), False
        if not streets:
            streets, loose = self._by_loose.get(loose_street_key(skey), []), True
        if not streets:
            raise NotFound("street not in the offline gazetteer")
        hn = parse_housenumber(q.housenumber)
        streets = self._choose_town(streets, pc, ckey, hn.keys + hn.fallbacks)
        note = "street name matched loosely" if loose else ""
        match = self._in_street(streets, hn, pc)
        if note:
            return Match(match.lat, match.lon, match.precision, "; ".join(m for m in (note, match.message) if m))
        return match

    def lookup_text(self, text: str) -> Match:
        """Find a one-line address ("Marktstr. 5, 67655 Kaiserslautern", "Marktplatz",
        "67655"). A lone word group is tried as a street first, then as a town."""
        q = parse_address_text(text)
        if q.street or q.postcode:
            return self.lookup(q)
        if not q.city:
            raise NotFound("empty search")
        try:
            return self.lookup(AddressQuery(street=q.city))
        except NotFound:
            return self.lookup(q)

    # -- helpers ---------------------------------------------------------------------------

    def _area(self, pc: str, ckey: str) -> Match:
        if pc:
            found = self._postcodes.get(pc)
            if found is None:
                raise NotFound("postcode not in the offline gazetteer")
            lat, lon, towns = found
            if ckey and towns and not any(cities_match(ckey, t) for t in towns):
                raise NotFound("postcode and town do not belong together in the offline gazetteer")
            return Match(lat, lon, "postcode")
        if ckey:
            for key, (lat, lon, _) in self._cities.items():
                if cities_match(ckey, key):
                    return Match(lat, lon, "city")
            raise NotFound("town not in the offline gazetteer")
        raise NotFound("no street, postcode or town given")

    def _choose_town(self, streets: list[_Street], pc: str, ckey: str, hn_keys) -> list[_Street]:
        """Keep the streets of the one town the query means; refuse to guess between towns."""
        if pc or ckey:
            pc_towns = self._postcodes.get(pc, (0, 0, frozenset()))[2] if pc else frozenset()

            def score(s: _Street) -> int:
                points = 0
                if pc and pc in s.postcodes:
                    points += 3
                elif pc and any(cities_match(s.city_key, t) for t in pc_towns):
                    points += 1  # a wrong postcode of the right town still counts a little
                if ckey and s.city_key and cities_match(ckey, s.city_key):
                    points += 2
                return points

            scores = [score(s) for s in streets]
            best = max(scores)
            if best == 0:
                raise NotFound("street not in that postcode or town in the offline gazetteer")
            streets = [s for s, sc in zip(streets, scores) if sc == best]
        towns = {s.city_key for s in streets}
        if len(towns) > 1 and hn_keys:
            having = [s for s in streets if any(k in s.houses for k in hn_keys)]
            if having:
                streets = having
                towns = {s.city_key for s in streets}
        if len(towns) > 1:
            raise NotFound(f"street exists in {len(towns)} towns; give the postcode or town")
        return streets

    def _in_street(self, streets: list[_Street], hn, pc: str) -> Match:
        """The best position on the chosen street(s) for a parsed house number."""
        if not hn.keys:
            s = streets[0]
            return Match(s.lat, s.lon, "street")
        for keys, note in ((hn.keys, ""), (hn.fallbacks, "house number not found exactly; used {key}")):
            for key in keys:
                houses = [h for s in streets for h in s.houses.get(key, ())]
                if houses:
                    h = _prefer(houses, pc)
                    return Match(h.lat, h.lon, "house", note.format(key=h.key))
        numbered = [h for s in streets for h in s.numbered]
        if pc and any(h.postcode == pc for h in numbered):
            numbered = [h for h in numbered if h.postcode == pc]
        n = hn.number
        if n is not None:
            same = [h for h in numbered if h.number == n]
            if same:
                h = min(same, key=lambda h: (h.rank, h.key))
                return Match(h.lat, h.lon, "house", f"house number not found exactly; used {h.key}")
            between = _interpolate(numbered, n)
            if between is not None:
                return between
            near = [h for h in numbered if abs(h.number - n) <= _MAX_NEAREST_NUMBERS]
            if near:
                h = min(near, key=lambda h: (abs(h.number - n), (h.number - n) % 2, h.rank))
                return Match(h.lat, h.lon, "street",
                             f"house number not in the offline gazetteer; placed at number {h.key}")
        s = streets[0]
        return Match(s.lat, s.lon, "street", "house number not in the offline gazetteer; placed on the street")


def _prefer(houses: list[_House], pc: str) -> _House:
    # Own tag before range/list alias before interpolation line; the query's postcode first.
    return min(houses, key=lambda h: (bool(pc) and h.postcode != pc, h.rank))


def _interpolate(numbered: list[_House], n: int) -> Match | None:
    """Between the nearest lower and higher number on the same side of the street (same
    parity, as German streets are numbered), when they are close in number and on the ground."""
    side = [h for h in numbered if h.number % 2 == n % 2]
    lower = max((h for h in side if h.number < n), key=lambda h: (h.number, -h.rank), default=None)
    higher = min((h for h in side if h.number > n), key=lambda h: (h.number, h.rank), default=None)
    if lower is None or higher is None:
        return None
    if higher.number - lower.number > _MAX_INTERPOLATION_NUMBERS:
        return None
    if _distance_m(lower.lat, lower.lon, higher.lat, higher.lon) > _MAX_INTERPOLATION_GAP_M:
        return None
    f = (n - lower.number) / (higher.number - lower.number)
    return Match(lower.lat + f * (higher.lat - lower.lat), lower.lon + f * (higher.lon - lower.lon), "house",
                 f"interpolated between numbers {lower.key} and {higher.key}")
