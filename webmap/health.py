"""GET /healthz: 200 once the data is loaded (for load balancers and `make serve` checks).

It answers from the read model like every request, so "ok" means requests can
be answered. Problems are said in words; the store's path and the database's
own message go to the server log only (they tell an attacker about the machine).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, jsonify

from geo.readmodel import StoreChangedWhileReading
from geo.store import StoreError, StoreUnavailable
from webmap.state import current_data

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    data = current_data()
    try:
        if not data.store.exists():
            return jsonify(status="no data", detail="the store does not exist yet; run 'angebotskarte import'"), 503
        snap = data.snapshot()
    except StoreUnavailable as exc:
        log.error("healthz: the database cannot be reached: %s", exc)
        return jsonify(status="unavailable", detail="the database cannot be reached; service resumes by itself "
                                                    "once it is back"), 503
    except StoreError as exc:
        log.error("healthz: the store cannot be read: %s", exc)
        return jsonify(status="error", detail="the store cannot be read (see the server log); re-import the "
                                              "data or restore the store from a backup"), 503
    except StoreChangedWhileReading:
        return jsonify(status="busy", detail="the data is being replaced; try again in a moment"), 503
    response = jsonify(status="ok", offers=int(len(snap.offers)), version=snap.version)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
