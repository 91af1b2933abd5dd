"""The embed as a town's website meets it: another origin frames /embed with a snippet from /embed/code.

Three origins on 127.0.0.1: our server, the town's site (in [embed] allowed_origins) and a stranger's
site (not allowed). Plus the static export opened from disk, and axe-core on /embed and /embed/code.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import serious_axe_violations, LiveServer, guarded_context, screenshot, wait_until
from .embed_support import HostSite, api_ids, demo_settings, embed_frame, get_json, origins_context

pytestmark = pytest.mark.browser

PRESET = "category=language_course&language=ar"


@pytest.fixture(scope="module")
def town():
    site = HostSite()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def stranger():
    site = HostSite()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path, town):
    settings = demo_settings(tmp_path_factory.mktemp("embed"), embed={"allowed_origins": [town.url]})
    live = LiveServer(settings)
    yield live
    live.stop()


def snippet_for(server, query: str) -> dict:
    """The generator's answer for options given as its own query string (the server is the only source)."""
    return get_json(f"{server.url}/embed/code?{query}&partial=snippet&ui=de")


class _Iframes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.iframes: list[dict] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.iframes.append(dict(attrs))
        elif tag == "script":
            self.scripts.append(dict(attrs))


def parse_snippet(text: str) -> _Iframes:
    parser = _Iframes()
    parser.feed(text)
    return parser


def wait_embed(page, server, timeout: float = 15_000):
    """The frame showing our /embed on ``page``, once its map has rendered."""
    frame = None
    for _ in range(150):
        frame = embed_frame(page, server.url)
        if frame is not None:
            break
        page.wait_for_timeout(100)
    assert frame is not None, [f.url for f in page.frames]
    wait_until(frame, "document.body && document.body.dataset.mapReady === '1'", timeout=timeout)
    return frame


def test_preset_embed_on_the_towns_site_shows_exactly_the_preset_offers(playwright_browser, server, town):
    answer = snippet_for(server, f"{PRESET}&list=bottom&resize=1&height=300")
    url = town.show("/integration.html", answer["snippet"])
    context = origins_context(playwright_browser, [server.url, town.url])
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        responses = []
        page.on("response", lambda r: responses.append(r) if urlsplit(r.url).path == "/embed" else None)
        page.goto(url)
        frame = wait_embed(page, server)
        listed = frame.eval_on_selector_all("li.offer", "items => items.map(i => i.dataset.offerId)")
        expected = api_ids(server.url, PRESET, include_virtual=True)
        assert expected and sorted(listed) == sorted(expected)
        located = api_ids(server.url, PRESET, include_virtual=False)
        state = frame.evaluate("""() => ({total: Number(document.body.dataset.mapTotal),
                                           markers: window.angebotskarte.layer.points.getLayers().length,
                                           ids: [...window.angebotskarte.layer.byId.keys()]})""")
        assert state["total"] == state["markers"] == len(located)
        assert sorted(state["ids"]) == sorted(located)
        # The resize message arrived: the frame grew from 300 px to the height the embed posted.
        wait_until(page, "() => document.querySelector('iframe').getBoundingClientRect().height > 300")
        posted = int(frame.evaluate("document.body.dataset.postedHeight"))
        height = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
        assert abs(height - posted) <= 1 and page.get_attribute("iframe", "height") == str(posted)
        header = responses[0].header_value("content-security-policy")
        assert f"frame-ancestors 'self' {town.url}" in header
        assert responses[0].header_value("x-frame-options") is None
        # Links open a new tab and leave the town's page alone, in the list and in the map's popups.
        first = frame.locator("li.offer h3 a").first
        assert first.get_attribute("target") == "_blank" and "noopener" in first.get_attribute("rel")
        item = frame.locator("li.offer[data-lat]").first
        frame.evaluate("([id, lat, lon]) => window.angebotskarte.layer.openOffer(id, lat, lon)",
                       [item.get_attribute("data-offer-id"), float(item.get_attribute("data-lat")),
                        float(item.get_attribute("data-lon"))])
        popup_link = frame.locator(".leaflet-popup-content a")
        popup_link.wait_for()
        assert popup_link.get_attribute("target") == "_blank" and popup_link.get_attribute("rel") == "noopener"
        assert not context.traffic.foreign, context.traffic.foreign
        assert context.cookies() == []
        assert not errors
        screenshot(page, "embed-on-town-site.png")
    finally:
        context.close()


