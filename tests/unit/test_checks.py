"""Placeholders, archive markers, coordinates in one cell or x/y, duplicates by normalised address."""

from __future__ import annotations

import pytest
from conftest import make_settings
from pyproj import Transformer

from geo.placeholders import is_dummy_email, is_dummy_phone, is_dummy_website, is_test_name
from geo.readers.tabular import build_raw_table
from geo.validate import validate_table

LON, LAT = 7.7689, 49.4447


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


def validate(settings, rows, **kwargs):
    headers = list(dict.fromkeys(k for row in rows for k in row))
    raw = build_raw_table("liste.csv", headers, [[row.get(h, "") for h in headers] for row in rows], [])
    return validate_table(raw, settings, "t", **kwargs)


@pytest.mark.parametrize("name, test", [
    ("Test", True), ("test.poi", False), ("TESTANGEBOT", True), ("Dummy 2", True), ("xxx", True), ("asdf", True),
    ("Lorem ipsum dolor", True), ("?", True), ("Testzentrum Mitte", False), ("Caritas", False), ("Xaver-Treff", False),
])
def test_test_names(name, test):
    assert is_test_name(name) == test


@pytest.mark.parametrize("phone, dummy", [
    ("+123456789", True), ("0000", True), ("01234 567890", True), ("111 111", True), ("0631 365-0", False),
    ("089 55059880", False), ("+49 631 1234567", False),
])
def test_dummy_phones(phone, dummy):
    assert is_dummy_phone(phone) == dummy


def test_placeholder_addresses():
    assert is_dummy_email("example@test.poi") and is_dummy_email("max.mustermann@example.org")
    assert not is_dummy_email("info@example.org") and not is_dummy_email("info@caritas-kl.de")
    assert is_dummy_website("https://test.poi") and is_dummy_website("www.test.invalid/x")
    assert not is_dummy_website("https://www.test.de") and not is_dummy_website("https://www.kaiserslautern.de")


def test_dummy_contacts_are_left_empty_with_a_warning(settings):
    result = validate(settings, [{"Name": "A", "Telefon": "+123456789", "E-Mail": "example@test.poi",
                                  "Webseite": "https://test.poi"}])
    offer = result.offers.iloc[0]
    assert (offer["phone"], offer["email"], offer["website"]) == ("", "", "")
    assert {p.column for p in result.problems if p.severity == "warning"} >= {"Telefon", "E-Mail", "Webseite"}
    assert result.review_rows == set()


@pytest.mark.parametrize("column, value, archived", [
    ("archiviert", "ja", True), ("archived", "true", True), ("Status", "inaktiv", True), ("Status", "aktiv", False),
    ("aktiv", "nein", True), ("aktiv", "ja", False), ("archiviert", "", False),
])
def test_archive_markers(settings, column, value, archived):
    result = validate(settings, [{"Name": "A", column: value}])
    assert bool(result.review_rows) == archived
    assert len(result.offers) == 1


@pytest.mark.parametrize("cells, lat, lon", [
    ({"Breitengrad": "49,4;7,8"}, 49.4, 7.8),
    ({"Koordinaten": "49,4447; 7,7689"}, 49.4447, 7.7689),
    ({"Koordinaten": "49.4447, 7.7689"}, 49.4447, 7.7689),
    ({"Koordinaten": "7.7689 49.4447"}, 49.4447, 7.7689),  # lon first: the order that lies in the area
])
def test_both_coordinates_in_one_cell_are_read_or_reported(settings, cells, lat, lon):
    result = validate(settings, [{"Name": "A", **cells}])
    offer = result.offers.iloc[0]
    assert offer["lat"] == pytest.approx(lat) and offer["lon"] == pytest.approx(lon)
    if "Breitengrad" in cells:
        assert any("both coordinates in one cell" in p.message for p in result.problems)


def test_an_unreadable_coordinate_cell_is_reported_not_passed(settings):
    result = validate(settings, [{"Name": "A", "Koordinaten": "49,4,7,8"}])
    assert result.offers["lat"].isna().all()
    assert any("not two numbers" in p.message and p.column == "Koordinaten" for p in result.problems)


@pytest.mark.parametrize("crs, stated", [(25832, ""), (31467, ""), (25832, "EPSG:25832")])
def test_rechtswert_hochwert_in_a_stated_or_recognised_crs(tmp_path, crs, stated):
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(LON, LAT)
    settings = make_settings(tmp_path, **{"import": {"crs": stated}})
    result = validate(settings, [{"Name": "A", "Rechtswert": f"{x:.2f}", "Hochwert": f"{y:.2f}"}])
    offer = result.offers.iloc[0]
    assert offer["lat"] == pytest.approx(LAT, abs=1e-5) and offer["lon"] == pytest.approx(LON, abs=1e-5)
    assert f"EPSG:{crs}" in next(p.message for p in result.problems if p.column == "Rechtswert")


def test_x_y_that_no_common_system_places_in_the_area_are_reported(settings):
    result = validate(settings, [{"Name": "A", "x": "123", "y": "456"}])
    assert result.offers["lat"].isna().all()
    assert any("unknown coordinate system" in p.message for p in result.problems)


def test_one_offer_in_three_spellings_is_one_offer_and_both_rows_are_named(settings):
    result = validate(settings, [
        {"Name": "Sozialberatung Süd", "Straße": "Klosterstr. 8", "PLZ": "67655", "Ort": "Kaiserslautern"},
        {"Name": "Sozialberatung Süd", "Straße": "Klosterstraße 8", "PLZ": "67655", "Ort": "Kaiserslautern"},
        {"Name": "Sozialberatung Sued", "Straße": "Klosterstraße 8", "PLZ": "", "Ort": "Kaiserslautern"},
        {"Name": "Frauencafé", "Straße": "Klosterstraße 8", "PLZ": "67655", "Ort": "Kaiserslautern"},
    ])
    assert result.offers["name"].tolist() == ["Sozialberatung Süd", "Frauencafé"]
    assert result.duplicate_rows == {3, 4}
    messages = [p.message for p in result.problems if p.severity == "duplicate"]
    assert all("duplicate of row 2" in m for m in messages)
