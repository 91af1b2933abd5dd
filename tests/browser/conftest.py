"""Browser tests: the app served by waitress on 127.0.0.1, driven by Debian's chromium through Playwright.

``playwright install`` cannot download browsers here, so we launch the system
chromium (/usr/bin/chromium, installed by .ci/run). Without it the tests skip
with a visible reason -- unless ANGEBOTSKARTE_REQUIRE_BROWSER=1 (CI sets it),
then they fail: CI must never pass by skipping them.

Every request a page makes is intercepted: our server and the configured tile
server are allowed (tiles are answered with a plain local picture, there is no
internet), anything else is recorded and blocked, so a test can assert that
nothing left for a third party.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
TILE_HOST = "tile.openstreetmap.org"


def find_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _require_browser() -> bool:
    return os.environ.get("ANGEBOTSKARTE_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        reason = "no chromium found (/usr/bin/chromium or 'chromium' on PATH); install Debian's chromium to run browser tests"
        if _require_browser():
            pytest.fail(f"ANGEBOTSKARTE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script (npm package in tests/js; `make test` installs it).

    Without it the accessibility checks skip with the command that installs it; in CI
    (ANGEBOTSKARTE_REQUIRE_BROWSER=1) they fail instead, like a missing browser.
    """
    if not AXE.exists():
        reason = f"{AXE} is missing: run `npm install --prefix tests/js --no-audit --no-fund` (make test does)"
        if _require_browser():
            pytest.fail(f"ANGEBOTSKARTE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def playwright_browser(chromium_path):
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    manager.stop()


def tile_png(size: int = 256) -> bytes:
    """A light grey map tile with a faint grid (no internet: stands in for the tile server)."""
    rows = []
    for y in range(size):
        line = bytearray([0])
        for x in range(size):
            grid = x % 64 == 0 or y % 64 == 0
            line += bytes((214, 219, 223) if grid else (236, 239, 241))
        rows.append(bytes(line))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


TILE = tile_png()


class LiveServer:
    """create_app(settings) served by waitress in a background thread on a free port of 127.0.0.1."""

    def __init__(self, settings):
        import waitress

        from webmap import create_app

        self.app = create_app(settings)
        self.server = waitress.create_server(self.app, host="127.0.0.1", port=0, threads=4)
        self.port = self.server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.close()


def demo_settings(folder: Path, **sections):
    """The demo deployment in ``folder`` (a copy of the session's one build), with config sections
    overridden (e.g. embed=...)."""
    from conftest import build_demo
    from geo.settings import load_settings

    return load_settings(build_demo(folder), overrides=sections or None)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, chromium_path):
    server = LiveServer(demo_settings(tmp_path_factory.mktemp("live")))
    yield server
    server.stop()


MALICIOUS_NAME = '<img src=x onerror="window.__xss=1;document.title=\'pwned\'">Böse Beratung'


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory, chromium_path):
    """A deployment whose offers carry markup and script in every field a page shows."""
    from test_pages import build_store, offer_row

    folder = tmp_path_factory.mktemp("hostile")
    settings = build_store(folder, [
        offer_row("x-1", name=MALICIOUS_NAME, description='<script>window.__xss=2</script>',
                  website="javascript:window.__xss=3"),
        offer_row("x-2", name="Nachbar </script><svg onload=window.__xss=4>", lat="49,45", lon="7,78"),
        offer_row("x-3", name="Ruhige Ecke", lat="49,43", lon="7,76"),
    ])
    server = LiveServer(settings)
    yield server
    server.stop()


@dataclass
class Traffic:
    """Requests a page made, by where they went."""

    own: list[str] = field(default_factory=list)
    tiles: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


def origins_context(browser, origins: list[str], **options):
    """A browser context in which only ``origins`` (and file:// pages) are reachable; tiles are answered locally.

    Every request is recorded in ``context.traffic`` by where it went, so tests can
    assert that nothing left for a third-party host.
    """
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    traffic = Traffic()
    allowed = {urlsplit(o).netloc for o in origins}

    def handle(route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.netloc in allowed or parts.scheme in ("file", "data", "blob"):
            traffic.own.append(url)
            route.continue_()
        elif parts.hostname == TILE_HOST:
            traffic.tiles.append(url)
            route.fulfill(status=200, body=TILE, headers={"Content-Type": "image/png"})
        else:
            traffic.foreign.append(url)
            route.abort()

    context.route("**/*", handle)
    context.traffic = traffic
    return context


def guarded_context(browser, server: LiveServer, **options):
    """A browser context whose every request is checked: ours and the tile server pass, others are blocked."""
    return origins_context(browser, [server.url], **options)


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_axe_violations(page, axe_source: str) -> str:
    """Run axe-core (WCAG 2.1 A/AA rules) on the page; "" when nothing serious or critical, else a report."""
    page.evaluate(axe_source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    if not bad:
        return ""
    return json.dumps([{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                       for v in bad], indent=1, ensure_ascii=False)


@pytest.fixture
def context(playwright_browser, live_server):
    context = guarded_context(playwright_browser, live_server, locale="de-DE")
    yield context
    context.close()


@pytest.fixture
def page(context, live_server):
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.server = live_server
    return page


def wait_ready(page, renders: int = 1, timeout: float = 15_000) -> None:
    """Wait until the map has rendered data at least ``renders`` times."""
    wait_until(page,
               "n => document.body.dataset.mapReady === '1' && Number(document.body.dataset.mapRenders || 1) >= n",
               arg=renders, timeout=timeout)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=False)
    return path


def wait_until(target, predicate: str, arg=None, timeout: float = 15_000) -> None:
    """Poll ``predicate`` (a JS expression, or a function of ``arg``) in a page or frame until it is truthy.

    Playwright's wait_for_function compiles the predicate with eval inside the page
    and races with a strict CSP (script-src 'self', which our pages send) now and
    then; page.evaluate does not, so we poll with it.
    """
    import time as _time

    source = predicate.strip()
    if not (source.startswith("(") or "=>" in source.split("\n", 1)[0] or source.startswith("function")):
        source = f"() => ({source})"
    deadline = _time.monotonic() + timeout / 1000.0
    while True:
        try:
            if target.evaluate(source, arg):
                return
        except Exception as exc:  # noqa: BLE001 - a navigation in progress destroys the context; poll again
            if "Execution context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
        if _time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} ms waiting for: {predicate}")
        _time.sleep(0.05)
