"""`export --format hsds|hsds-csv`: every record valid against the official HSDS 3.0 schemas, and
what each offer field becomes."""

from __future__ import annotations

import json
import uuid
import zipfile

import pytest
from hsds_support import HOSTILE, LIBRARY, deploy, official_schemas

from geo.hsds.export import to_hsds
from geo.hsds.ids import hsds_id
from geo.hsds.nesting import nest_services
from geo.hsds.spec import TABLES
from geo.hsds.tabular import read_package
from geo.hsds.taxonomy import CATEGORY, TARGET_GROUP, TRANSLATION, taxonomy_id, term_id, vocabularies
from geo.hsds.validation import check_services, check_tables, check_tabular_document, record_count
from geo.store import Store
from webmap.cli import main


@pytest.fixture
def hostile(tmp_path, capsys):
    return deploy(tmp_path, HOSTILE, "stadt", capsys, LIBRARY)


def export(cfg, fmt: str, out) -> None:
    assert main(["export", "--format", fmt, "--out", str(out), "--config", str(cfg)]) == 0


def every_error(json_path, zip_path, schemas) -> tuple[int, list[str]]:
    """Records and errors of both forms: each table record against its schema, the document
    against the tabular profile, the API objects against compiled/service.json, the CSV package
    read back, and the package against the Data Package standard (frictionless)."""
    from frictionless import validate

    doc = json.loads(json_path.read_text(encoding="utf-8"))
    tables, notes = read_package(zip_path)
    errors = [*check_tables(doc, schemas), *check_tabular_document(doc, schemas),
              *check_services(nest_services(doc), schemas), *check_tables(tables, schemas),
              *check_tabular_document(tables, schemas)]
    report = validate(str(zip_path))
    return record_count(doc), [str(e) for e in errors] + notes + [str(e) for e in report.flatten(["type", "note"])]


def test_every_record_of_the_demo_export_is_valid(demo_settings, tmp_path, shared_data):
    schemas = official_schemas(shared_data)
    cfg = demo_settings.base_dir / "angebotskarte.toml"
    export(cfg, "hsds", tmp_path / "demo.json")
    export(cfg, "hsds-csv", tmp_path / "demo.zip")
    records, errors = every_error(tmp_path / "demo.json", tmp_path / "demo.zip", schemas)
    assert errors == []
    doc = json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"))
    assert len(doc["service"]) == len(Store(demo_settings.store_path).offers()) == 150
    assert records > 1500 and all(doc[t] for t in ("schedule", "language", "attribute", "accessibility",
                                                    "cost_option", "address", "phone"))


def test_every_record_of_hostile_offers_is_valid(hostile, tmp_path, shared_data):
    schemas = official_schemas(shared_data)
    export(hostile, "hsds", tmp_path / "h.json")
    export(hostile, "hsds-csv", tmp_path / "h.zip")
    records, errors = every_error(tmp_path / "h.json", tmp_path / "h.zip", schemas)
    assert errors == [] and records > 80


def test_an_english_export_is_valid_too(hostile, tmp_path, shared_data):
    schemas = official_schemas(shared_data)
    offers = Store(tmp_path / "store.gpkg").offers()
    doc = to_hsds(offers, lang="en")
    assert check_tables(doc, schemas) == []
    services = {s["name"]: s for s in doc["service"]}
    online = services["Online-Beratung für Geflüchtete 🌍"]
    assert online["eligibility_description"] == "For Refugees and Asylum seekers."
    assert services["Telefonseelsorge"]["fees_description"] == "Free of charge."
    with pytest.raises(ValueError, match="de or en"):
        to_hsds(offers, lang="fr")


def load(hostile, tmp_path) -> dict:
    export(hostile, "hsds", tmp_path / "h.json")
    return json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))


def service_of(doc: dict, offer_id: str) -> dict:
    return next(s for s in doc["service"] if s["id"] == hsds_id("service", offer_id))


def rows_of(doc: dict, table: str, link: str, value: str) -> list[dict]:
    return [r for r in doc[table] if r.get(link) == value]


