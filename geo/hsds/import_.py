"""HSDS tables -> rows of offer fields, for the validator every import goes through.

One row per *service at location* (a service without a location is one row without a place).
Cells are text, as a spreadsheet would give them, so geo.validate applies exactly the rules
of every other import: vocabulary and remembered mappings for categories and target groups,
language names and codes, opening hours, addresses, placeholders, duplicates.

- Our own files come back exactly: offer ids from ``location.external_identifier``, terms of
  our taxonomies by their derived ids, our sentences, schedule descriptions in OSM syntax.
- Other directories' terms are put where their words say they belong: a term whose name (or
  code) our vocabulary or its synonyms know as a target group goes to ``target_groups``, one
  known as a category to ``category`` (the first; the others are kept), and if no term is
  known the first unknown one goes to ``category``, where the validator keeps the row
  for review with suggestions. Terms that found no place are kept in ``hsds:terms``.
- Every HSDS value that fills no field is kept as an extra attribute of the offer, named
  ``hsds:<table>.<field>`` (``hsds:service.alternate_name``); nothing is dropped silently.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

from geo.hsds import words
from geo.hsds.ids import OFFER_ID_TYPE
from geo.hsds.schedules import hours_from_schedules
from geo.hsds.taxonomy import CATEGORY, TARGET_GROUP, TRANSLATION, our_term, taxonomy_id, vocabularies
from geo.hsds.uris import to_iri
from geo.schema import Problem

# Our fields, in the order a row gives them (the headers geo.readers.columns knows).
FIELDS = ("id", "name", "category", "organisation", "description", "street", "postcode", "city", "lat", "lon",
          "location_type", "languages", "target_groups", "age_min", "age_max", "opening_hours", "opening_hours_text",
          "appointment", "phone", "email", "website", "wheelchair", "cost", "last_verified")
# HSDS fields a row takes into our fields (or that only link records): not kept again as extras.
_TAKEN = {
    "service": {"id", "organization_id", "program_id", "name", "description", "url", "email", "status",
                "minimum_age", "maximum_age", "assured_date"},
    "location": {"id", "location_type", "organization_id", "latitude", "longitude"},
    "address": {"id", "location_id", "address_1", "address_2", "city", "postal_code", "address_type"},
    "organization": {"id", "name"},
}
_STATUS_ARCHIVED = {"inactive": "inactive", "defunct": "eingestellt", "temporarily closed": "geschlossen"}
_GROUP_LINK_TYPES = {"target_group", "targetgroup", "audience", "target_audience", "eligibility", "population",
                     "zielgruppe", "zielgruppen", "client_group"}
_GERMANY = {"", "de", "deu", "germany", "deutschland"}


def offer_rows(tables: Mapping[str, list], file: str) -> tuple[list[str], list[list[str]], list[Problem]]:
    """Headers, one text row per offer, and file-level problems for a document's tables."""
    index = _Index(tables)
    problems: list[Problem] = []
    records: list[dict[str, str]] = []
    linked_locations: set = set()
    for service in index.rows("service"):
        sals = [sal for sal in index.children("service_at_location", "service_id", service.get("id"))]
        places = [(sal, index.by_id("location", sal.get("location_id"))) for sal in sals]
        missing = [sal for sal, loc in places if loc is None]
        for sal in missing:
            problems.append(Problem(file, None, "service_at_location", str(sal.get("location_id") or ""),
                                    f"service {service.get('name', '')!r} names a location the file does not "
                                    "hold; imported without that place", severity="warning"))
        places = [(sal, loc) for sal, loc in places if loc is not None] or [(None, None)]
        org = service.get("organization_id")
        if org not in (None, "") and index.by_id("organization", org) is None:
            problems.append(Problem(file, None, "organization_id", _text(org),
                                    f"service {service.get('name', '')!r} names an organization the file does not "
                                    "hold; imported without organisation", severity="warning"))
        for sal, location in places:
            linked_locations.add(id(location))
            records.append(_offer(service, sal, location, len(places) > 1, index))
    unused = [loc for loc in index.rows("location") if id(loc) not in linked_locations]
    if unused:
        names = ", ".join(repr(_text(loc.get("name") or loc.get("id"))) for loc in unused[:5])
        problems.append(Problem(file, None, "location", names,
                                f"{len(unused)} location{'s are' if len(unused) > 1 else ' is'} linked to no service "
                                "(a place, not an offer); not imported", severity="warning"))
    if not index.rows("service"):
        problems.append(Problem(file, None, "service", "", "the file holds no service: nothing to import",
                                severity="error"))
    extras = list(dict.fromkeys(k for r in records for k in r if k not in FIELDS))
    headers = [*FIELDS, *extras]
    return headers, [[r.get(h, "") for h in headers] for r in records], problems


