"""Maps: the only module that imports folium.

folium describes each map component (map, tile layer, marker cluster) as a
Python object that declares its options and the JS/CSS it needs. We build
those objects here and hand their *configuration* to our own static script
(webmap/static/js/map.js) as JSON, instead of rendering folium's HTML:

* folium's generated page is one inline ``<script>``, which our
  Content-Security-Policy forbids (``script-src 'self'``);
* its default assets come from CDNs; ours point at files the app serves from
  the xstatic packages (see webmap/vendor.py), so no visitor's browser talks to
  a third party except the configured tile server;
* the offers are not inlined: the script loads them from the API for the
  current viewport (``/api/v1/clusters``), which keeps the page small at
  300,000 offers.

:func:`folium_reference_page` renders folium's own MarkerCluster and
FastMarkerCluster pages, used only by scripts/bench_map.py for comparison.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import folium
from folium.plugins import FastMarkerCluster, MarkerCluster
from folium.utilities import camelize

# Zoom levels: the whole area, and one offer on its detail page.
DETAIL_ZOOM = 17
MAX_ZOOM = 19
# Leaflet.markercluster options for the individual markers of a viewport.
CLUSTER_OPTIONS = {
    "max_cluster_radius": 45,
    "show_coverage_on_hover": False,
    "spiderfy_on_max_zoom": True,
    "chunked_loading": True,
    "zoom_to_bounds_on_click": True,
}


def _camel(options: dict) -> dict:
    return {camelize(key): value for key, value in options.items()}


def _local_assets(element, js: list[tuple[str, str]], css: list[tuple[str, str]]) -> None:
    """Replace a folium element's CDN asset list with URLs the app serves."""
    element.default_js = js
    element.default_css = css


def _walk(element) -> Iterable:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def assets_of(root) -> dict[str, list[str]]:
    """The JS and CSS URLs a folium element tree declares, in load order, without duplicates.

    Raises ValueError when any of them is not a path on our own server: a
    component added without :func:`_local_assets` would otherwise make every
    visitor's browser fetch from a CDN.
    """
    js: dict[str, None] = {}
    css: dict[str, None] = {}
    for element in _walk(root):
        for _name, url in getattr(element, "default_js", ()):
            js[url] = None
        for _name, url in getattr(element, "default_css", ()):
            css[url] = None
    for url in [*js, *css]:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            raise ValueError(f"map asset {url!r} is not served by the app; only local /static URLs are allowed")
    return {"js": list(js), "css": list(css)}


def _tile_layer(settings) -> folium.TileLayer:
    return folium.TileLayer(
        tiles=settings.map.tile_url,
        attr=settings.map.tile_attribution,
        max_zoom=MAX_ZOOM,
        name="tiles",
    )


def _base_map(settings, vendor_url, *, centre: Sequence[float], zoom: int | None) -> folium.Map:
    fmap = folium.Map(location=list(centre), zoom_start=zoom, tiles=None, control_scale=True,
                      max_zoom=MAX_ZOOM)
    _local_assets(fmap, [("leaflet", vendor_url("leaflet", "leaflet.js"))],
                  [("leaflet_css", vendor_url("leaflet", "leaflet.css"))])
    _tile_layer(settings).add_to(fmap)
    return fmap


def area_bounds(settings) -> list[list[float]]:
    """[[lat_min, lon_min], [lat_max, lon_max]] of [area] bbox (Leaflet order: lat first)."""
    lon_min, lat_min, lon_max, lat_max = settings.bbox
    return [[lat_min, lon_min], [lat_max, lon_max]]


def _config(fmap: folium.Map, tiles: folium.TileLayer, cluster: MarkerCluster | None) -> dict:
    return {
        "center": list(fmap.location),
        "options": _camel(fmap.options),
        "tiles": {"url": tiles.tiles, "options": _camel(tiles.options)},
        "cluster": _camel(cluster.options) if cluster is not None else None,
        "assets": assets_of(fmap),
    }


def _tiles_of(fmap: folium.Map) -> folium.TileLayer:
    return next(child for child in fmap._children.values() if isinstance(child, folium.TileLayer))


