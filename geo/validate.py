"""Validation: a RawTable of text cells -> offer records plus one problem list.

Column by column, not row by row: every distinct cell value of a column is
interpreted once (a town's 100,000 rows hold a few hundred distinct category,
language and opening-hours strings), and problems are collected with the row
number a spreadsheet shows. The rules live in their own modules:
geo.field_rules (closed value sets, ages, contacts, dates, languages),
geo.vocab_rules (categories, target groups), geo.address_rules, geo.coordinates,
geo.placeholders and geo.duplicates.

Every row ends in exactly one of: ``offers`` (possibly marked for review, see
``review``), ``rejected_rows`` (an error), ``duplicate_rows``. Severities are described
in geo.collect.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo import field_rules as rules
from geo.address_rules import clean_addresses, split_address, split_address_column
from geo.addresses import StreetNames
from geo.collect import Collector
from geo.coordinates import read_coordinates
from geo.duplicates import assign_ids, find_duplicates, offer_id
from geo.field_rules import opening_hours_error, parse_date, split_cell
from geo.hours_de import APPOINTMENT_ONLY, CONVERTED, NOT_UNDERSTOOD, read_opening_hours
from geo.placeholders import check_archived, check_placeholders
from geo.readers.tabular import RawTable
from geo.schema import OFFER_COLUMNS
from geo.settings import Settings
from geo.vocab import categories_from_config, target_groups_from_config
from geo.vocab_rules import map_category, map_target_groups

__all__ = ["ValidationResult", "validate_table", "offer_id", "opening_hours_error", "parse_date", "split_address",
           "split_cell"]


@dataclass
class ValidationResult:
    """Valid offers (not yet geocoded or assigned to districts) and all problems.

    ``offers`` holds every kept row, in file order; ``review[i]`` lists the reasons why
    offer i must wait for a person before it is published (empty: publish it);
    ``extras[i]`` holds offer i's extra attributes (columns no field takes, known ones
    such as ``capacity`` under their name).
    """

    offers: pd.DataFrame
    problems: list = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)
    duplicate_rows: set[int] = field(default_factory=set)
    rows_read: int = 0
    offer_rows: list[int] = field(default_factory=list)  # spreadsheet row of each offer
    review: list[list[str]] = field(default_factory=list)
    extras: list[dict] = field(default_factory=list)

    @property
    def review_rows(self) -> set[int]:
        """Spreadsheet rows of the offers that wait for review."""
        return {row for row, reasons in zip(self.offer_rows, self.review) if reasons}

    @property
    def publishable(self) -> np.ndarray:
        """Boolean mask over ``offers``: rows without a review reason."""
        return np.array([not reasons for reasons in self.review], dtype=bool)


def validate_table(raw: RawTable, settings: Settings, source: str, *,
                   value_mappings: Mapping[str, Mapping[str, str]] | None = None,
                   street_names: Iterable[str] | None = None,
                   postcodes: Mapping[str, Iterable[str]] | None = None) -> ValidationResult:
    """Turn a RawTable into offer records; see the module docstring for the rules.

    Parameters
    ----------
    value_mappings
        Remembered value mappings ``{"category": {folded word: key}, "target_group": {...}}``
        (geo.vocab.map_value); they win over the built-in vocabulary.
    street_names, postcodes
        What the offline gazetteer knows of the town (``Gazetteer.street_names()``,
        ``Gazetteer.postcode_towns()``): abbreviated streets are written out and lost
        leading zeros restored only when these agree.
    """
    frame = raw.frame
    n = len(frame)
    col = Collector(raw)
    cats = categories_from_config(settings.vocabulary.categories)
    groups = target_groups_from_config(settings.vocabulary.target_groups)
    remembered = value_mappings or {}

    def text(name: str) -> pd.Series:
        return frame[name].fillna("").astype(str) if name in frame else pd.Series([""] * n, dtype=object)

    out = pd.DataFrame(index=range(n))
    for name in ("name", "organisation", "description", "street", "housenumber", "postcode", "city", "phone",
                 "email", "website", "id"):
        out[name] = text(name).str.strip().values
    if "postcode_city" in frame:
        # "PLZ Ort" in one column: the address cleaning takes it apart
        both = text("postcode_city").tolist()
        out["city"] = [c or b for c, b in zip(out["city"].tolist(), both)]
    out["source"] = source

    split_address_column(out, text("address"), col)
    address_notes = clean_addresses(out, col, StreetNames(street_names) if street_names else None, postcodes)
    for pos in np.flatnonzero(out["name"].str.len().values == 0):
        col.add(pos, "name", "", "the offer has no name", "every row needs a name")
    out["category"] = map_category(text("category"), cats, col, remembered.get("category"))
    out["target_groups"] = map_target_groups(text("target_groups"), groups, col, remembered.get("target_group"))
    langs, notes = rules.map_languages(text("languages"), col)
    out["languages"], out["language_notes"] = langs, notes
    out["location_type"] = rules.map_simple(text("location_type"), rules.LOCATION_TYPES, "location_type", col,
                                            "physical", "physical (vor Ort) or virtual (online, telefonisch)")
    out["appointment"] = rules.map_simple(text("appointment"), rules.APPOINTMENT, "appointment", col, "",
                                          "none (keiner), recommended (empfohlen), required (erforderlich)")
    out["wheelchair"] = rules.map_simple(text("wheelchair"), rules.WHEELCHAIR, "wheelchair", col, "unknown",
                                         "yes (ja), limited (eingeschränkt), no (nein), unknown (unbekannt)")
    out["cost"] = rules.map_simple(text("cost"), rules.COST, "cost", col, "unknown",
                                   "free (kostenlos), fee (kostenpflichtig), unknown (unbekannt)")
    out["age_min"], out["age_max"] = rules.ages(text("age_min"), text("age_max"), col)
    original_hours = _opening_hours(out, text("opening_hours"), col)
    # our own exports carry the text of hours nobody could read: it round-trips
    out["opening_hours_text"] = [t or given for t, given in zip(out["opening_hours_text"], text("opening_hours_text"))]
    out["email"] = rules.emails(out["email"], col)
    out["website"] = rules.websites(out["website"], col)
    check_placeholders(out, col)
    out["last_verified"] = rules.dates(text("last_verified"), col)
    out["lat"], out["lon"] = read_coordinates(text, settings, col, out["location_type"],
                                              settings.import_.crs)
    out["district"] = ""
    out["district_status"] = ""
    out["geocode_status"] = np.where(out["location_type"] == "virtual", "virtual",
                                     np.where(out["lat"].notna(), "given", "not_located"))
    out["geocode_precision"] = np.where(out["geocode_status"] == "given", "given", "")
    out["geocode_provider"] = ""
    extras = _extras(raw, col, address_notes, original_hours)
    check_archived(raw.extras, col)
    assign_ids(out, col)
    duplicates = find_duplicates(out, col)

    keep = np.ones(n, dtype=bool)
    keep[list(col.rejected | duplicates)] = False
    kept = np.flatnonzero(keep)
    offers = out.loc[keep, list(OFFER_COLUMNS)].reset_index(drop=True)
    row_of = {pos: raw.row_numbers[pos] for pos in range(n)}
    return ValidationResult(
        offers=offers,
        problems=col.problems,
        rejected_rows={row_of[p] for p in col.rejected},
        duplicate_rows={row_of[p] for p in duplicates - col.rejected},
        rows_read=n,
        offer_rows=[raw.row_numbers[p] for p in kept],
        review=[list(col.review.get(p, [])) for p in kept],
        extras=[extras[p] for p in kept],
    )


def _opening_hours(out: pd.DataFrame, values: pd.Series, col: Collector) -> list[str]:
    """OSM hours into ``opening_hours``, text we cannot read into ``opening_hours_text`` (never emptied);
    "nach Vereinbarung" sets the appointment flag when the list gives none. Returns the original
    text of converted hours (kept as an extra attribute)."""
    readings = {v: read_opening_hours(v) for v in dict.fromkeys(values.tolist()) if v}
    osm, kept_text, originals = [], [], []
    appointment = out["appointment"].tolist()
    for pos, value in enumerate(values.tolist()):
        reading = readings.get(value)
        if reading is None:
            osm.append("")
            kept_text.append("")
            originals.append("")
            continue
        osm.append(reading.osm)
        kept_text.append(reading.text)
        originals.append(value if reading.status in (CONVERTED, APPOINTMENT_ONLY) else "")
        if reading.appointment and not appointment[pos]:
            appointment[pos] = reading.appointment
        if reading.status == NOT_UNDERSTOOD:
            col.add(pos, "opening_hours", value, reading.message, severity="warning")
        elif reading.assumptions:
            col.add(pos, "opening_hours", value, reading.message + "; " + "; ".join(reading.assumptions),
                    "check the reading", severity="warning")
        elif reading.status in (CONVERTED, APPOINTMENT_ONLY):
            col.add(pos, "opening_hours", value, reading.message, severity="note")
    out["opening_hours"] = osm
    out["opening_hours_text"] = kept_text
    out["appointment"] = appointment
    return originals


def _extras(raw: RawTable, col: Collector, address_notes: list[str], original_hours: list[str]) -> list[dict]:
    """Each row's extra attributes: the columns no field takes (empty cells left out), the address
    note, the original opening-hours text; ``capacity`` as a whole number where it is one."""
    records = raw.extras.to_dict("records") if len(raw.extras.columns) else [{} for _ in range(len(raw.frame))]
    out = []
    for pos, record in enumerate(records):
        extra = {k: str(v) for k, v in record.items() if v is not None and str(v).strip()}
        if address_notes[pos]:
            extra.setdefault("address_note", address_notes[pos])
        if original_hours[pos]:
            extra["opening_hours_original"] = original_hours[pos]
        if "capacity" in extra:
            extra["capacity"] = _capacity(pos, extra["capacity"], col)
        out.append(extra)
    return out


def _capacity(pos: int, value: str, col: Collector) -> int | str:
    """"12", "12 Plätze", "ca. 40" -> a whole number; anything else stays text, with a warning."""
    header = col.raw.mapping.header_of("capacity") or "capacity"
    digits = re.findall(r"\d+", value)
    if len(digits) == 1 and not re.search(r"\d\s*[-–/]\s*\d", value):
        number = int(digits[0])
        if digits[0] != value.strip():
            col.add(pos, header, value, f"capacity read as {number}", severity="note")
        return number
    col.add(pos, header, value, "capacity is not one whole number; kept as written (it counts 1 as a supply weight)",
            "write the number of places, e.g. 12", severity="warning")
    return value
