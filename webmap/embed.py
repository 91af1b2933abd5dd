"""The map on a town's own website: ``/embed``, ``/embed/angebote/<id>``, ``/embed/code``, ``/embed/resize.js``.

``/embed`` is the map page made compact for an ``<iframe>``: no site header or
footer, system fonts, and it fills the frame. It takes every filter parameter
of ``/`` (parsed by webmap.params through :func:`webmap.pages.page_query`,
answered by the same index query, listed by the same
:func:`webmap.offer_views.offer_view`, mapped by the same static/js/map.js) plus the
embed's own options (:data:`EMBED_PARAMETERS`). Without JavaScript it is a list.

``/embed/code`` is the generator for web editors: choose what the map shows
and how it looks, see a live preview, copy the ``<iframe>`` snippet. The
snippet is built here on the server only (:func:`snippet_parts`); the page's
script asks for it again (``?partial=snippet``) whenever an option changes.

``/embed/resize.js`` is the small script a host page may load next to the
iframe: it sets the frame's height from the ``angebotskarte:resize`` messages
the embed posts (and accepts them only from this server's origin).

Who may frame /embed is decided in webmap.security (``frame-ancestors`` from
``[embed] allowed_origins``); this module only registers blueprint "embed".
:func:`static_export` builds the self-contained HTML file of
``angebotskarte export-html`` for CMSs that allow no iframes.
"""

from __future__ import annotations

import dataclasses
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, render_template, request, url_for
from flask_babel import format_date, gettext, ngettext
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from geo.languages import language_name, native_name
from webmap import address_search, maps, offer_views, pages
from webmap.i18n import RTL, ui_lang, ui_languages, vocabulary_label
from webmap.params import FACET_PARAMETERS, ParameterErrors, parse_offer_query, query_string_values
from webmap.state import current_data, search_vocabulary
from webmap.vendor import PACKAGES, vendor_url

bp = Blueprint("embed", __name__)

#: Where the list goes: beside the map, below it, or folded away under it.
LIST_POSITIONS = ("side", "bottom", "none")
#: "filters" shows the filter form; "none" makes a preset, read-only view.
CONTROLS = ("filters", "none")
#: ``links=`` may choose between the two safe targets only (never _top or _parent).
LINK_TARGETS = {"tab": "_blank", "frame": "_self"}
#: Parameters of /embed besides the filters of / (and ``ui``).
EMBED_PARAMETERS = ("list", "center", "zoom", "controls", "links")
#: Filters a preset made with /embed/code may carry.
PRESET_FILTERS = ("category", "language", "target_group", "district", "wheelchair", "q", "open_now")
#: The filters the map's data request carries (the clusters API's names): the same.
MAP_FILTERS = PRESET_FILTERS
#: What the embed posts to its parent window, and what resize.js listens for.
RESIZE_MESSAGE = "angebotskarte:resize"

SIZES = ("responsive", "fixed")
DEFAULT_WIDTH, DEFAULT_HEIGHT = 600, 500
WIDTH_RANGE, HEIGHT_RANGE = (200, 2000), (200, 3000)
MAX_TITLE_LENGTH = 200
# Fitting the map to the matching offers costs one search over all of them; beyond this, the whole area.
FIT_MAX_OFFERS = 20_000
RESIZE_SCRIPT = "js/embed-resize.js"
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{3,8}")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,5}")  # ASCII digits only ("²".isdigit() is true, int("²") fails)


# --------------------------------------------------------------------------- embed options


@dataclass(frozen=True)
class EmbedOptions:
    """The embed's own parameters, checked."""

    list: str = "side"
    controls: str = "filters"
    link_target: str = "_blank"
    center: tuple[float, float] | None = None
    zoom: int | None = None


