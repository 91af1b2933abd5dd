"""Our closed values in words, for the free-text fields of HSDS, and back.

HSDS says who an offer is for, what it costs, how to get an appointment and how accessible
it is in sentences (``eligibility_description``, ``fees_description``,
``application_process``, ``accessibility.description``). We write short sentences in the
export's language (German by default, English on request) and read exactly these sentences
back, in either language, so our own files round-trip. Other directories' sentences are
matched against the words the spreadsheet import accepts (geo.field_rules); what matches
nothing stays with the offer as an extra attribute.
"""

from __future__ import annotations

from collections.abc import Sequence

from geo.field_rules import APPOINTMENT, COST, WHEELCHAIR
from geo.text import fold

LANGUAGES = ("de", "en")

SENTENCES: dict[str, dict[str, dict[str, str]]] = {
    "de": {
        "cost": {"free": "Kostenlos.", "fee": "Kostenpflichtig."},
        "appointment": {"none": "Ohne Termin.", "recommended": "Termin empfohlen.", "required": "Nur mit Termin."},
        "wheelchair": {"yes": "Rollstuhlgerecht.", "limited": "Eingeschränkt rollstuhlgerecht.",
                       "no": "Nicht rollstuhlgerecht."},
    },
    "en": {
        "cost": {"free": "Free of charge.", "fee": "A fee is charged."},
        "appointment": {"none": "No appointment needed.", "recommended": "An appointment is recommended.",
                        "required": "By appointment only."},
        "wheelchair": {"yes": "Wheelchair accessible.", "limited": "Partly wheelchair accessible.",
                       "no": "Not wheelchair accessible."},
    },
}
# cost_option.option of our cost options
COST_OPTION = {"de": {"free": "kostenlos", "fee": "kostenpflichtig"}, "en": {"free": "free", "fee": "fee"}}
# organization.description of the stand-in organisation of offers without one
NO_ORGANISATION = {"de": "Der Träger ist nicht angegeben.", "en": "The provider is not given."}
_EVERYONE = {"de": "alle", "en": "everyone"}
_AND = {"de": "und", "en": "and"}
_FOR = {"de": "Für {}.", "en": "For {}."}
_AGES = {
    "de": {"both": "Von {} bis {} Jahren.", "min": "Ab {} Jahren.", "max": "Bis {} Jahre."},
    "en": {"both": "Aged {} to {}.", "min": "Aged {} and over.", "max": "Up to age {}."},
}
_APPOINTMENT_NOUNS = {"termin", "termine", "terminvereinbarung", "appointment", "an", "is", "ein", "eine"}
_SPREADSHEET_WORDS = {"cost": COST, "appointment": APPOINTMENT, "wheelchair": WHEELCHAIR}


def sentence(kind: str, key: str, lang: str = "de") -> str:
    """The sentence for a closed value ("cost", "free") or "" (unknown values say nothing)."""
    return SENTENCES[_lang(lang)][kind].get(key, "")


def read_sentence(kind: str, text: str) -> str | None:
    """The key a sentence means: ours in any language, else a word the spreadsheet import
    accepts ("kostenlos", "barrierefrei"); None when it is something else."""
    wanted = fold(text).strip(" .!")
    if not wanted:
        return None
    for lang in LANGUAGES:
        for key, words in SENTENCES[lang][kind].items():
            if fold(words).strip(" .!") == wanted:
                return key
    table = _SPREADSHEET_WORDS[kind]
    key = table.get(wanted)
    if key is None and kind == "appointment":
        # "Termin erforderlich", "Appointment required": the word that says how much
        key = table.get(" ".join(w for w in wanted.split() if w not in _APPOINTMENT_NOUNS))
    return None if key in (None, "unknown") else key


def eligibility(groups: Sequence[str], age_min: float | None, age_max: float | None, label, lang: str = "de") -> str:
    """Who the offer is for, in words: "Für Geflüchtete und Frauen. Von 16 bis 27 Jahren."

    ``label(key)`` gives a target group's label in ``lang``; the group "all" is "alle".
    """
    lang = _lang(lang)
    parts = []
    names = [_EVERYONE[lang] if key == "all" else label(key) for key in groups]
    if names:
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {_AND[lang]} " + names[-1]
        parts.append(_FOR[lang].format(joined))
    ages = _AGES[lang]
    if age_min is not None and age_max is not None:
        parts.append(ages["both"].format(_years(age_min), _years(age_max)))
    elif age_min is not None:
        parts.append(ages["min"].format(_years(age_min)))
    elif age_max is not None:
        parts.append(ages["max"].format(_years(age_max)))
    return " ".join(parts)


def _years(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"HSDS texts are written in {' or '.join(LANGUAGES)}, not {lang!r}")
    return lang
