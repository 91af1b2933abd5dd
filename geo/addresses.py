"""Addresses as lists write them -> street, house number, postcode, town (and a note).

"Kerststr.25", "Pirmasenser Straße 60b (Hinterhaus)", "Kaiserslautern, Pirmasenser Straße
60b", "60 b", "60-62", "60/1", "K.-Marx-Str.", "6655" for 06655, "67655 Kaiserslautern" in
the town column: :func:`clean_address` turns them into the record's parts, says what it
changed, and leaves what it cannot be sure of as written.

The matching keys come from geo.geocoding.normalise (the one place that decides when two
spellings are the same address), so geocoding, the gazetteer and duplicate detection
(:func:`duplicate_key`) agree. Two hooks bring in knowledge of the town: ``streets``
(the street names the offline gazetteer knows, to expand "K.-Marx-Str." only when
exactly one known street fits) and ``postcodes`` (postcode -> towns, to restore a lost
leading zero only when the town's postcodes do start with 0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from geo.geocoding.base import AddressQuery
from geo.geocoding.normalise import (
    _POSTCODE, address_key, city_key, cities_match, parse_housenumber, split_street_number, street_key,
)

# A number glued to the street ("Kerststr.25", "Hauptstraße5a"): put the space back.
_GLUED = re.compile(r"(?:(?<=[^\W\d_]\.)|(?<=[^\W\d_]{3}))(?=\d{1,4}\s*[a-zA-Z]?(?:\s*[-/]\s*\d{1,4}\s*[a-zA-Z]?)?\s*$)")
_NOTE_PARENS = re.compile(r"\s*\(([^()]*)\)\s*")
# Words after the number that describe where in the building, not which building.
_NOTE_WORDS = re.compile(
    r"^(?P<number>\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)\s*[,;–-]?\s*"
    r"(?P<note>(?:hinterhaus|vorderhaus|seitenflügel|seitenfluegel|rückgebäude|rueckgebaeude|hof|innenhof|eingang|"
    r"etage|\d+\.\s*(?:og|obergeschoss|etage|stock)|og|eg|ug|erdgeschoss|dachgeschoss|raum|zimmer|büro|buero|haus|"
    r"gebäude|gebaeude|app\.?|wohnung|whg\.?|c/o)\b.*)$", re.IGNORECASE)
_STR_SUFFIX = re.compile(r"(?<=[^\W\d_])(s|S)tr\.(?=\s|$|-)")
_ABBREVIATED_WORD = re.compile(r"\b([^\W\d_]{1,4})\.")
_SPACED_LETTER = re.compile(r"^(\d+)\s+([a-zA-Z])$")


@dataclass
class CleanAddress:
    """The parts of one row's address after cleaning; ``notes`` says what was changed."""

    street: str = ""
    housenumber: str = ""
    postcode: str = ""
    city: str = ""
    note: str = ""  # "Hinterhaus", "2. OG": kept apart from the number, for people
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def query(self) -> AddressQuery:
        return AddressQuery(self.street, self.housenumber, self.postcode, self.city)


class StreetNames:
    """Street names of the town (from the offline gazetteer), for expanding abbreviations.

    ``expand("K.-Marx-Str.")`` is "Karl-Marx-Straße" when exactly one known street
    fits the abbreviation, else None: we never guess between two streets.
    """

    def __init__(self, names: Iterable[str]):
        self._names = sorted({" ".join(str(n).split()) for n in names if str(n).strip()})
        self._keys = {street_key(n) for n in self._names}

    def __len__(self) -> int:
        return len(self._names)

    def known(self, street: str) -> bool:
        return street_key(street) in self._keys

    def expand(self, street: str) -> str | None:
        if not _ABBREVIATED_WORD.search(street) or self.known(street):
            return None
        pattern = _abbreviation_pattern(street)
        hits = [n for n in self._names if pattern.fullmatch(n)]
        return hits[0] if len(hits) == 1 else None


