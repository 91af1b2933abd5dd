"""HSDS identifiers: UUIDs derived from our own ids, the same on every export.

HSDS wants a UUID for every record. Ours are derived with uuid5 under one fixed namespace
from the kind of record and our own ids (an offer's id, a category key, an organisation's
name), so the same offer gets the same service, location and schedule UUIDs on every
export and on every machine, and a directory that imported us once can update by id.
The offer's own id travels along as the location's ``external_identifier``.
"""

from __future__ import annotations

import uuid

# Fixed forever: changing it changes every id we have ever published.
NAMESPACE = uuid.UUID("2cb6f7aa-099f-484a-9ab5-9ebb6d0d77c5")
# location.external_identifier_type of our offer ids
OFFER_ID_TYPE = "angebotskarte"


def hsds_id(kind: str, *parts: str) -> str:
    """The UUID of a record of ``kind`` named by ``parts`` ("service", offer id).

    Each part is written with its length in front ("7:service 7:kl-0001"), so ("a/b", "c") and
    ("a", "b/c") never meet, whatever characters the parts hold.
    """
    name = " ".join(f"{len(p)}:{p}" for p in (kind, *map(str, parts)))
    return str(uuid.uuid5(NAMESPACE, name))
