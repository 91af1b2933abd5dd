"""Column headers as coordinators write them -> the offer record's field names.

Matching ignores case, accents, spaces, dots, hyphens and underscores, so
"E-Mail", "e_mail" and "EMAIL" are all ``email`` and "Straße"/"Strasse" are ``street``.

Three kinds of targets:

- *fields* of the offer record (``name``, ``street``, ``opening_hours`` ...) and the input
  helpers the validator splits or converts (``address``, ``coordinates``, ``x``/``y``);
- *known extra attributes* (:data:`EXTRA_FIELDS`: ``capacity``, ``contact_person``,
  ``archived`` ...): kept with the offer under that name, some of them checked;
- everything else is kept as an extra attribute under its own header. No column is
  dropped; :class:`ColumnMapping` says what became of each one.

Some headers mean one of two fields ("Einrichtung" is the offer's name in a list of
facilities, the organisation next to an "Angebot" column): :data:`CANDIDATES` lists
their choices in order, and a header takes the first one no clearer header claims.
"Art" is a category, unless its cells are "online"/"vor Ort" (then ``location_type``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from geo.text import fold

# field -> accepted headers (English field names first, then German and common variants)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "kennung", "angebots-id", "offer id", "lfd. nr.", "e_nr", "gc_id", "bsn", "laufende nummer", "objekt-id", "poi id"),
    "name": ("name", "bezeichnung", "angebot", "titel", "title", "name des angebots", "angebotsname",
             "name der einrichtung", "einrichtungsname", "name der beratungsstelle", "beratungsstelle",
             "stelle", "dienststelle", "facility", "facility name", "offer", "service", "service name",
             "e_name", "einrichtung_name", "aponame"),
    "category": ("category", "kategorie", "bereich", "typ", "angebotstyp", "rubrik", "art", "art des angebots",
                 "art der einrichtung", "einrichtungsart", "angebotsart", "themenbereich", "thema", "themen",
                 "sparte", "type", "kind", "amenity", "e_art", "schulart"),
    "organisation": ("organisation", "organization", "träger", "traeger", "anbieter", "organisation/träger",
                     "trägerschaft", "träger der einrichtung", "trägername", "traegername", "verband", "institution",
                     "provider", "operator", "t_name"),
    "description": ("description", "beschreibung", "info", "informationen", "details", "inhalt", "kurzbeschreibung",
                    "angebotsbeschreibung", "leistungen", "was wird angeboten", "about"),
    "street": ("street", "straße", "strasse", "str", "street name", "straße und hausnummer", "strasse und hausnummer",
               "straße/hausnummer", "straße, hausnummer", "straße + hausnummer", "straße/nr.", "straße nr.",
               "straße und nr.", "str. und nr.", "str./nr.", "street and number", "street address",
               "e_strasse", "gc_strasse", "str_name"),
    "housenumber": ("housenumber", "house number", "hausnummer", "hausnr", "hnr", "nr", "hausnr.", "haus-nr.",
                    "e_hnr", "gc_haus", "hausnr_zusatz"),
    "postcode": ("postcode", "plz", "postleitzahl", "zip", "postal code", "postalcode", "zip code", "e_plz", "gc_plz"),
    "city": ("city", "ort", "stadt", "gemeinde", "wohnort", "town", "e_ort", "ortsname"),
    "address": ("address", "adresse", "anschrift", "full address", "postanschrift", "plz ort straße",
                "vollständige adresse", "standort", "location", "address line"),
    "postcode_city": ("plz ort", "plz und ort", "plz/ort", "plz, ort", "plz + ort", "postleitzahl und ort",
                      "postleitzahl/ort", "postcode and city", "zip and city"),
    "lat": ("lat", "latitude", "breitengrad", "breite", "geographische breite", "y (wgs84)", "lat (wgs84)"),
    "lon": ("lon", "lng", "long", "longitude", "längengrad", "laengengrad", "länge", "laenge", "geographische länge",
            "x (wgs84)", "lon (wgs84)"),
    "coordinates": ("coordinates", "koordinaten", "koordinate", "geokoordinaten", "gps", "gps-koordinaten",
                    "lat/lon", "lat, lon", "breite/länge", "position", "latlon"),
    "x": ("x", "rechtswert", "easting", "ostwert", "x-koordinate", "x koordinate", "x_koordinate", "xwert",
          "gc_xwert", "utm x", "utm-x", "utm_x", "utm easting"),
    "y": ("y", "hochwert", "northing", "nordwert", "y-koordinate", "y koordinate", "y_koordinate", "ywert",
          "gc_ywert", "utm y", "utm-y", "utm_y", "utm northing"),
    "location_type": ("location_type", "location type", "angebotsform", "form", "ort des angebots", "format",
                      "durchführung", "präsenz/online", "online/präsenz", "online oder vor ort"),
    "languages": ("languages", "language", "sprachen", "sprache", "sprachkenntnisse", "fremdsprachen",
                  "beratungssprachen", "angebotene sprachen", "sprachangebot", "languages spoken", "sprachen (außer deutsch)"),
    "target_groups": ("target_groups", "target groups", "target group", "zielgruppen", "zielgruppe", "für wen",
                      "fuer wen", "für", "adressaten", "audience", "zielgr1"),
    "age_min": ("age_min", "age min", "alter von", "alter ab", "mindestalter", "ab alter", "min. alter", "minimum age"),
    "age_max": ("age_max", "age max", "alter bis", "höchstalter", "hoechstalter", "bis alter", "max. alter",
                "maximum age"),
    "opening_hours": ("opening_hours", "opening hours", "öffnungszeiten", "oeffnungszeiten", "sprechzeiten", "zeiten",
                      "sprechstunden", "sprechstunde", "beratungszeiten", "öffnungszeit", "geöffnet", "termine und zeiten",
                      "servicezeiten", "erreichbarkeit", "kurszeiten", "zeit", "uhrzeit", "wann", "hours"),
    "opening_hours_text": ("opening_hours_text", "opening hours (text)", "öffnungszeiten (text)",
                           "öffnungszeiten als text"),
    "appointment": ("appointment", "termin", "terminvereinbarung", "termin nötig", "termin erforderlich",
                    "anmeldung", "anmeldung erforderlich", "mit termin", "appointment required"),
    "phone": ("phone", "telefon", "tel", "telefonnummer", "phone number", "tel.", "telefon-nr.", "tel.-nr.",
              "rufnummer", "fon", "kontakt telefon", "telephone", "e_tel", "phone_number"),
    "email": ("email", "e-mail", "mail", "e-mail-adresse", "emailadresse", "email address", "kontakt e-mail"),
    "website": ("website", "webseite", "homepage", "internet", "url", "web", "internetseite", "internetadresse",
                "link", "e_web", "internetauftritt"),
    "wheelchair": ("wheelchair", "barrierefrei", "barrierefreiheit", "rollstuhlgerecht", "rollstuhl",
                   "rollstuhlzugang", "barrier free", "barrier_free", "accessible", "wheelchair accessible",
                   "stufenlos erreichbar"),
    "cost": ("cost", "kosten", "gebühr", "gebuehr", "preis", "gebühren", "entgelt", "kostenlos", "fee", "fees", "price"),
    "last_verified": ("last_verified", "last verified", "stand", "geprüft am", "geprueft am", "zuletzt geprüft",
                      "aktualisiert", "letzte prüfung", "letzte aktualisierung", "datum", "stand vom",
                      "last updated", "updated"),
    "source": ("source", "quelle"),
    "language_notes": ("language_notes",),
    # Columns our own exports write; accepted so that export -> import round-trips.
    "district": ("district", "bezirk", "ortsbezirk", "stadtteil", "ortsteil", "e_bez"),
}

# Extra attributes we know by meaning: kept with the offer under these names.
EXTRA_FIELDS: dict[str, tuple[str, ...]] = {
    "capacity": ("capacity", "plätze", "plaetze", "platzzahl", "anzahl plätze", "kapazität", "kapazitaet",
                 "teilnehmerzahl", "max. teilnehmende", "plätze gesamt", "betreuungsplätze", "e_platz", "places",
                 "seats"),
    "contact_person": ("contact_person", "ansprechpartner", "ansprechpartnerin", "ansprechpartner*in",
                       "ansprechperson", "kontaktperson", "kontakt", "contact", "contact person", "zuständig"),
    "archived": ("archived", "archiviert", "inaktiv", "inactive", "status", "gelöscht", "deleted", "veraltet",
                 "nicht mehr aktiv", "geschlossen", "archiv"),
    # the same question asked the other way round: "aktiv: nein" is archived
    "active": ("active", "aktiv", "ist aktiv", "aktuell", "noch aktiv"),
    "notes": ("notes", "bemerkung", "bemerkungen", "anmerkung", "anmerkungen", "hinweis", "hinweise", "notiz",
              "notizen", "kommentar", "comment", "comments", "remarks"),
    "fax": ("fax", "telefax", "faxnummer"),
    "address_note": ("adresszusatz", "zusatz", "e_zusatz", "e_zus", "address supplement", "gebäude", "raum", "etage"),
}

# Columns our exports add that carry no input meaning (derived on import).
IGNORED_FIELDS = ("district", "geocode_status", "geocode_precision", "geocode_provider", "district_status")

# Headers that mean one of several targets: first free one wins (see the module docstring).
CANDIDATES: dict[str, tuple[str, ...]] = {
    "einrichtung": ("name", "organisation"),
    "einrichtungen": ("name", "organisation"),
    "organisation": ("organisation", "name"),
    "traeger": ("organisation", "name"),
    "trager": ("organisation", "name"),
    "art": ("category", "location_type"),
}

# Values that show an "Art" column holds location types, not categories.
_LOCATION_WORDS = {"online", "vor ort", "praesenz", "prasenz", "digital", "telefonisch", "virtuell", "hybrid",
                   "in person", "video", "physical", "virtual"}


def header_key(header: str) -> str:
    """The matching form of a header: folded, without separators."""
    return re.sub(r"[\s._\-/*:(),+&]+", "", fold(str(header)))


_LOOKUP: dict[str, str] = {}
for _field, _aliases in HEADER_ALIASES.items():
    for _alias in _aliases:
        _LOOKUP.setdefault(header_key(_alias), _field)
for _field, _aliases in EXTRA_FIELDS.items():
    for _alias in _aliases:
        _LOOKUP.setdefault(header_key(_alias), _field)
for _field in IGNORED_FIELDS:
    _LOOKUP.setdefault(header_key(_field), _field)

# What an explicit mapping may name: any field or known extra, or "extra" (keep under the header).
TARGETS = tuple(HEADER_ALIASES) + tuple(EXTRA_FIELDS) + ("extra",)


@dataclass(frozen=True)
class ColumnUse:
    """What became of one input column: ``target`` is a field, a known extra attribute, or
    "" (kept as an extra attribute under ``extra_name``); ``how`` says why."""

    position: int
    header: str
    target: str
    how: str  # "recognised", "mapped" (explicit), "by its values", "extra", "doubled", "empty header"
    extra_name: str = ""

    @property
    def is_field(self) -> bool:
        return bool(self.target) and self.target not in EXTRA_FIELDS and self.how != "doubled"

    @property
    def is_known_extra(self) -> bool:
        return self.target in EXTRA_FIELDS and self.how != "doubled"


@dataclass
class ColumnMapping:
    """Every input column and what it became, in file order (see :meth:`lines`)."""

    columns: list[ColumnUse] = field(default_factory=list)
    unused_overrides: list[str] = field(default_factory=list)

    @property
    def fields(self) -> dict[int, str]:
        """Column position -> record field, for the columns that fill a field."""
        return {c.position: c.target for c in self.columns if c.is_field}

    @property
    def extras(self) -> dict[int, str]:
        """Column position -> name of the extra attribute it is kept as."""
        return {c.position: (c.target if c.is_known_extra else c.extra_name) for c in self.columns
                if not c.is_field and (c.is_known_extra or c.extra_name)}

    def header_of(self, target: str) -> str:
        """The header that fills ``target`` ("" when none does)."""
        return next((c.header for c in self.columns if c.target == target and c.how != "doubled"), "")

    def lines(self) -> list[str]:
        """The mapping as the console prints it, one column a line."""
        out = []
        for c in self.columns:
            shown = c.header or f"(column {c.position + 1} without header)"
            if c.is_field:
                note = {"mapped": " (as you mapped it)", "by its values": " (by its values)"}.get(c.how, "")
                out.append(f"{shown} -> {c.target}{note}")
            elif c.is_known_extra:
                out.append(f"{shown} -> {c.target} (kept as extra attribute)")
            elif c.how == "doubled":
                out.append(f"{shown} -> kept as extra attribute {c.extra_name!r} "
                           f"(an earlier column already gives {c.target})")
            else:
                out.append(f"{shown} -> kept as extra attribute {c.extra_name!r} (no field of the offer has this name)")
        for header in self.unused_overrides:
            out.append(f"{header}: mapped, but the file has no such column")
        return out


def map_columns(headers: Sequence[str], overrides: Mapping[str, str] | None = None,
                samples: Mapping[int, Sequence[str]] | None = None) -> ColumnMapping:
    """Decide what each column becomes.

    Parameters
    ----------
    headers
        The header of each column ("" for a column without one).
    overrides
        Explicit header -> target mappings (``--map "Einrichtung=name"``, ``[import.columns]``);
        headers match as loosely as built-in ones. A target "extra" keeps the column as an
        extra attribute under its header.
    samples
        Some cell values per column position, used to tell an "Art" of categories from one
        of location types.

    Raises
    ------
    ValueError
        An override names a target that does not exist (the message lists the allowed ones).
    """
    wanted = {}
    for header, target in (overrides or {}).items():
        target = str(target).strip()
        if target not in TARGETS:
            raise ValueError(f"column {header!r} mapped to {target!r} (--map or [import.columns]), which is not "
                             "a field; allowed: " + ", ".join(TARGETS))
        wanted[header_key(header)] = (header, target)
    taken: set[str] = set()
    uses: dict[int, ColumnUse] = {}
    keys = [header_key(h) for h in headers]
    # explicit mappings first, then unambiguous headers, then the ambiguous ones in file order
    for pos, key in enumerate(keys):
        if key in wanted:
            target = wanted[key][1]
            if target == "extra":
                uses[pos] = ColumnUse(pos, str(headers[pos]), "", "mapped")
            else:
                uses[pos] = ColumnUse(pos, str(headers[pos]), target, "mapped")
                taken.add(target)
    for pos, key in enumerate(keys):
        if pos in uses or not key or key in CANDIDATES:
            continue
        target = _LOOKUP.get(key)
        if target is None:
            continue
        if target in taken:
            uses[pos] = ColumnUse(pos, str(headers[pos]), target, "doubled")
            continue
        uses[pos] = ColumnUse(pos, str(headers[pos]), target, "recognised")
        taken.add(target)
    for pos, key in enumerate(keys):
        if pos in uses or key not in CANDIDATES:
            continue
        choices = CANDIDATES[key]
        if key == "art" and samples and _mostly_location_types(samples.get(pos, ())):
            choices = ("location_type", "category")
        free = [c for c in choices if c not in taken]
        if free:
            how = "by its values" if key == "art" and free[0] == "location_type" else "recognised"
            uses[pos] = ColumnUse(pos, str(headers[pos]), free[0], how)
            taken.add(free[0])
        else:
            uses[pos] = ColumnUse(pos, str(headers[pos]), choices[0], "doubled")
    mapping = ColumnMapping()
    names: set[str] = set(EXTRA_FIELDS) | set(HEADER_ALIASES)
    for pos, header in enumerate(headers):
        use = uses.get(pos)
        if use is None or not use.is_field and not use.is_known_extra:
            base = str(header).strip() or f"column {pos + 1}"
            name = base
            n = 2
            while name in names:
                name = f"{base} ({n})"
                n += 1
            names.add(name)
            if use is None:
                use = ColumnUse(pos, str(header), "", "extra" if str(header).strip() else "empty header", name)
            else:
                use = ColumnUse(use.position, use.header, use.target, use.how, name)
        mapping.columns.append(use)
    present = set(keys)
    mapping.unused_overrides = [h for k, (h, _) in wanted.items() if k not in present]
    return mapping


def _mostly_location_types(values: Sequence[str]) -> bool:
    seen = [fold(v) for v in values if str(v).strip()]
    return bool(seen) and sum(v in _LOCATION_WORDS for v in seen) * 2 > len(seen)


def map_headers(headers: list[str]) -> tuple[dict[str, str], list[str], list[tuple[str, str]]]:
    """Map input headers to field names (the simple view used by address lists and older callers).

    Returns
    -------
    mapping
        original header -> field name, for every recognised header (first wins).
    unknown
        headers that match no field (kept as extra attributes by the offer reader).
    doubled
        (header, field) pairs that repeat a field an earlier column already gave.
    """
    result = map_columns(headers)
    mapping = {c.header: c.target for c in result.columns if c.is_field}
    unknown = [c.header for c in result.columns if not c.target and c.header.strip()]
    doubled = [(c.header, c.target) for c in result.columns if c.how == "doubled"]
    return mapping, unknown, doubled


def accepted_headers(field: str) -> list[str]:
    """Human-readable list of headers accepted for a field (for error messages)."""
    return list(HEADER_ALIASES.get(field, EXTRA_FIELDS.get(field, (field,))))
