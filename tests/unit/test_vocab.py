"""geo.vocab: categories and target groups in the words coordinators actually write."""

from __future__ import annotations

import pytest

from geo.schema import CATEGORY_KEYS_BUILTIN
from geo.vocab import Suggestion, categories_from_config, fold, map_value, target_groups_from_config


@pytest.fixture(scope="module")
def categories():
    return categories_from_config()


@pytest.fixture(scope="module")
def groups():
    return target_groups_from_config()


@pytest.mark.parametrize("word, key", [
    ("Beratung", "counselling"), ("Migrationsberatung", "counselling"), ("MBE", "counselling"), ("JMD", "counselling"),
    ("Sprachkurs", "language_course"), ("Deutschkurs", "language_course"), ("Integrationskurs", "language_course"),
    ("Treffpunkt", "meeting_place"), ("Begegnungscafé", "meeting_place"), ("Begegnungscafe", "meeting_place"),
    ("Sport", "sports"), ("Sportverein", "sports"), ("Fußball", "sports"), ("FUSSBALL", "sports"),
    ("Arzt", "doctor"), ("Ärztin", "doctor"), ("Arzt/Ärztin", "doctor"), ("Arztpraxis", "doctor"), ("Aerzte", "doctor"),
    ("Behörde", "authority"), ("Behoerde", "authority"), ("Ausländerbehörde", "authority"),
    ("Auslaenderbehoerde", "authority"), ("Behörde/Amt", "authority"), ("Jobcenter", "authority"),
    ("Sonstiges", "other"),
    # English labels and the keys themselves
    ("Counselling", "counselling"), ("Language course", "language_course"), ("meeting place", "meeting_place"),
    ("language_course", "language_course"), ("  doctor ", "doctor"),
])
def test_category_words(categories, word, key):
    assert categories.normalise(word) == key


@pytest.mark.parametrize("key", CATEGORY_KEYS_BUILTIN)
def test_every_builtin_category_has_labels_that_read_back(categories, key):
    for lang in ("de", "en"):
        label = categories.label(key, lang)
        assert label and label != key
        assert categories.normalise(label) == key
    assert categories.terms[key].colour.startswith("#")


@pytest.mark.parametrize("word, key", [
    ("Alle", "all"), ("Geflüchtete", "refugees"), ("Gefluechtete", "refugees"), ("Flüchtlinge", "refugees"),
    ("Asylsuchende", "asylum_seekers"), ("Geduldete", "tolerated"), ("UMF/UMA", "unaccompanied_minors"),
    ("Internationale Studierende", "international_students"), ("EU-Bürger*innen", "eu_citizens"),
    ("Spätaussiedler*innen", "late_repatriates"), ("Frauen", "women"), ("Familien", "families"),
    ("Eltern", "families"), ("Kinder", "children"), ("Jugendliche", "youth"), ("Senior*innen", "seniors"),
    ("Senioren", "seniors"), ("Arbeitsuchende", "job_seekers"), ("Women", "women"),
])
def test_target_group_words(groups, word, key):
    assert groups.normalise(word) == key


@pytest.mark.parametrize("word", ["Mobilität", "Kultur", "Gastronomie", "Multimedia", "", "xyz"])
def test_unknown_categories_are_none(categories, word):
    assert categories.normalise(word) is None


def test_suggestions_point_at_the_likely_key(categories, groups):
    assert categories.suggest("Berattung")[0] == "counselling"
    assert categories.suggest("Sprachkurz")[0] == "language_course"
    assert groups.suggest("Jugendlich")[0] == "youth"
    assert len(categories.suggest("Beratun", n=2)) <= 2
    assert categories.suggest("qqqqqqqq") == []


def test_fold_ignores_case_accents_spacing_and_sharp_s():
    assert fold("  Behörde ") == fold("BEHORDE") == "behorde"
    assert fold("Fußball") == fold("Fussball")
    assert fold("language_course") == "language course"
    assert fold("Begegnungs   café") == "begegnungs cafe"