def test_ids_are_uuids_derived_from_ours_the_same_on_every_export(hostile, tmp_path):
    first = load(hostile, tmp_path)
    export(hostile, "hsds", tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == (tmp_path / "h.json").read_text(encoding="utf-8")
    ids = [r["id"] for t in TABLES for r in first.get(t, [])]
    assert len(ids) == len(set(ids)) > 50
    assert {uuid.UUID(i).version for i in ids} == {5}
    assert {s["id"] for s in first["service"]} == {hsds_id("service", f"h-{n}") for n in range(1, 7)}
    # the offer's own id travels with its location
    assert {loc["external_identifier"] for loc in first["location"]} == {f"h-{n}" for n in range(1, 7)}
    assert {loc["external_identifier_type"] for loc in first["location"]} == {"angebotskarte"}


def test_categories_and_target_groups_are_attributes_of_our_published_taxonomies(hostile, tmp_path):
    doc = load(hostile, tmp_path)
    terms = {t["id"]: t for t in doc["taxonomy_term"]}
    taxonomies = {t["id"]: t for t in doc["taxonomy"]}
    assert set(taxonomies) == {taxonomy_id(CATEGORY), taxonomy_id(TARGET_GROUP), taxonomy_id(TRANSLATION)}
    # the whole vocabulary is published, the town's own category included
    codes = {t["code"] for t in doc["taxonomy_term"] if t["taxonomy_id"] == taxonomy_id(CATEGORY)}
    assert codes == set(vocabularies().get(CATEGORY).terms) | {"library"}
    linked = {}
    for attribute in rows_of(doc, "attribute", "link_id", hsds_id("service", "h-1")):
        term = terms[attribute["taxonomy_term_id"]]
        linked.setdefault(attribute["link_type"], []).append((term["code"], term["name"]))
    assert linked == {"category": [("language_course", "Sprachkurs")],
                      "target_group": [("women", "Frauen"), ("children", "Kinder")]}
    library = terms[term_id(CATEGORY, "library")]
    assert (library["name"], library["language"]) == ("Bibliothek", "de")
    translations = {(terms[a["taxonomy_term_id"]]["code"], a["value"]) for a in doc["attribute"]
                    if a["link_id"] == library["id"]}
    assert translations == {("en", "Library"), ("uk", "Бібліотека")}
    assert all(a["link_entity"] == "taxonomy_term" and a["link_type"] == "name" for a in doc["attribute"]
               if a["link_id"] == library["id"])


def test_closed_values_are_sentences_and_unknown_values_say_nothing(hostile, tmp_path):
    doc = load(hostile, tmp_path)
    first = service_of(doc, "h-1")
    assert first["eligibility_description"] == "Für Frauen und Kinder. Von 6 bis 12 Jahren."
    assert (first["minimum_age"], first["maximum_age"]) == (6, 12)
    assert first["fees_description"] == "Kostenlos." and first["application_process"] == "Termin empfohlen."
    assert rows_of(doc, "cost_option", "service_id", first["id"])[0] | {"id": ""} == {
        "id": "", "service_id": first["id"], "option": "kostenlos", "amount": 0, "currency": "EUR"}
    location = hsds_id("location", "h-1")
    assert [a["description"] for a in rows_of(doc, "accessibility", "location_id", location)] == [
        "Eingeschränkt rollstuhlgerecht."]
    assert service_of(doc, "h-6")["eligibility_description"] == "Für alle. Bis 99 Jahre."
    assert service_of(doc, "h-5")["eligibility_description"] == "Für alle. Ab 16 Jahren."
    bare = service_of(doc, "h-4")
    assert set(bare) == {"id", "organization_id", "name", "status"}  # nothing is written as null or ""
    org = next(o for o in doc["organization"] if o["id"] == bare["organization_id"])
    assert org == {"id": org["id"], "name": "Nur ein Name", "description": "Der Träger ist nicht angegeben."}
    assert not rows_of(doc, "cost_option", "service_id", bare["id"])
    assert not rows_of(doc, "accessibility", "location_id", hsds_id("location", "h-4"))


def test_locations_have_coordinates_only_when_known_and_virtual_offers_are_virtual(hostile, tmp_path):
    doc = load(hostile, tmp_path)
    locations = {loc["external_identifier"]: loc for loc in doc["location"]}
    assert (locations["h-1"]["latitude"], locations["h-1"]["longitude"]) == (49.4447, 7.7689)
    assert "latitude" not in locations["h-2"] and "longitude" not in locations["h-2"]
    assert locations["h-3"]["location_type"] == "virtual"
    assert locations["h-3"]["url"] == "https://xn--bcherei-kl-9db.de/beratung/%C3%BCbersicht?stufe=%C3%A4"
    assert service_of(doc, "h-3")["email"] == "beratung@bücherei-kl.de"
    addresses = {a["location_id"]: a for a in doc["address"]}
    assert addresses[locations["h-1"]["id"]] | {"id": ""} == {
        "id": "", "location_id": locations["h-1"]["id"], "address_1": "Am Altenhof 12-14", "city": "Kaiserslautern",
        "state_province": "", "postal_code": "06108", "country": "DE", "address_type": "physical"}
    # a phone service with a town: a postal address of a virtual location
    assert addresses[locations["h-6"]["id"]]["address_type"] == "postal"
    assert locations["h-3"]["id"] not in addresses


def test_languages_phones_and_hours(hostile, tmp_path):
    doc = load(hostile, tmp_path)
    sid = hsds_id("service", "h-1")
    assert [(r["code"], r["name"], r.get("note")) for r in rows_of(doc, "language", "service_id", sid)] == [
        ("ar", "Arabisch", "Mo, Di; nach Absprache"), ("kmr", "Kurmandschi", None), ("prs", "Dari", None),
        ("uk", "Ukrainisch", "nur (mit Termin)")]
    rare = {r["code"] for r in rows_of(doc, "language", "service_id", hsds_id("service", "h-3"))}
    assert rare == {"ti", "rom", "gsg", "ps"}
    assert [p["number"] for p in rows_of(doc, "phone", "service_id", sid)] == ["+49 631 5550100"]
    schedules = rows_of(doc, "schedule", "service_id", sid)
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in schedules] == [
        ("MO,TU,TH,FR", "09:00:00", "12:00:00"), ("SA", "10:00:00", "12:00:00")]
    assert {s["description"] for s in schedules} == {"Mo-Fr 09:00-12:00; We off; Sa 10:00-12:00; PH off"}
    text = rows_of(doc, "schedule", "service_id", hsds_id("service", "h-5"))
    assert text == [{"id": text[0]["id"], "service_id": hsds_id("service", "h-5"),
                     "description": "nach Absprache im Büro, meist vormittags"}]


