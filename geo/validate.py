"""Validation: a RawTable of text cells -> offer records plus one problem list.

Column by column, not row by row: every distinct cell value of a column is
interpreted once (a town's 100,000 rows hold a few hundred distinct category,
language and opening-hours strings), and problems are collected with the row
number a spreadsheet shows.

Severity: an *error* rejects the row (it goes to the report, not the store); a
*warning* stores the row and explains what was changed or dropped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from geo.languages import LanguageEntry, UnknownLanguage, language_name, parse_language_entry
from geo.readers.tabular import RawTable
from geo.schema import OFFER_COLUMNS, Problem
from geo.settings import Settings
from geo.vocab import Vocabulary, categories_from_config, fold, target_groups_from_config
import opening_hours

# Multi-value cells: split on ; , or | outside parentheses ("Arabisch (Mo, Di)" stays whole).
_SPLIT_RE = re.compile(r"[;,|](?![^()]*\))")
_HOUSENUMBER = r"\d+\s*[a-zA-Z]?(?:\s*[-–/]\s*\d+\s*[a-zA-Z]?)?"
# Between street and number: a space, or nothing after an abbreviation ("Friedrich-Loy-Str.16").
_GAP = r"(?:\s+|(?<=\.)\s*)"
_ADDRESS_RE = re.compile(
    rf"^\s*(?P<street>.+?){_GAP}(?P<number>{_HOUSENUMBER})\s*,\s*"
    r"(?:D-)?(?P<postcode>\d{5})?\s*(?P<city>[^,]*?)\s*$"
)
# "Marktstraße 5 67655 Kaiserslautern" (no comma, as pasted from a letterhead)
_ADDRESS_NO_COMMA_RE = re.compile(
    rf"^\s*(?P<street>.+?){_GAP}(?P<number>{_HOUSENUMBER})\s+(?:D-)?(?P<postcode>\d{{5}})\s+(?P<city>[^,]+?)\s*$"
)
_ADDRESS_PLZ_FIRST_RE = re.compile(
    rf"^\s*(?:D-)?(?P<postcode>\d{{5}})\s+(?P<city>[^,]+?)\s*,\s*(?P<street>.+?){_GAP}(?P<number>{_HOUSENUMBER})\s*$"
)
# "Kapuzinerstraße 30": street and number only, postcode and city in their own columns.
_STREET_NUMBER_RE = re.compile(rf"^\s*(?P<street>[^,\d][^,]*?){_GAP}(?P<number>{_HOUSENUMBER})\s*$")
_ADDRESS_COUNTRY_RE = re.compile(r"\s*,\s*(?:deutschland|germany|de|d)\s*$", re.I)
_ID_RE = re.compile(r"[\w.:\-]{1,100}")
_EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")

_LOCATION_TYPES = {
    "physical": "physical", "vor ort": "physical", "praesenz": "physical", "prasenz": "physical",
    "ort": "physical", "stationar": "physical", "in person": "physical", "on site": "physical",
    "virtual": "virtual", "online": "virtual", "digital": "virtual", "virtuell": "virtual",
    "telefonisch": "virtual", "telefon": "virtual", "phone": "virtual", "by phone": "virtual",
    "online/telefonisch": "virtual", "online und telefonisch": "virtual", "video": "virtual",
}
_APPOINTMENT = {
    "none": "none", "keiner": "none", "keine": "none", "nein": "none", "no": "none", "offen": "none",
    "ohne termin": "none", "ohne": "none", "not needed": "none",
    "recommended": "recommended", "empfohlen": "recommended", "erwunscht": "recommended", "besser mit termin": "recommended",
    "required": "required", "erforderlich": "required", "notig": "required", "ja": "required", "yes": "required",
    "nur mit termin": "required", "nur nach termin": "required", "nach vereinbarung": "required", "pflicht": "required",
}
_WHEELCHAIR = {
    "yes": "yes", "ja": "yes", "barrierefrei": "yes", "true": "yes", "1": "yes", "x": "yes", "rollstuhlgerecht": "yes",
    "limited": "limited", "eingeschrankt": "limited", "teilweise": "limited", "bedingt": "limited", "partial": "limited",
    "teilweise barrierefrei": "limited",
    "no": "no", "nein": "no", "false": "no", "0": "no", "nicht barrierefrei": "no",
    "unknown": "unknown", "unbekannt": "unknown", "?": "unknown", "k.a.": "unknown", "keine angabe": "unknown",
}
_COST = {
    "free": "free", "kostenlos": "free", "kostenfrei": "free", "gratis": "free", "umsonst": "free", "0": "free",
    "frei": "free", "nein": "free", "keine": "free", "no": "free",
    "fee": "fee", "kostenpflichtig": "fee", "gebuhr": "fee", "gebuhrenpflichtig": "fee", "ja": "fee", "yes": "fee",
    "paid": "fee", "eigenanteil": "fee",
    "unknown": "unknown", "unbekannt": "unknown", "k.a.": "unknown", "keine angabe": "unknown",
}


@dataclass
class ValidationResult:
    """Valid offers (not yet geocoded or assigned to districts) and all problems."""

    offers: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)
    duplicate_rows: set[int] = field(default_factory=set)
    rows_read: int = 0
    offer_rows: list[int] = field(default_factory=list)  # spreadsheet row of each offer


class _Collector:
    """Problems of one file, keyed by frame position and reported with spreadsheet row numbers."""

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.problems: list[Problem] = list(raw.problems)
        self.rejected: set[int] = set()  # frame positions

    def add(self, pos: int, column: str, value: str, message: str, suggestion: str = "", severity: str = "error"):
        header = self.raw.columns.get(column, column)
        self.problems.append(Problem(self.raw.file, self.raw.row_numbers[pos], header, value, message, suggestion, severity))
        if severity == "error":
            self.rejected.add(pos)


def validate_table(raw: RawTable, settings: Settings, source: str) -> ValidationResult:
    """Turn a RawTable into offer records; see the module docstring for the rules."""
    frame = raw.frame
    n = len(frame)
    col = _Collector(raw)
    cats = categories_from_config(settings.vocabulary.categories)
    groups = target_groups_from_config(settings.vocabulary.target_groups)

    def text(name: str) -> pd.Series:
        return frame[name].fillna("").astype(str) if name in frame else pd.Series([""] * n, dtype=object)

    out = pd.DataFrame(index=range(n))
    for name in ("name", "organisation", "description", "street", "housenumber", "postcode", "city", "phone",
                 "opening_hours", "id"):
        out[name] = text(name).str.strip().values
    out["source"] = source

    _split_addresses(out, text("address"), col)
    _check_names(out, col)
    out["category"] = _map_vocab(text("category"), cats, "category", col, empty="other")
    out["target_groups"] = _map_multi_vocab(text("target_groups"), groups, "target_groups", col)
    langs, notes = _map_languages(text("languages"), col)
    out["languages"], out["language_notes"] = langs, notes
    out["location_type"] = _map_simple(text("location_type"), _LOCATION_TYPES, "location_type", col, "physical",
                                       "physical (vor Ort) or virtual (online, telefonisch)")
    out["appointment"] = _map_simple(text("appointment"), _APPOINTMENT, "appointment", col, "",
                                     "none (keiner), recommended (empfohlen), required (erforderlich)")
    out["wheelchair"] = _map_simple(text("wheelchair"), _WHEELCHAIR, "wheelchair", col, "unknown",
                                    "yes (ja), limited (eingeschränkt), no (nein), unknown (unbekannt)")
    out["cost"] = _map_simple(text("cost"), _COST, "cost", col, "unknown",
                              "free (kostenlos), fee (kostenpflichtig), unknown (unbekannt)")
    out["age_min"], out["age_max"] = _ages(text("age_min"), text("age_max"), col)
    out["opening_hours"] = _opening_hours(out["opening_hours"], col)
    out["email"] = _emails(text("email"), col)
    out["website"] = _websites(text("website"), col)
    out["last_verified"] = _dates(text("last_verified"), col)
    out["postcode"] = _postcodes(out["postcode"], col)
    out["lat"], out["lon"] = _coordinates(text("lat"), text("lon"), out["location_type"], settings, col)
    out["district"] = ""
    out["district_status"] = ""
    out["geocode_status"] = np.where(out["location_type"] == "virtual", "virtual",
                                     np.where(out["lat"].notna(), "given", "not_located"))
    out["geocode_precision"] = np.where(out["geocode_status"] == "given", "given", "")
    out["geocode_provider"] = ""
    _assign_ids(out, col)
    duplicates = _duplicates(out, col)

    keep = np.ones(n, dtype=bool)
    keep[list(col.rejected | duplicates)] = False
    offers = out.loc[keep, list(OFFER_COLUMNS)].reset_index(drop=True)
    row_of = {pos: raw.row_numbers[pos] for pos in range(n)}
    return ValidationResult(
        offers=offers,
        problems=col.problems,
        rejected_rows={row_of[p] for p in col.rejected},
        duplicate_rows={row_of[p] for p in duplicates - col.rejected},
        rows_read=n,
        offer_rows=[raw.row_numbers[p] for p in np.flatnonzero(keep)],
    )


# -- field rules -----------------------------------------------------------------------------

def _split_addresses(out: pd.DataFrame, address: pd.Series, col: _Collector) -> None:
    """A single "Willy-Brandt-Platz 1, 67657 Kaiserslautern" column fills the empty address parts."""
    for pos in np.flatnonzero(address.str.len().values > 0):
        value = address.iat[pos]
        m = split_address(value)
        if not m:
            if not out.at[pos, "street"]:
                # "Marktplatz, Kaiserslautern" or free text: keep it as the street for geocoding.
                parts = [p.strip() for p in _address_one_line(value).split(",")]
                out.at[pos, "street"] = parts[0]
                if len(parts) > 1 and not out.at[pos, "city"]:
                    tail = parts[-1].split()
                    if tail and re.fullmatch(r"\d{5}", tail[0]):
                        out.at[pos, "postcode"], out.at[pos, "city"] = tail[0], " ".join(tail[1:])
                    else:
                        out.at[pos, "city"] = parts[-1]
                col.add(pos, "address", value, "address has no house number or is not 'Street No, PLZ City'",
                        "write it as 'Straße Nr, PLZ Ort'", severity="warning")
            continue
        for part, key in (("street", "street"), ("housenumber", "number"), ("postcode", "postcode"), ("city", "city")):
            if not out.at[pos, part] and m.get(key):
                out.at[pos, part] = " ".join(m[key].split())


def _address_one_line(value: str) -> str:
    """Line breaks as commas, without a trailing country ("…, Deutschland")."""
    value = ", ".join(p.strip() for p in value.splitlines() if p.strip())
    return _ADDRESS_COUNTRY_RE.sub("", value)


def split_address(value: str) -> dict[str, str] | None:
    """Parts of a one-cell address, or None when it has no recognisable "Street No".

    Accepts "Straße Nr, PLZ Ort", "PLZ Ort, Straße Nr", "Straße Nr PLZ Ort", "Straße Nr"
    (postcode and city then come from their own columns), line breaks instead of commas and
    a trailing country. Missing parts are "".
    """
    value = _address_one_line(value)
    for pattern in (_ADDRESS_RE, _ADDRESS_PLZ_FIRST_RE, _ADDRESS_NO_COMMA_RE, _STREET_NUMBER_RE):
        m = pattern.match(value)
        if m:
            parts = {k: "" for k in ("street", "number", "postcode", "city")}
            parts.update({k: v or "" for k, v in m.groupdict().items()})
            return parts
    return None


def _check_names(out: pd.DataFrame, col: _Collector) -> None:
    for pos in np.flatnonzero(out["name"].str.len().values == 0):
        col.add(pos, "name", "", "the offer has no name", "every row needs a name")


def _map_vocab(values: pd.Series, vocab: Vocabulary, column: str, col: _Collector, empty: str) -> list[str]:
    mapping: dict[str, str | None] = {}
    for value in dict.fromkeys(values.tolist()):
        mapping[value] = empty if not value else vocab.normalise(value)
    result = []
    for pos, value in enumerate(values.tolist()):
        key = mapping[value]
        if key is None:
            sugg = vocab.suggest(value)
            allowed = ", ".join(vocab.label(k) for k in vocab.keys)
            col.add(pos, column, value, f"unknown {vocab.kind.replace('_', ' ')}",
                    (f"did you mean {', '.join(vocab.label(k) for k in sugg)}? " if sugg else "")
                    + f"allowed: {allowed} (a town can add its own in [vocabulary])")
            key = ""
        elif not value and empty:
            col.add(pos, column, "", f"no {vocab.kind}; stored as {empty!r}", severity="warning")
        result.append(key)
    return result


def split_cell(value: str) -> list[str]:
    """Items of a multi-value cell, split on ; , or | outside parentheses."""
    return [p.strip() for p in _SPLIT_RE.split(value) if p.strip()]


def _map_multi_vocab(values: pd.Series, vocab: Vocabulary, column: str, col: _Collector) -> list[list[str]]:
    cache: dict[str, tuple[list[str], list[str]]] = {}
    result = []
    for pos, value in enumerate(values.tolist()):
        if value not in cache:
            keys, unknown = [], []
            for item in split_cell(value):
                key = vocab.normalise(item)
                if key is None:
                    unknown.append(item)
                elif key not in keys:
                    keys.append(key)
            cache[value] = (keys, unknown)
        keys, unknown = cache[value]
        for item in unknown:
            sugg = vocab.suggest(item)
            col.add(pos, column, item, f"unknown {vocab.kind.replace('_', ' ')}",
                    (f"did you mean {', '.join(vocab.label(k) for k in sugg)}? " if sugg else "")
                    + "allowed: " + ", ".join(vocab.label(k) for k in vocab.keys))
        result.append(list(keys))
    return result


def _map_languages(values: pd.Series, col: _Collector) -> tuple[list[list[str]], list[dict]]:
    cache: dict[str, tuple[list[str], dict, list[tuple[str, list[str]]]]] = {}
    # Cells repeat less than their items do ("Arabisch, Farsi" and "Farsi; Arabisch"): parse each item once.
    entries: dict[str, LanguageEntry | UnknownLanguage] = {}
    codes_out, notes_out = [], []
    for pos, value in enumerate(values.tolist()):
        if value not in cache:
            codes, notes, unknown = [], {}, []
            for item in split_cell(value):
                if item not in entries:
                    try:
                        entries[item] = parse_language_entry(item)
                    except UnknownLanguage as exc:
                        entries[item] = exc
                entry = entries[item]
                if isinstance(entry, UnknownLanguage):
                    unknown.append((item, entry.suggestions))
                    continue
                if entry.code not in codes:
                    codes.append(entry.code)
                if entry.note:
                    notes[entry.code] = entry.note
            cache[value] = (codes, notes, unknown)
        codes, notes, unknown = cache[value]
        for item, sugg in unknown:
            hint = ", ".join(f"{language_name(c, 'de')} ({c})" for c in sugg)
            col.add(pos, "languages", item, "unknown language",
                    f"did you mean {hint}?" if hint else "write the language's name (Arabisch, Arabic) or ISO 639 code (ar)")
        codes_out.append(list(codes))
        notes_out.append(dict(notes))
    return codes_out, notes_out


def _map_simple(values: pd.Series, table: dict[str, str], column: str, col: _Collector, empty: str,
                allowed: str) -> list[str]:
    mapping = {v: (empty if not v else table.get(fold(v).rstrip("."))) for v in dict.fromkeys(values.tolist())}
    result = []
    for pos, value in enumerate(values.tolist()):
        key = mapping[value]
        if key is None:
            col.add(pos, column, value, f"unknown value; stored as {empty or 'empty'}", f"allowed: {allowed}",
                    severity="warning")
            key = empty
        result.append(key)
    return result


def _numbers(values: pd.Series) -> pd.Series:
    """Decimal numbers, accepting German decimal commas ("49,4447")."""
    cleaned = values.str.strip().str.replace("\u2212", "-", regex=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce")


def _ages(low: pd.Series, high: pd.Series, col: _Collector) -> tuple[pd.Series, pd.Series]:
    result = []
    for name, values in (("age_min", low), ("age_max", high)):
        nums = _numbers(values)
        bad = (values.str.len() > 0) & (nums.isna() | (nums < 0) | (nums > 120) | (nums % 1 != 0))
        for pos in np.flatnonzero(bad.values):
            col.add(pos, name, values.iat[pos], "not an age in whole years from 0 to 120; left empty", severity="warning")
        result.append(nums.where(~bad))
    low_n, high_n = result
    swapped = low_n.notna() & high_n.notna() & (low_n > high_n)
    for pos in np.flatnonzero(swapped.values):
        col.add(pos, "age_min", f"{low_n.iat[pos]:g}-{high_n.iat[pos]:g}", "minimum age above maximum age",
                "check Alter von / Alter bis")
    return low_n.astype(float).values, high_n.astype(float).values


def _opening_hours(values: pd.Series, col: _Collector) -> list[str]:
    checked = {v: (opening_hours_error(v) if v else None) for v in dict.fromkeys(values.tolist())}
    result = []
    for pos, value in enumerate(values.tolist()):
        error = checked[value]
        if error:
            col.add(pos, "opening_hours", value, f"not valid OpenStreetMap opening_hours syntax ({error}); left empty",
                    "examples: 'Mo-Fr 09:00-12:00', 'Tu,Th 14:00-17:00; Sa 10:00-12:00' "
                    "(https://wiki.openstreetmap.org/wiki/Key:opening_hours)", severity="warning")
            value = ""
        result.append(value)
    return result


def opening_hours_error(expr: str) -> str | None:
    """None when expr is valid OSM opening_hours syntax, else the parser's complaint in one line."""
    try:
        opening_hours.OpeningHours(expr)
    except (opening_hours.ParserError, ValueError, TypeError) as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip().startswith("= ")]
        return lines[0][2:] if lines else str(exc).splitlines()[0]
    return None


