"""/planung without JavaScript: the form, the table, sorting, the classes, the gap list, the downloads."""

from __future__ import annotations

import io
import json
import re
import shutil
import warnings
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import DEMO_DIR, make_settings

from geo.coverage import coverage_table, prepare, underserved
from geo.coverage.filters import CoverageQuery, matching_offers
from geo.index.synthetic import offers_frame
from geo.settings import load_settings
from geo.store import Store
from geo.vocab import fold
from webmap import create_app
from webmap.planning.classify import PALETTES, classify

N_DISTRICTS = 12  # data/demo/districts.geojson


# --------------------------------------------------------------------------- worlds


def build_demo(folder: Path):
    from webmap.cli import main

    work = folder / "demo"
    shutil.copytree(DEMO_DIR, work, ignore=shutil.ignore_patterns("build"))
    assert main(["demo", "--config", str(work / "angebotskarte.toml")]) == 0
    return load_settings(work / "angebotskarte.toml")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo deployment, built once for this module's read-only tests."""
    settings = build_demo(tmp_path_factory.mktemp("planning-demo"))
    return create_app(settings, TESTING=True)


@pytest.fixture(scope="module")
def library(demo):
    """The library's answers for the demo data (what the page and the API must agree with)."""
    from geo.coverage.inputs import load_inputs

    settings = demo.config["ANGEBOTSKARTE"]
    inputs = load_inputs(Store(settings.store_path), settings)
    ctx = prepare(inputs.offers, inputs.districts, inputs.population, settings, grid=inputs.grid)
    return ctx


@pytest.fixture
def client(demo):
    return demo.test_client()


HOSTILE = '<img src=x onerror="window.__xss=1">Nord & Süd'

SMALL_WORLD = [
    dict(id="b1", name="Beratung Mitte", category="counselling", lat=49.445, lon=7.765, languages=["de", "ar"],
         target_groups=["refugees"]),
    dict(id="b2", name="Beratung für alle", category="counselling", lat=49.452, lon=7.790, languages=["de", "uk"],
         target_groups=["all"]),
    dict(id="b3", name="Beratung ohne Zielgruppe", category="counselling", lat=49.430, lon=7.740, languages=["ar"]),
    dict(id="f1", name="Frauentreff", category="meeting_place", lat=49.447, lon=7.770, languages=["de", "fa"],
         target_groups=["women"]),
    dict(id="o1", name="Online-Beratung", category="counselling", location_type="virtual", languages=["uk"]),
]


def small_districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"district_id": ["d1", "d2", "d3"], "name": ["Innenstadt", "Betzenberg", HOSTILE]},
        geometry=[shapely.box(7.75, 49.44, 7.80, 49.46), shapely.box(7.70, 49.40, 7.76, 49.44),
                  shapely.box(7.80, 49.46, 7.85, 49.50)],
        crs=4326,
    )


def build_small(tmp_path, *, districts=True, population=True, **sections):
    settings = make_settings(tmp_path, **sections)
    frames = {"offers": offers_frame(SMALL_WORLD)}
    if districts:
        frames["districts"] = small_districts()
    if population:
        frames["population"] = pd.DataFrame({"district_id": ["d1", "d2", "d3"], "population": [9000.0, 4000.0, 2500.0],
                                             "foreign": [2100.0, 600.0, 300.0], "Syrien": [400.0, 90.0, 20.0]})
    Store(settings.store_path).write(**frames)
    return create_app(settings, TESTING=True)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return build_small(tmp_path_factory.mktemp("planning-small"))


# --------------------------------------------------------------------------- reading pages


