"""Check HSDS data against the official HSDS 3.0 JSON schemas, formats included.

The schemas are not part of Angebotskarte (they are the specification's, CC BY-SA 4.0); pass
the folder that holds them (``schema/`` of openreferral/specification, e.g.
../shared/data/hsds-3.0-schemas/schema). Checks:

- every record of every table against its table's schema (``<table>.json``), with
  jsonschema's Draft 2020-12 validator and its FormatChecker (uuid, uri, email, date-time;
  uri and date-time need the ``format-nongpl`` extra of jsonschema, which is checked);
- what JSON schemas cannot say but the tabular profile does: fields the table does not have,
  ``tabular_required`` fields, unique ids (and codes), and references to ids that do not exist;
- a whole document against the tabular profile (``compiled/tabular.json``), and service
  objects as an API returns them against ``compiled/service.json``.

jsonschema is a test dependency: this module is for tests, scripts/hsds_check.py and people
who want to check a file, not for the import path (which must work without the schemas).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo.hsds.spec import TABLE_KEYS, TABLES

# Fields whose values name a row of another table (besides the *_id fields named after a table).
_REFERENCES = {"parent_organization_id": "organization", "parent_id": "taxonomy_term"}
# Polymorphic references: attribute.link_id and metadata.resource_id name a row of any table.
_ANY_TABLE = {("attribute", "link_id"), ("metadata", "resource_id")}


@dataclass(frozen=True)
class SchemaError:
    """One thing in the data the specification does not allow.

    ``table`` and ``index`` locate the record (index in its array; None for the document),
    ``path`` the field inside it ("minimum_age", "phones/0/number").
    """

    table: str
    index: int | None
    record_id: str
    path: str
    message: str

    def __str__(self) -> str:
        where = self.table if self.index is None else f"{self.table}[{self.index}]"
        if self.record_id:
            where += f" (id {self.record_id})"
        return f"{where} {self.path or '(record)'}: {self.message}"


class Schemas:
    """The official schemas in one folder, loaded once per folder (see :func:`load_schemas`)."""

    def __init__(self, folder: str | Path):
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        self.folder = Path(folder)
        if not (self.folder / "service.json").is_file():
            raise FileNotFoundError(f"{self.folder}: no HSDS schemas here "
                                    "(expected service.json, organization.json ...)")
        self.tables: dict[str, dict] = {}
        resources = []
        for path in sorted(self.folder.glob("*.json")):
            schema = json.loads(path.read_text(encoding="utf-8"))
            if schema.get("name") in TABLES:
                self.tables[schema["name"]] = schema
            # The schemas refer to each other by file name ("phone.json"), without $id.
            resources.append((path.name, Resource.from_contents(schema, default_specification=DRAFT202012)))
        self.registry = Registry().with_resources(resources)
        self._validator_class = Draft202012Validator
        self.format_checker = Draft202012Validator.FORMAT_CHECKER
        _require_format_support(self.format_checker)
        self._validators: dict[str, object] = {}

    def validator(self, key: str, schema: Mapping | None = None):
        """A validator (FormatChecker on) for a table name or a compiled schema's file name."""
        if key not in self._validators:
            if schema is None:
                schema = self.tables[key] if key in self.tables else self._compiled(key)
            self._validators[key] = self._validator_class(schema, registry=self.registry,
                                                          format_checker=self.format_checker)
        return self._validators[key]

    def _compiled(self, name: str) -> dict:
        return json.loads((self.folder / "compiled" / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def load_schemas(folder: str | Path) -> Schemas:
    """The schemas of ``folder`` (``schema/`` of the specification), cached."""
    return Schemas(Path(folder))


def _require_format_support(checker) -> None:
    """jsonschema checks "uri" and "date-time" only when their extra packages are installed;
    without them those formats pass silently, which would make a check that cannot fail."""
    missing = [f for f in ("uri", "date-time", "uuid", "email") if f not in checker.checkers]
    if missing:
        raise RuntimeError("jsonschema cannot check the formats " + ", ".join(missing)
                           + "; install jsonschema[format-nongpl] (the test extra does)")


def record_count(doc: Mapping) -> int:
    """How many records the tables of a document hold."""
    return sum(len(rows) for key, rows in doc.items() if key in TABLE_KEYS and isinstance(rows, list))


def check_tables(doc: Mapping, schemas: Schemas) -> list[SchemaError]:
    """Every record of a document with one array per table (singular or plural keys) against
    its table's schema and the tabular profile's rules (see the module docstring)."""
    errors: list[SchemaError] = []
    tables = {TABLE_KEYS[key]: rows for key, rows in doc.items() if key in TABLE_KEYS}
    ids: dict[str, set[str]] = {}
    for table, rows in tables.items():
        if not isinstance(rows, list):
            errors.append(SchemaError(table, None, "", "", "must be an array of records"))
            continue
        ids[table] = {str(r.get("id")) for r in rows if isinstance(r, Mapping)}
        errors += _check_rows(table, rows, schemas)
    errors += _check_references(tables, ids)
    return errors


def _check_rows(table: str, rows: list, schemas: Schemas) -> list[SchemaError]:
    spec = TABLES[table]
    known = set(schemas.tables[table]["properties"])
    validator = schemas.validator(table)
    errors: list[SchemaError] = []
    seen: dict[str, dict[object, int]] = {f.name: {} for f in spec.fields if f.unique}
    for index, record in enumerate(rows):
        rid = str(record.get("id", "")) if isinstance(record, Mapping) else ""
        for error in validator.iter_errors(record):
            errors.append(SchemaError(table, index, rid, "/".join(str(p) for p in error.absolute_path),
                                      error.message))
        if not isinstance(record, Mapping):
            continue
        for name in record:
            if name not in known:
                errors.append(SchemaError(table, index, rid, name, f"{table} has no field {name!r} in HSDS 3.0"))
        for f in spec.fields:
            if f.required and f.name not in record:
                # JSON 'required' is checked above; tabular_required only here
                if f.name not in schemas.tables[table].get("required", ()):
                    errors.append(SchemaError(table, index, rid, f.name,
                                              f"{f.name!r} is required in the tabular form"))
            if f.unique and record.get(f.name) not in (None, ""):
                value = record[f.name]
                if value in seen[f.name]:
                    errors.append(SchemaError(table, index, rid, f.name,
                                              f"{value!r} is not unique (also record {seen[f.name][value]})"))
                else:
                    seen[f.name][value] = index
    return errors


def _check_references(tables: Mapping[str, list], ids: Mapping[str, set[str]]) -> list[SchemaError]:
    errors = []
    everything = set().union(*ids.values()) if ids else set()
    for table, rows in tables.items():
        if not isinstance(rows, list):
            continue
        for index, record in enumerate(rows):
            if not isinstance(record, Mapping):
                continue
            for name, value in record.items():
                if value in (None, "") or not name.endswith("_id"):
                    continue
                if (table, name) in _ANY_TABLE:
                    if str(value) not in everything:
                        errors.append(SchemaError(table, index, str(record.get("id", "")), name,
                                                  f"{value!r} names no record of the document"))
                    continue
                target = _REFERENCES.get(name, name.removesuffix("_id"))
                if target in ids and str(value) not in ids[target]:
                    errors.append(SchemaError(table, index, str(record.get("id", "")), name,
                                              f"{value!r} names no {target} of the document"))
    return errors


def check_tabular_document(doc: Mapping, schemas: Schemas) -> list[SchemaError]:
    """The whole document (singular keys) against the tabular profile, compiled/tabular.json."""
    validator = schemas.validator("tabular.json")
    return [SchemaError(str(e.absolute_path[0]) if e.absolute_path else "(document)",
                        e.absolute_path[1] if len(e.absolute_path) > 1 else None, "",
                        "/".join(str(p) for p in list(e.absolute_path)[2:]), e.message)
            for e in validator.iter_errors(dict(doc))]


def check_services(services: Iterable[Mapping], schemas: Schemas) -> list[SchemaError]:
    """Service objects as an HSDS API returns them (nested organization, locations ...) against
    compiled/service.json."""
    validator = schemas.validator("service.json#compiled", schemas._compiled("service.json"))
    errors = []
    for index, service in enumerate(services):
        for e in validator.iter_errors(service):
            errors.append(SchemaError("service", index, str(service.get("id", "")),
                                      "/".join(str(p) for p in e.absolute_path), e.message))
    return errors
