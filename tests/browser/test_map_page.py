"""The newcomer's map page in a real browser: filters, list and map in step, URL, RTL, privacy, safety."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import MALICIOUS_NAME, guarded_context, screenshot, wait_ready, wait_until

pytestmark = pytest.mark.browser


def results_state(page) -> dict:
    return page.evaluate("""() => {
        const r = document.getElementById('results');
        return {total: Number(r.dataset.total), located: Number(r.dataset.located),
                items: r.querySelectorAll('li.offer').length,
                heading: r.querySelector('h2').textContent};
    }""")


def map_state(page) -> dict:
    return page.evaluate("""() => {
        const {layer} = window.angebotskarte;
        return {mode: document.body.dataset.mapMode, total: Number(document.body.dataset.mapTotal),
                markers: layer.points.getLayers().length, clusters: layer.clusters.getLayers().length,
                renders: Number(document.body.dataset.mapRenders)};
    }""")


def api_total(page, query: str) -> int:
    """What the clusters API says for the map's filters over the whole area (the browser's own fetch)."""
    return page.evaluate("q => fetch('/api/v1/clusters?zoom=12&' + q).then(r => r.json()).then(d => d.total)", query)


def toggle(page, facet: str, value: str) -> None:
    """Tick or untick one filter option as a visitor does, and wait until list and map have both caught up."""
    before_list = int(page.evaluate("Number(document.body.dataset.listUpdates || 0)"))
    before_map = map_state(page)["renders"]
    details = page.locator(f"details#facet-{facet}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    page.locator(f'input[name="{facet}"][value="{value}"]').click()
    wait_until(page, "n => Number(document.body.dataset.listUpdates || 0) > n", arg=before_list)
    wait_until(page, "n => Number(document.body.dataset.mapRenders) > n", arg=before_map)


def test_map_shows_the_expected_offers_after_each_filter_change(page):
    page.goto(page.server.url + "/?ui=en")
    wait_ready(page)
    state, shown = results_state(page), map_state(page)
    assert state["total"] == 150
    assert shown["mode"] == "points"
    assert shown["markers"] == shown["total"] == state["located"] == api_total(page, "")

    steps = [("category", "doctor", "category=doctor"),
             ("category", "counselling", "category=doctor&category=counselling"),
             ("language", "ar", "category=doctor&category=counselling&language=ar"),
             ("category", "doctor", "category=counselling&language=ar")]
    for facet, value, query in steps:
        toggle(page, facet, value)
        state, shown = results_state(page), map_state(page)
        expected = api_total(page, query)
        assert shown["markers"] == shown["total"] == state["located"] == expected, query
        assert state["heading"].startswith(f"{state['total']} offer")
        params = parse_qs(urlsplit(page.url).query)
        for name, value_ in (pair.split("=") for pair in query.split("&")):
            assert value_ in params[name], (query, page.url)
    assert not page.errors


def test_filter_state_survives_reload_and_sharing(page):
    page.goto(page.server.url + "/?ui=uk")
    wait_ready(page)
    toggle(page, "category", "language_course")
    page.fill("#f-q", "Deutsch")
    page.press("#f-q", "Enter")
    wait_until(page, "() => new URL(location.href).searchParams.get('q') === 'Deutsch'")
    wait_until(page, "() => !document.body.dataset.listBusy")
    shared = page.url
    before = results_state(page)
    fresh = page.context.new_page()
    fresh.goto(shared)
    wait_ready(fresh)
    assert fresh.locator('input[name="category"][value="language_course"]').is_checked()
    assert fresh.input_value("#f-q") == "Deutsch"
    assert fresh.locator("html").get_attribute("lang") == "uk"
    assert results_state(fresh)["total"] == before["total"]
    assert map_state(fresh)["total"] == before["located"]


def test_list_and_map_agree_and_lead_to_each_other(page):
    page.goto(page.server.url + "/?ui=en&category=doctor")
    wait_ready(page)
    ids = page.eval_on_selector_all("li.offer[data-lat]", "els => els.map(e => e.dataset.offerId)")
    on_map = page.evaluate("() => [...window.angebotskarte.layer.byId.keys()]")
    assert ids and set(ids) <= set(on_map)
    # list -> map: the button opens that offer's popup and moves focus into it
    first = page.locator("li.offer[data-lat]").first
    name = first.locator("h3").inner_text()
    first.locator("button.show-on-map").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == name
    assert page.evaluate("document.activeElement.closest('.leaflet-popup') !== null")
    # map -> list: opening a marker's popup highlights its list entry
    page.keyboard.press("Escape")
    other = ids[-1]
    page.evaluate("id => window.angebotskarte.layer.openOffer(id, 0, 0)", other)
    page.wait_for_selector(f'li.offer.highlight[data-offer-id="{other}"]')


def test_markers_and_filters_work_with_the_keyboard(page):
    page.goto(page.server.url + "/?ui=en")
    wait_ready(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # a filter option toggled with the space bar updates the list
    page.locator("details#facet-category summary").focus()
    page.keyboard.press("Enter")
    page.locator('input[name="category"][value="sports"]').focus()
    before = int(page.evaluate("Number(document.body.dataset.listUpdates || 0)"))
    page.keyboard.press("Space")
    wait_until(page, "n => Number(document.body.dataset.listUpdates || 0) > n", arg=before)
    assert "category=sports" in page.url
    # markers (and groups of markers) are focusable buttons with a name
    wait_ready(page, renders=2)
    markers = page.locator(".leaflet-marker-icon")
    assert markers.count() > 0
    first = markers.first
    assert first.get_attribute("tabindex") == "0"
    assert first.get_attribute("role") == "button"
    assert (first.get_attribute("aria-label") or first.inner_text()).strip()
    # focus visible: the focused control draws an outline
    page.locator("#f-q").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_use_my_location_sorts_by_distance(playwright_browser, live_server):
    context = guarded_context(playwright_browser, live_server, geolocation={"latitude": 49.4447, "longitude": 7.7690},
                              permissions=["geolocation"])
    try:
        page = context.new_page()
        page.goto(live_server.url + "/?ui=en")
        wait_ready(page)
        before = int(page.evaluate("Number(document.body.dataset.listUpdates || 0)"))
        page.click("#locate")
        wait_until(page, "n => Number(document.body.dataset.listUpdates || 0) > n", arg=before)
        assert page.input_value("#f-near") == "49.44470, 7.76900"
        assert "near=49.44470" in page.url
        distances = page.eval_on_selector_all("p.distance strong", "els => els.map(e => e.textContent)")
        assert len(distances) >= 10
        assert page.locator(".here-marker").count() == 1
        assert not context.traffic.foreign
    finally:
        context.close()


def test_arabic_is_right_to_left_and_mirrored(page):
    page.goto(page.server.url + "/?ui=ar")
    wait_ready(page)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    list_box = page.locator(".column-list").bounding_box()
    map_box = page.locator(".column-map").bounding_box()
    assert list_box["x"] > map_box["x"], "the list column starts on the right in RTL"
    heading = page.locator("h1").bounding_box()
    assert heading["x"] + heading["width"] > 1280 - 40, "headings are right-aligned"
    assert page.locator("#filters-heading").inner_text() == "تصفية العروض"
    screenshot(page, "index-ar.png")


def test_screenshot_of_the_german_page(page):
    page.goto(page.server.url + "/?ui=de")
    wait_ready(page)
    assert page.locator("#results h2").inner_text().endswith("Angebote")
    screenshot(page, "index-de.png")
    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(page.server.url + "/?ui=de&category=doctor")
    wait_ready(phone)
    list_box = phone.locator("#results").bounding_box()
    map_box = phone.locator(".column-map").bounding_box()
    assert list_box["y"] < map_box["y"], "on phones the list comes first, the map after it"
    screenshot(phone, "index-de-phone.png")


@pytest.mark.parametrize("path", ["/?ui=de", "/angebote/kl-0001?ui=de", "/?ui=ar&near=49.44,7.76"])
def test_no_request_leaves_for_another_host(page, path):
    page.goto(page.server.url + path)
    wait_ready(page)
    page.wait_for_load_state("networkidle")
    traffic = page.context.traffic
    assert not traffic.foreign, traffic.foreign
    assert traffic.tiles, "tiles come from the configured tile server"
    assert page.context.cookies() == []


def test_detail_page_small_map_and_links(page):
    page.goto(page.server.url + "/angebote/kl-0002?ui=fa")
    wait_ready(page)
    assert page.locator(".leaflet-marker-icon").count() == 1
    route = page.locator("a[href^='https://www.openstreetmap.org/directions']")
    assert route.count() == 1
    screenshot(page, "detail-fa.png")


def test_malicious_names_never_execute(playwright_browser, hostile_server):
    context = guarded_context(playwright_browser, hostile_server)
    dialogs = []
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(hostile_server.url + "/?ui=en")
        wait_ready(page)
        page.locator("li.offer[data-offer-id='x-1'] button.show-on-map").click()
        page.locator(".leaflet-popup-content").wait_for()
        assert MALICIOUS_NAME in page.locator(".leaflet-popup-content h3").inner_text()
        page.goto(hostile_server.url + "/angebote/x-1?ui=en")
        wait_ready(page)
        page.locator(".leaflet-marker-icon").click()
        page.locator(".leaflet-popup-content").wait_for()
        page.goto(hostile_server.url + "/angebote/x-2?ui=ar")
        wait_ready(page)
        assert page.evaluate("window.__xss") is None
        assert page.title() != "pwned"
        assert page.locator("img[src='x']").count() == 0
        assert not dialogs
        assert not any(url.endswith("/x") for url in context.traffic.own), "the injected <img> never loaded"
        assert not context.traffic.foreign
    finally:
        context.close()


def test_everything_works_without_javascript(playwright_browser, live_server):
    context = guarded_context(playwright_browser, live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/?ui=en")
        assert page.locator("li.offer").count() == 50
        assert page.locator(".map-fallback").is_visible()
        page.locator("details#facet-category summary").click()
        page.locator('input[name="category"][value="doctor"]').check()
        page.fill("#f-near", "49.4447, 7.7690")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*category=doctor.*"))
        assert "near=49.4447" in page.url
        assert page.locator("p.distance").count() > 0
        page.locator("li.offer h3 a").first.click()
        page.wait_for_url(re.compile(r".*/angebote/.*"))
        assert page.locator("a[href^='https://www.openstreetmap.org/directions']").count() == 1
    finally:
        context.close()
