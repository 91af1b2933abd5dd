"""Opening hours: OSM ``opening_hours`` <-> HSDS schedules (iCal-shaped rows).

Export: the expression is normalised by opening-hours-py (the parser geo.hours uses), which
resolves overriding rules ("Mo-Fr 09:00-12:00; We off" becomes "Mo-Tu,Th-Fr 09:00-12:00").
When every rule of the result is a set of weekdays with time spans – optionally the n-th
weekdays of a month ("Mo[1,3]"), "PH off", closed days and comments – each rule and span
becomes one row: ``freq`` WEEKLY (MONTHLY for n-th weekdays), ``byday`` ("MO,TU", "1MO,3MO"),
``opens_at``/``closes_at`` (local time, "09:00:00"). Anything else (months, weeks, open ends,
times past midnight, 24/7, "unknown") becomes one row without a rule. Every row carries the
whole OSM expression in ``description``, so nothing is lost and a reader that only shows
descriptions shows the truth; comments go to ``notes``.

Import: descriptions that are valid OSM syntax win (our own files round-trip exactly);
otherwise the rows' rules are turned into OSM syntax; otherwise the descriptions (or the rules
written out) become the offer's opening-hours text, which the validator reads like a cell of a
spreadsheet (German or English hours, else kept as text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from geo import hours

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAYPART = re.compile(rf"^(?P<a>{_DAY})(?:-(?P<b>{_DAY}))?(?:\[(?P<nth>-?\d(?:,-?\d)*)\])?$")
_SPAN = re.compile(r"^(?P<o>\d\d):(?P<om>\d\d)-(?P<c>\d\d):(?P<cm>\d\d)$")
_COMMENT = re.compile(r'\s*"(?P<text>[^"]*)"\s*$')


class NotWeekly(Exception):
    """The expression has a part that iCal rows cannot say (shown in the row's description only)."""


@dataclass
class _Rule:
    weekly: list[int] = field(default_factory=list)           # weekday numbers
    monthly: list[tuple[int, int]] = field(default_factory=list)  # (nth, weekday)
    spans: list[tuple[str, str]] = field(default_factory=list)
    comment: str = ""


def schedule_rows(osm: str, text: str = "") -> list[dict]:
    """The schedule rows (without ids and links) for an offer's hours.

    ``osm`` is the offer's ``opening_hours``, ``text`` its ``opening_hours_text`` (hours
    nobody could read, kept as written): a row of its own with only the description.
    """
    rows = [dict(row) for row in _osm_rows((osm or "").strip())]
    if text and text.strip():
        rows.append({"description": text.strip()})
    return rows


@lru_cache(maxsize=8192)
def _osm_rows(osm: str) -> tuple[dict, ...]:
    """The rows of one expression, once per distinct expression (a town has a few hundred);
    callers get copies."""
    rows: list[dict] = []
    if osm:
        try:
            rules, notes = _weekly_rules(osm)
        except NotWeekly:
            rows.append({"description": osm})
        else:
            for rule in rules:
                note = "; ".join(n for n in (rule.comment, *notes) if n)
                for opens, closes in rule.spans:
                    if rule.weekly:
                        rows.append(_row(osm, "WEEKLY", ",".join(ICAL_DAYS[d] for d in rule.weekly), opens, closes,
                                         note))
                    if rule.monthly:
                        rows.append(_row(osm, "MONTHLY", ",".join(f"{n}{ICAL_DAYS[d]}" for n, d in rule.monthly),
                                         opens, closes, note))
            if not rows:  # only closed days or holidays: still say what we know
                rows.append({"description": osm, **({"notes": "; ".join(notes)} if notes else {})})
    return tuple(rows)


def _row(osm: str, freq: str, byday: str, opens: str, closes: str, note: str) -> dict:
    row = {"freq": freq, "wkst": "MO", "byday": byday, "opens_at": f"{opens}:00", "closes_at": f"{closes}:00",
           "description": osm}
    if note:
        row["notes"] = note
    return row


def _weekly_rules(osm: str) -> tuple[list[_Rule], list[str]]:
    parsed = hours.parse(osm)
    if parsed is None:
        raise NotWeekly(osm)
    normal = str(parsed.normalize())
    main, *fallbacks = [part.strip() for part in normal.split("||")]
    notes = []
    for fallback in fallbacks:
        m = re.fullmatch(r'(?:24/7\s*)?"(?P<text>[^"]*)"', fallback)
        if not m:
            raise NotWeekly(fallback)
        notes.append(m.group("text"))
    rules = []
    for part in _split_rules(main):
        rule = _rule(part)
        if rule is not None:
            rules.append(rule)
    # Later OSM rules replace earlier ones for their days, iCal rows add up: rows are only
    # right when no weekday is named twice (normalize() leaves that only with n-th weekdays).
    weekly = [d for r in rules for d in r.weekly]
    monthly = [pair for r in rules for pair in dict.fromkeys(r.monthly)]
    if len(weekly) != len(set(weekly)) or len(monthly) != len(set(monthly)) or {d for _, d in monthly} & set(weekly):
        raise NotWeekly(normal)
    return rules, notes


def _split_rules(text: str) -> list[str]:
    """Rules separated by ";" (or ", " between rules), not inside comments."""
    parts, current, quoted = [], "", False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        if not quoted and (ch == ";" or (ch == "," and text[i + 1:i + 2] == " ")):
            parts.append(current.strip())
            current = ""
            continue
        current += ch
    parts.append(current.strip())
    return [p for p in parts if p]


def _rule(text: str) -> _Rule | None:
    comment = ""
    m = _COMMENT.search(text)
    if m:
        comment, text = m.group("text"), text[: m.start()].strip()
    words = text.split()
    if words and words[-1] in ("closed", "off"):
        # a closed day says nothing a weekly rule must carry (normalize already applied it),
        # but holidays are a day of their own ("Su,PH closed")
        return None
    if len(words) == 1 and _SPAN.match(words[0].split(",")[0]):
        days, spans = "Mo-Su", words[0]
    elif len(words) == 2:
        days, spans = words
    else:
        raise NotWeekly(text)
    rule = _Rule(comment=comment)
    for part in re.split(r",(?![^\[]*\])", days):
        m = _DAYPART.match(part)
        if not m:
            raise NotWeekly(part)  # PH, SH, months, weeks, dates
        first, last = OSM_DAYS.index(m.group("a")), OSM_DAYS.index(m.group("b") or m.group("a"))
        span = list(range(first, last + 1)) if first <= last else [*range(first, 7), *range(0, last + 1)]
        if m.group("nth"):
            rule.monthly += [(int(n), d) for d in span for n in m.group("nth").split(",")]
        else:
            rule.weekly += span
    rule.weekly = sorted(set(rule.weekly))
    for part in spans.split(","):
        m = _SPAN.match(part)
        if not m:
            raise NotWeekly(part)  # open ends, "unknown", sunrise
        opens, closes = f"{m.group('o')}:{m.group('om')}", f"{m.group('c')}:{m.group('cm')}"
        if closes <= opens or m.group("c") >= "24":
            raise NotWeekly(part)  # past midnight: iCal rows would say something else
        rule.spans.append((opens, closes))
    return rule


# -- import ------------------------------------------------------------------------------------

_RULE_FIELDS = ("valid_from", "valid_to", "dtstart", "until", "count", "byweekno", "bymonthday", "byyearday")
_ICAL_DAY = re.compile(r"^(?P<n>[+-]?\d)?(?P<d>MO|TU|WE|TH|FR|SA|SU)$")
_TIME = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d\d)(?::\d\d(?:\.\d+)?)?(?P<tz>Z|[+-]\d\d(?::?\d\d)?)?$")