def test_a_site_not_in_allowed_origins_is_refused_by_the_browser(playwright_browser, server, stranger):
    answer = snippet_for(server, PRESET)
    url = stranger.show("/fremd.html", answer["snippet"])
    context = origins_context(playwright_browser, [server.url, stranger.url])
    try:
        page = context.new_page()
        responses = []
        page.on("response", lambda r: responses.append(r) if urlsplit(r.url).path == "/embed" else None)
        page.goto(url)
        page.wait_for_load_state("load")
        wait_until(page, "() => document.querySelector('iframe') !== null")
        page.wait_for_timeout(500)
        assert responses, "the browser asked our server for the embed"
        header = responses[0].header_value("content-security-policy")
        ancestors = re.search(r"frame-ancestors ([^;]*)", header).group(1).split()
        assert stranger.url not in ancestors
        # Chromium replaced the refused document: no frame holds our page.
        assert embed_frame(page, server.url) is None, [f.url for f in page.frames]
        child = page.frames[1]
        assert child.url.startswith("chrome-error://") or child.evaluate("document.querySelector('.embed-root')") is None
    finally:
        context.close()


def test_generator_snippet_round_trips_through_the_towns_site(playwright_browser, server, town):
    context = origins_context(playwright_browser, [server.url, town.url])
    try:
        page = context.new_page()
        page.goto(server.url + "/embed/code?ui=en")
        wait_until(page, "document.body.dataset.enhanced === '1'")

        def changed(action):
            before = int(page.evaluate("Number(document.body.dataset.codeUpdates || 0)"))
            action()
            wait_until(page, "n => Number(document.body.dataset.codeUpdates || 0) > n", arg=before)

        changed(lambda: page.check('input[name="category"][value="language_course"]'))
        page.locator("#code-facet-language summary").click()
        changed(lambda: page.check('input[name="language"][value="ar"]'))
        changed(lambda: page.check("#c-list-bottom"))
        changed(lambda: page.check("#c-controls-none"))
        changed(lambda: page.select_option("#c-embed-ui", "ar"))
        changed(lambda: page.check("#c-links-frame"))
        changed(lambda: page.check("#c-size-fixed"))
        changed(lambda: page.fill("#c-width", "640"))
        changed(lambda: page.fill("#c-height", "420"))
        changed(lambda: page.check("#c-resize"))
        text = page.input_value("#snippet")
        parsed = parse_snippet(text)
        assert len(parsed.iframes) == 1 and len(parsed.scripts) == 1
        iframe = parsed.iframes[0]
        src = urlsplit(iframe["src"])
        assert f"{src.scheme}://{src.netloc}" == server.url and src.path == "/embed"
        options = {k: v for k, v in parse_qs(src.query).items()}
        assert options == {"category": ["language_course"], "language": ["ar"], "ui": ["ar"], "list": ["bottom"],
                           "controls": ["none"], "links": ["frame"]}
        assert iframe["width"] == "640" and iframe["height"] == "420"
        assert iframe["loading"] == "lazy" and iframe["allow"] == "geolocation"
        assert "العربية" in iframe["title"], "the title speaks the map's language: " + iframe["title"]
        assert parsed.scripts[0]["src"] == server.url + "/embed/resize.js"
        assert page.get_attribute("#preview iframe", "src") == iframe["src"]
        # The page's URL holds the choices: a reload shows the same code.
        page.reload()
        assert page.input_value("#snippet") == text
        # The copy button copies exactly this code.
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
        page.click("#copy")
        wait_until(page, "document.getElementById('copy-status').textContent !== ''")

        # Loading the snippet reproduces the options.
        host = context.new_page()
        host.goto(town.show("/arabisch.html", text, lang="ar"))
        frame = wait_embed(host, server)
        assert frame.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
        assert "list-bottom" in frame.evaluate("document.documentElement.className")
        assert frame.locator("#filters").count() == 0, "controls=none: a fixed selection, no form"
        listed = frame.eval_on_selector_all("li.offer", "items => items.map(i => i.dataset.offerId)")
        assert sorted(listed) == sorted(api_ids(server.url, PRESET, include_virtual=True))
        assert host.get_attribute("iframe", "width") == "640"
        # links=frame: an offer opens inside the frame, and leads back to the same list.
        link = frame.locator("li.offer h3 a").first
        assert link.get_attribute("target") == "_self"
        name = link.inner_text()
        link.click()
        frame.wait_for_url(re.compile(r".*/embed/angebote/.*"))
        assert frame.locator("h1").inner_text() == name
        frame.locator("p.back a").first.click()
        frame.wait_for_url(re.compile(r".*/embed\?.*"))
        assert "controls=none" in frame.url and "links=frame" in frame.url
        assert not context.traffic.foreign, context.traffic.foreign
    finally:
        context.close()