def offers_map_config(settings, vendor_url, *, categories: dict[str, dict], data_url: str,
                      detail_url: str, labels: dict[str, str], fit: Sequence[Sequence[float]] | None = None) -> dict:
    """Configuration of the main map for webmap/static/js/map.js.

    Parameters
    ----------
    settings
        The deployment's settings ([map] tile_url / tile_attribution, [area] bbox).
    vendor_url
        ``vendor_url(package, filename)`` -> URL on our server (webmap.vendor.vendor_url).
    categories
        key -> {"label", "colour", "icon"} for marker icons and the legend.
    data_url
        Where the script loads clusters / offers of a viewport (the clusters API).
    detail_url
        URL of one offer's page with ``__ID__`` where the id goes.
    labels
        Translated texts the script shows (already in the page's language).
    fit
        Bounds to show first ([[lat, lon], [lat, lon]]); default the area's bbox.
    """
    bounds = [list(p) for p in (fit or area_bounds(settings))]
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    fmap = _base_map(settings, vendor_url, centre=centre, zoom=None)
    cluster = MarkerCluster(**CLUSTER_OPTIONS)
    # MarkerCluster.Default.css is left out: our cluster icons have their own look (app.css).
    _local_assets(cluster, [("markerclusterjs", vendor_url("leaflet.markercluster", "leaflet.markercluster.js"))],
                  [("markercluster_css", vendor_url("leaflet.markercluster", "MarkerCluster.css"))])
    cluster.add_to(fmap)
    config = _config(fmap, _tiles_of(fmap), cluster)
    config.update(
        kind="offers",
        bounds=bounds,
        maxBounds=_padded(area_bounds(settings), 0.5),
        categories=categories,
        dataUrl=data_url,
        detailUrl=detail_url,
        labels=labels,
    )
    return config


def offer_map_config(settings, vendor_url, *, lat: float, lon: float, name: str, category: dict,
                     labels: dict[str, str]) -> dict:
    """Configuration of the small map on one offer's page: that offer's marker, no clustering."""
    fmap = _base_map(settings, vendor_url, centre=(lat, lon), zoom=DETAIL_ZOOM)
    config = _config(fmap, _tiles_of(fmap), None)
    config.update(kind="offer", marker={"lat": lat, "lon": lon, "name": name, "category": category},
                  labels=labels)
    return config


def _padded(bounds: list[list[float]], share: float) -> list[list[float]]:
    (lat_min, lon_min), (lat_max, lon_max) = bounds
    dlat, dlon = (lat_max - lat_min) * share, (lon_max - lon_min) * share
    return [[max(-90.0, lat_min - dlat), max(-180.0, lon_min - dlon)],
            [min(90.0, lat_max + dlat), min(180.0, lon_max + dlon)]]


