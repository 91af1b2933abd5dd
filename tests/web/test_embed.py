"""/embed, /embed/angebote/<id>, /embed/code and /embed/resize.js without a browser.

The demo store is built once for the module; each test makes its own app from it (with the config
sections it needs), so no test leaks state into another.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import build_demo

from geo.settings import load_settings
from webmap import create_app

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "embed.md"
TOWN = "https://www.kaiserslautern.de"


@pytest.fixture(scope="module")
def demo_config(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("embed"))


def make_app(config: Path, **sections):
    return create_app(load_settings(config, overrides=sections), TESTING=True)


@pytest.fixture
def app(demo_config):
    return make_app(demo_config, embed={"allowed_origins": [TOWN + "/"]})


@pytest.fixture
def client(app):
    return app.test_client()


class Page(HTMLParser):
    """What a test needs from a page: offers listed, links, forms, resources, scripts, the map config."""

    def __init__(self, text: str):
        super().__init__()
        self.offers: list[str] = []
        self.offer_links: list[dict] = []
        self.links: list[dict] = []
        self.resources: list[str] = []
        self.scripts: list[dict] = []
        self.forms: list[dict] = []
        self.iframes: list[dict] = []
        self.root: dict = {}
        self._in_offer_heading = False
        self._json = None
        self.map_config = None
        self.textareas: list[str] = []
        self._textarea = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.root = a
        if tag == "li" and "data-offer-id" in a:
            self.offers.append(a["data-offer-id"])
        if tag == "h3":
            self._in_offer_heading = True
        if tag == "a" and "href" in a:
            self.links.append(a)
            if self._in_offer_heading:
                self.offer_links.append(a)
        if tag in ("script", "img", "iframe") and "src" in a:
            self.resources.append(a["src"])
        if tag == "link" and "href" in a:
            self.resources.append(a["href"])
        if tag == "script":
            self.scripts.append(a)
            if a.get("id") == "map-config":
                self._json = ""
        if tag == "form":
            self.forms.append(a)
        if tag == "iframe":
            self.iframes.append(a)
        if tag == "textarea":
            self._textarea = ""

    def handle_endtag(self, tag):
        if tag == "h3":
            self._in_offer_heading = False
        if tag == "script" and self._json is not None:
            import json

            self.map_config = json.loads(self._json)
            self._json = None
        if tag == "textarea" and self._textarea is not None:
            self.textareas.append(self._textarea)
            self._textarea = None

    def handle_data(self, data):
        if self._json is not None:
            self._json += data
        if self._textarea is not None:
            self._textarea += data


def get_page(client, url: str) -> tuple[object, Page]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, Page(response.get_data(as_text=True))


def api_ids(client, query: str, *, include_virtual: bool = True) -> list[str]:
    extra = "&include_virtual=1" if include_virtual else ""
    data = client.get(f"/api/v1/offers?limit=1000&{query}{extra}").get_json()
    return [f["properties"]["id"] for f in data["features"]]


# --------------------------------------------------------------------------- framing and headers


def test_embed_may_be_framed_by_the_configured_origins_only(client):
    response = client.get("/embed")
    csp = response.headers["Content-Security-Policy"]
    assert re.search(r"frame-ancestors 'self' https://www\.kaiserslautern\.de(;|$)", csp), csp
    assert "X-Frame-Options" not in response.headers
    detail = client.get("/embed/angebote/kl-0002")
    assert "frame-ancestors 'self' https://www.kaiserslautern.de" in detail.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/embed/code", "/", "/angebote/kl-0002", "/hinweise"])
def test_other_pages_forbid_framing(client, path):
    response = client.get(path)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_default_config_allows_only_our_own_origin(demo_config):
    csp = make_app(demo_config).test_client().get("/embed").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self';" in csp or csp.endswith("frame-ancestors 'self'")


def test_a_star_in_the_config_allows_every_site(demo_config):
    csp = make_app(demo_config, embed={"allowed_origins": ["*"]}).test_client().get("/embed").headers[
        "Content-Security-Policy"]
    assert "frame-ancestors *" in csp


def test_embed_sets_no_cookies_and_loads_only_from_us(client):
    response, page = get_page(client, "/embed?category=doctor&ui=ar")
    assert "Set-Cookie" not in response.headers
    assert page.resources and all(urlsplit(url).netloc == "" for url in page.resources), page.resources
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # No inline script: each is a file or the JSON configuration.
    for script in page.scripts:
        assert "src" in script or script.get("type") == "application/json", script


def test_resize_script_is_served_for_other_sites(client):
    response = client.get("/embed/resize.js")
    body = response.get_data(as_text=True)
    response.close()  # the file send_file opened
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "event.origin !== origin" in body and "angebotskarte:resize" in body
    assert len(body) < 4000, "resize.js stays tiny"


def test_cors_on_the_api_only_for_allowed_origins(client):
    allowed = client.get("/api/v1/offers?limit=1", headers={"Origin": TOWN})
    assert allowed.headers["Access-Control-Allow-Origin"] == TOWN
    assert "Origin" in allowed.headers["Vary"]
    stranger = client.get("/api/v1/offers?limit=1", headers={"Origin": "https://fremd.example"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    for path in ("/embed", "/embed/code", "/embed/resize.js", "/"):
        response = client.get(path, headers={"Origin": TOWN})
        response.close()
        assert "Access-Control-Allow-Origin" not in response.headers, path


# --------------------------------------------------------------------------- what the embed shows


@pytest.mark.parametrize("query", [
    "category=language_course",
    "category=language_course&language=ar",
    "category=Beratung,doctor&target_group=refugees",
    "district=Innenstadt-West",
    "language=Ukrainisch&wheelchair=yes",
    "q=Deutsch&category=language_course",
])
def test_the_list_shows_exactly_the_preset_offers(client, query):
    _response, page = get_page(client, f"/embed?{query}&list=bottom&controls=none")
    expected = api_ids(client, query)
    assert 0 < len(expected) <= 50
    assert sorted(page.offers) == sorted(expected)
    # The map asks the clusters API with the same, canonical filters.
    map_query = parse_qs(page.map_config["query"])
    api = client.get("/api/v1/clusters?zoom=12&" + page.map_config["query"]).get_json()
    assert api["total"] == len(api_ids(client, query, include_virtual=False))
    assert "list" not in map_query and "controls" not in map_query


def test_the_map_opens_where_the_preset_offers_are(client):
    _response, page = get_page(client, "/embed?district=Betzenberg")
    (lat_min, lon_min), (lat_max, lon_max) = page.map_config["bounds"]
    features = client.get("/api/v1/offers?district=Betzenberg&limit=1000").get_json()["features"]
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        assert lat_min <= lat <= lat_max and lon_min <= lon <= lon_max
    assert lat_max - lat_min < 0.05, "a district, not the whole town"


def test_center_and_zoom(client):
    _response, page = get_page(client, "/embed?center=49.427,7.76&zoom=15")
    assert page.map_config["view"] == {"center": [49.427, 7.76], "zoom": 15}


@pytest.mark.parametrize("value, shown", [("side", "side"), ("bottom", "bottom"), ("none", "none"), ("top", "side")])
def test_list_position(client, value, shown):
    response, page = get_page(client, f"/embed?list={value}")
    assert f"list-{shown}" in page.root["class"]
    text = response.get_data(as_text=True)
    assert ('id="list-toggle"' in text) == (shown == "none")
    assert ("list=top" in text) == (value == "top"), "an unknown value is named, not silently dropped"


def test_controls_none_is_a_read_only_preset(client):
    response, page = get_page(client, "/embed?category=language_course&language=ar&controls=none&ui=de")
    assert not page.forms
    text = response.get_data(as_text=True)
    assert "Angezeigt:" in text and "Sprachkurs" in text and "Arabisch" in text


def test_the_filter_form_stays_in_the_frame_and_keeps_the_embed_options(client):
    _response, page = get_page(client, "/embed?category=doctor&list=bottom&ui=uk&links=frame&zoom=14")
    (form,) = page.forms
    assert form["action"] == "/embed" and form["method"] == "get" and form["target"] == "_self"
    text = client.get("/embed?category=doctor&list=bottom&ui=uk&links=frame&zoom=14").get_data(as_text=True)
    for name, value in (("list", "bottom"), ("ui", "uk"), ("links", "frame"), ("zoom", "14")):
        assert f'<input type="hidden" name="{name}" value="{value}">' in text


def test_offer_links_open_a_new_tab_by_default(client):
    _response, page = get_page(client, "/embed?category=doctor")
    assert page.offer_links
    for link in page.offer_links:
        assert link["target"] == "_blank" and "noopener" in link["rel"]
        assert link["href"].startswith("/angebote/")
    assert client.get("/embed").get_data(as_text=True).count('<base target="_blank">') == 1


@pytest.mark.parametrize("sections, query", [({"embed": {"link_target": "_self"}}, ""), ({}, "&links=frame")])
def test_offer_links_may_stay_in_the_frame(demo_config, sections, query):
    client = make_app(demo_config, **sections).test_client()
    _response, page = get_page(client, f"/embed?category=doctor&list=bottom{query}")
    for link in page.offer_links:
        assert link["target"] == "_self"
        assert link["href"].startswith("/embed/angebote/") and "list=bottom" in link["href"]
    assert page.map_config["linkTarget"] == "_self"
    assert page.map_config["detailUrl"].startswith("/embed/angebote/__ID__?")


@pytest.mark.parametrize("value", ["_top", "_parent", "javascript:alert(1)", "top"])
def test_a_link_parameter_cannot_choose_an_unsafe_target(client, value):
    response, page = get_page(client, f"/embed?category=doctor&links={value}")
    assert {link["target"] for link in page.offer_links} == {"_blank"}
    assert page.map_config["linkTarget"] == "_blank"
    assert "_top" not in {link.get("target") for link in page.links}
    assert "links=" in response.get_data(as_text=True)  # named as not understood


def test_parameters_not_understood_are_named_and_the_rest_still_works(client):
    response, page = get_page(client, "/embed?category=doctor&category=typo&zoom=99&center=north&ui=en")
    text = html.unescape(response.get_data(as_text=True))
    assert "were not understood" in text
    for name in ("category=typo", "zoom=99", "center=north"):
        assert name in text
    assert sorted(page.offers) == sorted(api_ids(client, "category=doctor"))
    assert "view" not in page.map_config


def test_pagination_stays_in_the_frame(client):
    _response, page = get_page(client, "/embed?list=bottom&ui=tr")
    assert len(page.offers) == 50
    (next_link,) = [a for a in page.links if a.get("rel") == "next"]
    assert next_link["target"] == "_self" and next_link["href"].startswith("/embed?")
    assert parse_qs(urlsplit(next_link["href"]).query) == {"list": ["bottom"], "ui": ["tr"], "offset": ["50"]}
    _response, second = get_page(client, next_link["href"])
    assert len(set(page.offers) | set(second.offers)) == 100


def test_without_javascript_the_embed_is_a_list(client):
    response, page = get_page(client, "/embed?list=none&ui=en")
    text = response.get_data(as_text=True)
    assert "no-js" in page.root["class"].split(), "embed.css hides the empty map box until the script runs"
    assert len(page.offers) == 50
    assert "The map needs JavaScript. All offers are in the list." in text
    assert '<details class="embed-list-toggle" id="list-toggle" open>' in text, "folded only by the script"


@pytest.mark.parametrize("lang, direction, sample", [("ar", "rtl", "فتح الخريطة الكاملة"),
                                                     ("de", "ltr", "Vollständige Karte öffnen"),
                                                     ("prs", "rtl", "باز کردن نقشهٔ کامل")])
def test_the_embed_speaks_the_ui_language(client, lang, direction, sample):
    response, page = get_page(client, f"/embed?ui={lang}")
    assert page.root["dir"] == direction and sample in response.get_data(as_text=True)


def test_in_frame_offer_page_leads_back_to_the_same_list(client):
    _response, page = get_page(client, "/embed/angebote/kl-0002?category=doctor&list=bottom&links=frame&ui=en")
    back = [a for a in page.links if a.get("target") == "_self" and a["href"].startswith("/embed?")]
    assert back and parse_qs(urlsplit(back[0]["href"]).query) == {
        "category": ["doctor"], "list": ["bottom"], "links": ["frame"], "ui": ["en"]}
    full = [a for a in page.links if a["href"].startswith("/angebote/kl-0002")]
    assert full and full[0]["target"] == "_blank"
    assert client.get("/embed/angebote/gibt-es-nicht").status_code == 404


def test_markup_in_offer_names_is_shown_as_text(tmp_path):
    from test_pages import build_store, offer_row

    evil = '<img src=x onerror="alert(1)">Böse Beratung'
    settings = build_store(tmp_path, [offer_row("x-1", name=evil), offer_row("x-2", name="Ruhig", lat="49,43")])
    client = create_app(settings, TESTING=True).test_client()
    for url in ("/embed?list=bottom", "/embed/angebote/x-1?links=frame",
                "/embed/code?category=counselling&title=" + evil):
        text = client.get(url).get_data(as_text=True)
        assert "<img src=x" not in text, url
    assert "&lt;img src=x" in client.get("/embed").get_data(as_text=True)


# --------------------------------------------------------------------------- the generator


def snippet(client, query: str) -> dict:
    return client.get(f"/embed/code?{query}&partial=snippet&ui=de").get_json()


class Snippet(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.iframes, self.scripts = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        (self.iframes if tag == "iframe" else self.scripts if tag == "script" else []).append(dict(attrs))


@pytest.mark.parametrize("options, expected", [
    ({}, {"list": ["side"]}),
    ({"category": "language_course", "language": "ar"},
     {"category": ["language_course"], "language": ["ar"], "list": ["side"]}),
    ({"category": ["doctor", "counselling"], "target_group": "refugees", "district": "01", "list": "bottom",
      "embed_ui": "ar", "controls": "none", "links": "frame"},
     {"category": ["doctor,counselling"], "target_group": ["refugees"], "district": ["01"], "ui": ["ar"],
      "list": ["bottom"], "controls": ["none"], "links": ["frame"]}),
    ({"language": "Ukrainisch", "list": "none", "links": "tab"},
     {"language": ["uk"], "list": ["none"], "links": ["tab"]}),
])
def test_snippet_round_trips_its_options(client, options, expected):
    from urllib.parse import urlencode

    from webmap.embed.options import PRESET_FILTERS

    answer = snippet(client, urlencode(options, doseq=True))
    parsed = Snippet(answer["snippet"])
    (iframe,) = parsed.iframes
    src = urlsplit(iframe["src"])
    assert src.scheme == "http" and src.netloc == "localhost" and src.path == "/embed"
    assert parse_qs(src.query) == expected
    assert iframe["src"] == answer["src"]
    # Loading the snippet's src shows exactly these options.
    _response, page = get_page(client, f"{src.path}?{src.query}")
    filters = urlencode([(k, v[0]) for k, v in expected.items() if k in PRESET_FILTERS])
    wanted = api_ids(client, filters)
    if len(wanted) <= 50:
        assert sorted(page.offers) == sorted(wanted)
    else:
        assert len(page.offers) == 50 and set(page.offers) <= set(wanted)
    assert f"list-{expected['list'][0]}" in page.root["class"]
    assert bool(page.forms) == ("controls" not in expected)
    if "ui" in expected:
        assert page.root["lang"] == expected["ui"][0]


def test_snippet_has_a_meaningful_title_and_the_required_attributes(client):
    answer = snippet(client, "category=language_course&language=ar")
    (iframe,) = Snippet(answer["snippet"]).iframes
    assert iframe["title"] == "Karte: Sprachkurs auf Arabisch in Kaiserslautern"
    assert iframe["loading"] == "lazy" and iframe["allow"] == "geolocation"
    assert iframe["referrerpolicy"] == "no-referrer"
    assert not Snippet(answer["snippet"]).scripts
    assert answer["total"] == len(api_ids(client, "category=language_course&language=ar"))


def test_title_speaks_the_maps_language_and_can_be_chosen(client):
    arabic = snippet(client, "category=doctor&language=ar&embed_ui=ar")
    assert arabic["title"].startswith("خريطة:") and "العربية" in arabic["title"]
    own = snippet(client, "category=doctor&title=" + "Ärztinnen und Ärzte \"mit\" <Sprachen>")
    (iframe,) = Snippet(own["snippet"]).iframes
    assert iframe["title"] == 'Ärztinnen und Ärzte "mit" <Sprachen>'
    assert "<Sprachen>" not in own["snippet"]


@pytest.mark.parametrize("options, width, style", [
    ("", "100%", "width:100%;height:500px"),
    ("&size=fixed&width=640&height=420", "640", "width:640px;height:420px"),
    ("&size=responsive&height=800", "100%", "width:100%;height:800px"),
])
def test_snippet_sizes(client, options, width, style):
    (iframe,) = Snippet(snippet(client, "category=doctor" + options)["snippet"]).iframes
    assert iframe["width"] == width and style in iframe["style"] and "border:0" in iframe["style"]


def test_resize_script_only_when_asked(client):
    parsed = Snippet(snippet(client, "category=doctor&list=bottom&resize=1")["snippet"])
    assert [s["src"] for s in parsed.scripts] == ["http://localhost/embed/resize.js"]
    assert "async" in parsed.scripts[0]


def test_generator_works_without_javascript(client):
    query = "category=language_course&language=ar&list=bottom&embed_ui=ar&size=fixed&width=640&resize=1&ui=de"
    response, page = get_page(client, "/embed/code?" + query)
    (form,) = page.forms
    assert form["method"] == "get" and form["action"] == "/embed/code"
    (text,) = page.textareas
    assert text == snippet(client, query)["snippet"], "the textarea holds the snippet as characters"
    (preview,) = page.iframes
    assert preview["src"] == Snippet(text).iframes[0]["src"]
    body = response.get_data(as_text=True)
    assert 'value="language_course" checked' in body and 'id="c-list-bottom" name="list" value="bottom" checked' in body


@pytest.mark.parametrize("lang, heading", [("de", "Die Karte auf Ihrer Website zeigen"),
                                           ("ar", "اعرض الخريطة على موقعك الإلكتروني"),
                                           ("uk", "Розмістіть карту на своєму вебсайті")])
def test_generator_is_translated(client, lang, heading):
    text = client.get(f"/embed/code?ui={lang}").get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in text


def test_generator_names_the_sites_that_may_embed(demo_config):
    allowed = make_app(demo_config, embed={"allowed_origins": [TOWN]}).test_client()
    assert f"<code dir=\"ltr\">{TOWN}</code>" in allowed.get("/embed/code?ui=en").get_data(as_text=True)
    nobody = make_app(demo_config).test_client().get("/embed/code?ui=en").get_data(as_text=True)
    assert "No other website may show this map yet" in html.unescape(nobody)


def test_generator_reports_options_it_does_not_understand(client):
    answer = snippet(client, "category=nonsense&list=sideways&width=5")
    assert set(answer["problems"]) == {"category=nonsense", "list=sideways", "width=5"}
    assert parse_qs(urlsplit(answer["src"]).query) == {"list": ["side"]}


# --------------------------------------------------------------------------- documentation


def test_every_option_is_documented():
    """docs/embed.md is all a web editor reads: every parameter and option must be in it."""
    from webmap.cli import export_html
    from webmap.embed.options import CONTROLS, EMBED_PARAMETERS, LINK_TARGETS, LIST_POSITIONS, PRESET_FILTERS

    text = DOCS.read_text(encoding="utf-8")
    for name in (*EMBED_PARAMETERS, *PRESET_FILTERS, "near", "offset", "ui", *LIST_POSITIONS, *CONTROLS,
                 *LINK_TARGETS, "allowed_origins", "link_target", "cors_origins", "frame-ancestors",
                 "angebotskarte:resize", "/embed/code", "/embed/resize.js", "export-html"):
        assert f"`{name}`" in text or f"`{name}=" in text or name in text, name
    for param in export_html.command.params:
        for option in getattr(param, "opts", ()):
            if option.startswith("--") and option != "--help":
                assert f"`{option}" in text, option
