"""The geocoding pipeline: cache, then providers in the configured order, then the area check.

``build_geocoder(settings)`` assembles it from ``[geocoding]``; the importer, the
``angebotskarte geocode`` command and the web app's address search all use it, so an
address is judged the same way everywhere.

For one address:

1. the cache: a remembered answer of any configured provider that lies inside the area
   is taken (status ``cached``), unless ``refresh`` is set or it is older than
   ``cache_max_age_days``; remembered "not found" answers spare asking that provider again;
2. the providers in order: an answer outside ``[area] bbox`` (or the districts' union)
   is rejected as ``outside_area`` and the next provider is asked;
3. an answer as precise as the query allows (a house for a query with a house number) is
   taken at once; a coarser one is kept while later providers get a chance to do better;
4. a query with a street never ends at the middle of a postcode area or town: such an
   answer counts as not found, because it would silently send a reader to the wrong place.

Answers of online providers are cached, found or not; the offline gazetteer is not (it is
a local index already, and a rebuilt gazetteer should count at once). Errors are not cached.
A 403 stops the batch with :class:`GeocodingBlocked`; a provider that fails three times in a
row is skipped for the rest of the batch.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timezone
from typing import Callable, Sequence

from shapely import prepared
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.geocoding.base import (
    PRECISIONS,
    AddressQuery,
    Answer,
    GeocodeResult,
    GeocodingBlocked,
    GeocodingConfigError,
    NotFound,
    Provider,
    ProviderUnavailable,
    RateLimited,
)
from geo.geocoding.cache import CacheEntry, CacheError, GeocodeCache
from geo.geocoding.normalise import address_key, clean_query, parse_address_text, parse_housenumber, text_key
from geo.geocoding.politeness import MAX_RETRY_AFTER_SECONDS

log = logging.getLogger(__name__)

PROVIDER_NAMES = ("offline", "nominatim", "photon")
# After this many failures in a row (each after its retries), a provider is left alone
# for the rest of the batch: hammering a service that is down is impolite and slow.
MAX_CONSECUTIVE_FAILURES = 3


class AreaCheck:
    """Plausibility: is a point inside ``[area] bbox`` and, when given, the districts' union?

    ``area`` is a shapely geometry in EPSG:4326 (lon/lat); a point on its boundary counts
    as inside.
    """

    def __init__(self, bbox: tuple[float, float, float, float], area: BaseGeometry | None = None):
        self.bbox = tuple(float(v) for v in bbox)
        self._area = prepared.prep(area) if area is not None and not area.is_empty else None

    def contains(self, lat: float, lon: float) -> bool:
        lon_min, lat_min, lon_max, lat_max = self.bbox
        if not (lon_min <= lon <= lon_max and lat_min <= lat <= lat_max):
            return False
        return self._area is None or self._area.covers(Point(lon, lat))


def _rank(precision: str) -> int:
    return PRECISIONS.index(precision) if precision in PRECISIONS else len(PRECISIONS)


def _wanted(q: AddressQuery) -> tuple[int, int]:
    """(best precision the query can get, coarsest precision still acceptable) as ranks."""
    if q.street:
        best = _rank("house") if parse_housenumber(q.housenumber).keys else _rank("street")
        return best, _rank("street")
    if q.postcode:
        return _rank("postcode"), _rank("postcode")
    return _rank("city"), _rank("city")


class GeocodingPipeline:
    """Cache > providers in order > area check; see the module docstring.

    Parameters
    ----------
    providers
        In the order of trust.
    cache
        The persistent cache, or None for none.
    area
        The plausibility check.
    refresh
        Ignore remembered answers (still remember the new ones): ``geocode --refresh``.
    max_age_days
        Remembered answers older than this are asked again.
    now
        Current UTC time, for result times and cache ages (tests pass a fake).
    """

    def __init__(self, providers: Sequence[Provider], *, cache: GeocodeCache | None = None,
                 area: AreaCheck, refresh: bool = False, max_age_days: float | None = None,
                 now: Callable[[], datetime] | None = None):
        self.providers = list(providers)
        self.cache = cache
        self.area = area
        self.refresh = refresh
        self.max_age_days = max_age_days
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._failures: Counter = Counter()
        self._skipped: set[str] = set()

    # -- public ------------------------------------------------------------------------------

    def geocode_many(self, queries: Sequence[AddressQuery],
                     on_result: Callable[[int, GeocodeResult], None] | None = None) -> list[GeocodeResult]:
        """One result per query, same order. Duplicate addresses are looked up once.

        ``on_result(index, result)`` is called after each query (progress bars).

        Raises
        ------
        GeocodingBlocked
            When a provider refuses us (403); ``results`` holds the results so far.
        """
        self._failures.clear()
        self._skipped.clear()
        results: list[GeocodeResult] = []
        seen: dict[str, GeocodeResult] = {}
        try:
            for i, query in enumerate(queries):
                q = clean_query(query)
                key = address_key(q)
                result = seen.get(key)
                if result is None:
                    result = self._resolve(q, key, text=None, retries=True, batch=True)
                    seen[key] = result
                results.append(result)
                if on_result is not None:
                    on_result(i, result)
        except GeocodingBlocked as exc:
            raise GeocodingBlocked(
                f"{exc}. Stopped after {len(results)} of {len(queries)} addresses; the answers so far are "
                "cached, so running again resumes. Check [geocoding] user_agent, ask less often, or use a "
                "self-hosted service or the offline gazetteer.", exc.provider, results) from None
        statuses = Counter(r.status for r in results)
        log.info("geocoded %d addresses: %s", len(results), ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
        return results

    def geocode(self, query: AddressQuery) -> GeocodeResult:
        """One address in parts (no batch state: every provider is asked)."""
        q = clean_query(query)
        return self._resolve(q, address_key(q), text=None, retries=True)

    def geocode_text(self, text: str, *, retries: bool = False) -> GeocodeResult:
        """A one-line address as typed into a search box.

        Split into parts when it reads like an address (then shared with the cache of
        imports); otherwise sent as free text. ``retries`` is off by default: a visitor
        waiting for a page should get an error quickly rather than wait through back-off.
        The text is never logged.
        """
        q = parse_address_text(text)
        if q.street or q.postcode:
            return self._resolve(q, address_key(q), text=None, retries=retries)
        if not q.city:
            return GeocodeResult("not_found", message="empty search", at=self._now())
        return self._resolve(q, text_key(text), text=text, retries=retries)

    def close(self) -> None:
        """Close the cache file (the pipeline is not used afterwards)."""
        if self.cache is not None:
            self.cache.close()

    # -- one address ---------------------------------------------------------------------------

    def _resolve(self, q: AddressQuery, key: str, *, text: str | None, retries: bool,
                 batch: bool = False) -> GeocodeResult:
        # ``batch``: inside geocode_many, where a provider failing again and again is left
        # alone for the rest of the batch. Single lookups (the web app's search, which lives
        # as long as the server) always ask.
        if q.is_empty and text is None:
            return GeocodeResult("not_found", message="no street, postcode or town given", at=self._now())
        best_rank, coarsest_rank = _wanted(q) if text is None else (_rank("house"), _rank("city"))
        reasons: list[str] = []
        outside = error = False
        fallback: GeocodeResult | None = None
        answered: set[str] = set()

        def consider(result: GeocodeResult, precision: str, provider: str) -> bool:
            """Record a located answer; True when it is good enough to stop."""
            nonlocal fallback
            if _rank(precision) > coarsest_rank:
                reasons.append(f"{provider}: only the {precision} was found")
                return False
            if _rank(precision) <= best_rank:
                return True
            if fallback is None or _rank(precision) < _rank(fallback.precision):
                fallback = result
            return False

        if self.cache is not None and not self.refresh:
            for p in self.providers:
                if not p.online:
                    continue
                entry = self.cache.get(p.name, key, self.max_age_days)
                if entry is None:
                    continue
                answered.add(p.name)
                if not entry.found:
                    reasons.append(f"{p.name}: {entry.message or 'not found'} (remembered)")
                elif not self.area.contains(entry.lat, entry.lon):
                    outside = True
                    reasons.append(f"{p.name}: outside the area (remembered)")
                else:
                    result = GeocodeResult("cached", entry.lat, entry.lon, entry.precision, p.name,
                                           entry.message, entry.at)
                    if consider(result, entry.precision, p.name):
                        return result

        for p in self.providers:
            if p.name in answered:
                continue
            if batch and p.name in self._skipped:
                error = True
                reasons.append(f"{p.name}: skipped after repeated failures in this run")
                continue
            try:
                answer = p.lookup_text(text, retries=retries) if text is not None else p.lookup(q, retries=retries)
            except NotFound as exc:
                if batch:
                    self._failures[p.name] = 0
                reasons.append(f"{p.name}: {exc}")
                self._remember(p, key, None, str(exc))
                continue
            except ProviderUnavailable as exc:
                error = True
                reasons.append(str(exc))
                if not batch:
                    continue
                self._failures[p.name] += 1
                too_long = isinstance(exc, RateLimited) and (exc.retry_after or 0) > MAX_RETRY_AFTER_SECONDS
                if too_long or self._failures[p.name] >= MAX_CONSECUTIVE_FAILURES:
                    self._skipped.add(p.name)
                    log.warning("%s: skipped for the rest of this run after %d failures", p.name, self._failures[p.name])
                continue
            if batch:
                self._failures[p.name] = 0
            self._remember(p, key, answer, "")
            if not self.area.contains(answer.lat, answer.lon):
                outside = True
                reasons.append(f"{p.name}: found outside the area")
                continue
            result = GeocodeResult("ok", answer.lat, answer.lon, answer.precision, p.name, answer.message, self._now())
            if consider(result, answer.precision, p.name):
                return result

        if fallback is not None:
            return fallback
        status = "outside_area" if outside else "error" if error else "not_found"
        return GeocodeResult(status, message="; ".join(reasons) or "no provider found it", at=self._now())

    def _remember(self, provider: Provider, key: str, answer: Answer | None, message: str) -> None:
        if self.cache is None or not provider.online:
            return
        if answer is None:
            entry = CacheEntry(False, None, None, "", message, self._now())
        else:
            entry = CacheEntry(True, answer.lat, answer.lon, answer.precision, answer.message, self._now())
        self.cache.put(provider.name, key, entry)


def districts_union(districts) -> BaseGeometry | None:
    """The union of district polygons (EPSG:4326), or None when there are none.

    Callers pass it as ``area_filter`` to :func:`build_geocoder` (import, ``geocode``,
    the pages' address search), so every geocoder gets the same plausibility check.
    """
    import shapely

    if districts is None or districts.empty:
        return None
    return shapely.union_all(districts.geometry.values)


def build_geocoder(settings, *, area_filter: BaseGeometry | None = None,
                   clock: Callable[[], float] | None = None, sleep: Callable[[float], None] | None = None,
                   now: Callable[[], datetime] | None = None, refresh: bool = False) -> GeocodingPipeline | None:
    """The pipeline ``[geocoding]`` describes, or None when ``providers`` is empty.

    Parameters
    ----------
    settings
        :class:`geo.settings.Settings`.
    area_filter
        The districts' union (EPSG:4326, see :func:`districts_union`), checked in addition
        to ``[area] bbox``; None: only the bbox (this module opens no store).
    clock, sleep
        For the rate limits and back-off (tests pass fakes).
    now
        Current UTC time for result times and cache ages.
    refresh
        Ask the providers again even when the cache knows the answer.

    Raises
    ------
    GeocodingConfigError
        Naming the key: unknown provider, missing user_agent, gazetteer file missing, …
    """
    # Imported here so that importing the pipeline does not load geopy for offline-only use.
    from geo.geocoding.gazetteer import Gazetteer, GazetteerError
    from geo.geocoding.politeness import Politeness
    from geo.geocoding.providers import PUBLIC_NOMINATIM_HOST, NominatimProvider, PhotonProvider, OfflineProvider

    names = list(settings.geocoding.providers)
    if not names:
        return None
    where = str(settings.source or "defaults")
    for name in names:
        if name not in PROVIDER_NAMES:
            raise GeocodingConfigError(
                f"{where}: [geocoding] providers: unknown provider {name!r}; allowed: {', '.join(PROVIDER_NAMES)}")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise GeocodingConfigError(f"{where}: [geocoding] providers lists {', '.join(duplicates)} more than once")

    g = settings.geocoding
    bbox = settings.bbox
    providers: list[Provider] = []
    for name in names:
        if name == "offline":
            path = settings.path("geocoding", "gazetteer")
            if path is None:
                raise GeocodingConfigError(
                    f"{where}: [geocoding] gazetteer is empty but providers includes \"offline\"; build one with "
                    "'angebotskarte gazetteer build EXTRACT --out PATH' and set gazetteer = \"PATH\"")
            try:
                providers.append(OfflineProvider(Gazetteer(path)))
            except GazetteerError as exc:
                raise GeocodingConfigError(f"{where}: [geocoding] gazetteer: {exc}") from None
            continue
        delay = float(g.min_delay_seconds)
        url = g.nominatim_url if name == "nominatim" else g.photon_url
        if name == "nominatim" and PUBLIC_NOMINATIM_HOST in str(url).lower() and delay < 1.0:
            raise GeocodingConfigError(
                f"{where}: [geocoding] min_delay_seconds = {delay} is below 1.0, the most the public "
                "Nominatim allows (one request per second); raise it or set nominatim_url to your own Nominatim")
        politeness = Politeness(min_delay_seconds=delay, max_retries=int(g.max_retries),
                                clock=clock, sleep=sleep, name=name)
        cls = NominatimProvider if name == "nominatim" else PhotonProvider
        providers.append(cls(url=url, user_agent=g.user_agent, bbox=bbox,
                             timeout=float(g.timeout_seconds), politeness=politeness))

    cache = None
    cache_path = settings.path("geocoding", "cache_path")
    if cache_path is not None:
        try:
            cache = GeocodeCache(cache_path, now=now)
        except CacheError as exc:
            raise GeocodingConfigError(f"{where}: {exc}") from None
    max_age = g.cache_max_age_days
    return GeocodingPipeline(providers, cache=cache, area=AreaCheck(bbox, area_filter), refresh=refresh,
                             max_age_days=float(max_age) if max_age else None, now=now)
