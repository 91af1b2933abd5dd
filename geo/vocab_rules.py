"""Category and target-group cells -> vocabulary keys, or a review reason with suggestions by meaning.

An unknown value no longer loses its row: the row is kept, marked for review with the
reason ("unknown category 'Religionsgemeinschaft'; closest in meaning: Treffpunkt,
Sonstiges"), and waits unpublished until a person maps the value (once for all rows,
remembered: geo.vocab.map_value) or corrects the row.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo.collect import Collector
from geo.field_rules import split_cell
from geo.vocab import Resolution, Vocabulary


def _advice(vocab: Vocabulary, resolution: Resolution) -> str:
    kind = vocab.kind.replace("_", " ")
    by_meaning = [s.key for s in resolution.suggestions if s.why == "meaning"]
    by_letters = [s.key for s in resolution.suggestions if s.why == "letters"]
    parts = []
    if by_meaning:
        parts.append("closest in meaning: " + ", ".join(f"{vocab.label(k)} ({k})" for k in by_meaning))
    elif by_letters:
        parts.append("did you mean " + ", ".join(f"{vocab.label(k)} ({k})" for k in by_letters) + "?")
    command = "categories" if vocab.kind == "category" else "target_groups"
    parts.append(f"map it once for all rows with: angebotskarte vocabulary map {resolution.value!r} KEY "
                 f"(a {kind} of: {', '.join(vocab.keys)})")
    if resolution.concept and resolution.concept not in vocab.terms:
        parts.append(f"or add your own {kind} [vocabulary.{command}.{resolution.concept}]; "
                     "its usual words then map by themselves")
    return "; ".join(parts)


def map_category(values: pd.Series, vocab: Vocabulary, col: Collector, remembered: Mapping[str, str] | None,
                 empty: str = "other") -> list[str]:
    """One key per row; unknown values leave the key "" and put the row up for review."""
    resolved = {v: vocab.resolve(v, remembered) for v in dict.fromkeys(values.tolist()) if v}
    out = []
    for pos, value in enumerate(values.tolist()):
        if not value:
            col.add(pos, "category", "", f"no category; stored as {empty!r}", severity="warning")
            out.append(empty)
            continue
        resolution = resolved[value]
        if resolution.key is None:
            col.add(pos, "category", value, f"unknown category {value!r}: the row is kept unpublished for review",
                    _advice(vocab, resolution), severity="review")
            out.append("")
        elif resolution.key == "":
            col.add(pos, "category", value, f"category {value!r} is mapped to no category; stored as {empty!r}",
                    severity="warning")
            out.append(empty)
        else:
            out.append(resolution.key)
    return out


def map_target_groups(values: pd.Series, vocab: Vocabulary, col: Collector,
                      remembered: Mapping[str, str] | None) -> list[list[str]]:
    """Keys per row; unknown items put the row up for review, the known ones are kept."""
    cache: dict[str, tuple[list[str], list[Resolution]]] = {}
    out = []
    for pos, value in enumerate(values.tolist()):
        if value not in cache:
            keys, unknown = [], []
            for item in split_cell(value):
                resolution = vocab.resolve(item, remembered)
                if resolution.key is None:
                    unknown.append(resolution)
                elif resolution.key and resolution.key not in keys:
                    keys.append(resolution.key)
            cache[value] = (keys, unknown)
        keys, unknown = cache[value]
        for resolution in unknown:
            col.add(pos, "target_groups", resolution.value,
                    f"unknown target group {resolution.value!r}: the row is kept unpublished for review",
                    _advice(vocab, resolution), severity="review")
        out.append(list(keys))
    return out
