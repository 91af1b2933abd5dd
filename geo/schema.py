"""The offer record: its fields, closed value sets and the problem type of validation.

Field names follow the Open Referral HSDS 3.0 model closely enough that an HSDS
export is a mapping (see geo/export.py): an offer is an HSDS *service at location*.

In memory, offers are a GeoDataFrame (EPSG:4326) with exactly :data:`OFFER_COLUMNS`
plus ``geometry``; list-valued fields are Python lists, ``language_notes`` is a dict.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

CATEGORY_KEYS_BUILTIN = (
    "counselling", "language_course", "meeting_place", "sports", "doctor", "authority", "other",
)
LOCATION_TYPES = ("physical", "virtual")
APPOINTMENT_VALUES = ("none", "recommended", "required")
WHEELCHAIR_VALUES = ("yes", "limited", "no", "unknown")
COST_VALUES = ("free", "fee", "unknown")

# Where a row's coordinates came from / why it has none.
GEOCODE_STATUSES = (
    "given",         # coordinates were in the input
    "ok",            # geocoded now
    "cached",        # geocoded earlier, taken from the cache
    "not_located",   # no coordinates and no geocoder configured
    "not_found",     # providers found nothing
    "outside_area",  # providers only found places outside the area
    "error",         # providers failed
    "virtual",       # online / phone-only offer, has no place
)

# The offer record, in export order. Text fields are "" when empty, never None.
# opening_hours is OSM syntax; opening_hours_text keeps hours we could not read, shown as written.
OFFER_COLUMNS = (
    "id", "name", "category", "organisation", "description",
    "street", "housenumber", "postcode", "city", "lat", "lon", "location_type",
    "district", "languages", "language_notes", "target_groups", "age_min", "age_max",
    "opening_hours", "opening_hours_text", "appointment", "phone", "email", "website", "wheelchair", "cost",
    "last_verified", "source",
    "geocode_status", "geocode_precision", "geocode_provider", "district_status",
)
TEXT_COLUMNS = (
    "id", "name", "category", "organisation", "description", "street", "housenumber",
    "postcode", "city", "location_type", "district", "opening_hours", "opening_hours_text", "appointment", "phone",
    "email", "website", "wheelchair", "cost", "last_verified", "source",
    "geocode_status", "geocode_precision", "geocode_provider", "district_status",
)
LIST_COLUMNS = ("languages", "target_groups")
# district_status: "inside" (in a district), "outside" (outside every district), "" (no districts / no place)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input row (or with the whole file when row is None).

    ``row`` is the row number as a spreadsheet shows it (header = row 1).
    ``severity`` is "error" (the row is rejected) or "warning" (the row is stored).
    """

    file: str
    row: int | None
    column: str
    value: str
    message: str
    suggestion: str = ""
    severity: str = "error"

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        text = f"{where}: {self.message}"
        if self.value:
            text += f" (value {self.value!r})"
        if self.suggestion:
            text += f"; {self.suggestion}"
        return text


class InputError(Exception):
    """The input file as a whole is unusable (exit code 2): nothing is changed."""
