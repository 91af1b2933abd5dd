"""Address normalisation: every spelling of one address gets one key, different addresses don't."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.geocoding.base import AddressQuery
from geo.geocoding.normalise import (
    address_key,
    cities_match,
    city_key,
    clean_query,
    index_housenumber_keys,
    loose_street_key,
    parse_address_text,
    parse_housenumber,
    parse_postcode,
    split_street_number,
    street_key,
)


@pytest.mark.parametrize("a, b", [
    ("Marktstraße", "Marktstr."),
    ("Marktstraße", "marktstrasse"),
    ("Marktstraße", "MARKTSTRASSE"),
    ("Marktstraße", "Markt-Straße"),
    ("Marktstraße", "Markt Str"),
    ("Karl-Marx-Straße", "Karl Marx Str."),
    ("Müllerstraße", "Muellerstrasse"),
    ("St.-Martin-Platz", "Sankt Martin Pl."),
    ("Straße des 17. Juni", "Str. des 17. Juni"),
    ("Schillerplatz", "Schillerpl."),
])
def test_same_street_same_key(a, b):
    assert street_key(a) == street_key(b)


@pytest.mark.parametrize("a, b", [
    ("Marktstraße", "Parkstraße"),
    ("Strauchweg", "Straßenweg"),
    ("Hauptstraße", "Hauptweg"),
    ("Am Markt", "Marktstraße"),
])
def test_different_streets_different_keys(a, b):
    assert street_key(a) != street_key(b)


def test_loose_key_forgives_missing_umlaut_e_and_fugen_s():
    assert loose_street_key(street_key("Mullerstraße")) == loose_street_key(street_key("Müllerstraße"))
    assert loose_street_key(street_key("Bahnhofsstraße")) == loose_street_key(street_key("Bahnhofstraße"))


@pytest.mark.parametrize("text, key, fallbacks, number", [
    ("12", "12", (), 12),
    ("12a", "12a", ("12",), 12),
    ("12 a", "12a", ("12",), 12),
    ("12 A", "12a", ("12",), 12),
    ("Nr. 12", "12", (), 12),
    ("nr 12a", "12a", ("12",), 12),
    ("12-14", "12-14", ("12", "14"), 12),
    ("12 – 14", "12-14", ("12", "14"), 12),
    ("12/1", "12/1", ("12",), 12),
    ("10a-d", "10a-d", ("10a", "10"), 10),
    ("13, 15", "13,15", ("13", "15"), 13),
    ("12 u. 14", "12,14", ("12", "14"), 12),
    ("", "", (), None),
])
def test_parse_housenumber(text, key, fallbacks, number):
    hn = parse_housenumber(text)
    assert (hn.key, hn.fallbacks, hn.number) == (key, fallbacks, number)


def test_index_keys_expand_ranges_and_lists_but_not_blocks():
    assert dict(index_housenumber_keys("12-16")) == {"12-16": 0, "12": 1, "14": 1, "16": 1}
    assert dict(index_housenumber_keys("1A-C")) == {"1a-c": 0, "1a": 1, "1b": 1, "1c": 1}
    assert dict(index_housenumber_keys("8;10")) == {"8,10": 0, "8": 1, "10": 1}
    block = dict(index_housenumber_keys("2-98"))
    assert set(block) == {"2-98", "2", "98"}


@pytest.mark.parametrize("street, expected", [
    ("Marktstraße 5", ("Marktstraße", "5")),
    ("Hauptstr. 12a", ("Hauptstr.", "12a")),
    ("Am Hang Nr. 3 a", ("Am Hang", "3 a")),
    ("Kaiserbergring 1A-C", ("Kaiserbergring", "1A-C")),
    ("Alex-Müller-Straße 95, 97", ("Alex-Müller-Straße", "95, 97")),
    ("Straße des 17. Juni", ("Straße des 17. Juni", "")),
    ("Marktplatz", ("Marktplatz", "")),
])
def test_split_street_number(street, expected):
    assert split_street_number(street) == expected


@pytest.mark.parametrize("text, expected", [
    ("67655", "67655"), ("D-67655", "67655"), ("67655 Kaiserslautern", "67655"),
    ("1067", "01067"), ("", ""), ("Kaiserslautern", ""),
])
def test_parse_postcode(text, expected):
    assert parse_postcode(text) == expected


@pytest.mark.parametrize("text", [
    "Marktstraße 5, 67655 Kaiserslautern",
    "Marktstr. 5 67655 Kaiserslautern",
    "Kaiserslautern 67655, Marktstraße 5",
    "Marktstraße 5 Kaiserslautern 67655",
    "MARKTSTRASSE 5, 67655 KAISERSLAUTERN",
    "Marktstraße Nr. 5, 67655 Kaiserslautern",
])
def test_parse_address_text_orders(text):
    assert address_key(parse_address_text(text)) == address_key(
        AddressQuery("Marktstraße", "5", "67655", "Kaiserslautern"))


def test_parse_address_text_keeps_dates_in_street_names():
    parsed = parse_address_text("Straße des 17. Juni 5, 10623 Berlin")
    assert (parsed.street, parsed.housenumber, parsed.postcode, parsed.city) == (
        "Straße des 17. Juni", "5", "10623", "Berlin")


def test_clean_query_moves_misplaced_parts():
    assert clean_query(AddressQuery("Hauptstr. 5", "", "67655 Kaiserslautern", "")) == AddressQuery(
        "Hauptstr.", "5", "67655", "Kaiserslautern")
    assert clean_query(AddressQuery("Hauptstr.", "Nr. 5", "", "67655 Kaiserslautern")) == AddressQuery(
        "Hauptstr.", "5", "67655", "Kaiserslautern")
    assert clean_query(AddressQuery(float("nan"), None, "", "Ort")) == AddressQuery("", "", "", "Ort")


def test_cities_match_by_first_word_and_contained_rest():
    assert cities_match(city_key("Lauf a.d. Pegnitz"), city_key("Lauf an der Pegnitz"))
    assert cities_match(city_key("Lauf/Pegnitz"), city_key("Lauf an der Pegnitz"))
    assert cities_match(city_key("Kaiserslautern-Innenstadt"), city_key("Kaiserslautern"))
    assert not cities_match(city_key("Frankfurt (Oder)"), city_key("Frankfurt am Main"))
    assert not cities_match(city_key("Kaiserslautern"), city_key("Lauterecken"))


_WORDS = st.sampled_from(["Markt", "Linden", "Goethe", "Schiller", "Bahnhof", "Kirch", "Mühlen", "Große",
                          "Weiß", "Über", "Rosen", "Friedrich-Ebert-", "Am Alten "])
_ENDINGS = st.sampled_from(["straße", "weg", "platz", "gasse", "allee", "ring"])


@given(word=_WORDS, ending=_ENDINGS, number=st.integers(1, 400), suffix=st.sampled_from(["", "a", "b"]),
       upper=st.booleans(), no_eszett=st.booleans(), abbreviate=st.booleans(), number_in_street=st.booleans())
def test_key_is_stable_under_spreadsheet_habits(word, ending, number, suffix, upper, no_eszett, abbreviate,
                                                  number_in_street):
    street = word + ending
    original = AddressQuery(street, f"{number}{suffix}", "67655", "Kaiserslautern")
    messy_street = street
    if abbreviate and ending == "straße":
        messy_street = messy_street[: -len("straße")] + "str."
    if no_eszett:
        messy_street = messy_street.replace("ß", "ss").replace("ü", "ue").replace("Ü", "Ue")
    if upper:
        messy_street = messy_street.upper()
    number_text = f"{number} {suffix.upper()}".strip()
    messy = (AddressQuery(f"{messy_street} {number_text}", "", "", "67655 Kaiserslautern") if number_in_street
             else AddressQuery(messy_street, f"Nr. {number_text}", "67655", "kaiserslautern"))
    assert address_key(messy) == address_key(original)


@given(a=st.integers(1, 300), b=st.integers(1, 300))
def test_different_numbers_different_keys(a, b):
    if a != b:
        assert address_key(AddressQuery("Marktstraße", str(a))) != address_key(AddressQuery("Marktstraße", str(b)))
