"""axe-core (tests/js, installed from npm and injected from disk) on the main pages: no serious or critical issue."""

from __future__ import annotations

import json

import pytest

from .conftest import AXE, guarded_context, wait_ready

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm install --prefix tests/js --no-audit --no-fund` (make test does)")
    return AXE.read_text(encoding="utf-8")


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
        page.evaluate(axe_source)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        report = json.dumps([{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                             for v in bad], indent=1, ensure_ascii=False)
        assert not bad, f"{path}: {report}"
    finally:
        context.close()