def _emails(values: pd.Series, col: _Collector) -> list[str]:
    result = []
    for pos, value in enumerate(values.tolist()):
        value = value.removeprefix("mailto:").strip()
        if value and not _EMAIL_RE.match(value):
            col.add(pos, "email", value, "not an e-mail address; left empty", severity="warning")
            value = ""
        result.append(value)
    return result


def _websites(values: pd.Series, col: _Collector) -> list[str]:
    result = []
    for pos, value in enumerate(values.tolist()):
        if value and not re.match(r"^https?://", value, re.I):
            if re.match(r"^[\w.-]+\.[a-z]{2,}(/\S*)?$", value, re.I) and ":" not in value:
                value = "https://" + value  # "www.example.org" is how people write websites
            else:
                col.add(pos, "website", value, "not a web address (only http:// and https:// links are shown); left empty",
                        severity="warning")
                value = ""
        if value and (re.search(r"\s|[<>\"']", value)):
            col.add(pos, "website", value, "web address contains spaces or quotes; left empty", severity="warning")
            value = ""
        result.append(value)
    return result


def parse_date(value: str) -> date | None:
    """Dates as written in German offices: 2025-03-01, 01.03.2025, 1.3.25, 03/2025, 2025."""
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    for fmt in ("%m/%Y", "%m.%Y", "%Y-%m"):
        try:
            return datetime.strptime(value, fmt).date().replace(day=1)
        except ValueError:
            pass
    if re.fullmatch(r"(19|20)\d\d", value):
        return date(int(value), 1, 1)
    return None


