"""The newcomer's pages: ``/`` (filters, list, map), ``/angebote/<id>`` (one offer), ``/hinweise``.

Every state is a URL: the filter form is a plain GET form using the API's
parameter names (category, language, target_group, district, q, open_now,
wheelchair, offset), parsed by webmap.params exactly as the API parses them
and answered by the same OfferIndex query. ``near`` is the one extension: on
these pages it may hold an address, which is geocoded here (rate-limited per
client, never logged) into the API's ``near=lat,lon``.

Everything works without JavaScript. With it (webmap/static/js), the list is
refreshed in place from ``/?…&partial=results`` (this view, rendering only
the results section) and the map from ``/api/v1/clusters``.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from datetime import date, datetime, timedelta
from urllib.parse import quote, urlencode, urlsplit

from flask import Blueprint, Flask, abort, current_app, render_template, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, gettext, ngettext
from markupsafe import Markup

from geo import hours
from geo.languages import language_name, native_name
from webmap import maps
from webmap.i18n import BABEL_LOCALE, RTL, ui_lang, ui_languages, vocabulary_label
from webmap.state import current_data
from webmap.vendor import vendor_url

bp = Blueprint("pages", __name__)

PAGE_SIZE = 50
# Facets the form offers, in order (wheelchair and open_now are single checkboxes).
FORM_FACETS = ("category", "language", "target_group", "district")
ICON_SPRITE = "icons/categories.svg"
BUILTIN_ICONS = ("counselling", "language_course", "meeting_place", "sports", "doctor", "authority", "other")
_SAFE_WEB = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_SAFE_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


# --------------------------------------------------------------------------- parameters


# Parameters of the pages that are not search filters (the UI language, the partial-render switch).
PAGE_ONLY_PARAMETERS = ("ui", "partial")


def search_vocabulary():
    """What webmap.params checks values against, for the current data version."""
    from webmap.params import SearchVocabulary

    data = current_data()
    cache = _extension("search_vocabulary", dict)
    if cache.get("version") != data.version:
        cache.clear()
        cache.update(version=data.version, vocab=SearchVocabulary.from_settings(
            data.settings, data.categories, data.target_groups, district_names()))
    return cache["vocab"]


def page_query(args, *, near: tuple[float, float] | None, limit: int,
               accepted: tuple[str, ...] | None = None, include_virtual: bool = True):
    """The OfferQuery of a page's filters, parsed by webmap.params exactly as the API parses them.

    ``near`` replaces the request's ``near`` (the pages accept an address there;
    the caller resolves it). A page shows what it can: parameters the parser
    rejects are left out and named in the returned problem list, instead of
    failing the whole page. Returns (query, names of the parameters left out).
    """
    from werkzeug.datastructures import MultiDict

    from webmap.params import (
        FACET_PARAMETERS, FILTER_PARAMETERS, PAGE_PARAMETERS, ParameterErrors, parse_offer_query,
    )

    accepted = accepted or (FILTER_PARAMETERS + PAGE_PARAMETERS)
    given = MultiDict([(k, v) for k, v in args.items(multi=True)
                       if k not in PAGE_ONLY_PARAMETERS and k not in ("near", "limit", "include_virtual")
                       and v.strip() != ""])
    if near is not None:
        given.add("near", f"{near[0]!r},{near[1]!r}")
    if "limit" in accepted:
        given.add("limit", str(limit))
    if include_virtual and "include_virtual" in accepted:
        given.add("include_virtual", "1")
    vocab = search_vocabulary()
    left_out: list[str] = []
    for _attempt in range(3):
        try:
            return parse_offer_query(given, vocab, accepted=accepted), left_out
        except ParameterErrors as exc:
            for problem in exc.problems:
                name = problem.parameter
                label = f"{name}={problem.value}" if problem.value else name
                if label not in left_out:
                    left_out.append(label)
                if name in FACET_PARAMETERS and problem.value:
                    # Keep the good values of a facet: "category=doctor,typo" still filters doctors.
                    kept = [v.strip() for raw in given.getlist(name) for v in raw.split(",")
                            if v.strip() and v.strip() != problem.value]
                    given.setlist(name, kept)
                else:
                    given.poplist(name)
    return parse_offer_query(MultiDict(), vocab, accepted=accepted), left_out


# --------------------------------------------------------------------------- small helpers


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


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """(lat, lon) from "49.444, 7.769", "49.444 7.769" or "49,444; 7,769"; None when it is not that."""
    text = text.strip()
    if ";" in text:
        parts = [p.strip().replace(",", ".") for p in text.split(";")]
    else:
        parts = [p for p in re.split(r"[\s,]+", text) if p]
    if len(parts) != 2:
        return None
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


class RateLimiter:
    """At most ``per_minute`` events per key in any 60 s window, in memory (no cookies, nothing stored)."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute = int(per_minute)
        self.clock = clock
        self._events: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            if len(self._events) > 10_000:  # forget idle clients rather than grow without bound
                self._events = {k: v for k, v in self._events.items() if v and now - v[-1] < 60}
            events = self._events.setdefault(key, deque())
            while events and now - events[0] >= 60:
                events.popleft()
            if len(events) >= self.per_minute:
                return False
            events.append(now)
            return True


