"""GET /healthz: 200 once the data is loaded (for load balancers and `make serve` checks)."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from geo.store import StoreError
from webmap.state import current_data

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    data = current_data()
    try:
        if not data.store.exists():
            return jsonify(status="no data", detail="the store does not exist yet; run 'angebotskarte import'"), 503
        offers = data.offers
    except StoreError as exc:
        return jsonify(status="error", detail=str(exc)), 503
    return jsonify(status="ok", offers=int(len(offers)), version=data.version)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
