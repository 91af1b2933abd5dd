"""Opening hours as coordinators write them -> OpenStreetMap ``opening_hours``.

Lists say "Mo.–Fr. 8.30–12 Uhr und 13–16 Uhr", "Di, Do 14:00-17:00", "Montag bis
Donnerstag von 8 bis 12 Uhr", "täglich 10-18 Uhr, an Feiertagen geschlossen",
"nach telefonischer Vereinbarung" or "Mon-Fri 9am-5pm". :func:`read_opening_hours`
turns such a text into OSM syntax ("Mo-Fr 08:30-12:00,13:00-16:00"), checked with the
opening-hours library we evaluate it with (geo.hours), or says in plain words why it
could not, so the caller can keep the text as text. No library reads German (or
English) free text into OSM syntax, so the reading is ours; the *result* is always
validated by opening-hours-py.

How texts are read (the decisions a person should know about):

- Days: German and English names and abbreviations, with or without dots, singular or
  plural ("montags"); ranges with "-", "–", "bis", "to"; lists with "," "und" "sowie"
  "&" "+" "/". "täglich"/"daily" is every day, "am Wochenende" Sa-Su, "werktags" and
  "wochentags" Monday to Friday (flagged: in law "Werktag" includes Saturday, but
  offices mean Monday to Friday, and a closed door is worse than a missed Saturday).
- Times: "8", "8.30", "8:30", "08.30 Uhr", "8h", "9am", "5 p.m.", "12 Uhr mittags" is
  not read; ranges as for days; "ab 18 Uhr" is an open end (18:00+).
- Times without any day ("8-12 Uhr") are read as Monday to Friday and flagged
  (``assumption``): the lists are of offices, not shops.
- Later statements for a day *add* to earlier ones ("Mo-Fr 9-12, Do 14-18": Thursday
  also in the afternoon), unless they overlap them: then they *replace* them
  ("Mo-Fr 8-16, Fr 8-12": Friday only until noon). "Mi geschlossen" closes a day.
- "Mittagspause 12-13" cuts the break out of the hours given before it.
- "Feiertags geschlossen" becomes "PH off"; "jeden 1. Mittwoch im Monat" becomes We[1].
- "nach Vereinbarung", "Termine nach Absprache", "by appointment" alone set the
  appointment flag ("required") with no hours; next to hours they add the OSM fallback
  comment ``|| "nach Vereinbarung"`` and leave the flag alone.
- A remark in parentheses that is not hours ("(außer in den Ferien)") is kept as an OSM
  comment on the hours and flagged; any other word we do not know makes the whole text
  "not understood": it is kept as text, never guessed at.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from geo import hours as osm_hours
from geo.hours_week import NotHours, Rule, fmt, minutes, to_osm

CONVERTED, AS_IS, APPOINTMENT_ONLY, NOT_UNDERSTOOD, EMPTY = (
    "converted", "osm", "appointment", "not_understood", "empty")


_DAY_WORDS: dict[str, int] = {}
for _i, _words in enumerate((
        ("mo", "mon", "mont", "montag", "montags", "monday", "mondays"),
        ("di", "die", "dienst", "dienstag", "dienstags", "tu", "tue", "tues", "tuesday", "tuesdays"),
        ("mi", "mittw", "mittwoch", "mittwochs", "we", "wed", "weds", "wednesday", "wednesdays"),
        ("do", "don", "donn", "donnerstag", "donnerstags", "th", "thu", "thur", "thurs", "thursday", "thursdays"),
        ("fr", "fre", "frei", "freitag", "freitags", "fri", "friday", "fridays"),
        ("sa", "sam", "samstag", "samstags", "sonnabend", "sonnabends", "sat", "saturday", "saturdays"),
        ("so", "son", "sonn", "sonntag", "sonntags", "su", "sun", "sunday", "sundays"),
)):
    for _w in _words:
        _DAY_WORDS[_w] = _i

# Words that stand for several days at once; the flag marks readings a person should check.
_DAY_GROUPS: dict[str, tuple[tuple[int, ...], str]] = {
    "taglich": (tuple(range(7)), ""), "tgl": (tuple(range(7)), ""), "daily": (tuple(range(7)), ""),
    "werktags": (tuple(range(5)), "'werktags' read as Monday to Friday; write Mo-Sa if Saturday is meant"),
    "werktaglich": (tuple(range(5)), "'werktags' read as Monday to Friday; write Mo-Sa if Saturday is meant"),
    "wochentags": (tuple(range(5)), ""), "weekdays": (tuple(range(5)), ""),
    "wochenende": ((5, 6), ""), "weekend": ((5, 6), ""), "weekends": ((5, 6), ""),
}
_MULTIWORD_GROUPS = (
    (r"jeden\s+tag|alle\s+tage|every\s*day|each\s+day|mo(?:ntag)?\s*(?:-|bis)\s*so(?:nntag)?\b", "taglich"),
    (r"an\s+werktagen|werktag(?:e|en)?\b", "werktags"),
    (r"an\s+wochentagen|wochentag(?:e|en)?\b", "wochentags"),
)
_HOLIDAY_WORDS = ("feiertags", "feiertag", "feiertage", "feiertagen", "holidays", "holiday")
_OFF_WORDS = ("geschlossen", "closed", "ruhetag", "zu")
_APPOINTMENT_RE = re.compile(
    r"(?:(?:termine?|beratung|sprechstunden?|besuche?)\s+)?(?:(?:nur|ausschlie(?:ss|ß)lich)\s+)?"
    r"(?:nach|mit|auf)\s+(?:vorheriger\s+|telefonischer\s+|tel\.\s*|individueller\s+|persönlicher\s+|personlicher\s+)?"
    r"(?:vereinbarung|absprache|anmeldung|terminvereinbarung|termin|anfrage)"
    r"|(?:only\s+)?by\s+(?:prior\s+)?appointment(?:\s+only)?|appointment\s+only|on\s+request"
    r"|(?:nur\s+)?mit\s+termin|termine?\s+(?:sind\s+)?(?:nur\s+)?(?:nach\s+)?(?:vereinbarung|absprache)",
    re.IGNORECASE)
_ALWAYS_RE = re.compile(r"^(?:24/7|24\s*/\s*7|rund\s+um\s+die\s+uhr|durchgehend\s+ge(?:ö|oe)ffnet|"
                        r"immer\s+ge(?:ö|oe)ffnet|open\s+24\s*(?:hours|h)|24\s*(?:stunden|h)\s+ge(?:ö|oe)ffnet)$",
                        re.IGNORECASE)
# Words that carry no meaning for the hours ("Öffnungszeiten: Mo-Fr ...", "jeweils von 8 bis 12").
_FILLER = {
    "von", "vom", "am", "an", "jeweils", "uhr", "geoffnet", "geoffnet:", "offnungszeiten", "sprechzeiten",
    "sprechzeit", "sprechstunde", "sprechstunden", "beratungszeiten", "offnungszeit", "servicezeiten", "zeiten",
    "telefonisch", "erreichbar", "open", "opening", "hours", "from", "on", "at", "the", "and", "und", "sowie",
    "jeden", "jede", "jedes", "immer", "nur", "also", "auch", "zusatzlich", "sowie", "ausserdem", "oder", "or",
    "den", "die", "der", "bzw", "beziehungsweise", "mittags", "o'clock", "hrs", "offen", "geoeffnet", "ist",
    "sind", "im", "monat", "des", "monats", "of", "month", "every", "public", "gesetzlichen", "zusatzlich",
}
_BREAK_WORDS = ("mittagspause", "pause", "lunch", "mittag")
_EXCEPT_WORDS = ("ausser", "ausgenommen", "except", "not")
_OPEN_END_WORDS = ("ab",)

_TOKEN_RE = re.compile(
    r"(?P<nth>(?:[1-5]\.|erste[nrs]?|zweite[nrs]?|dritte[nrs]?|vierte[nrs]?|letzte[nrs]?|first|second|third|"
    r"fourth|last)(?=[\s,&+/1-5.]*[a-z]))"
    r"|(?P<ampm>\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z]))"
    r"|(?P<time>\d{1,2}(?:[:.]\d{2})?(?:\s*(?:uhr|h)\b)?)"
    r"|(?P<word>[a-z'][a-z'\.]*)"
    r"|(?P<dash>-)"
    r"|(?P<list>[,&+/])"
    r"|(?P<rule>[;|]|\n)"
    r"|(?P<colon>:)"
    r"|(?P<paren>[()\[\]])"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.IGNORECASE)
_NTH = {"1.": 1, "2.": 2, "3.": 3, "4.": 4, "5.": 5, "erste": 1, "zweite": 2, "dritte": 3, "vierte": 4,
        "letzte": -1, "first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_HOW_TO = "write them like 'Mo-Fr 9-12 Uhr, Do 14-18 Uhr' or 'Di, Do 14:00-17:00'"


@dataclass(frozen=True)
class HoursReading:
    """What an opening-hours text became.

    ``osm`` is valid OSM opening_hours syntax or "" (nothing to show as hours);
    ``text`` is the original text when it must be shown as written (not understood),
    else ""; ``appointment`` is "required" when the text says appointments only, else "";
    ``message`` explains the result in words a coordinator understands; ``assumptions``
    are readings a person should check (each one sentence).
    """

    original: str
    status: str
    osm: str = ""
    text: str = ""
    appointment: str = ""
    message: str = ""
    assumptions: tuple[str, ...] = ()

    @property
    def understood(self) -> bool:
        return self.status in (CONVERTED, AS_IS, APPOINTMENT_ONLY, EMPTY)


def read_opening_hours(value: str) -> HoursReading:
    """Read one opening-hours cell; see the module docstring for the rules.

    Valid OSM syntax is kept as it is; Integreat's JSON week (a list of seven day
    objects with ``timeSlots``) is converted too.
    """
    original = value if isinstance(value, str) else ("" if value is None else str(value))
    text = unicodedata.normalize("NFC", original).strip()
    if not text:
        return HoursReading(original, EMPTY)
    if text.startswith("[") and "timeSlots" in text:
        return _from_integreat(original, text)
    if osm_hours.is_valid(text) and not _looks_german(text):
        return HoursReading(original, AS_IS, osm=text, message="valid OpenStreetMap opening_hours; kept as written")
    try:
        return _read_text(original, text)
    except NotHours as exc:
        return HoursReading(original, NOT_UNDERSTOOD, text=original,
                            message=f"could not read these opening hours ({exc}); kept as text and shown as written; "
                                    + _HOW_TO)


def _looks_german(text: str) -> bool:
    # "Mo-Sa 08:00-20:00" is valid OSM and means the same in German; "So" is not OSM's Sunday,
    # but opening-hours-py would not accept it anyway. Only a colon after a day ("Mo-Fr:") slips through.
    return bool(re.search(r"\b(?:Di|Mi|Do|So|Uhr)\b", text))


def _read_text(original: str, text: str) -> HoursReading:
    text, comments = _take_remarks(text)
    folded = _fold(text)
    if _ALWAYS_RE.match(folded):
        return HoursReading(original, CONVERTED, osm="24/7", message="read as '24/7' (always open)")
    appointment_only, appointment_note, appointment_required = False, "", False
    m = _APPOINTMENT_RE.search(folded)
    if m:
        appointment_required = bool(re.search(r"\b(nur|only|ausschliesslich|ausschließlich)\b", folded))
        rest = (folded[: m.start()] + " " + folded[m.end():])
        rest = re.sub(r"\b(?:und|sowie|oder|or|and|auch|u\.)\s*$", "", rest.strip(" ,;.:()-")).strip(" ,;.:()-")
        rest = re.sub(r"^(?:und|sowie|oder|or|and|auch|u\.)\b", "", rest).strip(" ,;.:()-")
        if not re.search(r"\d|taglich|werktags|wochentags|daily", rest):
            if rest and not set(re.findall(r"[a-z]+", rest)) <= _FILLER | {"telefonische", "vereinbarung", "bitte",
                                                                           "please", "call", "anrufen", "termin",
                                                                           "termine", "beratung"}:
                raise NotHours(f"'{rest}' next to the appointment note is not a time")
            appointment_only = True
        else:
            folded = rest
            appointment_note = "nach Vereinbarung"
    if appointment_only:
        return HoursReading(original, APPOINTMENT_ONLY, appointment="required",
                            message="by appointment only: no opening hours, the offer is marked 'appointment required'")
    rules, holiday_off, assumptions = _parse(folded)
    osm = to_osm(rules, holiday_off)
    if not osm:
        raise NotHours("no weekday or time found")
    if comments:
        osm += ' "' + "; ".join(comments).replace('"', "'") + '"'
        assumptions.append(f"the remark {'; '.join(comments)!r} is kept only as a note; the hours do not follow it")
    if appointment_note:
        osm += f' || "{appointment_note}"'
    if not osm_hours.is_valid(osm):
        raise NotHours("the times do not make a valid week")
    message = f"read as '{osm}'"
    return HoursReading(original, CONVERTED, osm=osm, appointment="required" if appointment_required else "",
                        message=message, assumptions=tuple(assumptions))


def _fold(text: str) -> str:
    t = text.casefold().replace("ß", "ss")
    t = unicodedata.normalize("NFKD", t)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = re.sub(r"[\u2010-\u2015\u2212~]", "-", t)
    # "bis"/"to"/"till"/"until" between two days or times is a range; "zwischen 8 und 12" too.
    t = re.sub(r"\bzwischen\s+(\S+)\s+und\s+", r"\1 - ", t)
    t = re.sub(r"\b(?:bis|to|till|until|thru|through)\b", " - ", t)
    t = re.sub(r"\b(?:u\.|und|sowie|and)\b", " , ", t)
    t = re.sub(r"(?<=\d)\s*(?:uhr|h)\b\.?", " ", t)
    t = re.sub(r"(?<=[a-z])\.(?=\s|$|[-,;:/])", " ", t)  # "Mo." -> "Mo"
    # "geschlossen an Feiertagen", "closed on public holidays": the holiday first, as in "feiertags geschlossen"
    t = re.sub(r"\b(geschlossen|closed)\s+(?:on\s+|an\s+|at\s+)?(?:den\s+)?(?:public\s+|gesetzlichen\s+)?"
               r"(feiertagen|feiertags|holidays)\b", r" \2 \1 ", t)
    return " ".join(t.replace("\r", "\n").split(" ")).strip()


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN_RE.finditer(text) if m.lastgroup != "space"]


def _parse(folded: str) -> tuple[list[Rule], bool, list[str]]:
    """Tokens -> rules (days + time spans), whether public holidays are closed, assumptions."""
    for pattern, group in _MULTIWORD_GROUPS:
        folded = re.sub(pattern, f" {group} ", folded)
    tokens = _tokens(folded)
    state = _ParseState()
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        word = value.rstrip(".").strip("'") if kind == "word" else value
        if kind == "word" and (word in _DAY_WORDS or word in _DAY_GROUPS or word in _HOLIDAY_WORDS):
            days: list[int] = []
            if word in _HOLIDAY_WORDS:
                state.day_token(days, holiday=True)
            else:
                if word in _DAY_GROUPS:
                    group, note = _DAY_GROUPS[word]
                    state.note(note)
                    days = list(group)
                else:
                    days = [_DAY_WORDS[word]]
                    # a range "Mo - Fr"
                    if i + 2 < len(tokens) and tokens[i + 1][0] == "dash" and tokens[i + 2][0] == "word" and \
                            tokens[i + 2][1].rstrip(".") in _DAY_WORDS:
                        end = _DAY_WORDS[tokens[i + 2][1].rstrip(".")]
                        start = days[0]
                        days = list(range(start, end + 1)) if end >= start else [*range(start, 7), *range(0, end + 1)]
                        i += 2
                state.day_token(days)
            i += 1
            continue
        if kind in ("time", "ampm"):
            start = minutes(value)
            end: int | None
            if i + 2 < len(tokens) and tokens[i + 1][0] == "dash" and tokens[i + 2][0] in ("time", "ampm"):
                end = minutes(tokens[i + 2][1])
                if kind == "time" and tokens[i + 2][0] == "ampm" and "p" in tokens[i + 2][1] and start < 12 * 60 \
                        and start + 12 * 60 < end:
                    start += 12 * 60  # "1-5pm"
                i += 3
            elif state.open_end:
                end = None
                i += 1
            else:
                raise NotHours(f"'{value.strip()}' is a time without an end")
            # past midnight ("22-2 Uhr", "11-1 Uhr") is fine; "12-8 Uhr" is a slip, not a night
            if end is not None and end <= start and not (end <= 6 * 60 and start >= 10 * 60):
                raise NotHours(f"the time {fmt(start)}-{fmt(end)} ends before it starts")
            state.span(start, end)
            continue
        if kind == "word" and word in _OFF_WORDS:
            state.closed(value)
        elif kind == "word" and word in _EXCEPT_WORDS:
            state.except_mode = True
        elif kind == "word" and word in _BREAK_WORDS:
            state.break_mode = True
        elif kind == "word" and word in _OPEN_END_WORDS:
            state.open_end = True
        elif kind == "nth":
            key = re.sub(r"[nrs]$", "", word) if not word[0].isdigit() else word
            state.nth.append(_NTH.get(key, 1))
        elif kind == "rule":
            state.rule_separator()
        elif not (kind == "word" and word in _FILLER or kind in ("list", "colon", "paren", "dash")):
            raise NotHours(f"'{value}' is not a weekday or a time")
        i += 1
    return state.finish(), state.holiday_off, state.assumptions


_NO_DAY = "no weekday given: read as Monday to Friday; write the days if other days are meant"


class _ParseState:
    """The rules read so far and the one being read."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.current = Rule()
        self.times_read = False      # the current rule has its times: the next day starts a new rule
        self.assumed_days = False    # the current rule's days are the Monday-to-Friday default
        self.trailing_days = False   # days written after their times ("8-12 Uhr Mo, Mi")
        self.except_mode = False
        self.break_mode = False
        self.open_end = False
        self.holiday_off = False
        self.nth: list[int] = []
        self.assumptions: list[str] = []

    def note(self, text: str) -> None:
        if text and text not in self.assumptions:
            self.assumptions.append(text)

    def day_token(self, days: list[int], holiday: bool = False) -> None:
        cur = self.current
        if self.except_mode and not holiday:
            base = list(cur.days) or list(range(7))
            cur.days = tuple(d for d in base if d not in days)
            return
        if self.times_read and self.assumed_days and not holiday:
            # "8-12 Uhr Mo, Mi": the days follow their times.
            cur.days, self.assumed_days, self.times_read, self.trailing_days = (), False, False, True
            self.assumptions.remove(_NO_DAY)
        elif self.times_read:
            self._flush()
            cur = self.current
        if holiday:
            cur.holiday = True
        else:
            cur.days = tuple(dict.fromkeys([*cur.days, *days]))
        if self.nth:
            cur.nth, self.nth = tuple(self.nth), []
        cur.explicit_days = True

    def span(self, start: int, end: int | None) -> None:
        self.open_end = self.except_mode = False
        if self.trailing_days:
            self.trailing_days = False
            self.times_read = True
            self._flush()
        if self.break_mode:
            self.break_mode = False
            self._cut_break((start, end if end is not None else start))
            return
        cur = self.current
        if not cur.explicit_days:
            if self.rules and not self.times_read:
                # "Mo-Fr 8-12 Uhr; 14-16 Uhr": more times for the days just read.
                self.current = cur = self.rules.pop()
            else:
                cur.days, cur.explicit_days, self.assumed_days = tuple(range(5)), True, True
                self.note(_NO_DAY)
        if cur.off:
            raise NotHours("a day both closed and with times")
        cur.spans.append((start, end))
        self.times_read = True

    def closed(self, word: str) -> None:
        cur = self.current
        self.except_mode = False
        if cur.holiday and not cur.days:
            self.holiday_off = True
            self.current, self.times_read = Rule(), False
        elif (cur.days or cur.holiday) and not cur.spans:
            cur.off, self.times_read = True, True
        else:
            raise NotHours(f"'{word}' without a day")

    def rule_separator(self) -> None:
        self.except_mode = False
        if self.times_read:
            self._flush()

    def _flush(self) -> None:
        cur = self.current
        if cur.spans or cur.off:
            self.rules.append(cur)
        elif cur.days or cur.holiday:
            raise NotHours("a weekday without a time")
        self.current, self.times_read, self.assumed_days = Rule(), False, False

    def _cut_break(self, brk: tuple[int, int]) -> None:
        targets = [self.current] if self.current.spans else [r for r in self.rules if not r.off]
        if not targets:
            raise NotHours("a break without opening hours")
        for rule in targets:
            cut: list[tuple[int, int | None]] = []
            for s, e in rule.spans:
                end = e if e is not None else 24 * 60
                if brk[1] <= s or brk[0] >= end:
                    cut.append((s, e))
                    continue
                if s < brk[0]:
                    cut.append((s, brk[0]))
                if brk[1] < end:
                    cut.append((brk[1], e))
            rule.spans = cut

    def finish(self) -> list[Rule]:
        cur = self.current
        if cur.spans or cur.off:
            self.rules.append(cur)
        elif cur.days or cur.holiday:
            raise NotHours("a weekday without a time" if cur.days else
                            "'Feiertag' without saying whether it is open or closed")
        return self.rules


