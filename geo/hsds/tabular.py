"""The HSDS tabular form: one CSV file per table and a datapackage.json, zipped.

The package follows the specification's tabular profile: file names, columns in the order of
the schemas (every scalar field of the table, empty cells where we know nothing), field types
(number, date, time, datetime), string formats (uuid, uri, email), ``required`` and
``unique`` constraints, ``id`` as primary key and foreign keys for every ``<table>_id`` column
whose table is in the package. CSV is UTF-8 without BOM, comma-separated, RFC 4180 quoting.

Two decisions:

- A required text field we have no value for (an address without street, a state we do not
  know) is an empty string, exactly as in the JSON form, where the schemas accept "". Table
  Schema reads an empty cell as *missing* unless told otherwise, so those fields declare
  ``"missingValues": []``: their empty cells are empty strings. Every other field keeps the
  default (an empty cell is no value).
- Like every CSV we write (geo.spreadsheet), a text cell a spreadsheet would run as a formula
  ("=Treff", "@Initiative") gets a leading apostrophe; reading a package takes it off again.

The writer is deterministic: the same offers give the same bytes (no timestamps inside).
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections.abc import Mapping
from pathlib import Path

from geo.hsds.spec import TABLES, Table
from geo.schema import InputError
from geo.spreadsheet import neutralise, restore

DESCRIPTOR = "datapackage.json"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_REFERENCE_ALIASES = {"parent_organization_id": "organization", "parent_id": "taxonomy_term"}


def package_descriptor(tables: list[str]) -> dict:
    """datapackage.json for a package holding ``tables`` (table names, in this order)."""
    return {
        "profile": "tabular-data-package",
        "name": "angebotskarte-hsds",
        "title": "Angebotskarte offers as Open Referral HSDS 3.0",
        "description": "Human Services Data Specification 3.0, tabular form: one CSV file per table.",
        "resources": [_resource(TABLES[name], set(tables)) for name in tables],
    }


def _resource(table: Table, present: set[str]) -> dict:
    fields = []
    for f in table.fields:
        field: dict = {"name": f.name, "type": f.type}
        if f.type == "string" and f.format in ("uuid", "uri", "email"):
            field["format"] = f.format
        constraints = {k: True for k, on in (("required", f.required), ("unique", f.unique)) if on}
        if constraints:
            field["constraints"] = constraints
        if f.required and f.type == "string" and f.name != "id" and not f.format:
            field["missingValues"] = []  # an empty cell is "", not "no value" (see the module docstring)
        fields.append(field)
    foreign = []
    for f in table.fields:
        target = _REFERENCE_ALIASES.get(f.name, f.name.removesuffix("_id")) if f.name.endswith("_id") else ""
        if target in present and target in TABLES:
            foreign.append({"fields": f.name,
                            "reference": {"resource": "" if target == table.name else target, "fields": "id"}})
    schema: dict = {"fields": fields, "primaryKey": "id"}
    if foreign:
        schema["foreignKeys"] = foreign
    return {"name": table.name, "path": table.path, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": schema}


def write_package(doc: Mapping, path: str | Path) -> None:
    """Write the tables of ``doc`` (geo.hsds.export.to_hsds) as a zipped tabular package."""
    tables = [name for name in TABLES if isinstance(doc.get(name), list)]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, DESCRIPTOR, json.dumps(package_descriptor(tables), ensure_ascii=False, indent=1) + "\n")
        for name in tables:
            _add(archive, TABLES[name].path, table_csv(TABLES[name], doc[name]))


def _add(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text.encode("utf-8"))


def table_csv(table: Table, rows: list[Mapping]) -> str:
    """One table as CSV text: every scalar field of the table as a column, in the schema's order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.field_names)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in table.field_names])
    return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return neutralise(str(value))


# -- reading -------------------------------------------------------------------------------------

def read_package(path: str | Path) -> tuple[dict[str, list[dict]], list[str]]:
    """The tables of a tabular package (a .zip, a folder or its datapackage.json), typed.

    Returns the tables (``{"service": [...], ...}``, values as in the JSON form: numbers as
    numbers, empty cells left out) and notes on what was skipped (files that are no HSDS table,
    columns a table does not have are kept and named).

    Raises
    ------
    InputError
        No datapackage.json, or a file it names is missing or unreadable.
    """
    path = Path(path)
    files = _PackageFiles(path)
    try:
        descriptor = json.loads(files.read(DESCRIPTOR))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name}: {DESCRIPTOR} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        raise InputError(f"{path.name}: {DESCRIPTOR} lists no resources")
    by_path = {t.path: t for t in TABLES.values()}
    tables: dict[str, list[dict]] = {}
    notes: list[str] = []
    for resource in resources:
        if not isinstance(resource, dict):
            continue
        name, file = str(resource.get("name") or ""), str(resource.get("path") or "")
        table = TABLES.get(name) or by_path.get(Path(file).name)
        if table is None:
            notes.append(f"{file or name}: not an HSDS 3.0 table; skipped")
            continue
        tables.setdefault(table.name, []).extend(_typed_rows(table, files.read(file), f"{path.name}/{file}", notes))
    return tables, notes


class _PackageFiles:
    """Files of a package in a zip file or a folder."""

    def __init__(self, path: Path):
        self.path = path
        if path.is_file() and zipfile.is_zipfile(path):
            self.archive = zipfile.ZipFile(path)
            names = self.archive.namelist()
            descriptor = sorted((n for n in names if n.rsplit("/", 1)[-1] == DESCRIPTOR), key=len)
            if not descriptor:
                raise InputError(f"{path.name}: a zip file without {DESCRIPTOR}; expected an HSDS tabular package "
                                 "(datapackage.json and one CSV file per table)")
            self.prefix = descriptor[0][: -len(DESCRIPTOR)]
        else:
            self.archive = None
            self.folder = path if path.is_dir() else path.parent
            if not (self.folder / DESCRIPTOR).is_file():
                raise InputError(f"{path}: no {DESCRIPTOR} here; expected an HSDS tabular package")

    def read(self, name: str) -> str:
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise InputError(f"{self.path.name}: the package names {name!r}, a file outside the package")
        try:
            data = (self.archive.read(self.prefix + name) if self.archive is not None
                    else (self.folder / name).read_bytes())
        except (KeyError, FileNotFoundError):
            raise InputError(f"{self.path.name}: {DESCRIPTOR} names {name!r}, "
                             "which the package does not hold") from None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{self.path.name}: {name} is not UTF-8 text (byte {exc.start})") from None


def _typed_rows(table: Table, text: str, where: str, notes: list[str]) -> list[dict]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None) or []
    unknown = [h for h in header if h and table.field(h) is None]
    if unknown:
        notes.append(f"{where}: columns not in HSDS 3.0 kept as they are: {', '.join(unknown)}")
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row: dict = {}
        for name, cell in zip(header, cells):
            field = table.field(name)
            if cell == "" and not (field and field.required and field.type == "string"):
                continue
            if field is not None and field.type == "number":
                if not cell.strip():
                    continue
                try:
                    number = float(cell.strip())
                    if not math.isfinite(number):
                        raise ValueError(cell)
                except ValueError:
                    notes.append(f"{where}, line {line}, column {name!r}: {cell!r} is not a number; left out")
                    continue
                row[name] = int(number) if number.is_integer() else number
            else:
                row[name] = restore(cell)
        rows.append(row)
    return rows