class _Index:
    """The document's tables by id and by link field."""

    def __init__(self, tables: Mapping[str, list]):
        self.tables = {name: [r for r in rows if isinstance(r, Mapping)] for name, rows in tables.items()
                       if isinstance(rows, list)}
        self._ids = {name: {str(r["id"]): r for r in rows if r.get("id") not in (None, "")}
                     for name, rows in self.tables.items()}
        self._links: dict[tuple[str, str], dict[str, list[Mapping]]] = {}
        self.vocabs = vocabularies()

    def rows(self, table: str) -> list[Mapping]:
        return self.tables.get(table, [])

    def by_id(self, table: str, value) -> Mapping | None:
        return self._ids.get(table, {}).get(str(value)) if value not in (None, "") else None

    def children(self, table: str, link: str, value) -> list[Mapping]:
        if value in (None, ""):
            return []
        if (table, link) not in self._links:
            grouped: dict[str, list[Mapping]] = defaultdict(list)
            for r in self.rows(table):
                if r.get(link) not in (None, ""):
                    grouped[str(r[link])].append(r)
            self._links[table, link] = grouped
        return self._links[table, link].get(str(value), [])


def _offer(service: Mapping, sal: Mapping | None, location: Mapping | None, several: bool, ix: _Index) -> dict:
    r: dict[str, str] = {}
    sid = service.get("id")
    loc = location or {}
    lid = loc.get("id")
    ours = loc.get("external_identifier_type") == OFFER_ID_TYPE and loc.get("external_identifier")
    # a service at several places is one offer per place: "<service id>:<location id>"
    r["id"] = str(loc["external_identifier"]) if ours else (f"{sid}:{lid}" if several and sid else _text(sid))
    r["name"] = _text(service.get("name"))
    r["description"] = _text(service.get("description"))
    _organisation(r, ix.by_id("organization", service.get("organization_id")))
    _place(r, loc, ix)
    _contacts(r, service, sal, loc, ix)
    r["age_min"], r["age_max"] = _number(service.get("minimum_age")), _number(service.get("maximum_age"))
    r["last_verified"] = _text(service.get("assured_date"))
    status = _text(service.get("status")).lower()
    if status in _STATUS_ARCHIVED:
        r["archived"] = _STATUS_ARCHIVED[status]
    _hours(r, [ix.children("schedule", "service_at_location_id", sal.get("id")) if sal else [],
               ix.children("schedule", "service_id", sid), ix.children("schedule", "location_id", lid)])
    groups_are_ours = _terms(r, [*ix.children("attribute", "link_id", sid),
                                 *(ix.children("attribute", "link_id", sal.get("id")) if sal else [])], ix)
    _sentences(r, service, loc, groups_are_ours, ix)
    languages = [*ix.children("language", "service_id", sid), *ix.children("language", "location_id", lid)]
    r["languages"] = "; ".join(dict.fromkeys(_language(lang) for lang in languages if _language(lang)))
    for area in ix.children("service_area", "service_id", sid):
        _extra(r, "hsds:service_area.name", area.get("name") or area.get("description") or area.get("extent"))
    for document in ix.children("required_document", "service_id", sid):
        _extra(r, "hsds:required_document.document", document.get("document") or document.get("uri"))
    for funding in ix.children("funding", "service_id", sid):
        _extra(r, "hsds:funding.source", funding.get("source"))
    handled = {"service": {"eligibility_description", "fees_description", "application_process"},
               "location": {"external_identifier", "external_identifier_type", "name", "url"}}
    for table, row in (("service", service), ("location", loc)):
        for key, value in row.items():
            if key not in _TAKEN[table] and key not in handled[table]:
                _extra(r, f"hsds:{table}.{key}", value)
    if loc.get("name") and _text(loc["name"]) != r["name"]:
        _extra(r, "hsds:location.name", loc["name"])
    if loc.get("url") and to_iri(_text(loc["url"])) != r["website"]:
        _extra(r, "hsds:location.url", loc["url"])
    if not ours and loc.get("external_identifier"):
        _extra(r, "hsds:location.external_identifier",
               f"{loc.get('external_identifier_type') or ''}: {loc['external_identifier']}".lstrip(": "))
    if not ours and sid:
        r["hsds:service.id"] = str(sid)  # lets a person find the record in the other directory
    return r


