"""Address columns -> the record's street, house number, postcode and town.

A one-cell address column ("Willy-Brandt-Platz 1, 67657 Kaiserslautern") fills the empty
parts; then every row's parts are cleaned by geo.addresses (glued numbers, notes, town
before street, abbreviations with the gazetteer's street names, lost leading zeros).
What was changed is reported as a note, what looks wrong as a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from geo.addresses import StreetNames, clean_address
from geo.collect import Collector

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

def split_address_column(out: pd.DataFrame, address: pd.Series, col: Collector) -> None:
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



def clean_addresses(out: pd.DataFrame, col: Collector, streets: StreetNames | None = None,
                    postcodes: Mapping[str, Iterable[str]] | None = None) -> list[str]:
    """Clean every row's address parts in place; returns each row's address note ("Hinterhaus") or ""."""
    parts = list(zip(*(out[c].tolist() for c in ("street", "housenumber", "postcode", "city"))))
    cleaned = {p: clean_address(*p, streets=streets, postcodes=postcodes) for p in dict.fromkeys(parts)}
    columns = {c: [] for c in ("street", "housenumber", "postcode", "city")}
    notes = []
    for pos, p in enumerate(parts):
        address = cleaned[p]
        for c in columns:
            columns[c].append(getattr(address, c))
        notes.append(address.note)
        shown = " ".join(v for v in p[:2] if v) or p[2] or p[3]
        for severity, messages in (("note", address.notes), ("warning", address.warnings)):
            for message in messages:
                column = "postcode" if "postcode" in message else "street"
                col.add(pos, column, p[2] if column == "postcode" else shown, message, severity=severity)
    for c, values in columns.items():
        out[c] = values
    return notes