def _abbreviation_pattern(street: str) -> re.Pattern:
    """"K.-Marx-Str." -> K\\w*-Marx-Str(aße|asse|\\.)? as a case-insensitive pattern."""
    out = []
    for token in re.split(r"(\s+|-)", street.strip()):
        if not token:
            continue
        if token.isspace():
            out.append(r"\s*")
        elif token == "-":
            out.append(r"\s*-\s*")
        elif re.fullmatch(r"(?i)str\.?|.+str\.", token):
            stem = token[: -len("str.")] if token.lower().endswith("str.") else ""
            out.append(re.escape(stem) + r"str(?:aße|asse|\.)")
        elif token.endswith("."):
            out.append(re.escape(token[:-1]) + r"[^\W\d_]*\.?")
        else:
            out.append(re.escape(token))
    return re.compile("".join(out), re.IGNORECASE)


def clean_address(street: str = "", housenumber: str = "", postcode: str = "", city: str = "", *,
                  streets: StreetNames | None = None,
                  postcodes: Mapping[str, Iterable[str]] | None = None) -> CleanAddress:
    """Clean one row's address parts; see the module docstring.

    ``postcodes`` maps postcode -> the towns it serves (any postcode list will do: the
    gazetteer's, or GeoNames'); without it a four-digit postcode gets its zero back with
    a warning, as every German postcode has five digits.
    """
    out = CleanAddress(*(" ".join(str(v or "").split()) for v in (street, housenumber, postcode, city)))
    _split_postcode_city(out)
    _town_before_street(out)
    _take_note(out)
    if not out.housenumber and out.street:
        glued = _GLUED.sub(" ", out.street, count=1)
        s, hn = split_street_number(glued)
        if hn:
            if glued != out.street:
                out.notes.append(f"house number split off the street ('{out.street}')")
            out.street, out.housenumber = s, hn
            _take_note(out)
    out.housenumber = _tidy_number(out.housenumber, out)
    expanded = _STR_SUFFIX.sub(lambda m: ("S" if m.group(1) == "S" else "s") + "traße", out.street)
    if streets is not None and len(streets):
        longer = streets.expand(out.street)
        if longer:
            out.notes.append(f"'{out.street}' written out as '{longer}' (the only street of that name in the town)")
            expanded = longer
    out.street = expanded
    _postcode(out, postcodes)
    return out


def _split_postcode_city(out: CleanAddress) -> None:
    """"67655 Kaiserslautern" in one cell (postcode or town column) -> both parts."""
    for attr in ("postcode", "city"):
        value = getattr(out, attr)
        m = re.fullmatch(r"(?:D\s?-\s?)?(\d{4,5})\s*,?\s+([^\d,].*)", value) or \
            re.fullmatch(r"([^\d,].*?)\s*,?\s+(?:D\s?-\s?)?(\d{4,5})", value)
        if not m:
            continue
        pc, town = (m.group(1), m.group(2)) if m.group(1)[0].isdigit() else (m.group(2), m.group(1))
        if attr == "postcode" or not out.postcode:
            out.postcode = pc
        if attr == "city" or not out.city:
            out.city = town.strip()
        elif attr == "postcode" and out.city and not cities_match(city_key(out.city), city_key(town)):
            out.warnings.append(f"the postcode column names the town '{town}', the town column '{out.city}'")


def _town_before_street(out: CleanAddress) -> None:
    """"Kaiserslautern, Pirmasenser Straße 60b" or "67655 Kaiserslautern, ..." in the street column."""
    if "," not in out.street:
        return
    parts = [p.strip() for p in out.street.split(",") if p.strip()]
    with_number = [p for p in parts if split_street_number(_GLUED.sub(" ", p, count=1))[1]]
    if len(parts) < 2 or len(with_number) != 1:
        return
    street_part = with_number[0]
    others = [p for p in parts if p is not street_part]
    town_bits = []
    for p in others:
        m = _POSTCODE.search(p)
        if m:
            out.postcode = out.postcode or m.group(1)
            p = _POSTCODE.sub("", p).strip()
        if p and not re.search(r"\d", p):
            town_bits.append(p)
    if len(town_bits) > 1:
        return
    if town_bits:
        if out.city and not cities_match(city_key(out.city), city_key(town_bits[0])):
            out.warnings.append(f"the street column names the town '{town_bits[0]}', the town column '{out.city}'")
        out.city = out.city or town_bits[0]
    out.notes.append(f"town and street taken apart ('{out.street}')")
    out.street = street_part


