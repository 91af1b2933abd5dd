"""The web app's floor: names are shown as text, security headers everywhere, no cookies, /healthz."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from geo.settings import load_settings
from geo.store import Store
from webmap import create_app
from webmap.cli import main

SCRIPT_NAME = "<script>alert('x')</script> Treff"
MARKUP_NAME = 'Sprachcafé <b>International</b> & "Freunde"'


@pytest.fixture
def small_app(tmp_path, capsys):
    """A deployment with a few offers whose names try to inject markup."""
    cfg = tmp_path / "c.toml"
    cfg.write_text('[store]\npath = "s.gpkg"\n', encoding="utf-8")
    (tmp_path / "l.csv").write_text(
        "ID;Name;Träger;Beschreibung;Breitengrad;Längengrad;Webseite\n"
        f"s1;\"{SCRIPT_NAME.replace(chr(34), chr(34) * 2)}\";<img src=x onerror=alert(1)>;<i>kursiv</i>;49,44;7,75;\n"
        f"s2;\"{MARKUP_NAME.replace(chr(34), chr(34) * 2)}\";;;49,45;7,76;https://example.org/?a=1&b=2\n",
        encoding="utf-8")
    assert main(["import", str(tmp_path / "l.csv"), "--config", str(cfg)]) == 0
    capsys.readouterr()
    return create_app(load_settings(cfg), TESTING=True)


class _Text(HTMLParser):
    """The text a browser shows (entities decoded), without script and style contents."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.tags, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _shown_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def assert_shown_as_text(page: str, name: str):
    assert name in _shown_text(page), "the name is not shown as text"
    assert name not in page  # the raw markup never reaches the browser (JSON in pages is \u003c-escaped)


@pytest.mark.parametrize("name", [SCRIPT_NAME, MARKUP_NAME])
def test_list_page_escapes_names(small_app, name):
    page = small_app.test_client().get("/").get_data(as_text=True)
    assert_shown_as_text(page, name)
    assert "<img src=x" not in page and "<i>kursiv</i>" not in page


def test_demo_list_page_escapes_the_markup_name(demo_client):
    # the list may be paged; searching for the name puts it on the first page
    response = demo_client.get("/", query_string={"q": "Sprachcafé International Freunde"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    if MARKUP_NAME not in _shown_text(page):
        page = demo_client.get("/").get_data(as_text=True)
    assert_shown_as_text(page, MARKUP_NAME)


@pytest.mark.parametrize("offer_id", ["s1", "s2"])
def test_detail_pages_escape_names(small_app, offer_id):
    client = small_app.test_client()
    urls = [r.rule for r in small_app.url_map.iter_rules() if "offer_id" in r.arguments and not r.rule.startswith("/api")]
    # A missing detail page is a defect, not a reason to skip: the map and the embed link to them.
    assert "/angebote/<path:offer_id>" in urls and "/embed/angebote/<path:offer_id>" in urls, urls
    for url in urls:
        page = client.get(url.replace("<path:offer_id>", offer_id).replace("<offer_id>", offer_id)).get_data(as_text=True)
        name = SCRIPT_NAME if offer_id == "s1" else MARKUP_NAME
        assert_shown_as_text(page, name)
        assert "<img src=x" not in page


def urls_to_check(app) -> list[str]:
    urls = ["/", "/healthz", "/gibt-es-nicht"]
    urls += [r.rule for r in app.url_map.iter_rules()
             if "GET" in r.methods and not r.arguments and r.endpoint != "static" and r.rule not in urls]
    return urls


def test_security_headers_on_every_response(small_app):
    client = small_app.test_client()
    for url in urls_to_check(small_app):
        with client.get(url) as response:  # closed: some routes send files
            headers = response.headers
            assert headers.get("X-Content-Type-Options") == "nosniff", url
            assert headers.get("Referrer-Policy") == "no-referrer", url
            csp = headers.get("Content-Security-Policy", "")
            assert "default-src 'self'" in csp and "script-src 'self'" in csp, url
            assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0], url
            assert "object-src 'none'" in csp, url
            if not url.startswith("/embed"):
                assert headers.get("X-Frame-Options") == "DENY", url
                assert "frame-ancestors 'none'" in csp, url


def test_csp_allows_images_only_from_us_and_the_configured_tiles(tmp_path, small_app):
    csp = small_app.test_client().get("/").headers["Content-Security-Policy"]
    img = next(part for part in csp.split("; ") if part.startswith("img-src"))
    assert img.split()[1:] == ["'self'", "data:", "https://tile.openstreetmap.org"]


def test_no_response_sets_a_cookie(small_app):
    client = small_app.test_client()
    for url in urls_to_check(small_app):
        for query in ({}, {"ui": "ar"}, {"ui": "xx"}):
            with client.get(url, query_string=query, headers={"Accept-Language": "uk,de;q=0.5",
                                                               "Cookie": "session=abc"}) as response:
                assert "Set-Cookie" not in response.headers, url


def test_healthz_is_503_until_data_is_loaded(tmp_path):
    (tmp_path / "c.toml").write_text('[store]\npath = "s.gpkg"\n', encoding="utf-8")
    app = create_app(load_settings(tmp_path / "c.toml"), TESTING=True)
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "no data"
    (tmp_path / "l.csv").write_text("Name\nA\nB\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "l.csv"), "--config", str(tmp_path / "c.toml")]) == 0
    response = client.get("/healthz")  # the same running app notices the new store
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["offers"] == 2
    assert response.json["version"] == Store(tmp_path / "s.gpkg").version


def test_healthz_is_503_when_the_store_is_broken(tmp_path):
    (tmp_path / "s.gpkg").write_text("kaputt", encoding="utf-8")
    app = create_app(load_settings(None, overrides={"store": {"path": str(tmp_path / "s.gpkg")}}), TESTING=True)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "error"


def test_each_app_has_its_own_data(tmp_path, small_app):
    (tmp_path / "other.toml").write_text('[store]\npath = "other.gpkg"\n', encoding="utf-8")
    other = create_app(load_settings(tmp_path / "other.toml"), TESTING=True)
    assert other.test_client().get("/healthz").status_code == 503
    assert small_app.test_client().get("/healthz").status_code == 200