def _dates(values: pd.Series, col: _Collector) -> list[str]:
    parsed = {v: parse_date(v) for v in dict.fromkeys(values.tolist()) if v}
    today = date.today()
    result = []
    for pos, value in enumerate(values.tolist()):
        if not value:
            result.append("")
            continue
        d = parsed[value]
        if d is None or d > today:
            col.add(pos, "last_verified", value, "not a date in the past; left empty", "write it as 31.12.2025 or 2025-12-31",
                    severity="warning")
            result.append("")
        else:
            result.append(d.isoformat())
    return result


def _postcodes(values: pd.Series, col: _Collector) -> list[str]:
    result = []
    for pos, value in enumerate(values.tolist()):
        value = value.removeprefix("D-").strip()
        if value and re.fullmatch(r"\d{4}", value):
            # Excel turns 06108 into 6108; German postcodes always have five digits.
            col.add(pos, "postcode", value, "four-digit postcode; a leading zero was added", severity="warning")
            value = "0" + value
        elif value and not re.fullmatch(r"\d{5}", value):
            col.add(pos, "postcode", value, "not a five-digit German postcode; kept as written", severity="warning")
        result.append(value)
    return result


def _coordinates(lat_text: pd.Series, lon_text: pd.Series, location_type: pd.Series, settings: Settings,
                 col: _Collector) -> tuple[np.ndarray, np.ndarray]:
    lat, lon = _numbers(lat_text).to_numpy(float), _numbers(lon_text).to_numpy(float)
    has_lat, has_lon = lat_text.str.len().values > 0, lon_text.str.len().values > 0
    lon_min, lat_min, lon_max, lat_max = settings.bbox
    area = settings.area.name
    for pos in np.flatnonzero((has_lat & np.isnan(lat)) | (has_lon & np.isnan(lon))):
        bad, column = (lat_text.iat[pos], "lat") if has_lat[pos] and np.isnan(lat[pos]) else (lon_text.iat[pos], "lon")
        col.add(pos, column, bad, "not a number; coordinates ignored, the address is used instead",
                "write decimal degrees such as 49.4447 or 49,4447", severity="warning")
    for pos in np.flatnonzero(has_lat ^ has_lon):
        col.add(pos, "lat" if has_lat[pos] else "lon", lat_text.iat[pos] or lon_text.iat[pos],
                "only one of latitude and longitude given; coordinates ignored", severity="warning")
    both = ~np.isnan(lat) & ~np.isnan(lon)
    lat = np.where(both, lat, np.nan)
    lon = np.where(both, lon, np.nan)
    with np.errstate(invalid="ignore"):
        inside = (lat >= lat_min) & (lat <= lat_max) & (lon >= lon_min) & (lon <= lon_max)
        swapped_inside = (lon >= lat_min) & (lon <= lat_max) & (lat >= lon_min) & (lat <= lon_max)
    for pos in np.flatnonzero(both & ~inside & swapped_inside):
        col.add(pos, "lat", f"{lat[pos]}, {lon[pos]}",
                "latitude and longitude are swapped (the point would lie far outside the area); swapped back",
                "Breitengrad (latitude) is about 47–55 in Germany, Längengrad (longitude) about 6–15", severity="warning")
        lat[pos], lon[pos] = lon[pos], lat[pos]
    outside = both & ~inside & ~swapped_inside
    for pos in np.flatnonzero(outside):
        col.add(pos, "lat", f"{lat[pos]}, {lon[pos]}",
                f"coordinates lie outside the area of {area} {list(settings.bbox)}; ignored, the address is used instead",
                "check the coordinates or [area] bbox in the config", severity="warning")
        lat[pos] = lon[pos] = np.nan
    virtual = (location_type == "virtual").values
    lat[virtual] = np.nan
    lon[virtual] = np.nan
    return lat, lon


