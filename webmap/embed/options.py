"""The embed's own parameters (list, center, zoom, controls, links) and the links that stay in the frame."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from webmap import maps
from webmap.params import MAP_FILTER_PARAMETERS, ParameterErrors, parse_offer_query
from webmap.state import search_vocabulary

#: Where the list goes: beside the map, below it, or folded away under it.
LIST_POSITIONS = ("side", "bottom", "none")
#: "filters" shows the filter form; "none" makes a preset, read-only view.
CONTROLS = ("filters", "none")
#: ``links=`` may choose between the two safe targets only (never _top or _parent).
LINK_TARGETS = {"tab": "_blank", "frame": "_self"}
#: Parameters of /embed besides the filters of / (and ``ui``).
EMBED_PARAMETERS = ("list", "center", "zoom", "controls", "links")
#: Filters a preset made with /embed/code may carry.
PRESET_FILTERS = MAP_FILTER_PARAMETERS
#: The filters the map's data request carries (the clusters API's names): the same.
MAP_FILTERS = PRESET_FILTERS
#: What the embed posts to its parent window, and what resize.js listens for.
RESIZE_MESSAGE = "angebotskarte:resize"

SIZES = ("responsive", "fixed")
DEFAULT_WIDTH, DEFAULT_HEIGHT = 600, 500
WIDTH_RANGE, HEIGHT_RANGE = (200, 2000), (200, 3000)
MAX_TITLE_LENGTH = 200
RESIZE_SCRIPT = "js/embed-resize.js"
_WHOLE_NUMBER = re.compile(r"[0-9]{1,5}")  # ASCII digits only ("²".isdigit() is true, int("²") fails)


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


def embed_url(endpoint: str, pairs, **values) -> str:
    """url_for with query pairs (empty values left out)."""
    pairs = [(k, v) for k, v in pairs if v not in (None, "")]
    return url_for(endpoint, **values) + ("?" + urlencode(pairs) if pairs else "")


def link_attributes(target: str, *, external: bool = False) -> Markup:
    """target (and rel) of a link leaving the embed's list: new tabs never get a handle on us."""
    if target == "_blank":
        rel = "noopener noreferrer external" if external else "noopener"
        return Markup(' target="_blank" rel="{}"').format(rel)
    return Markup(' target="{}"').format(target)
