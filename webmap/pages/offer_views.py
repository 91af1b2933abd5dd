"""Offers as templates show them: labels, icons, addresses, languages, opening status, safe links.

Shared by the newcomer's pages, the embed and the static export, so an offer
reads the same everywhere; every link from the data passes safe_web_url /
safe_email / tel_href first (only http(s), mailto and tel are ever rendered).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from flask import current_app, url_for
from flask_babel import format_date, format_datetime, format_decimal, gettext, ngettext
from markupsafe import Markup

from geo import hours
from geo.languages import language_name, native_name
from geo.schema import CATEGORY_KEYS_BUILTIN
from webmap.i18n import BABEL_LOCALE, ui_lang, vocabulary_label
from webmap.state import current_data, district_names, snapshot

ICON_SPRITE = "icons/categories.svg"
_SAFE_WEB = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_SAFE_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def html_lang(code: str) -> str:
    """BCP 47 tag for a lang="" attribute (Dari "prs" is written fa-AF, as CLDR and screen readers know it)."""
    return BABEL_LOCALE.get(code, code).replace("_", "-")


def safe_web_url(value: str) -> str | None:
    """``value`` when it is an http(s) URL, else None (no javascript:, data: or relative links)."""
    value = (value or "").strip()
    if not _SAFE_WEB.match(value):
        return None
    parts = urlsplit(value)
    return value if parts.netloc else None


def safe_email(value: str) -> str | None:
    value = (value or "").strip()
    return value if _SAFE_EMAIL.match(value) else None


def tel_href(phone: str) -> str | None:
    """tel: URL of a phone number as people write it ("0631 5550-764" -> "tel:06315550764")."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"tel:{digits}" if len(re.sub(r"\D", "", digits)) >= 3 else None


def walk_minutes(distance_m: float, detour_factor: float, speed_kmh: float) -> int:
    """Estimated minutes on foot: straight-line distance × detour factor at walking speed, rounded up.

    See docs/ui.md ("Walking estimate"). At least one minute.
    """
    metres_per_minute = speed_kmh * 1000.0 / 60.0
    return max(1, math.ceil(distance_m * detour_factor / metres_per_minute))


def format_distance(distance_m: float) -> str:
    if distance_m < 1000:
        return gettext("%(metres)s m", metres=format_decimal(int(round(distance_m / 10.0) * 10), "#,##0"))
    return gettext("%(km)s km", km=format_decimal(round(distance_m / 1000.0, 1), "#,##0.0"))


def category_info(key: str, lang: str) -> dict:
    data = current_data()
    term = data.categories.terms.get(key)
    return {
        "key": key,
        "label": vocabulary_label(data.categories, key, lang),
        "colour": term.colour if term else "#4d4d4d",
        "icon": key if key in CATEGORY_KEYS_BUILTIN else None,  # static/icons/categories.svg has these
        "letter": (vocabulary_label(data.categories, key, lang)[:1] or "?").upper(),
    }


def category_icon(key: str) -> Markup:
    """Inline SVG badge of a category: its colour and a shape of its own (colour is never the only cue)."""
    info = category_info(key, ui_lang())
    colour = info["colour"] if re.fullmatch(r"#[0-9A-Fa-f]{3,8}", info["colour"]) else "#4d4d4d"
    if info["icon"]:
        sprite = url_for("static", filename=ICON_SPRITE)
        inner = Markup('<svg viewBox="0 0 24 24" focusable="false"><use href="{}#{}"></use></svg>').format(
            sprite, info["icon"])
    else:
        inner = Markup('<span class="letter">{}</span>').format(info["letter"])
    return Markup('<span class="cat-icon" style="--cat: {}" aria-hidden="true">{}</span>').format(colour, inner)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _address(rec) -> str:
    street = " ".join(p for p in (_text(rec.get("street")), _text(rec.get("housenumber"))) if p)
    town = " ".join(p for p in (_text(rec.get("postcode")), _text(rec.get("city"))) if p)
    return ", ".join(p for p in (street, town) if p)


def _lang_list(codes, notes) -> list[dict]:
    lang = ui_lang()
    notes = notes if isinstance(notes, dict) else {}
    return [{"code": c, "lang": html_lang(c), "native": native_name(c), "name": language_name(c, lang),
             "note": _text(notes.get(c))} for c in (codes or [])]


