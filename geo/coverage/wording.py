"""Plain-language wording of the coverage outputs, in German and English.

Column headings for the spreadsheet, and the one-sentence reasons of the
underserved list ("Ortsbezirk West: kein Angebot der Kategorie „Beratung“ auf
Arabisch im Umkreis von 1 km Fußweg für geschätzt 1.230 Einwohner*innen der
Herkunftsgruppe Syrien"). Numbers follow the language's conventions.
"""

from __future__ import annotations

import math

from geo.languages import language_name

LANGS = ("de", "en")

# Column -> (German, English) heading.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "rank": ("Rang", "Rank"),
    "district_id": ("Bezirks-ID", "District ID"),
    "district": ("Bezirk", "District"),
    "category": ("Kategorie", "Category"),
    "language": ("Sprache", "Language"),
    "target_group": ("Zielgruppe", "Target group"),
    "group": ("Bevölkerungsgruppe", "Population group"),
    "residents": ("Einwohner*innen", "Residents"),
    "group_residents": ("Einwohner*innen der Gruppe", "Residents of the group"),
    "offers": ("Angebote im Bezirk", "Offers in the district"),
    "virtual_offers": ("Online-/Telefonangebote (gesamt)", "Online/phone offers (town-wide)"),
    "offers_per_10k": ("Angebote je 10.000 Einw.", "Offers per 10,000 residents"),
    "offers_per_10k_group": ("Angebote je 10.000 der Gruppe", "Offers per 10,000 of the group"),
    "share_within_catchment": ("Anteil mit Angebot in Gehweite", "Share with an offer within walking distance"),
    "unreached_residents": ("Einw. ohne Angebot in Gehweite", "Residents without an offer within walking distance"),
    "median_distance_m": ("Median Fußweg zum nächsten Angebot (m)", "Median walk to the nearest offer (m)"),
    "p90_distance_m": ("90 % wohnen näher als (m)", "90% live closer than (m)"),
    "e2sfca_per_10k": ("Erreichbarkeit E2SFCA (Angebote je 10.000)", "E2SFCA accessibility (offers per 10,000)"),
    "e2sfca_town_per_10k": ("Erreichbarkeit in der ganzen Stadt (je 10.000)", "Town-wide accessibility (per 10,000)"),
    "e2sfca_vs_town": ("Erreichbarkeit im Vergleich zur Stadt", "Accessibility relative to the town"),
    "affected_residents": ("Betroffene Einwohner*innen", "Residents affected"),
    "reason": ("Begründung", "Reason"),
}


def column_label(column: str, lang: str = "de") -> str:
    """The heading of a table column in the UI language; unknown columns keep their name."""
    labels = COLUMN_LABELS.get(column)
    if labels is None:
        return column
    return labels[0] if lang == "de" else labels[1]


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def format_number(value: float, lang: str = "de", decimals: int = 0) -> str:
    """1230.0 -> "1.230" (de) / "1,230" (en)."""
    text = f"{value:,.{decimals}f}"
    if lang == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_distance(metres: float, lang: str = "de") -> str:
    """1000 -> "1 km", 1500 -> "1,5 km" / "1.5 km", 770 -> "770 m"."""
    if metres < 1000:
        return f"{format_number(round(metres, -1), lang)} m"
    km = metres / 1000
    decimals = 0 if math.isclose(km, round(km)) else 1
    return f"{format_number(km, lang, decimals)} km"


def format_percent(share: float, lang: str = "de") -> str:
    number = format_number(share * 100, lang)
    return f"{number} %" if lang == "de" else f"{number}%"


def what_phrase(category_label: str, language: str | None, target_group_label: str | None,
                lang: str, plural: bool = False) -> str:
    """What is missing, e.g. "Angebot der Kategorie „Beratung“ auf Arabisch für Geflüchtete" (de)
    or "counselling offer in Arabic for refugees" (en)."""
    if lang == "de":
        text = f"{'Angebote' if plural else 'Angebot'} der Kategorie „{category_label}“"
        if language:
            text += f" auf {language_name(language, 'de')}"
        if target_group_label:
            text += f" für {target_group_label}"
        return text
    text = f"{category_label.lower()} {'offers' if plural else 'offer'}"
    if language:
        text += f" in {language_name(language, 'en')}"
    if target_group_label:
        text += f" for {target_group_label.lower()}"
    return text


def people_phrase(kind: str, names: list[str], lang: str) -> str:
    """Who the numbers count: all residents, a population column, or origin groups."""
    if kind == "origin":
        listed = ", ".join(names)
        if lang == "de":
            return f"Einwohner*innen der Herkunftsgruppe{'n' if len(names) > 1 else ''} {listed}"
        return f"residents of the origin group{'s' if len(names) > 1 else ''} {listed}"
    if kind == "column":
        if lang == "de":
            return f"Einwohner*innen der Gruppe „{names[0]}“"
        return f"residents in the group \u201c{names[0]}\u201d"
    return "Einwohner*innen" if lang == "de" else "residents"


def reason_none_reached(district: str, what: str, people: str, affected: float, catchment_m: float,
                        lang: str) -> str:
    """Nobody in the district has a matching offer within the catchment."""
    n = format_number(affected, lang)
    dist = format_distance(catchment_m, lang)
    if lang == "de":
        return f"{district}: kein {what} im Umkreis von {dist} Fußweg für geschätzt {n} {people}"
    return f"{district}: no {what} within {dist} on foot for an estimated {n} {people}"


def reason_partly_reached(district: str, what: str, people: str, affected: float, total: float,
                          catchment_m: float, lang: str) -> str:
    """Some of the district's residents have no matching offer within the catchment."""
    n = format_number(affected, lang)
    of = format_number(total, lang)
    pct = format_percent(affected / total if total else 0.0, lang)
    dist = format_distance(catchment_m, lang)
    if lang == "de":
        return f"{district}: geschätzt {n} von {of} {people} ({pct}) haben kein {what} im Umkreis von {dist} Fußweg"
    return f"{district}: an estimated {n} of {of} {people} ({pct}) have no {what} within {dist} on foot"


def reason_low_access(district: str, what_plural: str, people: str, value: float, town: float,
                      lang: str) -> str:
    """Offers are within reach, but shared by so many that accessibility is low."""
    x = format_number(value, lang, 2)
    y = format_number(town, lang, 2)
    pct = format_percent(value / town if town else 0.0, lang)
    if lang == "de":
        return (f"{district}: {what_plural} sind in Gehweite, aber die Erreichbarkeit liegt bei {x} je "
                f"10.000 {people}, {pct} des städtischen Werts ({y})")
    return (f"{district}: {what_plural} are within walking distance, but accessibility is {x} per 10,000 "
            f"{people}, {pct} of the town-wide value ({y})")
