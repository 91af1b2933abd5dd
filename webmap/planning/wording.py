"""The planner's view in words and numbers: labels of metrics, columns and schemes, formatted values, the legend."""

from __future__ import annotations

import math

import numpy as np
from flask_babel import format_decimal, format_percent, gettext, ngettext

from webmap.planning.classify import Classification
from webmap.planning.params import REASON_LANGS


def metric_labels() -> dict[str, str]:
    return {
        "count": gettext("Number of offers in the district"),
        "per_10k": gettext("Offers per 10,000 residents"),
        "catchment": gettext("Share of residents with an offer within walking distance"),
        "distance": gettext("Walking distance to the nearest offer"),
        "e2sfca": gettext("Accessibility (E2SFCA, offers per 10,000 residents within reach)"),
    }


def column_labels() -> dict[str, str]:
    return {
        "district": gettext("District"),
        "residents": gettext("Residents"),
        "group_residents": gettext("Residents of the group"),
        "offers": gettext("Offers in the district"),
        "offers_per_10k": gettext("Offers per 10,000 residents"),
        "offers_per_10k_group": gettext("Offers per 10,000 of the group"),
        "share_within_catchment": gettext("Share with an offer within walking distance"),
        "unreached_residents": gettext("Residents without an offer within walking distance"),
        "median_distance_m": gettext("Median walk to the nearest offer (m)"),
        "p90_distance_m": gettext("9 in 10 residents live closer than (m)"),
        "e2sfca_per_10k": gettext("Accessibility per 10,000"),
        "e2sfca_vs_town": gettext("Accessibility compared with the town"),
    }


def scheme_labels() -> dict[str, str]:
    return {
        "quantiles": gettext("Quantiles (about as many districts in each class)"),
        "natural_breaks": gettext("Natural breaks (Fisher-Jenks)"),
        "equal_interval": gettext("Equal intervals"),
    }


_PERCENT_COLUMNS = ("share_within_catchment", "e2sfca_vs_town")
_DECIMALS = {"offers_per_10k": "#,##0.0", "offers_per_10k_group": "#,##0.0", "e2sfca_per_10k": "#,##0.00"}


def format_value(column: str, value) -> str:
    """A table value in the UI language's number format; "–" when there is none."""
    if value is None or (isinstance(value, (float, np.floating)) and not math.isfinite(value)):
        return "–"
    if column in _PERCENT_COLUMNS:
        return format_percent(float(value))
    return format_decimal(float(value), _DECIMALS.get(column, "#,##0"))


def legend_entries(classification: Classification) -> list[dict]:
    entries = []
    low = classification.lower
    for i, (high, colour, count) in enumerate(zip(classification.breaks, classification.colours,
                                                  classification.counts)):
        low_text, high_text = format_value(classification.column, low), format_value(classification.column, high)
        if i == 0 and low == high:
            text = high_text
        elif i == 0:
            text = gettext("%(low)s to %(high)s", low=low_text, high=high_text)
        else:
            text = gettext("more than %(low)s to %(high)s", low=low_text, high=high_text)
        entries.append({"index": i, "colour": colour, "text": text, "count": count, "upper": high,
                        "count_text": ngettext("%(num)d district", "%(num)d districts", count)})
        low = high
    return entries


def reason_lang(ui: str) -> str:
    """The underserved reasons exist in German and English; other UI languages read German."""
    return ui if ui in REASON_LANGS else "de"