def _extension(name: str, build):
    ext = current_app.extensions.setdefault("angebotskarte.pages", {})
    if name not in ext:
        ext[name] = build()
    return ext[name]


def address_geocoder():
    """The address pipeline of [geocoding], or None when no provider is configured (built once per app)."""

    def build():
        from geo.geocoding.pipeline import build_geocoder

        return build_geocoder(current_data().settings)

    return _extension("geocoder", build)


def _rate_limiter() -> RateLimiter:
    per_minute = current_data().settings.get("geocoding", "search_rate_per_minute") or 20
    return _extension("address_rate", lambda: RateLimiter(per_minute))


def resolve_location(text: str) -> tuple[tuple[float, float] | None, dict | None]:
    """The place of the "near" field: coordinates as typed, or a geocoded address.

    Returns ((lat, lon) or None, message or None); a message is a dict with
    ``kind`` ("error" / "info") and translated ``text``. The address is never logged.
    """
    text = (text or "").strip()
    if not text:
        return None, None
    coords = parse_coordinates(text)
    if coords is not None:
        return coords, None
    geocoder = address_geocoder()
    if geocoder is None:
        return None, {"kind": "error", "text": gettext(
            "Address search is not set up on this site. Enter coordinates such as 49.444, 7.769, "
            "or use your location.")}
    if not _rate_limiter().allow(request.remote_addr or "-"):
        return None, {"kind": "error", "text": gettext(
            "Too many address searches from your connection. Please wait a minute and try again."),
            "status": 429}
    try:
        result = geocoder.geocode_text(text)
    except Exception:  # noqa: BLE001 - a provider failure must not break the page; the text is not logged
        return None, {"kind": "error", "text": gettext("Address search is not available right now. Please try again later.")}
    if not result.located:
        return None, {"kind": "error", "text": gettext(
            "We could not find this address in %(area)s.", area=current_data().settings.get("area", "name"))}
    return (float(result.lat), float(result.lon)), None


# --------------------------------------------------------------------------- offers for templates


