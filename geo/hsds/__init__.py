"""Open Referral HSDS 3.0 (Human Services Data Specification), in and out.

- :mod:`geo.hsds.export` – offers -> HSDS tables: ``to_hsds``, ``write_hsds`` (JSON object or
  tabular package), ``export_hsds`` (the ``export --format hsds|hsds-csv`` command);
- :mod:`geo.hsds.import_` – HSDS (tables, API service objects, tabular package) -> the rows
  the validator reads (geo.readers.hsds plugs it into ``import``);
- :mod:`geo.hsds.taxonomy` – our categories and target groups as HSDS taxonomies;
- :mod:`geo.hsds.schedules` – OSM opening_hours <-> iCal-shaped schedule rows;
- :mod:`geo.hsds.words` – closed values <-> the sentences of HSDS's free-text fields;
- :mod:`geo.hsds.nesting` – tables <-> service objects as an HSDS API returns them;
- :mod:`geo.hsds.tabular` – the CSV datapackage; :mod:`geo.hsds.spec` – the tables and fields;
- :mod:`geo.hsds.ids` – UUIDs derived from our ids; :mod:`geo.hsds.validation` – checks
  against the official schemas (tests and scripts/hsds_check.py).

docs/hsds.md describes the mapping both ways and what is lost.
"""
