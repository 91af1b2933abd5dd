"""Column headers as coordinators write them -> the offer record's field names.

Matching ignores case, accents, spaces, dots, hyphens and underscores, so
"E-Mail", "e_mail" and "EMAIL" are all ``email`` and "Straße"/"Strasse" are ``street``.
"""

from __future__ import annotations

import re

from geo.text import fold

# field -> accepted headers (English field names first, then German and common variants)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "kennung", "angebots-id", "offer id"),
    "name": ("name", "bezeichnung", "angebot", "titel", "title", "name des angebots"),
    "category": ("category", "kategorie", "bereich", "typ", "angebotstyp", "rubrik"),
    "organisation": ("organisation", "organization", "träger", "traeger", "anbieter", "einrichtung", "organisation/träger"),
    "description": ("description", "beschreibung", "info", "informationen", "details"),
    "street": ("street", "straße", "strasse", "str", "street name"),
    "housenumber": ("housenumber", "house number", "hausnummer", "hausnr", "hnr", "nr"),
    "postcode": ("postcode", "plz", "postleitzahl", "zip", "postal code", "postalcode"),
    "city": ("city", "ort", "stadt", "gemeinde", "wohnort"),
    "address": ("address", "adresse", "anschrift", "full address"),
    "lat": ("lat", "latitude", "breitengrad", "breite", "geographische breite"),
    "lon": ("lon", "lng", "long", "longitude", "längengrad", "laengengrad", "länge", "laenge", "geographische länge"),
    "location_type": ("location_type", "location type", "art", "angebotsform", "form", "ort des angebots"),
    "languages": ("languages", "language", "sprachen", "sprache", "sprachkenntnisse", "fremdsprachen"),
    "target_groups": ("target_groups", "target groups", "target group", "zielgruppen", "zielgruppe"),
    "age_min": ("age_min", "age min", "alter von", "alter ab", "mindestalter", "ab alter"),
    "age_max": ("age_max", "age max", "alter bis", "höchstalter", "hoechstalter", "bis alter"),
    "opening_hours": ("opening_hours", "opening hours", "öffnungszeiten", "oeffnungszeiten", "sprechzeiten", "zeiten"),
    "appointment": ("appointment", "termin", "terminvereinbarung", "termin nötig", "termin erforderlich"),
    "phone": ("phone", "telefon", "tel", "telefonnummer", "phone number"),
    "email": ("email", "e-mail", "mail", "e-mail-adresse"),
    "website": ("website", "webseite", "homepage", "internet", "url", "web"),
    "wheelchair": ("wheelchair", "barrierefrei", "barrierefreiheit", "rollstuhlgerecht", "rollstuhl"),
    "cost": ("cost", "kosten", "gebühr", "gebuehr", "preis"),
    "last_verified": ("last_verified", "last verified", "stand", "geprüft am", "geprueft am", "zuletzt geprüft",
                      "aktualisiert", "letzte prüfung"),
    "source": ("source", "quelle"),
    "language_notes": ("language_notes",),
    # Columns our own exports write; accepted so that export -> import round-trips.
    "district": ("district", "bezirk", "ortsbezirk", "stadtteil"),
}

# Columns our exports add that carry no input meaning (derived on import).
IGNORED_FIELDS = ("district", "geocode_status", "geocode_precision", "geocode_provider", "district_status")


def header_key(header: str) -> str:
    """The matching form of a header: folded, without separators."""
    return re.sub(r"[\s._\-/*:()]+", "", fold(str(header)))


_LOOKUP: dict[str, str] = {}
for _field, _aliases in HEADER_ALIASES.items():
    for _alias in _aliases:
        _LOOKUP.setdefault(header_key(_alias), _field)
for _field in IGNORED_FIELDS:
    _LOOKUP.setdefault(header_key(_field), _field)


def map_headers(headers: list[str]) -> tuple[dict[str, str], list[str], list[tuple[str, str]]]:
    """Map input headers to field names.

    Returns
    -------
    mapping
        original header -> field name, for every recognised header (first wins).
    unknown
        headers that match no field (kept out of the record; reported once).
    doubled
        (header, field) pairs that repeat a field an earlier column already gave.
    """
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    doubled: list[tuple[str, str]] = []
    taken: set[str] = set()
    for header in headers:
        field = _LOOKUP.get(header_key(header))
        if field is None:
            if str(header).strip():
                unknown.append(str(header))
            continue
        if field in taken:
            doubled.append((str(header), field))
            continue
        taken.add(field)
        mapping[header] = field
    return mapping, unknown, doubled


def accepted_headers(field: str) -> list[str]:
    """Human-readable list of headers accepted for a field (for error messages)."""
    return list(HEADER_ALIASES.get(field, (field,)))