def category_info(key: str, lang: str) -> dict:
    data = current_data()
    term = data.categories.terms.get(key)
    return {
        "key": key,
        "label": vocabulary_label(data.categories, key, lang),
        "colour": term.colour if term else "#4d4d4d",
        "icon": key if key in BUILTIN_ICONS else None,
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
    tz = settings.get("area", "timezone") or hours.DEFAULT_TIMEZONE
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
        minutes = walk_minutes(distance_m, float(settings.get("map", "detour_factor")),
                               float(settings.get("map", "walk_speed_kmh")))
        view["distance"] = format_distance(distance_m)
        view["walk"] = ngettext("about %(num)d minute on foot", "about %(num)d minutes on foot", minutes)
    if detail:
        view.update(_detail_fields(rec, tz, website))
    return view


def _detail_fields(rec, tz: str, website: str | None) -> dict:
    data = current_data()
    settings = data.settings
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
        outdated = (_local(_now(), tz).date() - checked).days > int(settings.get("map", "verification_max_age_days"))
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


def district_names() -> dict[str, str]:
    """District id -> name, from the store's district polygons (empty without districts)."""
    data = current_data()
    cache = _extension("districts", dict)
    version = data.version
    if cache.get("version") != version:
        names: dict[str, str] = {}
        try:
            frame = data.districts
            id_column = "district_id" if "district_id" in frame else "id"
            if len(frame) and id_column in frame and "name" in frame:
                names = {str(i): str(n) for i, n in zip(frame[id_column], frame["name"])}
        except Exception:  # noqa: BLE001 - a store without districts simply has no names
            names = {}
        cache.clear()
        cache.update(version=version, names=names)
    return cache["names"]


# --------------------------------------------------------------------------- the list page


def offer_records(rows) -> list[dict]:
    offers = current_data().offers
    frame = offers.iloc[list(rows)]
    records = frame.drop(columns=[frame.geometry.name]).to_dict("records") if len(frame) else []
    for rec, geom in zip(records, frame.geometry.values if len(frame) else []):
        if geom is not None and not geom.is_empty:
            rec["lon"], rec["lat"] = geom.x, geom.y  # geometry is (lon, lat)
        else:
            rec["lon"] = rec["lat"] = None
    return records


def facet_views(query, counts: dict[str, dict[str, int]], lang: str) -> list[dict]:
    data = current_data()
    index = data.index
    names = district_names()
    legends = {"category": gettext("Category"), "language": gettext("Language of the offer"),
               "target_group": gettext("Target group"), "district": gettext("District")}
    views = []
    for facet in FORM_FACETS:
        chosen = set(query.facet_values(facet))
        facet_counts = counts.get(facet, {})
        values = list(index.facets[facet].values) if facet in index.facets else []
        values += [v for v in chosen if v not in values]
        options = []
        for value in values:
            option = {"value": value, "count": int(facet_counts.get(value, 0)), "checked": value in chosen,
                      "lang": None, "note": None, "icon": False}
            if facet == "category":
                option["label"] = vocabulary_label(data.categories, value, lang)
                option["icon"] = True
            elif facet == "target_group":
                option["label"] = vocabulary_label(data.target_groups, value, lang)
            elif facet == "language":
                option["label"] = native_name(value)
                option["lang"] = html_lang(value)
                name = language_name(value, lang)
                option["note"] = name if name.casefold() != option["label"].casefold() else None
            else:
                option["label"] = names.get(value, value)
            option["hidden"] = option["count"] == 0 and not option["checked"]
            options.append(option)
        if facet == "category":
            order = {k: i for i, k in enumerate(data.categories.keys)}
            options.sort(key=lambda o: order.get(o["value"], len(order)))
        elif facet == "target_group":
            order = {k: i for i, k in enumerate(data.target_groups.keys)}
            options.sort(key=lambda o: order.get(o["value"], len(order)))
        elif facet == "language":
            options.sort(key=lambda o: (-o["count"], o["label"].casefold()))
        else:
            options.sort(key=lambda o: o["label"].casefold())
        if any(not o["hidden"] for o in options):
            views.append({"name": facet, "legend": legends[facet], "options": options,
                          "selected": len(chosen), "open": bool(chosen)})
    return views


def _page_url(args, **changes) -> str:
    params = [(k, v) for k, v in args.items(multi=True) if k not in changes and k != "partial"]
    params += [(k, v) for k, v in changes.items() if v not in (None, "", 0)]
    return url_for("pages.index") + ("?" + urlencode(params) if params else "")


def _map_query(args) -> str:
    """The filters the map shows, as an API query string (no place, page or UI language)."""
    keep = [(k, v) for k, v in args.items(multi=True)
            if k in ("category", "language", "target_group", "district", "q", "open_now", "wheelchair") and v]
    return urlencode(keep)


def _legend(lang: str) -> list[dict]:
    data = current_data()
    present = set(data.index.facets["category"].values) if "category" in data.index.facets else set()
    return [category_info(k, lang) for k in data.categories.keys if k in present]


def common_context() -> dict:
    settings = current_data().settings
    lang = ui_lang()
    return {
        "area_name": settings.get("area", "name"),
        "demo": bool(settings.get("map", "demo")),
        "data_owner_email": safe_email(settings.get("map", "data_owner_email") or ""),
        "tile_attribution": Markup(settings.get("map", "tile_attribution") or ""),
        "html_lang": html_lang(lang),
        "language_links": [(code, native_name(code)) for code in ui_languages()],
    }


def _language_url(code: str) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("ui", "partial")]
    return url_for(request.endpoint or "pages.index", **(request.view_args or {})) + "?" + urlencode(
        args + [("ui", code)])