def _organisation(r: dict, org: Mapping | None) -> None:
    if not org:
        return
    description = _text(org.get("description"))
    if description in words.NO_ORGANISATION.values():
        return  # our stand-in for an offer without organisation
    r["organisation"] = _text(org.get("name"))
    for key in ("description", "alternate_name", "legal_status"):
        _extra(r, f"hsds:organization.{key}", org.get(key))


def _place(r: dict, loc: Mapping, ix: _Index) -> None:
    r["location_type"] = "virtual" if _text(loc.get("location_type")).lower() == "virtual" else (
        "physical" if loc else "")
    lat, lon = loc.get("latitude"), loc.get("longitude")
    if _number(lat) and _number(lon):
        r["lat"], r["lon"] = _number(lat), _number(lon)
    addresses = ix.children("address", "location_id", loc.get("id"))
    address = next((a for a in addresses if _text(a.get("address_type")).lower() == "physical"),
                   addresses[0] if addresses else None)
    if address is None:
        return
    r["street"] = _text(address.get("address_1"))
    r["postcode"] = _text(address.get("postal_code"))
    r["city"] = _text(address.get("city"))
    _extra(r, "Adresszusatz", address.get("address_2"))  # the known extra attribute address_note
    if _text(address.get("country")).lower() not in _GERMANY:
        _extra(r, "hsds:address.country", address.get("country"))
    for key in ("attention", "region", "state_province"):
        _extra(r, f"hsds:address.{key}", address.get(key))
    for other in addresses:
        if other is not address:
            _extra(r, "hsds:address.other", ", ".join(_text(other.get(k)) for k in
                                                        ("address_1", "postal_code", "city") if other.get(k)))


def _contacts(r: dict, service: Mapping, sal: Mapping | None, loc: Mapping, ix: _Index) -> None:
    phones = [*ix.children("phone", "service_id", service.get("id")),
              *(ix.children("phone", "service_at_location_id", sal.get("id")) if sal else []),
              *ix.children("phone", "location_id", loc.get("id"))]
    contacts = ix.children("contact", "service_id", service.get("id"))
    for contact in contacts:
        phones += ix.children("phone", "contact_id", contact.get("id"))
        person = ", ".join(_text(contact.get(k)) for k in ("name", "title", "department") if contact.get(k))
        _extra(r, "contact_person", person)
    numbers, faxes = [], []
    for phone in phones:
        number = _text(phone.get("number"))
        if phone.get("extension") not in (None, ""):
            number += f"-{_number(phone['extension'])}"
        (faxes if _text(phone.get("type")).lower() == "fax" else numbers).append(number)
    r["phone"] = "; ".join(dict.fromkeys(n for n in numbers if n))
    _extra(r, "fax", "; ".join(dict.fromkeys(n for n in faxes if n)))
    org = ix.by_id("organization", service.get("organization_id")) or {}
    virtual_url = loc.get("url") if _text(loc.get("location_type")).lower() == "virtual" else None
    r["website"] = to_iri(_text(service.get("url") or virtual_url or org.get("website")))
    contact_mail = next((c.get("email") for c in contacts if c.get("email")), None)
    r["email"] = _text(service.get("email") or contact_mail or org.get("email"))


def _hours(r: dict, groups: list[list[Mapping]]) -> None:
    rows = next((g for g in groups if g), [])
    found = hours_from_schedules(rows)
    r["opening_hours"] = found.opening_hours or found.to_read  # text is read like a spreadsheet cell
    r["opening_hours_text"] = found.opening_hours_text
    _extra(r, "hsds:schedule.description", found.extra_description)
    if found.notes and not any(str(row.get("description") or "") == found.opening_hours for row in rows):
        _extra(r, "hsds:schedule.notes", "; ".join(found.notes))


