"""Opening hours: open/closed/unknown, next change, the cached open-now mask, time zones."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from geo import hours

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = datetime(2024, 6, 3, 10, 0)  # naive = local wall time


@pytest.mark.parametrize("expression, at, expected", [
    ("Mo-Fr 09:00-17:00", MONDAY_10, "open"),
    ("Mo-Fr 09:00-17:00", datetime(2024, 6, 3, 17, 0), "closed"),  # the end minute is closed
    ("Mo-Fr 09:00-17:00", datetime(2024, 6, 1, 10, 0), "closed"),  # Saturday
    ("Mo-Fr 09:00-17:00; PH off", datetime(2024, 12, 25, 10, 0), "closed"),  # Christmas (Wednesday)
    ("24/7", MONDAY_10, "open"),
    ("Mo 09:00-12:00 unknown", MONDAY_10, "unknown"),
    ("", MONDAY_10, "unknown"),
    ("nach Vereinbarung", MONDAY_10, "unknown"),  # free text is not OSM syntax
])
def test_state(expression, at, expected):
    assert hours.state(expression, at) == expected
    assert hours.is_open(expression, at) == {"open": True, "closed": False, "unknown": None}[expected]


def test_aware_times_are_converted_to_the_area_zone():
    # 08:30 UTC = 10:30 in Berlin (summer time): open; 16:30 UTC = 18:30: closed.
    assert hours.is_open("Mo-Fr 09:00-17:00", datetime(2024, 6, 3, 8, 30, tzinfo=timezone.utc)) is True
    assert hours.is_open("Mo-Fr 09:00-17:00", datetime(2024, 6, 3, 16, 30, tzinfo=timezone.utc)) is False
    # The same instant is 04:30 in New York.
    assert hours.is_open("Mo-Fr 09:00-17:00", datetime(2024, 6, 3, 8, 30, tzinfo=timezone.utc),
                         timezone="America/New_York") is False


def test_next_change_is_aware_in_the_area_zone():
    change = hours.next_change("Mo-Fr 09:00-17:00", MONDAY_10)
    assert change == datetime(2024, 6, 3, 17, 0, tzinfo=BERLIN)
    assert change.utcoffset().total_seconds() == 2 * 3600
    opens = hours.next_change("Mo-Fr 09:00-17:00", datetime(2024, 6, 1, 12, 0))
    assert opens == datetime(2024, 6, 3, 9, 0, tzinfo=BERLIN)
    assert hours.next_change("24/7", MONDAY_10) is None
    assert hours.next_change("kaputt", MONDAY_10) is None


def test_validity():
    assert hours.is_valid("Mo-Fr 09:00-12:00; Th 14:00-18:00")
    assert not hours.is_valid("")
    assert not hours.is_valid("montags 9 bis 12")


def test_unknown_time_zone_is_named():
    with pytest.raises(ValueError, match="Mars/Olympus"):
        hours.state("24/7", MONDAY_10, timezone="Mars/Olympus")


def test_open_now_mask_matches_one_by_one_evaluation():
    expressions = ["Mo-Fr 09:00-17:00", "", "Sa 10:00-12:00", "Mo-Fr 09:00-17:00", "24/7", "x", "Mo 08:00-09:00"]
    mask = hours.OpenNowMask(expressions)
    assert len(mask.distinct) == 6  # the duplicate is parsed once
    for at in (MONDAY_10, datetime(2024, 6, 1, 11, 0), datetime(2024, 6, 3, 8, 30), datetime(2024, 6, 3, 3, 0)):
        expected = [hours.is_open(e, at) is True for e in expressions]
        assert mask.open_at(at).tolist() == expected
        states = mask.states(at)
        assert [s == -1 for s in states] == [hours.is_open(e, at) is None for e in expressions]


def test_open_now_mask_caches_per_minute():
    mask = hours.OpenNowMask(["Mo-Fr 09:00-17:00"] * 3)
    first = mask.states(datetime(2024, 6, 3, 10, 0, 5))
    assert mask.states(datetime(2024, 6, 3, 10, 0, 50)) is first
    assert mask.states(datetime(2024, 6, 3, 10, 1)) is not first
    assert not first.flags.writeable


def test_open_now_mask_of_nothing():
    assert hours.OpenNowMask([]).open_at(MONDAY_10).shape == (0,)
    assert np.array_equal(hours.OpenNowMask(["", ""]).states(MONDAY_10), [-1, -1])


def test_local_time_defaults_to_now_in_the_zone():
    now = hours.local_time(None, "Europe/Berlin")
    assert now.tzinfo is None
    assert abs((datetime.now(BERLIN).replace(tzinfo=None) - now).total_seconds()) < 120
