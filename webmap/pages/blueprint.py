"""The newcomer's pages' blueprint (views in listing.py and offer.py)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)
