"""The real geopy Nominatim (and Photon) client against a fake server on 127.0.0.1.

The server speaks Nominatim's /search API (JSON) and Photon's /api (GeoJSON) from fixtures,
and records every request. Waiting runs on a fake clock, so retries and rate limits cost no
time; the server notes the fake time at which each request arrived.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import make_settings
from geo.geocoding.base import AddressQuery, GeocodingBlocked
from geo.geocoding.pipeline import build_geocoder

USER_AGENT = "angebotskarte-tests (integration@example.org)"
MARKT_5 = {"lat": "49.4433", "lon": "7.7689"}


def nominatim_place(lat, lon, *, cls="building", typ="yes", addresstype="building", house_number="5", **address):
    address = {"road": "Marktstraße", "city": "Kaiserslautern", "postcode": "67655", "country_code": "de", **address}
    if house_number:
        address["house_number"] = house_number
    return {"place_id": 1, "licence": "Data © OpenStreetMap contributors, ODbL 1.0", "osm_type": "way",
            "osm_id": 1, "lat": str(lat), "lon": str(lon), "class": cls, "type": typ, "addresstype": addresstype,
            "display_name": "fixture", "address": address, "boundingbox": [str(lat), str(lat), str(lon), str(lon)]}


# Fixture answers by the structured "street" parameter (or the free-text "q").
ANSWERS = {
    "5 Marktstraße": [nominatim_place(49.4433, 7.7689)],
    "7 Marktstraße": [nominatim_place(49.4434, 7.7692, house_number="7")],
    "9 Marktstraße": [nominatim_place(49.4435, 7.7695, house_number="9")],
    # The classic error: a Hauptstraße 5 in another town (Mainz).
    "5 Hauptstraße": [nominatim_place(50.0012, 8.2710, city="Mainz", postcode="55116")],
    # Only the street is known to the provider.
    "99 Marktstraße": [nominatim_place(49.4430, 7.7680, cls="highway", typ="residential", addresstype="road",
                                       house_number="")],
    "Rathaus": [nominatim_place(49.4447, 7.7690, cls="amenity", typ="townhall", addresstype="amenity",
                                house_number="")],
}


@dataclass
class Received:
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float


@dataclass
class Scripted:
    status: int = 200
    body: object = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeClock:
    """Monotonic seconds that only move when someone sleeps."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


class FakeGeocodingServer:
    """Nominatim /search and Photon /api on 127.0.0.1:PORT, answering from ANSWERS or a script."""

    def __init__(self, clock: FakeClock | None = None):
        self.clock = clock or FakeClock()
        self.received: list[Received] = []
        self.script: list[Scripted] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                with server._lock:
                    server.received.append(Received(parts.path, params, dict(self.headers), server.clock()))
                    scripted = server.script.pop(0) if server.script else None
                reply = scripted or server.default_reply(parts.path, params)
                if reply.delay:
                    time.sleep(reply.delay)
                body = json.dumps(reply.body).encode("utf-8")
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args):  # keep test output (and addresses) quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def default_reply(self, path: str, params: dict[str, str]) -> Scripted:
        if path == "/search":
            return Scripted(body=ANSWERS.get(params.get("street") or params.get("q", ""), []))
        if path == "/api":
            q = params.get("q", "")
            if q.startswith("Marktstraße 5"):
                feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [7.7689, 49.4433]},
                           "properties": {"osm_key": "building", "osm_value": "yes", "type": "house",
                                          "housenumber": "5", "street": "Marktstraße", "postcode": "67655",
                                          "city": "Kaiserslautern", "countrycode": "DE"}}
                return Scripted(body={"type": "FeatureCollection", "features": [feature]})
            return Scripted(body={"type": "FeatureCollection", "features": []})
        return Scripted(status=404, body={"error": "unknown path"})

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def searches(self) -> list[Received]:
        return [r for r in self.received if r.path in ("/search", "/api")]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    with FakeGeocodingServer() as s:
        yield s


def make_geocoder(tmp_path, server, providers=("nominatim",), now=None, refresh=False, **geocoding):
    values = {"providers": list(providers), "nominatim_url": server.url, "photon_url": server.url,
              "user_agent": USER_AGENT, "min_delay_seconds": 1.0, "timeout_seconds": 2.0, "max_retries": 3,
              "cache_path": str(tmp_path / "geocache.sqlite"), **geocoding}
    settings = make_settings(tmp_path, geocoding=values)
    return build_geocoder(settings, clock=server.clock, sleep=server.clock.sleep, now=now, refresh=refresh)