@dataclass(frozen=True)
class HoursFromSchedules:
    """What an offer's schedule rows say: ``opening_hours`` in OSM syntax, or ``to_read``, text
    the validator reads like a spreadsheet cell (German or English hours); ``opening_hours_text``
    is text kept as written beside OSM hours; ``extra_description`` descriptions kept beside
    rules that were converted."""

    opening_hours: str = ""
    to_read: str = ""
    opening_hours_text: str = ""
    extra_description: str = ""
    notes: tuple[str, ...] = ()


def hours_from_schedules(rows: Iterable[Mapping]) -> HoursFromSchedules:
    """An offer's hours from its schedule rows (see the module docstring for the order)."""
    rows = [r for r in rows if isinstance(r, Mapping)]
    descriptions = list(dict.fromkeys(str(r.get("description") or "").strip() for r in rows))
    descriptions = [d for d in descriptions if d]
    osm = [d for d in descriptions if hours.is_valid(d)]
    texts = [d for d in descriptions if d not in osm]
    notes = tuple(dict.fromkeys(str(r.get("notes") or "").strip() for r in rows if r.get("notes")))
    if osm:
        # ours: one OSM description on every row; a second one would be another directory's choice
        return HoursFromSchedules(opening_hours=osm[0], opening_hours_text="; ".join(osm[1:] + texts))
    ruled = [r for r in rows if r.get("byday") or r.get("opens_at")]
    if ruled:
        converted = rules_to_osm(ruled)
        if converted:
            return HoursFromSchedules(opening_hours=converted, extra_description="; ".join(texts), notes=notes)
        return HoursFromSchedules(to_read="; ".join(texts or [_written(r) for r in ruled]), notes=notes)
    return HoursFromSchedules(to_read="; ".join(texts), notes=notes)


