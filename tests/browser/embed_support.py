"""What the embed's browser tests need besides tests/browser/conftest.py: other origins and their traffic.

A town's website is played by :class:`HostSite`, a tiny http.server on another
port of 127.0.0.1 (a different origin for the browser), serving pages held in
memory. :func:`origins_context` is conftest.guarded_context for several
origins: requests to the named origins pass, tiles are answered locally,
anything else is recorded and blocked.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .conftest import demo_settings, origins_context  # noqa: F401 (re-exported for the embed tests)


class HostSite:
    """A web server on 127.0.0.1:<free port> answering GET with pages set by the test."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                body = site.pages.get(self.path.split("?")[0])
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def show(self, path: str, snippet: str, *, lang: str = "de") -> str:
        """Serve a municipal-looking page with ``snippet`` in its content; returns its URL."""
        self.pages[path] = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Stadtverwaltung</title></head>'
            '<body><header><h1>Integration in unserer Stadt</h1></header>'
            f'<main><p>Angebote für Neuzugewanderte:</p>\n{snippet}\n<p>Ende der Seite.</p></main></body></html>')
        return self.url + path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def api_ids(server_url: str, query: str, *, include_virtual: bool) -> list[str]:
    """Ids of the offers the API finds for ``query`` (what a preset embed must show)."""
    extra = "&include_virtual=1" if include_virtual else ""
    data = get_json(f"{server_url}/api/v1/offers?limit=1000&{query}{extra}")
    return [f["properties"]["id"] for f in data["features"]]


def embed_frame(page, server_url: str):
    """The frame of ``page`` showing our /embed (None while there is none)."""
    for frame in page.frames:
        if frame.url.startswith(server_url + "/embed"):
            return frame
    return None
