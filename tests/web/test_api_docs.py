"""docs/api.md mentions every query parameter, endpoint and setting the API uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.settings import default_values
from webmap.params import FILTER_PARAMETERS, OFFERS_PARAMETERS, PAGE_PARAMETERS

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(set(OFFERS_PARAMETERS) | set(FILTER_PARAMETERS) | set(PAGE_PARAMETERS)))
def test_every_query_parameter_is_documented(doc, name):
    # Documented means: in the parameter table, as `name` in the first column.
    assert re.search(rf"^\| `{re.escape(name)}` \|", doc, re.MULTILINE), f"docs/api.md lacks a row for `{name}`"


def test_every_endpoint_is_documented(doc, tmp_path):
    from test_api import build_app

    document = build_app(tmp_path).test_client().get("/api/v1/openapi.json").get_json()
    for path in document["paths"]:
        assert f"`GET {path}`" in doc, path


@pytest.mark.parametrize("key", sorted(default_values()["api"]))
def test_every_api_setting_is_documented(doc, key):
    assert f"`[api] {key}`" in doc
