"""What a search asks (:class:`OfferQuery`) and what it answers (:class:`SearchResult`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

# Query fields that select facet values, by facet name (see geo.index.facets).
FACET_FIELDS = {
    "category": "categories",
    "language": "languages",
    "target_group": "target_groups",
    "district": "districts",
    "wheelchair": "wheelchair",
}


@dataclass(frozen=True)
class OfferQuery:
    """One search: filters, an optional place, and a page.

    Facet filters (``categories``, ``languages``, ``target_groups``,
    ``districts``, ``wheelchair``) hold canonical values; several values of one
    facet mean OR, and facets combine with AND. An empty tuple means "any".

    ``near`` is (lat, lon) in WGS84 degrees; with it results are ordered by
    great-circle distance and carry it in metres. ``radius_m`` (needs ``near``)
    keeps offers within that distance; ``bbox`` = (lon_min, lat_min, lon_max,
    lat_max) keeps offers inside the box. Without ``near`` results are ordered
    by name.

    ``text`` must match every word somewhere in name, organisation or
    description. ``open_now`` keeps offers known to be open at ``at`` (default:
    now in the index's time zone). ``include_virtual`` adds offers without a
    place (online offers, and offers whose address could not be located); they
    pass the spatial filters, come after the located ones and have no distance.
    """

    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    wheelchair: tuple[str, ...] = ()
    near: tuple[float, float] | None = None
    radius_m: float | None = None
    bbox: tuple[float, float, float, float] | None = None
    text: str = ""
    open_now: bool = False
    at: datetime | None = None
    include_virtual: bool = False
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        for name in FACET_FIELDS.values():
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(dict.fromkeys(str(v) for v in value)))
        if self.near is not None:
            lat, lon = (float(v) for v in self.near)
            if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"near={self.near!r} is not (lat, lon) with -90<=lat<=90 and -180<=lon<=180")
            object.__setattr__(self, "near", (lat, lon))
        if self.radius_m is not None:
            if self.near is None:
                raise ValueError(f"radius_m={self.radius_m!r} needs a centre: give near=(lat, lon) too")
            radius = float(self.radius_m)
            if not (math.isfinite(radius) and radius >= 0):
                raise ValueError(f"radius_m={self.radius_m!r} must be a finite number of metres >= 0")
            object.__setattr__(self, "radius_m", radius)
        if self.bbox is not None:
            box = tuple(float(v) for v in self.bbox)
            if len(box) != 4 or not all(math.isfinite(v) for v in box):
                raise ValueError(f"bbox={self.bbox!r} must be four finite numbers lon_min, lat_min, lon_max, lat_max")
            lon_min, lat_min, lon_max, lat_max = box
            if not (-180 <= lon_min <= lon_max <= 180 and -90 <= lat_min <= lat_max <= 90):
                raise ValueError(
                    f"bbox={self.bbox!r} must satisfy -180<=lon_min<=lon_max<=180 and -90<=lat_min<=lat_max<=90"
                )
            object.__setattr__(self, "bbox", box)
        if int(self.limit) != self.limit or self.limit < 0:
            raise ValueError(f"limit={self.limit!r} must be a whole number >= 0")
        if int(self.offset) != self.offset or self.offset < 0:
            raise ValueError(f"offset={self.offset!r} must be a whole number >= 0")
        object.__setattr__(self, "limit", int(self.limit))
        object.__setattr__(self, "offset", int(self.offset))

    def facet_values(self, facet: str) -> tuple[str, ...]:
        """The chosen values of ``facet`` ("category", "language", ...)."""
        return getattr(self, FACET_FIELDS[facet])


@dataclass(frozen=True)
class SearchResult:
    """One page of a search.

    ``rows`` are positions in the offers frame the index was built from, in
    result order; ``ids`` the matching offer ids. ``distances_m`` is set when the
    query had ``near`` (NaN for offers without a place). ``total`` counts every
    match, not only this page.
    """

    rows: np.ndarray
    ids: np.ndarray
    distances_m: np.ndarray | None
    total: int
    offset: int
    limit: int
    facets: dict[str, dict[str, int]] | None = field(default=None)

    def __len__(self) -> int:
        return len(self.rows)
