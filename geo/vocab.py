"""Controlled vocabularies: offer categories and target groups.

Each term has a canonical key (stored), German and English labels, and the words
coordinators actually write in their spreadsheets (aliases). A deployment may add
terms or relabel built-in ones in ``[vocabulary.categories]`` /
``[vocabulary.target_groups]`` of its config, with labels in more languages and an icon.

A word is resolved in this order: a mapping a person made and the store remembers
(``remembered``, see :func:`map_value`), the vocabulary's own words (keys, labels,
aliases, and the synonyms of geo.synonyms marked ``same``). Anything else is unknown:
the row waits for review and :meth:`Vocabulary.suggest` proposes keys *by meaning*
first (geo.synonyms, including the head of a German compound: "Frauentreff" is a
"Treff"), and by letters only when the meaning is unknown (typos such as "Berattung").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from geo.synonyms import CONCEPTS, Concept

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
    icon: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # more languages: {"ar": "...", "uk": "..."}

    def label(self, lang: str) -> str:
        if lang in self.labels:
            return self.labels[lang]
        return self.de if lang == "de" else self.en


@dataclass(frozen=True)
class Suggestion:
    """A key proposed for an unknown word, and why: "meaning" (synonym table) or "letters" (spelling)."""

    key: str
    why: str


@dataclass(frozen=True)
class Resolution:
    """What a user's word became: ``key`` (None when unknown), ``how`` ("remembered", "vocabulary",
    "empty", "unknown") and, for unknown words, ``suggestions`` best first and the ``concept``
    the word means when the synonym table knows it (e.g. "library")."""

    value: str
    key: str | None
    how: str
    suggestions: tuple[Suggestion, ...] = ()
    concept: str = ""


# Compound heads shorter than this say too little ("bar", "art", "kurs" alone are not a meaning).
_MIN_HEAD = 5
_LETTER_CUTOFF = 80.0


@dataclass
class Vocabulary:
    """One controlled vocabulary (categories or target groups)."""

    kind: str
    terms: dict[str, Term] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lookup: dict[str, str] = {}
        self._concept_of: dict[str, Concept] = {}
        for concept in CONCEPTS.get(self.kind, ()):
            for word in concept.words:
                self._concept_of.setdefault(fold(word), concept)
        for term in self.terms.values():
            self._index(term)
        for concept in CONCEPTS.get(self.kind, ()):
            if concept.same in self.terms:
                for word in concept.words:
                    self._lookup.setdefault(fold(word), concept.same)

    def _index(self, term: Term, override: bool = False) -> None:
        for word in (term.key, term.de, term.en, *term.labels.values(), *term.aliases):
            if override:
                self._lookup[fold(word)] = term.key
            else:
                self._lookup.setdefault(fold(word), term.key)

    def add(self, term: Term, override: bool = False) -> None:
        """Add or replace a term; ``override``: its words win over words other terms already claim."""
        self.terms[term.key] = term
        self._index(term, override)

    @property
    def keys(self) -> list[str]:
        return list(self.terms)

    def normalise(self, value: str) -> str | None:
        """The canonical key for a user's word, or None when it is not known."""
        return self._lookup.get(fold(value))

    def resolve(self, value: str, remembered: Mapping[str, str] | None = None) -> Resolution:
        """The key for a user's word with how it was found; see the module docstring for the order.

        ``remembered`` maps folded words to keys for this vocabulary (one kind of
        :func:`map_value`'s dict); a remembered "" means "this word carries no value".
        """
        folded = fold(value)
        if not folded:
            return Resolution(value, None, "empty")
        if remembered:
            key = remembered.get(folded)
            if key is not None and (key == "" or key in self.terms):
                return Resolution(value, key, "remembered")
        key = self._lookup.get(folded)
        if key is not None:
            return Resolution(value, key, "vocabulary")
        concept = self.concept(value)
        return Resolution(value, None, "unknown", tuple(self.suggest_why(value)), concept.key if concept else "")

    def concept(self, value: str) -> Concept | None:
        """The synonym-table concept a word means: the word itself, else its last word or compound head."""
        folded = fold(value)
        found = self._concept_of.get(folded)
        if found:
            return found
        words = [w for w in re.split(r"[\s/,;&+()*:-]+", folded) if w]
        for word in reversed(words):
            if word in self._concept_of and len(word) >= _MIN_HEAD - 1:
                return self._concept_of[word]
        joined = "".join(words)
        best: tuple[int, Concept] | None = None
        for word, concept in self._concept_of.items():
            plain = word.replace(" ", "")
            if len(plain) >= _MIN_HEAD and joined.endswith(plain) and (best is None or len(plain) > best[0]):
                best = (len(plain), concept)
        if best:
            return best[1]
        # a head that is one of our own words ("Frauentreff" ends in "treff")
        return None

    def suggest_why(self, value: str, n: int = 3) -> list[Suggestion]:
        """Keys for an unknown word, best first: by meaning, else by letters."""
        out: list[Suggestion] = []
        concept = self.concept(value)
        if concept is not None:
            for key in ((concept.same,) if concept.same else ()) + concept.near + self._town_terms_for(concept):
                if key in self.terms and key not in [s.key for s in out]:
                    out.append(Suggestion(key, "meaning"))
        if not out:
            head = self._own_head(value)
            if head:
                out.append(Suggestion(head, "meaning"))
        if not out:
            folded = fold(value)
            for word, _score, _ in process.extract(folded, list(self._lookup), scorer=fuzz.ratio,
                                                   score_cutoff=_LETTER_CUTOFF, limit=n * 3):
                key = self._lookup[word]
                if key not in [s.key for s in out]:
                    out.append(Suggestion(key, "letters"))
        return out[:n]

    def suggest(self, value: str, n: int = 3) -> list[str]:
        """Closest canonical keys for an unknown word (meaning first, letters second)."""
        return [s.key for s in self.suggest_why(value, n)]

    def _own_head(self, value: str) -> str:
        """A term whose own word is the head of a compound ("Frauentreff" -> "treff" -> meeting_place)."""
        joined = re.sub(r"[^a-z0-9]", "", fold(value))
        best = ("", 0)
        for word, key in self._lookup.items():
            plain = word.replace(" ", "")
            if len(plain) >= _MIN_HEAD - 1 and joined.endswith(plain) and len(plain) > best[1] and joined != plain:
                best = (key, len(plain))
        return best[0]

    def _town_terms_for(self, concept: Concept) -> tuple[str, ...]:
        return tuple(k for k, t in self.terms.items() if concept.key in (t.key, *t.aliases))

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
    """Add or relabel terms. A town's own term takes the synonyms of the concept it names (by key,
    label or alias: a category "library" or "Bibliothek" gets "Bücherei", "Stadtbibliothek" ...),
    and its words win over built-in synonyms ("Gesundheit" goes to a town's own "health")."""
    for key, spec in extra.items():
        base = vocab.terms.get(key)
        labels = {str(lang): str(text) for lang, text in (spec.get("labels") or {}).items()}
        term = Term(
            key=key,
            de=str(spec.get("de", labels.get("de", base.de if base else key))),
            en=str(spec.get("en", labels.get("en", base.en if base else key))),
            aliases=tuple(spec.get("aliases", ())) + (base.aliases if base else ()),
            colour=str(spec.get("color", spec.get("colour", base.colour if base else "#555555"))),
            icon=str(spec.get("icon", base.icon if base else "")),
            labels={**(base.labels if base else {}), **labels},
        )
        if base is None:
            named = {fold(w) for w in (key, term.de, term.en, *term.labels.values(), *term.aliases)}
            for concept in CONCEPTS.get(vocab.kind, ()):
                if fold(concept.key) in named or named & {fold(w) for w in concept.words}:
                    term.aliases = term.aliases + (concept.key, *concept.words)
        vocab.add(term, override=base is None)


