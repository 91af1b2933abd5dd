"""Real places written as coordinators' lists: the corpus of issue 13's trials (tests and bench_real_lists.py).

From the OSM extracts in ../shared/data it takes the places an integration map lists
(places of worship, libraries, hospitals, doctors, social facilities, town halls ...)
with their real names, addresses, phones and opening hours, and writes them as an
integration office would keep them:

- an XLSX with a title row, a note, a blank row, a two-row header with "Adresse" merged
  over Straße/Hausnummer/PLZ/Ort and the provider merged over its offers;
- a Windows-1252 CSV with "Straße und Hausnummer" in one column in mixed spellings
  ("Kerststr.25", "Kaiserslautern, Pirmasenser Straße 60b", "Klosterstr. 8");
- German category words ("Religionsgemeinschaft", "Bibliothek", "Krankenhaus"), target
  groups ("Migranten"), and the OSM opening hours rewritten in the ways people write
  them (:func:`german_hours`: "Mo.-Fr. 8.00-12.30 Uhr und 14.00-18.00 Uhr", "Montag bis
  Freitag von 8 bis 18 Uhr", "Mon-Fri 8am-6pm" ...).

Every place and every hour comes from the extract; only the wording is ours.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import osmium

# OSM tag value -> the word a coordinator writes in the category column
CATEGORY_WORDS = {
    "place_of_worship": "Religionsgemeinschaft", "library": "Bibliothek", "hospital": "Krankenhaus",
    "clinic": "Klinik", "social_facility": "Soziale Einrichtung", "doctors": "Arztpraxis", "dentist": "Zahnarzt",
    "townhall": "Rathaus", "community_centre": "Begegnungsstätte", "public_building": "Behörde/Amt",
    "police": "Polizei", "pharmacy": "Apotheke", "kindergarten": "Kita", "school": "Schule",
    "arts_centre": "Kultur", "theatre": "Kultur", "social_centre": "Treffpunkt", "courthouse": "Behörde/Amt",
}
TARGET_GROUPS = ("Migranten", "alle", "Familien", "Migrant*innen", "Frauen", "Geflüchtete", "Kinder", "")
OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DE_SHORT = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
_DE_LONG = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_EN_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class Place:
    osm_id: str
    name: str
    kind: str
    street: str
    housenumber: str
    postcode: str
    city: str
    phone: str
    website: str
    opening_hours: str
    lat: float
    lon: float


class _Places(osmium.SimpleHandler):
    def __init__(self, kinds: set[str]):
        super().__init__()
        self.kinds = kinds
        self.places: list[Place] = []

    def _take(self, obj, kind_prefix: str, lat: float, lon: float) -> None:
        tags = {t.k: t.v for t in obj.tags}
        kind = tags.get("amenity") or tags.get("healthcare") or tags.get("office") or ""
        if kind not in self.kinds or not tags.get("name"):
            return
        self.places.append(Place(
            f"{kind_prefix}{obj.id}", tags["name"], kind, tags.get("addr:street", ""),
            tags.get("addr:housenumber", ""), tags.get("addr:postcode", ""), tags.get("addr:city", ""),
            tags.get("phone", tags.get("contact:phone", "")), tags.get("website", tags.get("contact:website", "")),
            tags.get("opening_hours", ""), lat, lon))

    def node(self, n):
        if n.location.valid():
            self._take(n, "n", n.location.lat, n.location.lon)

    def area(self, a):
        try:
            ring = next(iter(a.outer_rings()))
        except StopIteration:
            return
        points = [(p.lat, p.lon) for p in ring if p.location.valid()]
        if points:
            lat = sum(p[0] for p in points) / len(points)
            lon = sum(p[1] for p in points) / len(points)
            self._take(a, "a", lat, lon)


def osm_places(extract: str | Path, kinds: set[str] | None = None) -> list[Place]:
    """Named places of the kinds an integration map lists, in file order (nodes, then areas)."""
    handler = _Places(kinds or set(CATEGORY_WORDS))
    handler.apply_file(str(extract), locations=True)
    return handler.places


class _Hours(osmium.SimpleHandler):
    def __init__(self):
        super().__init__()
        self.values: list[str] = []

    def _take(self, obj):
        value = obj.tags.get("opening_hours")
        if value:
            self.values.append(value)

    def node(self, n):
        self._take(n)

    def way(self, w):
        self._take(w)


def osm_opening_hours(extracts) -> list[str]:
    """Every opening_hours value of the extracts (as mappers wrote them, duplicates kept)."""
    values: list[str] = []
    for extract in extracts:
        handler = _Hours()
        handler.apply_file(str(extract))
        values += handler.values
    return values


# -- OSM hours in the words of coordinators --------------------------------------------------

_RULE = re.compile(r"^(?P<days>(?:(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?,?)+)?\s*:?\s*"
                   r"(?P<times>off|closed|(?:\d{1,2}:\d\d-\d{1,2}:\d\d\+?,?)+)$")


def _days(spec: str, style: int) -> str:
    if not spec:
        return ""
    words = []
    for part in spec.split(","):
        if part == "PH":
            words.append(("an Feiertagen", "an Feiertagen", "feiertags", "Feiertage", "feiertags",
                          "on public holidays")[style])
            continue
        ends = [OSM_DAYS.index(d) for d in part.split("-")]
        names = [(_DE_SHORT[i] + ("." if style == 0 else ""), _DE_LONG[i], _DE_SHORT[i], _DE_SHORT[i],
                  _DE_LONG[i].lower() + "s", _EN_SHORT[i])[style] for i in ends]
        joiner = (".-" if style == 0 else None, " bis ", "–", " - ", " bis ", "-")[style]
        if style == 0:
            words.append("-".join(names))
        else:
            words.append(joiner.join(names))
    sep = (", ", " und ", ", ", ", ", " und ", " & ")[style]
    return sep.join(words)


def _time(t: str, style: int) -> str:
    h, m = (int(x) for x in t.rstrip("+").split(":"))
    if style == 5:
        suffix = "am" if h < 12 or h == 24 else "pm"
        hh = h % 12 or 12
        return f"{hh}{suffix}" if not m else f"{hh}:{m:02d}{suffix}"
    if style in (1, 4):
        return f"{h}" if not m else f"{h}:{m:02d}"
    if style == 0 or style == 3:
        return f"{h:02d}.{m:02d}" if style == 3 else f"{h}.{m:02d}"
    return f"{h}:{m:02d}"


def _times(spec: str, style: int) -> str:
    if spec in ("off", "closed"):
        return ("geschlossen", "geschlossen", "geschlossen", "geschlossen", "geschlossen", "closed")[style]
    spans = []
    for span in spec.split(","):
        start, end = span.split("-")
        a, b = _time(start, style), _time(end, style)
        spans.append((f"{a}-{b} Uhr", f"von {a} bis {b} Uhr", f"{a}–{b}", f"{a} - {b} Uhr", f"{a}-{b} Uhr",
                      f"{a}-{b}")[style])
    sep = (" und ", " und ", " / ", ", ", " sowie ", " and ")[style]
    text = sep.join(spans)
    return text + (" Uhr" if style == 2 else "")


def german_hours(osm: str, style: int) -> str:
    """An OSM opening_hours value as a coordinator would write it (6 styles, 5 = English).

    Values beyond plain days and times (month rules, comments) come back as written: people
    paste them as they find them.
    """
    value = osm.strip()
    if value == "24/7":
        return ("rund um die Uhr", "durchgehend geöffnet", "24/7", "rund um die Uhr", "24/7", "open 24 hours")[style]
    rules = [r.strip() for r in re.split(r";|,\s+(?=(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)\b)", value) if r.strip()]
    parts = []
    for rule in rules:
        m = _RULE.match(rule.replace(" ", " ", 1).replace(": ", " "))
        if not m:
            return osm
        days, times = _days(m.group("days") or "", style), _times(m.group("times"), style)
        colon = ":" if style in (3,) and days else ""
        parts.append(f"{days}{colon} {times}".strip())
    sep = (", ", "; ", "\n", " | ", ", ", "; ")[style]
    return sep.join(parts)


# -- lists as coordinators keep them ---------------------------------------------------------

def street_cell(place: Place, i: int) -> str:
    """Street and number in one cell, spelt as lists do."""
    street, number = place.street, place.housenumber
    if not street:
        return ""
    short = re.sub(r"(?i)stra(ss|ß)e\b", "str.", street)
    styles = (
        f"{street} {number}",
        f"{short}{number}",                                   # "Kerststr.25"
        f"{place.city or 'Kaiserslautern'}, {street} {number}",  # town first
        f"{short} {number}",
        f"{street} {number} (Eingang Hof)" if number else street,
        f"{street.upper()} {number}",
    )
    return styles[i % len(styles)].strip()


def category_word(place: Place) -> str:
    return CATEGORY_WORDS.get(place.kind, place.kind)


def write_coordinator_xlsx(places: list[Place], path: Path, title: str = "Angebote für Neuzugewanderte") -> Path:
    """Title, note, blank row, two-row header with merged "Adresse", providers merged over runs."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.merge_cells("A1:K1")
    sheet.append(["Stand: 2013, Quelle: OpenStreetMap-Mitwirkende (ODbL)"])
    sheet.append([])
    sheet.append(["Einrichtung", "Kategorie", "Zielgruppe", "Adresse", None, None, None, "Telefonnummer",
                  "Öffnungszeiten", "Webseite", "Bemerkung"])
    sheet.append([None, None, None, "Straße", "Hausnummer", "PLZ", "Ort", None, None, None, None])
    sheet.merge_cells("D4:G4")
    for col in "ABCHIJK":
        sheet.merge_cells(f"{col}4:{col}5")
    row = 6
    for i, p in enumerate(places):
        hours = german_hours(p.opening_hours, i % 6) if p.opening_hours else ""
        sheet.append([p.name, category_word(p), TARGET_GROUPS[i % len(TARGET_GROUPS)],
                      re.sub(r"(?i)stra(ss|ß)e\b", "str.", p.street) if i % 3 == 1 else p.street,
                      p.housenumber, p.postcode, p.city, p.phone, hours, p.website, ""])
        row += 1
    book.save(path)
    return path


def write_coordinator_csv(places: list[Place], path: Path) -> Path:
    """Windows-1252, semicolons, a note above the header, street and number in one column."""
    rows = [["Liste der Anlaufstellen (Auszug OpenStreetMap 2013)"], [],
            ["Einrichtung", "Kategorie", "Zielgruppe", "Straße und Hausnummer", "PLZ Ort", "Telefon",
             "Öffnungszeiten"]]
    for i, p in enumerate(places):
        hours = german_hours(p.opening_hours, (i + 3) % 6) if p.opening_hours else ""
        rows.append([p.name, category_word(p), TARGET_GROUPS[(i + 1) % len(TARGET_GROUPS)], street_cell(p, i),
                     f"{p.postcode} {p.city}".strip(), p.phone, hours])
    with open(path, "w", encoding="cp1252", errors="replace", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path
