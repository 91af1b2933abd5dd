"""geo.vocab: categories and target groups in the words coordinators actually write."""

from __future__ import annotations

import pytest

from geo.schema import CATEGORY_KEYS_BUILTIN
from geo.vocab import categories_from_config, fold, target_groups_from_config


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
    # a built-in alias keeps its built-in meaning ("rechtsberatung" was already counselling)
    assert vocab.normalise("Rechtsberatung") == "counselling"


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