def markt(number="5", postcode="67655", city="Kaiserslautern"):
    return AddressQuery("Marktstraße", number, postcode, city)


def test_structured_query_parameters_and_user_agent(tmp_path, server):
    geocoder = make_geocoder(tmp_path, server)
    [res] = geocoder.geocode_many([AddressQuery("Marktstr.", "Nr. 5", "67655", "Kaiserslautern")])
    geocoder.close()
    assert (res.status, res.precision, res.provider) == ("ok", "house", "nominatim")
    assert (res.lat, res.lon) == (float(MARKT_5["lat"]), float(MARKT_5["lon"]))
    [req] = server.searches()
    assert req.path == "/search"
    assert req.headers["User-Agent"] == USER_AGENT
    assert req.params == {
        "street": "5 Marktstraße", "postalcode": "67655", "city": "Kaiserslautern", "format": "json", "limit": "1",
        "countrycodes": "de", "viewbox": "7.6,49.35,7.95,49.52", "bounded": "1", "addressdetails": "1"}


def test_requests_keep_the_minimum_delay(tmp_path, server):
    geocoder = make_geocoder(tmp_path, server, min_delay_seconds=1.5)
    results = geocoder.geocode_many([markt("5"), markt("7"), markt("9"), markt("11")])
    geocoder.close()
    assert [r.status for r in results] == ["ok", "ok", "ok", "not_found"]
    times = [r.at for r in server.searches()]
    assert len(times) == 4
    assert all(b - a >= 1.5 for a, b in zip(times, times[1:]))


def test_second_run_makes_zero_requests(tmp_path, server):
    batch = [markt("5"), markt("7"), markt("11"), AddressQuery("Hauptstraße", "5", "", "")]
    first = make_geocoder(tmp_path, server)
    statuses = [r.status for r in first.geocode_many(batch)]
    first.close()
    assert statuses == ["ok", "ok", "not_found", "outside_area"]
    asked = len(server.searches())
    assert asked == 4
    # A new pipeline on the same cache file: as after a restart.
    second = make_geocoder(tmp_path, server)
    again = second.geocode_many(batch)
    second.close()
    assert len(server.searches()) == asked
    assert [r.status for r in again] == ["cached", "cached", "not_found", "outside_area"]
    assert again[0].provider == "nominatim" and again[0].lat == float(MARKT_5["lat"])


def test_refresh_and_old_entries_are_asked_again(tmp_path, server):
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    geocoder = make_geocoder(tmp_path, server, now=lambda: t0)
    geocoder.geocode_many([markt("5")])
    geocoder.close()
    refreshed = make_geocoder(tmp_path, server, now=lambda: t0, refresh=True)
    assert refreshed.geocode_many([markt("5")])[0].status == "ok"
    refreshed.close()
    assert len(server.searches()) == 2
    later = make_geocoder(tmp_path, server, now=lambda: t0 + timedelta(days=181), cache_max_age_days=180)
    assert later.geocode_many([markt("5")])[0].status == "ok"
    later.close()
    assert len(server.searches()) == 3


def test_answer_in_another_town_is_outside_area_and_the_next_provider_is_tried(tmp_path, server):
    geocoder = make_geocoder(tmp_path, server, providers=("nominatim", "photon"))
    [res] = geocoder.geocode_many([AddressQuery("Hauptstraße", "5", "", "")])
    geocoder.close()
    assert res.status == "outside_area"  # nominatim's answer was in Mainz, photon had nothing
    assert res.lat is None and "photon has no match" in res.message
    assert [r.path for r in server.searches()] == ["/search", "/api"]


def test_photon_is_an_alternative(tmp_path, server):
    geocoder = make_geocoder(tmp_path, server, providers=("photon",))
    [res] = geocoder.geocode_many([markt("5")])
    geocoder.close()
    assert (res.status, res.provider, res.precision) == ("ok", "photon", "house")
    [req] = server.searches()
    assert req.params["q"] == "Marktstraße 5, 67655 Kaiserslautern"
    assert req.params["bbox"] == "7.6,49.35,7.95,49.52"
    assert req.headers["User-Agent"] == USER_AGENT


