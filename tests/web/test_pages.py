"""The newcomer's pages without JavaScript: list, filters, nearest offers, detail page, safety."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

TILE_HOST = "tile.openstreetmap.org"
DEMO_HEADER = ("ID;Name;Kategorie;Träger;Beschreibung;Straße;Hausnummer;PLZ;Ort;Breitengrad;Längengrad;Art;Sprachen;"
               "Zielgruppen;Alter von;Alter bis;Öffnungszeiten;Termin;Telefon;E-Mail;Webseite;Barrierefrei;Kosten;Stand")


def offer_row(offer_id: str, *, name: str = "Beratung am Markt", category: str = "Beratung", lat: str = "49,4447",
              lon: str = "7,7690", website: str = "https://example.org", description: str = "Offene Sprechstunde",
              email: str = "info@example.org", languages: str = "Deutsch, Arabisch", art: str = "vor Ort",
              hours: str = "Mo-Fr 09:00-17:00", checked: str = "01.03.2026") -> dict:
    """One offer as a row of the demo's spreadsheet layout (German headers, as coordinators write them)."""
    return {"ID": offer_id, "Name": name, "Kategorie": category, "Träger": "Verein", "Beschreibung": description,
            "Straße": "Marktstraße", "Hausnummer": "1", "PLZ": "67655", "Ort": "Kaiserslautern",
            "Breitengrad": lat, "Längengrad": lon, "Art": art, "Sprachen": languages, "Zielgruppen": "Alle",
            "Alter von": "", "Alter bis": "", "Öffnungszeiten": hours, "Termin": "keiner",
            "Telefon": "0631 5550-100", "E-Mail": email, "Webseite": website, "Barrierefrei": "ja",
            "Kosten": "kostenlos", "Stand": checked}


def build_store(tmp_path: Path, rows: list[dict], **sections):
    """Settings of a deployment in tmp_path whose store holds exactly ``rows``."""
    import csv
    import io

    from conftest import make_settings
    from geo.importer import import_file
    from geo.store import Store

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=DEMO_HEADER.split(";"), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "offers.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    sections.setdefault("map", {}).setdefault("data_owner_email", "integration@example.org")
    settings = make_settings(tmp_path, **sections)
    import_file(path, settings, source="test", store=Store(settings.store_path))
    return settings


