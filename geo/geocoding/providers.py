"""The geocoding providers: offline gazetteer, Nominatim and Photon (the latter two via geopy).

Each provider is one small class with ``lookup(query)`` and ``lookup_text(text)``. geopy's
errors are mapped to ours so the pipeline can act on them:

=============================================  ===========================================
geopy / HTTP                                    ours
=============================================  ===========================================
no result                                       :class:`NotFound`
429 (GeocoderRateLimited, with Retry-After)     :class:`RateLimited` (retried after the wait)
timeout, 5xx, connection refused, bad JSON      :class:`ProviderUnavailable` (retried, back-off)
403, 401, 402 (usage policy, key, quota)        :class:`GeocodingBlocked` (the batch stops)
400 and other query errors                      :class:`NotFound` (the provider rejected it)
=============================================  ===========================================

Privacy: error messages of geopy and requests contain the request URL, i.e. the address;
they are never copied into our messages or logs, and the loggers of geopy, urllib3 and
requests (which print URLs at DEBUG) are raised to WARNING.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from geopy import exc as gexc
from geopy.adapters import RequestsAdapter, URLLibAdapter
from geopy.geocoders import Nominatim, Photon
from geopy.geocoders.base import _DEFAULT_USER_AGENT

from geo.geocoding.base import (
    AddressQuery,
    Answer,
    GeocodingBlocked,
    GeocodingConfigError,
    NotFound,
    ProviderUnavailable,
    RateLimited,
)
from geo.geocoding.gazetteer import Gazetteer
from geo.geocoding.normalise import clean_query, parse_housenumber
from geo.geocoding.politeness import Politeness

PUBLIC_NOMINATIM_HOST = "nominatim.openstreetmap.org"
# Sample agents from geopy's docs, which the public Nominatim blocks.
_REJECTED_AGENTS = {"", _DEFAULT_USER_AGENT.lower(), "my-application", "my_app/1", "my_user_agent/1.0",
                    "specify_your_app_name_here", "geopy"}
_HOUSE_CLASSES = {"building", "amenity", "shop", "office", "tourism", "craft", "healthcare", "leisure",
                  "historic", "man_made", "railway", "public_transport", "club", "emergency"}
_CITY_TYPES = {"city", "town", "village", "hamlet", "suburb", "municipality", "city_district", "quarter",
               "neighbourhood", "county", "state", "borough", "district", "locality", "isolated_dwelling",
               "country", "region"}


def mute_url_logging() -> None:
    """Keep request URLs (which contain addresses) out of any log, whatever the app's level.

    geopy logs every URL at DEBUG, urllib3 every request line and retry; raising these
    library loggers to WARNING also silences their child loggers ("urllib3.connectionpool",
    "urllib3.util.retry", …), which a filter on the parent would not.
    """
    for name in ("geopy", "urllib3", "requests"):
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def _adapter_without_retries(*, proxies, ssl_context):
    # geopy's requests adapter retries on its own (urllib3 Retry(total=2)), and then sleeps
    # for a 429's Retry-After with the real clock. All retries belong to Politeness, which
    # counts them, backs off and can be tested on a fake clock. Without requests installed,
    # geopy's urllib adapter (which never retries) does the same job.
    if RequestsAdapter.is_available:
        return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)
    return URLLibAdapter(proxies=proxies, ssl_context=ssl_context)


def check_user_agent(user_agent: str, provider: str) -> str:
    """The configured User-Agent, or a :class:`GeocodingConfigError` saying why it is refused."""
    agent = (user_agent or "").strip()
    if agent.lower() in _REJECTED_AGENTS or agent.lower().startswith("geopy/"):
        shown = f"{agent!r}" if agent else "empty"
        raise GeocodingConfigError(
            f"[geocoding] user_agent is {shown}: the {provider} provider needs a User-Agent that names "
            "your deployment and a contact, e.g. \"angebotskarte-kaiserslautern (integration@example.org)\"; "
            "the public services block geopy's default and sample agents "
            "(https://operations.osmfoundation.org/policies/nominatim/)")
    return agent


def split_service_url(url: str, key: str) -> tuple[str, str]:
    """("https", "host[:port][/path]") from a service URL as geopy wants it."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GeocodingConfigError(
            f"[geocoding] {key} = {url!r} is not a service URL; allowed: http:// or https:// with a host, "
            "e.g. \"https://nominatim.openstreetmap.org\"")
    return parts.scheme, (parts.netloc + parts.path).rstrip("/")


