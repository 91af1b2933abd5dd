"""geo.districts and `angebotskarte districts/population`: polygons in any CRS, residents per district."""

from __future__ import annotations

import os

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from geo.districts import assign_districts, load_districts, load_population
from geo.schema import InputError
from geo.settings import load_settings
from geo.store import open_store
from webmap.cli import main

# Two neighbouring districts and one bow-tie (self-intersecting) in Kaiserslautern, WGS84.
WEST, EAST = box(7.70, 49.40, 7.77, 49.48), box(7.77, 49.40, 7.85, 49.48)
BOWTIE = Polygon([(7.85, 49.40), (7.90, 49.48), (7.90, 49.40), (7.85, 49.48)])
# A custom transverse Mercator with odd false easting/northing, as some municipal GIS exports carry.
CUSTOM_TM = "+proj=tmerc +lat_0=0 +lon_0=9 +k=0.9996 +x_0=1500000 +y_0=-100 +ellps=GRS80 +units=m +no_defs"


def district_frame():
    return gpd.GeoDataFrame({"Bezirk_ID": ["W", "E", "B"], "Bezirk": ["West", "Ost", "Schleife"], "Fläche": [1.0, 2.0, 3.0]},
                            geometry=[WEST, EAST, BOWTIE], crs=4326)


@pytest.mark.parametrize("crs", ["EPSG:31467", "EPSG:4647", "EPSG:25832", CUSTOM_TM])
def test_shapefile_in_any_crs_is_reprojected_to_wgs84(tmp_path, crs):
    district_frame().to_crs(crs).to_file(tmp_path / "bezirke.shp")
    assert (tmp_path / "bezirke.prj").exists()
    districts, problems = load_districts(tmp_path / "bezirke.shp", name_field="Bezirk", id_field="Bezirk_ID")
    assert districts.crs.to_epsg() == 4326
    assert list(districts.columns) == ["district_id", "name", "geometry"]
    assert districts["district_id"].tolist() == ["W", "E", "B"]
    assert districts["name"].tolist() == ["West", "Ost", "Schleife"]
    minx, miny, maxx, maxy = districts.geometry[0].bounds
    assert (minx, miny, maxx, maxy) == pytest.approx(WEST.bounds, abs=1e-5)  # about a metre
    assert districts.geometry.is_valid.all()
    # the bow-tie is repaired into its two triangles, not dropped, and reported
    assert districts.geometry[2].geom_type == "MultiPolygon" and len(districts.geometry[2].geoms) == 2
    # (buffer(0), the usual quick fix, would keep only one of the two triangles)
    triangles = gpd.GeoSeries([Polygon([(7.85, 49.40), (7.875, 49.44), (7.85, 49.48)]),
                               Polygon([(7.90, 49.40), (7.875, 49.44), (7.90, 49.48)])], crs=4326)
    assert districts.to_crs(25832).geometry[2].area == pytest.approx(triangles.to_crs(25832).area.sum(), rel=1e-4)
    assert [(p.row, p.severity) for p in problems] == [(3, "warning")]
    assert "Schleife" in str(problems[0])


def test_utm_with_zone_prefix_false_easting_lands_in_the_right_place(tmp_path):
    # EPSG:4647 writes eastings like 32410000: a reader ignoring the .prj would put this in the sea.
    frame = district_frame().to_crs(4647)
    assert frame.total_bounds[0] > 32_000_000
    frame.to_file(tmp_path / "utm.shp")
    districts, _ = load_districts(tmp_path / "utm.shp", "Bezirk", "Bezirk_ID")
    points = gpd.GeoDataFrame({"id": ["p"]}, geometry=[Point(7.72, 49.45)], crs=4326)
    assert assign_districts(points, districts)["district"].tolist() == ["W"]


def test_geojson_and_geopackage_with_a_named_layer(tmp_path):
    frame = district_frame()
    frame.to_file(tmp_path / "d.geojson")
    frame.to_file(tmp_path / "d.gpkg", layer="bezirke")
    gpd.GeoDataFrame({"x": [1]}, geometry=[Point(7.7, 49.4)], crs=4326).to_file(tmp_path / "d.gpkg", layer="punkte")
    for path, layer in ((tmp_path / "d.geojson", None), (tmp_path / "d.gpkg", None), (tmp_path / "d.gpkg", "bezirke")):
        districts, _ = load_districts(path, "Bezirk", "Bezirk_ID", layer=layer)
        assert districts["district_id"].tolist() == ["W", "E", "B"]


def test_several_polygon_layers_need_a_layer_name(tmp_path):
    frame = district_frame()
    frame.to_file(tmp_path / "d.gpkg", layer="alt")
    frame.to_file(tmp_path / "d.gpkg", layer="neu")
    with pytest.raises(InputError, match=r"d.gpkg: 2 layers \(alt, neu\).*--layer"):
        load_districts(tmp_path / "d.gpkg", "Bezirk", "Bezirk_ID")


