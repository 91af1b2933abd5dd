"""The store: the system of record, a GeoPackage file edited in place or PostgreSQL + PostGIS.

``open_store(settings)`` gives the :class:`Store` of a deployment: ``[store] url``
(``postgresql://user@host:port/database``) when set, else the GeoPackage
``[store] path``. Both backends have the same schema (Alembic migrations in
geo/store/migrations) and the same behaviour: one transaction per change, a
version and history rows per offer, a data version bumped in the same
transaction, soft delete, restore and revert, imports as three-way merges.
"""

from __future__ import annotations

from geo.store.codec import empty_districts, empty_offers, encode_offers
from geo.store.credentials import Token
from geo.store.errors import NotFound, OwnershipError, StoreError, StoreUnavailable, VersionConflict
from geo.store.reads import Changes, HistoryEntry
from geo.store.sources import SourceReplaceResult
from geo.store.store import Store
from geo.store.tables import IMPORT_COLUMNS

__all__ = [
    "Changes", "HistoryEntry", "IMPORT_COLUMNS", "NotFound", "OwnershipError", "SourceReplaceResult", "Store",
    "StoreError", "StoreUnavailable", "Token", "VersionConflict", "copy_store", "empty_districts", "empty_offers",
    "encode_offers",
    "open_store", "store_location",
]


def store_location(settings) -> str:
    """Where a deployment's store lives: the [store] url, else the absolute [store] path."""
    url = settings.store.url
    if url:
        return url
    return str(settings.store_path)


def open_store(settings) -> Store:
    """The deployment's store (nothing is opened or created until the first read or write)."""
    timeout = settings.store.busy_timeout_seconds
    return Store(store_location(settings), busy_timeout_s=timeout)


def copy_store(source: Store, target: Store, **kwargs):
    """See :func:`geo.store.copy.copy_store`."""
    from geo.store.copy import copy_store as copy

    return copy(source, target, **kwargs)
