"""``/planung/download.<fmt>`` and ``/planung/gaps.<fmt>``: the coverage table and the underserved list as files.

CSV, XLSX (one sheet per category), GeoJSON or GeoPackage, written by the
library's own writer (geo.coverage.write_table), as ``angebotskarte coverage``
writes them.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from flask import Response, request

from geo.coverage import write_table
from geo.coverage.export import FORMATS
from webmap import http
from webmap.i18n import ui_lang
from webmap.params import ParameterError
from webmap.planning.answers import coverage_context, gaps_for, table_for, unavailable
from webmap.planning.blueprint import bp
from webmap.planning.params import DOWNLOAD_PARAMETERS, parse_params
from webmap.planning.wording import reason_lang
from webmap.state import snapshot

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}


def _export(kind: str, fmt: str) -> Response:
    snap = snapshot()
    inputs, ctx, error = coverage_context(snap)
    if fmt not in FORMATS:
        return http.error_response(404, ParameterError("format", fmt, f"unknown download format {fmt!r}",
                                                       list(FORMATS)))
    if ctx is None:
        return unavailable(error)
    params, problems = parse_params(request.args, ctx, DOWNLOAD_PARAMETERS)
    if problems:
        return http.error_response(400, *problems)
    lang = params.lang or reason_lang(ui_lang())
    table = gaps_for(snap, ctx, params, lang) if kind == "underserved" else table_for(snap, ctx, params)
    with tempfile.TemporaryDirectory(prefix="angebotskarte-") as folder:
        path = write_table(table, Path(folder) / f"{kind}.{fmt}", districts=inputs.districts,
                           categories=ctx.categories, lang=lang, title=kind)
        body = path.read_bytes()
    name = "-".join([kind, *(re.sub(r"[^A-Za-z0-9_]+", "_", v) for v in
                             (params.category, params.language, params.target_group) if v)])
    response = Response(body, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = MEDIA_TYPES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/download.<fmt>")
def download(fmt: str) -> Response:
    """The coverage table of the question as CSV, XLSX (one sheet per category), GeoJSON or GeoPackage."""
    return _export("coverage", fmt)


@bp.get("/gaps.<fmt>")
def gaps(fmt: str) -> Response:
    """The ranked underserved list of the question, with reasons, in the same formats."""
    return _export("underserved", fmt)

