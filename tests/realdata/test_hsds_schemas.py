"""Our copy of the HSDS tables (geo.hsds.spec) and the checker (geo.hsds.validation) against the
official HSDS 3.0 schemas in ../shared/data/hsds-3.0-schemas (skipped with a reason when absent)."""

from __future__ import annotations

import json

import pytest

from geo.hsds.ids import hsds_id
from geo.hsds.spec import TABLES
from geo.hsds.validation import check_services, check_tables, check_tabular_document, load_schemas


@pytest.fixture
def schema_dir(shared_data):
    folder = shared_data / "hsds-3.0-schemas" / "schema"
    if not (folder / "service.json").is_file():
        pytest.skip(f"HSDS 3.0 schemas not present in {folder}")
    return folder


@pytest.fixture
def schemas(schema_dir):
    return load_schemas(schema_dir)


def test_our_table_copy_is_the_specification(schema_dir):
    official = {}
    for path in schema_dir.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "datapackage_metadata" in schema:
            official[schema["name"]] = schema
    assert set(official) == set(TABLES)
    for name, schema in official.items():
        table = TABLES[name]
        assert table.path == schema["path"], name
        required = set(schema.get("required", ())) | set(schema.get("tabular_required", ()))
        scalar = [(k, p.get("datapackage_type") or p["type"], p.get("format", ""),
                   ("R" if k in required else "") + ("U" if p.get("constraints", {}).get("unique") else ""))
                  for k, p in schema["properties"].items()
                  if p.get("type") not in ("array", "object", None) and "$ref" not in p]
        assert [(f.name, f.type, f.format, f.flags) for f in table.fields] == scalar, name


def test_the_checker_finds_what_the_old_exporter_wrote(schemas):
    """The mistakes of the first HSDS export, one of each: the checker must see every one."""
    org = hsds_id("organization", "x")
    doc = {
        "organizations": [{"id": org, "name": "Träger", "description": ""}],
        "services": [
            {"id": "svc-kl-0001", "organization_id": org, "name": "A", "status": "active", "minimum_age": None},
            {"id": hsds_id("service", "b"), "organization_id": org, "name": "B", "status": "active",
             "url": "", "email": "", "category": "counselling", "last_modified": "2025-03-01"},
            {"id": hsds_id("service", "c"), "organization_id": hsds_id("organization", "gone"), "name": "C",
             "status": "open"},
            {"id": hsds_id("service", "d"), "name": "D", "status": "active", "url": "https://bücherei.de"},
        ],
        "locations": [{"id": hsds_id("location", "a"), "location_type": "physical", "latitude": None}],
    }
    found = {(e.table, e.index, e.path) for e in check_tables(doc, schemas)}
    assert found == {
        ("service", 0, "id"),                      # not a UUID
        ("service", 0, "minimum_age"),             # null is not a number
        ("service", 1, "url"), ("service", 1, "email"),   # "" is neither URI nor e-mail
        ("service", 1, "category"),                # not an HSDS field
        ("service", 1, "last_modified"),           # a date, not a date-time
        ("service", 2, "status"),                  # not in the enum
        ("service", 2, "organization_id"),         # names no organization
        ("service", 3, "organization_id"),         # required in the tabular form
        ("service", 3, "url"),                     # an IRI, not a URI
        ("location", 0, "latitude"),
    }


def test_the_checker_finds_duplicate_ids_and_codes(schemas):
    tid = hsds_id("taxonomy", "t")
    term = {"id": hsds_id("taxonomy_term", "1"), "code": "x", "name": "X", "description": "", "taxonomy_id": tid}
    doc = {"taxonomy": [{"id": tid, "name": "T", "description": ""}],
           "taxonomy_term": [term, dict(term), {**term, "id": hsds_id("taxonomy_term", "2")}]}
    messages = [str(e) for e in check_tables(doc, schemas)]
    assert len(messages) == 3 and all("not unique" in m for m in messages)


def test_the_tabular_profile_and_the_api_objects_are_checked_too(schemas):
    assert check_tabular_document({"service": [{"id": "1", "name": "A", "status": "active"}]}, schemas)
    assert check_services([{"id": hsds_id("service", "a"), "name": "A", "status": "active",
                            "phones": [{"id": hsds_id("phone", "a")}]}], schemas)  # a phone without number
