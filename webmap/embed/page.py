"""``/embed`` (the map page made compact for an ``<iframe>``), ``/embed/angebote/<id>`` and ``/embed/resize.js``.

``/embed`` takes every filter parameter of ``/`` (parsed through
webmap.pages.query.page_query, answered by the same index query, listed by the
same offer views, mapped by the same static/js/map.js) plus the embed's own
options (webmap.embed.options.EMBED_PARAMETERS). Without JavaScript it is a list.
``/embed/resize.js`` is the small script a host page may load next to the
iframe: it sets the frame's height from the ``angebotskarte:resize`` messages
the embed posts (and accepts them only from this server's origin).
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, render_template, request, url_for
from flask_babel import gettext

from webmap import maps
from webmap.embed.blueprint import bp
from webmap.embed.options import (EMBED_PARAMETERS, RESIZE_MESSAGE, RESIZE_SCRIPT, EmbedOptions, embed_args,
                                  embed_url, filter_args, parse_embed_options)
from webmap.embed.presets import map_query, matching_bounds, preset_labels
from webmap.i18n import ui_lang
from webmap.pages.address_search import address_geocoder, resolve_location
from webmap.pages.context import common_context, map_labels
from webmap.pages.listing import PAGE_SIZE, facet_views, result_page
from webmap.pages.offer import offer_detail
from webmap.pages.offer_views import ICON_SPRITE, category_info
from webmap.pages.query import page_query
from webmap.state import current_data
from webmap.vendor import vendor_url


def _results(query, options: EmbedOptions, location, near_text: str, args) -> tuple[dict, object]:
    """One page of matching offers, listed as the map page lists them, with links that suit the frame."""
    results, result = result_page(query, location, near_text, facets=options.controls == "filters")
    here = list(args.items(multi=True))
    if options.link_target == "_self":
        for view in results["offers"]:
            # In the frame: the embed's own detail view, which leads back to exactly this list.
            view["url"] = embed_url("embed.offer", here, offer_id=view["id"])
    total = results["total"]
    others = [(k, v) for k, v in here if k != "offset"]
    results.update({
        "previous_url": (embed_url("embed.page", others + [("offset", str(max(0, query.offset - PAGE_SIZE)))])
                         if query.offset > 0 else None),
        "next_url": (embed_url("embed.page", others + [("offset", str(query.offset + PAGE_SIZE))])
                     if query.offset + PAGE_SIZE < total else None),
    })
    return results, result


@bp.get("/embed")
def page():
    """The compact map page for iframes (see docs/embed.md for every parameter)."""
    data = current_data()
    settings = data.settings
    lang = ui_lang()
    args = request.args
    options, embed_problems = parse_embed_options(args, settings.embed.link_target)
    filters = filter_args(args)
    near_text = filters.get("near", "").strip()
    location, message = resolve_location(near_text)
    query, problems = page_query(filters, near=location, limit=PAGE_SIZE)
    problems = problems + embed_problems
    if problems and message is None:
        message = {"kind": "error", "text": gettext(
            "Some filters in this link were not understood and have been left out: %(names)s",
            names=", ".join(problems))}
    results, result = _results(query, options, location, near_text, args)
    kept = embed_args(args)
    if options.link_target == "_self":
        detail_url = embed_url("embed.offer", list(args.items(multi=True)), offer_id="__ID__")
    else:
        detail_url = url_for("pages.offer", offer_id="__ID__", ui=lang)
    fit = matching_bounds(query)
    if location is not None:
        lat, lon = location
        fit = [[lat - 0.01, lon - 0.015], [lat + 0.01, lon + 0.015]]
    map_config = maps.offers_map_config(
        settings, vendor_url,
        categories={k: category_info(k, lang) for k in data.categories.keys},
        data_url=url_for("api.clusters"), detail_url=detail_url, labels=map_labels(), fit=fit,
    )
    map_config.update(iconSprite=url_for("static", filename=ICON_SPRITE), query=map_query(query),
                      linkTarget=options.link_target, list=options.list, resizeMessage=RESIZE_MESSAGE)
    if options.center is not None or options.zoom is not None:
        map_config["view"] = {"center": list(options.center) if options.center else None, "zoom": options.zoom}
    if location is not None:
        map_config["here"] = {"lat": location[0], "lon": location[1], "label": gettext("Your search location")}
    form = {"q": filters.get("q", ""), "near": near_text, "open_now": query.open_now,
            "wheelchair": "yes" in query.wheelchair, "hidden": kept}
    facets = facet_views(query, result.facets or {}, lang) if options.controls == "filters" else []
    chosen = sum(f["selected"] for f in facets) + bool(form["q"]) + bool(near_text) + bool(query.open_now) \
        + bool(form["wheelchair"])
    full_url = embed_url("pages.index", [(k, v) for k, v in args.items(multi=True)
                                    if k not in EMBED_PARAMETERS and k != "offset"])
    status = (message or {}).get("status", 200)
    return render_template(
        "embed/page.html", **common_context(), options=options, results=results, message=message,
        form=form, facets=facets, chosen=chosen, preset=preset_labels(query, lang), map_config=map_config,
        address_search=address_geocoder() is not None, full_url=full_url,
        reset_url=embed_url("embed.page", kept), link_target=options.link_target,
        new_tab=options.link_target == "_blank",
    ), status


@bp.get("/embed/angebote/<path:offer_id>")
def offer(offer_id: str):
    """One offer inside the frame (used when links open in the frame, ``[embed] link_target = "_self"``).

    The same facts as the full page (webmap.pages.offer.offer_detail), compact, with
    a way back to the embedded list the visitor came from.
    """
    settings = current_app.config["ANGEBOTSKARTE"]
    lang = ui_lang()
    view, map_config, route_url = offer_detail(offer_id, geocode=False)
    if map_config is not None:
        map_config.update(resizeMessage=RESIZE_MESSAGE, linkTarget="_self")
    back_url = embed_url("embed.page", list(request.args.items(multi=True)))
    return render_template(
        "partials/offer_page.html", **common_context(), in_frame=True, offer=view, map_config=map_config,
        route_url=route_url, back_url=back_url, full_url=url_for("pages.offer", offer_id=view["id"], ui=lang),
        max_age_days=settings.map.verification_max_age_days,
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