def offer_id(name: str, street: str, housenumber: str, postcode: str, city: str) -> str:
    """Stable id from name + address, so re-importing a sheet without ids keeps ids."""
    key = "|".join(fold(p) for p in (name, street, housenumber, postcode, city))
    return "o-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _assign_ids(out: pd.DataFrame, col: _Collector) -> None:
    ids = out["id"].tolist()
    given = [bool(i) for i in ids]
    address = [out[c].tolist() for c in ("name", "street", "housenumber", "postcode", "city")]
    for pos, oid in enumerate(ids):
        if not oid:
            ids[pos] = offer_id(*(values[pos] for values in address))
        elif not _ID_RE.fullmatch(oid):
            col.add(pos, "id", oid, "ids may only hold letters, digits and . : - _ (at most 100)")
    out["id"] = ids
    out["_given_id"] = given


def _folded(values: pd.Series) -> list[str]:
    """fold() of every cell, each distinct value folded once."""
    cells = values.tolist()  # plain lists: iterating a pandas string array is slow
    table = {v: fold(v) for v in dict.fromkeys(cells)}
    return [table[v] for v in cells]


def _duplicates(out: pd.DataFrame, col: _Collector) -> set[int]:
    """Same id twice, or the same name and address twice: later rows are duplicates."""
    duplicates: set[int] = set()
    first_by_id: dict[str, int] = {}
    first_by_key: dict[tuple, int] = {}
    ids, given, names = out["id"].tolist(), out["_given_id"].tolist(), out["name"].tolist()
    keys = list(zip(*(_folded(out[c]) for c in ("name", "street", "housenumber", "postcode", "city"))))
    row = col.raw.row_numbers
    name_header = col.raw.columns.get("name", "name")
    for pos in range(len(out)):
        if pos in col.rejected:
            continue
        oid, key = ids[pos], keys[pos]
        if oid in first_by_id:
            first = first_by_id[oid]
            if given[first] and given[pos]:
                col.add(pos, "id", oid, f"the id is already used by row {row[first]}", "ids must be unique")
            else:
                col.problems.append(Problem(col.raw.file, row[pos], name_header, names[pos],
                                            f"duplicate of row {row[first]} (same name and address); not imported again",
                                            severity="duplicate"))
                duplicates.add(pos)
            continue
        if key in first_by_key:
            first = first_by_key[key]
            col.problems.append(Problem(col.raw.file, row[pos], name_header, names[pos],
                                        f"same name and address as row {row[first]}, but a different id; both imported",
                                        "check whether this is the same offer", severity="warning"))
        first_by_id.setdefault(oid, pos)
        first_by_key.setdefault(key, pos)
    return duplicates
