"""Issue 13's trials on real data: Kaiserslautern's OSM places as coordinators' lists, real opening hours.

The lists are written from ../shared/data by scripts/real_lists.py (real names, addresses,
phones and hours; the wording is a coordinator's). Skipped with a reason without the data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import make_settings

from geo.geocoding.base import AddressQuery, NotFound
from geo.geocoding.gazetteer import Gazetteer
from geo.geocoding.gazetteer_build import build_gazetteer
from geo.readers.tabular import read_table
from geo.validate import validate_table

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import bench_real_lists  # noqa: E402
import real_lists  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kaiserslautern(tmp_path_factory):
    from conftest import SHARED_DATA

    extract = SHARED_DATA / "osm-kaiserslautern" / "kaiserslautern.osm.gz"
    if not extract.exists():
        pytest.skip(f"real extract {extract} not present")
    work = tmp_path_factory.mktemp("kl")
    places = real_lists.osm_places(extract)
    build_gazetteer(extract, work / "gazetteer.sqlite")
    return {"places": places, "work": work, "gazetteer": Gazetteer(work / "gazetteer.sqlite"),
            "xlsx": real_lists.write_coordinator_xlsx(places, work / "liste.xlsx"),
            "csv": real_lists.write_coordinator_csv(places, work / "liste.csv")}


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_every_real_place_is_kept_on_the_first_run_without_configuration(kaiserslautern, kind, tmp_path):
    places = kaiserslautern["places"]
    raw = read_table(kaiserslautern[kind])
    result = validate_table(raw, make_settings(tmp_path), "kl")
    assert result.rows_read == len(places)
    assert result.rejected_rows == set()
    # every row is stored or waits for review, apart from places OSM holds twice (same name, same address)
    assert len(result.offers) + len(result.duplicate_rows) == len(places)
    assert len(result.offers) >= 0.95 * len(places)
    # Religionsgemeinschaft, Bibliothek ... wait for review, with suggestions by meaning
    worship = [p for p in result.problems if p.value == "Religionsgemeinschaft"]
    assert worship and all(p.severity == "review" for p in worship)
    assert all(p.suggestion.startswith("closest in meaning: Treffpunkt") and "Beratung" not in p.suggestion
               for p in worship)
    # Krankenhaus is health care (doctor); Migranten are everyone on a map for newcomers
    by_name = result.offers.set_index("name")
    hospitals = [p.name for p in places if p.kind == "hospital" and p.name in by_name.index]
    assert hospitals and set(by_name.loc[hospitals, "category"]) == {"doctor"}
    assert not [p for p in result.problems if p.value.startswith("Migrant")]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_addresses_in_mixed_spellings_are_located_at_house_level(kaiserslautern, kind, tmp_path):
    gazetteer = kaiserslautern["gazetteer"]
    raw = read_table(kaiserslautern[kind])
    result = validate_table(raw, make_settings(tmp_path), "kl", street_names=gazetteer.street_names(),
                            postcodes=gazetteer.postcode_towns())
    places = {p.name: p for p in kaiserslautern["places"]}
    exists = located = 0
    for _, offer in result.offers.iterrows():
        place = places[offer["name"]]
        if not (place.street and place.housenumber):
            continue
        exists += 1
        try:
            match = gazetteer.lookup(AddressQuery(offer["street"], offer["housenumber"], offer["postcode"],
                                                  offer["city"] or "Kaiserslautern"))
        except NotFound:
            continue
        located += match.precision == "house"
    assert exists >= 50
    assert located >= 0.98 * exists


def test_real_opening_hours_written_as_people_write_them_are_read_back(shared_data):
    figures = bench_real_lists.hours_figures(shared_data)
    asked = figures["valid"] * len(bench_real_lists.STYLES)
    assert figures["valid"] >= 100
    assert sum(figures["per_style"].values()) >= 0.90 * asked
    # the same week as the original, not just any valid syntax
    assert sum(figures["same_style"].values()) >= 0.90 * asked
    # the malformed values mappers wrote all become valid OSM
    assert figures["broken"] and all(r.osm for _, r in figures["broken"])
