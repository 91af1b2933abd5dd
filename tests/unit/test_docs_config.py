"""Every configuration key is documented: each key of geo/defaults.toml appears as `key` in
docs/configuration.md under the heading of its section ("### [section]"), and the page documents
no key that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.settings import _OPEN_SECTIONS, default_values

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
HEADING = re.compile(r"^#{1,6}\s*\[(?P<section>[\w.]+)\]\s*$", re.M)


def config_keys(values: dict, prefix: tuple = ()) -> list[tuple[str, str]]:
    """(section, key) for every key, nested tables included; the contents of open tables
    (a town's own origin groups and categories) are data, not keys."""
    keys = []
    for key, value in values.items():
        here = prefix + (key,)
        if isinstance(value, dict) and here not in _OPEN_SECTIONS:
            keys += config_keys(value, here)
        elif prefix:
            keys.append((".".join(prefix), key))
    return keys


def sections(text: str) -> dict[str, str]:
    """The text under each "[section]" heading, up to the next heading of any level."""
    found = {}
    matches = list(HEADING.finditer(text))
    for match, following in zip(matches, matches[1:] + [None]):
        start = match.end()
        rest = text[start:following.start() if following else len(text)]
        rest = re.split(r"^#{1,6}\s", rest, maxsplit=1, flags=re.M)[0]
        found[match.group("section")] = found.get(match.group("section"), "") + rest
    return found


def documented_in(section: str, key: str, docs: dict[str, str]) -> bool:
    """`key` in its own section, or `key` / `section.key` in a parent section's text
    (a table like [planning.origin_languages] may be described in [planning])."""
    pattern = re.compile(rf"`{re.escape(key)}`")
    if section in docs and pattern.search(docs[section]):
        return True
    parts = section.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:cut])
        qualified = ".".join(parts[cut:] + [key])
        if parent in docs and re.search(rf"`(\[?{re.escape(qualified)}\]?|{re.escape(key)})`", docs[parent]):
            return True
    return False


KEYS = config_keys(default_values())


@pytest.fixture(scope="module")
def docs() -> dict[str, str]:
    assert DOC.exists(), f"{DOC} is missing: every configuration key must be documented there"
    return sections(DOC.read_text(encoding="utf-8"))


def test_defaults_have_keys_to_document():
    assert len(KEYS) > 30
    assert ("area", "bbox") in KEYS and ("planning", "origin_languages") in KEYS
    assert ("vocabulary", "categories") in KEYS


@pytest.mark.parametrize("section, key", KEYS, ids=[f"{s}.{k}" for s, k in KEYS])
def test_every_key_is_documented_under_its_section(docs, section, key):
    assert documented_in(section, key, docs), (
        f"[{section}] {key} is not documented: add a row with `{key}` under a heading '### [{section}]' "
        f"in {DOC.relative_to(DOC.parents[1])}")


def test_every_section_has_a_heading(docs):
    top = {section.split(".")[0] for section, _ in KEYS}
    missing = sorted(top - set(docs))
    assert not missing, f"no '### [section]' heading for {missing} in docs/configuration.md"


def test_documented_keys_exist(docs):
    """The first column of each table row names a real key (no stale or misspelled ones)."""
    known = {}
    for section, key in KEYS:
        known.setdefault(section.split(".")[0], set()).add(key)
        known.setdefault(section, set()).add(key)
    stale = []
    for section, text in docs.items():
        for row in re.finditer(r"^\|\s*`(?P<key>[^`]+)`\s*\|", text, re.M):
            key = row.group("key").strip("[]").split(".")[-1]
            if key not in known.get(section, set()) and key not in known.get(section.split(".")[0], set()):
                stale.append(f"[{section}] {row.group('key')}")
    assert not stale, f"documented but not in geo/defaults.toml: {stale}"


# -- the walker itself must not go blind -----------------------------------------------------------

def test_walker_finds_nested_keys_and_skips_open_tables():
    values = {"a": {"x": 1, "sub": {"y": 2}}, "planning": {"origin_languages": {"Syrien": ["ar"]}, "z": 3}}
    assert config_keys(values) == [("a", "x"), ("a.sub", "y"), ("planning", "origin_languages"), ("planning", "z")]


def test_section_parser_and_lookup():
    text = "# Title\n\n### [area]\n\n| `name` | x |\n\n### [planning]\n| `origin_languages` | y |\n## Other\n`bbox`\n"
    docs = sections(text)
    assert documented_in("area", "name", docs)
    assert not documented_in("area", "bbox", docs)  # mentioned, but under another heading
    assert documented_in("planning.origin_languages", "Syrien", {"planning": "`origin_languages.Syrien`"})
