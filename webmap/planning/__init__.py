"""The planner's view: ``/planung`` (choropleth, sortable table, underserved list), its map points and downloads.

* params.py: the question and its checks (shared with GET /api/v1/coverage)
* classify.py: classes of the mapped column (mapclassify)
* answers.py: the coverage context and cached answers of one data version
* wording.py: labels, number formats, the legend
* views.py: the page; points.py: ``offers.geojson``; downloads.py: the files

Views stay thin: parse the question, one cached call of geo.coverage answers,
the template renders. See docs/planning.md, "The /planung page".
"""

from __future__ import annotations

from flask import Flask

from webmap.planning import downloads, points, views
from webmap.planning.blueprint import bp

__all__ = ["bp", "downloads", "init_app", "points", "views"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