def test_static_export_opens_from_disk_without_network(playwright_browser, server, tmp_path):
    from webmap.cli import main

    out = tmp_path / "angebote.html"
    config = server.app.config["ANGEBOTSKARTE"]
    assert main(["export-html", str(out), "--category", "language_course", "--category", "counselling",
                 "--ui", "en", "--config", str(config.source)]) == 0
    query = "category=language_course,counselling"
    everything = api_ids(server.url, query, include_virtual=True)
    located = api_ids(server.url, query, include_virtual=False)
    context = origins_context(playwright_browser, [])
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(out.as_uri())
        wait_until(page, "document.body.dataset.mapMarkers !== undefined")
        page.wait_for_load_state("networkidle")
        points = page.evaluate("window.angebotskarteExport.points.map(p => p.id)")
        markers = page.evaluate("window.angebotskarteExport.cluster.getLayers().length")
        assert sorted(points) == sorted(located) and markers == len(located)
        listed = page.eval_on_selector_all(".export-list li.offer", "items => items.map(i => i.dataset.offerId)")
        assert listed == everything
        assert page.locator(".map-fallback").is_hidden()
        page.locator(".leaflet-marker-icon").first.wait_for()
        traffic = context.traffic
        assert not traffic.foreign, traffic.foreign
        assert traffic.tiles, "only map tiles come from the network"
        assert all(url.startswith("file://") for url in traffic.own)
        assert not errors
        screenshot(page, "export-en.png")
    finally:
        context.close()


def test_without_javascript_the_embed_is_a_working_list(playwright_browser, server):
    context = guarded_context(playwright_browser, server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 700, "height": 450})
        page.goto(server.url + "/embed?ui=en&list=side&category=doctor")
        assert page.locator("li.offer").count() == len(api_ids(server.url, "category=doctor", include_virtual=True))
        assert page.locator(".embed-map").is_hidden(), "no empty map box without JavaScript"
        page.locator(".embed-filters > summary").click()
        page.locator("details#facet-language summary").click()
        page.locator('input[name="language"][value="ar"]').check()
        page.click("#filters button[type=submit]")
        page.wait_for_url(re.compile(r".*/embed\?.*language=ar.*"))
        assert "list=side" in page.url and "ui=en" in page.url, "the embed's options survive the form"
        listed = page.eval_on_selector_all("li.offer", "items => items.map(i => i.dataset.offerId)")
        assert sorted(listed) == sorted(api_ids(server.url, "category=doctor&language=ar", include_virtual=True))
    finally:
        context.close()



@pytest.mark.parametrize("path", [
    "/embed?ui=de",
    "/embed?ui=ar&category=language_course&list=bottom",
    "/embed?ui=en&list=none&controls=none&category=doctor",
    "/embed/angebote/kl-0002?ui=uk&links=frame",
    "/embed/code?ui=de",
    "/embed/code?ui=fa&category=doctor&embed_ui=fa&resize=1",
])
def test_no_serious_accessibility_violations(playwright_browser, server, axe_source, path):
    # Our CSP (rightly) forbids injected scripts; only this context bypasses it, to run axe.
    context = guarded_context(playwright_browser, server, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(server.url + path)
        wait_until(page, "document.body.dataset.enhanced === '1'")
        if path.startswith("/embed?"):
            wait_until(page, "document.body.dataset.mapReady === '1'")
        report = serious_axe_violations(page, axe_source)
        assert not report, f"{path}: {report}"
    finally:
        context.close()
