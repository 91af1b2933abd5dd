"""geo.export and `angebotskarte export`: open formats; export followed by import gives the same offers."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box

from geo.export import FORMATS, export_store
from geo.hsds.export import to_hsds
from geo.hsds.ids import hsds_id
from geo.schema import OFFER_COLUMNS
from geo.settings import load_settings
from geo.store import Store, open_store
from webmap.cli import main

# Everything that has broken round trips elsewhere: separators and parentheses inside notes,
# formula-looking text, leading zeros, line breaks, markup, RTL text, virtual and unlocated offers.
TRICKY = [
    ["ID", "Name", "Kategorie", "Träger", "Beschreibung", "Straße", "Hausnummer", "PLZ", "Ort", "Breitengrad",
     "Längengrad", "Art", "Sprachen", "Zielgruppen", "Alter von", "Alter bis", "Öffnungszeiten", "Termin", "Telefon",
     "E-Mail", "Webseite", "Barrierefrei", "Kosten", "Stand"],
    ["007", 'Sprachcafé <b>International</b> & "Freunde"', "Sprachkurs", "Verein; e. V.", "Zeile eins\nZeile zwei, mit Komma",
     "Am Altenhof", "12-14", "06108", "Kaiserslautern", "49,4447", "7,7689", "vor Ort",
     "Arabisch (Mo, Di; nach Absprache), Kurdisch (Kurmanji), Dari | Ukrainisch: nur (mit Termin)",
     "Frauen; Kinder", "6", "12", "Mo-Fr 09:00-12:00; Sa 10:00-12:00", "empfohlen", "+49 631 5550100",
     "info@example.org", "https://example.org/a?b=1&c=2", "eingeschränkt", "kostenlos", "01.03.2025"],
    ["x-2", "=Treff am Markt", "Treffpunkt", "@Initiative", "-5 Grad draußen", "", "", "", "", "49,43", "7,75", "",
     "العربية", "", "", "", "", "", "0631 5550", "", "", "", "", ""],
    ["x-3", "Online-Beratung", "Beratung", "", "", "", "", "", "", "", "", "online", "Tigrinya, Paschtu", "Geflüchtete",
     "16", "", "24/7", "", "", "", "", "", "", ""],
    ["x-4", "Noch ohne Ort", "Arzt", "", "", "Marktstraße", "5", "67655", "Kaiserslautern", "", "", "", "Deutsch", "",
     "", "", "", "nur mit Termin", "", "", "", "ja", "kostenpflichtig", "2024"],
]


def stored(config):
    """The store a config names (GeoPackage or PostGIS)."""
    return open_store(load_settings(config))


def import_rows(folder: Path, rows: list[list[str]], source: str, capsys,
                store_toml: str = '[store]\npath = "store.gpkg"\n') -> Path:
    """A deployment in ``folder`` whose store holds ``rows`` (German Excel's CSV), imported by the CLI."""
    cfg = folder / "angebotskarte.toml"
    cfg.write_text(store_toml, encoding="utf-8")
    with open(folder / f"{source}.csv", "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    code = main(["import", str(folder / f"{source}.csv"), "--source", source, "--config", str(cfg)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return cfg


@pytest.fixture
def deployment(tmp_path, capsys, store_backend):
    """A deployment on the GeoPackage file and on PostGIS (the config's [store] section says which)."""
    return import_rows(tmp_path, TRICKY, "stadt", capsys, store_backend.toml())


def comparable(frame):
    records = {}
    for record in frame[list(OFFER_COLUMNS)].to_dict("records"):
        records[record["id"]] = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in record.items()}
    return records


def test_the_tricky_list_imports_as_intended(tmp_path, deployment):
    offers = comparable(stored(deployment).offers())
    first = offers["007"]
    assert first["languages"] == ["ar", "kmr", "prs", "uk"]
    assert first["language_notes"] == {"ar": "Mo, Di; nach Absprache", "uk": "nur (mit Termin)"}
    assert first["postcode"] == "06108" and first["housenumber"] == "12-14"
    assert offers["x-2"]["name"] == "=Treff am Markt"
    assert offers["x-3"]["geocode_status"] == "virtual" and offers["x-4"]["geocode_status"] == "not_located"


@pytest.mark.parametrize("fmt", ["geojson", "csv", "xlsx"])
def test_export_then_import_reproduces_the_offers(tmp_path, capsys, deployment, fmt):
    out = tmp_path / f"export.{fmt}"
    assert main(["export", "--format", fmt, "--out", str(out), "--config", str(deployment)]) == 0
    assert f"wrote 4 offers to {out}" in capsys.readouterr().out
    fresh = tmp_path / "fresh.toml"
    fresh.write_text('[store]\npath = "fresh.gpkg"\n', encoding="utf-8")
    code = main(["import", str(out), "--source", "stadt", "--config", str(fresh), "--report", str(tmp_path / "r.csv")])
    _, err = capsys.readouterr()
    assert code == 0, err
    before = comparable(stored(deployment).offers())
    after = comparable(Store(tmp_path / "fresh.gpkg").offers())
    assert after == before
    with open(tmp_path / "r.csv", encoding="utf-8-sig") as fh:
        report = list(csv.DictReader(fh))
    # the export's own columns are all recognised; only "not located" notes remain
    assert all("not located" in r["message"] for r in report), report


def test_reimporting_an_export_into_the_same_store_changes_nothing(tmp_path, capsys, deployment):
    main(["export", "--format", "csv", "--out", str(tmp_path / "e.csv"), "--config", str(deployment)])
    main(["import", str(tmp_path / "e.csv"), "--source", "stadt", "--config", str(deployment)])
    assert "source 'stadt': 0 added, 0 changed, 0 removed" in capsys.readouterr().out


def test_xlsx_export_keeps_formula_looking_text_as_text(tmp_path, deployment):
    import openpyxl

    main(["export", "--format", "xlsx", "--out", str(tmp_path / "e.xlsx"), "--config", str(deployment)])
    book = openpyxl.load_workbook(tmp_path / "e.xlsx")
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "=Treff am Markt" in [c.value for c in cells]


def test_csv_export_is_utf8_with_bom_and_english_field_headers(tmp_path, deployment):
    main(["export", "--format", "csv", "--out", str(tmp_path / "e.csv"), "--config", str(deployment)])
    raw = (tmp_path / "e.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert header[:3] == ["id", "name", "category"] and "language_notes" not in header


def test_geojson_export_is_a_feature_collection_with_null_geometry_for_offers_without_place(tmp_path, deployment):
    main(["export", "--format", "geojson", "--out", str(tmp_path / "e.geojson"), "--config", str(deployment)])
    doc = json.loads((tmp_path / "e.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in doc["features"]}
    assert by_id["007"]["geometry"] == {"type": "Point", "coordinates": [7.7689, 49.4447]}
    assert by_id["x-3"]["geometry"] is None and by_id["x-4"]["geometry"] is None
    assert by_id["x-3"]["properties"]["age_max"] is None  # NaN is not JSON
    assert by_id["007"]["properties"]["languages"] == ["ar", "kmr", "prs", "uk"]
    # any GIS reads it
    frame = gpd.read_file(tmp_path / "e.geojson")
    assert len(frame) == 4


def test_gpkg_export_opens_with_every_layer(tmp_path, deployment):
    gpd.GeoDataFrame({"district_id": ["01"], "name": ["Mitte"]}, geometry=[box(7.7, 49.4, 7.8, 49.5)],
                     crs=4326).to_file(tmp_path / "d.geojson")
    main(["districts", str(tmp_path / "d.geojson"), "--id-field", "district_id", "--config", str(deployment)])
    assert main(["export", "--format", "gpkg", "--out", str(tmp_path / "copy.gpkg"), "--config", str(deployment)]) == 0
    layers = {str(name): str(kind) for name, kind in pyogrio.list_layers(tmp_path / "copy.gpkg")}
    assert {"offers", "districts", "imports"} <= set(layers)
    assert layers["offers"] == "Point" and "Polygon" in layers["districts"]
    offers = pyogrio.read_dataframe(tmp_path / "copy.gpkg", layer="offers")
    assert sorted(offers["id"]) == ["007", "x-2", "x-3", "x-4"]
    assert pyogrio.read_info(tmp_path / "copy.gpkg", layer="offers")["crs"] == "EPSG:4326"


def test_hsds_export_structure(tmp_path, deployment):
    """One JSON object, one array per table (the tabular profile's table names); every link
    points at a record of the file. Validity against the official schemas: tests/test_hsds_export.py."""
    main(["export", "--format", "hsds", "--out", str(tmp_path / "h.json"), "--config", str(deployment)])
    doc = json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))
    for table in ("organization", "service", "location", "address", "service_at_location", "language",
                  "phone", "schedule", "taxonomy", "taxonomy_term", "attribute"):
        assert isinstance(doc[table], list), table
        ids = [row["id"] for row in doc[table]]
        assert len(ids) == len(set(ids)), f"{table} ids are not unique"
    assert doc["hsds_version"].startswith("3")
    orgs = {o["id"] for o in doc["organization"]}
    services = {s["id"]: s for s in doc["service"]}
    locations = {loc["id"]: loc for loc in doc["location"]}
    assert len(services) == len(locations) == len(doc["service_at_location"]) == 4
    assert all(s["organization_id"] in orgs for s in services.values())
    for sal in doc["service_at_location"]:
        assert sal["service_id"] in services and sal["location_id"] in locations
    assert all(a["location_id"] in locations for a in doc["address"])
    assert all(lang["service_id"] in services for lang in doc["language"])
    virtual = [loc for loc in locations.values() if loc["location_type"] == "virtual"]
    assert [loc["external_identifier"] for loc in virtual] == ["x-3"]
    first = locations[hsds_id("location", "007")]
    assert (first["latitude"], first["longitude"]) == (49.4447, 7.7689)
    sid = hsds_id("service", "007")
    assert {(lang["code"], lang.get("note", "")) for lang in doc["language"] if lang["service_id"] == sid} == {
        ("ar", "Mo, Di; nach Absprache"), ("kmr", ""), ("prs", ""), ("uk", "nur (mit Termin)")}
    assert services[sid]["minimum_age"] == 6 and "maximum_age" not in services[hsds_id("service", "x-3")]
    # the same organisation name is one organisation
    assert len(orgs) == len({s["organization_id"] for s in services.values()})


def test_hsds_of_an_empty_store_is_valid():
    from geo.store import empty_offers

    doc = to_hsds(empty_offers())
    assert doc["service"] == [] and doc["organization"] == []
    assert len(doc["taxonomy"]) == 3 and doc["taxonomy_term"]  # the vocabulary is published all the same


def test_export_default_file_names(tmp_path, capsys, deployment):
    for fmt in FORMATS:
        assert main(["export", "--format", fmt, "--config", str(deployment)]) == 0
    names = sorted(p.name for p in tmp_path.glob("offers.*"))
    assert names == ["offers.csv", "offers.geojson", "offers.gpkg", "offers.hsds.zip", "offers.json", "offers.xlsx"]
    assert not list(tmp_path.glob(".offers.*.tmp"))


def test_export_without_a_store_says_so(tmp_path, capsys):
    (tmp_path / "c.toml").write_text('[store]\npath = "none.gpkg"\n', encoding="utf-8")
    assert main(["export", "--config", str(tmp_path / "c.toml")]) == 2
    assert "no store" in capsys.readouterr().err


def test_export_store_rejects_unknown_formats(tmp_path, deployment):
    with pytest.raises(ValueError, match="shp"):
        export_store(stored(deployment), "shp", tmp_path / "x.shp")