class Page(HTMLParser):
    """What the tests look at: table headers and rows, select states, legend, gap list, scripts, links."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.headers: list[dict] = []
        self.rows: list[dict] = []
        self.selected: dict[str, str] = {}
        self.legend: list[dict] = []
        self.gaps: list[str] = []
        self.gap_list_attrs: dict = {}
        self.scripts: list[dict] = []
        self.links: list[str] = []
        self.caption = ""
        self.messages: list[str] = []
        self.config: dict | None = None
        self._stack: list[tuple[str, dict]] = []
        self._select = None
        self._text: list[str] | None = None
        self._where = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._stack.append((tag, a))
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "script":
            self.scripts.append(a)
            if a.get("id") == "planning-config":
                self._where, self._text = "config", []
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and "selected" in a:
            self.selected[self._select] = a.get("value", "")
        elif tag == "th" and a.get("scope") == "col":
            self.headers.append(dict(a, label=""))
            self._where, self._text = "th", []
        elif tag == "tr" and "data-district" in a:
            self.rows.append({"id": a["data-district"], "class": a.get("data-class"), "values": [], "texts": []})
        elif tag in ("th", "td") and self.rows and self._in("tbody"):
            self.rows[-1]["values"].append(a.get("data-value"))
            self._where, self._text = "cell", []
        elif tag == "li" and "legend-class" in a.get("class", ""):
            self.legend.append(dict(a))
        elif tag == "ol" and "gap-list" in a.get("class", ""):
            self.gap_list_attrs = a
        elif tag == "li" and self._in("ol", "gap-list"):
            self._where, self._text = "gap", []
        elif tag == "caption":
            self._where, self._text = "caption", []
        elif tag == "p" and "message" in a.get("class", ""):
            self._where, self._text = "message", []

    def _in(self, tag, cls=None):
        return any(t == tag and (cls is None or cls in a.get("class", "")) for t, a in self._stack)

    def handle_endtag(self, tag):
        if self._text is not None and (
                (self._where == "th" and tag == "th") or (self._where == "cell" and tag in ("th", "td"))
                or (self._where == "gap" and tag == "li") or (self._where == "caption" and tag == "caption")
                or (self._where == "message" and tag == "p") or (self._where == "config" and tag == "script")):
            text = "".join(self._text)
            if self._where == "th":
                self.headers[-1]["label"] = " ".join(text.split())
            elif self._where == "cell":
                self.rows[-1]["texts"].append(" ".join(text.split()))
            elif self._where == "gap":
                self.gaps.append(" ".join(text.split()))
            elif self._where == "caption":
                self.caption = " ".join(text.split())
            elif self._where == "message":
                self.messages.append(" ".join(text.split()))
            elif self._where == "config":
                self.config = json.loads(text)
            self._where, self._text = None, None
        if tag == "select":
            self._select = None
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def column(self, key: str) -> list[float | None]:
        position = [h["data-column"] for h in self.headers].index(key)
        return [None if r["values"][position] in ("", None) else float(r["values"][position]) for r in self.rows]


def page(client, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith("text/html")
    return Page(response.get_data(as_text=True))


# --------------------------------------------------------------------------- the page


def test_table_has_one_row_per_district_with_caption_and_scopes(client):
    p = page(client, "/planung?category=counselling")
    assert len(p.rows) == N_DISTRICTS
    assert p.caption
    assert [h["data-column"] for h in p.headers] == ["district", "share_within_catchment", "unreached_residents",
                                                   "offers", "residents", "group_residents"]
    assert all(h["scope"] == "col" for h in p.headers)
    # Default metric (share within walking distance and who is unreached) first; the mapped column is marked.
    assert [h["data-column"] for h in p.headers if "mapped" in h.get("class", "")] == ["share_within_catchment"]


def test_values_are_the_librarys(client, library):
    p = page(client, "/planung?category=doctor&metric=e2sfca&group=foreign")
    table = coverage_table(None, None, context=library, category="doctor", group="foreign", metrics=["e2sfca"])
    assert [r["id"] for r in p.rows] == list(table["district_id"])
    for column in ("residents", "group_residents", "e2sfca_per_10k", "e2sfca_vs_town"):
        expected = [None if not np.isfinite(v) else v for v in table[column].astype(float)]
        assert p.column(column) == pytest.approx(expected), column


def test_without_a_category_the_page_shows_all_categories_together(client, library):
    p = page(client, "/planung?metric=count")
    assert len(p.rows) == N_DISTRICTS
    per_category = coverage_table(None, None, context=library, metrics=["count"])
    together = per_category.groupby("district_id", sort=False)["offers"].sum()
    assert p.column("offers") == [float(together[r["id"]]) for r in p.rows]
    assert "All categories together" in page(client, "/planung?ui=en").caption


def test_the_form_shows_the_question_as_understood(client):
    p = page(client, "/planung?category=Beratung&language=Arabisch&target_group=Geflüchtete&metric=distance"
                     "&scheme=natural_breaks&classes=4&ui=en")
    assert p.selected == {"category": "counselling", "language": "ar", "target_group": "refugees",
                          "metric": "distance", "scheme": "natural_breaks", "classes": "4"}
    assert not p.messages
    # Every control has a label.
    html = client.get("/planung").get_data(as_text=True)
    for name in ("category", "language", "target_group", "group", "metric", "scheme", "classes"):
        assert f'<label for="p-{name}">' in html and f'id="p-{name}"' in html


@pytest.mark.parametrize("sort, column, descending", [
    ("share_within_catchment", "share_within_catchment", False),
    ("-share_within_catchment", "share_within_catchment", True),
    ("-residents", "residents", True),
])
def test_sort_parameter_orders_the_table(client, sort, column, descending):
    p = page(client, f"/planung?category=counselling&sort={sort}")
    values = p.column(column)
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=descending)
    assert values[len(known):] == [None] * (len(values) - len(known))  # no value: last
    sorted_header = [h for h in p.headers if "aria-sort" in h]
    assert [(h["data-column"], h["aria-sort"]) for h in sorted_header] == [
        (column, "descending" if descending else "ascending")]


def test_sort_by_district_name_and_header_links_toggle(client):
    p = page(client, "/planung?category=counselling&sort=district&ui=de")
    names = [r["texts"][0] for r in p.rows]
    assert names == sorted(names, key=fold)  # accents do not count: Bännjerrück before Betzenberg
    header = next(h for h in p.headers if h["data-column"] == "district")
    assert header["aria-sort"] == "ascending"
    # The heading links sort without JavaScript: the sorted column's link reverses it, the others sort ascending.
    links = [link for link in p.links if "sort=" in link]
    assert any("sort=-district" in link for link in links)
    assert any("sort=residents" in link and "category=counselling" in link for link in links)


def test_unknown_parameters_are_left_out_with_a_message_not_an_error(client):
    p = page(client, "/planung?category=nope&metric=bogus&sort=nothing&classes=99&colour=red")
    assert len(p.rows) == N_DISTRICTS
    assert len(p.messages) == 1
    for name in ("category=nope", "metric=bogus", "sort=nothing", "classes=99", "colour=red"):
        assert name in p.messages[0]


def test_legend_lists_the_classes_the_map_colours_by(client, library):
    p = page(client, "/planung?category=counselling&metric=per_10k&scheme=equal_interval&classes=4")
    table = coverage_table(None, None, context=library, category="counselling", metrics=["per_10k"])
    values = table["offers_per_10k_group"].to_numpy(float)  # foreign_field gives the group
    expected = mapclassify.EqualInterval(values[np.isfinite(values)], k=4)
    assert [float(item["data-upper"]) for item in p.legend] == pytest.approx(list(expected.bins))
    assert [item["data-colour"] for item in p.legend] == list(PALETTES[4])
    config = p.config["classification"]
    assert config["column"] == "offers_per_10k_group"
    assert config["breaks"] == pytest.approx(list(expected.bins))
    # The table rows carry the class the map gives each district.
    assert [int(r["class"]) for r in p.rows] == [config["districts"][r["id"]] for r in p.rows]
    assert [config["districts"][d] for d in table["district_id"]] == list(expected.yb)


def test_map_configuration_points_at_our_own_server(client):
    p = page(client, "/planung?category=doctor&language=tr")
    config = p.config
    assert config["kind"] == "choropleth"
    assert config["districtsUrl"] == "/api/v1/districts"
    assert config["offersUrl"].startswith("/planung/offers.geojson?") and "category=doctor" in config["offersUrl"]
    for url in config["assets"]["js"] + config["assets"]["css"]:
        assert url.startswith("/static/")
    assert config["districtStyle"]["fill"] is True and config["districtStyle"]["color"] == "#1a1a1a"
    assert set(config["values"]) == set(config["names"]) == {r["id"] for r in p.rows}
    # No inline script: only files from us and the JSON data block.
    for script in p.scripts:
        assert script.get("src", "").startswith("/static/") or script.get("type") == "application/json"


def test_gap_list_has_reasons_in_the_ui_language(client, library):
    p = page(client, "/planung?category=counselling&ui=en")
    expected = underserved(None, None, context=library, category="counselling", lang="en")
    assert p.gaps == list(expected["reason"].head(20))
    assert p.gap_list_attrs["lang"] == "en"
    german = page(client, "/planung?category=counselling&ui=uk")
    assert german.gap_list_attrs["lang"] == "de"
    assert german.gaps[0].startswith(expected["district"].iloc[0])
    assert "Einwohner*innen" in " ".join(german.gaps)


def test_the_page_speaks_german_and_english(client):
    assert "Abdeckung mit Angeboten nach Stadtteil" in client.get("/planung?ui=de").get_data(as_text=True)
    assert "Coverage of offers by district" in client.get("/planung?ui=en").get_data(as_text=True)


def test_names_from_the_data_are_shown_as_text(small):
    html = small.test_client().get("/planung?category=counselling").get_data(as_text=True)
    assert HOSTILE not in html
    assert "&lt;img src=x" in html
    config = Page(html).config
    assert HOSTILE in config["names"].values()  # as data, for textContent


def test_without_districts_the_page_explains_what_to_load(tmp_path):
    app = build_small(tmp_path, districts=False)
    client = app.test_client()
    response = client.get("/planung?ui=en")
    assert response.status_code == 200
    assert "No districts are loaded yet" in response.get_data(as_text=True)
    api = client.get("/api/v1/coverage")
    assert api.status_code == 404 and "no districts" in api.get_json()["error"]
    assert client.get("/planung/download.csv").status_code == 404
    assert client.get("/planung/offers.geojson").get_json()["features"] == []


def test_no_cookies_and_security_headers(client):
    for url in ("/planung", "/planung/offers.geojson", "/planung/download.csv?category=doctor"):
        response = client.get(url, headers={"Cookie": "session=abc"})
        assert "Set-Cookie" not in response.headers, url
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], url


# --------------------------------------------------------------------------- offers on the map


@pytest.mark.parametrize("query", [
    {"category": "counselling"}, {"category": "counselling", "target_group": "women"},
    {"language": "ar"}, {},
])
def test_offers_on_the_map_are_the_offers_the_table_counts(small, query):
    client = small.test_client()
    body = client.get("/planung/offers.geojson", query_string=query).get_json()
    settings = small.config["ANGEBOTSKARTE"]
    store = Store(settings.store_path)
    ctx = prepare(store.offers(), store.districts(), store.population(), settings)
    mask = matching_offers(ctx.offers, CoverageQuery(query.get("category"), query.get("language"),
                                                     query.get("target_group"))) & ctx.offers["located"].to_numpy()
    assert sorted(f["id"] for f in body["features"]) == sorted(ctx.offers.loc[mask, "id"])
    if query.get("target_group") == "women":
        # Open to women: offers for everyone and offers naming no group count too.
        assert {"b2", "b3"} <= {f["id"] for f in body["features"]}
    for feature in body["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert 7.6 < lon < 7.9 and 49.3 < lat < 49.6


def test_offers_endpoint_refuses_bad_parameters(small):
    response = small.test_client().get("/planung/offers.geojson?category=nope")
    assert response.status_code == 400 and response.get_json()["parameter"] == "category"


# --------------------------------------------------------------------------- downloads


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "attachment" in response.headers["Content-Disposition"]
    return response


def test_download_links_carry_the_question(client):
    p = page(client, "/planung?category=counselling&language=ar&metric=distance&sort=-residents&ui=en")
    downloads = [link for link in p.links if "/planung/download." in link or "/planung/gaps." in link]
    assert len(downloads) == 8
    for link in downloads:
        assert "category=counselling" in link and "language=ar" in link and "metric=distance" in link
        assert "lang=en" in link and "sort=" not in link


def test_csv_download_is_the_library_table(client, library):
    response = download(client, "/planung/download.csv?language=uk&metric=count,catchment")
    assert response.headers["Content-Type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(response.data), dtype={"district_id": str}, keep_default_na=False,
                        na_values=[""])
    table = coverage_table(None, None, context=library, language="uk", metrics=["count", "catchment"])
    assert list(frame.columns) == list(table.columns)
    assert len(frame) == len(table) == N_DISTRICTS * len(library.categories.keys)
    assert list(frame["district_id"]) == list(table["district_id"])
    assert frame["share_within_catchment"].to_numpy() == pytest.approx(table["share_within_catchment"].to_numpy())


def test_xlsx_download_has_one_sheet_per_category_with_formatted_headers(client, library):
    from openpyxl import load_workbook

    response = download(client, "/planung/download.xlsx?lang=en")
    assert response.headers["Content-Type"] == ("application/vnd.openxmlformats-officedocument."
                                                "spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [library.categories.label(k, "en") for k in library.categories.keys]
    for sheet in book.worksheets:
        assert sheet.max_row == N_DISTRICTS + 1
        assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
        assert [c.value for c in sheet[1]][:3] == ["District ID", "District", "Category"]


def test_one_category_gives_one_sheet_in_german(client):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(download(client, "/planung/download.xlsx?category=doctor").data))
    assert book.sheetnames == ["Arzt-Ärztin"]  # "/" is not allowed in sheet names
    assert book.active["B1"].value == "Bezirk"


def test_geojson_and_geopackage_downloads_have_district_polygons(client, library, tmp_path):
    response = download(client, "/planung/download.geojson?category=sports&metric=e2sfca")
    assert response.headers["Content-Type"] == "application/geo+json"
    collection = json.loads(response.data)
    assert len(collection["features"]) == N_DISTRICTS
    assert {f["geometry"]["type"] for f in collection["features"]} <= {"Polygon", "MultiPolygon"}
    assert "e2sfca_per_10k" in collection["features"][0]["properties"]
    gpkg = download(client, "/planung/download.gpkg?metric=count").data

    path = tmp_path / "t.gpkg"
    path.write_bytes(gpkg)
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert layers == list(library.categories.keys)
    assert len(gpd.read_file(path, layer="doctor")) == N_DISTRICTS


def test_gap_list_download_is_the_ranked_underserved_list(client, library):
    frame = pd.read_csv(io.BytesIO(download(client, "/planung/gaps.csv?category=counselling&lang=en").data),
                        dtype={"district_id": str})
    expected = underserved(None, None, context=library, category="counselling", lang="en")
    assert list(frame["reason"]) == list(expected["reason"])
    assert list(frame["rank"]) == list(range(1, len(expected) + 1))


@pytest.mark.parametrize("url, parameter, status", [
    ("/planung/download.csv?category=nope", "category", 400),
    ("/planung/download.xlsx?metric=nope", "metric", 400),
    ("/planung/gaps.csv?lang=fr", "lang", 400),
    ("/planung/download.csv?group=Mars", "group", 400),
    ("/planung/download.pdf", "format", 404),
])
def test_bad_download_parameters_are_named(client, url, parameter, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.get_json()["parameter"] == parameter


# --------------------------------------------------------------------------- classification


@pytest.mark.parametrize("scheme, kind", [("quantiles", mapclassify.Quantiles),
                                          ("natural_breaks", mapclassify.FisherJenks),
                                          ("equal_interval", mapclassify.EqualInterval)])
def test_classes_are_mapclassifys(scheme, kind):
    values = np.array([0.8, 0.9, 0.5, 0.3, 1.0, 1.0, 1.0, 0.2, 0.6, 0.7, 0.95, 0.4, np.nan])
    result = classify(values, scheme, 5, "share_within_catchment")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = kind(values[:-1], k=5)
    assert result.breaks == pytest.approx(list(expected.bins))
    assert result.classes == [*map(int, expected.yb), None]
    assert result.lower == 0.2 and result.k == 5
    assert result.colours == list(PALETTES[5])
    assert sum(result.counts) == 12


def test_few_distinct_values_give_fewer_classes():
    assert classify([3.0, 3.0, np.nan]).breaks == [3.0]
    assert classify([3.0, 3.0, np.nan]).classes == [0, 0, None]
    two = classify([1.0, 2.0, 2.0], "equal_interval", 5)
    assert two.k == 2 and two.classes == [0, 1, 1]
    nothing = classify([np.nan, np.nan])
    assert nothing.k == 0 and nothing.classes == [None, None] and nothing.breaks == []


def test_palettes_are_sequential_and_valid():
    for k, colours in PALETTES.items():
        assert len(colours) == k
        assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)
        lightness = [sum(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours]
        assert lightness == sorted(lightness, reverse=True)  # darker means higher
