"""Which offers a coverage question is about: category, language, target group."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.languages import UnknownLanguage, resolve_language
from geo.vocab import Vocabulary

# Target groups that make an offer open to every group (see matching_offers).
OPEN_TO_ALL = "all"


class QueryError(ValueError):
    """A category, language or target group that is not known; the message lists what is."""


@dataclass(frozen=True)
class CoverageQuery:
    """One coverage question. None means "any"."""

    category: str | None = None
    language: str | None = None
    target_group: str | None = None


def resolve_query(categories: Vocabulary, target_groups: Vocabulary, category: str | None = None,
                  language: str | None = None, target_group: str | None = None) -> CoverageQuery:
    """Normalise user words ("Beratung", "Arabisch", "Geflüchtete") to stored keys and codes.

    Raises
    ------
    QueryError
        Naming the value, the parameter and the allowed keys or close suggestions.
    """
    cat = _term(categories, category, "category")
    group = _term(target_groups, target_group, "target group")
    code = None
    if language not in (None, ""):
        try:
            code = resolve_language(str(language))
        except UnknownLanguage as exc:
            hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
            raise QueryError(f"language {language!r} is not a known language name or ISO 639 code{hint}") from None
    return CoverageQuery(cat, code, group)


def _term(vocab: Vocabulary, value: str | None, what: str) -> str | None:
    if value in (None, ""):
        return None
    key = vocab.normalise(str(value))
    if key is None:
        close = vocab.suggest(str(value))
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise QueryError(f"{what} {value!r} is not known (allowed: {', '.join(vocab.keys)}){hint}")
    return key


def matching_offers(offers: pd.DataFrame, query: CoverageQuery) -> np.ndarray:
    """Boolean mask of the offers that answer ``query``.

    - category: the offer's category equals it;
    - language: the offer lists that language code;
    - target group: the offer names that group, or names "all", or names no group
      at all (an offer that states no restriction is open to everyone).
    """
    mask = np.ones(len(offers), dtype=bool)
    if query.category is not None:
        mask &= offers["category"].astype(str).to_numpy() == query.category
    if query.language is not None:
        mask &= np.fromiter((query.language in _as_list(v) for v in offers["languages"]), bool, len(offers))
    if query.target_group is not None:
        mask &= np.fromiter((_open_to(v, query.target_group) for v in offers["target_groups"]), bool, len(offers))
    return mask


def _open_to(value, group: str) -> bool:
    groups = _as_list(value)
    return not groups or group in groups or OPEN_TO_ALL in groups


def _as_list(value) -> list[str]:
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return [str(v) for v in value]
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return []
    return [str(value)]