def test_numeric_ids_become_text(tmp_path):
    gpd.GeoDataFrame({"id": [1, 2], "name": ["A", "B"]}, geometry=[WEST, EAST], crs=4326).to_file(tmp_path / "d.geojson")
    districts, _ = load_districts(tmp_path / "d.geojson")
    assert districts["district_id"].tolist() == ["1", "2"]


def test_non_polygon_features_are_skipped_and_reported(tmp_path):
    frame = gpd.GeoDataFrame({"id": ["a", "b"], "name": ["Fläche", "Punkt"]}, geometry=[WEST, Point(7.8, 49.45)], crs=4326)
    frame.to_file(tmp_path / "mixed.geojson")
    districts, problems = load_districts(tmp_path / "mixed.geojson")
    assert districts["district_id"].tolist() == ["a"]
    assert [(p.row, p.severity) for p in problems] == [(2, "error")]


@pytest.mark.parametrize("make, args, words", [
    ("noprj", ("name", "id"), "no coordinate reference system"),
    ("ok", ("Bezirksname", "id"), "no field 'Bezirksname' (--name-field); fields in the file: id, name"),
    ("ok", ("name", "nr"), "--id-field"),
    ("dupe", ("name", "id"), "not unique"),
    ("points", ("name", "id"), "no polygon features"),
    ("garbage", ("name", "id"), "not a readable vector file"),
])
def test_unusable_district_files(tmp_path, make, args, words):
    path = tmp_path / "d.shp" if make == "noprj" else tmp_path / "d.geojson"
    if make == "garbage":
        path.write_text("kein GeoJSON", encoding="utf-8")
    else:
        ids = ["a", "a"] if make == "dupe" else ["a", "b"]
        geometry = [Point(7.7, 49.4), Point(7.8, 49.4)] if make == "points" else [WEST, EAST]
        gpd.GeoDataFrame({"id": ids, "name": ["A", "B"]}, geometry=geometry, crs=4326).to_file(path)
        if make == "noprj":
            os.remove(tmp_path / "d.prj")
    with pytest.raises(InputError) as info:
        load_districts(path, *args)
    assert path.name in str(info.value) and words in str(info.value)


def test_assign_districts_inside_border_outside_and_without_place():
    districts = gpd.GeoDataFrame({"district_id": ["W", "E"], "name": ["West", "Ost"]}, geometry=[WEST, EAST], crs=4326)
    offers = gpd.GeoDataFrame({"id": list("abcde")}, geometry=[Point(7.72, 49.45), Point(7.80, 49.45),
                                                               Point(7.77, 49.45), Point(8.5, 49.0), None], crs=4326)
    result = assign_districts(offers, districts)
    assert result["district"].tolist() == ["W", "E", result["district"][2], "", ""]
    assert result["district"][2] in ("W", "E")  # a point on the shared border goes to exactly one
    assert result["district_status"].tolist() == ["inside", "inside", "inside", "outside", ""]
    assert len(result) == len(offers)  # nobody is dropped


def test_assign_districts_reprojects_when_crs_differ():
    districts = gpd.GeoDataFrame({"district_id": ["W"], "name": ["West"]}, geometry=[WEST], crs=4326).to_crs(25832)
    offers = gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(7.72, 49.45)], crs=4326)
    assert assign_districts(offers, districts)["district"].tolist() == ["W"]


