"""Open Referral HSDS 3.0 input, in the three forms directories exchange it:

- one JSON object with one array per table (keys singular as in the tabular profile,
  ``"service"``, or plural as the CSV files are named, ``"services"``) – our own export;
- service objects as an HSDS API returns them: a list of them, a page (``{"contents": [...]}``)
  or a single one, with the organization, locations, phones ... nested inside;
- the tabular package: a .zip, a folder or its datapackage.json, one CSV file per table.

Rows come out as a :class:`RawTable` of offer fields (geo.hsds.import_), so the validator
treats them like any list; row numbers count the offers (service at location) in file order.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

from geo.hsds.import_ import offer_rows
from geo.hsds.nesting import flatten
from geo.hsds.spec import TABLE_KEYS
from geo.hsds.tabular import DESCRIPTOR, read_package
from geo.readers.tabular import RawTable, build_raw_table
from geo.schema import InputError, Problem

_GEOJSON_TYPE = re.compile(rb'"type"\s*:\s*"Feature(?:Collection)?"')
# Fields only an HSDS service has (a bare {"id", "name"} could be anything)
_DOCUMENT_KEYS = {"hsds_version", "version", "profile", "name", "title", "description", "created", "licenses"}
_SERVICE_KEYS = {"status", "service_at_locations", "organization", "organization_id", "eligibility_description",
                 "fees_description", "schedules", "phones", "application_process"}


def is_package(path: str | Path) -> bool:
    """Whether ``path`` is an HSDS tabular package (zip, folder or datapackage.json)."""
    path = Path(path)
    if path.is_dir():
        return (path / DESCRIPTOR).is_file()
    if path.name == DESCRIPTOR:
        return path.is_file()
    return path.suffix.lower() == ".zip"


def looks_like_geojson(path: str | Path) -> bool:
    """Whether a .json file's start names a GeoJSON Feature/FeatureCollection (read with the
    GeoJSON reader); everything else in .json is read as HSDS."""
    try:
        with open(path, "rb") as fh:
            return bool(_GEOJSON_TYPE.search(fh.read(65536)))
    except OSError:
        return True  # let the GeoJSON reader say what is wrong with the file


def read_hsds(path: str | Path) -> RawTable:
    """Read an HSDS document or package into a :class:`RawTable` of offer fields.

    Raises
    ------
    InputError
        The file is missing, not JSON, not HSDS, or holds no service.
    """
    path = Path(path)
    tables, problems = load_tables(path)
    headers, rows, more = offer_rows(tables, path.name)
    problems += more
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(f"{path.name}: {errors[0].message}")
    raw = build_raw_table(path.name, headers, rows, problems, first_row_number=1, skip_blank=False)
    # One note instead of a warning per column: the columns are ours, made for the values
    # HSDS has and our offers have no field for (and "row 1" would blame the first offer).
    kept = [p for p in raw.problems if p.row is not None and p.message.startswith("column kept as extra attribute")]
    if kept:
        raw.problems = [p for p in raw.problems if p not in kept]
        raw.problems.append(Problem(path.name, None, "", ", ".join(p.column for p in kept),
                                    "HSDS values no field of the offer takes are kept as extra attributes",
                                    severity="note"))
    return raw


def load_tables(path: Path) -> tuple[dict[str, list[dict]], list[Problem]]:
    """The tables of any HSDS form, with notes on what was skipped."""
    if is_package(path):
        if path.is_file() and path.suffix.lower() == ".zip" and not zipfile.is_zipfile(path):
            raise InputError(f"{path.name}: not a readable zip file")
        tables, notes = read_package(path)
        return tables, [Problem(path.name, None, "", "", note, severity="warning") for note in notes]
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: JSON must be UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    tables, notes = tables_of(doc, path.name)
    return tables, [Problem(path.name, None, "", "", note, severity="warning") for note in notes]


def tables_of(doc, name: str = "") -> tuple[dict[str, list[dict]], list[str]]:
    """Tables from a parsed JSON document in any of the JSON forms (see the module docstring),
    and notes on what was not read."""
    if isinstance(doc, Mapping) and isinstance(doc.get("contents"), list):
        doc = doc["contents"]  # a page of an HSDS API answer
    if isinstance(doc, Mapping) and _is_service(doc):
        doc = [doc]
    if isinstance(doc, list) and doc and all(isinstance(s, Mapping) and _is_service(s) for s in doc):
        return flatten(doc), []
    if isinstance(doc, Mapping) and any(TABLE_KEYS.get(k) == "service" for k in doc):
        tables: dict[str, list[dict]] = {}
        notes = []
        for key, rows in doc.items():
            table = TABLE_KEYS.get(key)
            if table is None:
                if key not in _DOCUMENT_KEYS:
                    notes.append(f"{key!r} is not an HSDS 3.0 table; not read")
                continue
            if not isinstance(rows, list):
                notes.append(f"{key!r} is not an array of records; not read")
                continue
            others = sum(not isinstance(r, Mapping) for r in rows)
            if others:
                notes.append(f"{key!r}: {others} entries are not records (objects); not read")
            # rows may themselves hold nested records (an API's objects put in a table)
            for nested, records in flatten(rows, table).items():
                tables.setdefault(nested, []).extend(records)
        return _unique(tables), notes
    raise InputError(f"{name}: neither a GeoJSON FeatureCollection nor Open Referral HSDS 3.0 (expected an object "
                     "with a \"services\" array, a list of HSDS service objects, or a tabular package)")


def _is_service(obj: Mapping) -> bool:
    return "name" in obj and bool(_SERVICE_KEYS & set(obj))


def _unique(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Records that came both flat and nested (an organisation in its table and inside a
    service) are kept once, by id."""
    out = {}
    for name, rows in tables.items():
        seen: dict = {}
        kept = []
        for row in rows:
            rid = row.get("id")
            if not isinstance(rid, (str, int, float)) or rid == "":
                kept.append(row)
            elif rid in seen:
                for k, v in row.items():
                    seen[rid].setdefault(k, v)
            else:
                seen[rid] = row
                kept.append(row)
        out[name] = kept
    return out
