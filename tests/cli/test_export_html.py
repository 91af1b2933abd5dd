"""angebotskarte export-html: one self-contained HTML file, no CDN, no request but tiles, escaped data."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import build_demo

from webmap.cli import main

TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# URLs that appear in the file without being requested: XML namespaces in Leaflet's code, the
# attribution's links, Leaflet's own name link.
NOT_REQUESTS = {"http://www.w3.org/2000/svg", "https://leafletjs.com", "https://www.openstreetmap.org/copyright"}


@pytest.fixture(scope="module")
def demo_config(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("export"))


class Parsed(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.root: dict = {}
        self.resources: list[tuple[str, str]] = []
        self.inline_scripts = 0
        self.offers: list[str] = []
        self.anchors: list[dict] = []
        self.metas: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.root = a
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed") and a.get("src"):
            self.resources.append((tag, a["src"]))
        if tag == "link" and a.get("href"):
            self.resources.append((tag, a["href"]))
        if tag == "script" and not a.get("src"):
            self.inline_scripts += 1
        if tag == "li" and "data-offer-id" in a:
            self.offers.append(a["data-offer-id"])
        if tag == "a":
            self.anchors.append(a)
        if tag == "meta":
            self.metas.append(a)


def api_ids(config: Path, query: dict, *, include_virtual: bool) -> list[str]:
    from geo.settings import load_settings
    from webmap import create_app

    client = create_app(load_settings(config), TESTING=True).test_client()
    args = dict(query, limit=1000, include_virtual=int(include_virtual))
    return [f["properties"]["id"] for f in client.get("/api/v1/offers", query_string=args).get_json()["features"]]


def export(config: Path, out: Path, *args: str) -> str:
    assert main(["export-html", str(out), *args, "--config", str(config)]) == 0
    return out.read_text(encoding="utf-8")


def points_of(text: str) -> list[dict]:
    """The offers the map receives (the JSON handed to OfferPoints)."""
    match = re.search(r"var points = (\[.*?\]);\n", text)
    return json.loads(match.group(1))


def test_export_lists_and_maps_exactly_the_selected_offers(demo_config, tmp_path, capsys):
    text = export(demo_config, tmp_path / "a.html", "--category", "language_course", "--category", "Beratung",
                  "--language", "ar")
    query = {"category": "language_course,counselling", "language": "ar"}
    everything = api_ids(demo_config, query, include_virtual=True)
    located = api_ids(demo_config, query, include_virtual=False)
    page = Parsed(text)
    assert page.offers == everything
    assert sorted(p["id"] for p in points_of(text)) == sorted(located)
    assert f"wrote {len(everything)} offers ({len(located)} on the map)" in capsys.readouterr().out


def test_the_file_loads_nothing_from_anywhere(demo_config, tmp_path):
    text = export(demo_config, tmp_path / "all.html")
    page = Parsed(text)
    assert page.resources == [], "Leaflet, plugins and styles are inlined, not linked"
    without_images = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text).lower()
    for word in ("cdn", "jquery", "bootstrap", "awesome-markers", "fontawesome", "glyphicons", "googleapis", "unpkg"):
        assert word not in without_images, word
    assert "sourceMappingURL" not in text
    assert "url(images/" not in text, "Leaflet's images are data: URIs"
    websites = {a["href"] for a in page.anchors if a.get("href", "").startswith("http")}
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]+", text))
    assert TILE_URL in urls
    others = urls - {TILE_URL} - NOT_REQUESTS - websites
    assert not others, others
    # Only anchors (not requests) point at the offers' websites and the OSM copyright page.
    assert all(not url.startswith("http") for _tag, url in page.resources)


def test_leaflet_and_markercluster_come_from_the_installed_packages(demo_config, tmp_path):
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as markercluster

    text = export(demo_config, tmp_path / "b.html", "--category", "doctor")
    leaflet_js = (Path(leaflet.BASE_DIR) / "leaflet.js").read_text(encoding="utf-8")
    cluster_js = (Path(markercluster.BASE_DIR) / "leaflet.markercluster.js").read_text(encoding="utf-8")
    assert leaflet_js.split("//# sourceMappingURL")[0].strip()[-2000:] in text
    assert cluster_js.split("//# sourceMappingURL")[0].strip()[-2000:] in text


def test_the_page_is_accessible_without_the_map(demo_config, tmp_path):
    text = export(demo_config, tmp_path / "ar.html", "--category", "doctor", "--ui", "ar")
    page = Parsed(text)
    assert page.root == {"lang": "ar", "dir": "rtl"}
    viewport = [m for m in page.metas if m.get("name") == "viewport"]
    assert len(viewport) == 1 and "user-scalable" not in viewport[0]["content"], "zooming stays possible"
    assert "<h1>" in text and 'aria-labelledby="offers-heading"' in text
    assert "<title>خريطة: طبيب/طبيبة في Kaiserslautern</title>" in text


def test_markup_in_offers_stays_text(tmp_path):
    from test_pages import build_store, offer_row

    evil = '<img src=x onerror="alert(1)">${alert(2)}`</script><script>alert(3)</script>'
    settings = build_store(tmp_path, [offer_row("x-1", name=evil, description="<b>fett</b>"),
                                      offer_row("x-2", name="Ruhig", lat="49,43", website="javascript:alert(4)")])
    config = tmp_path / "c.toml"
    config.write_text(f'[store]\npath = "{settings.store_path.as_posix()}"\n', encoding="utf-8")
    text = export(config, tmp_path / "evil.html", "--ui", "en")
    assert "<img src=x" not in text and "<b>fett</b>" not in text
    assert text.count("</script>") == text.count("<script>"), "no script closed early"
    assert "javascript:alert(4)" not in text
    (point,) = [p for p in points_of(text) if p["id"] == "x-1"]
    assert point["name"] == evil, "the map gets the name as data; its script sets it with textContent"


def test_link_base_links_the_offers_to_their_pages(demo_config, tmp_path):
    text = export(demo_config, tmp_path / "l.html", "--category", "sports", "--link-base", "https://karte.example.de/")
    links = [a["href"] for a in Parsed(text).anchors if a.get("href", "").startswith("https://karte.example.de/")]
    assert "https://karte.example.de/" in links
    assert any(re.fullmatch(r"https://karte\.example\.de/angebote/kl-\d+\?ui=de", link) for link in links), links
    assert all(p["url"].startswith("https://karte.example.de/angebote/") for p in points_of(text))


@pytest.mark.parametrize("args, message", [
    (["--category", "Sprachkurz"], "--category: unknown category 'Sprachkurz'; did you mean language_course?"),
    (["--district", "Atlantis"], "--district: unknown district 'Atlantis'"),
    (["--ui", "xx"], "--ui 'xx' is not one of the UI languages"),
    (["--link-base", "javascript:alert(1)"], "--link-base"),
])
def test_problems_are_named(demo_config, tmp_path, capsys, args, message):
    out = tmp_path / "x.html"
    assert main(["export-html", str(out), *args, "--config", str(demo_config)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_help_lists_the_command():
    from click.testing import CliRunner

    from webmap.cli import cli

    assert "export-html" in CliRunner().invoke(cli, ["--help"]).stdout
