"""Test entries, dummy contacts, doubled town names and archive markers.

Real lists carry the leftovers of their tools: the Munich newcomer-app file has
``https://test.poi`` on 132 offers, ``+123456789`` on 93, a town written "MünchenMünchen"
and 8 archived entries. None of that may reach a public map unremarked:

- a row that is a test entry (name "Test", "Dummy", "xxx", "asdf", lorem ipsum) or is
  marked archived/inactive is kept but waits for review, unpublished;
- a dummy phone number, e-mail or web address is left empty with a warning (a fake
  number on a public map sends people nowhere);
- a doubled or misspelt town name is warned about with the likely spelling.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

import pandas as pd
from rapidfuzz import fuzz

from geo.collect import Collector
from geo.text import fold

_TEST_NAMES = re.compile(
    r"^(?:test(?:eintrag|angebot|offer|entry|poi|\s*\d*)?|dummy(?:\s*\d*)?|x{2,}|y{3,}|z{3,}|a+s+d+f*\w*|qwer\w*|"
    r"lorem ipsum.*|beispiel(?:angebot|eintrag)?|example|sample|muster(?:angebot)?|todo|tbd|tba|n\s*/?\s*a|"
    r"name|neu|new|[?.\-_*#]+)$")
_LOREM = re.compile(r"\blorem ipsum\b|\bdolor sit amet\b")
# Hosts whose first label says "placeholder" (test.poi, dummy.de). example.org/.com are the
# documentation domains (RFC 2606) fictional data such as our demo uses: only flagged with a
# placeholder mailbox ("example@example.org").
_PLACEHOLDER_LABELS = {"test", "dummy", "beispiel", "muster", "sample", "foo", "localhost"}
# Reserved top-level domains (RFC 2606/6761), plus "poi": not a top-level domain, but
# the Integreat CMS's test data puts it on 132 offers.
_RESERVED_TLDS = {"test", "invalid", "example", "localhost", "local", "poi", "lan", "internal"}
_REAL_SITES = {"test.de"}  # Stiftung Warentest
_DUMMY_MAIL_LOCAL = {"test", "example", "dummy", "max.mustermann", "mustermann", "muster", "foo", "noreply", "xxx"}
_ARCHIVE_WORDS = {"archiviert", "archived", "inaktiv", "inactive", "geschlossen", "closed", "geloscht", "deleted",
                  "veraltet", "outdated", "eingestellt", "beendet", "abgelaufen", "expired", "nicht mehr aktiv"}
_TRUE = {"true", "ja", "yes", "x", "1", "wahr", "j", "y"}
_FALSE = {"false", "nein", "no", "0", "falsch", "n"}
# Cells are compared folded; fold the word lists the same way ("true" must meet fold("TRUE")).
_ARCHIVE_WORDS, _TRUE, _FALSE = ({fold(w) for w in words} for words in (_ARCHIVE_WORDS, _TRUE, _FALSE))


def is_test_name(name: str) -> bool:
    """Whether an offer's name is a placeholder ("Test", "Dummy 2", "xxx", "asdf", "Lorem ipsum ...")."""
    return bool(_TEST_NAMES.match(fold(name).strip(" .!"))) or bool(_LOREM.search(fold(name)))


def is_dummy_phone(phone: str) -> bool:
    """+123456789, 0000, 01234 567890, 111111: numbers nobody answers."""
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return False
    if len(set(digits)) == 1 and len(digits) >= 3:
        return True
    if len(digits) >= 6 and (digits in "012345678901234567890" or digits in "98765432109876543210"):
        return True
    return len(digits) >= 6 and digits.lstrip("0") in ("1234567890", "123456789", "1234567")


def is_dummy_email(email: str) -> bool:
    local, _, domain = email.lower().rpartition("@")
    if not domain:
        return False
    labels = domain.split(".")
    return (labels[-1] in _RESERVED_TLDS or labels[0] in _PLACEHOLDER_LABELS and domain not in _REAL_SITES
            or local in _DUMMY_MAIL_LOCAL and labels[0] in _PLACEHOLDER_LABELS | {"example"})


def is_dummy_website(url: str) -> bool:
    host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower().removeprefix("www.")
    if not host or host in _REAL_SITES:
        return False
    labels = host.split(".")
    return labels[-1] in _RESERVED_TLDS or labels[0] in _PLACEHOLDER_LABELS


def check_placeholders(out: pd.DataFrame, col: Collector) -> None:
    """Flag test entries, clear dummy contacts and warn about odd town names, in ``out`` (the records)."""
    for pos, (name, description) in enumerate(zip(out["name"].tolist(), out["description"].tolist())):
        if name and is_test_name(name):
            col.add(pos, "name", name, "looks like a test entry: kept unpublished for review",
                    "delete the row, or give the offer its real name", severity="review")
        elif _LOREM.search(fold(description)):
            col.add(pos, "description", description[:80], "placeholder text (lorem ipsum): kept unpublished for review",
                    "write the real description", severity="review")
    for column, test, what in (("phone", is_dummy_phone, "a dummy phone number"),
                               ("email", is_dummy_email, "a placeholder e-mail address"),
                               ("website", is_dummy_website, "a placeholder web address")):
        if column not in out:
            continue
        verdict = {v: test(v) for v in dict.fromkeys(out[column].tolist()) if v}
        values = out[column].tolist()
        for pos, value in enumerate(values):
            if value and verdict[value]:
                col.add(pos, column, value, f"{what}; left empty (it would send people nowhere)", severity="warning")
                values[pos] = ""
        out[column] = values
    _check_towns(out["city"].tolist(), col)


def _check_towns(cities: list[str], col: Collector) -> None:
    counts = Counter(c for c in cities if c)
    if not counts:
        return
    common, n = counts.most_common(1)[0]
    dominant = common if n * 2 >= sum(counts.values()) else ""
    verdict: dict[str, str] = {}
    for city in counts:
        key = fold(city).replace(" ", "")
        doubled = re.fullmatch(r"(.{3,}?)\1+", key)
        if doubled:
            verdict[city] = f"the town name is written twice; did you mean {_spelling(doubled.group(1), counts)!r}?"
        elif dominant and city != dominant and counts[city] * 10 <= counts[dominant] and \
                fuzz.ratio(key, fold(dominant).replace(" ", "")) >= 85:
            verdict[city] = f"probably a misspelling of {dominant!r} (the town of {counts[dominant]} other rows)"
    for pos, city in enumerate(cities):
        if city in verdict:
            col.add(pos, "city", city, verdict[city], "correct the town name; it is used to locate the offer",
                    severity="warning")


def _spelling(folded: str, counts: Counter) -> str:
    for city in counts:
        if fold(city).replace(" ", "") == folded:
            return city
    return folded.title()


def check_archived(extras: pd.DataFrame, col: Collector) -> None:
    """Rows an "archiviert"/"inaktiv"/"Status" column marks as archived are reviewed, not published."""
    for name, archived_when in (("archived", _TRUE | _ARCHIVE_WORDS), ("active", _FALSE | _ARCHIVE_WORDS)):
        if name not in extras:
            continue
        header = col.raw.mapping.header_of(name) or name
        for pos, value in enumerate(extras[name].fillna("").astype(str).tolist()):
            if value and fold(value).strip(" .") in archived_when:
                col.add(pos, header, value, "marked as archived/inactive in the list: imported unpublished",
                        "publish it again once the offer is confirmed", severity="review")
