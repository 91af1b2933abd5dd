"""geo.addresses: street and number as lists write them, town before street, notes, abbreviations, postcodes."""

from __future__ import annotations

import pytest

from geo.addresses import StreetNames, clean_address, duplicate_key
from geo.geocoding.gazetteer import Gazetteer
from geo.geocoding.gazetteer_build import build_gazetteer


@pytest.mark.parametrize("cells, expected", [
    (("Kerststr.25",), ("Kerststraße", "25", "", "")),
    (("Hauptstraße5a",), ("Hauptstraße", "5a", "", "")),
    (("Pirmasenser Straße 60b (Hinterhaus)",), ("Pirmasenser Straße", "60b", "", "")),
    (("Pirmasenser Straße", "60 b"), ("Pirmasenser Straße", "60b", "", "")),
    (("Pirmasenser Straße", "60-62"), ("Pirmasenser Straße", "60-62", "", "")),
    (("Pirmasenser Straße", "60 - 62"), ("Pirmasenser Straße", "60-62", "", "")),
    (("Am Hang", "60/1"), ("Am Hang", "60/1", "", "")),
    (("Am Hang", "Nr. 3"), ("Am Hang", "3", "", "")),
    (("Bayerstraße 10 A",), ("Bayerstraße", "10a", "", "")),
    (("Kaiserslautern, Pirmasenser Straße 60b",), ("Pirmasenser Straße", "60b", "", "Kaiserslautern")),
    (("67655 Kaiserslautern, Pirmasenser Straße 60b",), ("Pirmasenser Straße", "60b", "67655", "Kaiserslautern")),
    (("Klosterstr. 8", "", "67655"), ("Klosterstraße", "8", "67655", "")),
    (("Markt", "1", "", "67655 Kaiserslautern"), ("Markt", "1", "67655", "Kaiserslautern")),
    (("Markt", "1", "67655 Kaiserslautern", ""), ("Markt", "1", "67655", "Kaiserslautern")),
    (("Markt", "1", "D-67655", "Kaiserslautern"), ("Markt", "1", "67655", "Kaiserslautern")),
    # a date in the street name is not a house number
    (("Straße des 17. Juni 5",), ("Straße des 17. Juni", "5", "", "")),
    (("B10",), ("B10", "", "", "")),
])
def test_street_cells_as_lists_write_them(cells, expected):
    address = clean_address(*cells)
    assert (address.street, address.housenumber, address.postcode, address.city) == expected


def test_notes_are_kept_apart_from_the_number():
    assert clean_address("Pirmasenser Straße 60b (Hinterhaus)").note == "Hinterhaus"
    assert clean_address("Marktstraße", "5, 2. OG").note == "2. OG"
    assert clean_address("Marktstraße", "5 Hinterhaus").housenumber == "5"


def test_what_was_changed_is_said():
    address = clean_address("Kaiserslautern, Kerststr.25")
    assert any("town and street taken apart" in n for n in address.notes)
    assert address.warnings == []
    conflict = clean_address("Lauf, Marktplatz 1", city="Kaiserslautern")
    assert conflict.city == "Kaiserslautern" and any("'Lauf'" in w for w in conflict.warnings)


def test_abbreviations_are_written_out_only_when_one_known_street_fits():
    streets = StreetNames(["Karl-Marx-Straße", "Kaiserstraße", "Königstraße", "Kurt-Schumacher-Straße"])
    address = clean_address("K.-Marx-Str.", "5", streets=streets)
    assert address.street == "Karl-Marx-Straße"
    assert any("written out" in n for n in address.notes)
    # "K.-Str." could be Kaiserstraße or Königstraße: left as written
    assert clean_address("K.-Str.", "1", streets=streets).street == "K.-Str."
    # without a gazetteer nothing is guessed; only "str." becomes "straße"
    assert clean_address("K.-Marx-Str.", "5").street == "K.-Marx-Str."


def test_the_gazetteer_supplies_street_names_and_postcodes(tmp_path):
    from test_geocoding_gazetteer import write_town_extract  # the hand-built small town

    build_gazetteer(write_town_extract(tmp_path), tmp_path / "g.sqlite")
    gazetteer = Gazetteer(tmp_path / "g.sqlite")
    names = gazetteer.street_names()
    assert names and all(isinstance(n, str) for n in names)
    towns = gazetteer.postcode_towns()
    assert towns and all(len(pc) == 5 for pc in towns)


@pytest.mark.parametrize("postcode, city, known, expected, warned", [
    ("6655", "Bad Kösen", None, "06655", False),                          # no list: every PLZ has five digits
    ("6655", "Bad Kösen", {"06655": ["Bad Kösen"]}, "06655", False),      # the town's PLZ start with 0
    ("6765", "Kaiserslautern", {"67655": ["kaiserslautern"]}, "6765", True),  # a typo, not a lost zero
    ("6655", "Kaiserslautern", {"06655": ["Bad Kösen"]}, "6655", True),   # 06655 is another town's
    ("6655.0", "", None, "06655", False),                                 # as Excel stores it
    ("676550", "Kaiserslautern", None, "676550", True),
])
def test_lost_leading_zeros_only_when_unambiguous(postcode, city, known, expected, warned):
    address = clean_address("Markt", "1", postcode, city, postcodes=known)
    assert address.postcode == expected
    assert bool(address.warnings) == warned


def test_every_spelling_of_one_address_has_one_duplicate_key():
    keys = {duplicate_key(clean_address(*cells)) for cells in [
        ("Klosterstr. 8", "", "67655", "Kaiserslautern"),
        ("Klosterstraße", "8", "67655", "Kaiserslautern"),
        ("Klosterstraße 8", "", "", "Kaiserslautern"),
        ("Kaiserslautern, Klosterstrasse 8",),
    ]}
    assert {k[:2] for k in keys} == {("klosterstrasse", "8")}
    assert duplicate_key(clean_address("Klosterstraße", "8a")) != duplicate_key(clean_address("Klosterstraße", "8"))
