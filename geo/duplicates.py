"""Offer ids and duplicates: the same offer twice in one list is imported once, and both rows are named.

Two rows are the same offer when they have the same given id, or the same address (by
geo.addresses.duplicate_key: "Klosterstr. 8", "Klosterstraße 8", with or without postcode)
and a similar name ("Sozialberatung Süd" / "Sozialberatung Sued"). Rows whose ids were
given and differ are both kept, with a warning: the list says they are two offers.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

import pandas as pd
from rapidfuzz import fuzz

from geo.collect import Collector
from geo.geocoding.normalise import cities_match, city_key, parse_housenumber, street_key
from geo.schema import Problem
from geo.text import fold

_ID_RE = re.compile(r"[\w.:\-]{1,100}")
# Names this similar (rapidfuzz token_set_ratio of the folded names) at one address are one offer.
NAME_SIMILARITY = 90.0


def offer_id(name: str, street: str, housenumber: str, postcode: str, city: str) -> str:
    """Stable id from name + address, so re-importing a sheet without ids keeps ids."""
    key = "|".join(fold(p) for p in (name, street, housenumber, postcode, city))
    return "o-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def assign_ids(out: pd.DataFrame, col: Collector) -> None:
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


def similar_names(a: str, b: str) -> bool:
    """Whether two offer names at one address name the same offer."""
    fa, fb = fold(a), fold(b)
    return fa == fb or fuzz.token_set_ratio(fa, fb) >= NAME_SIMILARITY


def find_duplicates(out: pd.DataFrame, col: Collector) -> set[int]:
    """Frame positions of rows that repeat an earlier row (reported with both rows); see the module docstring."""
    duplicates: set[int] = set()
    first_by_id: dict[str, int] = {}
    at_address: dict[tuple[str, str], list[int]] = defaultdict(list)
    ids, given, names = out["id"].tolist(), out["_given_id"].tolist(), out["name"].tolist()
    streets, numbers, cities = out["street"].tolist(), out["housenumber"].tolist(), out["city"].tolist()
    row = col.raw.row_numbers
    name_header = col.raw.columns.get("name", "name")
    keys = {}

    def duplicate(pos: int, first: int, why: str) -> None:
        col.problems.append(Problem(col.raw.file, row[pos], name_header, names[pos],
                                    f"duplicate of row {row[first]} ({why}); not imported again",
                                    f"row {row[first]}: {names[first]!r}", severity="duplicate"))
        duplicates.add(pos)

    def prefer_reviewed(first: int, pos: int) -> tuple[int, int]:
        # Of two twins the one that needs no review stays: (kept, duplicate).
        return (pos, first) if first in col.review and pos not in col.review else (first, pos)

    for pos in range(len(out)):
        if pos in col.rejected:
            continue
        oid = ids[pos]
        if oid in first_by_id:
            first = first_by_id[oid]
            if given[first] and given[pos]:
                col.add(pos, "id", oid, f"the id is already used by row {row[first]}", "ids must be unique")
            else:
                kept, dup = prefer_reviewed(first, pos)
                first_by_id[oid] = kept
                duplicate(dup, kept, "same name and address")
            continue
        first_by_id[oid] = pos
        if not (streets[pos] and numbers[pos]):
            continue
        key = (street_key(streets[pos]), parse_housenumber(numbers[pos]).key)
        keys[pos] = city_key(cities[pos])
        match = None
        for earlier in at_address[key]:
            town_a, town_b = keys[earlier], keys[pos]
            if (not town_a or not town_b or cities_match(town_a, town_b)) and similar_names(names[earlier], names[pos]):
                match = earlier
                break
        if match is None:
            at_address[key].append(pos)
        elif given[match] and given[pos]:
            col.problems.append(Problem(col.raw.file, row[pos], name_header, names[pos],
                                        f"same address and a similar name as row {row[match]}, but a different id; "
                                        "both imported", "check whether this is the same offer", severity="warning"))
        else:
            kept, dup = prefer_reviewed(match, pos)
            if kept == pos:
                at_address[key][at_address[key].index(match)] = pos
            duplicate(dup, kept, f"same address '{streets[pos]} {numbers[pos]}' and a similar name")
    return duplicates
