"""The persistent geocoding cache: one SQLite file, one row per (provider, address).

What a provider said about an address is kept, found or not found, so a second import of
the same file sends no request at all. The area check is *not* cached: it is applied
again on every read, so loading districts or changing the bbox takes effect at once.

Privacy: rows are keyed by a SHA-256 of the normalised address, not the address itself,
so the file holds no readable addresses (only positions).

The normalisation (:func:`geo.text.fold`) decides which spellings are one address; an
answer remembered under another normalisation could be served for an address it was not
asked for, so the fold's version is part of every key and older rows are dropped when the
file is opened (those addresses are simply asked again). Someone who already knows an
address can still test whether it was looked up; the file belongs on the town's server
with the rest of the data.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from geo.text import FOLD_VERSION

_SCHEMA = """
CREATE TABLE IF NOT EXISTS geocache (
    provider TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    found INTEGER NOT NULL,      -- 1: lat/lon/precision hold the answer; 0: not found
    lat REAL, lon REAL,
    precision TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,            -- when the provider answered, ISO 8601 UTC
    PRIMARY KEY (provider, key_hash)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class CacheError(Exception):
    """The cache file cannot be opened or written; the message names the file."""


@dataclass(frozen=True)
class CacheEntry:
    """A remembered answer. ``found`` False means the provider had no match."""

    found: bool
    lat: float | None
    lon: float | None
    precision: str
    message: str
    at: datetime


def hash_key(key: str) -> str:
    """The stored form of a normalised address (with the version of the normalisation)."""
    return hashlib.sha256(f"fold{FOLD_VERSION}|{key}".encode("utf-8")).hexdigest()


class GeocodeCache:
    """A SQLite cache shared by imports, the ``geocode`` command and the web app's search.

    Every ``put`` is committed at once, so an interrupted run keeps what it learned.
    Thread-safe (one connection behind a lock).
    """

    def __init__(self, path: str | os.PathLike, *, now: Callable[[], datetime] | None = None):
        self.path = Path(path)
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(self.path, check_same_thread=False, timeout=10.0)
            # WAL lets the web app read while an import writes.
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.executescript(_SCHEMA)
            self._drop_other_normalisations()
            self._con.commit()
        except (sqlite3.Error, OSError) as exc:
            raise CacheError(f"{self.path}: cannot open the geocoding cache ([geocoding] cache_path): {exc}") from None

    def _drop_other_normalisations(self) -> None:
        row = self._con.execute("SELECT value FROM meta WHERE key = 'fold_version'").fetchone()
        if row is None or row[0] != str(FOLD_VERSION):
            # No row of another normalisation can ever be asked for again (see hash_key).
            self._con.execute("DELETE FROM geocache")
            self._con.execute("INSERT OR REPLACE INTO meta VALUES ('fold_version', ?)", (str(FOLD_VERSION),))

    def get(self, provider: str, key: str, max_age_days: float | None = None) -> CacheEntry | None:
        """The remembered answer of ``provider`` for the normalised address ``key``, or None
        when there is none or it is older than ``max_age_days``."""
        with self._lock:
            row = self._con.execute(
                "SELECT found, lat, lon, precision, message, at FROM geocache WHERE provider = ? AND key_hash = ?",
                (provider, hash_key(key))).fetchone()
        if row is None:
            return None
        found, lat, lon, precision, message, at = row
        when = datetime.fromisoformat(at)
        if max_age_days is not None and self._now() - when > timedelta(days=max_age_days):
            return None
        return CacheEntry(bool(found), lat, lon, precision, message, when)

    def put(self, provider: str, key: str, entry: CacheEntry) -> None:
        """Remember (or replace) an answer."""
        try:
            with self._lock:
                self._con.execute(
                    "INSERT OR REPLACE INTO geocache (provider, key_hash, found, lat, lon, precision, message, at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (provider, hash_key(key), int(entry.found), entry.lat, entry.lon, entry.precision,
                     entry.message, entry.at.astimezone(timezone.utc).isoformat()))
                self._con.commit()
        except sqlite3.Error as exc:
            raise CacheError(f"{self.path}: cannot write the geocoding cache: {exc}") from None

    def __len__(self) -> int:
        with self._lock:
            return int(self._con.execute("SELECT count(*) FROM geocache").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> "GeocodeCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
