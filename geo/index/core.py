"""OfferIndex: answers "which offers match these filters, and which are nearest to here?".

Built once per data version from the store's offers frame and thrown away when
the data changes; queries never touch pandas. See docs/api.md for the meaning
of each filter and docs/benchmarks.md for the measurements behind the choices
made here.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property
from threading import Lock
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from geo.hours import DEFAULT_COUNTRY, DEFAULT_TIMEZONE, OpenNowMask, local_time
from geo.index import bitmaps
from geo.index.arrays import coordinates, text_array
from geo.index.facets import FACET_COLUMNS, Facet
from geo.index.nearest import EMPTY_DIST, EMPTY_ROWS, NearestStrategies, first_by_distance, widen
from geo.index.query import OfferQuery, SearchResult
from geo.index.sphere import (
    chord_distances,
    chord_from_metres,
    choose_metric_crs,
    metres_from_chord,
    point_xyz,
    to_xyz,
)
from geo.index.text import TEXT_COLUMNS, TextSearch
from geo.text import fold


class OfferIndex(NearestStrategies):
    """Search structure over one version of the offers.

    Located offers sit in a k-d tree (scipy cKDTree) of geocentric coordinates,
    so distances are exact great-circle (haversine) metres; facet values are
    packed bitmaps (see :mod:`geo.index.bitmaps`). Build it with
    :meth:`from_offers`; ask with :meth:`search`, :meth:`facet_counts` or the
    shortcuts :meth:`nearest`, :meth:`within`, :meth:`in_bbox`.

    Filtered nearest-k is exact however few offers match; :mod:`geo.index.nearest`
    explains the strategies and holds their thresholds (:attr:`BRUTE_FORCE_MAX` and
    the others), which a subclass may change.
    """

    def __init__(self, offers: Any, lon: np.ndarray, lat: np.ndarray, *, metric_crs: str,
                 timezone: str = DEFAULT_TIMEZONE, country: str = DEFAULT_COUNTRY):
        self._offers = offers
        self.n_rows = n = len(lon)
        self.metric_crs = metric_crs
        self.timezone = timezone
        self.country = country
        self.ids = text_array(offers["id"]) if n else np.array([], dtype=object)
        self.lon = np.asarray(lon, dtype=float)
        self.lat = np.asarray(lat, dtype=float)
        self.located = np.isfinite(self.lon) & np.isfinite(self.lat)
        self.located_bits = bitmaps.pack(self.located)
        self.placeless_bits = bitmaps.pack(~self.located)
        self.all_bits = bitmaps.full(n)
        self.xyz = to_xyz(np.where(self.located, self.lon, 0.0), np.where(self.located, self.lat, 0.0))
        self.xyz[~self.located] = np.nan
        self.tree_rows = np.flatnonzero(self.located).astype(np.intp)
        # balanced_tree=False: builds ~1.6x faster (measured at 100,000 points) and queries as fast.
        self.tree = cKDTree(self.xyz[self.tree_rows], balanced_tree=False) if len(self.tree_rows) else None
        order = np.argsort(self.lon[self.tree_rows], kind="stable")
        self._lon_order = self.tree_rows[order]
        self._lon_sorted = self.lon[self._lon_order]
        self.facets: dict[str, Facet] = {
            name: Facet.from_values(name, offers[column] if column in offers else [""] * n, multi)
            for name, (column, multi) in FACET_COLUMNS.items()
        }
        self._subtrees: dict[str, list[tuple[cKDTree | None, np.ndarray]]] = {}
        for name in self.SUBTREE_FACETS:
            trees = []
            for bitmap in self.facets[name].bitmaps:
                rows = bitmaps.rows(bitmap & self.located_bits, n)
                trees.append((cKDTree(self.xyz[rows], balanced_tree=False) if len(rows) else None, rows))
            self._subtrees[name] = trees
        self._lock = Lock()

    # ------------------------------------------------------------------ building

    @classmethod
    def from_offers(cls, offers: Any, *, metric_crs: str | None = None,
                    bbox: tuple[float, float, float, float] | None = None,
                    timezone: str = DEFAULT_TIMEZONE, country: str = DEFAULT_COUNTRY) -> "OfferIndex":
        """Build the index for an offers GeoDataFrame (EPSG:4326, see geo.schema).

        Parameters
        ----------
        offers
            The store's offers frame. Row positions in it are the ``rows`` of
            every :class:`SearchResult`. Offers whose geometry is missing or
            empty are "without a place" (virtual or not located).
        metric_crs
            CRS for planar metres (:attr:`xy`); None or "" picks the UTM zone
            of ``bbox`` (EPSG:25832 for most of Germany, 25833 east of 12° E).
        bbox
            The area, (lon_min, lat_min, lon_max, lat_max); default: the
            extent of the located offers.
        timezone
            IANA zone in which "open now" is evaluated ([area] timezone).
        """
        lon, lat = coordinates(offers)
        if not metric_crs:
            if bbox is None:
                ok = np.isfinite(lon) & np.isfinite(lat)
                bbox = ((float(lon[ok].min()), float(lat[ok].min()), float(lon[ok].max()), float(lat[ok].max()))
                        if ok.any() else (6.0, 47.0, 12.0, 55.0))
            metric_crs = choose_metric_crs(bbox)
        return cls(offers, lon, lat, metric_crs=metric_crs, timezone=timezone, country=country)

    @cached_property
    def xy(self) -> np.ndarray:
        """(N, 2) planar coordinates in :attr:`metric_crs` (NaN without a place), for area computations."""
        from pyproj import Transformer

        transformer = Transformer.from_crs("EPSG:4326", self.metric_crs, always_xy=True)
        x, y = transformer.transform(self.lon, self.lat)
        return np.column_stack((x, y))

    @cached_property
    def text(self) -> TextSearch:
        """Folded text per offer; built on the first text query, since folding 1M texts takes seconds."""
        columns = [
            text_array(self._offers[c]) if c in self._offers else [""] * self.n_rows
            for c in TEXT_COLUMNS
        ]
        return TextSearch(columns)

    @cached_property
    def hours(self) -> OpenNowMask:
        """Open-now evaluation per offer; built on the first ``open_now`` query."""
        column = self._offers["opening_hours"] if "opening_hours" in self._offers else [""] * self.n_rows
        return OpenNowMask(text_array(column), timezone=self.timezone, country=self.country)

    @cached_property
    def _name_order(self) -> np.ndarray:
        """Rows sorted by folded name, then id: the order of results without ``near``."""
        names = self._offers["name"] if "name" in self._offers else [""] * self.n_rows
        keys = [(fold(name), offer_id) for name, offer_id in zip(text_array(names), self.ids)]
        order = sorted(range(self.n_rows), key=keys.__getitem__)
        return np.asarray(order, dtype=np.intp)

    @cached_property
    def _name_rank(self) -> np.ndarray:
        rank = np.empty(self.n_rows, dtype=np.intp)
        rank[self._name_order] = np.arange(self.n_rows, dtype=np.intp)
        return rank

    @cached_property
    def _row_of_id(self) -> dict[str, int]:
        return {offer_id: row for row, offer_id in enumerate(self.ids)}

    @property
    def offers(self) -> Any:
        """The frame this index was built from; result rows are positions in it."""
        return self._offers

    def distances_m(self, lat: float, lon: float, rows: np.ndarray) -> np.ndarray:
        """Great-circle metres from (lat, lon) to the offers at ``rows`` (NaN without a place)."""
        centre = point_xyz(lon, lat)
        rows = np.asarray(rows, dtype=np.intp)
        return metres_from_chord(chord_distances(self.xyz[rows], centre))

    def row_of(self, offer_id: str) -> int | None:
        """Row position of the offer with this id, or None."""
        return self._row_of_id.get(offer_id)

    def __len__(self) -> int:
        return self.n_rows

    @property
    def nbytes(self) -> int:
        """Approximate memory of the arrays built eagerly (the tree's nodes not included)."""
        arrays = (self.lon, self.lat, self.located, self.xyz, self.tree_rows, self._lon_order,
                  self._lon_sorted, self.located_bits, self.placeless_bits, self.all_bits, self.ids)
        subtree_rows = sum(rows.nbytes for trees in self._subtrees.values() for _tree, rows in trees)
        return int(sum(a.nbytes for a in arrays) + sum(f.nbytes for f in self.facets.values()) + subtree_rows)

    # ------------------------------------------------------------------ asking

    def search(self, query: OfferQuery, *, facets: bool = False) -> SearchResult:
        """One page of offers matching ``query``, in result order, with the total count.

        With ``facets=True`` the result also carries :meth:`facet_counts`.
        """
        k = query.offset + query.limit
        single = self._single_tree(query)
        if single is not None:
            # The commonest question ("nearest offers in Arabic") needs no bitmaps at all:
            # every offer in that language's tree matches.
            tree, tree_rows = single
            total = len(tree_rows)
            rows, chords = (self._nearest_in(tree, tree_rows, self._centre(query), None, min(k, total), total)
                            if total and k else (EMPTY_ROWS, EMPTY_DIST))
            page = slice(query.offset, query.offset + query.limit)
            rows = rows[page]
            return SearchResult(
                rows=rows, ids=self.ids[rows], distances_m=metres_from_chord(chords[page]), total=total,
                offset=query.offset, limit=query.limit, facets=self.facet_counts(query) if facets else None,
            )
        match = self._match_bits(query)
        located = bitmaps.all_of((match, self.located_bits))
        placeless = bitmaps.all_of((match, self.placeless_bits)) if query.include_virtual else None
        distances = None
        if query.near is None and query.bbox is None:
            bits = located if placeless is None else located | placeless
            total = bitmaps.count(bits)
            rows = self._first_in_name_order(bits, min(k, total))
        else:
            rows, chords, total = self._spatial(query, located, k)
            if query.near is not None:
                distances = metres_from_chord(chords)
            if placeless is not None:
                n_placeless = bitmaps.count(placeless)
                total += n_placeless
                if len(rows) < k and n_placeless:
                    extra = self._first_in_name_order(placeless, k - len(rows))
                    rows = np.concatenate((rows, extra))
                    if distances is not None:
                        distances = np.concatenate((distances, np.full(len(extra), np.nan)))
        page = slice(query.offset, query.offset + query.limit)
        rows = rows[page]
        if distances is not None:
            distances = distances[page]
        return SearchResult(
            rows=rows, ids=self.ids[rows], distances_m=distances, total=int(total),
            offset=query.offset, limit=query.limit,
            facets=self.facet_counts(query) if facets else None,
        )

    def count(self, query: OfferQuery) -> int:
        """How many offers match ``query`` (all pages)."""
        return self.search(dataclasses.replace(query, limit=0, offset=0)).total

    def facet_counts(self, query: OfferQuery) -> dict[str, dict[str, int]]:
        """Per facet, how many offers match each of its values under all the *other* filters.

        A user interface shows these next to each option: "Arabic (12)" means
        12 offers would match if Arabic were (also) chosen, given everything
        else that is chosen. Values are those present in the data.
        """
        base = bitmaps.all_of((self._non_facet_bits(query), self._spatial_bits(query)))
        chosen = {name: facet.select(query.facet_values(name)) for name, facet in self.facets.items()}
        counts = {}
        for name, facet in self.facets.items():
            within = bitmaps.all_of([base] + [bits for other, bits in chosen.items() if other != name])
            counts[name] = facet.counts(within)
        return counts

    def nearest(self, lat: float, lon: float, k: int = 10, query: OfferQuery | None = None) -> SearchResult:
        """The ``k`` nearest offers to (lat, lon) matching ``query``'s filters."""
        return self.search(dataclasses.replace(query or OfferQuery(), near=(lat, lon), limit=k, offset=0))

    def within(self, lat: float, lon: float, radius_m: float, query: OfferQuery | None = None) -> SearchResult:
        """Every offer within ``radius_m`` of (lat, lon) matching ``query``'s filters, nearest first."""
        q = dataclasses.replace(query or OfferQuery(), near=(lat, lon), radius_m=radius_m, offset=0, limit=0)
        return self.search(dataclasses.replace(q, limit=self.count(q)))

    def in_bbox(self, bbox: tuple[float, float, float, float], query: OfferQuery | None = None) -> SearchResult:
        """Every offer inside ``bbox`` = (lon_min, lat_min, lon_max, lat_max) matching the filters."""
        q = dataclasses.replace(query or OfferQuery(), bbox=bbox, offset=0, limit=0)
        return self.search(dataclasses.replace(q, limit=self.count(q)))

    def matching_rows(self, query: OfferQuery) -> np.ndarray:
        """Rows of every *located* offer matching ``query``'s filters, radius and bbox, in no particular order.

        For aggregations that need all matches but no order (the map's
        viewport clusters): it skips the sorting :meth:`search` does.
        ``limit``, ``offset`` and ``include_virtual`` are ignored.
        """
        located = bitmaps.all_of((self._match_bits(query), self.located_bits))
        if query.radius_m is None and query.bbox is None:
            return bitmaps.rows(located, self.n_rows)
        rows, _chords = self._spatial_rows(query, located)
        return rows

    # ------------------------------------------------------------------ filters

    def _non_facet_bits(self, query: OfferQuery) -> np.ndarray | None:
        """Text, open-now and place filters (everything but facets and the spatial part)."""
        parts = [None if query.include_virtual else self.located_bits]
        if query.text.strip():
            parts.append(self.text.match(query.text))
        if query.open_now:
            parts.append(self._open_bits(query))
        return bitmaps.all_of(parts)

    def _match_bits(self, query: OfferQuery) -> np.ndarray:
        parts = [self._non_facet_bits(query)]
        parts.extend(facet.select(query.facet_values(name)) for name, facet in self.facets.items())
        result = bitmaps.all_of(parts)
        return self.all_bits if result is None else result

    def _open_bits(self, query: OfferQuery) -> np.ndarray:
        minute = local_time(query.at, self.timezone).replace(second=0, microsecond=0)
        with self._lock:
            cache = self.__dict__.setdefault("_open_cache", {})
            hit = cache.get(minute)
        if hit is None:
            hit = bitmaps.pack(self.hours.open_at(minute))
            with self._lock:
                if len(cache) > 8:
                    cache.clear()
                cache[minute] = hit
        return hit

    def _spatial_bits(self, query: OfferQuery) -> np.ndarray | None:
        """Offers passing the radius / bbox part of ``query`` (None: no spatial restriction)."""
        if query.radius_m is None and query.bbox is None:
            return None
        rows, _chords = self._spatial_rows(query, self.located_bits)
        bits = bitmaps.from_rows(rows, self.n_rows)
        return bits | self.placeless_bits if query.include_virtual else bits

    # ------------------------------------------------------------------ spatial

    def _centre(self, query: OfferQuery) -> np.ndarray:
        lat, lon = query.near  # type: ignore[misc]  # near is (lat, lon), point_xyz takes lon first
        return point_xyz(lon, lat)

    def _spatial(self, query: OfferQuery, bits: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, int]:
        """The first ``k`` located rows of ``bits`` passing the spatial part of ``query``, in order.

        Returns (rows, chord distances -- empty when there is no ``near`` --, total).
        """
        if query.near is not None and query.radius_m is None and query.bbox is None:
            total = bitmaps.count(bits)
            rows, chords = self._nearest(self._centre(query), bits, min(k, total), total, query)
            return rows, chords, total
        rows, chords = self._spatial_rows(query, bits)
        total = len(rows)
        if chords is not None:
            rows, chords = first_by_distance(rows, chords, min(k, total))
            return rows, chords, total
        return self._first_by_name(rows, min(k, total)), EMPTY_DIST, total

    def _spatial_rows(self, query: OfferQuery, bits: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """All located rows of ``bits`` inside the radius and/or bbox, unordered, with chords if ``near``."""
        if query.radius_m is not None:
            rows, chords = self._within_radius(self._centre(query), chord_from_metres(query.radius_m), bits)
            if query.bbox is not None:
                inside = self._inside_bbox(rows, query.bbox)
                rows, chords = rows[inside], chords[inside]
            return rows, chords
        rows = self._bbox_rows(query.bbox)  # type: ignore[arg-type]
        rows = rows[bitmaps.test(bits, rows)]
        return rows, (chord_distances(self.xyz[rows], self._centre(query)) if query.near is not None else None)

    def _within_radius(self, centre: np.ndarray, chord: float, bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        matches = bitmaps.count(bits)
        if matches <= self.BRUTE_FORCE_MAX or self.tree is None:
            rows = bitmaps.rows(bits, self.n_rows)
        else:
            positions = np.asarray(self.tree.query_ball_point(centre, widen(chord)), dtype=np.intp)
            rows = self.tree_rows[positions]
            rows = rows[bitmaps.test(bits, rows)]
        chords = chord_distances(self.xyz[rows], centre)
        inside = chords <= chord
        return rows[inside], chords[inside]

    def _bbox_rows(self, bbox: tuple[float, float, float, float]) -> np.ndarray:
        lon_min, lat_min, lon_max, lat_max = bbox
        start = np.searchsorted(self._lon_sorted, lon_min, side="left")
        stop = np.searchsorted(self._lon_sorted, lon_max, side="right")
        rows = self._lon_order[start:stop]
        lat = self.lat[rows]
        return rows[(lat >= lat_min) & (lat <= lat_max)]

    def _inside_bbox(self, rows: np.ndarray, bbox: tuple[float, float, float, float]) -> np.ndarray:
        lon_min, lat_min, lon_max, lat_max = bbox
        lon, lat = self.lon[rows], self.lat[rows]
        return (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)

    # ------------------------------------------------------------------ ordering

    def _first_in_name_order(self, bits: np.ndarray, k: int) -> np.ndarray:
        if k <= 0:
            return EMPTY_ROWS
        order = self._name_order
        return order[bitmaps.unpack(bits, self.n_rows)[order]][:k]

    def _first_by_name(self, rows: np.ndarray, k: int) -> np.ndarray:
        if k <= 0 or not len(rows):
            return EMPTY_ROWS
        rank = self._name_rank[rows]
        if k < len(rows):
            part = np.argpartition(rank, k - 1)[:k]
            rows, rank = rows[part], rank[part]
        return rows[np.argsort(rank, kind="stable")]