def map_labels() -> dict[str, str]:
    return {
        "offers": gettext("offers"),
        "zoomIn": gettext("Zoom in to see these offers"),
        "mapRegion": gettext("Map of the offers"),
        "locating": gettext("Finding your location …"),
        "locateFailed": gettext("Your location could not be found. Please enter an address."),
        "loading": gettext("Loading …"),
    }


@bp.get("/")
def index():
    data = current_data()
    lang = ui_lang()
    args = request.args
    near_text = args.get("near", "").strip()
    location, message = resolve_location(near_text)
    query, problems = page_query(args, near=location, limit=PAGE_SIZE)
    result = data.index.search(query, facets=True)
    located_query = query.__class__(**{**_fields(query), "include_virtual": False, "limit": 0, "offset": 0})
    located_total = data.index.search(located_query).total
    distances = result.distances_m if result.distances_m is not None else [None] * len(result.rows)
    near_param = near_text if location is not None else ""
    offers = [offer_view(rec, lang=lang, distance_m=None if d is None else float(d), near_param=near_param)
              for rec, d in zip(offer_records(result.rows), distances)]
    for number, view in enumerate(offers, start=query.offset + 1):
        view["anchor"] = f"offer-{number}-name"
    total = result.total
    results = {
        "total": total,
        "located": located_total,
        "not_on_map": total - located_total,
        "offers": offers,
        "offset": query.offset,
        "near": location,
        "near_text": "" if location is None else f"{location[0]:.6f},{location[1]:.6f}",
        "near_label": near_text,
        "facets": result.facets or {},
        "map_query": _map_query(args),
        "pages": total > PAGE_SIZE,
        "previous_url": _page_url(args, offset=max(0, query.offset - PAGE_SIZE)) if query.offset > 0 else None,
        "next_url": _page_url(args, offset=query.offset + PAGE_SIZE) if query.offset + PAGE_SIZE < total else None,
    }
    if problems and message is None:
        message = {"kind": "error", "text": gettext(
            "Some filters in this link were not understood and have been left out: %(names)s",
            names=", ".join(problems))}
    status = (message or {}).get("status", 200)
    context = dict(common_context(), results=results, location_message=message)
    if args.get("partial") == "results":
        return render_template("partials/results.html", **context), status
    form = {"q": args.get("q", ""), "near": near_text, "open_now": query.open_now,
            "wheelchair": "yes" in query.wheelchair}
    fit = data_bounds()
    if location is not None:
        lat, lon = location
        fit = [[lat - 0.01, lon - 0.015], [lat + 0.01, lon + 0.015]]
    map_config = maps.offers_map_config(
        data.settings, vendor_url,
        categories={k: category_info(k, lang) for k in data.categories.keys},
        data_url=url_for("clusters.clusters"),
        detail_url=url_for("pages.offer", offer_id="__ID__", ui=lang),
        labels=map_labels(), fit=fit,
    )
    map_config.update(iconSprite=url_for("static", filename=ICON_SPRITE), query=results["map_query"])
    if location is not None:
        map_config["here"] = {"lat": location[0], "lon": location[1], "label": gettext("Your search location")}
    return render_template(
        "index.html", **context, form=form, facets=facet_views(query, result.facets or {}, lang),
        legend=_legend(lang), map_config=map_config, address_search=address_geocoder() is not None,
        filtered=bool(request.args),
    ), status


