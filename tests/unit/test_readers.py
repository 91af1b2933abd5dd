"""geo.readers: whatever German Excel, LibreOffice and GIS tools produce, as rows of text."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import unicodedata
import zipfile

import openpyxl
import pytest

from geo.importer import read_input
from geo.readers.columns import HEADER_ALIASES, IGNORED_FIELDS, header_key, map_headers
from geo.readers.geojson import read_geojson
from geo.readers.tabular import read_table
from geo.schema import InputError

ROWS = [
    ["Name", "Kategorie", "Sprachen", "Ort"],
    ["Büro für Flüchtlinge", "Beratung", "Arabisch, Farsi", "Kaiserslautern"],
    ["Sprachcafé „Grüß Gott“", "Sprachkurs", "Deutsch; Ukrainisch", "Zweibrücken"],
]


def csv_text(rows, delimiter):
    def cell(value):
        if any(ch in value for ch in (delimiter, '"', "\n", ",", ";")):
            return '"' + value.replace('"', '""') + '"'
        return value
    return "\r\n".join(delimiter.join(cell(v) for v in row) for row in rows) + "\r\n"


def write_xlsx(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


# -- CSV: encodings and delimiters -------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    rows = [[v.replace("„", '"').replace("“", '"') for v in r] for r in ROWS] if encoding == "cp1252" else ROWS
    path = tmp_path / "liste.csv"
    path.write_bytes(csv_text(rows, delimiter).encode(encoding))
    table = read_table(path)
    assert list(table.frame.columns) == ["name", "category", "languages", "city"]
    assert table.frame.values.tolist() == [r for r in rows[1:]]
    assert table.row_numbers == [2, 3]
    assert table.columns["name"] == "Name"
    notes = [p.message for p in table.problems]
    if encoding == "cp1252":
        assert any("Windows-1252" in m for m in notes)
    else:
        assert notes == []


def test_bom_does_not_end_up_in_the_first_header(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffName;Kategorie\nA;Beratung\n".encode("utf-8"))
    assert read_table(path).columns["name"] == "Name"


def test_cp1252_with_bytes_it_leaves_undefined_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "kaputt.csv"
    path.write_bytes(b"Name;Ort\nB\x81ro;K\x8dln\n")
    with pytest.raises(InputError, match=r"kaputt.csv: unknown text encoding.*CSV UTF-8"):
        read_table(path)


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"  \r\n\r\n", "empty"),
    (b"Name;Kategorie\n", "no offers"),
    (b"Name;Kategorie\n;\n ; \n", "no offers"),
    (b"Titelzeile;Kategorie\nA;Beratung\n", "no name column"),
    # a blank first row is skipped while looking for the header; "A;B;C" then has no name column
    (b";;\nA;B;C\n", "no name column"),
    (b"\x00\x01\x02\x03binary", "binary"),
    (gzip.compress(b"Name;Kategorie\nA;Beratung\n"), "gzip-compressed"),
])
def test_unusable_csv_files_are_input_errors_naming_the_file(tmp_path, content, words):
    path = tmp_path / "angebote.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_table(path)
    assert "angebote.csv" in str(info.value)
    assert words in str(info.value)


def test_missing_name_column_lists_what_was_found(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Lieblingsfarbe;Straße\nA;B\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"Found columns: Lieblingsfarbe, Straße.*Bezeichnung.*--map"):
        read_table(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "nope.csv")


def test_blank_rows_are_skipped_but_row_numbers_stay_as_in_the_spreadsheet(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('Name;Beschreibung\nA;x\n;\n\nB;"zwei\nZeilen"\nC;y\n', encoding="utf-8")
    table = read_table(path)
    assert table.frame["name"].tolist() == ["A", "B", "C"]
    assert table.frame["description"].tolist()[1] == "zwei\nZeilen"
    # row 3 is ";" and row 4 is empty; a quoted line break stays inside one spreadsheet row
    assert table.row_numbers == [2, 5, 6]


def test_text_is_nfc_normalised_and_trimmed(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Münchner Straße")
    assert decomposed != "Münchner Straße"
    path = tmp_path / "x.csv"
    path.write_text(f"{unicodedata.normalize('NFD', 'Straße')};Name\n  {decomposed}  ;A\n", encoding="utf-8")
    table = read_table(path)
    assert table.frame["street"].tolist() == ["Münchner Straße"]
    assert "street" in table.frame


def test_short_rows_are_padded(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Name;Kategorie;PLZ\nA;Beratung\n", encoding="utf-8")
    assert read_table(path).frame.iloc[0].tolist() == ["A", "Beratung", ""]


def test_unknown_and_doubled_columns_are_reported_once_as_warnings(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Name;Lieblingsfarbe;Bezeichnung\nA;blau;B\n", encoding="utf-8")
    table = read_table(path)
    assert table.frame["name"].tolist() == ["A"]  # the first of two name columns wins
    by_column = {p.column: p for p in table.problems}
    assert set(by_column) == {"Lieblingsfarbe", "Bezeichnung"}
    assert all(p.severity == "warning" and p.row == 1 for p in table.problems)


@pytest.mark.parametrize("text, columns, first", [
    ("Name;Kategorie\nTreff: Mitte;Beratung\nB;Sport\n", ["name", "category"], ["Treff: Mitte", "Beratung"]),
    ('"Name","Kategorie","Öffnungszeiten"\n"A","Beratung","Mo-Fr 09:00-12:00; Sa 10:00-12:00"\n',
     ["name", "category", "opening_hours"], ["A", "Beratung", "Mo-Fr 09:00-12:00; Sa 10:00-12:00"]),
    ("Name;Beschreibung;Sprachen\nA;Hilfe, Rat, Tat, und mehr;Deutsch, Englisch\nB;eins, zwei;Arabisch\n",
     ["name", "description", "languages"], ["A", "Hilfe, Rat, Tat, und mehr", "Deutsch, Englisch"]),
    ("Name\tBeschreibung\nA\tx, y, z\nB\tp; q\n", ["name", "description"], ["A", "x, y, z"]),
    ("Name|Kategorie\nA|Beratung\n", ["name", "category"], ["A", "Beratung"]),
    ("Name\nA\nB\n", ["name"], ["A"]),
    ('Name\n"Treff, Mitte"\nB\n', ["name"], ["Treff, Mitte"]),
])
def test_delimiter_detection_is_not_fooled_by_commas_and_semicolons_in_cells(tmp_path, text, columns, first):
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    table = read_table(path)
    assert list(table.frame.columns) == columns
    assert table.frame.iloc[0].tolist() == first


# -- headers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, alias", [(f, a) for f, aliases in HEADER_ALIASES.items() for a in aliases])
def test_every_documented_header_alias_maps_to_its_field(field, alias):
    for variant in (alias, alias.upper(), f"  {alias.title()} "):
        mapping, unknown, _ = map_headers([variant])
        assert mapping == {variant: field}, variant
        assert unknown == []


@pytest.mark.parametrize("header, field", [
    ("Name", "name"), ("Bezeichnung", "name"), ("Kategorie", "category"), ("Träger", "organisation"),
    ("Straße", "street"), ("Strasse", "street"), ("Hausnummer", "housenumber"), ("PLZ", "postcode"),
    ("Ort", "city"), ("Adresse", "address"), ("Breitengrad", "lat"), ("Längengrad", "lon"),
    ("Laengengrad", "lon"), ("Sprachen", "languages"), ("Zielgruppen", "target_groups"),
    ("Öffnungszeiten", "opening_hours"), ("Telefon", "phone"), ("E-Mail", "email"), ("e_mail", "email"),
    ("EMAIL", "email"), ("Webseite", "website"), ("Website", "website"), ("Barrierefrei", "wheelchair"),
    ("Beschreibung", "description"), ("Stand", "last_verified"), ("Geprüft am", "last_verified"),
    ("geprueft am", "last_verified"), ("Alter von", "age_min"), ("Alter bis", "age_max"),
    ("  öffnungs-zeiten ", "opening_hours"), ("lat", "lat"), ("Longitude", "lon"),
])
def test_issue_headers_in_german_and_english(header, field):
    assert map_headers([header])[0] == {header: field}


def test_header_key_ignores_separators_and_accents():
    assert header_key("E-Mail") == header_key("e_mail") == header_key("EMAIL") == header_key(" e.mail ")
    assert header_key("Straße") == header_key("strasse")


@pytest.mark.parametrize("field", IGNORED_FIELDS)
def test_export_only_columns_are_recognised_not_reported_as_unknown(field):
    mapping, unknown, _ = map_headers([field])
    assert unknown == [] and list(mapping.values()) == [field]


# -- XLSX ---------------------------------------------------------------------------------------

def test_xlsx_first_sheet_with_excel_typed_cells(tmp_path):
    path = write_xlsx(tmp_path / "liste.xlsx", {
        "Angebote": [
            ["Name", "PLZ", "Breitengrad", "Längengrad", "Stand", "Barrierefrei", "Alter von"],
            ["A", 67655, 49.4447, 7.7689, dt.datetime(2025, 3, 1), True, 6.0],
            [None, None, None, None, None, None, None],
            ["B", "06108", "49,44", "7,77", dt.date(2024, 12, 31), False, None],
        ],
        "Zweites Blatt": [["Name"], ["nicht hier"]],
    })
    table = read_table(path)
    assert table.frame.to_dict("records") == [
        {"name": "A", "postcode": "67655", "lat": "49.4447", "lon": "7.7689", "last_verified": "2025-03-01",
         "wheelchair": "ja", "age_min": "6"},
        {"name": "B", "postcode": "06108", "lat": "49,44", "lon": "7,77", "last_verified": "2024-12-31",
         "wheelchair": "nein", "age_min": ""},
    ]
    assert table.row_numbers == [2, 4]
    assert table.problems == []


def test_xlsx_named_sheet(tmp_path):
    path = write_xlsx(tmp_path / "liste.xlsx", {"Erstes": [["Name"], ["eins"]], "Zweites": [["Bezeichnung"], ["zwei"]]})
    assert read_table(path, sheet="Zweites").frame["name"].tolist() == ["zwei"]


def test_xlsx_missing_sheet_lists_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "liste.xlsx", {"Erstes": [["Name"], ["eins"]], "Zweites": [["Name"], ["zwei"]]})
    with pytest.raises(InputError, match=r"liste.xlsx: no sheet 'Drittes'; sheets: Erstes, Zweites"):
        read_table(path, sheet="Drittes")


def test_xlsx_empty_sheet(tmp_path):
    path = write_xlsx(tmp_path / "liste.xlsx", {"Leer": []})
    with pytest.raises(InputError, match="sheet 'Leer' is empty"):
        read_table(path)


def test_an_xlsx_that_is_really_a_csv_is_read_as_csv_with_a_warning(tmp_path):
    path = tmp_path / "liste.xlsx"
    path.write_text("Name;Kategorie\nA;Beratung\n", encoding="utf-8")
    table = read_table(path)
    assert table.frame["name"].tolist() == ["A"]
    assert any("not an Excel workbook" in p.message and p.severity == "warning" for p in table.problems)


def test_a_csv_that_is_really_a_workbook_is_read_as_xlsx_with_a_warning(tmp_path):
    path = write_xlsx(tmp_path / "liste.csv", {"Blatt": [["Name", "Ort"], ["A", "Kaiserslautern"]]})
    table = read_table(path)
    assert table.frame.to_dict("records") == [{"name": "A", "city": "Kaiserslautern"}]
    assert any("Excel workbook" in p.message for p in table.problems)


@pytest.mark.parametrize("make", ["zip_without_workbook", "truncated", "zip_magic_only"])
def test_broken_workbooks_are_input_errors(tmp_path, make):
    path = tmp_path / "kaputt.xlsx"
    if make == "zip_without_workbook":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hi")
    elif make == "truncated":
        good = write_xlsx(tmp_path / "good.xlsx", {"A": [["Name"], ["x"]]})
        path.write_bytes(good.read_bytes()[:400])
    else:
        path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(InputError, match="kaputt.xlsx: not a readable Excel workbook"):
        read_table(path)


def test_old_xls_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "alt.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"\.xls.*xlsx"):
        read_table(path)


def test_sheet_option_on_a_csv_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Name\nA\n", encoding="utf-8")
    with pytest.raises(InputError, match="no sheets"):
        read_table(path, sheet="Blatt1")


# -- GeoJSON ------------------------------------------------------------------------------------

def feature(props, geometry=None):
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": [7.75, 49.44]} if geometry is None else geometry}


def write_geojson(path, features, **extra):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}), encoding="utf-8")
    return path


def test_geojson_points_lists_and_notes(tmp_path):
    path = write_geojson(tmp_path / "o.geojson", [
        feature({"name": "A", "languages": ["ar", "uk"], "language_notes": {"ar": "Do"}, "target_groups": ["women"],
                 "age_min": 6.0, "postcode": "67655"}),
        {"type": "Feature", "id": "given-id", "properties": {"Bezeichnung": "B"}, "geometry": None},
    ])
    table = read_geojson(path)
    records = table.frame.to_dict("records")
    assert records[0]["languages"] == "ar (Do); uk"
    assert records[0]["target_groups"] == "women"
    assert records[0]["age_min"] == "6"
    assert (records[0]["lat"], records[0]["lon"]) == ("49.44", "7.75")  # GeoJSON is lon, lat
    assert records[1]["id"] == "given-id" and records[1]["lat"] == ""
    assert table.row_numbers == [1, 2]  # features are numbered from 1


def test_geojson_polygon_becomes_a_point_inside_with_a_warning(tmp_path):
    ring = [[7.70, 49.40], [7.80, 49.40], [7.80, 49.50], [7.70, 49.50], [7.70, 49.40]]
    path = write_geojson(tmp_path / "o.geojson", [feature({"name": "A"}, {"type": "Polygon", "coordinates": [ring]})])
    table = read_geojson(path)
    lat, lon = float(table.frame["lat"][0]), float(table.frame["lon"][0])
    assert 49.40 < lat < 49.50 and 7.70 < lon < 7.80
    assert [p.severity for p in table.problems] == ["warning"]


@pytest.mark.parametrize("geometry", [
    {"type": "Point"}, {"type": "Bogus", "coordinates": [1, 2]}, {"type": "Point", "coordinates": ["x", "y"]},
])
def test_geojson_unreadable_geometry_keeps_the_row_without_coordinates(tmp_path, geometry):
    path = write_geojson(tmp_path / "o.geojson", [feature({"name": "A"}, geometry)])
    table = read_geojson(path)
    assert table.frame["name"].tolist() == ["A"]
    assert "lat" not in table.frame or table.frame["lat"].tolist() == [""]
    assert [(p.row, p.column, p.severity) for p in table.problems] == [(1, "geometry", "warning")]


def test_geojson_null_and_broken_features_are_rows_not_silently_dropped(tmp_path):
    path = write_geojson(tmp_path / "o.geojson", [feature({"name": "A"}), None, "kaputt", feature({"name": "D"})])
    table = read_geojson(path)
    assert table.row_numbers == [1, 2, 3, 4]
    assert table.frame["name"].tolist() == ["A", "", "", "D"]
    assert {p.row for p in table.problems} == {2, 3}


@pytest.mark.parametrize("text, words", [
    ('{"type": "FeatureCollection", "features": []}', "no features"),
    ("[1, 2]", "FeatureCollection"),
    ("{kaputt", "not valid JSON (line 1"),
    ("", "not valid JSON"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"title": "A"}, '
     '"geometry": null}], "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::99999"}}}',
     "not a coordinate system"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"x": 1}, "geometry": null}]}',
     "no name column"),
    ('{"type": "FeatureCollection", "features": [1, 2]}', "no feature has properties"),
])
def test_geojson_unusable_files(tmp_path, text, words):
    path = tmp_path / "o.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_geojson(path)
    assert "o.geojson" in str(info.value) and words in str(info.value)


def test_geojson_single_feature_is_accepted(tmp_path):
    path = tmp_path / "o.json"
    path.write_text(json.dumps(feature({"name": "A"})), encoding="utf-8")
    assert read_input(path).frame["name"].tolist() == ["A"]


def test_read_input_picks_the_reader_by_extension(tmp_path):
    write_geojson(tmp_path / "o.geojson", [feature({"name": "G"})])
    (tmp_path / "o.csv").write_text("Name\nC\n", encoding="utf-8")
    write_xlsx(tmp_path / "o.xlsx", {"S": [["Name"], ["X"]]})
    assert [read_input(tmp_path / f"o.{ext}").frame["name"][0] for ext in ("geojson", "csv", "xlsx")] == ["G", "C", "X"]
