"""The store's exception types: what callers (CLI, web app, importer) can act on."""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """The store cannot be used: unreadable, corrupt, a schema from a newer program, …

    The message names the store without absolute paths or passwords, so it may be
    shown on a status page.
    """


class StoreUnavailable(StoreError):
    """The database cannot be reached right now (the web app answers 503 and retries)."""


class NotFound(StoreError):
    """No offer (or token) with this id or name."""


class VersionConflict(StoreError):
    """A write named an offer version that is no longer the current one.

    ``current`` is the offer as stored now (a dict with ``version``), or None when
    it was deleted, so a client can show both versions to the person.
    """

    def __init__(self, offer_id: str, expected: int, current: dict[str, Any] | None):
        self.offer_id = offer_id
        self.expected = expected
        self.current = current
        now = current["version"] if current else "deleted"
        super().__init__(f"offer {offer_id!r}: expected version {expected}, the store has {now}")


class OwnershipError(StoreError):
    """Ids another import source owns; ``taken`` maps id -> owning source."""

    def __init__(self, source: str, taken: dict[str, str]):
        self.source = source
        self.taken = taken
        sample = ", ".join(f"{i!r} ({s})" for i, s in list(taken.items())[:5])
        super().__init__(f"source {source!r}: {len(taken)} ids belong to other sources: {sample}")
