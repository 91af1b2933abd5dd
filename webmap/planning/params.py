"""The planner's question: ``category``, ``language``, ``target_group``, ``group``, ``metric`` (+ how to show it).

:func:`parse_params` checks the parameters with the library's own validation
(geo.coverage), so the page, the downloads, the API and the CLI accept and
refuse the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from geo.coverage import METRICS, QueryError
from geo.coverage.filters import CoverageQuery, resolve_query
from geo.coverage.table import check_metrics, resolve_basis
from webmap.params import ParameterError, escaped, has_control_character
from webmap.planning.classify import DEFAULT_CLASSES, DEFAULT_SCHEME, MAX_CLASSES, MIN_CLASSES, SCHEMES

# The question: the same names as `angebotskarte coverage` (--target-group is target_group here).
COVERAGE_PARAMETERS = ("category", "language", "target_group", "group", "metric")
# How the map classifies the chosen metric (page and API).
CLASSIFY_PARAMETERS = ("scheme", "classes")
PAGE_PARAMETERS = COVERAGE_PARAMETERS + CLASSIFY_PARAMETERS + ("sort", "ui")
DOWNLOAD_PARAMETERS = COVERAGE_PARAMETERS + ("lang",) + CLASSIFY_PARAMETERS + ("sort", "ui")
POINTS_PARAMETERS = PAGE_PARAMETERS
REASON_LANGS = ("de", "en")
# The page maps one metric; this one answers "where are people far from an offer?" most directly.
DEFAULT_PAGE_METRIC = "catchment"
MAX_VALUE_LENGTH = 100


@dataclass(frozen=True)
class CoverageParams:
    """One planner's question, with canonical values (keys, codes, column names)."""

    category: str | None = None
    language: str | None = None
    target_group: str | None = None
    group: str | None = None
    metrics: tuple[str, ...] = ()          # as asked, METRICS order; () = the library's default (all)
    scheme: str = DEFAULT_SCHEME
    classes: int = DEFAULT_CLASSES
    lang: str | None = None                # wording of reasons and headings; None: from the UI language
    sort: str | None = None                # page only: column, "-column" for descending

    @property
    def map_metric(self) -> str:
        return self.metrics[0] if self.metrics else DEFAULT_PAGE_METRIC

    def question_items(self) -> list[tuple[str, str]]:
        """The question as query-string pairs (for links to downloads, the API and the offers)."""
        items = [(name, value) for name, value in (("category", self.category), ("language", self.language),
                                                    ("target_group", self.target_group), ("group", self.group))
                 if value]
        if self.metrics:
            items.append(("metric", ",".join(self.metrics)))
        return items

    def echo(self) -> dict[str, Any]:
        """The parameters as understood (canonical values), for JSON answers."""
        return {"category": self.category, "language": self.language, "target_group": self.target_group,
                "group": self.group, "metric": list(self.metrics or METRICS), "lang": self.lang or "de",
                "scheme": self.scheme, "classes": self.classes}


def parse_params(args, ctx, accepted: tuple[str, ...]) -> tuple[CoverageParams, list[ParameterError]]:
    """A CoverageParams from request arguments, and every problem found.

    Values are checked by geo.coverage itself (resolve_query, resolve_basis,
    check_metrics), so the page, the downloads, the API and the CLI accept and
    refuse the same words. A parameter with a problem keeps its default; the
    caller decides whether that is a 400 (API, downloads) or a note on the page.
    """
    problems: list[ParameterError] = []
    values: dict[str, Any] = {}
    for name in args.keys():
        if name not in accepted:
            problems.append(ParameterError(name, ",".join(args.getlist(name)), f"unknown parameter {name!r}",
                                           sorted(accepted)))

    def scalar(name: str) -> str | None:
        given = [v.strip() for v in args.getlist(name) if v.strip()] if name in accepted else []
        if not given:
            return None
        joined = ",".join(given)
        if len(given) > 1:
            problems.append(ParameterError(name, joined, f"{name} was given {len(given)} times", "give it once"))
            return None
        if len(joined) > MAX_VALUE_LENGTH or has_control_character(joined):
            problems.append(ParameterError(name, escaped(joined, MAX_VALUE_LENGTH),
                                           f"{name} is too long or contains control characters",
                                           f"printable text of at most {MAX_VALUE_LENGTH} characters"))
            return None
        return given[0]

    def term(name: str, keyword: str, allowed: Any) -> str | None:
        raw = scalar(name)
        if raw is None:
            return None
        try:
            return getattr(resolve_query(ctx.categories, ctx.target_groups, **{keyword: raw}), keyword)
        except QueryError as exc:
            problems.append(ParameterError(name, raw, str(exc), allowed))
            return None

    values["category"] = term("category", "category", ctx.categories.keys)
    values["language"] = term("language", "language", "an ISO 639 code (ar, uk, prs, kmr, ...) or a language name")
    values["target_group"] = term("target_group", "target_group", ctx.target_groups.keys)
    raw_group = scalar("group")
    if raw_group is not None:
        try:
            values["group"] = resolve_basis(ctx, CoverageQuery(), raw_group).columns[0]
        except QueryError as exc:
            problems.append(ParameterError("group", raw_group, str(exc), population_columns(ctx)))
    if "metric" in accepted:
        raw_metrics = [m.strip() for v in args.getlist("metric") for m in v.split(",") if m.strip()]
        try:
            values["metrics"] = tuple(check_metrics(raw_metrics)) if raw_metrics else ()
        except QueryError as exc:
            problems.append(ParameterError("metric", ",".join(raw_metrics)[:200], str(exc), list(METRICS)))
    def choice(name: str, accept, allowed: list[str], message: str, convert=str) -> None:
        raw = scalar(name)
        if raw is not None and accept(raw):
            values[name] = convert(raw)
        elif raw is not None:
            problems.append(ParameterError(name, raw, message.format(raw=raw), allowed))

    choice("scheme", SCHEMES.__contains__, list(SCHEMES), "unknown classification scheme {raw!r}")
    choice("classes", lambda raw: bool(re.fullmatch(r"[0-9]{1,2}", raw)) and MIN_CLASSES <= int(raw) <= MAX_CLASSES,
           [str(n) for n in range(MIN_CLASSES, MAX_CLASSES + 1)],
           f"classes must be a whole number from {MIN_CLASSES} to {MAX_CLASSES}", int)
    choice("lang", REASON_LANGS.__contains__, list(REASON_LANGS), f"lang must be one of {', '.join(REASON_LANGS)}")
    values["sort"] = scalar("sort")
    return CoverageParams(**values), problems


def population_columns(ctx) -> list[str]:
    """Columns of the population table a question may relate offers to (``group``)."""
    return [str(c) for c in ctx.population.columns if str(c) != "population"]

