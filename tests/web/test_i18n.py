"""UI languages: catalogues complete and in step with the sources, German fallback, RTL, vocabulary labels."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import webmap
from webmap import i18n

WEBMAP = Path(webmap.__file__).resolve().parent
UI_LANGUAGES = ("de", "en", "ar", "uk", "ru", "tr", "fa", "prs")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def source_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every translatable string in webmap's Python code and templates."""
    found = set()
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    for _filename, _lineno, message, _comments, context in extract_from_dir(str(WEBMAP), method_map):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        found.add((context, msgid))
    return found


def catalogue(lang: str):
    with open(i18n.po_path(lang), "rb") as fh:
        return read_po(fh, locale=i18n.catalogue_folder(lang))


def test_template_is_up_to_date_with_the_sources():
    with open(i18n.TRANSLATIONS_DIR / "messages.pot", "rb") as fh:
        pot = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(fh) if m.id}
    missing = source_messages() - pot
    assert not missing, f"run pybabel extract (docs/ui.md): messages.pot lacks {sorted(missing, key=str)}"


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_every_catalogue_translates_every_message(lang):
    """A gap here shows as German on the page; translators see it here first."""
    cat = catalogue(lang)
    translated = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id)
                  for m in cat if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = source_messages() - translated
    assert not missing, f"{i18n.po_path(lang)} has no translation for {sorted(missing, key=str)}"


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_translations_keep_their_placeholders(lang):
    cat = catalogue(lang)
    for message in cat:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            got = set(PLACEHOLDER.findall(string))
            # Arabic's forms for 0, 1 and 2 may spell the number out instead of %(num)d.
            assert got <= wanted and (got == wanted or wanted == {"num"}), (lang, message.id, string)


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_plural_forms_match_the_language(lang):
    cat = catalogue(lang)
    for message in cat:
        if isinstance(message.id, tuple):
            assert len(message.string) == cat.num_plurals, (lang, message.id)


def test_vocabulary_msgids_list_every_builtin_label():
    from geo.vocab import categories_from_config, target_groups_from_config

    source = (WEBMAP / "i18n.py").read_text()
    listed = set(re.findall(r'pgettext\("(category|target group)", "([^"]+)"\)', source))
    wanted = {("category", t.en) for t in categories_from_config().terms.values()}
    wanted |= {("target group", t.en) for t in target_groups_from_config().terms.values()}
    assert listed == wanted


def test_missing_translation_falls_back_to_german_never_to_a_key(demo_app, tmp_path, monkeypatch):
    folder = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS_DIR, folder)
    po = folder / "tr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    # Blank the Turkish "Skip to content" and a category label.
    text = text.replace('msgstr "İçeriğe geç"', 'msgstr ""')
    text = text.replace('msgstr "Doktor"', 'msgstr ""')
    po.write_text(text, encoding="utf-8")
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", folder)
    html = demo_app.test_client().get("/?ui=tr").data.decode()
    assert "Zum Inhalt springen" in html
    assert "Skip to content" not in html
    assert "Arzt/Ärztin" in html
    assert "Teklifleri filtrele" in html  # everything else stays Turkish


def test_missing_catalogue_falls_back_to_german(demo_app, tmp_path, monkeypatch):
    folder = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS_DIR, folder)
    shutil.rmtree(folder / "uk")
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", folder)
    html = demo_app.test_client().get("/?ui=uk").data.decode()
    assert '<html lang="uk" dir="ltr">' in html
    assert "Angebote filtern" in html


@pytest.mark.parametrize("lang, direction, html_lang, sample", [
    ("de", "ltr", "de", "Angebote filtern"),
    ("en", "ltr", "en", "Filter offers"),
    ("ar", "rtl", "ar", "تصفية العروض"),
    ("uk", "ltr", "uk", "Фільтрувати пропозиції"),
    ("ru", "ltr", "ru", "Фильтр предложений"),
    ("tr", "ltr", "tr", "Teklifleri filtrele"),
    ("fa", "rtl", "fa", "فیلتر کردن خدمات"),
    ("prs", "rtl", "fa-AF", "فلتر کردن خدمات"),
])
def test_each_ui_language_renders(demo_client, lang, direction, html_lang, sample):
    html = demo_client.get(f"/?ui={lang}").data.decode()
    assert f'<html lang="{html_lang}" dir="{direction}">' in html
    assert sample in html


def test_language_comes_from_accept_language_then_german(demo_client):
    assert 'lang="uk"' in demo_client.get("/", headers={"Accept-Language": "uk,en;q=0.5"}).data.decode()[:200]
    assert 'lang="de"' in demo_client.get("/", headers={"Accept-Language": "ja"}).data.decode()[:200]
    assert 'lang="de"' in demo_client.get("/").data.decode()[:200]
    assert 'lang="ar"' in demo_client.get("/?ui=ar", headers={"Accept-Language": "uk"}).data.decode()[:200]


@pytest.mark.parametrize("lang, label", [
    ("de", "Arzt/Ärztin"), ("en", "Doctor"), ("ar", "طبيب/طبيبة"), ("uk", "Лікар/лікарка"),
    ("ru", "Врач"), ("tr", "Doktor"), ("fa", "پزشک"), ("prs", "داکتر"),
])
def test_category_labels_are_translated(demo_app, lang, label):
    with demo_app.test_request_context(f"/?ui={lang}"):
        from webmap.state import current_data

        assert i18n.vocabulary_label(current_data().categories, "doctor", lang) == label


def test_town_labels_fall_back_to_their_configured_german_and_english(tmp_path):
    from conftest import make_settings
    from webmap import create_app

    settings = make_settings(tmp_path, vocabulary={"categories": {
        "legal_advice": {"de": "Rechtsberatung", "en": "Legal advice"},
        "doctor": {"de": "Praxis", "en": "Practice"},
    }})
    app = create_app(settings, TESTING=True)
    for lang, legal, doctor in (("de", "Rechtsberatung", "Praxis"), ("en", "Legal advice", "Practice"),
                                ("ar", "Rechtsberatung", "Praxis")):
        with app.test_request_context(f"/?ui={lang}"):
            from webmap.state import current_data

            vocab = current_data().categories
            assert i18n.vocabulary_label(vocab, "legal_advice", lang) == legal
            assert i18n.vocabulary_label(vocab, "doctor", lang) == doctor
            assert i18n.vocabulary_label(vocab, "counselling", lang) != "Counselling" or lang == "en"


def test_times_are_the_towns_wall_clock(demo_app):
    from datetime import datetime, timezone

    from flask_babel import format_datetime

    with demo_app.test_request_context("/?ui=en"):
        assert format_datetime(datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc), "HH:mm") == "09:00"