def _now() -> datetime:
    """Now, aware (a seam tests replace)."""
    return datetime.now().astimezone()


def _local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(hours.zone(tz)) if dt.tzinfo else dt.replace(tzinfo=hours.zone(tz))


def opening_status(expression: str, appointment: str, tz: str, now: datetime | None = None) -> dict | None:
    """"Open now", "Opens today at 14:00", "By appointment" … for one offer, in the town's time zone."""
    now = _local(now or _now(), tz)
    state = hours.state(expression, now, tz)
    if state == hours.OPEN:
        change = hours.next_change(expression, now, tz)
        if change is not None and change - now < timedelta(hours=24):
            return {"kind": "open", "text": gettext("Open now, until %(time)s", time=_clock(change, tz))}
        return {"kind": "open", "text": gettext("Open now")}
    if state == hours.CLOSED:
        change = hours.next_change(expression, now, tz)
        suffix = gettext("by appointment") if appointment == "required" else ""
        if change is None or change - now > timedelta(days=7):
            text = gettext("Closed")
        else:
            change = _local(change, tz)
            day = (change.date() - now.date()).days
            if day == 0:
                text = gettext("Closed now, opens today at %(time)s", time=_clock(change, tz))
            elif day == 1:
                text = gettext("Closed now, opens tomorrow at %(time)s", time=_clock(change, tz))
            else:
                text = gettext("Closed now, opens %(day)s at %(time)s",
                               day=format_datetime(change, "EEEE"), time=_clock(change, tz))
        return {"kind": "closed", "text": f"{text} · {suffix}" if suffix else text}
    if appointment == "required":
        return {"kind": "appointment", "text": gettext("By appointment")}
    return None


def _clock(dt: datetime, tz: str) -> str:
    return format_datetime(_local(dt, tz), "HH:mm")


def week_hours(expression: str, tz: str, now: datetime | None = None) -> list[dict]:
    """Opening times for the next seven days, one entry per day ("Monday: 08:00–13:00")."""
    parsed = hours.parse(expression)
    if parsed is None:
        return []
    now = _local(now or _now(), tz)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    days: dict[date, list[str]] = {start.date() + timedelta(days=i): [] for i in range(7)}
    try:
        intervals = list(parsed.intervals(start, start + timedelta(days=7)))
    except Exception:  # noqa: BLE001 - odd expressions: show the raw text instead
        return []
    for begin, end, state, _comment in intervals:
        if str(state) != hours.OPEN:
            continue
        day = begin.date()
        if day in days:
            end_text = "24:00" if end.date() != day else end.strftime("%H:%M")
            days[day].append(f"{begin.strftime('%H:%M')}–{end_text}")
    week = []
    for day, spans in days.items():
        label = format_date(day, "EEEE")
        week.append({"day": label, "times": ", ".join(spans) if spans else gettext("closed")})
    return week


def offer_view(rec, *, lang: str, distance_m: float | None = None, near_param: str = "",
               detail: bool = False) -> dict:
    """The template-facing form of one offer (labels in the UI language, links made safe)."""
    data = current_data()
    settings = data.settings
    tz = settings.area.timezone
    lat, lon = rec.get("lat"), rec.get("lon")
    located = lat is not None and lon is not None and math.isfinite(float(lat)) and math.isfinite(float(lon))
    website = safe_web_url(_text(rec.get("website")))
    view = {
        "id": _text(rec.get("id")),
        "name": _text(rec.get("name")),
        "category": _text(rec.get("category")),
        "category_label": vocabulary_label(data.categories, _text(rec.get("category")), lang),
        "organisation": _text(rec.get("organisation")),
        "address": _address(rec),
        "virtual": rec.get("location_type") == "virtual",
        "located": located,
        "lat": float(lat) if located else None,
        "lon": float(lon) if located else None,
        "languages": _lang_list(rec.get("languages"), rec.get("language_notes")),
        "target_groups": [vocabulary_label(data.target_groups, t, lang) for t in (rec.get("target_groups") or [])],
        "status": opening_status(_text(rec.get("opening_hours")), _text(rec.get("appointment")), tz),
        "phone": _text(rec.get("phone")),
        "phone_href": tel_href(_text(rec.get("phone"))),
        "website": website,
        "url": url_for("pages.offer", offer_id=_text(rec.get("id")), ui=lang, near=near_param or None),
        "distance": None,
        "walk": None,
    }
    if not view["phone_href"]:
        view["phone"] = ""
    if distance_m is not None and math.isfinite(distance_m):
        minutes = walk_minutes(distance_m, settings.map.detour_factor, settings.map.walk_speed_kmh)
        view["distance"] = format_distance(distance_m)
        view["walk"] = ngettext("about %(num)d minute on foot", "about %(num)d minutes on foot", minutes)
    if detail:
        view.update(_detail_fields(rec, tz, website))
    return view