def test_config_adds_a_category_with_aliases():
    vocab = categories_from_config({"legal_advice": {"de": "Rechtsberatung", "en": "Legal advice",
                                                     "aliases": ["Anwalt"], "color": "#6a3d9a"}})
    assert "legal_advice" in vocab.keys
    assert vocab.normalise("Anwalt") == "legal_advice"
    assert vocab.normalise("Legal advice") == "legal_advice"
    assert vocab.label("legal_advice", "de") == "Rechtsberatung"
    assert vocab.terms["legal_advice"].colour == "#6a3d9a"
    # The town's own label wins over a built-in alias: otherwise its category could never be
    # reached by the word it chose for it ("Rechtsberatung" was a counselling alias).
    assert vocab.normalise("Rechtsberatung") == "legal_advice"
    assert vocab.normalise("Migrationsberatung") == "counselling"


def test_config_relabels_a_builtin_category_and_keeps_its_aliases():
    vocab = categories_from_config({"meeting_place": {"de": "Begegnungsort", "aliases": ["Nachbarschaftstreff"]}})
    assert vocab.label("meeting_place", "de") == "Begegnungsort"
    assert vocab.label("meeting_place", "en") == "Meeting place"
    assert vocab.normalise("Nachbarschaftstreff") == "meeting_place"
    assert vocab.normalise("Begegnungsort") == "meeting_place"
    assert vocab.normalise("Treffpunkt") == "meeting_place"
    assert vocab.keys.count("meeting_place") == 1


def test_config_adds_a_target_group():
    vocab = target_groups_from_config({"men": {"de": "Männer", "en": "Men"}})
    assert vocab.normalise("Männer") == "men"
    # every spelling of the umlaut meets (geo.text.fold), without an alias for each
    assert vocab.normalise("maenner") == vocab.normalise("MANNER") == "men"
    assert vocab.normalise("Mannheimer") is None


def test_label_of_an_unknown_key_is_the_key(categories):
    assert categories.label("nonexistent", "de") == "nonexistent"


# -- meaning before letters: the words of real lists (OSM tags, Integreat, coordinators) --------

@pytest.mark.parametrize("word, key", [
    # health care is what the built-in "doctor" category is about
    ("Krankenhaus", "doctor"), ("Klinikum", "doctor"), ("hospital", "doctor"), ("Gesundheit", "doctor"),
    ("Rathaus", "authority"), ("townhall", "authority"), ("Agentur für Arbeit", "authority"),
    ("Jugendzentrum", "meeting_place"), ("community_centre", "meeting_place"), ("Mehrgenerationenhaus", "meeting_place"),
    ("Beratungsstelle", "counselling"), ("Sporthalle", "sports"),
])
def test_synonyms_that_mean_a_builtin_category_are_accepted(categories, word, key):
    resolution = categories.resolve(word)
    assert (resolution.key, resolution.how) == (key, "vocabulary")


@pytest.mark.parametrize("word, concept, first, never", [
    ("Religionsgemeinschaft", "religious_community", "meeting_place", "counselling"),
    ("place_of_worship", "religious_community", "meeting_place", "counselling"),
    ("Bibliothek", "library", "meeting_place", "sports"),
    ("Stadtbibliothek Hasenbergl", "library", "meeting_place", "sports"),
    ("Soziale Einrichtung", "social_facility", "counselling", "sports"),
    ("social_facility", "social_facility", "counselling", "sports"),
    ("Mobilität", "mobility", "other", "counselling"),
    ("Kultur", "culture", "meeting_place", "counselling"),
    ("Gastronomie", "gastronomy", "meeting_place", "counselling"),
    ("Multimedia", "multimedia", "other", "counselling"),
    ("Freizeit", "leisure", "sports", "counselling"),
    ("Apotheke", "pharmacy", "doctor", "counselling"),
    ("Kita", "childcare", "meeting_place", "counselling"),
])
def test_words_without_a_builtin_category_wait_for_review_with_suggestions_by_meaning(categories, word, concept,
                                                                                       first, never):
    resolution = categories.resolve(word)
    assert resolution.key is None and resolution.how == "unknown"
    assert resolution.concept == concept
    assert resolution.suggestions[0] == Suggestion(first, "meaning")
    assert never not in [s.key for s in resolution.suggestions]


