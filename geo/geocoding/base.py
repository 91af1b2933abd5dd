"""The seam between the importer (and the web app's address search) and geocoding."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol, Sequence

from geo.settings import ConfigError

# status: ok | cached | not_found | outside_area | error
# precision: house | street | postcode | city


@dataclass(frozen=True)
class AddressQuery:
    """An address as the input gave it; any part may be "" (unknown)."""

    street: str = ""
    housenumber: str = ""
    postcode: str = ""
    city: str = ""

    @property
    def text(self) -> str:
        """One-line form, "Marktstraße 5, 67655 Kaiserslautern"."""
        first = " ".join(p for p in (self.street, self.housenumber) if p)
        second = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (first, second) if p)

    @property
    def is_empty(self) -> bool:
        return not (self.street or self.postcode or self.city)


@dataclass(frozen=True)
class GeocodeResult:
    """What geocoding said about one address. lat/lon are None unless status is ok/cached."""

    status: str
    lat: float | None = None
    lon: float | None = None
    precision: str = ""
    provider: str = ""
    message: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def located(self) -> bool:
        return self.status in ("ok", "cached") and self.lat is not None and self.lon is not None


class Geocoder(Protocol):
    """Anything that turns addresses into results, one result per query, same order."""

    def geocode_many(self, queries: Sequence[AddressQuery]) -> list[GeocodeResult]:
        ...


# Precision levels from finest to coarsest; a lower index is a better answer.
PRECISIONS = ("house", "street", "postcode", "city")


@dataclass(frozen=True)
class Answer:
    """One provider's answer before the pipeline judges it: WGS84 position, precision
    (house, street, postcode, city) and a note on how it was found ("" for an exact hit)."""

    lat: float
    lon: float
    precision: str
    message: str = ""


class Provider(Protocol):
    """One geocoding source (offline gazetteer, Nominatim, Photon).

    ``lookup`` and ``lookup_text`` return an :class:`Answer` or raise :class:`NotFound`,
    :class:`ProviderUnavailable` (:class:`RateLimited`) or :class:`GeocodingBlocked`.
    ``online`` providers send the address over the network; their answers are cached.
    """

    name: str
    online: bool

    def lookup(self, query: AddressQuery, *, retries: bool = True) -> Answer:
        ...

    def lookup_text(self, text: str, *, retries: bool = True) -> Answer:
        ...


class GeocodingError(Exception):
    """Base of the errors a geocoding provider or the pipeline raises."""


class NotFound(GeocodingError):
    """The provider has no answer for this address; the message says why (without the address)."""


class ProviderUnavailable(GeocodingError):
    """A temporary failure (timeout, 5xx, connection refused): worth retrying later."""


class RateLimited(ProviderUnavailable):
    """The provider answered 429; ``retry_after`` is its Retry-After in seconds, when it sent one."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class GeocodingBlocked(GeocodingError):
    """The provider refused us (403, usage policy): the whole batch stops.

    ``results`` holds the results of the queries finished before the refusal (in
    query order, possibly fewer than the queries); they are also in the cache, so a
    later run resumes where this one stopped.
    """

    def __init__(self, message: str, provider: str = "", results: list[GeocodeResult] | None = None):
        super().__init__(message)
        self.provider = provider
        self.results = list(results or [])


class GeocodingConfigError(ConfigError, GeocodingError, ValueError):
    """The [geocoding] settings cannot work (unknown provider, missing user_agent or gazetteer).

    Also a ValueError, so callers that treat bad values generically catch it too."""