# Remembered value mappings: {kind: {folded word: key}}, kind "category" or "target_group".
ValueMappings = dict[str, dict[str, str]]


def map_value(mappings: Mapping[str, Mapping[str, str]] | None, kind: str, raw: str, key: str,
              vocab: Vocabulary | None = None) -> ValueMappings:
    """A copy of ``mappings`` that also maps the word ``raw`` of ``kind`` to ``key``.

    What `angebotskarte vocabulary map "Religionsgemeinschaft" meeting_place` records: the
    store keeps the dict (one row per kind and folded word); the validator applies it to
    every row. ``key`` "" means "this word carries no value" (e.g. a target group "divers").

    Raises
    ------
    ValueError
        An empty word, an unknown kind, or a key ``vocab`` does not have (naming the allowed keys).
    """
    if kind not in CONCEPTS:
        raise ValueError(f"unknown vocabulary {kind!r}; allowed: {', '.join(CONCEPTS)}")
    folded = fold(raw)
    if not folded:
        raise ValueError("an empty word cannot be mapped")
    if vocab is not None and key and key not in vocab.terms:
        raise ValueError(f"{key!r} is not a {kind.replace('_', ' ')}; allowed: {', '.join(vocab.keys)}")
    out: ValueMappings = {k: dict(v) for k, v in (mappings or {}).items()}
    out.setdefault(kind, {})[folded] = key
    return out