def parse_embed_options(args, default_target: str) -> tuple[EmbedOptions, list[str]]:
    """EmbedOptions from request arguments, and "name=value" of each one not understood.

    Like the map page, the embed shows what it can: a value it does not know
    is left at its default and named, so a typo in a CMS never breaks the page.
    ``default_target`` is ``[embed] link_target``; ``links=tab|frame`` may
    choose between the two safe targets only.
    """
    problems: list[str] = []

    def choice(name: str, allowed, default: str) -> str:
        raw = args.get(name, "")
        value = raw.strip().lower()
        if not value:
            return default
        if value in allowed:
            return value
        problems.append(f"{name}={raw}")
        return default

    list_position = choice("list", LIST_POSITIONS, "side")
    controls = choice("controls", CONTROLS, "filters")
    links = choice("links", tuple(LINK_TARGETS), "")
    target = LINK_TARGETS.get(links, default_target if default_target in LINK_TARGETS.values() else "_blank")
    center = None
    raw_center = args.get("center", "").strip()
    if raw_center:
        try:
            # The same "lat,lon" as the API's near=, with the same checks.
            center = parse_offer_query({"near": raw_center}, search_vocabulary(), accepted=("near",)).near
        except ParameterErrors:
            problems.append(f"center={raw_center}")
    zoom = None
    raw_zoom = args.get("zoom", "").strip()
    if raw_zoom:
        if _WHOLE_NUMBER.fullmatch(raw_zoom) and int(raw_zoom) <= maps.MAX_ZOOM:
            zoom = int(raw_zoom)
        else:
            problems.append(f"zoom={raw_zoom}")
    return EmbedOptions(list_position, controls, target, center, zoom), problems


def filter_args(args) -> MultiDict:
    """The request's arguments without the embed's own (what the map page would see)."""
    return MultiDict([(k, v) for k, v in args.items(multi=True) if k not in EMBED_PARAMETERS])


def embed_args(args) -> list[tuple[str, str]]:
    """The embed's own arguments (and ``ui``), kept by every link that stays in the frame."""
    return [(k, v) for k, v in args.items(multi=True) if k in EMBED_PARAMETERS + ("ui",) and v.strip()]


def _url(endpoint: str, pairs, **values) -> str:
    pairs = [(k, v) for k, v in pairs if v not in (None, "")]
    return url_for(endpoint, **values) + ("?" + urlencode(pairs) if pairs else "")


def link_attributes(target: str, *, external: bool = False) -> Markup:
    """target (and rel) of a link leaving the embed's list: new tabs never get a handle on us."""
    if target == "_blank":
        rel = "noopener noreferrer external" if external else "noopener"
        return Markup(' target="_blank" rel="{}"').format(rel)
    return Markup(' target="{}"').format(target)


# --------------------------------------------------------------------------- /embed


def _map_query(query) -> str:
    """The map's filters as a clusters-API query string, from the *parsed* query (bad values left out)."""
    values = query_string_values(query)
    return urlencode([(k, values[k]) for k in MAP_FILTERS if k in values])