def test_street_answer_for_a_house_query_has_street_precision(tmp_path, server):
    geocoder = make_geocoder(tmp_path, server)
    [res] = geocoder.geocode_many([markt("99")])
    geocoder.close()
    assert (res.status, res.precision) == ("ok", "street")


def test_429_waits_for_retry_after(tmp_path, server):
    server.script = [Scripted(429, {"error": "slow down"}, {"Retry-After": "17"})]
    geocoder = make_geocoder(tmp_path, server)
    [res] = geocoder.geocode_many([markt("5")])
    geocoder.close()
    assert res.status == "ok"
    first, second = server.searches()
    assert second.at - first.at >= 17
    assert 17 in server.clock.sleeps


def test_503_is_retried_with_growing_back_off(tmp_path, server):
    server.script = [Scripted(503, {}), Scripted(503, {}), Scripted(503, {})]
    geocoder = make_geocoder(tmp_path, server, max_retries=3)
    [res] = geocoder.geocode_many([markt("5")])
    geocoder.close()
    assert res.status == "ok"
    times = [r.at for r in server.searches()]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(times) == 4
    assert gaps[0] >= 1.0 and gaps[1] > gaps[0] and gaps[2] > gaps[1]


def test_503_after_the_last_retry_is_an_error_not_a_crash(tmp_path, server):
    server.script = [Scripted(503, {})] * 3
    geocoder = make_geocoder(tmp_path, server, max_retries=2)
    results = geocoder.geocode_many([markt("5"), markt("7")])
    geocoder.close()
    assert [r.status for r in results] == ["error", "ok"]
    assert "503" in results[0].message
    # Errors are not cached: the next run asks again.
    again = make_geocoder(tmp_path, server)
    assert again.geocode_many([markt("5")])[0].status == "ok"
    again.close()


def test_slow_answer_past_the_timeout_is_retried(tmp_path, server):
    server.script = [Scripted(200, ANSWERS["5 Marktstraße"], delay=1.0)]
    geocoder = make_geocoder(tmp_path, server, timeout_seconds=0.2)
    [res] = geocoder.geocode_many([markt("5")])
    geocoder.close()
    assert res.status == "ok"
    assert len(server.searches()) == 2


def test_403_stops_the_batch_with_a_clear_message(tmp_path, server):
    geocoder = make_geocoder(tmp_path, server)
    server.script = [Scripted(200, ANSWERS["5 Marktstraße"]), Scripted(403, {"error": "blocked"})]
    with pytest.raises(GeocodingBlocked) as info:
        geocoder.geocode_many([markt("5"), markt("7"), markt("9")])
    geocoder.close()
    message = str(info.value)
    assert "403" in message and "usage policy" in message and "1 of 3" in message
    assert [r.status for r in info.value.results] == ["ok"]
    assert len(server.searches()) == 2  # the third address was never sent


def test_free_text_search_restricted_to_the_area(tmp_path, server):
    geocoder = make_geocoder(tmp_path, server)
    res = geocoder.geocode_text("Rathaus")
    structured = geocoder.geocode_text("Marktstraße 5, 67655 Kaiserslautern")
    geocoder.close()
    assert (res.status, res.precision) == ("ok", "house")
    assert structured.status == "ok"
    text_req, parts_req = server.searches()
    assert text_req.params["q"] == "Rathaus" and text_req.params["bounded"] == "1"
    assert parts_req.params["street"] == "5 Marktstraße"


def test_addresses_never_reach_the_log(tmp_path, server, caplog):
    server.script = [Scripted(503, {}), Scripted(429, {}, {"Retry-After": "2"})]
    caplog.set_level(logging.DEBUG)
    geocoder = make_geocoder(tmp_path, server)
    geocoder.geocode_many([markt("5"), AddressQuery("Goethestraße", "17", "67655", "Kaiserslautern")])
    geocoder.geocode_text("Goethestraße 17")
    geocoder.close()
    assert any("retry" in r.getMessage() for r in caplog.records)  # the retries were logged …
    logged = caplog.text.lower()
    for fragment in ("marktstr", "goethe", "67655", "kaiserslautern"):  # … without the address
        assert fragment not in logged
