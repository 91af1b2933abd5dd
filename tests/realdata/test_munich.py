"""A messy real-world list: the Integreat CMS Munich test POIs (../shared/data/integreat-muenchen-pois).

Real Munich addresses, misspelled city names, decomposed Unicode in the source, placeholder
contacts, categories outside our vocabulary (Mobilität, Kultur, Gastronomie, ...). It must import
without a crash, and the report must explain every row it turned away.
"""

from __future__ import annotations

import csv
import unicodedata

import pytest

from geo.store import Store
from webmap.cli import main

MUNICH = """
[area]
name = "München"
bbox = [11.30, 47.95, 11.85, 48.30]

[store]
path = "muenchen.gpkg"
"""


@pytest.fixture
def munich_csv(shared_data):
    path = shared_data / "integreat-muenchen-pois" / "pois_flat.csv"
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture
def munich_rows(munich_csv):
    with open(munich_csv, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run_import(tmp_path, capsys, munich_csv, *extra):
    cfg = tmp_path / "muenchen.toml"
    cfg.write_text(MUNICH + "".join(extra), encoding="utf-8")
    code = main(["import", str(munich_csv), "--config", str(cfg), "--source", "integreat", "--report",
                 str(tmp_path / "report.csv")])
    out, err = capsys.readouterr()
    with open(tmp_path / "report.csv", encoding="utf-8-sig", newline="") as fh:
        report = list(csv.DictReader(fh))
    return code, out, err, report


def test_munich_imports_and_the_report_explains_every_rejected_row(tmp_path, capsys, munich_csv, munich_rows):
    code, out, err, report = run_import(tmp_path, capsys, munich_csv)
    assert code in (0, 1), err
    assert "Traceback" not in err
    offers = Store(tmp_path / "muenchen.gpkg").offers()
    assert f"{len(munich_rows)} rows read" in out

    stored_ids = set(offers["id"])
    # rows that wait for review (unknown category, archived) are not stored yet, but explained
    turned_away = {int(r["row"]) for r in report if r["severity"] in ("error", "duplicate", "review")}
    for number, row in enumerate(munich_rows, start=2):
        if row["id"] in stored_ids:
            assert number not in turned_away
        else:
            reasons = [r for r in report if r["row"] == str(number)
                       and r["severity"] in ("error", "duplicate", "review")]
            assert reasons, f"row {number} ({row['name']}) is neither stored nor explained"
            assert all(r["message"] and r["column"] for r in reasons)
    assert len(stored_ids) + len(turned_away) == len(munich_rows)
    # nothing is rejected any more: 146 rows are stored or wait for review
    assert not [r for r in report if r["severity"] == "error"]


def test_munich_categories_outside_our_vocabulary_are_named_with_their_value(tmp_path, capsys, munich_csv, munich_rows):
    _, _, _, report = run_import(tmp_path, capsys, munich_csv)
    foreign = {"Mobilität", "Kultur", "Gastronomie", "Multimedia", "Freizeit", "Einrichtung", "Einkaufen",
               "Dienstleistung"}
    expected = {number for number, row in enumerate(munich_rows, start=2) if row["category"] in foreign}
    assert expected  # the fixture does have them
    named = {int(r["row"]) for r in report if r["column"] == "category" and r["value"] in foreign
             and r["severity"] == "review" and "unknown category" in r["message"]
             and "closest in meaning" in r["suggestion"] and "vocabulary map" in r["suggestion"]}
    assert named == expected
    # suggestions by meaning: Gastronomie is closest to a meeting place, never to counselling
    gastronomy = next(r for r in report if r["value"] == "Gastronomie")
    assert gastronomy["suggestion"].startswith("closest in meaning: Treffpunkt") and "Beratung" not in gastronomy["suggestion"]


def test_munich_placeholders_and_archived_entries_are_flagged(tmp_path, capsys, munich_csv, munich_rows):
    _, _, _, report = run_import(tmp_path, capsys, munich_csv)
    offers = Store(tmp_path / "muenchen.gpkg").offers()
    assert "https://test.poi" not in set(offers["website"]) and "+123456789" not in set(offers["phone"])
    assert not any(e.endswith("@test.poi") for e in offers["email"])
    assert sum(r["message"].startswith("a dummy phone number") for r in report) == \
        sum(row["phone"] == "+123456789" for row in munich_rows)
    archived = {n for n, row in enumerate(munich_rows, start=2) if row["archived"] == "true"}
    flagged = {int(r["row"]) for r in report if r["severity"] == "review" and "archived" in r["message"]}
    assert archived and flagged == archived
    doubled = [r for r in report if r["value"] == "MünchenMünchen"]
    assert doubled and "did you mean 'München'" in doubled[0]["message"]
    typo = [r for r in report if r["value"] == "Münchenn"]
    assert typo and "misspelling of 'München'" in typo[0]["message"]


def test_munich_integreat_opening_hours_become_osm(tmp_path, capsys, munich_csv, munich_rows):
    _, _, _, report = run_import(tmp_path, capsys, munich_csv)
    with_hours = {n for n, row in enumerate(munich_rows, start=2) if row["opening_hours"]}
    read = {int(r["row"]) for r in report if r["column"] == "opening_hours" and r["message"].startswith("read as")}
    assert with_hours and read == with_hours


def test_munich_with_the_towns_own_categories_configured(tmp_path, capsys, munich_csv, munich_rows):
    vocabulary = "\n".join(
        f'[vocabulary.categories.{key}]\nde = "{label}"\n'
        for key, label in [("mobility", "Mobilität"), ("culture", "Kultur"), ("food", "Gastronomie"),
                           ("media", "Multimedia"), ("leisure", "Freizeit"), ("facility", "Einrichtung"),
                           ("shopping", "Einkaufen"), ("services", "Dienstleistung")])
    code, out, err, report = run_import(tmp_path, capsys, munich_csv, "\n" + vocabulary)
    offers = Store(tmp_path / "muenchen.gpkg").offers()
    duplicates = {int(r["row"]) for r in report if r["severity"] == "duplicate"}
    review = {int(r["row"]) for r in report if r["severity"] == "review"} - duplicates
    # with the town's categories only the archived entries wait for review
    assert all("archived" in r["message"] for r in report if r["severity"] == "review")
    assert code == 1 and len(offers) + len(duplicates) + len(review) == len(munich_rows)
    assert "mobility" in set(offers["category"]) and "doctor" in set(offers["category"])  # Gesundheit


def test_munich_text_is_clean_and_addresses_are_split(tmp_path, capsys, munich_csv, munich_rows):
    run_import(tmp_path, capsys, munich_csv)
    offers = Store(tmp_path / "muenchen.gpkg").offers()
    for column in ("name", "street", "city"):
        assert all(unicodedata.is_normalized("NFC", v) for v in offers[column]), column
    by_id = offers.set_index("id")
    rows = {row["id"]: row for row in munich_rows}
    located = [i for i in by_id.index if rows[i]["latitude"]]
    assert located and (by_id.loc[located, "geocode_status"] == "given").all()
    # "Kapuzinerstraße 30" in the address column with PLZ and Ort in their own columns
    with_number = [i for i in by_id.index if rows[i]["address"][-1:].isdigit()]
    assert with_number
    assert (by_id.loc[with_number, "housenumber"] != "").all()
    assert all(by_id.loc[i, "postcode"] == rows[i]["postcode"] for i in by_id.index)
    # misspelled city names are kept as written (geocoding judges them, not the importer)
    assert {rows[i]["city"] for i in by_id.index} == set(by_id["city"])


def test_munich_json_fixture_is_not_our_format(tmp_path, capsys, shared_data):
    path = shared_data / "integreat-muenchen-pois" / "test_pois.json"
    if not path.exists():
        pytest.skip(f"{path} not present")
    cfg = tmp_path / "m.toml"
    cfg.write_text(MUNICH, encoding="utf-8")
    code = main(["import", str(path), "--config", str(cfg)])
    _, err = capsys.readouterr()
    assert code == 2 and "test_pois.json" in err and "FeatureCollection" in err
    assert not (tmp_path / "muenchen.gpkg").exists()
