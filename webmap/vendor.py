"""Third-party browser libraries, served by the app itself from their Python packages.

Leaflet and Leaflet.markercluster come from the XStatic packages
(xstatic-leaflet, xstatic-leaflet-markercluster), so a visitor's browser never
asks a CDN for them. URLs look like ``/static/vendor/leaflet/leaflet.js``.

These files and our own webmap/static never change while the app runs, so
each is compressed once (brotli or gzip, whichever the browser takes) and the
compressed bytes are kept in memory: on a 2-core server, compressing
Leaflet for every visitor would cost more than sending it.
"""

from __future__ import annotations

from pathlib import Path

import gzip
import threading

from flask import Blueprint, Flask, abort, request, send_from_directory, url_for
from werkzeug.security import safe_join

bp = Blueprint("vendor", __name__)

# How long browsers may cache a vendor file; they change only with a package upgrade,
# and the URL then carries the new version (see vendor_url).
MAX_AGE_SECONDS = 7 * 24 * 3600


def _packages() -> dict[str, tuple[Path, str]]:
    """URL name -> (folder holding the files, version)."""
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as markercluster

    return {
        "leaflet": (Path(leaflet.BASE_DIR), leaflet.VERSION),
        "leaflet.markercluster": (Path(markercluster.BASE_DIR), markercluster.VERSION),
    }


PACKAGES = _packages()


def vendor_url(package: str, filename: str) -> str:
    """The app URL of one file of a vendored package, with its version as a cache key."""
    if package not in PACKAGES:
        raise KeyError(f"unknown vendor package {package!r}; known: {', '.join(PACKAGES)}")
    return url_for("vendor.file", package=package, filename=filename, v=PACKAGES[package][1])


COMPRESSIBLE = {"application/javascript", "text/javascript", "text/css", "image/svg+xml", "application/json"}
_compressed: dict[tuple[str, float, str], bytes] = {}
_lock = threading.Lock()


def _encoding() -> str | None:
    accepted = request.accept_encodings
    for name in ("br", "gzip"):
        if accepted[name]:
            return name
    return None


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        import brotli

        return brotli.compress(data, quality=9)
    return gzip.compress(data, 9)


def send_compressed(folder: Path, filename: str, max_age: int):
    """send_from_directory, with text files compressed once and then served from memory."""
    response = send_from_directory(folder, filename, max_age=max_age)  # refuses paths leaving the folder
    response.vary.add("Accept-Encoding")
    encoding = _encoding()
    if response.status_code != 200 or response.mimetype not in COMPRESSIBLE or encoding is None:
        return response
    path = safe_join(str(folder), filename)
    mtime = Path(path).stat().st_mtime
    key = (path, mtime, encoding)
    data = _compressed.get(key)
    if data is None:
        data = _compress(Path(path).read_bytes(), encoding)
        with _lock:
            _compressed[key] = data
    response.close()  # the file handle send_from_directory opened
    response.direct_passthrough = False
    response.set_data(data)
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-{encoding}", weak=weak)
    return response


@bp.get("/static/vendor/<package>/<path:filename>")
def file(package: str, filename: str):
    if package not in PACKAGES:
        abort(404)
    folder, _version = PACKAGES[package]
    return send_compressed(folder, filename, MAX_AGE_SECONDS)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["vendor_url"] = vendor_url

    # Our own static files, compressed once as well (Flask's static view, with compression).
    def static(filename: str):
        return send_compressed(Path(app.static_folder), filename, app.get_send_file_max_age(filename) or 3600)

    app.view_functions["static"] = static
