"""The /planung blueprint (its views live in views.py, points.py and downloads.py)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("planning", __name__, url_prefix="/planung")
