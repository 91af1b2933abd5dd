"""A week of opening hours as rules (days + time spans) and its OSM ``opening_hours`` form.

geo.hours_de reads coordinators' texts into :class:`Rule` objects; :func:`to_osm`
writes them as OSM syntax. Later statements for a day add to earlier ones unless they
overlap them (then they replace them), as people mean "Mo-Fr 9-12, Do 14-18".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


class NotHours(Exception):
    """The text holds something we cannot read as hours; the message names it."""


@dataclass
class Rule:
    days: tuple[int, ...] = ()
    holiday: bool = False
    nth: tuple[int, ...] = ()
    spans: list[tuple[int, int | None]] = field(default_factory=list)  # minutes; None end = open end
    off: bool = False
    explicit_days: bool = False


def minutes(value: str) -> int:
    v = value.strip().lower().replace(" ", "")
    pm = "p" in v
    am = "a" in v and not pm
    v = re.sub(r"[a-z.]*$", "", v) if (pm or am) else re.sub(r"(uhr|h)$", "", v)
    m = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?", v)
    if not m:
        raise NotHours(f"'{value}' is not a time")
    h, mins = int(m.group(1)), int(m.group(2) or 0)
    if pm and h < 12:
        h += 12
    if am and h == 12:
        h = 0
    if h > 24 or mins > 59 or (h == 24 and mins):
        raise NotHours(f"'{value.strip()}' is not a time of day")
    return h * 60 + mins


def fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def to_osm(rules: list[Rule], holiday_off: bool) -> str:
    week: dict[int, list[tuple[int, int | None]] | None] = {}  # None = closed
    nth_rules: list[str] = []
    holiday: str = ""
    for rule in rules:
        if rule.nth:
            spans = ",".join(_span(s) for s in rule.spans) if not rule.off else "off"
            nth = ",".join(str(n) for n in rule.nth)
            nth_rules.append(f"{_days_text(rule.days, nth)} {spans}")
            continue
        if rule.holiday and not rule.days:
            holiday = "PH off" if rule.off else "PH " + ",".join(_span(s) for s in rule.spans)
            continue
        for day in rule.days:
            if rule.off:
                week[day] = None
                continue
            before = week.get(day)
            if before and not any(_overlaps(a, b) for a in before for b in rule.spans):
                week[day] = sorted(before + rule.spans, key=lambda s: s[0])
            else:
                week[day] = list(rule.spans)
        if rule.holiday:
            holiday = "PH off" if rule.off else "PH " + ",".join(_span(s) for s in rule.spans)
    groups: dict[str, list[int]] = {}
    for day in range(7):
        if day in week:
            spans = week[day]
            key = "off" if spans is None else ",".join(_span(s) for s in spans)
            groups.setdefault(key, []).append(day)
    parts = [f"{_days_text(tuple(days))} {key}" for key, days in groups.items() if key != "off"]
    closed = groups.get("off", [])
    if closed and parts:
        parts.append(f"{_days_text(tuple(closed))} off")
    if holiday_off and not holiday:
        holiday = "PH off"
    # A span past midnight spills into the next day; "; " would let the next day's rule cut the
    # spill off ("Th 11:00-02:00; Fr 11:00-04:00" closes Friday 00:00-02:00), "," keeps it.
    wraps = any(e is not None and e <= s for spans in week.values() if spans for s, e in spans)
    text = (", " if wraps else "; ").join(parts)
    if nth_rules:
        text = ", ".join(([text] if text else []) + nth_rules)
    if holiday and text:
        text += f"; {holiday}"
    return text


def _overlaps(a, b) -> bool:
    a_end = a[1] if a[1] is not None else 24 * 60
    b_end = b[1] if b[1] is not None else 24 * 60
    return a[0] < b_end and b[0] < a_end


def _span(span: tuple[int, int | None]) -> str:
    start, end = span
    return f"{fmt(start)}+" if end is None else f"{fmt(start)}-{fmt(end)}"


def _days_text(days: tuple[int, ...], nth: str = "") -> str:
    """(0, 1, 2, 4) -> "Mo-We,Fr"; with nth ("1") each day gets it: "We[1]"."""
    ordered = sorted(set(days))
    if nth:
        return ",".join(f"{OSM_DAYS[d]}[{nth}]" for d in ordered)
    runs: list[list[int]] = []
    for d in ordered:
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ",".join(OSM_DAYS[r[0]] if len(r) == 1 else
                    (f"{OSM_DAYS[r[0]]},{OSM_DAYS[r[1]]}" if len(r) == 2 else f"{OSM_DAYS[r[0]]}-{OSM_DAYS[r[-1]]}")
                    for r in runs)