@pytest.mark.parametrize("word", ["Migranten", "Migrant*innen", "Migrantinnen und Migranten", "Zugewanderte",
                                  "Neuzugewanderte", "Menschen mit Migrationshintergrund", "immigrants"])
def test_migrants_are_everyone_on_a_map_for_newcomers(groups, word):
    assert groups.resolve(word).key == "all"


def test_target_group_suggestions_follow_meaning_not_letters(groups):
    # "Migranten" and "Frauen" share letters; "Mädchen" and "Frauen" share meaning.
    assert "women" not in groups.suggest("Migrantenn")
    assert groups.resolve("Mädchen").suggestions[0] == Suggestion("women", "meaning")
    assert groups.resolve("Schüler*innen").concept == "pupils"


def test_letters_are_the_fallback_for_typos_only(categories):
    assert categories.resolve("Berattung").suggestions == (Suggestion("counselling", "letters"),)
    assert categories.resolve("Religionsgemeinschaft").suggestions[0].why == "meaning"
    # a compound is read by its head: a "...beratungsstelle" is counselling
    assert categories.resolve("Migrationsberatungsstelle").suggestions[0] == Suggestion("counselling", "meaning")


def test_a_towns_own_category_takes_the_synonyms_of_its_concept():
    vocab = categories_from_config({
        "library": {"de": "Bibliothek", "en": "Library", "icon": "book", "labels": {"uk": "Бібліотека"}},
        "religious_community": {"de": "Religionsgemeinschaft", "en": "Religious community"},
        "health": {"de": "Gesundheit", "en": "Health"},
    })
    assert vocab.normalise("Stadtbücherei") == "library"
    assert vocab.normalise("library") == "library"
    assert vocab.normalise("Moschee") == "religious_community"
    assert vocab.normalise("place_of_worship") == "religious_community"
    # the town's "health" takes health care away from the built-in doctor
    assert vocab.normalise("Krankenhaus") == "health"
    assert vocab.normalise("Hausarzt") == "doctor"
    term = vocab.terms["library"]
    assert (term.icon, term.label("uk"), term.label("de"), term.label("en")) == ("book", "Бібліотека", "Bibliothek",
                                                                                 "Library")


def test_remembered_mappings_come_first_and_are_validated():
    vocab = categories_from_config()
    remembered = map_value(None, "category", "Religionsgemeinschaft", "meeting_place", vocab)
    assert remembered == {"category": {"religionsgemeinschaft": "meeting_place"}}
    resolution = vocab.resolve("  RELIGIONSGEMEINSCHAFT ", remembered["category"])
    assert (resolution.key, resolution.how) == ("meeting_place", "remembered")
    # a person's mapping overrides the built-in meaning, and mapping to "" means "no value"
    remembered = map_value(remembered, "category", "Gesundheit", "other", vocab)
    assert vocab.resolve("Gesundheit", remembered["category"]).key == "other"
    assert map_value(None, "target_group", "divers", "")["target_group"] == {"divers": ""}
    with pytest.raises(ValueError, match="allowed: counselling"):
        map_value(None, "category", "Bibliothek", "library", vocab)
    with pytest.raises(ValueError, match="unknown vocabulary"):
        map_value(None, "categories", "Bibliothek", "other")
    # a remembered key the vocabulary no longer has is ignored, not trusted
    assert vocab.resolve("Bibliothek", {"bibliothek": "library"}).how == "unknown"
