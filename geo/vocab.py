"""Controlled vocabularies: offer categories and target groups.

Each term has a canonical key (stored), German and English labels, and the words
coordinators actually write in their spreadsheets (aliases). A deployment may add
terms or relabel built-in ones in ``[vocabulary.categories]`` /
``[vocabulary.target_groups]`` of its config.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from geo.text import fold  # the one folding of names and addresses (callers also import it from here)

# key: (de, en, aliases, colour). Colours are from ColorBrewer "Dark2/Set1" with
# enough contrast on white for WCAG non-text contrast (3:1).
_CATEGORIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "counselling": ("Beratung", "Counselling", (
        "beratung", "beratungsstelle", "migrationsberatung", "mbe", "jugendmigrationsdienst", "jmd",
        "flüchtlingsberatung", "fluechtlingsberatung", "asylberatung", "sozialberatung", "counseling",
        "advice", "rechtsberatung")),
    "language_course": ("Sprachkurs", "Language course", (
        "sprachkurs", "sprachkurse", "deutschkurs", "deutschkurse", "integrationskurs", "integrationskurse",
        "sprachcafé", "sprachcafe", "sprachförderung", "german course", "language courses", "course")),
    "meeting_place": ("Treffpunkt", "Meeting place", (
        "treffpunkt", "treff", "begegnungsstätte", "begegnungsstaette", "begegnungscafé", "begegnungscafe",
        "café", "cafe", "stadtteiltreff", "meeting point", "community centre", "community center")),
    "sports": ("Sport", "Sports", (
        "sport", "sportverein", "verein", "sports club", "sportangebot", "fußball", "fussball")),
    "doctor": ("Arzt/Ärztin", "Doctor", (
        "arzt", "ärztin", "aerztin", "ärzte", "aerzte", "arzt/ärztin", "praxis", "arztpraxis", "hausarzt",
        "kinderarzt", "zahnarzt", "doctor", "physician", "medical practice", "gesundheit", "health")),
    "authority": ("Behörde", "Authority", (
        "behörde", "behoerde", "amt", "behörde/amt", "ausländerbehörde", "auslaenderbehoerde",
        "jobcenter", "bürgerbüro", "buergerbuero", "sozialamt", "authority", "office", "public office")),
    "other": ("Sonstiges", "Other", ("sonstiges", "andere", "anderes", "other", "misc")),
}
_CATEGORY_COLOURS = {
    "counselling": "#1b7837", "language_course": "#2166ac", "meeting_place": "#b35806",
    "sports": "#762a83", "doctor": "#b2182b", "authority": "#4d4d4d", "other": "#8c510a",
}

_TARGET_GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "all": ("Alle", "Everyone", ("alle", "jede*r", "jeder", "everyone", "all", "offen für alle")),
    "refugees": ("Geflüchtete", "Refugees", (
        "geflüchtete", "gefluechtete", "flüchtlinge", "fluechtlinge", "refugees", "refugee", "schutzsuchende")),
    "asylum_seekers": ("Asylsuchende", "Asylum seekers", (
        "asylsuchende", "asylbewerber", "asylbewerber*innen", "asylbewerberinnen", "asylum seekers")),
    "tolerated": ("Geduldete", "Tolerated persons (Duldung)", ("geduldete", "duldung", "tolerated")),
    "unaccompanied_minors": ("Unbegleitete minderjährige Geflüchtete", "Unaccompanied minors", (
        "unbegleitete minderjährige geflüchtete", "unbegleitete minderjährige", "umf", "uma", "umf/uma",
        "unaccompanied minors")),
    "international_students": ("Internationale Studierende", "International students", (
        "internationale studierende", "studierende", "studenten", "international students", "students")),
    "eu_citizens": ("EU-Bürger*innen", "EU citizens", (
        "eu-bürger", "eu-bürger*innen", "eu-bürgerinnen", "eu-buerger", "eu bürger", "unionsbürger", "eu citizens")),
    "late_repatriates": ("Spätaussiedler*innen", "Late repatriates", (
        "spätaussiedler", "spätaussiedler*innen", "spaetaussiedler", "aussiedler", "late repatriates")),
    "women": ("Frauen", "Women", ("frauen", "frau", "women", "mädchen und frauen")),
    "families": ("Familien", "Families", ("familien", "familie", "eltern", "families", "parents")),
    "children": ("Kinder", "Children", ("kinder", "kind", "children", "kids")),
    "youth": ("Jugendliche", "Young people", (
        "jugendliche", "junge menschen", "junge erwachsene", "jugend", "youth", "young people")),
    "seniors": ("Senior*innen", "Older people", ("senioren", "senior*innen", "seniorinnen", "ältere", "seniors")),
    "job_seekers": ("Arbeitsuchende", "Job seekers", (
        "arbeitsuchende", "arbeitssuchende", "arbeitslose", "job seekers", "jobsuchende")),
}


@dataclass
class Term:
    key: str
    de: str
    en: str
    aliases: tuple[str, ...] = ()
    colour: str = "#555555"

    def label(self, lang: str) -> str:
        return self.de if lang == "de" else self.en


@dataclass
class Vocabulary:
    """One controlled vocabulary (categories or target groups)."""

    kind: str
    terms: dict[str, Term] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lookup: dict[str, str] = {}
        for term in self.terms.values():
            self._index(term)

    def _index(self, term: Term) -> None:
        for word in (term.key, term.de, term.en, *term.aliases):
            self._lookup.setdefault(fold(word), term.key)

    def add(self, term: Term) -> None:
        self.terms[term.key] = term
        self._index(term)

    @property
    def keys(self) -> list[str]:
        return list(self.terms)

    def normalise(self, value: str) -> str | None:
        """The canonical key for a user's word, or None when it is not known."""
        return self._lookup.get(fold(value))

    def suggest(self, value: str, n: int = 3) -> list[str]:
        """Closest canonical keys for an unknown word."""
        close = difflib.get_close_matches(fold(value), list(self._lookup), n=n * 3, cutoff=0.5)
        keys: list[str] = []
        for word in close:
            key = self._lookup[word]
            if key not in keys:
                keys.append(key)
        return keys[:n]

    def label(self, key: str, lang: str = "de") -> str:
        term = self.terms.get(key)
        return term.label(lang) if term else key


def categories_from_config(extra: dict | None = None) -> Vocabulary:
    """Built-in categories, extended or relabelled by ``[vocabulary.categories]``."""
    vocab = Vocabulary("category", {
        k: Term(k, de, en, aliases, _CATEGORY_COLOURS[k]) for k, (de, en, aliases) in _CATEGORIES.items()
    })
    _apply_config(vocab, extra or {})
    return vocab


def target_groups_from_config(extra: dict | None = None) -> Vocabulary:
    """Built-in target groups, extended or relabelled by ``[vocabulary.target_groups]``."""
    vocab = Vocabulary("target_group", {k: Term(k, de, en, aliases) for k, (de, en, aliases) in _TARGET_GROUPS.items()})
    _apply_config(vocab, extra or {})
    return vocab


def _apply_config(vocab: Vocabulary, extra: dict) -> None:
    for key, spec in extra.items():
        base = vocab.terms.get(key)
        term = Term(
            key=key,
            de=str(spec.get("de", base.de if base else key)),
            en=str(spec.get("en", base.en if base else key)),
            aliases=tuple(spec.get("aliases", ())) + (base.aliases if base else ()),
            colour=str(spec.get("color", spec.get("colour", base.colour if base else "#555555"))),
        )
        vocab.add(term)
