"""Our vocabularies as HSDS taxonomies, and other directories' terms back to our words.

An export publishes three taxonomies with all their terms, so a reader needs nothing else:

- "Angebotskarte: Kategorien" – one term per category (code = our key, e.g. ``counselling``),
- "Angebotskarte: Zielgruppen" – one term per target group (``refugees``, ``women`` ...),
- "Angebotskarte: Übersetzungen" – one term per language (code ``en``); an attribute with this
  term says "``value`` is the text of the field ``link_type`` of the linked record in this
  language". The terms' labels in the other languages (geo.vocab: German and English, plus
  the ``labels`` a town configures) are such attributes of the terms; issue 12's translated
  offer names and descriptions will be attributes of the services in the same way.

Offers link to terms with attributes (``link_entity`` "service", ``link_type`` "category" or
"target_group"). Every id is derived (geo.hsds.ids), so our terms have the same UUIDs in
every Angebotskarte export: that is how an import recognises them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from geo.hsds.ids import hsds_id
from geo.languages import language_name
from geo.vocab import Vocabulary, categories_from_config, target_groups_from_config

CATEGORY, TARGET_GROUP, TRANSLATION = "category", "target_group", "translation"
TAXONOMY_VERSION = "1"

_TAXONOMY_TEXT = {
    CATEGORY: {"de": ("Angebotskarte: Kategorien", "Die Kategorien der Angebote auf der Angebotskarte."),
               "en": ("Angebotskarte: categories", "The categories of the offers on the Angebotskarte map.")},
    TARGET_GROUP: {"de": ("Angebotskarte: Zielgruppen", "Für wen ein Angebot der Angebotskarte gedacht ist."),
                   "en": ("Angebotskarte: target groups", "Whom an offer on the Angebotskarte map is meant for.")},
    TRANSLATION: {"de": ("Angebotskarte: Übersetzungen",
                         "Ein Attribut mit einem dieser Begriffe enthält in value den Text des Feldes, das link_type "
                         "nennt, in der Sprache des Begriffs."),
                  "en": ("Angebotskarte: translations",
                         "An attribute with one of these terms holds in value the text of the field named by "
                         "link_type, in the term's language.")},
}
_TERM_TEXT = {CATEGORY: {"de": "Kategorie der Angebotskarte: {}", "en": "Angebotskarte category: {}"},
              TARGET_GROUP: {"de": "Zielgruppe der Angebotskarte: {}", "en": "Angebotskarte target group: {}"},
              TRANSLATION: {"de": "Übersetzung: {}", "en": "Translation: {}"}}


@lru_cache(maxsize=64)
def taxonomy_id(kind: str) -> str:
    return hsds_id("taxonomy", kind)


@lru_cache(maxsize=4096)
def term_id(kind: str, key: str) -> str:
    """The UUID of our term ``key`` of ``kind`` (category, target_group, translation)."""
    return hsds_id("taxonomy_term", kind, key)


def vocabularies(settings=None) -> dict[str, Vocabulary]:
    """The deployment's categories and target groups (built-in ones without settings)."""
    vocabulary = settings.vocabulary if settings is not None else None
    return {CATEGORY: categories_from_config(vocabulary.categories if vocabulary else None),
            TARGET_GROUP: target_groups_from_config(vocabulary.target_groups if vocabulary else None)}


@dataclass
class TaxonomyTables:
    """The rows that publish our taxonomies."""

    taxonomy: list[dict]
    taxonomy_term: list[dict]
    attribute: list[dict]


def taxonomy_tables(vocabs: Mapping[str, Vocabulary], lang: str = "de",
                    used: Mapping[str, Iterable[str]] | None = None) -> TaxonomyTables:
    """Our taxonomies with every term, labelled in ``lang``, other labels as translation attributes.

    ``used`` names keys the offers use that the vocabularies lack (a category a town removed
    from its config): they become terms labelled with their key, so no attribute dangles.
    """
    taxonomies, terms, attributes = [], [], []
    codes: set[str] = set()
    labels_by_term: list[tuple[str, dict[str, str]]] = []
    for kind in (CATEGORY, TARGET_GROUP):
        vocab = vocabs[kind]
        taxonomies.append(_taxonomy(kind, lang))
        keys = list(vocab.terms) + [k for k in dict.fromkeys((used or {}).get(kind, ())) if k and k not in vocab.terms]
        for key in keys:
            term = vocab.terms.get(key)
            labels = ({"de": term.de, "en": term.en, **term.labels} if term else {lang: key})
            name = labels.get(lang) or key
            terms.append(_term(kind, key, name, lang, codes, lang))
            labels_by_term.append((term_id(kind, key), {code: text for code, text in labels.items()
                                                        if code != lang and text}))
    languages = sorted({code for _, labels in labels_by_term for code in labels})
    taxonomies.append(_taxonomy(TRANSLATION, lang))
    for code in languages:
        terms.append(_term(TRANSLATION, code, language_name(code, lang), code, codes, lang))
    for tid, labels in labels_by_term:
        for code, text in labels.items():
            attributes.append({"id": hsds_id("attribute", tid, "name", code), "link_id": tid,
                               "link_entity": "taxonomy_term", "link_type": "name",
                               "taxonomy_term_id": term_id(TRANSLATION, code), "value": text})
    return TaxonomyTables(taxonomies, terms, attributes)


def _taxonomy(kind: str, lang: str) -> dict:
    name, description = _TAXONOMY_TEXT[kind][lang]
    return {"id": taxonomy_id(kind), "name": name, "description": description, "version": TAXONOMY_VERSION}


def _term(kind: str, key: str, name: str, language: str, codes: set[str], text_lang: str) -> dict:
    # taxonomy_term.code is unique across the table in the tabular profile: a town's category
    # key that equals a target group's key (or a language code) gets its kind in front.
    code = key if key not in codes else f"{kind}:{key}"
    codes.add(code)
    return {"id": term_id(kind, key), "code": code, "name": name,
            "description": _TERM_TEXT[kind][text_lang].format(name), "taxonomy_id": taxonomy_id(kind),
            "taxonomy": _TAXONOMY_TEXT[kind][text_lang][0], "language": language}


def our_term(term: Mapping) -> tuple[str, str] | None:
    """(kind, key) when ``term`` is one of our categories or target groups, recognised by its
    derived id (the same in every Angebotskarte export), else None."""
    tid, code = str(term.get("id") or ""), str(term.get("code") or "")
    prefix, _, rest = code.partition(":")
    for kind in (CATEGORY, TARGET_GROUP):
        for key in (code, rest if prefix == kind else ""):
            if key and tid == term_id(kind, key):
                return kind, key
    return None
