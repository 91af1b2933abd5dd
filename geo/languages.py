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
_NAME_OVERRIDES = {"prs": {"de": "Dari", "en": "Dari"}, "kmr": {"de": "Kurmandschi"}}
# Words German offices write for languages that CLDR lacks or that langcodes would resolve
# wrongly ("DGS" is Deutsche Gebärdensprache, not Dogoso's ISO code "dgs").
_WORD_ALIASES = {"romanes": "rom", "kurmandschi": "kmr", "dgs": "gsg", "gebärdensprache": "gsg",
                 "deutsche gebärdensprache": "gsg",
                 **{name.casefold(): code for code, name in _NATIVE_OVERRIDES.items()}}

# A parenthesis refines a macrolanguage only to one of its members ("Kurdisch (Kurmanji)"
# is Kurmanji); anything else in parentheses is a note ("Arabisch (Syrisch)" is Arabic with
# the note "Syrisch", not Syriac). Memberships from ISO 639-3's macrolanguage table.
_MACRO_MEMBERS = {"ku": {"kmr", "ckb", "sdh", "lki"}, "fa": {"prs", "pes"}, "ms": {"zsm", "ind"},
                  "no": {"nb", "nn"}, "sq": {"aln", "als"}, "zh": {"cmn", "yue", "wuu", "hak", "nan"}}

# The note may hold parentheses itself ("ar (nur (nach Absprache))", as our exports write it).
_NOTE_RE = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<inner>.*)\)\s*$")


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


def resolve_language(text: str) -> str:
    """The stored code for a language name or code.

    Raises
    ------
    UnknownLanguage
        With up to three close suggestions (as codes) when nothing matches.
    """
    value = " ".join(text.split())
    code = _lookup(value) if value else None
    if code is None:
        raise UnknownLanguage(text, suggest_languages(value) if value else [])
    return code


@lru_cache(maxsize=8192)
def _lookup(value: str) -> str | None:
    """resolve_language without the suggestions; None when unknown. Cached, misses too:
    an import asks about the same few hundred words (and notes in parentheses) over and over."""
    if value.casefold() in _WORD_ALIASES:
        return _WORD_ALIASES[value.casefold()]
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
        found = langcodes.find(value)
    except LookupError:
        return None
    code = _store_code(found)
    if code not in _known_codes() and not _is_exact_name(value, found):
        # langcodes also accepts text that merely starts with some language's name
        # ("keine" -> "Kein", a language of Papua New Guinea; "Klingonx" -> Klingon).
        # That guess is only trusted for languages with CLDR names of their own.
        return None
    return code


def _is_exact_name(value: str, lang: langcodes.Language) -> bool:
    """Whether value is one of the language's names (in any language) or the start of one
    ("Mandarin" of "Mandarin Chinese"), rather than a longer word that starts with a name."""
    from language_data.names import code_to_names, normalize_name

    wanted = normalize_name(value)
    return any(normalize_name(name).startswith(wanted) for name in code_to_names(lang.to_tag()).values())


def parse_language_entry(text: str) -> LanguageEntry:
    """One cell item like "Arabisch (donnerstags)", "Kurdisch (Kurmanji)" or "Arabisch: donnerstags".

    A parenthesis that names a language refines the language ("Kurdisch (Kurmanji)"
    is Kurmanji, "Persisch (Dari)" is Dari); any other parenthesis is a note. A note
    may hold parentheses itself ("Arabisch: nur (nach Absprache)", which our exports
    write as "ar (nur (nach Absprache))").
    """
    text = " ".join(text.split())
    for sep in _NOTE_SEPARATORS:
        name, found, note = text.partition(sep)
        if found and "(" not in name:
            code = _lookup(name.strip())
            if code is not None:
                return LanguageEntry(code, note.strip())
    match = _NOTE_RE.match(text)
    if match and _balanced(match.group("inner")):
        name, inner = match.group("name"), match.group("inner").strip()
        outer = resolve_language(name)
        refined = _lookup(inner) if inner else None
        if refined is None:
            return LanguageEntry(outer, inner)
        if refined == outer:
            return LanguageEntry(outer)
        if refined in _MACRO_MEMBERS.get(outer, ()):
            return LanguageEntry(refined)
        return LanguageEntry(outer, inner)
    for sep in _NOTE_SEPARATORS:
        name, found, note = text.partition(sep)
        if found and "(" in name:  # "Kurdisch (Kurmanji): montags"
            try:
                entry = parse_language_entry(name)
            except UnknownLanguage:
                break
            return LanguageEntry(entry.code, "; ".join(n for n in (entry.note, note.strip()) if n))
    return LanguageEntry(resolve_language(text))


_NOTE_SEPARATORS = (": ", " - ", " – ")


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


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
    return list(_suggest(value, n))


@lru_cache(maxsize=1024)
def _suggest(value: str, n: int) -> tuple[str, ...]:
    index = _name_index()
    found: list[str] = []
    for name in difflib.get_close_matches(value.casefold(), list(index), n=n * 3, cutoff=0.6):
        if index[name] not in found:
            found.append(index[name])
    return tuple(found[:n])


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
