"""Replacing what one import source says, in one transaction that touches only what changed.

Re-importing a source (a town's spreadsheet, a provider's list) is a three-way
merge per offer and field, against the *import baseline*: the offer as this source
last gave it.

- a field the file changed since the last import takes the file's value (when an
  editor changed it on the web meanwhile too, the file wins; the history keeps both);
- a field the file did not change keeps what is stored, so an editor's correction
  survives the next import of an unchanged list;
- new ids are created, ids the file no longer has are soft-deleted, offers an
  editor deleted stay deleted; unchanged offers are not touched at all (no new
  version, no history row) – only their baseline follows the file;
- ids another source owns are refused (:class:`OwnershipError`).

How an offer was located (geocode status, provider, precision) alone is no change:
a cache hit on re-import must not make a new version of every offer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import bindparam, select

from geo.schema import OFFER_COLUMNS
from geo.store import codec
from geo.store.errors import OwnershipError
from geo.store.tables import IMPORT_COLUMNS, imports, offers

_CHUNK = 500  # ids per IN (…) query


@dataclass(frozen=True)
class SourceReplaceResult:
    """What replacing a source did: offers added (new or back), changed, removed (soft-deleted),
    and fields whose web edit was kept because the file did not change them."""

    added: int
    changed: int
    removed: int
    kept_edits: int = 0
    data_version: int = 0


class SourceWrites:
    """Bulk offer writes of :class:`geo.store.Store`."""

    def replace_source(self, source: str, frame: pd.DataFrame, *, actor: str,
                       import_record: dict | None = None) -> SourceReplaceResult:
        """Make the live offers of ``source`` those of ``frame`` (see the module docstring).

        ``import_record`` (the import's counts; added/changed/removed are filled in here)
        is appended to the import log in the same transaction.
        """
        records = codec.frame_to_records(frame)
        for record in records:
            record["source"] = source
        with self._write(actor, "import") as tx:
            result = self._replace(tx, records, source=source, three_way=True)
            if import_record is not None:
                self._log_import(tx, {**import_record, "added": result.added, "changed": result.changed,
                                      "removed": result.removed})
        return SourceReplaceResult(result.added, result.changed, result.removed, result.kept_edits,
                                   tx.data_version if tx.changed_anything else self.data_version())

    def replace_offers(self, frame: pd.DataFrame, *, actor: str) -> SourceReplaceResult:
        """Make the live offers exactly those of ``frame`` (all sources; values taken as given)."""
        records = codec.frame_to_records(frame)
        with self._write(actor, "write") as tx:
            result = self._replace(tx, records, source=None, three_way=False)
        return result

    def log_import(self, record: dict, *, actor: str) -> None:
        """Append one line to the import log (imports that stored nothing are logged too)."""
        with self._write(actor, "import") as tx:
            self._log_import(tx, record)

    def offer_sources(self, ids) -> dict[str, str]:
        """Id -> source of the live offers among ``ids`` (the importer's ownership check)."""
        ids = list(dict.fromkeys(ids))
        out: dict[str, str] = {}
        with self._read() as connection:
            if connection is None:
                return out
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start:start + _CHUNK]
                out.update(connection.execute(select(offers.c.id, offers.c.source).where(
                    offers.c.id.in_(chunk) & offers.c.deleted_at.is_(None))).all())
        return out

    # -- the merge --------------------------------------------------------------------------------

    def _log_import(self, tx, record: dict) -> None:
        row = {c: record.get(c) for c in IMPORT_COLUMNS}
        for c in ("imported_at", "source", "file"):
            row[c] = "" if row[c] is None else str(row[c])
        for c in IMPORT_COLUMNS[3:]:
            row[c] = None if row[c] in (None, "") else int(row[c])
        row["actor"] = tx.actor
        tx.connection.execute(imports.insert().values(**row))
        tx.logged = True
        tx.layer_changed("imports")

    def _replace(self, tx, records: list[dict], *, source: str | None, three_way: bool) -> SourceReplaceResult:
        connection = tx.connection
        incoming = {r["id"]: r for r in records}
        stored = _rows(connection, source, list(incoming))
        if source is not None:
            taken = {oid: row["source"] for oid, row in stored.items()
                     if row["source"] != source and row["deleted_at"] is None}
            if taken:
                raise OwnershipError(source, taken)
        inserts, updates, baselines = [], [], []
        added = changed = kept = 0
        for oid, record in incoming.items():
            row = stored.get(oid)
            if row is None:
                inserts.append(record)
                tx.record(oid, 1, "create", {}, {})  # its fields are version 1 (see StoreReads.history)
                added += 1
                continue
            current = codec.row_to_record(row)
            deleted = row["deleted_at"] is not None
            if not deleted and current == record:  # the usual case: nothing to merge, nothing to write
                if row["import_baseline"] is not None and three_way:
                    baselines.append({"_fid": row["fid"], "_baseline": None})
                continue
            if deleted and three_way and row["source"] == source and not _deleted_by_import(row):
                # An editor deleted it: it stays deleted; the file's values become its baseline.
                baselines.append({"_fid": row["fid"], "_baseline": codec.baseline_text(record, current)})
                continue
            if three_way and not deleted:
                merged, kept_here = _merge(current, record, codec.baseline_of(current, row["import_baseline"]))
                kept += kept_here
            else:
                merged = dict(record)
            baseline = codec.baseline_text(record, merged) if three_way else row["import_baseline"]
            before, after = _diff(current, merged)
            if deleted:
                before["deleted_at"], after["deleted_at"] = row["deleted_at"], None
                added += 1
            elif not any(name in codec.COMPARED_FIELDS for name in after):
                # Only how it was located differs (a cache hit instead of a lookup): no change of the offer.
                if baseline != row["import_baseline"]:
                    baselines.append({"_fid": row["fid"], "_baseline": baseline})
                continue
            else:
                changed += 1
            version = row["version"] + 1
            updates.append((row["fid"], merged, version, baseline))
            tx.record(oid, version, "import" if three_way else "write", before, after)
        removals = [row for oid, row in stored.items()
                    if oid not in incoming and row["deleted_at"] is None and (source is None or row["source"] == source)]
        for row in removals:
            tx.record(row["id"], row["version"] + 1, "delete", {"deleted_at": None}, {"deleted_at": tx.at})
        self._insert_offers(tx, inserts)
        self._update_offers(tx, updates)
        if removals:
            connection.execute(offers.update().where(offers.c.fid == bindparam("_fid")).values(
                deleted_at=tx.at, deleted_by=tx.actor, updated_at=tx.at, updated_by=tx.actor,
                version=bindparam("_version")),
                [{"_fid": r["fid"], "_version": r["version"] + 1} for r in removals])
        if baselines:
            connection.execute(offers.update().where(offers.c.fid == bindparam("_fid"))
                               .values(import_baseline=bindparam("_baseline")), baselines)
        return SourceReplaceResult(added, changed, len(removals), kept, tx.data_version)

    def _insert_offers(self, tx, records: list[dict]) -> None:
        if not records:
            return
        geoms = self.backend.encode_geometries(codec.points_of(records))
        rows = []
        for row, geom in zip(codec.records_to_columns(records), geoms):
            row.update(geom=geom, version=1, created_at=tx.at, updated_at=tx.at, updated_by=tx.actor,
                       import_baseline=None)
            rows.append(row)
        self.backend.insert_rows(tx.connection, offers, rows)

    def _update_offers(self, tx, updates: list[tuple]) -> None:
        if not updates:
            return
        geoms = self.backend.encode_geometries(codec.points_of([u[1] for u in updates]))
        columns = codec.records_to_columns([u[1] for u in updates])
        rows = []
        for (fid, record, version, baseline), geom, values in zip(updates, geoms, columns):
            row = {f"v_{k}": v for k, v in values.items()}
            row.update(_fid=fid, v_geom=geom, v_version=version, v_baseline=baseline)
            rows.append(row)
        values = {name: bindparam(f"v_{name}") for name in OFFER_COLUMNS}
        values.update(geom=bindparam("v_geom"), version=bindparam("v_version"),
                      import_baseline=bindparam("v_baseline"), deleted_at=None, deleted_by=None,
                      updated_at=tx.at, updated_by=tx.actor)
        tx.connection.execute(offers.update().where(offers.c.fid == bindparam("_fid")).values(**values), rows)


_READ = [c for c in offers.c if c.name != "geom"]  # geometry follows lat/lon; not needed to merge


def _dicts(result) -> list[dict]:
    keys = list(result.keys())
    return [dict(zip(keys, values)) for values in result.all()]


def _rows(connection, source: str | None, ids: list[str]) -> dict:
    """The stored rows this replacement concerns: the source's own and any row with an incoming id."""
    statement = select(*_READ)
    if source is None:
        return {r["id"]: r for r in _dicts(connection.execute(statement))}
    found = {r["id"]: r for r in _dicts(connection.execute(statement.where(offers.c.source == source)))}
    missing = [i for i in ids if i not in found]
    for start in range(0, len(missing), _CHUNK):
        for row in _dicts(connection.execute(statement.where(offers.c.id.in_(missing[start:start + _CHUNK])))):
            found[row["id"]] = row
    return found


def _deleted_by_import(row) -> bool:
    return str(row["deleted_by"] or "").startswith("import")


def _merge(current: dict, incoming: dict, baseline: dict) -> tuple[dict, int]:
    """Three-way merge of one offer; returns the result and how many web edits it kept.

    ``baseline`` is the offer as the file last gave it (for an offer no import gave
    before, the stored offer itself: then every field the file has differently wins).
    """
    merged, kept = {}, 0
    for name in OFFER_COLUMNS:
        file_changed = not codec.same_value(name, incoming[name], baseline.get(name))
        if file_changed:
            merged[name] = incoming[name]
        else:
            merged[name] = current[name]
            if not codec.same_value(name, current[name], incoming[name]):
                kept += 1
    return merged, kept


def _diff(current: dict, wanted: dict) -> tuple[dict, dict]:
    from geo.store.writes import _diff as diff

    return diff(current, wanted)