def data_bounds() -> list[list[float]] | None:
    """[[lat_min, lon_min], [lat_max, lon_max]] of the located offers inside [area] bbox, or None."""
    index = current_data().index
    lon_min, lat_min, lon_max, lat_max = current_data().settings.bbox
    lon, lat = index.lon[index.located], index.lat[index.located]
    inside = (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
    if not inside.any():
        return None
    lon, lat = lon[inside], lat[inside]
    return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]


def _fields(query) -> dict:
    import dataclasses

    return {f.name: getattr(query, f.name) for f in dataclasses.fields(query)}


# --------------------------------------------------------------------------- one offer


@bp.get("/angebote/<path:offer_id>")
def offer(offer_id: str):
    data = current_data()
    lang = ui_lang()
    row = data.index.row_of(offer_id)
    if row is None:
        abort(404)
    rec = offer_records([row])[0]
    near_text = request.args.get("near", "").strip()
    location = parse_coordinates(near_text) if near_text else None
    if near_text and location is None:
        location, _message = resolve_location(near_text)
    distance = None
    view = offer_view(rec, lang=lang, detail=True, near_param=near_text)
    if location is not None and view["located"]:
        distance = haversine_m(location, (view["lat"], view["lon"]))
        view = offer_view(rec, lang=lang, detail=True, distance_m=distance, near_param=near_text)
    map_config = None
    route_url = None
    if view["located"]:
        map_config = maps.offer_map_config(
            data.settings, vendor_url, lat=view["lat"], lon=view["lon"], name=view["name"],
            category=category_info(view["category"], lang), labels=map_labels())
        map_config.update(iconSprite=url_for("static", filename=ICON_SPRITE),
                          categories={view["category"]: category_info(view["category"], lang)})
        map_config["marker"]["address"] = view["address"]
        route_url = osm_route_url(location, (view["lat"], view["lon"]))
    settings = data.settings
    owner = safe_email(settings.get("map", "data_owner_email") or "")
    report_url = None
    if owner:
        subject = f"Angebotskarte: {view['id']} – {view['name']}"
        body = gettext("What is wrong in this entry?") + "\n\n" + url_for(
            "pages.offer", offer_id=view["id"], _external=True)
        report_url = f"mailto:{owner}?subject={quote(subject)}&body={quote(body)}"
    back_args = [(k, v) for k, v in request.args.items(multi=True)]
    back_url = url_for("pages.index") + ("?" + urlencode(back_args) if back_args else "")
    return render_template(
        "detail.html", **common_context(), offer=view, map_config=map_config, route_url=route_url,
        report_url=report_url, back_url=back_url,
        max_age_days=int(settings.get("map", "verification_max_age_days")),
    )


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


@bp.get("/hinweise")
def about():
    settings = current_data().settings
    return render_template(
        "about.html", **common_context(),
        detour_factor=format_decimal(float(settings.get("map", "detour_factor")), "0.0#"),
        walk_speed=format_decimal(float(settings.get("map", "walk_speed_kmh")), "0.0#"),
    )


# Responses compressed here: these pages, the map's viewport API and the files they load.
_COMPRESSED_BLUEPRINTS = ("pages", "clusters", "vendor", "embed")


def _compressor(app: Flask):
    """gzip/brotli for the pages and their assets (webmap/api.py compresses /api/v1 itself).

    Registered for our endpoints only rather than app-wide, so each part keeps
    its own HTTP manners.
    """
    from webmap.compression import scoped_compress

    compress = scoped_compress(app, {"image/svg+xml", "application/geo+json"})

    @app.after_request
    def _compress(response):
        if request.blueprint in _COMPRESSED_BLUEPRINTS or request.endpoint == "static":
            return compress.after_request(response)
        return response

    return compress


def not_found(exc):
    """An HTML 404 in the visitor's language for pages; API paths keep their JSON errors."""
    if request.path.startswith("/api/") or request.path.startswith("/static/"):
        return exc
    return render_template("not_found.html", **common_context()), 404


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(404, not_found)
    _compressor(app)
    app.jinja_env.globals.update(
        category_icon=category_icon,
        language_url=_language_url,
        code_html_lang=html_lang,
        direction_of=lambda code: "rtl" if code in RTL else "ltr",
    )