def _take_note(out: CleanAddress) -> None:
    """"60b (Hinterhaus)" / "60b, 2. OG" -> number "60b", note "Hinterhaus" / "2. OG"."""
    for attr in ("street", "housenumber"):
        value = getattr(out, attr)
        notes = _NOTE_PARENS.findall(value)
        if notes:
            value = _NOTE_PARENS.sub(" ", value).strip()
            out.note = "; ".join(n for n in [out.note, *notes] if n)
        if attr == "housenumber":
            m = _NOTE_WORDS.match(value)
            if m:
                value = m.group("number")
                out.note = "; ".join(n for n in (out.note, m.group("note").strip()) if n)
        setattr(out, attr, value.strip())


def _tidy_number(number: str, out: CleanAddress) -> str:
    """"60 b" -> "60b", "Nr. 5" -> "5", "60 - 62" -> "60-62"; anything else stays as written."""
    n = re.sub(r"^(?:haus\s*nr\.?|hausnummer|nr\.?|no\.?|#)\s*(?=\d)", "", number, flags=re.IGNORECASE).strip()
    n = _SPACED_LETTER.sub(lambda m: m.group(1) + m.group(2).lower(), n)
    n = re.sub(r"^(\d+[a-zA-Z]?)\s*([-/])\s*(\d+[a-zA-Z]?)$", r"\1\2\3", n)
    n = re.sub(r"^(\d+)([A-Z])$", lambda m: m.group(1) + m.group(2).lower(), n)
    if n and not re.match(r"\d", n):
        out.warnings.append(f"house number '{number}' does not start with a number")
    return n


def _postcode(out: CleanAddress, postcodes: Mapping[str, Iterable[str]] | None) -> None:
    pc = re.sub(r"^D\s?-\s?", "", out.postcode).strip()
    if re.fullmatch(r"\d{4}(?:\.0)?", pc):
        pc = pc[:4]
        padded = "0" + pc
        if postcodes is None:
            out.notes.append(f"four-digit postcode {pc}: leading zero added ({padded})")
            out.postcode = padded
            return
        towns = [city_key(t) for t in postcodes.get(padded, ())]
        town = city_key(out.city)
        if padded in postcodes and (not town or any(cities_match(town, t) for t in towns)):
            out.notes.append(f"four-digit postcode {pc}: leading zero added ({padded})")
            out.postcode = padded
        else:
            out.warnings.append(f"four-digit postcode {pc}: {padded} is not a postcode of "
                                f"{out.city or 'the town'}; kept as written")
            out.postcode = pc
        return
    if pc and not re.fullmatch(r"\d{5}", pc):
        out.warnings.append(f"'{out.postcode}' is not a five-digit German postcode; kept as written")
    out.postcode = pc


def duplicate_key(address: CleanAddress | AddressQuery) -> tuple[str, str, str]:
    """(street key, house number key, town key): equal for every spelling of one address.

    The postcode is left out on purpose: "Klosterstr. 8" with and without "67655" is one
    place; the town is "" when a row has none, which the caller treats as a wildcard.
    """
    q = address.query if isinstance(address, CleanAddress) else address
    return street_key(q.street), parse_housenumber(q.housenumber).key, city_key(q.city)


def full_key(address: CleanAddress) -> str:
    """geo.geocoding.normalise's key of the whole address (what the geocoding cache uses)."""
    return address_key(address.query)