def _provider_call(name: str, request):
    """Run a geopy request, translating geopy's errors into ours (without their messages,
    which contain the URL and so the address)."""
    try:
        return request()
    except gexc.GeocoderRateLimited as exc:
        raise RateLimited(f"{name}: too many requests (HTTP 429)", exc.retry_after) from None
    except gexc.GeocoderInsufficientPrivileges:
        raise GeocodingBlocked(
            f"{name} refused the request (HTTP 403): blocked by the provider's usage policy", name) from None
    except (gexc.GeocoderAuthenticationFailure, gexc.GeocoderQuotaExceeded):
        raise GeocodingBlocked(f"{name} refused the request (authentication or quota)", name) from None
    except gexc.GeocoderTimedOut:
        raise ProviderUnavailable(f"{name}: no answer in time (timeout or HTTP 503/504)") from None
    except gexc.GeocoderQueryError:
        raise NotFound(f"{name} rejected the query (HTTP 400)") from None
    except gexc.GeocoderUnavailable:
        raise ProviderUnavailable(f"{name}: service unreachable") from None
    except gexc.GeocoderParseError:
        raise ProviderUnavailable(f"{name}: answer was not valid JSON") from None
    except gexc.GeocoderServiceError:
        raise ProviderUnavailable(f"{name}: service error (HTTP 5xx)") from None
    except (KeyError, TypeError, ValueError, IndexError):
        raise ProviderUnavailable(f"{name}: unexpected answer format") from None