def test_assign_districts_without_districts_leaves_status_empty():
    offers = gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(7.72, 49.45)], crs=4326)
    empty = gpd.GeoDataFrame({"district_id": [], "name": []}, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    assert assign_districts(offers, empty)["district_status"].tolist() == [""]


def stored(config):
    """The store a config names (GeoPackage or PostGIS)."""
    return open_store(load_settings(config))


# -- the commands -----------------------------------------------------------------------------------

@pytest.fixture
def deployment(tmp_path, capsys, store_backend):
    """A deployment on the GeoPackage file and on PostGIS (the config's [store] section says which)."""
    cfg = tmp_path / "angebotskarte.toml"
    cfg.write_text(store_backend.toml(), encoding="utf-8")
    (tmp_path / "offers.csv").write_text("Name;Breitengrad;Längengrad;Art\nIm Westen;49,45;7,72;\nIm Osten;49,45;7,80;\n"
                                         "Außerhalb;49,50;7,94;\nOnline;;;online\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "offers.csv"), "--config", str(cfg)]) == 0
    capsys.readouterr()
    return cfg


def test_districts_command_assigns_every_offer_and_flags_outsiders(tmp_path, capsys, deployment):
    district_frame().to_crs(31467).to_file(tmp_path / "gk.shp")
    code = main(["districts", str(tmp_path / "gk.shp"), "--name-field", "Bezirk", "--id-field", "Bezirk_ID",
                 "--config", str(deployment)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "3 districts loaded; offers: 2 inside a district, 1 outside every district" in out
    assert "Schleife" in err  # the repaired polygon is reported
    store = stored(deployment)
    offers = store.offers().set_index("name")
    assert offers["district"].to_dict() == {"Im Westen": "W", "Im Osten": "E", "Außerhalb": "", "Online": ""}
    assert offers.loc["Außerhalb", "district_status"] == "outside"
    assert store.districts().crs.to_epsg() == 4326
    # a later import assigns districts too
    (tmp_path / "more.csv").write_text("Name;Breitengrad;Längengrad\nNeu im Osten;49,44;7,81\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "more.csv"), "--config", str(deployment)]) == 0
    assert stored(deployment).offers().set_index("name").loc["Neu im Osten", "district"] == "E"


def test_districts_command_bad_file_exit_2_nothing_changed(tmp_path, capsys, deployment, store_backend):
    before = store_backend.snapshot()
    district_frame().to_file(tmp_path / "d.geojson")
    code = main(["districts", str(tmp_path / "d.geojson"), "--name-field", "Stadtteil", "--config", str(deployment)])
    _, err = capsys.readouterr()
    assert code == 2 and "Stadtteil" in err and "Bezirk" in err and "nothing was changed" in err
    assert store_backend.snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_population_command_german_numbers_and_extra_columns(tmp_path, capsys, deployment, fmt):
    district_frame().to_file(tmp_path / "d.geojson")
    assert main(["districts", str(tmp_path / "d.geojson"), "--name-field", "Bezirk", "--id-field", "Bezirk_ID",
                 "--config", str(deployment)]) == 0
    rows = [["Stadtteil", "Einwohner", "Ausländer", "Syrien", "Bemerkung"],
            ["W", "12.345", "1.234", "300", "Zensus"], ["Ost", "9 876", "", "12", ""], ["schleife", "1.000,0", "5", "0", "x"]]
    if fmt == "csv":
        path = tmp_path / "einwohner.csv"
        path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="cp1252")
    else:
        path = tmp_path / "einwohner.xlsx"
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
    capsys.readouterr()
    code = main(["population", str(path), "--district-field", "Stadtteil", "--total-field", "Einwohner",
                 "--config", str(deployment)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "population for 3 districts loaded (23221 residents)" in out
    table = stored(deployment).population().set_index("district_id")
    assert table["population"].to_dict() == {"W": 12345, "E": 9876, "B": 1000}
    assert table.loc["W", "Ausländer"] == 1234 and table.loc["E", "Syrien"] == 12
    assert table["Bemerkung"].tolist() == ["Zensus", "", "x"]  # text columns are kept as text


def test_population_with_unknown_districts_changes_nothing(tmp_path, capsys, deployment, store_backend):
    district_frame().to_file(tmp_path / "d.geojson")
    main(["districts", str(tmp_path / "d.geojson"), "--name-field", "Bezirk", "--id-field", "Bezirk_ID",
          "--config", str(deployment)])
    before = store_backend.snapshot()
    (tmp_path / "p.csv").write_text("district,population\nW,100\nNirgendwo,5\nE,-3\nWest,7\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["population", str(tmp_path / "p.csv"), "--config", str(deployment)])
    _, err = capsys.readouterr()
    assert code == 1
    assert "row 3" in err and "Nirgendwo" in err
    assert "row 4" in err and "-3" in err
    assert "row 5" in err and "already given in row 2" in err
    assert store_backend.snapshot() == before


def test_population_names_missing_columns(tmp_path):
    (tmp_path / "p.csv").write_text("Bezirk;Anzahl\nA;1\n", encoding="utf-8")
    empty = gpd.GeoDataFrame({"district_id": [], "name": []}, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    with pytest.raises(InputError, match=r"no column 'Einwohner' \(--total-field\); columns: Bezirk, Anzahl"):
        load_population(tmp_path / "p.csv", empty, "Bezirk", "Einwohner")


def test_population_before_districts_keeps_the_keys(tmp_path):
    (tmp_path / "p.csv").write_text("district,population\nMitte,1.500\n", encoding="utf-8")
    empty = gpd.GeoDataFrame({"district_id": [], "name": []}, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    table, problems = load_population(tmp_path / "p.csv", empty, "district", "population")
    assert problems == [] and table.to_dict("records") == [{"district_id": "Mitte", "population": 1500.0}]
    assert isinstance(table, pd.DataFrame)