def folium_reference_page(points: Sequence[tuple[float, float, str]], *, fast: bool,
                          tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png") -> str:
    """folium's own HTML page with ``points`` (lat, lon, popup text) in a (Fast)MarkerCluster.

    Exactly what a folium user would write, with folium's default CDN assets:
    the baseline scripts/bench_map.py compares our page against. Never served.
    """
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    fmap = folium.Map(tiles=None)
    folium.TileLayer(tiles=tile_url, attr="&copy; OpenStreetMap contributors").add_to(fmap)
    if fast:
        FastMarkerCluster([[lat, lon] for lat, lon, _ in points]).add_to(fmap)
    else:
        MarkerCluster(locations=[[lat, lon] for lat, lon, _ in points],
                      popups=[text for _, _, text in points]).add_to(fmap)
    if points:
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    return fmap.get_root().render()


# --------------------------------------------------------------------------- static export: one HTML file
#
# For CMSs that allow no iframes, `angebotskarte export-html` (webmap/embed/export.py: static_export) writes a
# page built by folium that needs no server: Leaflet and Leaflet.markercluster are inlined from the
# xstatic packages (their images as data: URIs), markers are HTML (no marker images), and the offers
# travel as JSON data whose texts reach the page only through textContent. Apart from map tiles the
# file makes no request at all.

import base64  # noqa: E402 - this section is self-contained
import re  # noqa: E402
from pathlib import Path  # noqa: E402

EXPORT_ASSETS = (
    ("leaflet", "leaflet.css", "style"),
    ("leaflet.markercluster", "MarkerCluster.css", "style"),
    ("leaflet.markercluster", "MarkerCluster.Default.css", "style"),
    ("leaflet", "leaflet.js", "script"),
    ("leaflet.markercluster", "leaflet.markercluster.js", "script"),
)
_SOURCE_MAP = re.compile(r"/[/*]# sourceMappingURL=[^\s*]+(\s*\*/)?")
_CSS_IMAGE = re.compile(r"url\((['\"]?)images/([\w.-]+\.png)\1\)")
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{3,8}")


class InlineAsset(folium.Element):
    """A ``<script>`` or ``<style>`` holding a file's text (rendered as is, never as a template)."""

    def __init__(self, tag: str, text: str):
        super().__init__()
        if f"</{tag}" in text.lower():
            raise ValueError(f"cannot inline a {tag} that contains '</{tag}'")
        self.tag = tag
        self.text = text

    def render(self, **kwargs) -> str:
        return f"<{self.tag}>\n{self.text}\n</{self.tag}>"


def inline_asset_text(folder: Path, filename: str) -> str:
    """A vendored JS or CSS file, ready to inline: no source-map comment, CSS images as data: URIs."""
    text = (folder / filename).read_text(encoding="utf-8")
    text = _SOURCE_MAP.sub("", text)
    if filename.endswith(".css"):
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments only (one names a bug tracker's URL)

        def data_uri(match: re.Match) -> str:
            image = (folder / "images" / match.group(2)).read_bytes()
            return f"url(data:image/png;base64,{base64.b64encode(image).decode('ascii')})"

        text = _CSS_IMAGE.sub(data_uri, text)
    return text


class StaticPage(folium.Figure):
    """folium's page with a language, a text direction, an escaped title, our own styles and content
    around the map, and the map's script inside <body>."""

    _template = folium.template.Template(
        "<!DOCTYPE html>\n"
        '<html lang="{{ this.lang|e }}" dir="{{ this.direction|e }}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        "<title>{{ this.title|e }}</title>\n"
        "{{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        "<body>\n"
        "{{ this.before_map }}\n"
        "{{ this.html.render(**kwargs) }}\n"
        "{{ this.after_map }}\n"
        "<script>\n{{ this.script.render(**kwargs) }}\n</script>\n"
        "</body>\n"
        "</html>\n"
    )

    def __init__(self, *, title: str, lang: str, direction: str, before_map: str = "", after_map: str = ""):
        super().__init__(title=title)
        self.lang, self.direction = lang, direction
        self.before_map, self.after_map = before_map, after_map

    def render(self, **kwargs) -> str:
        for child in self._children.values():
            child.render(**kwargs)
        # folium.Map's header sets a viewport that forbids zooming (user-scalable=no), which people
        # with low vision need; ours (in the template above) allows it.
        for name, element in list(self.header._children.items()):
            source = getattr(element, "_template_str", None) or ""
            if "user-scalable=no" in source:
                cleaned = re.sub(r"<meta name=\"viewport\"[^>]*>", "", source, flags=re.S)
                self.header._children[name] = folium.Element(cleaned)
        return self._template.render(this=self, kwargs=kwargs)


class OfferPoints(folium.MacroElement):
    """The offers of a static page as markers in its parent cluster, with popups built from data.

    ``points`` are dicts with lat, lon, name, category (label), colour, letter,
    address, anchor (id of the offer's entry in the page's list) and url (its
    online page, or ""). Tests read them from ``self.points``.
    """

    _template = folium.template.Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var cluster = {{ this._parent.get_name() }};
            var map = {{ this.map_name }};
            var points = {{ this.points|tojson }};
            var labels = {{ this.labels|tojson }};
            function add(parent, tag, text, className) {
                var node = document.createElement(tag);
                if (text) node.textContent = text;
                if (className) node.className = className;
                parent.appendChild(node);
                return node;
            }
            function popup(p) {
                var box = document.createElement("div");
                box.className = "map-popup";
                box.dir = document.documentElement.dir || "ltr";
                add(box, "h3", p.name);
                add(box, "p", p.category, "category");
                if (p.address) add(box, "p", p.address);
                var links = add(box, "p");
                var details = add(links, "a", labels.details);
                details.href = "#" + p.anchor;
                if (p.url) {
                    links.appendChild(document.createTextNode(" · "));
                    var page = add(links, "a", labels.page);
                    page.href = p.url;
                    page.target = "_blank";
                    page.rel = "noopener";
                }
                return box;
            }
            var markers = points.map(function (p) {
                var badge = document.createElement("span");
                badge.className = "offer-dot";
                badge.style.backgroundColor = p.colour;
                badge.textContent = p.letter;
                var title = p.name + " – " + p.category;
                var marker = L.marker([p.lat, p.lon], {
                    icon: L.divIcon({html: badge, className: "offer-marker", iconSize: [28, 28],
                                     iconAnchor: [14, 14], popupAnchor: [0, -12]}),
                    title: title, keyboard: true, riseOnHover: true
                });
                marker.bindPopup(function () { return popup(p); });
                marker.on("add", function () {
                    var el = marker.getElement();
                    if (el) el.setAttribute("aria-label", title);
                });
                return marker;
            });
            cluster.addLayers(markers);
            var container = map.getContainer();
            container.setAttribute("role", "region");
            container.setAttribute("aria-label", labels.map);
            map.attributionControl.setPrefix("Leaflet");
            window.angebotskarteExport = {map: map, cluster: cluster, markers: markers, points: points};
            document.body.dataset.mapMarkers = String(markers.length);
            document.documentElement.classList.add("map-ready");
        })();
        {% endmacro %}
    """)

    def __init__(self, points: list[dict], *, map_name: str, labels: dict[str, str]):
        super().__init__()
        self._name = "OfferPoints"
        self.points = [dict(p, colour=p["colour"] if _HEX_COLOUR.fullmatch(str(p.get("colour", ""))) else "#4d4d4d")
                       for p in points]
        self.map_name = map_name
        self.labels = labels


def static_offers_page(settings, points: list[dict], *, title: str, lang: str, direction: str,
                       asset_folder, before_map: str = "", after_map: str = "", style: str = "",
                       labels: dict[str, str] | None = None) -> str:
    """A self-contained HTML page: folium map of ``points`` (see :class:`OfferPoints`) between
    ``before_map`` and ``after_map`` (escaped HTML), Leaflet and markercluster inlined.

    ``asset_folder(package)`` -> the folder of a vendored package's files
    (webmap.vendor.PACKAGES). ``style`` is CSS for the page.
    """
    page = StaticPage(title=title, lang=lang, direction=direction, before_map=before_map, after_map=after_map)
    for package, filename, tag in EXPORT_ASSETS:
        page.header.add_child(InlineAsset(tag, inline_asset_text(Path(asset_folder(package)), filename)),
                              name=f"{package}/{filename}")
    if style:
        page.header.add_child(InlineAsset("style", style), name="page_css")
    bounds = area_bounds(settings)
    if points:
        lats, lons = [p["lat"] for p in points], [p["lon"] for p in points]
        pad = 0.004
        bounds = [[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]]
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    fmap = folium.Map(location=centre, zoom_start=13, tiles=None, control_scale=True, max_zoom=MAX_ZOOM,
                      height="65vh")
    _local_assets(fmap, [], [])
    fmap.add_to(page)
    _tile_layer(settings).add_to(fmap)
    cluster = MarkerCluster(**CLUSTER_OPTIONS)
    _local_assets(cluster, [], [])
    cluster.add_to(fmap)
    OfferPoints(points, map_name=fmap.get_name(), labels=labels or {}).add_to(cluster)
    fmap.fit_bounds(bounds)
    return page.render()


# --------------------------------------------------------------------------- the planner's choropleth (/planung)


import re as _re  # noqa: E402 - this section is self-contained

_FILL_COLOUR = _re.compile(r"#[0-9A-Fa-f]{6}")


def choropleth_map_config(settings, vendor_url, *, districts_url: str, offers_url: str, classification: dict,
                          values: dict[str, str], names: dict[str, str], labels: dict[str, str]) -> dict:
    """Configuration of the /planung map for webmap/static/js/planning.js.

    The district polygons come from ``districts_url`` (/api/v1/districts) and the
    matching offers from ``offers_url``; ``classification`` (webmap.planning.classify.Classification.as_dict)
    says each district's class and colour, computed on the server with mapclassify.
    ``values`` are the mapped values as text (district id -> "81 %"), ``names`` the
    district names. folium supplies the map, tile layer and Leaflet path options.
    """
    fmap = _base_map(settings, vendor_url, centre=[sum(c) / 2 for c in zip(*area_bounds(settings))], zoom=None)
    colours = [c if _FILL_COLOUR.fullmatch(str(c)) else "#4d4d4d" for c in classification.get("colours", [])]
    no_data = str(classification.get("no_data_colour", ""))
    no_data = no_data if _FILL_COLOUR.fullmatch(no_data) else "#d9d9d9"
    # Dark outlines (more than 3:1 against every fill and the tiles) keep the districts apart.
    district_style = folium.vector_layers.path_options(line=False, color="#1a1a1a", weight=1.5, fill=True,
                                                       fill_opacity=0.8)
    no_data_style = folium.vector_layers.path_options(line=False, color="#1a1a1a", weight=1.5, dash_array="4 4",
                                                      fill=True, fill_color=no_data, fill_opacity=0.6)
    offer_style = folium.CircleMarker(location=fmap.location, radius=5, color="#ffffff", weight=2,
                                      fill_color="#1a1a1a", fill_opacity=1).options
    config = _config(fmap, _tiles_of(fmap), None)
    config.update(
        kind="choropleth",
        bounds=area_bounds(settings),
        maxBounds=_padded(area_bounds(settings), 0.5),
        districtsUrl=districts_url,
        offersUrl=offers_url,
        classification=dict(classification, colours=colours),
        values=values,
        names=names,
        districtStyle={k: v for k, v in district_style.items() if v is not None},
        noDataStyle={k: v for k, v in no_data_style.items() if v is not None},
        offerStyle={k: v for k, v in offer_style.items() if v is not None},
        labels=labels,
    )
    return config