def _take_remarks(text: str) -> tuple[str, list[str]]:
    """Remarks in parentheses that hold no day, time or appointment note are comments, not hours."""
    comments = []

    def keep(m: re.Match) -> str:
        inner = m.group(1).strip()
        folded = _fold(inner)
        if re.search(r"\d", inner) or _APPOINTMENT_RE.search(folded) or any(
                w.rstrip(".") in _DAY_WORDS or w in _DAY_GROUPS or w in _BREAK_WORDS or w in _HOLIDAY_WORDS
                or w in _OFF_WORDS for w in re.findall(r"[a-z.]+", folded)):
            return f" {inner} "
        comments.append(inner)
        return " "

    return re.sub(r"\(([^()]*)\)", keep, text), comments

def _from_integreat(original: str, text: str) -> HoursReading:
    """Integreat CMS's week: seven objects (Monday first) with allDay, closed, appointmentOnly, timeSlots."""
    try:
        week = json.loads(text)
        if not (isinstance(week, list) and len(week) == 7 and all(isinstance(d, dict) for d in week)):
            raise ValueError
        rules: list[Rule] = []
        appointment_days = 0
        for day, spec in enumerate(week):
            if spec.get("appointmentOnly"):
                appointment_days += 1
            if spec.get("closed"):
                continue
            if spec.get("allDay"):
                rules.append(Rule(days=(day,), spans=[(0, 24 * 60)]))
                continue
            spans = []
            for slot in spec.get("timeSlots") or []:
                start, end = minutes(str(slot["start"])), minutes(str(slot["end"]))
                spans.append((start, end))
            if spans:
                rules.append(Rule(days=(day,), spans=spans))
    except (ValueError, KeyError, TypeError, NotHours):
        return HoursReading(original, NOT_UNDERSTOOD, text=original,
                            message="looks like an Integreat opening-hours list but is not one; kept as text")
    osm = to_osm(rules, False)
    open_days = sum(1 for r in rules)
    if not osm:
        if appointment_days:
            return HoursReading(original, APPOINTMENT_ONLY, appointment="required",
                                message="by appointment only: no opening hours, marked 'appointment required'")
        return HoursReading(original, CONVERTED, osm="closed", message="closed on every day")
    appointment = "required" if appointment_days and appointment_days >= open_days else ""
    return HoursReading(original, CONVERTED, osm=osm, appointment=appointment, message=f"read as '{osm}'")
