"""UI language: ``?ui=xx``, else the browser's Accept-Language, else the configured default.

Flask-Babel message catalogues live in webmap/translations. Dari has no CLDR
locale of its own ("prs"); Babel formats it as Persian-in-Afghanistan (fa_AF),
which is also the catalogue folder name.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel

from webmap.state import current_data

BABEL_LOCALE = {"prs": "fa_AF"}
RTL = {"ar", "fa", "prs", "ps", "ckb", "he", "ur"}


def ui_languages() -> list[str]:
    return list(current_data().settings.get("ui", "languages"))


def ui_lang() -> str:
    """The UI language code of this request (one of [ui] languages)."""
    if "ui_lang" in g:
        return g.ui_lang
    allowed = ui_languages()
    wanted = request.args.get("ui", "")
    if wanted in allowed:
        lang = wanted
    else:
        lang = request.accept_languages.best_match(allowed) or current_data().settings.get("ui", "default_language")
        if lang not in allowed:
            lang = allowed[0]
    g.ui_lang = lang
    return lang


def text_direction(lang: str | None = None) -> str:
    return "rtl" if (lang or ui_lang()) in RTL else "ltr"


def _babel_locale() -> str:
    lang = ui_lang()
    return BABEL_LOCALE.get(lang, lang)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=_babel_locale, default_translation_directories="translations")

    @app.context_processor
    def _inject():
        lang = ui_lang()
        return {"ui_lang": lang, "text_dir": text_direction(lang), "ui_languages": ui_languages()}
