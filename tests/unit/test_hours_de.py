"""geo.hours_de: opening hours as coordinators write them (German and English) -> OSM opening_hours."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from geo import hours
from geo.hours_de import APPOINTMENT_ONLY, AS_IS, CONVERTED, EMPTY, NOT_UNDERSTOOD, read_opening_hours


@pytest.mark.parametrize("text, osm", [
    # the texts of the issue
    ("Di, Do 14:00-17:00", "Tu,Th 14:00-17:00"),
    ("Mo-Do 8-12 Uhr", "Mo-Th 08:00-12:00"),
    # day names and abbreviations, with or without dots, singular or plural
    ("Mo.–Fr.: 8.30–12.00 Uhr", "Mo-Fr 08:30-12:00"),
    ("Montag bis Donnerstag von 8 bis 12 Uhr", "Mo-Th 08:00-12:00"),
    ("Mo - Fr 08.30 Uhr - 12 Uhr", "Mo-Fr 08:30-12:00"),
    ("Sprechzeiten: dienstags und donnerstags 9 bis 12 Uhr", "Tu,Th 09:00-12:00"),
    ("Dienstag 10:00 - 12:00 Uhr", "Tu 10:00-12:00"),
    ("Mo 9-12 Uhr, 14-16 Uhr; Di 9-12 Uhr", "Mo 09:00-12:00,14:00-16:00; Tu 09:00-12:00"),
    ("Mo, Mi, Fr 9-12 Uhr; Di, Do 14-18 Uhr", "Mo,We,Fr 09:00-12:00; Tu,Th 14:00-18:00"),
    ("Mo & Mi 8.30-12 Uhr sowie Do 14-18 Uhr", "Mo,We 08:30-12:00; Th 14:00-18:00"),
    ("Di + Do 14-17 Uhr", "Tu,Th 14:00-17:00"),
    ("Sa/So 10-14", "Sa,Su 10:00-14:00"),
    ("9-12 Uhr (Mo, Mi, Fr)", "Mo,We,Fr 09:00-12:00"),
    # lunch breaks, exceptions, additions
    ("Mo-Fr 8-12 und 13-16 Uhr", "Mo-Fr 08:00-12:00,13:00-16:00"),
    ("Mo-Fr 8-16 Uhr, Mittagspause 12-13 Uhr", "Mo-Fr 08:00-12:00,13:00-16:00"),
    ("Mo-Fr 8-16, Fr 8-12", "Mo-Th 08:00-16:00; Fr 08:00-12:00"),
    ("Mo-Fr 9-12, Do 14-18", "Mo-We,Fr 09:00-12:00; Th 09:00-12:00,14:00-18:00"),
    ("Mo-Fr 8-16 Uhr außer Mi", "Mo,Tu,Th,Fr 08:00-16:00"),
    ("Mo.-Fr. 7.30 - 12.00 Uhr, Mo.-Do. 13.00 - 15.30 Uhr", "Mo-Th 07:30-12:00,13:00-15:30; Fr 07:30-12:00"),
    ("Öffnungszeiten: Mo–Fr 9–17 Uhr, Sa 10–14 Uhr, So geschlossen", "Mo-Fr 09:00-17:00; Sa 10:00-14:00; Su off"),
    # days for the whole week, holidays, the month
    ("täglich 10-18 Uhr, an Feiertagen geschlossen", "Mo-Su 10:00-18:00; PH off"),
    ("Mo-Fr 8-12 Uhr, Sa, So und Feiertage geschlossen", "Mo-Fr 08:00-12:00; Sa,Su off; PH off"),
    ("jeden 1. und 3. Mittwoch im Monat 15-17 Uhr", "We[1,3] 15:00-17:00"),
    ("jeden letzten Freitag im Monat 18-20 Uhr", "Fr[-1] 18:00-20:00"),
    ("Mi ab 18 Uhr", "We 18:00+"),
    ("Fr 22-2 Uhr", "Fr 22:00-02:00"),
    ("rund um die Uhr", "24/7"),
    # OSM with small slips, as found in the real Kaiserslautern extract
    ("Mo-Fr: 08:00-16:30", "Mo-Fr 08:00-16:30"),
    ("Di 07:00-13:30; Sa 07:00-13:30", "Tu,Sa 07:00-13:30"),
    ("Mo-Do 9:00-16:00, Fr 9:00-15:00", "Mo-Th 09:00-16:00; Fr 09:00-15:00"),
    ("Mo-Fr 09:00-18:00 Sa 09:00-14:00", "Mo-Fr 09:00-18:00; Sa 09:00-14:00"),
    # English
    ("Mon-Fri 9am-5pm", "Mo-Fr 09:00-17:00"),
    ("Monday to Friday 9:00 - 17:00, closed on public holidays", "Mo-Fr 09:00-17:00; PH off"),
    ("Tue & Thu 2-5 pm", "Tu,Th 14:00-17:00"),
    ("daily 10 a.m. - 6 p.m.", "Mo-Su 10:00-18:00"),
])
def test_texts_become_valid_osm_hours(text, osm):
    reading = read_opening_hours(text)
    assert (reading.status, reading.osm) == (CONVERTED, osm)
    assert hours.is_valid(reading.osm)
    assert reading.original == text and reading.text == ""
    assert reading.message.startswith(f"read as '{osm}'")


@pytest.mark.parametrize("text, note", [
    ("8-12 Uhr", "no weekday given: read as Monday to Friday"),
    ("werktags 9-17 Uhr", "'werktags' read as Monday to Friday"),
    ("Di 10-12 Uhr (außer in den Ferien)", "the remark 'außer in den Ferien' is kept only as a note"),
])
def test_readings_a_person_should_check_are_flagged(text, note):
    reading = read_opening_hours(text)
    assert reading.status == CONVERTED and hours.is_valid(reading.osm)
    assert any(a.startswith(note) for a in reading.assumptions)


def test_a_remark_in_parentheses_stays_a_comment_in_its_own_spelling():
    assert read_opening_hours("Di 10-12 Uhr (außer in den Ferien)").osm == 'Tu 10:00-12:00 "außer in den Ferien"'


@pytest.mark.parametrize("text", ["nach Vereinbarung", "Termine nach Absprache", "nach telefonischer Vereinbarung",
                                  "Termine nur nach Vereinbarung", "by appointment only", "nur mit Termin",
                                  "Beratung nach vorheriger Anmeldung"])
def test_appointment_only_sets_the_flag_with_no_hours(text):
    reading = read_opening_hours(text)
    assert (reading.status, reading.osm, reading.appointment) == (APPOINTMENT_ONLY, "", "required")


def test_hours_with_appointments_besides_keep_both():
    reading = read_opening_hours("Mo-Fr 9-12 Uhr und nach Vereinbarung")
    assert reading.osm == 'Mo-Fr 09:00-12:00 || "nach Vereinbarung"' and reading.appointment == ""
    assert hours.state(reading.osm, datetime(2024, 6, 3, 10)) == "open"
    only = read_opening_hours("Mo-Fr 8-12 Uhr, Termine nur nach Vereinbarung")
    assert only.appointment == "required" and only.osm.startswith("Mo-Fr 08:00-12:00")


@pytest.mark.parametrize("text, why", [
    ("siehe Homepage", "'siehe' is not a weekday or a time"),
    ("vormittags", "'vormittags' is not a weekday or a time"),
    ("Mo 25:00-26:00", "not a time of day"),
    ("Mo-Fr 09:00-", "a time without an end"),
    ("Mo-Fr 12-8 Uhr", "ends before it starts"),
    ("Montag", "a weekday without a time"),
])
def test_what_cannot_be_read_is_kept_as_text_with_a_plain_message(text, why):
    reading = read_opening_hours(text)
    assert (reading.status, reading.osm, reading.text) == (NOT_UNDERSTOOD, "", text)
    assert why in reading.message and "kept as text" in reading.message
    assert "expected" not in reading.message and "EOI" not in reading.message


def test_valid_osm_is_kept_as_written_and_empty_is_empty():
    assert read_opening_hours("Mo-Fr 09:00-18:00; PH off").status == AS_IS
    assert read_opening_hours("  ").status == EMPTY


def test_integreat_weeks_become_osm():
    day = {"allDay": False, "closed": False, "appointmentOnly": False,
           "timeSlots": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "16:00"}]}
    closed = {"allDay": False, "closed": True, "appointmentOnly": False, "timeSlots": []}
    week = [day, day, day, day, {**day, "timeSlots": [{"start": "09:00", "end": "12:00"}]}, closed, closed]
    reading = read_opening_hours(json.dumps(week))
    assert reading.osm == "Mo-Th 09:00-12:00,13:00-16:00; Fr 09:00-12:00"
    appointments = [{**closed, "appointmentOnly": True}] * 7
    assert read_opening_hours(json.dumps(appointments)).appointment == "required"
    assert read_opening_hours('[{"timeSlots": 1}]').status == NOT_UNDERSTOOD
