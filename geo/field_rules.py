"""Rules for the simple fields of an offer: closed value sets, numbers, ages, e-mail, web, dates, languages.

Each rule reads one column (a pandas Series of text), interprets each distinct value
once, and reports problems through the file's Collector (geo.collect).
"""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import opening_hours
import pandas as pd

from geo.collect import Collector
from geo.languages import LanguageEntry, UnknownLanguage, language_name, parse_language_entry
from geo.text import fold

# Multi-value cells: split on ; , or | outside parentheses ("Arabisch (Mo, Di)" stays whole).
_SPLIT_RE = re.compile(r"[;,|](?![^()]*\))")
_EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")
LOCATION_TYPES = {
    "physical": "physical", "vor ort": "physical", "praesenz": "physical", "prasenz": "physical",
    "ort": "physical", "stationar": "physical", "in person": "physical", "on site": "physical",
    "virtual": "virtual", "online": "virtual", "digital": "virtual", "virtuell": "virtual",
    "telefonisch": "virtual", "telefon": "virtual", "phone": "virtual", "by phone": "virtual",
    "online/telefonisch": "virtual", "online und telefonisch": "virtual", "video": "virtual",
}
APPOINTMENT = {
    "none": "none", "keiner": "none", "keine": "none", "nein": "none", "no": "none", "offen": "none",
    "ohne termin": "none", "ohne": "none", "not needed": "none",
    "recommended": "recommended", "empfohlen": "recommended", "erwunscht": "recommended", "besser mit termin": "recommended",
    "required": "required", "erforderlich": "required", "notig": "required", "ja": "required", "yes": "required",
    "nur mit termin": "required", "nur nach termin": "required", "nach vereinbarung": "required", "pflicht": "required",
}
WHEELCHAIR = {
    "yes": "yes", "ja": "yes", "barrierefrei": "yes", "true": "yes", "1": "yes", "x": "yes", "rollstuhlgerecht": "yes",
    "limited": "limited", "eingeschrankt": "limited", "teilweise": "limited", "bedingt": "limited", "partial": "limited",
    "teilweise barrierefrei": "limited",
    "no": "no", "nein": "no", "false": "no", "0": "no", "nicht barrierefrei": "no",
    "unknown": "unknown", "unbekannt": "unknown", "?": "unknown", "k.a.": "unknown", "keine angabe": "unknown",
}
COST = {
    "free": "free", "kostenlos": "free", "kostenfrei": "free", "gratis": "free", "umsonst": "free", "0": "free",
    "frei": "free", "nein": "free", "keine": "free", "no": "free",
    "fee": "fee", "kostenpflichtig": "fee", "gebuhr": "fee", "gebuhrenpflichtig": "fee", "ja": "fee", "yes": "fee",
    "paid": "fee", "eigenanteil": "fee",
    "unknown": "unknown", "unbekannt": "unknown", "k.a.": "unknown", "keine angabe": "unknown",
}
# Cells are compared folded; fold the tables' own words the same way ("true" must meet fold("TRUE")).
LOCATION_TYPES, APPOINTMENT, WHEELCHAIR, COST = (
    {fold(word): key for word, key in table.items()} for table in (LOCATION_TYPES, APPOINTMENT, WHEELCHAIR, COST))


def split_cell(value: str) -> list[str]:
    """Items of a multi-value cell, split on ; , or | outside parentheses."""
    return [p.strip() for p in _SPLIT_RE.split(value) if p.strip()]


def map_languages(values: pd.Series, col: Collector) -> tuple[list[list[str]], list[dict]]:
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


def map_simple(values: pd.Series, table: dict[str, str], column: str, col: Collector, empty: str,
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


def numbers(values: pd.Series) -> pd.Series:
    """Decimal numbers, accepting German decimal commas ("49,4447")."""
    cleaned = values.str.strip().str.replace("\u2212", "-", regex=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce")


def ages(low: pd.Series, high: pd.Series, col: Collector) -> tuple[pd.Series, pd.Series]:
    result = []
    for name, values in (("age_min", low), ("age_max", high)):
        nums = numbers(values)
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


def opening_hours_error(expr: str) -> str | None:
    """None when expr is valid OSM opening_hours syntax, else the parser's complaint in one line."""
    try:
        opening_hours.OpeningHours(expr)
    except (opening_hours.ParserError, ValueError, TypeError) as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip().startswith("= ")]
        return lines[0][2:] if lines else str(exc).splitlines()[0]
    return None


def emails(values: pd.Series, col: Collector) -> list[str]:
    result = []
    for pos, value in enumerate(values.tolist()):
        value = value.removeprefix("mailto:").strip()
        if value and not _EMAIL_RE.match(value):
            col.add(pos, "email", value, "not an e-mail address; left empty", severity="warning")
            value = ""
        result.append(value)
    return result


def websites(values: pd.Series, col: Collector) -> list[str]:
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


def dates(values: pd.Series, col: Collector) -> list[str]:
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
