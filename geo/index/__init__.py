"""The spatial index and search over offers (see :class:`OfferIndex`)."""

from geo.index.core import OfferIndex
from geo.index.facets import FACET_COLUMNS, Facet
from geo.index.query import FACET_FIELDS, OfferQuery, SearchResult
from geo.index.sphere import EARTH_RADIUS_M, choose_metric_crs

__all__ = [
    "EARTH_RADIUS_M",
    "FACET_COLUMNS",
    "FACET_FIELDS",
    "Facet",
    "OfferIndex",
    "OfferQuery",
    "SearchResult",
    "choose_metric_crs",
]
