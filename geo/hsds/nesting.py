"""HSDS tables <-> service objects as an HSDS API returns them (compiled/service.json).

An API (``GET /services/{id}``, ``GET /services``) answers with service objects that hold
their organization, phones, schedules, languages, attributes (each with its taxonomy term),
and service_at_locations each with its location (addresses, accessibility, phones ...).
:func:`flatten` turns such objects back into tables, filling the link fields nesting implied
(a phone inside a location gets ``location_id``); :func:`nest_services` builds them from
tables (used by tests and by anyone serving our data through an API).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# nested key -> table (arrays and single objects)
_NESTED = {
    "phones": "phone", "schedules": "schedule", "service_areas": "service_area",
    "service_at_locations": "service_at_location", "languages": "language", "funding": "funding",
    "fundings": "funding", "cost_options": "cost_option", "required_documents": "required_document",
    "contacts": "contact", "attributes": "attribute", "metadata": "metadata", "addresses": "address",
    "accessibility": "accessibility", "locations": "location", "programs": "program",
    "organization_identifiers": "organization_identifier", "services": "service",
    "organization": "organization", "program": "program", "location": "location", "service": "service",
    "taxonomy_term": "taxonomy_term", "taxonomy_detail": "taxonomy",
}
# One-to-one objects: the parent holds the child's id in this field.
_PARENT_HOLDS = {"organization": "organization_id", "program": "program_id", "location": "location_id",
                 "service": "service_id", "taxonomy_term": "taxonomy_term_id", "taxonomy_detail": "taxonomy_id"}
# For arrays: the child holds the parent's id in "<parent table>_id", except for these.
_POLYMORPHIC = {"attribute": ("link_id", "link_entity"), "metadata": ("resource_id", "resource_type")}


def flatten(objects: Iterable[Mapping], table: str = "service") -> dict[str, list[dict]]:
    """Tables from nested objects of ``table`` (service objects by default).

    Records that appear more than once (the organisation of many services) are kept once,
    by id; records without an id are kept as they are.
    """
    tables: dict[str, dict[object, dict]] = {}
    anonymous: dict[str, list[dict]] = {}
    for obj in objects:
        if isinstance(obj, Mapping):
            _walk(table, obj, tables, anonymous)
    out = {name: list(rows.values()) for name, rows in tables.items()}
    for name, rows in anonymous.items():
        out.setdefault(name, []).extend(rows)
    return out


def _walk(table: str, obj: Mapping, tables: dict, anonymous: dict) -> dict:
    row = {k: v for k, v in obj.items() if k not in _NESTED}
    for key, value in obj.items():
        child_table = _NESTED.get(key)
        if child_table is None or value is None:
            continue
        if isinstance(value, Mapping):
            child = _walk(child_table, value, tables, anonymous)
            holder = _PARENT_HOLDS.get(key)
            if holder and _usable_id(child.get("id")):
                row.setdefault(holder, child["id"])
        elif isinstance(value, list):
            for item in value:
                if not isinstance(item, Mapping):
                    continue
                item = dict(item)
                if _usable_id(row.get("id")):
                    link, kind = _POLYMORPHIC.get(child_table, (f"{table}_id", None))
                    item.setdefault(link, row["id"])
                    if kind:
                        item.setdefault(kind, table)
                _walk(child_table, item, tables, anonymous)
    if not _usable_id(row.get("id")):
        anonymous.setdefault(table, []).append(row)
    else:
        existing = tables.setdefault(table, {}).setdefault(row["id"], row)
        for k, v in row.items():  # the same record nested twice may carry different parts
            existing.setdefault(k, v)
    return row


def _usable_id(value) -> bool:
    """An id that can name a record (a UUID string; numbers from sloppy writers); a list or an
    object in its place names nothing, and the record is kept without being merged."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != ""


def nest_services(doc: Mapping[str, list[Mapping]]) -> list[dict]:
    """Service objects as compiled/service.json describes them, from a document with one array
    per table (geo.hsds.export.to_hsds)."""
    by_id = {name: {r["id"]: r for r in rows} for name, rows in doc.items() if isinstance(rows, list)}
    index: dict[tuple[str, str], dict[object, list[Mapping]]] = {}

    def children(table: str, link: str, value: str, extra: Mapping | None = None) -> list[dict]:
        # one pass per (table, link field), not per parent: large files stay linear
        if (table, link) not in index:
            grouped: dict[object, list[Mapping]] = {}
            for r in doc.get(table, []):
                grouped.setdefault(r.get(link), []).append(r)
            index[table, link] = grouped
        return [dict(r) for r in index[table, link].get(value, ())
                if all(r.get(k) == v for k, v in (extra or {}).items())]

    def attributes(entity: str, rid: str) -> list[dict]:
        out = []
        for attribute in children("attribute", "link_id", rid, {"link_entity": entity}):
            term = by_id.get("taxonomy_term", {}).get(attribute.get("taxonomy_term_id"))
            if term is not None:
                term = dict(term)
                taxonomy = by_id.get("taxonomy", {}).get(term.get("taxonomy_id"))
                if taxonomy is not None:
                    term["taxonomy_detail"] = dict(taxonomy)
                attribute["taxonomy_term"] = term
            out.append(attribute)
        return out

    def location(lid: str) -> dict:
        loc = dict(by_id["location"][lid])
        for key, table in (("addresses", "address"), ("accessibility", "accessibility"), ("phones", "phone"),
                           ("schedules", "schedule"), ("languages", "language")):
            loc[key] = children(table, "location_id", lid)
        loc["attributes"] = attributes("location", lid)
        return loc

    services = []
    for service in doc.get("service", []):
        sid = service["id"]
        obj = dict(service)
        org = by_id.get("organization", {}).get(service.get("organization_id"))
        if org is not None:
            obj["organization"] = dict(org)
        for key, table in (("phones", "phone"), ("schedules", "schedule"), ("service_areas", "service_area"),
                           ("languages", "language"), ("cost_options", "cost_option"), ("contacts", "contact"),
                           ("funding", "funding"), ("required_documents", "required_document")):
            obj[key] = children(table, "service_id", sid)
        obj["attributes"] = attributes("service", sid)
        obj["metadata"] = children("metadata", "resource_id", sid)
        obj["service_at_locations"] = []
        for sal in children("service_at_location", "service_id", sid):
            if sal.get("location_id") in by_id.get("location", {}):
                sal["location"] = location(sal["location_id"])
            obj["service_at_locations"].append(sal)
        services.append(obj)
    return services
