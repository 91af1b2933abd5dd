"""Address normalisation: the one place that decides when two spellings are the same address.

Spreadsheets write the same address many ways: "Marktstr. 5", "Marktstrasse 5",
"MARKTSTRASSE 5", "Markt-Straße Nr. 5", "67655 Kaiserslautern" or "Kaiserslautern 67655".
The gazetteer and the cache compare *keys* built here, so every variant that means the
same address gets the same key, and nothing else does.

Nothing in this module does I/O; all functions are pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.geocoding.base import AddressQuery
from geo.text import fold

_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2212]")

# "Str." / "str" at the end of a word is Straße; "strauchweg" is not (no word boundary).
_STR_ABBREV = re.compile(r"str\b\.?")
_PLATZ_ABBREV = re.compile(r"pl\.|\bpl\b")
# "St. Martin" at the start, or "St." with a dot anywhere, is Sankt.
_SANKT_START = re.compile(r"^st\b\.?[\s-]*(?=[a-z])")
_SANKT_DOT = re.compile(r"(?<![a-z])st\.[\s-]*(?=[a-z])")

_NUMBER_PREFIX = re.compile(r"^(?:haus\s*nr\.?|hausnummer|nr\.?|no\.?|#)\s*")
_NUMBER_PREFIX_ANYCASE = re.compile(r"^(?:haus\s*nr\.?|hausnummer|nr\.?|no\.?|#)\s*(?=\d)", re.IGNORECASE)
# One house number with an optional single-letter suffix ("12", "12a", "12 a").
_HN = r"\d+(?:\s?[a-z](?![a-z]))?"
_HN_SINGLE = re.compile(r"^(\d+)\s*([a-z]?)$")
_HN_PAIR = re.compile(r"^(\d+)\s*([a-z]?)\s*([-/])\s*(\d+)\s*([a-z]?)$")
_HN_SUFFIX_RANGE = re.compile(r"^(\d+)\s*([a-z])\s*-\s*([a-z])$")
_HN_LIST = re.compile(r"^\d+\s*[a-z]?(?:\s*(?:,|;|\+|&|u\.|und)\s*\d+\s*[a-z]?)+$")
_HN_LIST_SEP = re.compile(r"\s*(?:,|;|\+|&|\bu\.|\bund\b)\s*")
_LEADING_NUMBER = re.compile(r"^(\d+)")

# The number part after a street: "5", "3 a", "12-14", "12/1", "1A-C", "12 u. 14"; in a
# street column also lists "95, 97" and "8;10" (a one-line address uses commas between parts).
_HN_JOIN = r"(?:-|/|\+|&|u\.|und)"
_HN_MORE = rf"(?:\s*{_HN_JOIN}\s*(?:{_HN}|[a-z](?![a-z])))*"
_HN_MORE_COLUMN = rf"(?:\s*(?:{_HN_JOIN}|,|;)\s*(?:{_HN}|[a-z](?![a-z])))*"
# A street written with its number: "Marktstraße 5", "Am Hang Nr. 3 a", "Hauptstr. 12-14".
_STREET_WITH_NUMBER = re.compile(
    rf"^(?P<street>.*?[^\d\s,])\s*,?\s+(?:nr\.?\s*)?(?P<hn>{_HN}{_HN_MORE})"
    rf"(?:\s+(?P<city>[^\d].*))?$",
    re.IGNORECASE,
)
_STREET_THEN_NUMBER = re.compile(
    rf"^(?P<street>.*?[^\d\s,])\s*,?\s+(?:nr\.?\s*)?(?P<hn>{_HN}{_HN_MORE_COLUMN})$", re.IGNORECASE)
_POSTCODE = re.compile(r"(?<![\d-])(?:D\s?-\s?)?(\d{5})(?!\d)", re.IGNORECASE)

# Endings and beginnings that mark a street name (used only to tell a street from a city
# when a free-text search gives one word group without number or postcode).
_STREET_ENDINGS = (
    "strasse", "weg", "platz", "allee", "gasse", "ring", "damm", "ufer", "steig", "pfad",
    "chaussee", "markt", "graben", "wall", "promenade", "anger", "bogen", "zeile", "stieg",
    "gasschen", "winkel", "hof", "berg", "tor", "brucke", "kamp", "feld", "garten",
)
_STREET_BEGINNINGS = ("am ", "an der ", "an den ", "im ", "in der ", "in den ", "auf der ",
                      "auf dem ", "zum ", "zur ", "hinter ", "unter ", "bei ", "vor ", "alte ", "alter ")


def street_key(street: str) -> str:
    """The matching key of a street name: "Karl-Marx-Str." and "karl marx strasse" give
    "karlmarxstrasse"."""
    t = fold(street)
    t = _STR_ABBREV.sub("strasse", t)
    t = _PLATZ_ABBREV.sub("platz", t)
    t = _SANKT_START.sub("sankt ", t)
    t = _SANKT_DOT.sub("sankt ", t)
    return re.sub(r"[^a-z0-9]", "", t)


def loose_street_key(key: str) -> str:
    """A looser key for a second try: Fugen-s ("Bahnhofsstraße"/"Bahnhofstraße") and doubled
    letters no longer matter. (Umlauts in every spelling already meet in :func:`fold`.)"""
    return re.sub(r"(.)\1+", r"\1", key)


def city_words(city: str) -> tuple[str, ...]:
    """The words of a town name: "Lauf a.d. Pegnitz" -> ("lauf", "an", "der", "pegnitz")."""
    t = fold(city)
    t = re.sub(r"\ba\.\s?d\.\s?", " an der ", t)
    t = re.sub(r"\bi\.\s?d\.\s?", " in der ", t)
    return tuple(re.findall(r"[a-z0-9]+", t))


def city_key(city: str) -> str:
    """The matching key of a town name (its words joined by single spaces)."""
    return " ".join(city_words(city))


def cities_match(a: str, b: str) -> bool:
    """Whether two city keys may name the same town.

    The first words must agree and the remaining words of the shorter name must all occur
    in the longer one: "lauf" and "lauf pegnitz" match "lauf an der pegnitz",
    "kaiserslautern innenstadt" matches "kaiserslautern", but "frankfurt oder" does not
    match "frankfurt am main".
    """
    wa, wb = a.split(), b.split()
    if not wa or not wb or wa[0] != wb[0]:
        return False
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return set(short[1:]) <= set(long_[1:])


def parse_postcode(text: str) -> str:
    """A German postcode from a field: "67655", "D-67655", "67655 Kaiserslautern"; a
    four-digit value gets its leading zero back (spreadsheets drop it: 1067 -> 01067).
    Returns "" when there is none."""
    t = str(text).strip()
    m = _POSTCODE.search(t)
    if m:
        return m.group(1)
    if re.fullmatch(r"\d{4}(?:\.0)?", t):
        return "0" + t[:4]
    return ""


@dataclass(frozen=True)
class HouseNumber:
    """A parsed house number.

    ``keys`` are the spellings that mean exactly this address ("12a"; "12-14" for a range);
    ``fallbacks`` are nearby keys worth trying next ("12" for "12a", "12" then "14" for
    "12-14"); ``number`` is the leading integer (used to interpolate), None when there is
    no number at all.
    """

    keys: tuple[str, ...]
    fallbacks: tuple[str, ...]
    number: int | None

    @property
    def key(self) -> str:
        return self.keys[0] if self.keys else ""


def _clean_number_text(text: str) -> str:
    t = fold(text)
    t = _NUMBER_PREFIX.sub("", t).strip()
    return t


def parse_housenumber(text: str) -> HouseNumber:
    """Parse a house number as people write it: "12", "12a", "12 A", "Nr. 12", "12-14",
    "12/1", "10a-d", "13, 15"."""
    t = _clean_number_text(text)
    if not t:
        return HouseNumber((), (), None)
    m = _HN_SINGLE.match(t)
    if m:
        n, suffix = int(m.group(1)), m.group(2)
        key = f"{n}{suffix}"
        return HouseNumber((key,), (str(n),) if suffix else (), n)
    m = _HN_PAIR.match(t)
    if m:
        a, sa, sep, b, sb = int(m.group(1)), m.group(2), m.group(3), int(m.group(4)), m.group(5)
        key = f"{a}{sa}{sep}{b}{sb}"
        first, second = f"{a}{sa}", f"{b}{sb}"
        if sep == "-" and b > a:
            fallbacks = [first, second] + ([str(a)] if sa else [])
        else:
            # "12/1" (a sub-address) or "12-1": the main number is the fallback.
            fallbacks = [first] + ([str(a)] if sa else [])
        return HouseNumber((key,), tuple(dict.fromkeys(fallbacks)), a)
    m = _HN_SUFFIX_RANGE.match(t)
    if m:
        n, s1, s2 = int(m.group(1)), m.group(2), m.group(3)
        key = f"{n}{s1}-{s2}"
        return HouseNumber((key,), (f"{n}{s1}", str(n)), n)
    if _HN_LIST.match(t):
        parts = [re.sub(r"\s", "", p) for p in _HN_LIST_SEP.split(t)]
        return HouseNumber((",".join(parts),), tuple(dict.fromkeys(parts)), int(_LEADING_NUMBER.match(parts[0]).group(1)))
    m = _LEADING_NUMBER.match(t)
    if m:
        n = int(m.group(1))
        return HouseNumber((re.sub(r"\s", "", t),), (str(n),), n)
    return HouseNumber((re.sub(r"\s", "", t),), (), None)


def index_housenumber_keys(text: str) -> list[tuple[str, int]]:
    """The keys under which the gazetteer files an OSM ``addr:housenumber`` value, each with
    a rank: 0 = the value itself, 1 = one of the numbers a range or list covers.

    "12-14" is filed as "12-14" (rank 0) and "12", "14" (rank 1); "10a-d" as "10a-d" and
    "10a" … "10d"; "8;10" as "8,10" and "8", "10".
    """
    t = _clean_number_text(text)
    if not t:
        return []
    out: list[tuple[str, int]] = []
    m = _HN_PAIR.match(t)
    if m and m.group(3) == "-" and int(m.group(4)) > int(m.group(1)):
        a, sa, b, sb = int(m.group(1)), m.group(2), int(m.group(4)), m.group(5)
        out.append((f"{a}{sa}-{b}{sb}", 0))
        step = 2 if (b - a) % 2 == 0 else 1
        # Only short ranges are expanded: a "2-98" is a block, not 49 houses at one point.
        if (b - a) // step <= 10:
            out.extend((str(n), 1) for n in range(a, b + 1, step))
        else:
            out.extend([(f"{a}{sa}", 1), (f"{b}{sb}", 1)])
        return _dedupe(out)
    m = _HN_SUFFIX_RANGE.match(t)
    if m and m.group(2) < m.group(3):
        n, s1, s2 = int(m.group(1)), m.group(2), m.group(3)
        out.append((f"{n}{s1}-{s2}", 0))
        out.extend((f"{n}{chr(c)}", 1) for c in range(ord(s1), ord(s2) + 1))
        return _dedupe(out)
    if re.fullmatch(r"\d+\s*[a-z]?(?:\s*[,;]\s*\d+\s*[a-z]?)+", t):
        parts = [re.sub(r"\s", "", p) for p in re.split(r"[,;]", t)]
        out.append((",".join(parts), 0))
        out.extend((p, 1) for p in parts)
        return _dedupe(out)
    hn = parse_housenumber(t)
    return [(hn.key, 0)] if hn.key else []


def _dedupe(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    for key, rank in items:
        if key not in seen or rank < seen[key]:
            seen[key] = rank
    return list(seen.items())


def split_street_number(street: str) -> tuple[str, str]:
    """Split "Marktstraße 5" into ("Marktstraße", "5"); a street without a trailing number
    comes back unchanged with "" as number. "Straße des 17. Juni" stays whole."""
    s = " ".join(str(street).split())
    m = _STREET_THEN_NUMBER.match(s)
    if m and not m.group("street").rstrip().endswith("."):
        return m.group("street").strip().rstrip(","), m.group("hn").strip()
    if m and re.search(r"[a-zäöüß]{2,}\.$", m.group("street"), re.IGNORECASE):
        # "Hauptstr. 5": the dot ends an abbreviation, not a date like "17."
        return m.group("street").strip(), m.group("hn").strip()
    return s, ""


def _text(value) -> str:
    # Table cells may arrive as None or NaN (pandas) instead of "".
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return " ".join(str(value).split())


def clean_query(query: AddressQuery) -> AddressQuery:
    """Tidy an address as read from a spreadsheet: collapse spaces, take a house number
    written into the street column, a postcode written into the city column (or the city
    into the postcode column), drop "Nr." prefixes."""
    street, housenumber, postcode_raw, city = (
        _text(query.street), _text(query.housenumber), _text(query.postcode), _text(query.city))
    if not housenumber and street:
        street, housenumber = split_street_number(street)
    housenumber = _NUMBER_PREFIX_ANYCASE.sub("", housenumber).strip()
    postcode = parse_postcode(postcode_raw)
    if postcode_raw and not city:
        rest = _POSTCODE.sub("", postcode_raw).strip(" ,")
        if re.search(r"[^\W\d_]", rest):
            city = rest
    if not postcode and city:
        found = parse_postcode(city) if _POSTCODE.search(city) else ""
        if found:
            postcode = found
            city = _POSTCODE.sub("", city).strip(" ,")
    elif city and _POSTCODE.search(city):
        city = _POSTCODE.sub("", city).strip(" ,")
    return AddressQuery(street=street, housenumber=housenumber, postcode=postcode, city=city)


def address_key(query: AddressQuery) -> str:
    """The normalised form of an address: equal for every spelling of the same address.
    Used as the cache key (hashed there) and to share one answer between duplicate rows."""
    q = clean_query(query)
    return "|".join((street_key(q.street), parse_housenumber(q.housenumber).key, q.postcode, city_key(q.city)))


def text_key(text: str) -> str:
    """The normalised form of a free-text search that could not be split into parts."""
    return "q|" + " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def looks_like_street(text: str) -> bool:
    """Whether a word group without number reads like a street name rather than a town."""
    f = fold(text)
    key = street_key(text)
    return key.endswith(_STREET_ENDINGS) or f.startswith(_STREET_BEGINNINGS)


def parse_address_text(text: str) -> AddressQuery:
    """Split a one-line address into parts.

    Understands "Marktstraße 5, 67655 Kaiserslautern", "Marktstr. 5 67655 Kaiserslautern",
    "Kaiserslautern 67655, Marktstraße 5", "Marktstraße 5, Kaiserslautern",
    "Marktstraße 5 Kaiserslautern", "67655" and "Marktstraße". A lone word group that does
    not read like a street is taken as the town.
    """
    t = " ".join(_DASHES.sub("-", str(text)).replace("\n", ",").split())
    parts = [p.strip() for p in re.split(r"[,;]", t) if p.strip()]
    street = housenumber = postcode = city = ""
    rest: list[str] = []
    for part in parts:
        m = _POSTCODE.search(part) if not postcode else None
        if m is None:
            rest.append(part)
            continue
        postcode = m.group(1)
        before, after = part[: m.start()].strip(), part[m.end():].strip()
        if after and not re.search(r"\d", after):
            city = after
            if before:
                rest.append(before)
        elif before:
            # "Marktstraße 5 67655" or "Marktstraße 5 Kaiserslautern 67655" or "Kaiserslautern 67655"
            if _STREET_WITH_NUMBER.match(before):
                rest.append(before)
            elif not city:
                city = before
        elif after:
            rest.append(after)
    for part in rest:
        if not street:
            m = _STREET_WITH_NUMBER.match(part)
            if m and not _is_date_like(m.group("street")):
                street, housenumber = m.group("street").strip(), m.group("hn").strip()
                if m.group("city") and not city:
                    city = m.group("city").strip()
                continue
        if not street and (looks_like_street(part) or len(rest) > 1 and part is rest[0]):
            street = part
        elif not city:
            city = part
        elif not street:
            street = part
    return clean_query(AddressQuery(street=street, housenumber=housenumber, postcode=postcode, city=city))


def _is_date_like(street: str) -> bool:
    # "Straße des 17. Juni" must not be read as street "Straße des" number 17.
    return bool(re.search(r"\b(des|der|vom)$", street.strip(), re.IGNORECASE))
