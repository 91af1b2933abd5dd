"""geo.languages: what people write in the Sprachen column -> ISO 639 codes, and back to names."""

from __future__ import annotations

import pytest

from geo.languages import (
    LanguageEntry,
    UnknownLanguage,
    language_name,
    native_name,
    parse_language_entry,
    resolve_language,
    suggest_languages,
)

# The languages German integration work needs most; the stored code is 639-1 when one exists.
COMMON = ["de", "en", "ar", "fa", "prs", "ps", "uk", "ru", "tr", "kmr", "ckb", "ku", "ti", "so", "am",
          "fr", "es", "it", "pl", "ro", "bg", "sq", "sr", "hr", "bs", "vi", "ur", "hi", "zh", "el"]


@pytest.mark.parametrize("text, code", [
    # German, English and native names
    ("Arabisch", "ar"), ("Arabic", "ar"), ("العربية", "ar"),
    ("Farsi", "fa"), ("Persisch", "fa"), ("Persian", "fa"), ("فارسی", "fa"),
    ("Ukrainisch", "uk"), ("Ukrainian", "uk"), ("українська", "uk"),
    ("Russisch", "ru"), ("русский", "ru"), ("Türkisch", "tr"), ("Türkçe", "tr"),
    ("Dari", "prs"), ("Kurmanji", "kmr"), ("Sorani", "ckb"), ("Tigrinya", "ti"), ("Tigrinisch", "ti"),
    ("Paschtu", "ps"), ("Paschto", "ps"), ("Somali", "so"), ("Englisch", "en"), ("Deutsch", "de"),
    # codes, in any case, 639-1, 639-2 and 639-3
    ("ar", "ar"), ("AR", "ar"), ("ara", "ar"), ("deu", "de"), ("ger", "de"), ("de-DE", "de"),
    ("prs", "prs"), ("kmr", "kmr"), ("ckb", "ckb"), ("tir", "ti"), ("fa-AF", "prs"),
    # spacing and case
    ("  arabisch ", "ar"), ("ENGLISCH", "en"), ("Spanish\t", "es"),
    # words CLDR lacks or gets wrong for German offices
    ("Romanes", "rom"), ("Kurmandschi", "kmr"), ("DGS", "gsg"), ("Deutsche Gebärdensprache", "gsg"),
])
def test_names_and_codes_resolve(text, code):
    assert resolve_language(text) == code


@pytest.mark.parametrize("code", ["prs", "kmr", "ckb", "ti"])
def test_codes_the_issue_names_are_stored_as_themselves(code):
    assert resolve_language(code) == code


@pytest.mark.parametrize("code", COMMON)
@pytest.mark.parametrize("form", ["de", "en", "native"])
def test_every_name_we_show_reads_back_as_its_code(code, form):
    name = native_name(code) if form == "native" else language_name(code, form)
    assert name and name != code
    assert resolve_language(name) == code


@pytest.mark.parametrize("text", ["keine", "Klingonx", "Foobar", "Xyzzy", "k.A.", "-", "Sprache"])
def test_unknown_words_are_refused_not_guessed(text):
    # langcodes would turn "keine" into "Kein" (a language of Papua New Guinea) by prefix matching.
    with pytest.raises(UnknownLanguage) as info:
        resolve_language(text)
    assert info.value.value == text
    assert text in str(info.value)


@pytest.mark.parametrize("typo, expected", [("Arabsich", "ar"), ("Ukrainsh", "uk"), ("Deutsh", "de"),
                                            ("Tigrinja", "ti"), ("Kurmandji", "kmr")])
def test_typos_are_refused_with_the_intended_language_among_suggestions(typo, expected):
    try:
        got = resolve_language(typo)
    except UnknownLanguage as exc:
        assert expected in exc.suggestions
        assert len(exc.suggestions) <= 3
    else:  # langcodes' own fuzzy matching may already find the right one; never a wrong one
        assert got == expected


def test_empty_text_is_unknown_without_suggestions():
    with pytest.raises(UnknownLanguage) as info:
        resolve_language("   ")
    assert info.value.suggestions == []


def test_suggestions_are_codes_and_stable():
    first = suggest_languages("Arabsich")
    assert first == suggest_languages("Arabsich")
    assert all(isinstance(c, str) and 2 <= len(c) <= 3 for c in first)
    first.append("xx")  # callers get their own list
    assert "xx" not in suggest_languages("Arabsich")


@pytest.mark.parametrize("text, entry", [
    ("Kurdisch (Kurmanji)", LanguageEntry("kmr")),
    ("Kurdisch (Sorani)", LanguageEntry("ckb")),
    ("Persisch (Dari)", LanguageEntry("prs")),
    ("Farsi (Dari)", LanguageEntry("prs")),
    ("Arabisch (ar)", LanguageEntry("ar")),
    # a parenthesis naming a different language that is not a member is a note, not a switch
    ("Arabisch (Syrisch)", LanguageEntry("ar", "Syrisch")),
    ("Arabisch (mit Dolmetscherin)", LanguageEntry("ar", "mit Dolmetscherin")),
    ("Russisch (auf Anfrage)", LanguageEntry("ru", "auf Anfrage")),
    ("Arabisch: donnerstags", LanguageEntry("ar", "donnerstags")),
    ("Englisch - nur montags", LanguageEntry("en", "nur montags")),
    ("ar (Mo, Di)", LanguageEntry("ar", "Mo, Di")),
    # notes with parentheses of their own, and how our exports write them back
    ("Arabisch: nur (nach Absprache)", LanguageEntry("ar", "nur (nach Absprache)")),
    ("ar (nur (nach Absprache))", LanguageEntry("ar", "nur (nach Absprache)")),
    ("Kurdisch (Kurmanji): montags", LanguageEntry("kmr", "montags")),
    ("Ukrainisch", LanguageEntry("uk")),
])
def test_cell_items_with_notes(text, entry):
    assert parse_language_entry(text) == entry


@pytest.mark.parametrize("text", ["Klingonx (donnerstags)", "Foobar: montags", "Xyzzy"])
def test_cell_items_with_an_unknown_language_raise(text):
    with pytest.raises(UnknownLanguage):
        parse_language_entry(text)


def test_display_names():
    assert language_name("ar", "de") == "Arabisch"
    assert language_name("ar", "en") == "Arabic"
    assert language_name("prs", "de") == "Dari"
    assert language_name("kmr", "de") == "Kurmandschi"  # CLDR has no German name; not "Northern Kurdish"
    assert native_name("ar") == "العربية"
    assert native_name("prs") == "دری"
    assert native_name("uk")[0].isupper()  # CLDR's lowercase autonym is capitalised for lists
    assert isinstance(language_name("qaa", "de"), str)  # a private-use code does not raise