def _viewbox(bbox: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    lon_min, lat_min, lon_max, lat_max = bbox
    # geopy takes corner points as (lat, lon): the order flips here.
    return [(lat_min, lon_min), (lat_max, lon_max)]


def _number_for_service(housenumber: str) -> str:
    hn = parse_housenumber(housenumber)
    if not hn.keys:
        return ""
    if re.fullmatch(r"\d+[a-z]?(?:/\d+)?", hn.key):
        return hn.key
    # Ranges and lists: the first number is what a service can find.
    return hn.fallbacks[0] if hn.fallbacks else hn.key


def _expand_street(street: str) -> str:
    return re.sub(r"(?i)(?<=[a-zäöüß])str\b\.?|\bstr\b\.?", "straße", street)


def nominatim_precision(raw: dict[str, Any]) -> str:
    """Our precision from a Nominatim result (addresstype, class, type, address details)."""
    address = raw.get("address") or {}
    cls = raw.get("class") or raw.get("category") or ""
    typ = raw.get("type") or ""
    atype = raw.get("addresstype") or ""
    if "house_number" in address or atype in ("house", "building") or cls == "building" \
            or (cls == "place" and typ == "house"):
        return "house"
    if cls == "highway" or atype in ("road", "street"):
        return "street"
    if typ in ("postcode", "postal_code") or atype == "postcode":
        return "postcode"
    if cls in ("place", "boundary") or atype in _CITY_TYPES:
        return "city"
    return "house" if cls in _HOUSE_CLASSES else "city"


def photon_precision(raw: dict[str, Any]) -> str:
    """Our precision from a Photon result (GeoJSON feature properties)."""
    props = raw.get("properties") or {}
    typ = props.get("type") or ""
    key, value = props.get("osm_key") or "", props.get("osm_value") or ""
    if "housenumber" in props or typ == "house" or (key == "place" and value == "house"):
        return "house"
    if typ == "street" or key == "highway":
        return "street"
    if value in ("postcode", "postal_code"):
        return "postcode"
    if typ in _CITY_TYPES or key in ("place", "boundary"):
        return "city"
    return "house" if key in _HOUSE_CLASSES else "city"


class OfflineProvider:
    """Answers from the offline gazetteer file; nothing leaves the machine."""

    name = "offline"
    online = False

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer

    def lookup(self, query: AddressQuery, *, retries: bool = True) -> Answer:
        """See :meth:`Gazetteer.lookup`."""
        return self.gazetteer.lookup(query)

    def lookup_text(self, text: str, *, retries: bool = True) -> Answer:
        """See :meth:`Gazetteer.lookup_text`."""
        return self.gazetteer.lookup_text(text)


class NominatimProvider:
    """Nominatim (public or self-hosted) through geopy.

    Structured queries (street = "number street", postalcode, city) are sent whenever the
    parts are known: the input already separates them, and Nominatim's structured search
    cannot mistake a town name inside a street name ("Kaiserslauterer Straße") for the town.
    Every query carries ``countrycodes=de`` and the area's viewbox with ``bounded=1``.
    """

    name = "nominatim"
    online = True

    def __init__(self, *, url: str, user_agent: str, bbox: tuple[float, float, float, float],
                 timeout: float, politeness: Politeness):
        scheme, domain = split_service_url(url, "nominatim_url")
        agent = check_user_agent(user_agent, self.name)
        mute_url_logging()
        try:
            self.geocoder = Nominatim(user_agent=agent, domain=domain, scheme=scheme, timeout=timeout,
                                      adapter_factory=_adapter_without_retries)
        except gexc.ConfigurationError as exc:
            raise GeocodingConfigError(f"[geocoding] nominatim: {exc}") from None
        self.public = domain.split("/")[0].lower() == PUBLIC_NOMINATIM_HOST
        self.viewbox = _viewbox(bbox)
        self.timeout = timeout
        self.politeness = politeness

    def _search(self, query, retries: bool) -> Answer:
        location = self.politeness.call(
            lambda: _provider_call(self.name, lambda: self.geocoder.geocode(
                query, exactly_one=True, country_codes="de", viewbox=self.viewbox, bounded=True,
                addressdetails=True, timeout=self.timeout)),
            retries=retries)
        if location is None:
            raise NotFound("nominatim has no match")
        return Answer(location.latitude, location.longitude, nominatim_precision(location.raw))

    def lookup(self, query: AddressQuery, *, retries: bool = True) -> Answer:
        """Structured search for an address in parts."""
        q = clean_query(query)
        params: dict[str, str] = {}
        street = " ".join(p for p in (_number_for_service(q.housenumber), _expand_street(q.street)) if p) \
            if q.street else ""
        if street:
            params["street"] = street
        if q.postcode:
            params["postalcode"] = q.postcode
        if q.city:
            params["city"] = q.city
        if not params:
            raise NotFound("no street, postcode or town given")
        return self._search(params, retries)

    def lookup_text(self, text: str, *, retries: bool = True) -> Answer:
        """Free-text search (the web app's search box), restricted to the area."""
        if not text.strip():
            raise NotFound("empty search")
        return self._search(text.strip(), retries)


class PhotonProvider:
    """Photon (komoot's public service or self-hosted) through geopy: free-text queries
    limited to the area's bounding box."""

    name = "photon"
    online = True

    def __init__(self, *, url: str, user_agent: str, bbox: tuple[float, float, float, float],
                 timeout: float, politeness: Politeness):
        scheme, domain = split_service_url(url, "photon_url")
        agent = check_user_agent(user_agent, self.name)
        mute_url_logging()
        self.geocoder = Photon(user_agent=agent, domain=domain, scheme=scheme, timeout=timeout,
                               adapter_factory=_adapter_without_retries)
        self.bbox = _viewbox(bbox)
        self.timeout = timeout
        self.politeness = politeness

    def _search(self, text: str, retries: bool) -> Answer:
        location = self.politeness.call(
            lambda: _provider_call(self.name, lambda: self.geocoder.geocode(
                text, exactly_one=True, bbox=self.bbox, timeout=self.timeout)),
            retries=retries)
        if location is None:
            raise NotFound("photon has no match")
        return Answer(location.latitude, location.longitude, photon_precision(location.raw))

    def lookup(self, query: AddressQuery, *, retries: bool = True) -> Answer:
        """Search the one-line form of the cleaned address."""
        q = clean_query(query)
        text = AddressQuery(_expand_street(q.street), _number_for_service(q.housenumber), q.postcode, q.city).text
        if not text:
            raise NotFound("no street, postcode or town given")
        return self._search(text, retries)

    def lookup_text(self, text: str, *, retries: bool = True) -> Answer:
        """Free-text search, restricted to the area's bounding box."""
        if not text.strip():
            raise NotFound("empty search")
        return self._search(text.strip(), retries)
