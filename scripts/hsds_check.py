"""Check an HSDS 3.0 file against the official schemas and print records and errors.

    .venv/bin/python scripts/hsds_check.py FILE [--schemas DIR] [--show 20]

FILE is any form `angebotskarte import` reads: one JSON object with one array per table
(our `export --format hsds`), service objects as an API returns them (a list or a page with
"contents"), or a tabular package (.zip, folder or datapackage.json; also checked with
frictionless when it is installed). DIR is the `schema/` folder of openreferral/specification
(default: ../shared/data/hsds-3.0-schemas/schema beside the repository).

Prints the records per table, the errors grouped by table, field and message, and the first
--show errors in full; exits 1 when there is any error. Needs the test extra (jsonschema
with format support).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from geo.hsds.nesting import flatten
from geo.hsds.spec import TABLE_KEYS
from geo.hsds.tabular import read_package
from geo.hsds.validation import check_services, check_tables, check_tabular_document, load_schemas, record_count
from geo.readers.hsds import is_package, tables_of

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--schemas", type=Path, default=ROOT.parent / "shared" / "data" / "hsds-3.0-schemas" / "schema")
    parser.add_argument("--show", type=int, default=20, help="errors to print in full")
    args = parser.parse_args(argv)
    schemas = load_schemas(args.schemas)
    errors, notes = [], []
    if is_package(args.file):
        tables, notes = read_package(args.file)
        errors += check_tables(tables, schemas) + check_tabular_document(tables, schemas)
        errors += [f"datapackage: {e}" for e in _frictionless(args.file)]
    else:
        doc = json.loads(args.file.read_text(encoding="utf-8-sig"))
        services = doc.get("contents", doc) if isinstance(doc, dict) else doc
        if isinstance(services, list):  # the API form: checked as it is, then as tables
            errors += check_services(services, schemas)
            tables = flatten(services)
        elif any(k in TABLE_KEYS for k in doc):
            tables = {k: v for k, v in doc.items() if k in TABLE_KEYS}  # as written: plural keys are accepted
            errors += check_tables(tables, schemas)
            if all(TABLE_KEYS[k] == k for k in tables):
                errors += check_tabular_document(tables, schemas)
        else:
            tables, notes = tables_of(doc, args.file.name)
        if isinstance(services, list):
            errors += check_tables(tables, schemas)
    print(f"{args.file}: {record_count(tables)} records, {len(errors)} errors")
    for table, rows in tables.items():
        if isinstance(rows, list):
            print(f"  {table}: {len(rows)}")
    groups = Counter((getattr(e, "table", "?"), getattr(e, "path", "").split("/")[0],
                      getattr(e, "message", str(e))[:70]) for e in errors)
    for (table, field, message), count in groups.most_common(30):
        print(f"  {count:6d}  {table}.{field}: {message}")
    for error in errors[: args.show]:
        print(f"  - {error}")
    for note in notes:
        print(f"  note: {note}")
    return 1 if errors else 0


def _frictionless(path: Path) -> list[str]:
    try:
        from frictionless import validate
    except ImportError:
        return []
    report = validate(str(path))
    return [f"{kind}: {note}" for kind, note in report.flatten(["type", "note"])]


if __name__ == "__main__":
    sys.exit(main())
