"""UI language: ``?ui=xx``, else the browser's Accept-Language, else the configured default.

Message catalogues are the ``.po`` files in webmap/translations/<folder>/LC_MESSAGES/
(one per UI language; source strings are English msgids, German is a catalogue
like the others). They are read and compiled in memory when first needed and
again whenever a file changes, so there is no compile step and no ``.mo`` file
to keep in sync: a translator edits the ``.po`` file and reloads the page.

Every catalogue falls back to German (the fallback UI language), and German
to the English msgid: a string missing from the Turkish catalogue shows in
German, never as a key. Dari has no CLDR locale of its own ("prs"); Babel
formats it as Persian-in-Afghanistan (fa_AF), which is also its catalogue
folder. See docs/ui.md for the translation workflow.
"""

from __future__ import annotations

import gettext
import threading
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, Domain, pgettext

from webmap.state import current_data

BABEL_LOCALE = {"prs": "fa_AF"}
RTL = {"ar", "fa", "prs", "ps", "ckb", "he", "ur"}
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
# Untranslated strings show in this language (then as the English msgid).
FALLBACK_LANGUAGE = "de"
DOMAIN = "messages"


def ui_languages() -> list[str]:
    return list(current_data().settings.ui.languages)


def ui_lang() -> str:
    """The UI language code of this request (one of [ui] languages)."""
    if "ui_lang" in g:
        return g.ui_lang
    allowed = ui_languages()
    wanted = request.args.get("ui", "")
    if wanted in allowed:
        lang = wanted
    else:
        lang = request.accept_languages.best_match(allowed) or current_data().settings.ui.default_language
        if lang not in allowed:
            lang = allowed[0]
    g.ui_lang = lang
    return lang


def text_direction(lang: str | None = None) -> str:
    return "rtl" if (lang or ui_lang()) in RTL else "ltr"


def catalogue_folder(lang: str) -> str:
    """Folder name of a UI language's catalogue ("prs" -> "fa_AF")."""
    return BABEL_LOCALE.get(lang, lang)


def po_path(lang: str) -> Path:
    return TRANSLATIONS_DIR / catalogue_folder(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"


class _Catalogues:
    """Compiled catalogues, rebuilt when a .po file changes (checked by mtime)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._compiled: dict[str, tuple[float, Translations | None]] = {}  # by .po path
        self._chains: dict[tuple, gettext.NullTranslations] = {}

    def _mtime(self, lang: str) -> float:
        try:
            return po_path(lang).stat().st_mtime
        except OSError:
            return -1.0

    def compiled(self, lang: str) -> Translations | None:
        """One language's catalogue on its own (no fallback), or None when it has no .po file."""
        path = po_path(lang)
        mtime = self._mtime(lang)
        hit = self._compiled.get(str(path))
        if hit is not None and hit[0] == mtime:
            return hit[1]
        translations = compile_po(path, catalogue_folder(lang)) if mtime >= 0 else None
        with self._lock:
            self._compiled[str(path)] = (mtime, translations)
        return translations

    def chain(self, lang: str) -> gettext.NullTranslations:
        """``lang``'s catalogue falling back to German, then to the msgid."""
        order = list(dict.fromkeys([lang, FALLBACK_LANGUAGE]))
        key = tuple((str(po_path(code)), self._mtime(code)) for code in order)
        hit = self._chains.get(key)
        if hit is not None:
            return hit
        head: gettext.NullTranslations | None = None
        for code in order:
            # Fresh objects: add_fallback mutates, and a catalogue sits in several chains.
            compiled = self.compiled(code)
            if compiled is None:
                continue
            link = Translations(fp=BytesIO(compiled._mo_bytes), domain=DOMAIN)
            if head is None:
                head = link
            else:
                head.add_fallback(link)
        result = head or NullTranslations()
        with self._lock:
            self._chains[key] = result
        return result


def compile_po(path: Path, locale: str) -> Translations:
    """Read a .po file and compile it in memory (fuzzy entries are left out, as gettext does)."""
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    data = buffer.getvalue()
    translations = Translations(fp=BytesIO(data), domain=DOMAIN)
    translations._mo_bytes = data
    return translations


CATALOGUES = _Catalogues()


def translations_for(lang: str) -> gettext.NullTranslations:
    """The gettext translations of UI language ``lang`` with the German fallback chained in."""
    return CATALOGUES.chain(lang)


class CatalogueDomain(Domain):
    """Flask-Babel domain answering from :data:`CATALOGUES` for the request's UI language."""

    def get_translations(self):
        if not has_request_context():
            return NullTranslations()
        # Once per request: the .po files' mtimes are checked then, not for every string.
        if "ui_translations" not in g:
            g.ui_translations = translations_for(ui_lang())
        return g.ui_translations


def vocabulary_label(vocab, key: str, lang: str) -> str:
    """A category's or target group's label in the UI language.

    Built-in terms are translated by the catalogues (message context
    "category" / "target group", msgid = the built-in English label). A term a
    town added or relabelled in [vocabulary] shows its own configured label:
    English for ``en``, German for every other language (the fallback).
    """
    term = vocab.terms.get(key)
    if term is None:
        return key
    builtin = _builtin_terms(vocab.kind).get(key)
    relabelled = builtin is None or (term.de, term.en) != (builtin.de, builtin.en)
    if relabelled:
        return term.en if lang == "en" else term.de
    context = "category" if vocab.kind == "category" else "target group"
    return pgettext(context, term.en)


def _builtin_terms(kind: str) -> dict:
    from geo.vocab import categories_from_config, target_groups_from_config

    cache = _BUILTIN.get(kind)
    if cache is None:
        cache = _BUILTIN[kind] = (categories_from_config() if kind == "category" else target_groups_from_config()).terms
    return cache


_BUILTIN: dict[str, dict] = {}


def _vocabulary_msgids() -> list[str]:
    """Never called: lists the built-in vocabulary labels so `pybabel extract` finds them.

    tests/test_i18n.py checks this list against geo.vocab.
    """
    return [
        pgettext("category", "Counselling"),
        pgettext("category", "Language course"),
        pgettext("category", "Meeting place"),
        pgettext("category", "Sports"),
        pgettext("category", "Doctor"),
        pgettext("category", "Authority"),
        pgettext("category", "Other"),
        pgettext("target group", "Everyone"),
        pgettext("target group", "Refugees"),
        pgettext("target group", "Asylum seekers"),
        pgettext("target group", "Tolerated persons (Duldung)"),
        pgettext("target group", "Unaccompanied minors"),
        pgettext("target group", "International students"),
        pgettext("target group", "EU citizens"),
        pgettext("target group", "Late repatriates"),
        pgettext("target group", "Women"),
        pgettext("target group", "Families"),
        pgettext("target group", "Children"),
        pgettext("target group", "Young people"),
        pgettext("target group", "Older people"),
        pgettext("target group", "Job seekers"),
    ]


def _babel_locale() -> str:
    return catalogue_folder(ui_lang())


def _timezone() -> str:
    # Times ("opens at 09:00") are the town's wall-clock times, whoever looks at them.
    return current_data().settings.area.timezone


def init_app(app: Flask) -> None:
    babel = Babel(app, locale_selector=_babel_locale, timezone_selector=_timezone,
                  default_translation_directories=str(TRANSLATIONS_DIR))
    babel.domain_instance = CatalogueDomain()

    @app.context_processor
    def _inject():
        lang = ui_lang()
        return {"ui_lang": lang, "text_dir": text_direction(lang), "ui_languages": ui_languages()}
