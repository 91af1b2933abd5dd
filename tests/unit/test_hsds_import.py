"""`import` of Open Referral HSDS 3.0: our own exports come back unchanged in every form, and a
file another directory wrote goes through the same validator as any list."""

from __future__ import annotations

import json
import math
import zipfile

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hsds_support import HOSTILE, LIBRARY, comparable, deploy, fresh_deployment

from geo.hsds.nesting import nest_services
from geo.importer import read_input
from geo.schema import InputError
from geo.validate import validate_table
from webmap.cli import main


@pytest.fixture
def hostile(tmp_path, capsys):
    return deploy(tmp_path, HOSTILE, "stadt", capsys, LIBRARY)


def api_list(doc: dict) -> list:
    return nest_services(doc)


def api_page(doc: dict) -> dict:
    services = nest_services(doc)
    return {"total_items": len(services), "total_pages": 1, "page_number": 1, "size": len(services),
            "first_page": True, "last_page": True, "empty": False, "contents": services}


@pytest.mark.parametrize("form", ["tables", "package", "api list", "api page"])
def test_export_import_export_gives_the_same_offers(hostile, tmp_path, capsys, form):
    assert main(["export", "--format", "hsds", "--out", str(tmp_path / "h.json"), "--config", str(hostile)]) == 0
    doc = json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))
    if form == "package":
        assert main(["export", "--format", "hsds-csv", "--out", str(tmp_path / "h.zip"), "--config",
                     str(hostile)]) == 0
        source_file = tmp_path / "h.zip"
    elif form == "tables":
        source_file = tmp_path / "h.json"
    else:
        source_file = tmp_path / "api.json"
        body = api_list(doc) if form == "api list" else api_page(doc)
        source_file.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    fresh = fresh_deployment(tmp_path, "fresh", LIBRARY)
    code = main(["import", str(source_file), "--source", "stadt", "--config", str(fresh),
                 "--report", str(tmp_path / "r.csv")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "6 rows read, 6 imported" in out
    # every field HSDS carries comes back (district and geocoding fields are derived again)
    assert comparable(tmp_path / "fresh.gpkg") == comparable(tmp_path / "store.gpkg")
    report = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "extra attribute" not in report  # nothing of ours is left over
    assert main(["export", "--format", "hsds", "--out", str(tmp_path / "again.json"), "--config", str(fresh)]) == 0
    assert json.loads((tmp_path / "again.json").read_text(encoding="utf-8")) == doc


def test_the_demo_round_trips(demo_settings, tmp_path, capsys):
    cfg = demo_settings.base_dir / "angebotskarte.toml"
    assert main(["export", "--format", "hsds-csv", "--out", str(tmp_path / "d.zip"), "--config", str(cfg)]) == 0
    fresh = fresh_deployment(tmp_path, "fresh")
    assert main(["import", str(tmp_path / "d.zip"), "--source", "demo", "--config", str(fresh)]) == 0
    before, after = comparable(demo_settings.store_path), comparable(tmp_path / "fresh.gpkg")
    for offer in before.values():  # the fresh deployment has no districts
        offer.update(district="", district_status="")
    assert after == before and len(after) == 150


# A file as another service directory writes it: its own UUIDs, plural table names, Open
# Eligibility terms, a service at two places, rules without descriptions, sloppy bits.
ORG, S1, S2, S3, S4 = ("0b9a6a59-2f53-4c1e-9a55-000000000001", "5c1f1c0e-0a2b-4d0e-8f1b-000000000011",
                       "5c1f1c0e-0a2b-4d0e-8f1b-000000000012", "5c1f1c0e-0a2b-4d0e-8f1b-000000000013",
                       "5c1f1c0e-0a2b-4d0e-8f1b-000000000014")
L1, L2, L3, L4 = (f"7d3e0c1a-1111-4a2b-9c3d-00000000002{n}" for n in range(1, 5))
TAX = "9e6b1f0d-3c4a-4b5e-8f60-000000000031"
TERMS = {name: f"a1b2c3d4-0000-4000-8000-00000000004{n}" for n, name in enumerate(
    ["Counseling", "Immigrants", "Refugees", "Library", "Food Pantry", "Women", "Legal Aid"])}
FOREIGN = {
    "organizations": [{"id": ORG, "name": "Caritasverband Westpfalz", "description": "Wohlfahrtsverband",
                       "website": "https://caritas-westpfalz.example.org",
                       "email": "info@caritas-westpfalz.example.org"}],
    "services": [
        {"id": S1, "organization_id": ORG, "name": "Migrationsberatung für Erwachsene", "alternate_name": "MBE",
         "status": "active", "email": "mbe@caritas-westpfalz.example.org",
         "url": "https://caritas-westpfalz.example.org/mbe",
         "eligibility_description": "Zugewanderte ab 27 Jahren", "minimum_age": 27,
         "application_process": "Termin erforderlich", "fees_description": "Kostenlos",
         "assured_date": "2025-02-01", "last_modified": "2025-02-01T10:00:00Z"},
        {"id": S2, "organization_id": ORG, "name": "Interkulturelle Bibliothek", "status": "active"},
        {"id": S3, "organization_id": ORG, "name": "Tafel Kaiserslautern", "status": "inactive"},
        {"id": S4, "organization_id": ORG, "name": "Online-Rechtsberatung", "status": "active"},
    ],
    "locations": [
        {"id": L1, "location_type": "physical", "name": "Caritas-Zentrum", "latitude": 49.4431,
         "longitude": 7.7656},
        {"id": L2, "location_type": "physical", "name": "Stadtteilbüro Grübentälchen"},
        {"id": L3, "location_type": "virtual", "url": "https://beratung.caritas-westpfalz.example.org"},
        {"id": L4, "location_type": "physical", "name": "Lager"},  # linked to no service
    ],
    "addresses": [
        {"id": "c0000000-0000-4000-8000-000000000051", "location_id": L1, "address_1": "Engelsgasse 1",
         "address_2": "2. Stock", "city": "Kaiserslautern", "postal_code": "67657", "state_province": "RP",
         "country": "DE", "address_type": "physical"},
        {"id": "c0000000-0000-4000-8000-000000000052", "location_id": L2, "address_1": "Kerststr.25",
         "city": "Kaiserslautern", "postal_code": "67655", "state_province": "RP", "country": "DE",
         "address_type": "physical"},
    ],
    "service_at_locations": [
        {"id": "d0000000-0000-4000-8000-000000000061", "service_id": S1, "location_id": L1},
        {"id": "d0000000-0000-4000-8000-000000000062", "service_id": S1, "location_id": L2},
        {"id": "d0000000-0000-4000-8000-000000000063", "service_id": S2, "location_id": L1},
        {"id": "d0000000-0000-4000-8000-000000000064", "service_id": S4, "location_id": L3},
    ],
    "phones": [
        {"id": "e0000000-0000-4000-8000-000000000071", "service_id": S1, "number": "0631 3638-0"},
        {"id": "e0000000-0000-4000-8000-000000000072", "service_id": S1, "number": "0631 3638-99", "type": "fax"},
    ],
    "contacts": [{"id": "f0000000-0000-4000-8000-000000000081", "service_id": S1, "name": "Frau Beispiel",
                  "title": "Beraterin"}],
    "languages": [
        {"id": "10000000-0000-4000-8000-000000000091", "service_id": S1, "code": "ara", "note": "mittwochs"},
        {"id": "10000000-0000-4000-8000-000000000092", "service_id": S1, "name": "Ukrainian"},
        {"id": "10000000-0000-4000-8000-000000000093", "service_id": S4, "code": "fa"},
    ],
    "schedules": [
        {"id": "20000000-0000-4000-8000-000000000101", "service_id": S1, "freq": "WEEKLY", "byday": "MO,TU",
         "opens_at": "09:00", "closes_at": "12:00"},
        {"id": "20000000-0000-4000-8000-000000000102", "service_id": S1, "freq": "WEEKLY", "byday": "TH",
         "opens_at": "14:00", "closes_at": "17:00"},
        {"id": "20000000-0000-4000-8000-000000000103", "service_id": S2, "description": "Dienstags 14 bis 18 Uhr"},
    ],
    "cost_options": [{"id": "30000000-0000-4000-8000-000000000111", "service_id": S2, "amount": 0,
                      "currency": "EUR"}],
    "accessibility": [{"id": "40000000-0000-4000-8000-000000000121", "location_id": L1,
                       "description": "Rampe am Seiteneingang"}],
    "service_areas": [{"id": "50000000-0000-4000-8000-000000000131", "service_id": S4,
                       "name": "Landkreis Kaiserslautern"}],
    "taxonomies": [{"id": TAX, "name": "Open Eligibility", "description": "Open Eligibility taxonomy"}],
    "taxonomy_terms": [{"id": tid, "name": name, "description": "", "taxonomy_id": TAX} for name, tid in TERMS.items()],
    "attributes": [
        {"id": f"60000000-0000-4000-8000-0000000001{n:02d}", "link_id": sid, "link_entity": "service",
         "link_type": link_type, "taxonomy_term_id": TERMS[term]}
        for n, (sid, term, link_type) in enumerate([
            (S1, "Counseling", "service_type"), (S1, "Immigrants", "audience"), (S2, "Library", "service_type"),
            (S2, "Women", "audience"), (S3, "Food Pantry", "service_type"), (S4, "Legal Aid", "service_type"),
            (S4, "Counseling", "service_type"), (S4, "Refugees", "eligibility")])],
}


@pytest.fixture
def foreign(tmp_path):
    path = tmp_path / "verzeichnis.json"
    path.write_text(json.dumps(FOREIGN, ensure_ascii=False), encoding="utf-8")
    return path


def validated(path, settings, **options):
    result = validate_table(read_input(path), settings, "verzeichnis", **options)
    offers = {o["id"]: {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in o.items()}
              for o in result.offers.to_dict("records")}
    reviews = dict(zip(result.offers["id"], result.review))
    extras = dict(zip(result.offers["id"], result.extras))
    return result, offers, reviews, extras


def test_another_directorys_file_goes_through_the_validator(foreign, settings):
    result, offers, reviews, extras = validated(foreign, settings)
    assert result.rows_read == 5 and not result.rejected_rows
    # a service at two places is two offers; their ids name the service and the place
    mbe = offers[f"{S1}:{L1}"]
    assert offers[f"{S1}:{L2}"]["name"] == mbe["name"] == "Migrationsberatung für Erwachsene"
    assert (mbe["category"], mbe["target_groups"]) == ("counselling", ["all"])  # Counseling, Immigrants
    assert (mbe["organisation"], mbe["street"], mbe["housenumber"], mbe["postcode"]) == (
        "Caritasverband Westpfalz", "Engelsgasse", "1", "67657")
    assert (mbe["lat"], mbe["lon"], mbe["location_type"]) == (49.4431, 7.7656, "physical")
    assert (mbe["languages"], mbe["language_notes"]) == (["ar", "uk"], {"ar": "mittwochs"})
    assert mbe["opening_hours"] == "Mo,Tu 09:00-12:00; Th 14:00-17:00"
    assert (mbe["appointment"], mbe["cost"], mbe["age_min"], mbe["last_verified"]) == (
        "required", "free", 27.0, "2025-02-01")
    assert (mbe["phone"], mbe["email"], mbe["website"]) == (
        "0631 3638-0", "mbe@caritas-westpfalz.example.org", "https://caritas-westpfalz.example.org/mbe")
    # the address rules of every list apply: "Kerststr.25" is split and written out
    second = offers[f"{S1}:{L2}"]
    assert (second["street"], second["housenumber"]) == ("Kerststraße", "25")
    # what fills no field is kept with the offer
    assert extras[f"{S1}:{L1}"] == {
        "fax": "0631 3638-99", "contact_person": "Frau Beispiel, Beraterin", "address_note": "2. Stock",
        "hsds:address.state_province": "RP", "hsds:service.alternate_name": "MBE",
        "hsds:service.last_modified": "2025-02-01T10:00:00Z", "hsds:location.name": "Caritas-Zentrum",
        "hsds:service.eligibility_description": "Zugewanderte ab 27 Jahren",
        "hsds:organization.description": "Wohlfahrtsverband",
        "hsds:accessibility.description": "Rampe am Seiteneingang",
        "hsds:service.id": S1}
    assert not reviews[f"{S1}:{L1}"]
    # German hours in a description are read like a spreadsheet cell; amount 0 is free
    library = offers[S2]
    assert (library["opening_hours"], library["cost"], library["target_groups"]) == ("Tu 14:00-18:00", "free",
                                                                                   ["women"])
    # a term our vocabulary knows as a kind of place without a category waits for review, with a suggestion
    assert library["category"] == "" and reviews[S2] == [
        "category: unknown category 'Library': the row is kept unpublished for review"]
    library_problem = next(p for p in result.problems if p.value == "Library")
    assert library_problem.suggestion.startswith("closest in meaning: Treffpunkt (meeting_place)")
    # a virtual service: its location's URL is its website, the service area is kept
    online = offers[S4]
    assert (online["location_type"], online["website"], online["category"]) == (
        "virtual", "https://beratung.caritas-westpfalz.example.org", "counselling")
    assert online["target_groups"] == ["refugees"] and online["languages"] == ["fa"]
    assert extras[S4]["hsds:service_area.name"] == "Landkreis Kaiserslautern"
    assert extras[S4]["hsds:terms"] == "Legal Aid"  # a second category term is kept, not lost
    # an inactive service and an unknown term: kept for review, not published
    assert any("archived" in r for r in reviews[S3]) and any("Food Pantry" in r for r in reviews[S3])
    assert [(p.value, p.message) for p in result.problems if "linked to no service" in p.message] == [
        ("'Lager'", "1 location is linked to no service (a place, not an offer); not imported")]


def test_a_remembered_mapping_places_a_foreign_term_for_good(foreign, settings):
    _, offers, reviews, _ = validated(foreign, settings, value_mappings={"category": {"library": "meeting_place"}})
    assert offers[S2]["category"] == "meeting_place" and not reviews[S2]


def test_the_api_form_of_the_same_file_gives_the_same_offers(foreign, settings, tmp_path):
    tables = {k.removesuffix("s") if k not in ("accessibility", "addresses", "taxonomies") else
              {"addresses": "address", "taxonomies": "taxonomy"}.get(k, k): v for k, v in FOREIGN.items()}
    tables["service_at_location"] = tables.pop("service_at_location")
    nested = nest_services(tables)
    api = tmp_path / "api.json"
    api.write_text(json.dumps({"contents": nested}, ensure_ascii=False), encoding="utf-8")
    _, from_tables, _, _ = validated(foreign, settings)
    _, from_api, _, _ = validated(api, settings)
    assert from_api == from_tables


@pytest.mark.parametrize("content, words", [
    ([{"model": "cms.poi", "pk": 1, "fields": {"title": "A"}}], "neither a GeoJSON FeatureCollection nor"),
    ({"organizations": [{"id": ORG, "name": "A", "description": ""}]}, "neither a GeoJSON"),
    ({"services": []}, "holds no service"),
    ("{kaputt", "not valid JSON (line 1"),
])
def test_files_that_are_not_hsds_are_refused_with_a_reason(tmp_path, content, words):
    path = tmp_path / "x.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_input(path)
    assert "x.json" in str(info.value) and words in str(info.value)


def test_broken_packages_are_refused_with_a_reason(tmp_path):
    empty = tmp_path / "leer.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("services.csv", "id,name,status\n")
    with pytest.raises(InputError, match="leer.zip: a zip file without datapackage.json"):
        read_input(empty)
    missing = tmp_path / "fehlt.zip"
    with zipfile.ZipFile(missing, "w") as archive:
        archive.writestr("datapackage.json", json.dumps({"resources": [{"name": "service", "path": "services.csv"}]}))
    with pytest.raises(InputError, match="names 'services.csv', which the package does not hold"):
        read_input(missing)
    outside = tmp_path / "aussen.zip"
    with zipfile.ZipFile(outside, "w") as archive:
        archive.writestr("datapackage.json", json.dumps({"resources": [{"name": "service", "path": "../x.csv"}]}))
    with pytest.raises(InputError, match="outside the package"):
        read_input(outside)


def test_a_package_folder_and_its_datapackage_json_are_read_too(hostile, tmp_path, settings):
    assert main(["export", "--format", "hsds-csv", "--out", str(tmp_path / "h.zip"), "--config", str(hostile)]) == 0
    folder = tmp_path / "paket"
    with zipfile.ZipFile(tmp_path / "h.zip") as archive:
        archive.extractall(folder)
    by_folder = validate_table(read_input(folder), settings, "s").offers
    by_descriptor = validate_table(read_input(folder / "datapackage.json"), settings, "s").offers
    assert sorted(by_folder["id"]) == sorted(by_descriptor["id"]) == [f"h-{n}" for n in range(1, 7)]


# Whatever another system sends: any JSON under HSDS's table and field names. The reader and the
# validator must answer with offers and problems, or refuse the file with a reason, never crash.
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                     st.text(max_size=12), st.sampled_from([S1, L1, ORG, TAX, "MO,TU", "09:00", "virtual", "WEEKLY"]))
_FIELDS = st.sampled_from(["id", "name", "service_id", "location_id", "organization_id", "taxonomy_term_id",
                           "link_id", "latitude", "minimum_age", "byday", "opens_at", "closes_at", "code", "status",
                           "location_type", "address_1", "url", "email", "amount", "description", "freq", "number"])
_JSON = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(_FIELDS, inner, max_size=5)), max_leaves=12)
_RECORDS = st.lists(st.one_of(st.dictionaries(_FIELDS, _JSON, max_size=6), _SCALARS), max_size=3)
_DOCS = st.one_of(
    st.fixed_dictionaries({"services": st.lists(st.dictionaries(_FIELDS, _JSON, max_size=6), min_size=1, max_size=3)},
                          optional={k: _RECORDS for k in ("locations", "service_at_location", "schedules", "phones",
                                                          "languages", "attributes", "taxonomy_terms", "addresses",
                                                          "organizations", "cost_options", "accessibility")}),
    st.lists(st.fixed_dictionaries({"name": _JSON, "status": _JSON},
                                   optional={"service_at_locations": _JSON, "organization": _JSON,
                                             "schedules": _JSON, "attributes": _JSON}), min_size=1, max_size=3),
)


@given(doc=_DOCS)
@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_json_under_hsds_names_gives_offers_or_a_reason(tmp_path, settings, doc):
    path = tmp_path / "zufall.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        raw = read_input(path)
    except InputError as exc:
        assert "zufall.json" in str(exc)
        return
    result = validate_table(raw, settings, "zufall")
    assert len(result.offers) + len(result.rejected_rows) + len(result.duplicate_rows) == result.rows_read
