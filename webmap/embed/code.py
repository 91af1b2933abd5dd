"""``/embed/code``: the generator for web editors.

Choose what the map shows and how it looks, see a live preview, copy the
``<iframe>`` snippet. The snippet is built here on the server only
(:func:`snippet_parts`); the page's script asks for it again
(``?partial=snippet``) whenever an option changes. Its addresses come from
``[site] base_url`` (webmap.http.public_url), never from the Host header.
"""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext, ngettext
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from geo.languages import native_name
from webmap import http
from webmap.embed.blueprint import bp
from webmap.embed.options import (CONTROLS, DEFAULT_HEIGHT, DEFAULT_WIDTH, HEIGHT_RANGE, LINK_TARGETS, LIST_POSITIONS,
                                  MAX_TITLE_LENGTH, PRESET_FILTERS, SIZES, WIDTH_RANGE, _WHOLE_NUMBER, embed_url)
from webmap.embed.presets import frame_title
from webmap.i18n import RTL, ui_lang, ui_languages
from webmap.pages.context import common_context
from webmap.pages.listing import facet_views
from webmap.pages.offer_views import html_lang
from webmap.pages.query import page_query
from webmap.params import escaped, has_control_character, query_string_values
from webmap.state import snapshot


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
    query, left_out = page_query(preset, near=None, limit=0, accepted=PRESET_FILTERS)
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
        title=_title(args.get("title", ""), problems),
    )
    return options, query, problems


def _title(raw: str, problems: list[str]) -> str:
    """The frame title a web editor typed: blanks collapsed, at most MAX_TITLE_LENGTH, no control characters."""
    if has_control_character(raw):
        problems.append(f"title={escaped(raw)}")  # the one rule of webmap.params for every parameter
        return ""
    return " ".join(raw.split())[:MAX_TITLE_LENGTH]


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
    src = public_or_relative("embed.page") + "?" + urlencode(options.embed_pairs())
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
    script_src = public_or_relative("embed.resize_script")
    if options.resize:
        snippet = Markup("{}\n<script src=\"{}\" async></script>").format(iframe, script_src)
    # "text" is the snippet as characters (for a textarea, which would otherwise decode its entities).
    return {"src": src, "title": title, "iframe": iframe, "snippet": snippet, "text": str(snippet),
            "script": script_src}


def public_or_relative(endpoint: str) -> str:
    """The endpoint's address as other websites must use it ([site] base_url); root-relative when unknown."""
    return http.public_url(endpoint) or url_for(endpoint)


def allowed_origins() -> list[str]:
    return [str(o).rstrip("/") for o in current_app.config["ANGEBOTSKARTE"].embed.allowed_origins]


@bp.get("/embed/code")
def code():
    """The embed-code generator (works as a plain GET form; embed-code.js updates it live)."""
    index = snapshot().index
    lang = ui_lang()
    options, query, problems = parse_snippet_options(request.args)
    parts = snippet_parts(options, query)
    total = index.count(dataclasses.replace(query, include_virtual=True))
    total_text = ngettext("This map shows %(num)d offer.", "This map shows %(num)d offers.", total)
    if request.args.get("partial") == "snippet":
        return jsonify(src=parts["src"], title=parts["title"], iframe=str(parts["iframe"]),
                       snippet=str(parts["snippet"]), total=total, totalText=total_text, problems=problems,
                       url=embed_url("embed.code", options.form_pairs() + [("ui", lang)]))
    # Every value present in the data is offered, whatever else is chosen (no counts: they would go stale).
    everything = index.facet_counts(type(query)(include_virtual=True))
    facets = facet_views(query, everything, lang)
    for facet in facets:
        for option in facet["options"]:
            option["hidden"] = False
    message = None
    if problems:
        message = gettext("Some filters in this link were not understood and have been left out: %(names)s",
                          names=", ".join(problems))
    origins = allowed_origins()
    return render_template(
        "embed/code.html", **common_context(), options=options, facets=facets, parts=parts,
        total_text=total_text, message=message, origins=origins, any_origin="*" in origins,
        base_url_missing=parts["src"].startswith("/"),
        embed_languages=[(language, native_name(language), html_lang(language),
                          "rtl" if language in RTL else "ltr") for language in ui_languages()],
    )