def matching_bounds(query) -> list[list[float]] | None:
    """[[lat_min, lon_min], [lat_max, lon_max]] of the located offers matching ``query`` inside [area] bbox.

    A preset for one district or topic then opens where its offers are.
    Falls back to all offers (webmap.pages.data_bounds) when nothing matches
    or too much does.
    """
    index = current_data().index
    located = dataclasses.replace(query, include_virtual=False, near=None, radius_m=None, offset=0)
    total = index.count(located)
    if total == 0 or total > FIT_MAX_OFFERS:
        return pages.data_bounds()
    rows = index.search(dataclasses.replace(located, limit=total)).rows
    lon, lat = index.lon[rows], index.lat[rows]
    lon_min, lat_min, lon_max, lat_max = current_data().settings.bbox
    inside = (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
    if not inside.any():
        return pages.data_bounds()
    lon, lat = lon[inside], lat[inside]
    pad = 0.004  # about 400 m: a single offer is not shown at house level
    return [[float(lat.min()) - pad, float(lon.min()) - pad], [float(lat.max()) + pad, float(lon.max()) + pad]]


def preset_labels(query, lang: str) -> list[str]:
    """What a query shows, in words of the UI language ("Sprachkurs", "Arabisch", "Innenstadt-West")."""
    data = current_data()
    names = offer_views.district_names()
    labels = [vocabulary_label(data.categories, k, lang) for k in query.categories]
    labels += [language_name(code, lang) for code in query.languages]
    labels += [vocabulary_label(data.target_groups, k, lang) for k in query.target_groups]
    labels += [names.get(d, d) for d in query.districts]
    if query.text:
        labels.append(f"“{query.text}”")
    if query.open_now:
        labels.append(gettext("Open now"))
    if "yes" in query.wheelchair:
        labels.append(gettext("Wheelchair accessible"))
    return labels


def frame_title(query, lang: str) -> str:
    """A meaningful title for the iframe, e.g. "Karte: Sprachkurs auf Arabisch in Kaiserslautern".

    Screen readers announce it when they reach the frame, so it says what
    the map shows, not just "map".
    """
    data = current_data()
    offers = ", ".join(vocabulary_label(data.categories, k, lang) for k in query.categories) or gettext("Offers")
    if query.languages:
        offers = gettext("%(offers)s in %(languages)s", offers=offers,
                         languages=", ".join(language_name(code, lang) for code in query.languages))
    if query.target_groups:
        offers = gettext("%(offers)s for %(groups)s", offers=offers,
                         groups=", ".join(vocabulary_label(data.target_groups, k, lang) for k in query.target_groups))
    area = data.settings.get("area", "name")
    names = offer_views.district_names()
    place = ", ".join([*(names.get(d, d) for d in query.districts), area]) if query.districts else area
    return gettext("Map: %(offers)s in %(place)s", offers=offers, place=place)


def _results(query, options: EmbedOptions, location, near_text: str, args) -> tuple[dict, object]:
    """One page of matching offers, listed as the map page lists them, with links that suit the frame."""
    results, result = pages.result_page(query, location, near_text, facets=options.controls == "filters")
    here = list(args.items(multi=True))
    if options.link_target == "_self":
        for view in results["offers"]:
            # In the frame: the embed's own detail view, which leads back to exactly this list.
            view["url"] = _url("embed.offer", here, offer_id=view["id"])
    total = results["total"]
    others = [(k, v) for k, v in here if k != "offset"]
    results.update({
        "previous_url": (_url("embed.page", others + [("offset", str(max(0, query.offset - pages.PAGE_SIZE)))])
                         if query.offset > 0 else None),
        "next_url": (_url("embed.page", others + [("offset", str(query.offset + pages.PAGE_SIZE))])
                     if query.offset + pages.PAGE_SIZE < total else None),
    })
    return results, result


@bp.get("/embed")
def page():
    """The compact map page for iframes (see docs/embed.md for every parameter)."""
    data = current_data()
    settings = data.settings
    lang = ui_lang()
    args = request.args
    options, embed_problems = parse_embed_options(args, settings.get("embed", "link_target"))
    filters = filter_args(args)
    near_text = filters.get("near", "").strip()
    location, message = address_search.resolve_location(near_text)
    query, problems = pages.page_query(filters, near=location, limit=pages.PAGE_SIZE)
    problems = problems + embed_problems
    if problems and message is None:
        message = {"kind": "error", "text": gettext(
            "Some filters in this link were not understood and have been left out: %(names)s",
            names=", ".join(problems))}
    results, result = _results(query, options, location, near_text, args)
    kept = embed_args(args)
    if options.link_target == "_self":
        detail_url = _url("embed.offer", list(args.items(multi=True)), offer_id="__ID__")
    else:
        detail_url = url_for("pages.offer", offer_id="__ID__", ui=lang)
    fit = matching_bounds(query)
    if location is not None:
        lat, lon = location
        fit = [[lat - 0.01, lon - 0.015], [lat + 0.01, lon + 0.015]]
    map_config = maps.offers_map_config(
        settings, vendor_url,
        categories={k: offer_views.category_info(k, lang) for k in data.categories.keys},
        data_url=url_for("clusters.clusters"), detail_url=detail_url, labels=pages.map_labels(), fit=fit,
    )
    map_config.update(iconSprite=url_for("static", filename=offer_views.ICON_SPRITE), query=_map_query(query),
                      linkTarget=options.link_target, list=options.list, resizeMessage=RESIZE_MESSAGE)
    if options.center is not None or options.zoom is not None:
        map_config["view"] = {"center": list(options.center) if options.center else None, "zoom": options.zoom}
    if location is not None:
        map_config["here"] = {"lat": location[0], "lon": location[1], "label": gettext("Your search location")}
    form = {"q": filters.get("q", ""), "near": near_text, "open_now": query.open_now,
            "wheelchair": "yes" in query.wheelchair, "hidden": kept}
    facets = pages.facet_views(query, result.facets or {}, lang) if options.controls == "filters" else []
    chosen = sum(f["selected"] for f in facets) + bool(form["q"]) + bool(near_text) + bool(query.open_now) \
        + bool(form["wheelchair"])
    full_url = _url("pages.index", [(k, v) for k, v in args.items(multi=True)
                                    if k not in EMBED_PARAMETERS and k != "offset"])
    status = (message or {}).get("status", 200)
    return render_template(
        "embed/page.html", **pages.common_context(), options=options, results=results, message=message,
        form=form, facets=facets, chosen=chosen, preset=preset_labels(query, lang), map_config=map_config,
        address_search=address_search.address_geocoder() is not None, full_url=full_url,
        reset_url=_url("embed.page", kept), link_target=options.link_target,
        new_tab=options.link_target == "_blank",
    ), status


@bp.get("/embed/angebote/<path:offer_id>")
def offer(offer_id: str):
    """One offer inside the frame (used when links open in the frame, ``[embed] link_target = "_self"``).

    The same facts as the full page (webmap.offer_views.offer_view), compact, with
    a way back to the embedded list the visitor came from.
    """
    data = current_data()
    lang = ui_lang()
    row = data.index.row_of(offer_id)
    if row is None:
        abort(404)
    rec = offer_views.offer_records([row])[0]
    near_text = request.args.get("near", "").strip()
    location = address_search.parse_coordinates(near_text) if near_text else None
    view = offer_views.offer_view(rec, lang=lang, detail=True, near_param=near_text)
    if location is not None and view["located"]:
        distance = offer_views.haversine_m(location, (view["lat"], view["lon"]))
        view = offer_views.offer_view(rec, lang=lang, detail=True, distance_m=distance, near_param=near_text)
    map_config = route_url = None
    if view["located"]:
        map_config = maps.offer_map_config(
            data.settings, vendor_url, lat=view["lat"], lon=view["lon"], name=view["name"],
            category=offer_views.category_info(view["category"], lang), labels=pages.map_labels())
        map_config.update(iconSprite=url_for("static", filename=offer_views.ICON_SPRITE),
                          categories={view["category"]: offer_views.category_info(view["category"], lang)},
                          resizeMessage=RESIZE_MESSAGE, linkTarget="_self")
        map_config["marker"]["address"] = view["address"]
        route_url = offer_views.osm_route_url(location, (view["lat"], view["lon"]))
    back_url = _url("embed.page", list(request.args.items(multi=True)))
    return render_template(
        "embed/offer.html", **pages.common_context(), offer=view, map_config=map_config, route_url=route_url,
        back_url=back_url, full_url=url_for("pages.offer", offer_id=view["id"], ui=lang),
        max_age_days=int(data.settings.get("map", "verification_max_age_days")),
        options=EmbedOptions(list="bottom"), link_target="_blank", new_tab=True,
    )


@bp.get("/embed/resize.js")
def resize_script():
    """The script a host page loads to let embedded maps grow with their content (docs/embed.md)."""
    # Two kilobytes, read whole: no file handle outlives the request.
    script = (Path(current_app.static_folder) / RESIZE_SCRIPT).read_bytes()
    response = Response(script, mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    response.add_etag()
    # Loaded by other sites' pages: allowed even where they require Cross-Origin-Resource-Policy.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


# --------------------------------------------------------------------------- /embed/code


@dataclass(frozen=True)
class SnippetOptions:
    """What a web editor chose in the generator."""

    filters: tuple[tuple[str, str], ...] = ()   # canonical (name, value) of the preset filters
    ui: str = ""                                # "" = the visitor's browser language
    list: str = "side"
    controls: str = "filters"
    links: str = ""                             # "" = [embed] link_target, else "tab" / "frame"
    size: str = "responsive"
    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT
    resize: bool = False
    title: str = ""                             # "" = made from the filters (frame_title)

    def embed_pairs(self) -> list[tuple[str, str]]:
        """The query of the embed's src: filters, then the embed options that differ from the defaults."""
        pairs = list(self.filters)
        if self.ui:
            pairs.append(("ui", self.ui))
        pairs.append(("list", self.list))
        if self.controls != "filters":
            pairs.append(("controls", self.controls))
        if self.links:
            pairs.append(("links", self.links))
        return pairs

    def form_pairs(self) -> list[tuple[str, str]]:
        """The generator's own query for these options (a shareable /embed/code link)."""
        pairs = [(k, v) for k, v in self.filters]
        pairs += [("embed_ui", self.ui), ("list", self.list), ("controls", self.controls), ("links", self.links),
                  ("size", self.size), ("width", str(self.width)), ("height", str(self.height)),
                  ("resize", "1" if self.resize else ""), ("title", self.title)]
        return [(k, v) for k, v in pairs if v]


def _number(args, name: str, default: int, bounds: tuple[int, int], problems: list[str]) -> int:
    raw = args.get(name, "").strip().removesuffix("px")
    if not raw:
        return default
    if _WHOLE_NUMBER.fullmatch(raw) and bounds[0] <= int(raw) <= bounds[1]:
        return int(raw)
    problems.append(f"{name}={args.get(name)}")
    return default


def parse_snippet_options(args) -> tuple[SnippetOptions, object, list[str]]:
    """SnippetOptions from the generator's form, the preset's OfferQuery, and what was not understood."""
    problems: list[str] = []
    preset = MultiDict([(k, v) for k, v in args.items(multi=True) if k in PRESET_FILTERS and v.strip()])
    query, left_out = pages.page_query(preset, near=None, limit=0, accepted=PRESET_FILTERS)
    problems += left_out
    values = query_string_values(query)
    filters = tuple((k, values[k]) for k in PRESET_FILTERS if k in values)

    def choice(name: str, allowed, default: str) -> str:
        value = args.get(name, "").strip()
        if value and value not in allowed:
            problems.append(f"{name}={value}")
            return default
        return value or default

    options = SnippetOptions(
        filters=filters,
        ui=choice("embed_ui", ui_languages(), ""),
        list=choice("list", LIST_POSITIONS, "side"),
        controls=choice("controls", CONTROLS, "filters"),
        links=choice("links", tuple(LINK_TARGETS), ""),
        size=choice("size", SIZES, "responsive"),
        width=_number(args, "width", DEFAULT_WIDTH, WIDTH_RANGE, problems),
        height=_number(args, "height", DEFAULT_HEIGHT, HEIGHT_RANGE, problems),
        resize=args.get("resize", "").strip().lower() in ("1", "true", "yes", "on"),
        title=" ".join(args.get("title", "").split())[:MAX_TITLE_LENGTH],
    )
    return options, query, problems


@contextmanager
def speaking(lang: str):
    """Translate into ``lang`` for a moment: the iframe's title speaks the embedded map's language."""
    saved = {name: g.get(name) for name in ("ui_lang", "ui_translations")}
    g.ui_lang = lang
    g.pop("ui_translations", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                g.pop(name, None)
            else:
                setattr(g, name, value)


def snippet_parts(options: SnippetOptions, query) -> dict:
    """src, title, the iframe and the whole snippet for one set of options (escaped, ready to paste)."""
    src = url_for("embed.page", _external=True) + "?" + urlencode(options.embed_pairs())
    title = options.title
    if not title:
        with speaking(options.ui or ui_lang()):
            title = frame_title(query, options.ui or ui_lang())
    if options.size == "fixed":
        width, style = str(options.width), f"border:0;max-width:100%;width:{options.width}px;height:{options.height}px"
    else:
        width, style = "100%", f"display:block;border:0;width:100%;height:{options.height}px"
    attributes = [("src", src), ("title", title), ("width", width), ("height", str(options.height)),
                  ("style", style), ("loading", "lazy"), ("allow", "geolocation"), ("referrerpolicy", "no-referrer")]
    iframe = Markup("<iframe{}></iframe>").format(
        Markup("").join(Markup(' {}="{}"').format(name, value) for name, value in attributes))
    snippet = iframe
    script_src = url_for("embed.resize_script", _external=True)
    if options.resize:
        snippet = Markup("{}\n<script src=\"{}\" async></script>").format(iframe, script_src)
    # "text" is the snippet as characters (for a textarea, which would otherwise decode its entities).
    return {"src": src, "title": title, "iframe": iframe, "snippet": snippet, "text": str(snippet),
            "script": script_src}


def allowed_origins() -> list[str]:
    return [str(o).rstrip("/") for o in current_data().settings.get("embed", "allowed_origins") or []]


@bp.get("/embed/code")
def code():
    """The embed-code generator (works as a plain GET form; embed-code.js updates it live)."""
    data = current_data()
    lang = ui_lang()
    options, query, problems = parse_snippet_options(request.args)
    parts = snippet_parts(options, query)
    total = data.index.count(dataclasses.replace(query, include_virtual=True))
    total_text = ngettext("This map shows %(num)d offer.", "This map shows %(num)d offers.", total)
    if request.args.get("partial") == "snippet":
        return jsonify(src=parts["src"], title=parts["title"], iframe=str(parts["iframe"]),
                       snippet=str(parts["snippet"]), total=total, totalText=total_text, problems=problems,
                       url=_url("embed.code", options.form_pairs() + [("ui", lang)]))
    # Every value present in the data is offered, whatever else is chosen (no counts: they would go stale).
    everything = data.index.facet_counts(type(query)(include_virtual=True))
    facets = pages.facet_views(query, everything, lang)
    for facet in facets:
        for option in facet["options"]:
            option["hidden"] = False
    message = None
    if problems:
        message = gettext("Some filters in this link were not understood and have been left out: %(names)s",
                          names=", ".join(problems))
    origins = allowed_origins()
    return render_template(
        "embed/code.html", **pages.common_context(), options=options, facets=facets, parts=parts,
        total_text=total_text, message=message, origins=origins, any_origin="*" in origins,
        embed_languages=[(language, native_name(language), offer_views.html_lang(language),
                          "rtl" if language in RTL else "ltr") for language in ui_languages()],
    )


# --------------------------------------------------------------------------- static export


def static_export(filters, *, title: str = "", link_base: str = "") -> tuple[str, int, int]:
    """One self-contained HTML page (map and list) of the offers matching ``filters``.

    Runs inside a request context of the deployment's app, whose ``ui``
    argument is the page's language. ``filters`` uses the API's parameter
    names; a problem raises :class:`webmap.params.ParameterErrors` (an export
    must not silently leave a filter out). ``link_base`` is the public address
    of this Angebotskarte: offer names then also link to their pages there.

    Returns (html, offers listed, offers on the map).
    """
    data = current_data()
    lang = ui_lang()
    query = parse_offer_query(filters, search_vocabulary(), accepted=FACET_PARAMETERS + ("q", "open_now"))
    query = dataclasses.replace(query, include_virtual=True, offset=0, limit=0)
    total = data.index.count(query)
    rows = data.index.search(dataclasses.replace(query, limit=total)).rows if total else []
    base = safe_base_url(link_base)
    offers = []
    for number, rec in enumerate(offer_views.offer_records(rows), start=1):
        view = offer_views.offer_view(rec, lang=lang, detail=True)
        view["anchor"] = f"offer-{number}"
        view["url"] = base + url_for("pages.offer", offer_id=view["id"], ui=lang) if base else ""
        badge = offer_views.category_info(view["category"], lang)
        # The colour goes into a style attribute: only a plain hex colour may (no url(), no other rules).
        view["badge"] = dict(badge, colour=badge["colour"] if _HEX_COLOUR.fullmatch(badge["colour"]) else "#4d4d4d")
        offers.append(view)
    title = title or frame_title(query, lang)
    context = dict(pages.common_context(), offers=offers, title=title, total=len(offers),
                   on_map=sum(o["located"] for o in offers), as_of=format_date(date.today(), "long"),
                   site_url=(base + "/") if base else "")
    points = [{"id": o["id"], "lat": o["lat"], "lon": o["lon"], "name": o["name"], "category": o["category_label"],
               "colour": o["badge"]["colour"], "letter": o["badge"]["letter"], "address": o["address"],
               "anchor": o["anchor"], "url": o["url"]}
              for o in offers if o["located"]]
    html = maps.static_offers_page(
        data.settings, points, title=title, lang=offer_views.html_lang(lang), direction="rtl" if lang in RTL else "ltr",
        asset_folder=lambda package: PACKAGES[package][0],
        before_map=render_template("embed/export_top.html", **context),
        after_map=render_template("embed/export_list.html", **context),
        style=render_template("embed/export.css"),
        labels={"details": gettext("Details in the list"), "page": gettext("Page of this offer"),
                "map": gettext("Map of the offers")},
    )
    return html, len(offers), len(points)


def safe_base_url(value: str) -> str:
    """``value`` when it is an http(s) address without query or fragment, else "" (for --link-base)."""
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return ""
    return value.strip().rstrip("/")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(link_attributes=link_attributes)