def rules_to_osm(rows: Iterable[Mapping]) -> str:
    """OSM syntax for iCal-shaped rows ("WEEKLY", "MO,WE", 09:00, 12:00 -> "Mo,We 09:00-12:00"),
    or "" when a row says more than weekdays, n-th weekdays and times."""
    weekly: dict[int, list[tuple[str, str]]] = {}
    monthly: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for row in rows:
        freq = str(row.get("freq") or "WEEKLY").upper()
        if any(row.get(f) not in (None, "") for f in _RULE_FIELDS) or row.get("interval") not in (None, "", 1, "1"):
            return ""
        opens, closes = _time(row.get("opens_at")), _time(row.get("closes_at"))
        days = [d.strip().upper() for d in str(row.get("byday") or "MO,TU,WE,TH,FR,SA,SU").split(",") if d.strip()]
        if not opens or not closes or freq not in ("WEEKLY", "MONTHLY") or not days:
            return ""
        for day in days:
            m = _ICAL_DAY.match(day)
            if not m or (m.group("n") and freq != "MONTHLY"):
                return ""
            weekday = ICAL_DAYS.index(m.group("d"))
            if m.group("n"):
                monthly.setdefault((int(m.group("n")), weekday), []).append((opens, closes))
            else:
                weekly.setdefault(weekday, []).append((opens, closes))
    rules = []
    by_spans: dict[tuple, list[int]] = {}
    for day in sorted(weekly):
        by_spans.setdefault(tuple(sorted(set(weekly[day]))), []).append(day)
    for spans, days in by_spans.items():
        rules.append(f"{_days(days)} {_spans(spans)}")
    monthly_rules: dict[tuple, list[int]] = {}
    for (nth, day), spans in sorted(monthly.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        monthly_rules.setdefault((day, tuple(sorted(set(spans)))), []).append(nth)
    extra = [f"{OSM_DAYS[day]}[{','.join(map(str, nths))}] {_spans(spans)}"
             for (day, spans), nths in monthly_rules.items()]
    # n-th weekdays add to the weekly rules of the same day instead of replacing them
    text = "; ".join(rules)
    if extra:
        text = (text + ", " if text else "") + ", ".join(extra)
    return text if text and hours.is_valid(text) else ""


def _time(value) -> str:
    m = _TIME.match(str(value or "").strip())
    if not m or int(m.group("h")) > 24:
        return ""
    return f"{int(m.group('h')):02d}:{m.group('m')}"


def _days(days: list[int]) -> str:
    """[0, 1, 2, 4] -> "Mo-We,Fr"."""
    parts, start = [], None
    for i, day in enumerate(days):
        if start is None:
            start = day
        if i + 1 == len(days) or days[i + 1] != day + 1:
            parts.append(OSM_DAYS[start] if start == day else
                         f"{OSM_DAYS[start]}{'-' if day - start > 1 else ','}{OSM_DAYS[day]}")
            start = None
    return ",".join(parts)


def _spans(spans: Iterable[tuple[str, str]]) -> str:
    return ",".join(f"{o}-{c}" for o, c in spans)


def _written(row: Mapping) -> str:
    """A rule row nobody could convert, written out so a person can read it."""
    parts = [str(row.get(f)) for f in ("freq", "byday", "opens_at", "closes_at") if row.get(f)]
    parts += [f"{f}={row[f]}" for f in (*_RULE_FIELDS, "interval") if row.get(f) not in (None, "")]
    return " ".join(parts)
