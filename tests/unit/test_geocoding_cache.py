"""The persistent geocoding cache (SQLite)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from geo.geocoding.cache import CacheEntry, CacheError, GeocodeCache

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def entry(found=True, at=T0) -> CacheEntry:
    if found:
        return CacheEntry(True, 49.44, 7.76, "house", "", at)
    return CacheEntry(False, None, None, "", "nominatim has no match", at)


def test_round_trip_and_survives_reopening(tmp_path):
    path = tmp_path / "cache" / "geocache.sqlite"
    with GeocodeCache(path, now=lambda: T0) as cache:
        cache.put("nominatim", "marktstrasse|5|67655|kaiserslautern", entry())
        cache.put("nominatim", "nowhere|1||", entry(found=False))
    with GeocodeCache(path, now=lambda: T0) as cache:
        assert len(cache) == 2
        hit = cache.get("nominatim", "marktstrasse|5|67655|kaiserslautern")
        assert hit == entry()
        miss = cache.get("nominatim", "nowhere|1||")
        assert miss is not None and not miss.found and miss.message == "nominatim has no match"


def test_keyed_by_provider(tmp_path):
    with GeocodeCache(tmp_path / "c.sqlite") as cache:
        cache.put("nominatim", "k", entry())
        assert cache.get("photon", "k") is None


def test_entries_older_than_max_age_are_ignored(tmp_path):
    now = [T0]
    with GeocodeCache(tmp_path / "c.sqlite", now=lambda: now[0]) as cache:
        cache.put("nominatim", "k", entry(at=T0))
        now[0] = T0 + timedelta(days=179)
        assert cache.get("nominatim", "k", max_age_days=180) is not None
        now[0] = T0 + timedelta(days=181)
        assert cache.get("nominatim", "k", max_age_days=180) is None
        assert cache.get("nominatim", "k") is not None  # no age limit
        cache.put("nominatim", "k", entry(at=now[0]))  # re-asked: replaced, not added
        assert len(cache) == 1
        assert cache.get("nominatim", "k", max_age_days=180).at == now[0]


def test_file_holds_no_readable_address(tmp_path):
    path = tmp_path / "c.sqlite"
    with GeocodeCache(path) as cache:
        cache.put("nominatim", "goethestrasse|17|67655|kaiserslautern", entry())
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"goethe" not in data.lower()


def test_unusable_path_names_the_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(CacheError, match="cache_path"):
        GeocodeCache(blocker / "geocache.sqlite")
