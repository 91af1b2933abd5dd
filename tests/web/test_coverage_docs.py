"""docs/planning.md documents every [planning] key and every column the coverage table has."""

from __future__ import annotations

from pathlib import Path

from geo.coverage.gaps import GAP_COLUMNS
from geo.coverage.table import ID_COLUMNS, METRICS
from geo.coverage.wording import COLUMN_LABELS
from geo.settings import default_values

DOC = Path(__file__).resolve().parents[2] / "docs" / "planning.md"


def test_every_planning_key_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for key in default_values()["planning"]:
        assert f"| `{key}` |" in text, f"[planning] {key} is missing from the key table of docs/planning.md"


def test_every_metric_and_column_is_documented_and_labelled():
    text = DOC.read_text(encoding="utf-8")
    for metric, columns in METRICS.items():
        assert f"`{metric}`" in text
        for column in columns:
            assert f"`{column}`" in text, f"column {column} is missing from docs/planning.md"
    for column in (*ID_COLUMNS, *(c for cols in METRICS.values() for c in cols), *GAP_COLUMNS):
        assert column in COLUMN_LABELS, f"column {column} has no heading for the spreadsheet"