def _detail_fields(rec, tz: str, website: str | None) -> dict:
    settings = current_app.config["ANGEBOTSKARTE"]
    age_min, age_max = rec.get("age_min"), rec.get("age_max")
    age_min = int(age_min) if age_min is not None and not _isnan(age_min) else None
    age_max = int(age_max) if age_max is not None and not _isnan(age_max) else None
    if age_min is not None and age_max is not None:
        ages = gettext("%(min)d to %(max)d years", min=age_min, max=age_max)
    elif age_min is not None:
        ages = gettext("from %(min)d years", min=age_min)
    elif age_max is not None:
        ages = gettext("up to %(max)d years", max=age_max)
    else:
        ages = ""
    verified, outdated, last_verified = "", False, _text(rec.get("last_verified"))
    try:
        checked = date.fromisoformat(last_verified[:10]) if last_verified else None
    except ValueError:
        checked = None
    if checked is not None:
        verified = format_date(checked, "long")
        outdated = (_local(_now(), tz).date() - checked).days > settings.map.verification_max_age_days
    else:
        outdated = True
    appointment = {"required": gettext("Appointment required"),
                   "recommended": gettext("Appointment recommended"),
                   "none": gettext("No appointment needed")}.get(_text(rec.get("appointment")), "")
    wheelchair = {"yes": gettext("Yes"), "limited": gettext("Partly"), "no": gettext("No")}.get(
        _text(rec.get("wheelchair")), "")
    cost = {"free": gettext("Free of charge"), "fee": gettext("There is a fee")}.get(_text(rec.get("cost")), "")
    district_id = _text(rec.get("district"))
    return {
        "description": _text(rec.get("description")),
        "district": district_names().get(district_id, district_id),
        "ages": ages,
        "opening_hours": _text(rec.get("opening_hours")),
        "week": week_hours(_text(rec.get("opening_hours")), tz),
        "appointment_text": appointment,
        "email": safe_email(_text(rec.get("email"))),
        "website_label": urlsplit(website).netloc + urlsplit(website).path.rstrip("/") if website else "",
        "wheelchair_text": wheelchair,
        "cost_text": cost,
        "last_verified": checked.isoformat() if checked else "",
        "verified": verified,
        "outdated": outdated,
    }


def _isnan(value) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def offer_records(rows) -> list[dict]:
    """The offers at ``rows`` of this request's snapshot as dicts, with lat/lon (None without a place)."""
    offers = snapshot().offers
    frame = offers.iloc[list(rows)]
    records = frame.drop(columns=[frame.geometry.name]).to_dict("records") if len(frame) else []
    for rec, geom in zip(records, frame.geometry.values if len(frame) else []):
        if geom is not None and not geom.is_empty:
            rec["lon"], rec["lat"] = geom.x, geom.y  # geometry is (lon, lat)
        else:
            rec["lon"] = rec["lat"] = None
    return records


def osm_route_url(origin: tuple[float, float] | None, destination: tuple[float, float]) -> str:
    """OpenStreetMap's walking directions to ``destination`` (from ``origin`` when known)."""
    start = f"{origin[0]:.5f},{origin[1]:.5f}" if origin else ""
    route = f"{start};{destination[0]:.5f},{destination[1]:.5f}"
    return "https://www.openstreetmap.org/directions?" + urlencode({"engine": "fossgis_osrm_foot", "route": route})


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    from geo.index import EARTH_RADIUS_M

    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))