class _Collector(HTMLParser):
    """Collects resource URLs (src, link href), links (a href), offers and the map config."""

    def __init__(self):
        super().__init__()
        self.resources: list[str] = []
        self.links: list[str] = []
        self.offers: list[dict] = []
        self.scripts: list[dict] = []
        self._json: str | None = None
        self.map_config: dict | None = None
        self.checkboxes: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "src" in a:
            self.resources.append(a["src"])
        if tag == "link" and "href" in a:
            self.resources.append(a["href"])
        if tag == "use" and "href" in a:
            self.resources.append(a["href"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "li" and "data-offer-id" in a:
            self.offers.append(a)
        if tag == "script":
            self.scripts.append(a)
            if a.get("id") == "map-config":
                self._json = ""
        if tag == "input" and a.get("type") == "checkbox":
            self.checkboxes.append(a)

    def handle_data(self, data):
        if self._json is not None:
            self._json += data

    def handle_endtag(self, tag):
        if tag == "script" and self._json is not None:
            self.map_config = json.loads(self._json)
            self._json = None


def parse(html: bytes | str) -> _Collector:
    collector = _Collector()
    collector.feed(html.decode() if isinstance(html, bytes) else html)
    return collector


def text_of(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


# --------------------------------------------------------------------------- the list


def test_list_shows_all_offers_sorted_by_name_in_pages(demo_client, demo_app):
    response = demo_client.get("/?ui=en")
    assert response.status_code == 200
    page = parse(response.data)
    with demo_app.test_request_context():
        from webmap.state import current_data

        offers = current_data().offers
    assert f"{len(offers)} offers" in text_of(response.data)
    assert len(page.offers) == 50
    names = re.findall(r'<h3 id="offer-\d+-name"><a [^>]*>([^<]*)</a>', response.data.decode())
    assert len(names) == 50
    from geo.vocab import fold
    import html

    folded = [fold(html.unescape(n)) for n in names]
    assert folded == sorted(folded)
    assert any("offset=50" in link for link in page.links), "a next-page link"


def test_filters_or_within_a_facet_and_across_facets(demo_client, demo_app):
    def ids(query):
        out = []
        offset = 0
        while True:
            page = parse(demo_client.get(f"/?ui=en&{query}&offset={offset}").data)
            out += [o["data-offer-id"] for o in page.offers]
            if len(page.offers) < 50:
                return out
            offset += 50

    with demo_app.test_request_context():
        from webmap.state import current_data

        offers = current_data().offers.set_index("id")
    doctors, counselling = ids("category=doctor"), ids("category=counselling")
    assert doctors and counselling
    assert all(offers.loc[i, "category"] == "doctor" for i in doctors)
    both = ids("category=doctor&category=counselling")
    assert sorted(both) == sorted(doctors + counselling)
    assert sorted(ids("category=doctor,counselling")) == sorted(both), "comma-separated is the same as repeated"
    arabic_doctors = ids("category=doctor&language=ar")
    assert arabic_doctors and set(arabic_doctors) < set(doctors)
    assert all("ar" in offers.loc[i, "languages"] for i in arabic_doctors)


def test_facet_counts_are_the_index_counts_and_zero_options_are_hidden(demo_client, demo_app):
    response = demo_client.get("/?ui=en&category=doctor")
    page = parse(response.data)
    with demo_app.test_request_context("/?category=doctor"):
        from webmap.pages.query import page_query
        from webmap.state import current_data

        from werkzeug.datastructures import MultiDict

        query, _ = page_query(MultiDict([("category", "doctor")]), near=None, limit=50)
        counts = current_data().index.facet_counts(query)
    html = response.data.decode()
    for facet in ("category", "language", "target_group"):
        for value, count in counts[facet].items():
            match = re.search(
                r'<li( hidden)?>\s*<input type="checkbox" id="(f-%s-\d+)" name="%s" value="%s"[^>]*>\s*<label[^>]*>.*?'
                r'<span class="count">\((\d+)\)</span>' % (facet, facet, re.escape(value)), html, re.S)
            assert match, (facet, value)
            assert int(match.group(3)) == count
            checked = facet == "category" and value == "doctor"
            assert bool(match.group(1)) == (count == 0 and not checked), (facet, value, count)


def test_near_sorts_by_distance_with_walking_minutes(demo_client):
    response = demo_client.get("/?ui=en&near=49.4447,7.7690")
    html = response.data.decode()
    distances = []
    for km, unit in re.findall(r'<p class="distance"><strong>([\d.,]+) (m|km)</strong>', html):
        value = float(km.replace(",", ""))
        distances.append(value if unit == "m" else value * 1000)
    assert len(distances) >= 40
    assert distances == sorted(distances)
    assert "minutes on foot" in html
    assert "Sorted by distance" in html


def test_walking_minutes_formula():
    from webmap.pages.offer_views import walk_minutes

    # 1 km straight line x 1.3 detour at 4.5 km/h (75 m/min) = 17.3 -> 18 minutes
    assert walk_minutes(1000, 1.3, 4.5) == 18
    assert walk_minutes(0, 1.3, 4.5) == 1
    assert walk_minutes(75, 1.0, 4.5) == 1


def test_virtual_offers_are_listed_with_a_label_and_not_on_the_map(demo_client, demo_app):
    with demo_app.test_request_context():
        from webmap.state import current_data

        offers = current_data().offers
        virtual = offers[offers["location_type"] == "virtual"]
    assert len(virtual)
    offer_id = virtual["id"].iloc[0]
    page = demo_client.get("/?ui=en&q=" + virtual["name"].iloc[0].split()[0])
    assert b"Online or by phone" in page.data
    clusters = demo_client.get("/api/v1/clusters?zoom=12").get_json()
    assert offer_id not in {f["properties"].get("id") for f in clusters["features"]}
    located = int(offers.geometry.notna().sum() - offers.geometry.is_empty.sum())
    assert clusters["total"] <= located


def test_coordinates_typed_into_the_address_field_work_without_address_search(demo_client):
    response = demo_client.get("/?ui=en&near=49,4447%3B+7,7690")
    assert response.status_code == 200
    assert b"Sorted by distance" in response.data


def test_address_without_geocoder_gives_a_clear_message(demo_client):
    response = demo_client.get("/?ui=en&near=Marktstra%C3%9Fe+1")
    assert response.status_code == 200
    assert b"Address search is not set up on this site" in response.data
    assert b"Sorted by name" in response.data


class _FakeGeocoder:
    def __init__(self):
        self.calls = []

    def geocode_text(self, text):
        from geo.geocoding.base import GeocodeResult

        self.calls.append(text)
        return GeocodeResult("ok", lat=49.44, lon=7.77)


def test_address_search_is_rate_limited_and_never_logged(demo_app, monkeypatch, caplog):
    from geo.geocoding.politeness import ClientRateLimit

    fake = _FakeGeocoder()
    monkeypatch.setattr("webmap.pages.address_search.address_geocoder", lambda: fake)
    monkeypatch.setattr("webmap.pages.listing.address_geocoder", lambda: fake)
    demo_app.extensions.setdefault("angebotskarte.cache", {})["address_rate"] = ClientRateLimit(3)
    client = demo_app.test_client()
    secret = "Geheimweg 7 Kaiserslautern"
    with caplog.at_level("DEBUG"):
        statuses = [client.get("/", query_string={"ui": "en", "near": secret}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(fake.calls) == 3
    assert secret not in caplog.text
    last = client.get("/", query_string={"ui": "en", "near": secret})
    assert b"Too many address searches" in last.data


def test_rate_limiter_window():
    from geo.geocoding.politeness import ClientRateLimit

    now = [0.0]
    limiter = ClientRateLimit(2, clock=lambda: now[0])
    assert limiter.allow("a") and limiter.allow("a") and not limiter.allow("a")
    assert limiter.allow("b")
    now[0] = 60.0
    assert limiter.allow("a")


def test_bad_filter_values_are_left_out_with_a_message(demo_client):
    response = demo_client.get("/?ui=en&category=doctor,nonsense")
    assert response.status_code == 200
    assert b"category=nonsense" in response.data
    page = parse(response.data)
    assert any(c.get("value") == "doctor" and "checked" in c for c in page.checkboxes)


def test_partial_results_render_only_the_results_section(demo_client):
    response = demo_client.get("/?ui=en&category=doctor&partial=results")
    html = response.data.decode()
    assert html.lstrip().startswith("<section id=\"results\"")
    assert "<html" not in html
    facets = json.loads(re.search(r'data-facets="([^"]*)"', html).group(1).replace("&#34;", '"').replace("&quot;", '"'))
    assert facets["category"]["doctor"] > 0


def test_form_is_a_plain_get_form_and_state_is_in_the_url(demo_client):
    response = demo_client.get("/?ui=tr&category=doctor&q=Praxis&near=49.44,7.76&open_now=1")
    html = response.data.decode()
    assert re.search(r'<form id="filters"[^>]*method="get"', html)
    assert 'name="ui" value="tr"' in html
    assert re.search(r'value="Praxis"', html)
    assert re.search(r'name="near" type="text" value="49.44,7.76"', html)
    assert re.search(r'id="f-open-now" name="open_now" value="1" checked', html)
    # links to detail pages keep the UI language and the place
    page = parse(demo_client.get("/?ui=tr&category=doctor&near=49.44,7.76").data)
    detail = [link for link in page.links if link.startswith("/angebote/")]
    assert detail and all("ui=tr" in link and "near=" in link for link in detail)


# --------------------------------------------------------------------------- one offer


def test_detail_page_has_everything(demo_client, demo_app):
    response = demo_client.get("/angebote/kl-0002?ui=en&near=49.44,7.76")
    assert response.status_code == 200
    html = response.data.decode()
    page = parse(response.data)
    assert "Hausarztpraxis" in html
    route = [link for link in page.links if link.startswith("https://www.openstreetmap.org/directions")]
    assert route and "route=49.44000%2C7.76000%3B" in route[0]
    report = [link for link in page.links if link.startswith("mailto:integration@example.org")]
    assert report and "kl-0002" in report[0]
    assert "Last checked" in html
    assert "العربية" in html and "فارسی" in html
    assert page.map_config["kind"] == "offer"
    assert page.map_config["marker"]["lat"] == pytest.approx(49.4386)


def test_detail_page_warns_when_the_check_is_old(demo_client, monkeypatch):
    from webmap.pages import offer_views

    monkeypatch.setattr(offer_views, "_now", lambda: datetime(2026, 1, 10, 12, tzinfo=timezone.utc))
    fresh = demo_client.get("/angebote/kl-0002?ui=en").data  # checked 2026-10-27: "future" is fresh
    assert b"may be out of date" not in fresh
    monkeypatch.setattr(offer_views, "_now", lambda: datetime(2028, 1, 10, 12, tzinfo=timezone.utc))
    old = demo_client.get("/angebote/kl-0002?ui=en").data
    assert b"may be out of date" in old


def test_unknown_offer_is_404(demo_client):
    assert demo_client.get("/angebote/nope").status_code == 404


def test_opening_status_texts(demo_app):
    from webmap.pages.offer_views import opening_status

    tz = "Europe/Berlin"
    monday_10 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # 11:00 in Berlin
    with demo_app.test_request_context("/?ui=en"):
        assert opening_status("Mo-Fr 08:00-13:00", "none", tz, monday_10)["text"] == "Open now, until 13:00"
        closed = opening_status("Mo-Fr 14:00-18:00", "none", tz, monday_10)
        assert closed == {"kind": "closed", "text": "Closed now, opens today at 14:00"}
        tomorrow = opening_status("Tu 09:00-12:00", "none", tz, monday_10)["text"]
        assert tomorrow == "Closed now, opens tomorrow at 09:00"
        later = opening_status("Th 09:00-12:00", "none", tz, monday_10)["text"]
        assert later == "Closed now, opens Thursday at 09:00"
        assert opening_status("", "required", tz, monday_10) == {"kind": "appointment", "text": "By appointment"}
        assert opening_status("", "none", tz, monday_10) is None
    with demo_app.test_request_context("/?ui=de"):
        assert opening_status("Mo-Fr 08:00-13:00", "none", tz, monday_10)["text"] == "Jetzt geöffnet, bis 13:00 Uhr"


# --------------------------------------------------------------------------- safety and privacy


@pytest.fixture
def hostile_client(tmp_path):
    """A deployment whose data tries to inject markup and script links."""
    settings = build_store(tmp_path, [
        offer_row("x-1", name='<img src=x onerror="document.title=1">Böse', website="javascript:alert(1)",
                  description="</script><script>alert(2)</script>", email='a@b.de"><script>'),
        offer_row("x-2", name="Café </script> & 'Quotes'", lat="49,44", lon="7,77"),
    ])
    from webmap import create_app

    return create_app(settings, TESTING=True).test_client()


@pytest.mark.parametrize("url", ["/?ui=en", "/angebote/x-1?ui=en", "/?ui=ar", "/?partial=results"])
def test_data_is_escaped_everywhere(hostile_client, url):
    html = hostile_client.get(url).data.decode()
    assert "<img src=x" not in html
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "&lt;img src=x" in html or "x-1" not in url


def test_json_in_pages_is_escaped(hostile_client):
    html = hostile_client.get("/angebote/x-2?ui=en").data.decode()
    block = re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S).group(1)
    assert "</script>" not in block and "<" not in block
    assert json.loads(block)["marker"]["name"] == "Café </script> & 'Quotes'"


def test_clusters_api_returns_names_as_data(hostile_client):
    data = hostile_client.get("/api/v1/clusters?zoom=14").get_json()
    names = {f["properties"]["name"] for f in data["features"]}
    assert '<img src=x onerror="document.title=1">Böse' in names


@pytest.mark.parametrize("value, expected", [
    ("https://example.org/a?b=1", "https://example.org/a?b=1"),
    ("HTTP://example.org", "HTTP://example.org"),
    ("javascript:alert(1)", None),
    ("data:text/html,hi", None),
    ("//evil.example", None),
    ("https://", None),
    ('https://example.org/"onmouseover=x', None),
])
def test_only_http_links_are_rendered(value, expected):
    from webmap.pages.offer_views import safe_web_url

    assert safe_web_url(value) == expected


def test_phone_and_email_links():
    from webmap.pages.offer_views import safe_email, tel_href

    assert tel_href("0631 5550-764") == "tel:06315550764"
    assert tel_href("+49 (631) 555 0191") == "tel:+496315550191"
    assert tel_href("n/a") is None
    assert safe_email("info@example.org") == "info@example.org"
    assert safe_email('a@b.de"><script>') is None


@pytest.mark.parametrize("url", ["/?ui=de", "/angebote/kl-0001?ui=de", "/?ui=ar", "/hinweise?ui=fa"])
def test_pages_load_nothing_from_other_hosts(demo_client, url):
    response = demo_client.get(url)
    assert response.status_code == 200
    page = parse(response.data)
    assert page.resources
    for resource in page.resources:
        parts = urlsplit(resource)
        assert not parts.netloc and not parts.scheme, f"{url} loads {resource}"
    assert all(not s.get("src", "/").startswith("http") for s in page.scripts)
    inline = [s for s in page.scripts if "src" not in s and s.get("type") != "application/json"]
    assert not inline, "no inline scripts (CSP)"
    if page.map_config:
        for asset in page.map_config["assets"]["js"] + page.map_config["assets"]["css"]:
            assert asset.startswith("/static/vendor/")
        assert urlsplit(page.map_config["tiles"]["url"]).netloc == TILE_HOST
    assert "Set-Cookie" not in response.headers
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "unsafe-inline" not in script_src


def test_vendor_files_are_served_by_the_app(demo_client):
    for path in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css",
                 "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
                 "/static/vendor/leaflet/images/marker-icon.png"):
        with demo_client.get(path) as response:
            assert response.status_code == 200, path
            assert "max-age" in response.headers["Cache-Control"]
    assert demo_client.get("/static/vendor/nope/x.js").status_code == 404
    assert demo_client.get("/static/vendor/leaflet/../../__init__.py").status_code == 404
    with demo_client.get("/static/css/app.css") as response:
        assert response.status_code == 200


def test_about_page_explains_the_walking_estimate(demo_client):
    html = demo_client.get("/hinweise?ui=en").data.decode()
    assert "straight-line distance times 1.3" in html
    assert "4.5 km/h" in html


def test_store_helper_builds(tmp_path):
    settings = build_store(tmp_path, [offer_row("a-1")])
    assert Path(settings.store_path).exists()


def test_district_filter_by_id_and_name(demo_client, demo_app):
    with demo_app.test_request_context():
        from webmap.state import district_names

        district_id, name = sorted(district_names().items())[0]
    by_id = demo_client.get(f"/?ui=en&district={district_id}&partial=results").data.decode()
    by_name = demo_client.get("/", query_string={"ui": "en", "district": name, "partial": "results"}).data.decode()
    total = re.search(r'data-total="(\d+)"', by_id).group(1)
    assert 0 < int(total) < 150
    assert re.search(r'data-total="(\d+)"', by_name).group(1) == total
    page = demo_client.get(f"/?ui=en&district={district_id}").data.decode()
    assert f">{name}</span>" in page, "district options show names, not ids"


def test_docs_describe_every_page_parameter():
    text = (Path(__file__).resolve().parents[2] / "docs" / "ui.md").read_text(encoding="utf-8")
    from webmap.params import FACET_PARAMETERS

    for name in (*FACET_PARAMETERS, "q", "near", "open_now", "offset", "ui", "partial", "bbox", "zoom",
                 "detour_factor", "walk_speed_kmh", "verification_max_age_days", "data_owner_email",
                 "search_rate_per_minute"):
        assert f"`{name}" in text or f"] {name}" in text, f"docs/ui.md does not mention {name}"
