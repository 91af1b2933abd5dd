"""Language codes: what people write in spreadsheets -> ISO 639 codes, and back to names.

Stored codes are ISO 639-1 where one exists, else ISO 639-3 (prs Dari, kmr
Kurmanji, ckb Sorani). Names in any language CLDR knows ("Arabisch", "Arabic",
"العربية", "Farsi", "Persisch") are resolved with langcodes; we only add the few
rules where CLDR's view differs from how German integration work names languages.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

import langcodes

# CLDR models Dari as Persian-in-Afghanistan; integration offices (and ISO 639-3)
# treat it as its own language "prs", which is what newcomers filter by.
_TAG_ALIASES = {"fa-AF": "prs"}
# Names CLDR does not carry for the codes we store.
_NATIVE_OVERRIDES = {"prs": "دری", "kmr": "Kurmancî", "ckb": "کوردی (سۆرانی)"}
_NAME_OVERRIDES = {"prs": {"de": "Dari", "en": "Dari"}}

# A parenthesis refines a macrolanguage only to one of its members ("Kurdisch (Kurmanji)"
# is Kurmanji); anything else in parentheses is a note ("Arabisch (Syrisch)" is Arabic with
# the note "Syrisch", not Syriac). Memberships from ISO 639-3's macrolanguage table.
_MACRO_MEMBERS = {"ku": {"kmr", "ckb", "sdh", "lki"}, "fa": {"prs", "pes"}, "ms": {"zsm", "ind"},
                  "no": {"nb", "nn"}, "sq": {"aln", "als"}, "zh": {"cmn", "yue", "wuu", "hak", "nan"}}

_NOTE_RE = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<inner>[^()]*)\)\s*$")


@dataclass(frozen=True)
class LanguageEntry:
    """One language of an offer, with an optional note such as "Thursdays only"."""

    code: str
    note: str = ""


class UnknownLanguage(ValueError):
    """A language name or code that could not be resolved; carries suggestions."""

    def __init__(self, value: str, suggestions: list[str]):
        self.value = value
        self.suggestions = suggestions
        super().__init__(f"unknown language {value!r}")


def _store_code(lang: langcodes.Language) -> str:
    tag = lang.to_tag()
    if tag in _TAG_ALIASES:
        return _TAG_ALIASES[tag]
    if lang.language and lang.territory and f"{lang.language}-{lang.territory}" in _TAG_ALIASES:
        return _TAG_ALIASES[f"{lang.language}-{lang.territory}"]
    return lang.language or tag


@lru_cache(maxsize=4096)
def resolve_language(text: str) -> str:
    """The stored code for a language name or code.

    Raises
    ------
    UnknownLanguage
        With up to three close suggestions (as codes) when nothing matches.
    """
    value = " ".join(text.split())
    if not value:
        raise UnknownLanguage(text, [])
    candidate = value.replace("_", "-")
    if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", candidate):
        try:
            tag = langcodes.standardize_tag(candidate)
            if tag in _TAG_ALIASES:
                return _TAG_ALIASES[tag]
            lang = langcodes.Language.get(tag)
            if lang.language and langcodes.tag_is_valid(lang.language) and lang.is_valid():
                if lang.language in _known_codes() or len(lang.language) == 3:
                    return _store_code(lang)
        except (ValueError, LookupError):
            pass
    try:
        return _store_code(langcodes.find(value))
    except LookupError:
        raise UnknownLanguage(text, suggest_languages(value)) from None


def parse_language_entry(text: str) -> LanguageEntry:
    """One cell item like "Arabisch (donnerstags)" or "Kurdisch (Kurmanji)".

    A parenthesis that names a language refines the language ("Kurdisch (Kurmanji)"
    is Kurmanji, "Persisch (Dari)" is Dari); any other parenthesis is a note.
    """
    text = " ".join(text.split())
    match = _NOTE_RE.match(text)
    if match:
        name, inner = match.group("name"), match.group("inner").strip()
        outer = resolve_language(name)
        try:
            refined = resolve_language(inner)
        except UnknownLanguage:
            return LanguageEntry(outer, inner)
        if refined == outer:
            return LanguageEntry(outer)
        if refined in _MACRO_MEMBERS.get(outer, ()):
            return LanguageEntry(refined)
        return LanguageEntry(outer, inner)
    for sep in (": ", " - ", " – "):
        if sep in text:
            name, note = text.split(sep, 1)
            try:
                return LanguageEntry(resolve_language(name), note.strip())
            except UnknownLanguage:
                break
    return LanguageEntry(resolve_language(text))


@lru_cache(maxsize=1)
def _known_codes() -> frozenset[str]:
    codes = set()
    for a in "abcdefghijklmnopqrstuvwxyz":
        for b in "abcdefghijklmnopqrstuvwxyz":
            code = a + b
            if langcodes.tag_is_valid(code) and langcodes.Language.get(code).has_name_data():
                codes.add(code)
    codes.update(_NATIVE_OVERRIDES)
    return frozenset(codes)


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code in sorted(_known_codes()):
        for lang in ("de", "en"):
            index.setdefault(language_name(code, lang).casefold(), code)
        index.setdefault(native_name(code).casefold(), code)
    return index


def suggest_languages(value: str, n: int = 3) -> list[str]:
    """Up to n language codes whose German, English or native names are closest."""
    index = _name_index()
    found: list[str] = []
    for name in difflib.get_close_matches(value.casefold(), list(index), n=n * 3, cutoff=0.6):
        if index[name] not in found:
            found.append(index[name])
    return found[:n]


@lru_cache(maxsize=2048)
def language_name(code: str, ui_lang: str = "de") -> str:
    """The language's name in the UI language ("ar", "de" -> "Arabisch")."""
    if code in _NAME_OVERRIDES and ui_lang in _NAME_OVERRIDES[code]:
        return _NAME_OVERRIDES[code][ui_lang]
    if code == "prs" and ui_lang in ("fa", "prs"):
        return "دری"
    try:
        name = langcodes.Language.get(code).display_name(_display_locale(ui_lang))
    except (ValueError, LookupError):
        return code
    return name


@lru_cache(maxsize=1024)
def native_name(code: str) -> str:
    """The language's own name for itself ("ar" -> "العربية", "uk" -> "українська")."""
    if code in _NATIVE_OVERRIDES:
        return _NATIVE_OVERRIDES[code]
    try:
        name = langcodes.Language.get(code).autonym()
    except (ValueError, LookupError):
        return code
    # CLDR writes autonyms lowercase for some languages; a list label reads better capitalised.
    return name[:1].upper() + name[1:] if name else code


def _display_locale(ui_lang: str) -> str:
    return "fa-AF" if ui_lang == "prs" else ui_lang
