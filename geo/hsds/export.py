"""Offers -> HSDS 3.0 tables (one JSON object with one array per table).

An offer is an HSDS *service at location*: one ``service`` of its ``organization``, one
``location`` (``virtual`` for online and phone offers), the ``service_at_location`` joining
them, and the rows that hang off them. docs/hsds.md has the field-by-field mapping; in short:

- name, description, e-mail, website -> service; organisation -> organization (one per
  distinct name, as written; offers without one get a stand-in organisation named like the offer whose
  description says so, because the tabular form requires an organisation);
- address -> address (address_1 = street and house number, country DE), coordinates ->
  location latitude/longitude only when known, the offer's id -> location.external_identifier;
- category and target groups -> attributes linking the service to the terms of our taxonomies
  (geo.hsds.taxonomy, published in the same file); who it is for, what it costs, whether an
  appointment is needed, wheelchair access -> sentences (geo.hsds.words) in
  eligibility_description, fees_description (and a cost_option), application_process and an
  accessibility row of the location; ages -> minimum_age/maximum_age only when known;
- languages -> language rows (ISO 639 code, name, note), phone -> phone, opening hours ->
  schedules (geo.hsds.schedules), last_verified -> assured_date;
- every id is a UUID derived from ours (geo.hsds.ids); empty fields are left out.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from geo.hsds import words
from geo.hsds.ids import OFFER_ID_TYPE, hsds_id
from geo.hsds.schedules import schedule_rows
from geo.hsds.spec import HSDS_VERSION, TABLES
from geo.hsds.tabular import write_package
from geo.hsds.taxonomy import CATEGORY, TARGET_GROUP, taxonomy_tables, term_id, vocabularies
from geo.hsds.uris import to_uri
from geo.languages import language_name
from geo.schema import OFFER_COLUMNS
from geo.vocab import Vocabulary

HSDS_FORMATS = ("hsds", "hsds-csv")
# The tables an export holds, in the specification's order (compiled/tabular.json).
EXPORTED_TABLES = tuple(t for t in TABLES if t in {
    "organization", "service", "attribute", "service_at_location", "location", "phone", "address", "schedule",
    "language", "accessibility", "taxonomy_term", "metadata", "meta_table_description", "cost_option", "taxonomy"})


def to_hsds(offers: pd.DataFrame, vocabs: Mapping[str, Vocabulary] | None = None, lang: str = "de",
            imports: pd.DataFrame | None = None) -> dict:
    """Every offer as HSDS 3.0 tables: ``{"hsds_version": "3.0", "organization": [...], ...}``.

    Parameters
    ----------
    vocabs
        The deployment's categories and target groups (geo.hsds.taxonomy.vocabularies);
        built-in ones when None.
    lang
        Language of the texts we write (term names, sentences): "de" (default) or "en".
    imports
        The store's import log: each service gets a metadata row naming the source it came
        from and the date of its last import.
    """
    words.sentence("cost", "", lang)  # refuses a language we have no sentences for
    vocabs = vocabs or vocabularies()
    doc: dict[str, list[dict]] = {name: [] for name in EXPORTED_TABLES}
    organizations: dict[str, dict] = {}
    last_import = _last_imports(imports)
    records = _records(offers)
    used = {CATEGORY: [r["category"] for r in records],
            TARGET_GROUP: [g for r in records for g in r["target_groups"]]}
    for record in records:
        _offer_rows(record, doc, organizations, vocabs, lang, last_import)
    doc["organization"] = list(organizations.values())
    published = taxonomy_tables(vocabs, lang, used)
    doc["taxonomy"] = published.taxonomy
    doc["taxonomy_term"] = published.taxonomy_term
    doc["attribute"] += published.attribute
    doc["meta_table_description"] = [{"id": hsds_id("meta_table_description", "angebotskarte", lang),
                                      "name": "Angebotskarte", "language": lang, "character_set": "UTF-8"}]
    return {"hsds_version": HSDS_VERSION, **doc}


def _offer_rows(r: dict, doc: dict[str, list[dict]], organizations: dict[str, dict], vocabs, lang: str,
                last_import: Mapping[str, str]) -> None:
    oid = r["id"]
    sid, lid = hsds_id("service", oid), hsds_id("location", oid)
    org = _organization(r, organizations, lang)
    groups = vocabs[TARGET_GROUP]
    service = {
        "id": sid, "organization_id": org["id"], "name": r["name"], "description": r["description"],
        "url": to_uri(r["website"]), "email": r["email"], "status": "active",
        "eligibility_description": words.eligibility(r["target_groups"], r["age_min"], r["age_max"],
                                                     lambda key: groups.label(key, lang), lang),
        "minimum_age": _number(r["age_min"]), "maximum_age": _number(r["age_max"]),
        "fees_description": words.sentence("cost", r["cost"], lang),
        "application_process": words.sentence("appointment", r["appointment"], lang),
        "assured_date": r["last_verified"],
    }
    doc["service"].append(_compact(service))
    virtual = r["location_type"] == "virtual"
    location = {
        "id": lid, "location_type": "virtual" if virtual else "physical", "organization_id": org["id"],
        "name": r["name"], "url": to_uri(r["website"]) if virtual else None,
        "latitude": _number(r["lat"]), "longitude": _number(r["lon"]),
        "external_identifier": oid, "external_identifier_type": OFFER_ID_TYPE,
    }
    if location["latitude"] is None or location["longitude"] is None:
        location["latitude"] = location["longitude"] = None
    doc["location"].append(_compact(location))
    doc["service_at_location"].append({"id": hsds_id("service_at_location", oid), "service_id": sid,
                                       "location_id": lid})
    if any(r[f] for f in ("street", "housenumber", "postcode", "city")):
        # every field of an address is required; what we do not know is written empty
        doc["address"].append({
            "id": hsds_id("address", oid), "location_id": lid,
            "address_1": " ".join(p for p in (r["street"], r["housenumber"]) if p), "city": r["city"],
            "state_province": "", "postal_code": r["postcode"], "country": "DE",
            "address_type": "postal" if virtual else "physical"})
    if r["phone"]:
        doc["phone"].append({"id": hsds_id("phone", oid), "service_id": sid, "number": r["phone"]})
    notes = r["language_notes"] or {}
    for code in r["languages"]:
        doc["language"].append(_compact({"id": hsds_id("language", oid, code), "service_id": sid, "code": code,
                                         "name": language_name(code, lang), "note": notes.get(code, "")}))
    for n, row in enumerate(schedule_rows(r["opening_hours"], r["opening_hours_text"])):
        doc["schedule"].append({"id": hsds_id("schedule", oid, str(n)), "service_id": sid, **row})
    if r["wheelchair"] in ("yes", "limited", "no"):
        doc["accessibility"].append({"id": hsds_id("accessibility", oid), "location_id": lid,
                                     "description": words.sentence("wheelchair", r["wheelchair"], lang)})
    if r["cost"] in ("free", "fee"):
        option = {"id": hsds_id("cost_option", oid), "service_id": sid,
                  "option": words.COST_OPTION[lang][r["cost"]]}
        if r["cost"] == "free":
            option.update(amount=0, currency="EUR")
        doc["cost_option"].append(option)
    for kind, keys in ((CATEGORY, [r["category"]] if r["category"] else []), (TARGET_GROUP, r["target_groups"])):
        for key in keys:
            doc["attribute"].append({"id": hsds_id("attribute", oid, kind, key), "link_id": sid,
                                     "link_entity": "service", "link_type": kind,
                                     "taxonomy_term_id": term_id(kind, key)})
    if r["source"] in last_import:
        doc["metadata"].append({
            "id": hsds_id("metadata", oid), "resource_id": sid, "resource_type": "service",
            "last_action_date": last_import[r["source"]], "last_action_type": "import", "field_name": "",
            "previous_value": "", "replacement_value": "", "updated_by": f"Angebotskarte import: {r['source']}"})


def _organization(r: dict, organizations: dict[str, dict], lang: str) -> dict:
    if r["organisation"]:
        # by the exact name: folding "Caritas" and "caritas" together would change one offer's text
        key = "name:" + r["organisation"]
        org = {"id": hsds_id("organization", key), "name": r["organisation"], "description": ""}
    else:
        key = "offer:" + r["id"]
        org = {"id": hsds_id("organization", key), "name": r["name"], "description": words.NO_ORGANISATION[lang]}
    return organizations.setdefault(key, org)


def _last_imports(imports: pd.DataFrame | None) -> dict[str, str]:
    """source -> date (YYYY-MM-DD) of its latest import."""
    if imports is None or imports.empty or not {"source", "imported_at"} <= set(imports.columns):
        return {}
    out: dict[str, str] = {}
    for source, at in zip(imports["source"], imports["imported_at"]):
        day = str(at or "")[:10]
        if len(day) == 10 and day > out.get(str(source), ""):
            out[str(source)] = day
    return out


def _records(offers: pd.DataFrame) -> list[dict]:
    rows = pd.DataFrame(offers[list(OFFER_COLUMNS)]).to_dict("records")
    out = []
    for row in rows:
        record = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for name in ("languages", "target_groups"):
            record[name] = list(record[name] or [])
        for name in OFFER_COLUMNS:
            if record[name] is None and name not in ("lat", "lon", "age_min", "age_max", "language_notes"):
                record[name] = ""
        out.append(record)
    return out


def _number(value) -> int | float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _compact(row: dict) -> dict:
    """The row without empty fields (HSDS: absent means unknown; null and "" are not numbers, URIs ...)."""
    return {k: v for k, v in row.items() if v is not None and v != ""}


def write_hsds(offers: pd.DataFrame, fmt: str, path: str | Path, vocabs: Mapping[str, Vocabulary] | None = None,
               imports: pd.DataFrame | None = None, lang: str = "de") -> None:
    """Write ``offers`` as HSDS: ``fmt`` "hsds" (one JSON object, one array per table) or
    "hsds-csv" (the tabular package: a zip of CSV files and datapackage.json)."""
    doc = to_hsds(offers, vocabs, lang=lang, imports=imports)
    if fmt == "hsds":
        Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif fmt == "hsds-csv":
        write_package(doc, path)
    else:
        raise ValueError(f"unknown HSDS format {fmt!r}; allowed: {', '.join(HSDS_FORMATS)}")


def export_hsds(store, fmt: str, out: str | Path, vocabs: Mapping[str, Vocabulary] | None = None) -> int:
    """Write every offer of ``store`` to ``out`` (atomically, like geo.export.export_store) with
    the deployment's vocabularies; returns the number of offers written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    offers = store.offers()
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        write_hsds(offers, fmt, tmp, vocabs, imports=store.imports())
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(offers)
