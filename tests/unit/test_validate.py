"""geo.validate: text cells -> offer records plus one problem list, row by row."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from conftest import make_settings

from geo.readers.tabular import build_raw_table
from geo.schema import OFFER_COLUMNS
from geo.validate import offer_id, opening_hours_error, parse_date, split_address, split_cell, validate_table

# Inside the default [area] (Kaiserslautern)
LAT, LON = "49,4447", "7,7689"


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


def validate(settings, rows: list[dict], source: str = "test"):
    headers = list(dict.fromkeys(k for row in rows for k in row))
    raw = build_raw_table("liste.csv", headers, [[row.get(h, "") for h in headers] for row in rows], [])
    return validate_table(raw, settings, source)


def only(result, row: int | None = None, column: str | None = None, severity: str | None = None):
    return [p for p in result.problems if (row is None or p.row == row) and (column is None or p.column == column)
            and (severity is None or p.severity == severity)]


def assert_every_row_accounted_for(result):
    stored = set(result.offer_rows)
    assert len(stored) == len(result.offers)
    assert stored.isdisjoint(result.rejected_rows) and stored.isdisjoint(result.duplicate_rows)
    assert len(stored) + len(result.rejected_rows) + len(result.duplicate_rows) == result.rows_read
    reported = {p.row for p in result.problems if p.severity in ("error", "duplicate")}
    assert result.rejected_rows | result.duplicate_rows <= reported


def test_a_complete_row_becomes_an_offer_record(settings):
    result = validate(settings, [{
        "ID": "kl-1", "Name": "Migrationsberatung Mitte", "Kategorie": "MBE", "Träger": "Beispiel e. V.",
        "Beschreibung": "Beratung", "Straße": "Marktstraße", "Hausnummer": "5", "PLZ": "67655",
        "Ort": "Kaiserslautern", "Breitengrad": LAT, "Längengrad": LON, "Art": "vor Ort",
        "Sprachen": "Arabisch (donnerstags), Farsi; Ukrainisch", "Zielgruppen": "Geflüchtete | Frauen",
        "Alter von": "16", "Alter bis": "99", "Öffnungszeiten": "Mo-Fr 09:00-12:00", "Termin": "empfohlen",
        "Telefon": "0631 5550100", "E-Mail": "mailto:info@example.org", "Webseite": "www.example.org/beratung",
        "Barrierefrei": "eingeschränkt", "Kosten": "kostenlos", "Stand": "01.03.2025",
    }], source="stadt")
    assert result.problems == []
    assert list(result.offers.columns) == list(OFFER_COLUMNS)
    offer = result.offers.iloc[0].to_dict()
    assert offer["id"] == "kl-1"
    assert offer["category"] == "counselling"
    assert offer["languages"] == ["ar", "fa", "uk"]
    assert offer["language_notes"] == {"ar": "donnerstags"}
    assert offer["target_groups"] == ["refugees", "women"]
    assert (offer["lat"], offer["lon"]) == (49.4447, 7.7689)
    assert (offer["age_min"], offer["age_max"]) == (16, 99)
    assert offer["appointment"] == "recommended"
    assert offer["email"] == "info@example.org"
    assert offer["website"] == "https://www.example.org/beratung"
    assert offer["wheelchair"] == "limited" and offer["cost"] == "free"
    assert offer["last_verified"] == "2025-03-01"
    assert offer["location_type"] == "physical"
    assert offer["geocode_status"] == "given" and offer["source"] == "stadt"
    assert result.offer_rows == [2]


def test_only_a_name_is_required(settings):
    result = validate(settings, [{"Name": "Treff"}])
    offer = result.offers.iloc[0]
    assert offer["category"] == "other"
    assert offer["languages"] == [] and offer["target_groups"] == [] and offer["language_notes"] == {}
    assert offer["wheelchair"] == "unknown" and offer["cost"] == "unknown"
    assert offer["geocode_status"] == "not_located" and math.isnan(offer["lat"])
    assert [p.column for p in result.problems] == ["category"]  # "no category; stored as 'other'"
    assert result.problems[0].severity == "warning"


# -- rejections name the row, column and value ---------------------------------------------------

@pytest.mark.parametrize("row, column, value, words", [
    ({"Name": "", "Kategorie": "Beratung"}, "Name", "", "no name"),
    ({"Name": "A", "Sprachen": "Deutsch, Klingonx"}, "Sprachen", "Klingonx", "unknown language"),
    ({"Name": "A", "Sprachen": "keine"}, "Sprachen", "keine", "unknown language"),
    ({"Name": "A", "Alter von": "18", "Alter bis": "12"}, "Alter von", "18-12", "minimum age above maximum"),
    ({"Name": "A", "ID": "id mit leerzeichen"}, "ID", "id mit leerzeichen", "ids may only hold"),
])
def test_row_errors_reject_the_row_and_say_where(settings, row, column, value, words):
    result = validate(settings, [{"Name": "gut"}, row])
    assert result.offers["name"].tolist() == ["gut"]
    assert result.rejected_rows == {3}
    problem = only(result, row=3, severity="error")[0]
    assert (problem.file, problem.column, problem.value) == ("liste.csv", column, value)
    assert words in problem.message
    assert_every_row_accounted_for(result)


@pytest.mark.parametrize("row, column, value, words", [
    ({"Name": "A", "Kategorie": "Mobilität"}, "Kategorie", "Mobilität", "unknown category"),
    ({"Name": "A", "Zielgruppen": "Frauen, Marsianer"}, "Zielgruppen", "Marsianer", "unknown target group"),
    ({"Name": "A", "archiviert": "ja"}, "archiviert", "ja", "archived"),
    ({"Name": "Test", "Kategorie": "Beratung"}, "Name", "Test", "test entry"),
])
def test_unknown_values_keep_the_row_for_review_with_the_reason(settings, row, column, value, words):
    result = validate(settings, [{"Name": "gut"}, row])
    assert result.offers["name"].tolist() == ["gut", row["Name"]]
    assert result.rejected_rows == set() and result.review_rows == {3}
    assert result.publishable.tolist() == [True, False]
    problem = only(result, row=3, severity="review")[0]
    assert (problem.column, problem.value) == (column, value) and words in problem.message
    assert result.review[1] and words in result.review[1][0]
    assert_every_row_accounted_for(result)


def test_a_review_row_keeps_the_values_it_knows(settings):
    result = validate(settings, [{"Name": "A", "Kategorie": "Religionsgemeinschaft", "Zielgruppen": "Frauen, Marsianer"}])
    offer = result.offers.iloc[0]
    assert offer["category"] == "" and offer["target_groups"] == ["women"]
    advice = only(result, column="Kategorie")[0].suggestion
    assert advice.startswith("closest in meaning: Treffpunkt (meeting_place)")
    assert "Beratung" not in advice and "vocabulary map 'Religionsgemeinschaft'" in advice
    assert "[vocabulary.categories.religious_community]" in advice


def test_remembered_value_mappings_apply_to_every_row(settings):
    headers = ["Name", "Kategorie"]
    raw = build_raw_table("liste.csv", headers, [["A", "Religionsgemeinschaft"], ["B", "religionsgemeinschaft"]], [])
    result = validate_table(raw, settings, "t", value_mappings={"category": {"religionsgemeinschaft": "meeting_place"}})
    assert result.offers["category"].tolist() == ["meeting_place", "meeting_place"]
    assert result.review_rows == set()


def test_unknown_category_suggests_the_closest(settings):
    result = validate(settings, [{"Name": "A", "Kategorie": "Berattung"}])
    assert "did you mean Beratung" in only(result, column="Kategorie")[0].suggestion


def test_unknown_language_suggests_the_closest_by_name_and_code(settings):
    result = validate(settings, [{"Name": "A", "Sprachen": "Arabsich"}])
    problems = only(result, column="Sprachen", severity="error")
    if problems:  # langcodes may already resolve the typo itself
        assert "Arabisch (ar)" in problems[0].suggestion
    else:
        assert result.offers["languages"][0] == ["ar"]


def test_a_configured_category_is_accepted(tmp_path):
    settings = make_settings(tmp_path, vocabulary={"categories": {"legal": {"de": "Rechtshilfe"}}})
    result = validate(settings, [{"Name": "A", "Kategorie": "Rechtshilfe"}])
    assert result.offers["category"].tolist() == ["legal"]


# -- multi-value cells ---------------------------------------------------------------------------

@pytest.mark.parametrize("cell, items", [
    ("Arabisch, Farsi", ["Arabisch", "Farsi"]),
    ("Arabisch; Farsi", ["Arabisch", "Farsi"]),
    ("Arabisch | Farsi", ["Arabisch", "Farsi"]),
    ("Arabisch (Mo, Di), Farsi; Deutsch | Englisch", ["Arabisch (Mo, Di)", "Farsi", "Deutsch", "Englisch"]),
    ("a,,b; ;c", ["a", "b", "c"]),
    ("", []),
])
def test_split_cell(cell, items):
    assert split_cell(cell) == items


def test_languages_are_deduplicated_in_order(settings):
    result = validate(settings, [{"Name": "A", "Sprachen": "Farsi, Persisch, fa, Arabisch"}])
    assert result.offers["languages"][0] == ["fa", "ar"]


# -- addresses -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, parts", [
    ("Willy-Brandt-Platz 1, 67657 Kaiserslautern", ("Willy-Brandt-Platz", "1", "67657", "Kaiserslautern")),
    ("Am Altenhof 12-14, 67655 Kaiserslautern", ("Am Altenhof", "12-14", "67655", "Kaiserslautern")),
    ("Marktstraße 5a, D-67655 Kaiserslautern", ("Marktstraße", "5a", "67655", "Kaiserslautern")),
    ("67655 Kaiserslautern, Marktstraße 5", ("Marktstraße", "5", "67655", "Kaiserslautern")),
    ("Straße des 17. Juni 31, 10623 Berlin", ("Straße des 17. Juni", "31", "10623", "Berlin")),
    ("Marktstraße 5 67655 Kaiserslautern", ("Marktstraße", "5", "67655", "Kaiserslautern")),
    ("Marktstraße 5\n67655 Kaiserslautern", ("Marktstraße", "5", "67655", "Kaiserslautern")),
    ("Hauptstraße 1, 67655 Kaiserslautern, Deutschland", ("Hauptstraße", "1", "67655", "Kaiserslautern")),
    ("Marktstraße 5, Kaiserslautern", ("Marktstraße", "5", "", "Kaiserslautern")),
    ("Kapuzinerstraße 30", ("Kapuzinerstraße", "30", "", "")),
    ("Friedrich-Loy-Str.16", ("Friedrich-Loy-Str.", "16", "", "")),
])
def test_split_address(text, parts):
    got = split_address(text)
    assert (got["street"], got["number"].strip(), got["postcode"], got["city"]) == parts


@pytest.mark.parametrize("text", ["Marienplatz", "Marktplatz, Kaiserslautern", "Online", "67655"])
def test_addresses_without_house_number_are_not_split(text):
    assert split_address(text) is None


def test_address_column_fills_only_empty_parts(settings):
    result = validate(settings, [
        {"Name": "A", "Adresse": "Marktstraße 5, 67655 Kaiserslautern"},
        {"Name": "B", "Adresse": "Kapuzinerstraße 30", "PLZ": "80337", "Ort": "München"},
        {"Name": "C", "Adresse": "Marktplatz, 67655 Kaiserslautern"},
    ])
    parts = result.offers[["street", "housenumber", "postcode", "city"]].values.tolist()
    assert parts == [["Marktstraße", "5", "67655", "Kaiserslautern"], ["Kapuzinerstraße", "30", "80337", "München"],
                     ["Marktplatz", "", "67655", "Kaiserslautern"]]
    assert [p.row for p in only(result, column="Adresse")] == [4]  # only the one without house number


# -- coordinates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lat, lon, expected", [
    ("49,4447", "7,7689", (49.4447, 7.7689)),
    ("49.4447", "7.7689", (49.4447, 7.7689)),
    (" 49,4447 ", "7,7689", (49.4447, 7.7689)),
])
def test_decimal_commas_and_points(settings, lat, lon, expected):
    offer = validate(settings, [{"Name": "A", "Breitengrad": lat, "Längengrad": lon}]).offers.iloc[0]
    assert (offer["lat"], offer["lon"]) == expected and offer["geocode_status"] == "given"


def test_swapped_coordinates_are_swapped_back_with_a_warning(settings):
    result = validate(settings, [{"Name": "A", "Breitengrad": "7,7689", "Längengrad": "49,4447"}])
    offer = result.offers.iloc[0]
    assert (offer["lat"], offer["lon"]) == (49.4447, 7.7689)
    problem = only(result, row=2, column="Breitengrad")[0]
    assert problem.severity == "warning" and "swapped" in problem.message


def test_coordinates_outside_the_area_are_dropped_and_reported(settings):
    result = validate(settings, [{"Name": "Berlin", "Breitengrad": "52,52", "Längengrad": "13,40"}])
    offer = result.offers.iloc[0]
    assert math.isnan(offer["lat"]) and offer["geocode_status"] == "not_located"
    problem = only(result, row=2, column="Breitengrad")[0]
    assert "outside the area of Kaiserslautern" in problem.message and "52.52" in problem.value


def test_area_comes_from_the_config(tmp_path):
    settings = make_settings(tmp_path, area={"name": "Berlin", "bbox": [13.0, 52.3, 13.8, 52.7]})
    offer = validate(settings, [{"Name": "B", "lat": "52.52", "lon": "13.40"}]).offers.iloc[0]
    assert offer["geocode_status"] == "given"


@pytest.mark.parametrize("lat, lon, column", [("abc", "7,7", "Breitengrad"), ("49,44", "", "Breitengrad"),
                                              ("", "7,7", "Längengrad"), ("49°26'", "7°46'", "Breitengrad")])
def test_unusable_coordinates_leave_the_offer_unlocated_with_a_warning(settings, lat, lon, column):
    result = validate(settings, [{"Name": "A", "Breitengrad": lat, "Längengrad": lon}])
    assert result.offers["geocode_status"].tolist() == ["not_located"]
    assert [p.severity for p in only(result, row=2, column=column)] == ["warning"]


def test_virtual_offers_have_no_place(settings):
    result = validate(settings, [{"Name": "Online-Beratung", "Art": "online", "Breitengrad": LAT, "Längengrad": LON},
                                 {"Name": "Hotline", "Art": "telefonisch"}])
    assert result.offers["location_type"].tolist() == ["virtual", "virtual"]
    assert result.offers["geocode_status"].tolist() == ["virtual", "virtual"]
    assert result.offers["lat"].isna().all()


# -- fields with fixed value sets -----------------------------------------------------------------

@pytest.mark.parametrize("header, value, field, expected", [
    ("Termin", "nur mit Termin", "appointment", "required"), ("Termin", "keiner", "appointment", "none"),
    ("Barrierefrei", "ja", "wheelchair", "yes"), ("Barrierefrei", "Nein", "wheelchair", "no"),
    ("Barrierefrei", "k.A.", "wheelchair", "unknown"), ("Kosten", "kostenpflichtig", "cost", "fee"),
    ("Kosten", "Gebühr", "cost", "fee"), ("Art", "Präsenz", "location_type", "physical"),
    ("Art", "Online", "location_type", "virtual"),
])
def test_fixed_value_sets_in_german_and_english(settings, header, value, field, expected):
    assert validate(settings, [{"Name": "A", header: value}]).offers[field].tolist() == [expected]


def test_unknown_fixed_values_become_the_default_with_a_warning(settings):
    result = validate(settings, [{"Name": "A", "Barrierefrei": "vielleicht"}])
    assert result.offers["wheelchair"].tolist() == ["unknown"]
    assert only(result, column="Barrierefrei")[0].severity == "warning"


# -- free-text fields with a syntax ----------------------------------------------------------------

@pytest.mark.parametrize("value", ["Mo-Fr 09:00-12:00", "Tu,Th 14:00-17:00; Sa 10:00-12:00", "24/7",
                                   "Mo-Fr 08:00-13:00; We off", "Mo 10:00-12:00 \"nur mit Termin\""])
def test_valid_opening_hours(value):
    assert opening_hours_error(value) is None


@pytest.mark.parametrize("value", ["Mo 25:00-26:00", "Mo-Fr 09:00-", "siehe Aushang am Eingang"])
def test_hours_we_cannot_read_are_kept_as_text_with_a_message_a_person_understands(settings, value):
    result = validate(settings, [{"Name": "A", "Öffnungszeiten": value}])
    offer = result.offers.iloc[0]
    assert offer["opening_hours"] == "" and offer["opening_hours_text"] == value
    problem = only(result, column="Öffnungszeiten")[0]
    assert problem.severity == "warning" and problem.value == value
    assert "kept as text" in problem.message and "Mo-Fr 9-12 Uhr" in problem.message
    assert "expected" not in problem.message and "EOI" not in problem.message
    assert opening_hours_error(value)


@pytest.mark.parametrize("value, osm, appointment", [
    ("montags 9-12 Uhr", "Mo 09:00-12:00", ""),
    ("Di, Do 14:00-17:00", "Tu,Th 14:00-17:00", ""),
    ("nach Vereinbarung", "", "required"),
])
def test_hours_written_in_german_become_osm_and_the_original_is_kept(settings, value, osm, appointment):
    result = validate(settings, [{"Name": "A", "Öffnungszeiten": value}])
    offer = result.offers.iloc[0]
    assert (offer["opening_hours"], offer["appointment"], offer["opening_hours_text"]) == (osm, appointment, "")
    assert result.extras[0]["opening_hours_original"] == value
    assert only(result, column="Öffnungszeiten")[0].severity == "note"


def test_an_appointment_column_wins_over_what_the_hours_say(settings):
    result = validate(settings, [{"Name": "A", "Öffnungszeiten": "nach Vereinbarung", "Termin": "empfohlen"}])
    assert result.offers["appointment"].tolist() == ["recommended"]


@pytest.mark.parametrize("value, kept", [
    ("info@example.org", "info@example.org"), ("mailto:info@example.org", "info@example.org"),
    ("kein@", ""), ("a b@example.org", ""), ("<script>@x.de", ""),
])
def test_emails(settings, value, kept):
    assert validate(settings, [{"Name": "A", "E-Mail": value}]).offers["email"].tolist() == [kept]


@pytest.mark.parametrize("value, kept", [
    ("https://example.org/a?b=c", "https://example.org/a?b=c"), ("HTTP://example.org", "HTTP://example.org"),
    ("www.example.org", "https://www.example.org"), ("example.org/angebot", "https://example.org/angebot"),
    ("javascript:alert(1)", ""), ("data:text/html,<b>x</b>", ""), ("ftp://example.org", ""),
    ("https://example.org/\"onmouseover=", ""), ("siehe Aushang", ""),
])
def test_websites_only_http_links_survive(settings, value, kept):
    assert validate(settings, [{"Name": "A", "Webseite": value}]).offers["website"].tolist() == [kept]


@pytest.mark.parametrize("text, date", [
    ("2025-03-01", dt.date(2025, 3, 1)), ("01.03.2025", dt.date(2025, 3, 1)), ("1.3.25", dt.date(2025, 3, 1)),
    ("03/2025", dt.date(2025, 3, 1)), ("2025", dt.date(2025, 1, 1)), ("2025-03-01 00:00:00", dt.date(2025, 3, 1)),
    ("31.02.2025", None), ("gestern", None),
])
def test_parse_date(text, date):
    assert parse_date(text) == date


def test_future_and_unreadable_dates_are_left_empty(settings):
    future = (dt.date.today() + dt.timedelta(days=30)).strftime("%d.%m.%Y")
    result = validate(settings, [{"Name": "A", "Stand": future}, {"Name": "B", "Stand": "irgendwann"}])
    assert result.offers["last_verified"].tolist() == ["", ""]
    assert {p.row for p in only(result, column="Stand")} == {2, 3}


@pytest.mark.parametrize("value, kept, warned", [
    ("67655", "67655", False), ("6108", "06108", True), ("D-67655", "67655", False), ("676", "676", True),
])
def test_postcodes(settings, value, kept, warned):
    result = validate(settings, [{"Name": "A", "PLZ": value}])
    assert result.offers["postcode"].tolist() == [kept]
    assert bool(only(result, column="PLZ")) == warned


@pytest.mark.parametrize("low, high, kept", [("6", "12", (6, 12)), ("6,0", "", (6, None)), ("-1", "200", (None, None)),
                                             ("sechs", "", (None, None)), ("6.5", "", (None, None))])
def test_ages(settings, low, high, kept):
    offer = validate(settings, [{"Name": "A", "Alter von": low, "Alter bis": high}]).offers.iloc[0]
    got = tuple(None if math.isnan(v) else v for v in (offer["age_min"], offer["age_max"]))
    assert got == kept


# -- ids and duplicates ----------------------------------------------------------------------------

def test_generated_ids_are_stable_and_ignore_case_and_accents():
    a = offer_id("Café Treff", "Marktstraße", "5", "67655", "Kaiserslautern")
    assert a == offer_id("CAFE TREFF", "Marktstrasse", "5", "67655", "kaiserslautern")
    assert a != offer_id("Café Treff", "Marktstraße", "7", "67655", "Kaiserslautern")
    assert a.startswith("o-")


def test_rows_without_ids_keep_their_ids_across_validations(settings):
    rows = [{"Name": "A", "Straße": "Marktstraße", "Hausnummer": "5"}, {"Name": "B"}]
    first, second = validate(settings, rows), validate(settings, list(reversed(rows)))
    assert sorted(first.offers["id"]) == sorted(second.offers["id"])
    assert first.offers["id"].is_unique


def test_same_name_and_address_is_a_duplicate_reported_against_the_first_row(settings):
    rows = [{"Name": "Treff", "Adresse": "Marktstraße 5, 67655 Kaiserslautern", "Sprachen": "Deutsch"},
            {"Name": "Anderes", "Adresse": "Marktstraße 5, 67655 Kaiserslautern"},
            {"Name": "treff", "Straße": "Marktstrasse", "Hausnummer": "5", "PLZ": "67655", "Ort": "Kaiserslautern"}]
    result = validate(settings, rows)
    assert result.offers["name"].tolist() == ["Treff", "Anderes"]
    assert result.duplicate_rows == {4}
    problem = only(result, row=4, severity="duplicate")[0]
    assert "row 2" in problem.message
    assert_every_row_accounted_for(result)


def test_same_given_id_twice_is_an_error(settings):
    result = validate(settings, [{"ID": "x1", "Name": "A"}, {"ID": "x1", "Name": "B"}])
    assert result.offers["name"].tolist() == ["A"]
    assert result.rejected_rows == {3}
    assert "row 2" in only(result, row=3, severity="error")[0].message


def test_same_name_and_address_with_different_ids_are_both_kept_with_a_warning(settings):
    result = validate(settings, [{"ID": "x1", "Name": "A"}, {"ID": "x2", "Name": "A"}])
    assert len(result.offers) == 2
    assert only(result, row=3)[0].severity == "warning"


def test_a_rejected_first_row_does_not_make_its_twin_a_duplicate(settings):
    result = validate(settings, [{"Name": "A", "Alter von": "18", "Alter bis": "12"}, {"Name": "A", "Kategorie": "Beratung"}])
    assert result.offers["category"].tolist() == ["counselling"]
    assert result.rejected_rows == {2} and result.duplicate_rows == set()


def test_of_two_twins_the_one_that_needs_no_review_is_kept(settings):
    result = validate(settings, [{"Name": "A", "Kategorie": "Quatsch"}, {"Name": "A", "Kategorie": "Beratung"}])
    assert result.offers["category"].tolist() == ["counselling"]
    assert result.duplicate_rows == {2} and result.review_rows == set()
    assert "row 3" in only(result, row=2, severity="duplicate")[0].message


def test_many_mixed_rows_are_all_accounted_for(settings):
    rows = []
    for i in range(60):
        row = {"Name": f"Angebot {i % 40}", "Kategorie": ["Beratung", "Quatsch", ""][i % 3],
               "Sprachen": ["Arabisch", "Klingonx", "Farsi, Deutsch"][i % 5 % 3],
               "Breitengrad": ["49,44", "7,77", "52,5", "", "x"][i % 5], "Längengrad": ["7,77", "49,44", "13,4", "", "y"][i % 5],
               "Öffnungszeiten": ["Mo 09:00-12:00", "kaputt"][i % 2]}
        if i % 7 == 0:
            row["Name"] = ""
        rows.append(row)
    result = validate(settings, rows)
    assert result.rows_read == 60
    assert_every_row_accounted_for(result)
    assert result.offers["name"].str.len().gt(0).all()
