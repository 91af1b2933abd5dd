"""angebotskarte coverage and population-grid, end to end through webmap.cli.main and a real store."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from openpyxl import load_workbook
from shapely.geometry import box

from geo.store import Store, empty_offers
from webmap.cli import main

CRS = "EPSG:25832"
X0, Y0 = 410_000.0, 5_480_000.0


@pytest.fixture
def config(tmp_path):
    """A deployment with two districts, three offers and a population table in tmp_path/store.gpkg."""
    districts = gpd.GeoDataFrame({"district_id": ["D1", "D2"], "name": ["Innenstadt", "Ortsbezirk West"]},
                                 geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 3000, Y0 + 1000)],
                                 crs=CRS).to_crs(4326)
    records = [
        dict(id="a", name="Migrationsberatung", category="counselling", languages=["ar", "de"], x=500, y=500),
        dict(id="b", name="Praxis Dr. K.", category="doctor", languages=["uk"], x=1500, y=500),
        dict(id="c", name="Online-Beratung", category="counselling", languages=["ar"], x=None, y=None),
    ]
    offers = empty_offers()
    rows = []
    for r in records:
        row = {c: "" for c in offers.columns if c != "geometry"}
        row.update(id=r["id"], name=r["name"], category=r["category"], languages=r["languages"], target_groups=[],
                   language_notes={}, location_type="virtual" if r["x"] is None else "physical")
        rows.append(row)
    points = gpd.GeoSeries([None if r["x"] is None else gpd.points_from_xy([X0 + r["x"]], [Y0 + r["y"]])[0]
                            for r in records], crs=CRS).to_crs(4326)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=points.values, crs=4326)
    frame["lat"] = [g.y if g is not None else np.nan for g in frame.geometry]
    frame["lon"] = [g.x if g is not None else np.nan for g in frame.geometry]
    frame["age_min"] = np.nan
    frame["age_max"] = np.nan
    population = pd.DataFrame({"district_id": ["D1", "D2"], "population": [4000.0, 9000.0],
                               "Syrien": [120.0, 1230.0], "Ukraine": [40.0, 300.0]})
    Store(tmp_path / "store.gpkg").write(offers=frame, districts=districts, population=population)
    path = tmp_path / "angebotskarte.toml"
    path.write_text('[store]\npath = "store.gpkg"\n', encoding="utf-8")
    return path


def test_csv_has_one_row_per_district_and_category(config, tmp_path, capsys):
    out = tmp_path / "coverage.csv"
    assert main(["coverage", "--out", str(out), "--config", str(config)]) == 0
    table = pd.read_csv(out, dtype={"district_id": str})
    assert len(table) == 2 * 7
    counselling = table[table["category"] == "counselling"].set_index("district_id")
    assert counselling["offers"].to_dict() == {"D1": 1, "D2": 0}
    assert counselling["virtual_offers"].tolist() == [1, 1]
    assert "wrote 14 rows" in capsys.readouterr().out


def test_filters_and_metric_choice(config, tmp_path):
    out = tmp_path / "arabic.csv"
    assert main(["coverage", "--category", "Beratung", "--language", "Arabisch", "--metric", "count,per_10k",
                 "--metric", "e2sfca", "--out", str(out), "--config", str(config)]) == 0
    table = pd.read_csv(out, dtype={"district_id": str}, keep_default_na=False)
    assert set(table["category"]) == {"counselling"} and set(table["language"]) == {"ar"}
    assert table["group"].tolist() == ["Syrien", "Syrien"]
    assert "e2sfca_per_10k" in table and "median_distance_m" not in table


def test_xlsx_has_a_sheet_per_category_with_a_bold_frozen_header(config, tmp_path):
    out = tmp_path / "coverage.xlsx"
    assert main(["coverage", "--out", str(out), "--lang", "de", "--config", str(config)]) == 0
    book = load_workbook(out)
    assert book.sheetnames[:2] == ["Beratung", "Sprachkurs"] and len(book.sheetnames) == 7
    sheet = book["Beratung"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Bezirks-ID", "Bezirk", "Kategorie"]
    assert "Angebote je 10.000 Einw." in header
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 3 and sheet["B2"].value == "Innenstadt" and sheet["C2"].value == "Beratung"
    share_col = header.index("Anteil mit Angebot in Gehweite") + 1
    assert sheet.cell(row=2, column=share_col).number_format == "0%"
    assert sheet.column_dimensions["B"].width >= len("Ortsbezirk West")


def test_geojson_carries_the_district_polygons(config, tmp_path):
    out = tmp_path / "coverage.geojson"
    assert main(["coverage", "--category", "doctor", "--out", str(out), "--config", str(config)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["features"]) == 2
    feature = next(f for f in data["features"] if f["properties"]["district_id"] == "D2")
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert feature["properties"]["offers"] == 1
    lon, lat = feature["geometry"]["coordinates"][0][0] if feature["geometry"]["type"] == "Polygon" else \
        feature["geometry"]["coordinates"][0][0][0]
    assert 7 < lon < 8 and 49 < lat < 50  # WGS84, lon first


def test_gpkg_has_a_layer_per_category(config, tmp_path):
    out = tmp_path / "coverage.gpkg"
    assert main(["coverage", "--out", str(out), "--config", str(config)]) == 0
    layers = [name for name, _ in pyogrio.list_layers(out)]
    assert "counselling" in layers and "doctor" in layers
    doctor = gpd.read_file(out, layer="doctor")
    assert doctor.crs.to_epsg() == 4326 and len(doctor) == 2


def test_underserved_list_with_reasons(config, tmp_path):
    out = tmp_path / "gaps.csv"
    assert main(["coverage", "--underserved", "--lang", "en", "--out", str(out), "--config", str(config)]) == 0
    gaps = pd.read_csv(out, dtype={"district_id": str}, keep_default_na=False)
    assert gaps["rank"].tolist() == list(range(1, len(gaps) + 1))
    assert any(r.startswith("Ortsbezirk West: ") and "in Arabic" in r and "1,230 residents of the origin group Syrien"
               in r for r in gaps["reason"])


def test_language_gaps_output(config, tmp_path):
    out = tmp_path / "languages.csv"
    assert main(["coverage", "--language-gaps", "--category", "counselling", "--out", str(out),
                 "--config", str(config)]) == 0
    gaps = pd.read_csv(out, dtype={"district_id": str}, keep_default_na=False)
    assert {"ar", "kmr", "uk", "ru"} <= set(gaps["language"])


@pytest.mark.parametrize("argv,message", [
    (["--category", "Beratng"], "category 'Beratng' is not known"),
    (["--language", "Xyzzyisch"], "language 'Xyzzyisch'"),
    (["--metric", "speed"], "metric 'speed'"),
    (["--group", "nope"], "group 'nope' is not a column"),
])
def test_bad_arguments_exit_2_with_a_message(config, tmp_path, capsys, argv, message):
    assert main(["coverage", *argv, "--out", str(tmp_path / "x.csv"), "--config", str(config)]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_bad_output_format_and_missing_store(config, tmp_path, capsys):
    assert main(["coverage", "--out", str(tmp_path / "x.txt"), "--config", str(config)]) == 2
    assert "unknown output format 'txt'" in capsys.readouterr().err
    other = tmp_path / "other.toml"
    other.write_text('[store]\npath = "missing.gpkg"\n', encoding="utf-8")
    assert main(["coverage", "--out", str(tmp_path / "x.csv"), "--config", str(other)]) == 2
    assert "no store at" in capsys.readouterr().err


def test_population_grid_is_stored_and_used(config, tmp_path, capsys):
    # The grid puts everyone of Ortsbezirk West at its east end, 1.45 km from the doctor at
    # x = 1,500 m: beyond the 1 km walking catchment, though half the district's area is within it.
    cells = gpd.GeoSeries(gpd.points_from_xy([X0 + 2950, X0 + 2950, X0 + 500, X0 + 90_000],
                                             [Y0 + 450, Y0 + 550, Y0 + 500, Y0 + 500]), crs=CRS).to_crs(3035)
    lines = ["GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner"]
    values = ["30", "–", "12", "99"]
    lines += [f"id{i};{p.x:.1f};{p.y:.1f};{v}" for i, (p, v) in enumerate(zip(cells, values))]
    grid_csv = tmp_path / "zensus.csv"
    grid_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["population-grid", str(grid_csv), "--config", str(config)]) == 0
    said = capsys.readouterr().out
    assert "read 4 100 m cells (1 suppressed); kept 3 cells" in said  # the far cell is outside the area
    assert "population_grid" in Store(tmp_path / "store.gpkg").layers()

    out = tmp_path / "doctor.csv"
    assert main(["coverage", "--category", "doctor", "--out", str(out), "--config", str(config)]) == 0
    assert "residents placed by grid" in capsys.readouterr().out
    row = pd.read_csv(out, dtype={"district_id": str}).set_index("district_id").loc["D2"]
    assert row["share_within_catchment"] == 0  # with the even spread most of D2 would be in reach
    assert row["residents"] == 9000  # the table says how many, the grid only where


def test_population_grid_errors(config, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\nA;4337050;2689150;viele\n", encoding="utf-8")
    assert main(["population-grid", str(bad), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 2, column 'Einwohner'" in err and "nothing was changed" in err
    far = tmp_path / "far.csv"
    far.write_text("GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\nA;4000050;2000150;5\n", encoding="utf-8")
    assert main(["population-grid", str(far), "--config", str(config)]) == 2
    assert "none of the 1 cells" in capsys.readouterr().err
    assert "population_grid" not in Store(tmp_path / "store.gpkg").layers()


def test_configured_grid_csv_is_read_when_the_store_has_none(config, tmp_path, capsys):
    cells = gpd.GeoSeries(gpd.points_from_xy([X0 + 2950], [Y0 + 500]), crs=CRS).to_crs(3035)
    grid_csv = tmp_path / "zensus.csv"
    grid_csv.write_text(f"GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\nA;{cells.x[0]:.1f};{cells.y[0]:.1f};40\n",
                        encoding="utf-8")
    with_grid = tmp_path / "with-grid.toml"
    with_grid.write_text('[store]\npath = "store.gpkg"\n[population]\ngrid = "zensus.csv"\n', encoding="utf-8")
    out = tmp_path / "doctor.csv"
    assert main(["coverage", "--category", "doctor", "--out", str(out), "--config", str(with_grid)]) == 0
    assert "residents placed by grid" in capsys.readouterr().out
    assert "population_grid" not in Store(tmp_path / "store.gpkg").layers()  # read, not stored


def test_population_grid_needs_a_file(config, capsys):
    assert main(["population-grid", "--config", str(config)]) == 2
    assert "no FILE given and [population] grid is empty" in capsys.readouterr().err