def _terms(r: dict, attributes: list[Mapping], ix: _Index) -> bool:
    """Category and target groups from the attributes; True when the groups came from our taxonomy."""
    categories, groups, unknown = [], [], []
    ours_seen = False
    cats, targets = ix.vocabs[CATEGORY], ix.vocabs[TARGET_GROUP]
    for attribute in attributes:
        term = ix.by_id("taxonomy_term", attribute.get("taxonomy_term_id")) or attribute.get("taxonomy_term") or {}
        if not isinstance(term, Mapping) or not term:
            continue
        mine = our_term(term)
        if mine:
            ours_seen = True
            (categories if mine[0] == CATEGORY else groups).append((mine[1], True))
            continue
        if term.get("taxonomy_id") == taxonomy_id(TRANSLATION):
            _extra(r, f"hsds:translation.{attribute.get('link_type') or 'text'}.{term.get('code')}",
                   attribute.get("value"))
            continue
        name, code = _text(term.get("name")), _text(term.get("code"))
        shown = name or code
        if attribute.get("value") not in (None, ""):
            shown += f": {attribute['value']}"
        link_type = _text(attribute.get("link_type")).lower().replace(" ", "_")
        words_ = [w for w in (name, code) if w]
        if link_type in _GROUP_LINK_TYPES or any(targets.resolve(w).key for w in words_):
            word = next((w for w in words_ if targets.resolve(w).key), name or code)
            groups.append((word, False))
        elif any(cats.resolve(w).key for w in words_):
            categories.append((next(w for w in words_ if cats.resolve(w).key), False))
        elif any(targets.concept(w) for w in words_) and not any(cats.concept(w) for w in words_):
            groups.append((name or code, False))
        else:
            unknown.append((name or code, shown))
    kept = []
    if categories:
        r["category"] = categories[0][0]
        kept += [c for c, _ in categories[1:]]
    elif unknown:
        r["category"] = unknown[0][0]  # the validator keeps the row for review, with suggestions
        unknown = unknown[1:]
    kept += [shown for _, shown in unknown]
    r["target_groups"] = "; ".join(dict.fromkeys(g for g, _ in groups))
    _extra(r, "hsds:terms", "; ".join(kept))
    return ours_seen and all(is_ours for _, is_ours in groups)


def _sentences(r: dict, service: Mapping, loc: Mapping, groups_are_ours: bool, ix: _Index) -> None:
    appointment = _text(service.get("application_process"))
    r["appointment"] = words.read_sentence("appointment", appointment) or ""
    if appointment and not r["appointment"]:
        _extra(r, "hsds:service.application_process", appointment)
    descriptions = [" ".join(_text(a.get(k)) for k in ("description", "details") if a.get(k))
                    for a in ix.children("accessibility", "location_id", loc.get("id"))]
    read = [words.read_sentence("wheelchair", d) for d in descriptions]
    r["wheelchair"] = next((k for k in read if k), "")
    _extra(r, "hsds:accessibility.description", "; ".join(d for d, k in zip(descriptions, read) if d and not k))
    r["cost"] = _cost(r, service, ix)
    eligibility = _text(service.get("eligibility_description"))
    if eligibility and not groups_are_ours:
        _extra(r, "hsds:service.eligibility_description", eligibility)


def _cost(r: dict, service: Mapping, ix: _Index) -> str:
    key = ""
    for option in ix.children("cost_option", "service_id", service.get("id")):
        amount = _number(option.get("amount"))
        found = (("free" if amount == "0" else "fee") if amount
                 else words.read_sentence("cost", _text(option.get("option"))))
        key = key or found or ""
        details = " ".join(_text(option.get(k)) for k in ("option", "amount", "currency", "amount_description")
                           if option.get(k) not in (None, ""))
        if not found or amount not in ("", "0"):
            _extra(r, "hsds:cost_option", details)
    fees = _text(service.get("fees_description"))
    from_fees = words.read_sentence("cost", fees)
    if fees and not from_fees:
        _extra(r, "hsds:service.fees_description", fees)
    return key or from_fees or ""


def _language(row: Mapping) -> str:
    word = _text(row.get("code")) or _text(row.get("name"))
    note = _text(row.get("note"))
    return f"{word} ({note})" if word and note else word


def _extra(r: dict, name: str, value) -> None:
    text = _text(value)
    if text:
        r[name] = f"{r[name]}; {text}" if r.get(name) and text not in r[name] else (r.get(name) or text)


def _text(value) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value) -> str:
    """A number as our cells write it ("6", "49.4447"), or ""."""
    if value is None or value == "" or isinstance(value, bool):
        return ""
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return _text(value)  # the validator says what is wrong with it
    if not math.isfinite(number):
        return ""
    return str(int(number)) if number.is_integer() else repr(number)
