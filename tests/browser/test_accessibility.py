"""axe-core (tests/js, installed from npm and injected from disk) on the main pages: no serious or critical issue."""

from __future__ import annotations


import pytest

from .conftest import serious_axe_violations, guarded_context, wait_ready

pytestmark = pytest.mark.browser




@pytest.mark.parametrize("path", ["/?ui=de", "/angebote/kl-0002?ui=de", "/?ui=ar", "/?ui=en&near=49.44,7.76&category=doctor",
                                  "/hinweise?ui=uk"])
def test_no_serious_accessibility_violations(playwright_browser, live_server, axe_source, path):
    # Our CSP (rightly) forbids injected scripts; only this context bypasses it, to run axe.
    context = guarded_context(playwright_browser, live_server, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + path)
        if "hinweise" not in path:
            wait_ready(page)
        report = serious_axe_violations(page, axe_source)
        assert not report, f"{path}: {report}"
    finally:
        context.close()
