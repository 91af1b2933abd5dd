"""/planung in Chromium: the choropleth and its legend follow the server's classes, the table sorts, axe is clean."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import AXE, serious_axe_violations, guarded_context, screenshot, wait_until

pytestmark = pytest.mark.browser

QUERY = "category=counselling&metric=catchment&scheme=natural_breaks&classes=4"


def wait_map(page) -> None:
    wait_until(page, "document.body.dataset.mapReady === '1'", timeout=15_000)


def api(page, path: str) -> dict:
    response = page.request.get(page.server.url + path)
    assert response.ok, path
    return response.json()


def test_choropleth_has_one_polygon_per_district_coloured_by_the_servers_classes(page, context):
    page.goto(f"{page.server.url}/planung?{QUERY}&ui=de")
    wait_map(page)
    coverage = api(page, f"/api/v1/coverage?{QUERY}")
    classification = coverage["classification"]
    districts = api(page, "/api/v1/districts")["features"]

    polygons = page.eval_on_selector_all(
        "path[data-district]", "els => els.map(e => [e.dataset.district, e.dataset.class, e.getAttribute('fill')])")
    assert len(polygons) == len(districts) == len(classification["districts"])
    for district, cls, fill in polygons:
        expected = classification["districts"][district]
        if expected is None:
            assert cls == "" and fill == classification["no_data_colour"]
        else:
            assert int(cls) == expected
            assert fill.lower() == classification["colours"][expected]

    legend = page.eval_on_selector_all(
        "#legend li.legend-class", "els => els.map(e => [Number(e.dataset.upper), e.dataset.colour, "
                                   "getComputedStyle(e.querySelector('.swatch')).backgroundColor])")
    assert [upper for upper, _, _ in legend] == pytest.approx(classification["breaks"])
    assert [colour for _, colour, _ in legend] == classification["colours"]
    for _, colour, shown in legend:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert shown == f"rgb({r}, {g}, {b})"

    # The offers that answer the question are on top, as points.
    offers = api(page, "/planung/offers.geojson?category=counselling")
    assert int(page.evaluate("document.body.dataset.mapOffers")) == len(offers["features"]) > 0
    assert page.locator("path.planning-offer").count() == len(offers["features"])
    assert not context.traffic.foreign, context.traffic.foreign
    assert context.traffic.tiles  # the one third party allowed: the tile server
    assert not page.errors, page.errors
    screenshot(page, "planning-de.png")


def column_values(page, column: str) -> list[float | None]:
    return page.evaluate(
        """column => {
            const index = [...document.querySelectorAll('#coverage-table thead th')]
                .findIndex(th => th.dataset.column === column);
            return [...document.querySelectorAll('#coverage-table tbody tr')].map(tr => {
                const raw = tr.cells[index].dataset.value;
                return raw === '' ? null : Number(raw);
            });
        }""", column)


def test_clicking_a_column_heading_sorts_the_table(page):
    page.goto(f"{page.server.url}/planung?{QUERY}&ui=en")
    wait_until(page, "document.body.dataset.tableEnhanced === '1'")
    header = page.locator("th[data-column=share_within_catchment]")
    button = header.get_by_role("button")
    assert button.count() == 1 and header.get_attribute("aria-sort") is None

    button.click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [v for v in column_values(page, "share_within_catchment") if v is not None]
    assert values == sorted(values)
    assert parse_qs(urlsplit(page.url).query)["sort"] == ["share_within_catchment"]

    button.press("Enter")  # keyboard works too
    assert header.get_attribute("aria-sort") == "descending"
    values = [v for v in column_values(page, "share_within_catchment") if v is not None]
    assert values == sorted(values, reverse=True)
    assert "descending" in page.locator("#sort-status").text_content()
    assert parse_qs(urlsplit(page.url).query)["sort"] == ["-share_within_catchment"]
    # Only one column is sorted at a time.
    assert page.locator("#coverage-table th[aria-sort]").count() == 1

    # The URL is the state: loading it again gives the same order, from the server.
    order = page.eval_on_selector_all("#coverage-table tbody tr", "rows => rows.map(r => r.dataset.district)")
    page.goto(page.url)
    wait_until(page, "document.body.dataset.tableEnhanced === '1'")
    assert page.eval_on_selector_all("#coverage-table tbody tr", "rows => rows.map(r => r.dataset.district)") == order
    assert not page.errors, page.errors


@pytest.mark.parametrize("path", [f"/planung?{QUERY}&ui=de", "/planung?language=ar&ui=ar"])
def test_no_serious_accessibility_violations(playwright_browser, live_server, path):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm install --prefix tests/js --no-audit --no-fund`")
    context = guarded_context(playwright_browser, live_server, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + path)
        wait_map(page)
        report = serious_axe_violations(page, AXE.read_text(encoding="utf-8"))
        assert not report, f"{path}: {report}"
        assert not context.traffic.foreign
    finally:
        context.close()


def test_a_bounded_offers_answer_is_said_on_the_map(playwright_browser, tmp_path_factory):
    """With more matching offers than one answer holds ([api] max_planning_offers), the map says how many it shows."""
    from .conftest import LiveServer, demo_settings

    server = LiveServer(demo_settings(tmp_path_factory.mktemp("bounded"), api={"max_planning_offers": 3}))
    context = guarded_context(playwright_browser, server, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/planung?category=counselling&ui=en")
        wait_until(page, "document.body.dataset.mapReady === '1'", timeout=15_000)
        offers = page.request.get(f"{server.url}/planung/offers.geojson?category=counselling&ui=en").json()
        assert offers["numberMatched"] > 3
        assert page.evaluate("document.body.dataset.mapOffers") == "3"
        note = page.locator(".planning-map p.map-status[role=status]")
        assert note.inner_text() == (f"The map shows 3 of the {offers['numberMatched']} matching offers; "
                                     "the table counts all of them.")
    finally:
        context.close()
        server.stop()
