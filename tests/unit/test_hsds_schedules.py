"""geo.hsds.schedules: OSM opening_hours <-> HSDS schedule rows, and back."""

from __future__ import annotations

import pytest

from geo.hsds.schedules import hours_from_schedules, rules_to_osm, schedule_rows


def rules(rows):
    return [(r.get("freq"), r.get("byday"), r.get("opens_at"), r.get("closes_at")) for r in rows]


@pytest.mark.parametrize("osm, expected", [
    ("Mo-Fr 09:00-12:00", [("WEEKLY", "MO,TU,WE,TH,FR", "09:00:00", "12:00:00")]),
    # overriding rules are resolved first: Wednesday is closed, Thursday has other hours
    ("Mo-Fr 09:00-12:00; We off; Th 14:00-18:00; PH off",
     [("WEEKLY", "MO,TU,FR", "09:00:00", "12:00:00"), ("WEEKLY", "TH", "14:00:00", "18:00:00")]),
    ("Mo,We 08:30-12:00,13:00-16:00",
     [("WEEKLY", "MO,WE", "08:30:00", "12:00:00"), ("WEEKLY", "MO,WE", "13:00:00", "16:00:00")]),
    ("10:00-12:00", [("WEEKLY", "MO,TU,WE,TH,FR,SA,SU", "10:00:00", "12:00:00")]),
    ("Fr-Mo 10:00-12:00", [("WEEKLY", "MO,FR,SA,SU", "10:00:00", "12:00:00")]),
    ("Mo[1,3] 10:00-12:00", [("MONTHLY", "1MO,3MO", "10:00:00", "12:00:00")]),
    ("Fr[-1] 15:00-17:00", [("MONTHLY", "-1FR", "15:00:00", "17:00:00")]),
    ("Mo-Fr 09:00-12:00; Sa[2] 10:00-12:00",
     [("WEEKLY", "MO,TU,WE,TH,FR", "09:00:00", "12:00:00"), ("MONTHLY", "2SA", "10:00:00", "12:00:00")]),
])
def test_weekly_hours_become_ical_rows_and_keep_the_osm_string(osm, expected):
    rows = schedule_rows(osm)
    assert rules(rows) == expected
    assert all(r["description"] == osm for r in rows)  # lossless: the whole expression on every row
    assert all(r["wkst"] == "MO" for r in rows)
    back = rules_to_osm([{k: v for k, v in r.items() if k != "description"} for r in rows])
    assert schedule_rows(back) and rules(schedule_rows(back)) == expected


@pytest.mark.parametrize("osm", [
    "24/7", "Tu 18:00-02:00", "Mo-Fr 09:00-24:00", "Jan-Mar Mo 10:00-12:00", "Mo-Fr 09:00+",
    "week 1-53/2 Mo 09:00-12:00",
    "Mo-Fr,PH 10:00-12:00", "Mo-Fr 09:00-12:00 unknown",
    # the first Monday replaces the weekly Monday in OSM, iCal rows would add both
    "Mo-Fr 09:00-12:00; Mo[1] 14:00-16:00",
])
def test_hours_rows_cannot_say_are_one_row_with_the_osm_string_only(osm):
    assert schedule_rows(osm) == [{"description": osm}]


def test_comments_and_fallback_notes_go_to_notes():
    rows = schedule_rows('Mo-Fr 09:00-12:00 "nur Frauen" || "nach Vereinbarung"')
    assert rules(rows) == [("WEEKLY", "MO,TU,WE,TH,FR", "09:00:00", "12:00:00")]
    assert rows[0]["notes"] == "nur Frauen; nach Vereinbarung"


def test_text_hours_nobody_could_read_are_a_row_of_their_own():
    rows = schedule_rows("Mo-Fr 09:00-12:00", "außer in den Schulferien")
    assert rows[-1] == {"description": "außer in den Schulferien"}
    back = hours_from_schedules(rows)
    assert back.opening_hours == "Mo-Fr 09:00-12:00" and back.opening_hours_text == "außer in den Schulferien"
    assert schedule_rows("", "") == []


def test_other_directories_rows_without_description_become_osm():
    rows = [  # Thursday twice, a lunch break, seconds, a time zone suffix, a monthly rule
        {"freq": "WEEKLY", "byday": "MO,TU,TH", "opens_at": "09:00:00", "closes_at": "12:00:00"},
        {"freq": "WEEKLY", "byday": "TH", "opens_at": "13:00", "closes_at": "17:30Z"},
        {"freq": "MONTHLY", "byday": "1SA", "opens_at": "10:00", "closes_at": "12:00"},
    ]
    found = hours_from_schedules(rows)
    assert found.opening_hours == "Mo,Tu 09:00-12:00; Th 09:00-12:00,13:00-17:30, Sa[1] 10:00-12:00"
    assert rules_to_osm([{"byday": "MO,TU,WE,TH,FR", "opens_at": "8:00", "closes_at": "16:00"}]) == "Mo-Fr 08:00-16:00"


@pytest.mark.parametrize("row", [
    {"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "12:00", "valid_from": "2025-06-01"},
    {"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "12:00", "interval": 2},
    {"freq": "MONTHLY", "bymonthday": "15", "opens_at": "09:00", "closes_at": "12:00"},
    {"freq": "WEEKLY", "byday": "1MO", "opens_at": "09:00", "closes_at": "12:00"},
    {"freq": "WEEKLY", "byday": "MO", "opens_at": "9 Uhr", "closes_at": "12:00"},
    {"freq": "DAILY", "opens_at": "09:00", "closes_at": "12:00"},
])
def test_rows_that_say_more_than_a_week_are_kept_as_readable_text(row):
    found = hours_from_schedules([row])
    assert found.opening_hours == ""
    # nothing of the row is lost: the text the validator reads names every part of the rule
    assert all(str(v) in found.to_read for k, v in row.items())


def test_descriptions_win_and_free_text_descriptions_are_read_like_cells():
    osm = hours_from_schedules([{"description": "Mo 09:00-12:00", "byday": "TU", "opens_at": "08:00",
                                 "closes_at": "09:00"}])
    assert osm.opening_hours == "Mo 09:00-12:00"
    text = hours_from_schedules([{"description": "Dienstags 14 bis 17 Uhr"}])
    assert text.opening_hours == "" and text.to_read == "Dienstags 14 bis 17 Uhr"
    both = hours_from_schedules([{"description": "The office opens on weekdays", "byday": "MO", "opens_at": "09:00",
                                  "closes_at": "10:00"}])
    assert both.opening_hours == "Mo 09:00-10:00" and both.extra_description == "The office opens on weekdays"
