"""The pipeline's rules (cache > providers in order > area check) with stand-in providers,
the politeness helpers on a fake clock, and build_geocoder's configuration checks."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from shapely.geometry import box

from conftest import make_settings
from geo.geocoding.base import (
    AddressQuery,
    Answer,
    GeocodingBlocked,
    GeocodingConfigError,
    NotFound,
    ProviderUnavailable,
    RateLimited,
)
from geo.geocoding.cache import GeocodeCache
from geo.geocoding.pipeline import AreaCheck, GeocodingPipeline, build_geocoder
from geo.geocoding.politeness import ClientRateLimit, Politeness

BBOX = (7.60, 49.35, 7.95, 49.52)
INSIDE = (49.44, 7.76)
OUTSIDE = (50.00, 8.27)  # Mainz
T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)


class Stub:
    """A provider answering from a dict of street -> Answer | exception."""

    def __init__(self, name, answers=None, online=True, default=None):
        self.name = name
        self.online = online
        self.answers = answers or {}
        self.default = default
        self.calls: list[str] = []

    def _answer(self, key):
        self.calls.append(key)
        value = self.answers.get(key, self.default)
        if value is None:
            raise NotFound(f"{self.name} has no match")
        if isinstance(value, Exception):
            raise value
        return value

    def lookup(self, query, *, retries=True):
        return self._answer(query.street)

    def lookup_text(self, text, *, retries=True):
        return self._answer(text)


def pipeline(*providers, cache=None, area=None, **kw) -> GeocodingPipeline:
    return GeocodingPipeline(list(providers), cache=cache, area=area or AreaCheck(BBOX), now=lambda: T0, **kw)


def house(lat_lon=INSIDE, precision="house"):
    return Answer(lat_lon[0], lat_lon[1], precision)


def Q(street, number="1"):
    return AddressQuery(street, number, "67655", "Kaiserslautern")


def test_first_provider_that_finds_it_wins_and_later_ones_are_not_asked():
    first = Stub("offline", {"Marktstraße": house()}, online=False)
    second = Stub("nominatim", {"Marktstraße": house((49.45, 7.77))})
    [res] = pipeline(first, second).geocode_many([Q("Marktstraße")])
    assert (res.status, res.provider, res.precision, res.lat, res.lon) == ("ok", "offline", "house", *INSIDE)
    assert res.at == T0
    assert second.calls == []


def test_answer_outside_the_area_is_rejected_and_the_next_provider_asked():
    first = Stub("nominatim", {"Hauptstraße": house(OUTSIDE)})
    second = Stub("photon", {"Hauptstraße": house()})
    [res] = pipeline(first, second).geocode_many([Q("Hauptstraße")])
    assert (res.status, res.provider) == ("ok", "photon")
    [alone] = pipeline(Stub("nominatim", {"Hauptstraße": house(OUTSIDE)})).geocode_many([Q("Hauptstraße")])
    assert alone.status == "outside_area"
    assert alone.lat is None and alone.lon is None and not alone.located


def test_area_filter_rejects_points_inside_the_bbox_but_outside_the_districts():
    districts = box(7.70, 49.40, 7.80, 49.48)
    p = pipeline(Stub("nominatim", {"Hauptstraße": house((49.50, 7.90))}), area=AreaCheck(BBOX, districts))
    assert p.geocode_many([Q("Hauptstraße")])[0].status == "outside_area"


def test_coarser_answer_lets_later_providers_try_and_is_kept_if_none_does_better():
    street_only = Stub("offline", {"Marktstraße": house(precision="street")}, online=False)
    exact = Stub("nominatim", {"Marktstraße": house((49.45, 7.77))})
    [res] = pipeline(street_only, exact).geocode_many([Q("Marktstraße")])
    assert (res.provider, res.precision) == ("nominatim", "house")
    [kept] = pipeline(street_only, Stub("nominatim")).geocode_many([Q("Marktstraße")])
    assert (kept.status, kept.provider, kept.precision) == ("ok", "offline", "street")


def test_street_query_never_ends_at_a_town_centre():
    town_only = Stub("nominatim", {"Goethestraße": house(precision="city")})
    [res] = pipeline(town_only).geocode_many([Q("Goethestraße")])
    assert res.status == "not_found"
    assert "only the city" in res.message
    # Without a street, the town is what was asked for.
    [town] = pipeline(Stub("nominatim", default=house(precision="city"))).geocode_many(
        [AddressQuery("", "", "", "Kaiserslautern")])
    assert (town.status, town.precision) == ("ok", "city")


def test_duplicate_addresses_in_a_batch_are_asked_once():
    p = Stub("nominatim", {"Marktstraße": house()})
    results = pipeline(p).geocode_many([Q("Marktstraße"), Q("Marktstr."), Q("MARKTSTRASSE")])
    assert [r.status for r in results] == ["ok"] * 3
    assert len(p.calls) == 1


def test_empty_address_asks_nobody():
    p = Stub("nominatim", default=house())
    [res] = pipeline(p).geocode_many([AddressQuery()])
    assert res.status == "not_found" and p.calls == []


def test_errors_are_reported_and_a_failing_provider_is_left_alone_after_three():
    down = Stub("nominatim", default=ProviderUnavailable("nominatim: no answer in time"))
    offline = Stub("offline", online=False)
    results = pipeline(down, offline).geocode_many([Q(f"Straße {i}") for i in range(5)])
    assert [r.status for r in results] == ["error"] * 5
    assert len(down.calls) == 3
    assert len(offline.calls) == 5
    assert "skipped after repeated failures" in results[-1].message


def test_blocked_stops_the_batch_and_keeps_what_is_done():
    p = Stub("nominatim", {"A-Straße": house(), "B-Straße": GeocodingBlocked("nominatim refused (HTTP 403)", "nominatim")})
    with pytest.raises(GeocodingBlocked) as info:
        pipeline(p).geocode_many([Q("A-Straße"), Q("B-Straße"), Q("C-Straße")])
    assert "403" in str(info.value) and "1 of 3" in str(info.value)
    assert [r.status for r in info.value.results] == ["ok"]
    assert "C-Straße" not in p.calls


def test_cache_first_then_providers_and_not_found_is_remembered(tmp_path):
    path = tmp_path / "geocache.sqlite"
    p = Stub("nominatim", {"Marktstraße": house()})
    with GeocodeCache(path) as cache:
        first = pipeline(p, cache=cache).geocode_many([Q("Marktstraße"), Q("Nirgendwo")])
    assert [r.status for r in first] == ["ok", "not_found"]
    p.calls.clear()
    with GeocodeCache(path) as cache:
        second = pipeline(p, cache=cache).geocode_many([Q("Marktstraße"), Q("Nirgendwo")])
    assert p.calls == []
    assert [r.status for r in second] == ["cached", "not_found"]
    assert (second[0].lat, second[0].lon, second[0].provider, second[0].precision) == (*INSIDE, "nominatim", "house")
    with GeocodeCache(path) as cache:
        pipeline(p, cache=cache, refresh=True).geocode_many([Q("Marktstraße"), Q("Nirgendwo")])
    assert sorted(p.calls) == ["Marktstraße", "Nirgendwo"]


def test_offline_answers_are_not_cached(tmp_path):
    with GeocodeCache(tmp_path / "c.sqlite") as cache:
        pipeline(Stub("offline", {"Marktstraße": house()}, online=False), cache=cache).geocode_many([Q("Marktstraße")])
        assert len(cache) == 0


def test_cached_point_is_checked_against_the_current_area(tmp_path):
    with GeocodeCache(tmp_path / "c.sqlite") as cache:
        pipeline(Stub("nominatim", {"Marktstraße": house()}), cache=cache).geocode_many([Q("Marktstraße")])
        smaller = AreaCheck(BBOX, box(7.80, 49.45, 7.90, 49.50))
        again = Stub("nominatim", {"Marktstraße": house()})
        [res] = pipeline(again, cache=cache, area=smaller).geocode_many([Q("Marktstraße")])
    assert res.status == "outside_area" and again.calls == []


def test_geocode_text_uses_parts_when_it_reads_like_an_address():
    p = Stub("nominatim", {"Marktstraße": house(), "Rathaus": house(precision="house")})
    assert pipeline(p).geocode_text("Marktstraße 5, 67655 Kaiserslautern").status == "ok"
    assert pipeline(p).geocode_text("Rathaus").status == "ok"
    assert p.calls == ["Marktstraße", "Rathaus"]
    assert pipeline(p).geocode_text("   ").status == "not_found"


# -- politeness on a fake clock ---------------------------------------------------------------

class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_politeness_spaces_requests():
    clock = FakeClock()
    polite = Politeness(min_delay_seconds=1.0, max_retries=0, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(4):
        polite.call(lambda: starts.append(clock.now))
    assert all(b - a >= 1.0 for a, b in zip(starts, starts[1:]))
    assert polite.requests == 4


def test_politeness_backs_off_exponentially_and_gives_up():
    clock = FakeClock()
    polite = Politeness(min_delay_seconds=1.0, max_retries=3, clock=clock, sleep=clock.sleep)
    starts = []

    def failing():
        starts.append(clock.now)
        raise ProviderUnavailable("down")

    with pytest.raises(ProviderUnavailable):
        polite.call(failing)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(starts) == 4
    assert gaps == sorted(gaps) and gaps[0] >= 1.0 and gaps[-1] >= 4 * gaps[0] * 0.99


def test_politeness_honours_retry_after_and_refuses_absurd_waits():
    clock = FakeClock()
    polite = Politeness(min_delay_seconds=1.0, max_retries=2, clock=clock, sleep=clock.sleep)
    starts = []

    def once_limited():
        starts.append(clock.now)
        if len(starts) == 1:
            raise RateLimited("429", retry_after=30)
        return "ok"

    assert polite.call(once_limited) == "ok"
    assert starts[1] - starts[0] >= 30
    with pytest.raises(RateLimited, match="Retry-After"):
        polite.call(lambda: (_ for _ in ()).throw(RateLimited("429", retry_after=7200)))


def test_client_rate_limit_is_a_sliding_minute():
    clock = FakeClock()
    limit = ClientRateLimit(3, clock=clock)
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")
    clock.now += 61
    assert limit.allow("a")


# -- configuration --------------------------------------------------------------------------

def test_no_providers_no_geocoder(tmp_path):
    assert build_geocoder(make_settings(tmp_path)) is None


@pytest.mark.parametrize("geocoding, message", [
    ({"providers": ["google"]}, "unknown provider 'google'; allowed: offline, nominatim, photon"),
    ({"providers": ["nominatim", "nominatim"], "user_agent": "x (y@z)"}, "more than once"),
    ({"providers": ["offline"]}, "gazetteer is empty"),
    ({"providers": ["offline"], "gazetteer": "missing.sqlite"}, "missing.sqlite"),
    ({"providers": ["nominatim"]}, "user_agent is empty"),
    ({"providers": ["photon"], "user_agent": "geopy/2.5.0"}, "geopy's default"),
    ({"providers": ["nominatim"], "user_agent": "my-application"}, "user_agent is 'my-application'"),
    ({"providers": ["nominatim"], "user_agent": "ak (a@b.de)", "min_delay_seconds": 0.2}, "below 1.0"),
    ({"providers": ["nominatim"], "user_agent": "ak (a@b.de)", "nominatim_url": "nominatim.local"},
     "not a service URL"),
])
def test_configuration_errors_name_the_key(tmp_path, geocoding, message):
    with pytest.raises(GeocodingConfigError, match="geocoding") as info:
        build_geocoder(make_settings(tmp_path, geocoding=geocoding))
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)  # the importer catches ValueError


def test_self_hosted_nominatim_may_be_asked_faster(tmp_path):
    settings = make_settings(tmp_path, geocoding={
        "providers": ["nominatim"], "user_agent": "ak (a@b.de)", "min_delay_seconds": 0.0,
        "nominatim_url": "http://nominatim.intranet.example:8080/nominatim"})
    geocoder = build_geocoder(settings)
    try:
        [provider] = geocoder.providers
        assert provider.geocoder.api == "http://nominatim.intranet.example:8080/nominatim/search"
        assert geocoder.cache is not None and geocoder.cache.path == tmp_path / "geocache.sqlite"
    finally:
        geocoder.close()


def test_loaded_districts_restrict_the_geocoder_they_are_passed_to(tmp_path):
    """Import, `geocode` and the address search pass the stored districts' union (the pipeline opens no store)."""
    import geopandas as gpd

    from geo.geocoding.pipeline import districts_union
    from geo.store import open_store

    gazetteer = tmp_path / "town.gazetteer.sqlite"
    from geo.geocoding.gazetteer_build import build_gazetteer
    from test_geocoding_gazetteer import HAUPT_5_A, HAUPT_5_B, write_town_extract

    build_gazetteer(write_town_extract(tmp_path), gazetteer)
    settings = make_settings(tmp_path, geocoding={"providers": ["offline"], "gazetteer": str(gazetteer),
                                                  "cache_path": ""})
    nachbar = AddressQuery("Hauptstraße", "5", "67699", "Nachbardorf")  # inside the bbox
    assert build_geocoder(settings).geocode_many([nachbar])[0].status == "ok"

    # Districts around Musterstadt only: Nachbardorf's Hauptstraße 5 is now outside the area.
    lat, lon = HAUPT_5_A
    store = open_store(settings)
    store.replace_districts(gpd.GeoDataFrame(
        {"district_id": ["1"], "name": ["Mitte"]}, geometry=[box(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)],
        crs=4326), actor="test")
    assert HAUPT_5_B[1] > lon + 0.01
    assert districts_union(open_store(make_settings(tmp_path / "leer")).districts()) is None
    [outside, inside] = build_geocoder(settings, area_filter=districts_union(store.districts())).geocode_many(
        [nachbar, AddressQuery("Hauptstraße", "5", "67655", "Musterstadt")])
    assert outside.status == "outside_area"
    assert inside.status == "ok"
