"""Writing one offer: create, update, soft delete, restore, revert.

Each is one short transaction touching that offer's row, one history row and the
data version. Updates and deletes name the version the writer last saw
(optimistic concurrency): a stale one raises :class:`VersionConflict` with the
offer as stored now, so nothing is ever overwritten silently.
Validation is the caller's (the importer's validator for every way in); the
store keeps the record's shape and its invariants (ids, versions, history).
"""

from __future__ import annotations

from sqlalchemy import select

from geo.schema import OFFER_COLUMNS
from geo.store import codec
from geo.store.errors import NotFound, StoreError, VersionConflict
from geo.store.reads import _offer_dict
from geo.store.tables import offers

EDITABLE_FIELDS = tuple(c for c in OFFER_COLUMNS if c != "id")


class OfferWrites:
    """Single-offer write methods of :class:`geo.store.Store`."""

    def create_offer(self, record: dict, *, actor: str) -> dict:
        """Store a new offer at version 1; returns it as stored.

        Raises StoreError when the id is taken (also by a deleted offer: restore that one).
        """
        new = codec.normalise_record(record)
        if not new["id"]:
            raise StoreError("an offer needs an id")
        with self._write(actor, "create") as tx:
            existing = _current(tx.connection, new["id"])
            if existing is not None:
                state = "a deleted offer (restore it instead)" if existing["deleted_at"] else "an offer"
                raise StoreError(f"offer id {new['id']!r} is already used by {state}")
            tx.connection.execute(offers.insert().values(**self._row_values(new, tx), version=1, created_at=tx.at))
            tx.record(new["id"], 1, "create", {}, {})  # its fields are version 1 (see StoreReads.history)
            return _offer_dict(_current(tx.connection, new["id"]))

    def update_offer(self, offer_id: str, changes: dict, *, expected_version: int, actor: str,
                     action: str = "update") -> dict:
        """Change some fields of a live offer; returns it as stored (unchanged when ``changes`` change nothing).

        Raises NotFound (no such live offer), VersionConflict (``expected_version`` is stale)
        or StoreError (a field the record does not have, or the id).
        """
        unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
        if unknown:
            raise StoreError(f"unknown or read-only offer fields: {', '.join(unknown)}; "
                             f"allowed: {', '.join(EDITABLE_FIELDS)}")
        with self._write(actor, action) as tx:
            row = _live(tx.connection, offer_id)
            _check_version(row, offer_id, expected_version)
            current = codec.row_to_record(row)
            merged = {**current, **{k: codec.field_value(k, v) for k, v in changes.items()}}
            self._apply(tx, row, current, merged, action)
            # Read back in the same transaction: what this write made, not a later writer's version.
            return _offer_dict(_current(tx.connection, offer_id))

    def delete_offer(self, offer_id: str, *, expected_version: int, actor: str) -> dict:
        """Soft delete: the offer leaves every list and map but keeps its row and history (restorable)."""
        with self._write(actor, "delete") as tx:
            row = _live(tx.connection, offer_id)
            _check_version(row, offer_id, expected_version)
            self._set_deleted(tx, row, deleted=True, action="delete")
            return _offer_dict(_current(tx.connection, offer_id))

    def restore_offer(self, offer_id: str, *, actor: str, expected_version: int | None = None) -> dict:
        """Bring a soft-deleted offer back (as a new version)."""
        with self._write(actor, "restore") as tx:
            row = _current(tx.connection, offer_id)
            if row is None:
                raise NotFound(f"no offer {offer_id!r}")
            if row["deleted_at"] is None:
                raise StoreError(f"offer {offer_id!r} is not deleted")
            if expected_version is not None:
                _check_version(row, offer_id, expected_version, allow_deleted=True)
            self._set_deleted(tx, row, deleted=False, action="restore")
            return _offer_dict(_current(tx.connection, offer_id))

    def revert_offer(self, offer_id: str, to_version: int, *, actor: str,
                     expected_version: int | None = None) -> dict:
        """Make the offer as it was at ``to_version`` again, as a new change (history keeps everything)."""
        target = self.offer_at(offer_id, to_version)
        with self._write(actor, "revert") as tx:
            row = _current(tx.connection, offer_id)
            if expected_version is not None:
                _check_version(row, offer_id, expected_version, allow_deleted=True)
            current = codec.row_to_record(row)
            wanted = {name: target[name] for name in OFFER_COLUMNS}
            before, after = _diff(current, wanted)
            want_deleted = target.get("deleted_at") is not None
            if (row["deleted_at"] is not None) != want_deleted:
                before["deleted_at"], after["deleted_at"] = row["deleted_at"], (tx.at if want_deleted else None)
            if not after:
                return _offer_dict(row)
            version = row["version"] + 1
            values = self._row_values(wanted, tx)
            values["import_baseline"] = codec.baseline_text(codec.baseline_of(current, row["import_baseline"]), wanted)
            if "deleted_at" in after:
                values.update(deleted_at=after["deleted_at"], deleted_by=actor if want_deleted else None)
            tx.connection.execute(offers.update().where(offers.c.fid == row["fid"]).values(**values, version=version))
            tx.record(offer_id, version, "revert", before, after)
            return _offer_dict(_current(tx.connection, offer_id))

    # -- shared by the methods above and by the imports ---------------------------------------

    def _row_values(self, record: dict, tx) -> dict:
        values = codec.record_to_columns(record)
        values["geom"] = self.backend.encode_geometries([codec.point_of(record)])[0]
        values["updated_at"] = tx.at
        values["updated_by"] = tx.actor
        return values

    def _apply(self, tx, row, current: dict, merged: dict, action: str) -> bool:
        """Write ``merged`` over ``current`` as a new version when a field differs."""
        before, after = _diff(current, merged)
        if not after:
            return False
        version = row["version"] + 1
        # The file's last values stay the baseline: a web edit is what the next import merges against.
        baseline = codec.baseline_text(codec.baseline_of(current, row["import_baseline"]), merged)
        tx.connection.execute(offers.update().where(offers.c.fid == row["fid"])
                              .values(**self._row_values(merged, tx), version=version, import_baseline=baseline))
        tx.record(row["id"], version, action, before, after)
        return True

    def _set_deleted(self, tx, row, *, deleted: bool, action: str) -> None:
        version = row["version"] + 1
        tx.connection.execute(offers.update().where(offers.c.fid == row["fid"]).values(
            deleted_at=tx.at if deleted else None, deleted_by=tx.actor if deleted else None,
            version=version, updated_at=tx.at, updated_by=tx.actor))
        tx.record(row["id"], version, action, {"deleted_at": row["deleted_at"]},
                  {"deleted_at": tx.at if deleted else None})


def _current(connection, offer_id: str):
    return connection.execute(select(offers).where(offers.c.id == offer_id)).mappings().first()


def _live(connection, offer_id: str):
    row = _current(connection, offer_id)
    if row is None or row["deleted_at"] is not None:
        raise NotFound(f"no offer {offer_id!r}" + (" (it was deleted)" if row is not None else ""))
    return row


def _check_version(row, offer_id: str, expected: int, allow_deleted: bool = False) -> None:
    if row["version"] != expected:
        current = _offer_dict(row) if (row["deleted_at"] is None or allow_deleted) else None
        raise VersionConflict(offer_id, expected, current)


def _diff(current: dict, wanted: dict) -> tuple[dict, dict]:
    """The fields that differ: (before, after), in record form."""
    before, after = {}, {}
    for name in OFFER_COLUMNS:
        if not codec.same_value(name, current.get(name), wanted.get(name)):
            before[name] = codec.field_value(name, current.get(name))
            after[name] = codec.field_value(name, wanted.get(name))
    return before, after

