"""Facets: for each filterable field, one bitmap per value.

A facet is a field a visitor filters by (category, language, target group,
district, wheelchair access). Selecting several values of one facet means OR;
the index ANDs across facets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.index import bitmaps

# facet name -> (offer column, holds a list per offer?)
FACET_COLUMNS: dict[str, tuple[str, bool]] = {
    "category": ("category", False),
    "language": ("languages", True),
    "target_group": ("target_groups", True),
    "district": ("district", False),
    "wheelchair": ("wheelchair", False),
}


@dataclass(frozen=True)
class Facet:
    """The values of one facet, each with the bitmap of the offers that have it."""

    name: str
    values: tuple[str, ...]
    bitmaps: np.ndarray  # (len(values), words) uint64
    n_rows: int

    @classmethod
    def from_values(cls, name: str, column: Sequence[Any], multi: bool) -> "Facet":
        """Build from one column: strings (single-valued) or lists of strings (multi-valued).

        Empty strings and missing values are not facet values (an offer without a
        district is simply not in any district bitmap). Vectorised with pandas
        (explode + factorize): one million offers take well under a second.
        """
        n = len(column)
        # A plain list of equally long lists must stay a column of lists, not become a 2-D array.
        series = (pd.Series(column.to_numpy(dtype=object), dtype=object) if isinstance(column, pd.Series)
                  else pd.Series(list(column), dtype=object))
        if multi:
            series = series.map(_as_list, na_action="ignore").explode()
        rows = np.asarray(series.index, dtype=np.intp)
        if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
            series = series.map(_as_text, na_action="ignore")
        # sort=True: values come out sorted, so "" (if present) is the first and easy to drop.
        codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
        sorted_values = [str(v) for v in uniques]
        keep = codes >= 0
        if sorted_values and sorted_values[0] == "":
            keep &= codes != 0
            codes = codes - 1
            sorted_values = sorted_values[1:]
        codes, rows = codes[keep], rows[keep]
        matrix = np.zeros((len(sorted_values), bitmaps.n_words(n)), dtype=bitmaps.WORD)
        if len(sorted_values):
            # Sorting by value makes each value's rows one contiguous run.
            order = np.argsort(codes, kind="stable")
            codes, rows = codes[order], rows[order]
            bounds = np.searchsorted(codes, np.arange(len(sorted_values) + 1))
            for v in range(len(sorted_values)):
                matrix[v] = bitmaps.from_rows(rows[bounds[v]:bounds[v + 1]], n)
        return cls(name=name, values=tuple(sorted_values), bitmaps=matrix, n_rows=n)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_positions", {v: i for i, v in enumerate(self.values)})

    def position(self, value: str) -> int | None:
        """Row of ``value`` in :attr:`bitmaps`, or None when no offer has it."""
        return self._positions.get(value)  # type: ignore[attr-defined]

    def select(self, chosen: Iterable[str]) -> np.ndarray | None:
        """Bitmap of offers having any of ``chosen``; None when nothing is chosen (no restriction).

        A value no offer has selects nothing rather than failing: the API checks
        values against the vocabulary, and a valid but unused value is an empty answer.
        """
        chosen = list(chosen)
        if not chosen:
            return None
        result = bitmaps.empty(self.n_rows)
        for value in chosen:
            i = self.position(value)
            if i is not None:
                np.bitwise_or(result, self.bitmaps[i], out=result)
        return result

    def counts(self, within: np.ndarray | None) -> dict[str, int]:
        """Offers per value among ``within`` (all offers when None)."""
        per_value = bitmaps.count_each(self.bitmaps, within)
        return dict(zip(self.values, per_value.tolist()))

    @property
    def nbytes(self) -> int:
        return int(self.bitmaps.nbytes)


def _as_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _as_list(value: Any) -> Any:
    """A list-valued cell as something explode() flattens (lists pass through untouched)."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        # A store that flattened lists to "ar, uk" text should not crash the index.
        return [part.strip() for part in value.split(",") if part.strip()]
    try:
        return list(value)
    except TypeError:
        return [value]