def test_the_tabular_package_follows_the_profile_and_is_deterministic(hostile, tmp_path):
    export(hostile, "hsds-csv", tmp_path / "a.zip")
    export(hostile, "hsds-csv", tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        names = set(archive.namelist())
        organizations = archive.read("organizations.csv").decode("utf-8")
        services_header = archive.read("services.csv").decode("utf-8").splitlines()[0]
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert names == {"datapackage.json"} | {r["path"] for r in resources.values()}
    assert {r["path"] for r in resources.values()} >= {"services.csv", "service_at_location.csv", "taxonomies.csv"}
    assert services_header == ",".join(TABLES["service"].field_names)
    fields = {f["name"]: f for f in resources["service"]["schema"]["fields"]}
    assert fields["id"] == {"name": "id", "type": "string", "format": "uuid",
                            "constraints": {"required": True, "unique": True}}
    assert fields["assured_date"]["type"] == "date" and fields["minimum_age"]["type"] == "number"
    assert {"fields": "organization_id", "reference": {"resource": "organization", "fields": "id"}} in \
        resources["service"]["schema"]["foreignKeys"]
    # a spreadsheet must not run an organisation's name; reading the package takes the mark off
    assert "'=HYPERLINK" in organizations
    tables, _ = read_package(tmp_path / "a.zip")
    assert '=HYPERLINK("https://evil.example")' in {o["name"] for o in tables["organization"]}


def test_default_file_names_of_the_hsds_formats(hostile, tmp_path):
    for fmt in ("hsds", "hsds-csv"):
        assert main(["export", "--format", fmt, "--config", str(hostile)]) == 0
    assert {p.name for p in tmp_path.glob("offers.*")} == {"offers.json", "offers.hsds.zip"}
    assert zipfile.is_zipfile(tmp_path / "offers.hsds.zip")
