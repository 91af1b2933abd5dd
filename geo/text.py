"""One folding of names and addresses, so that every comparison agrees on what is "the same".

Vocabulary words, column headers, district and offer names, search text, streets and
towns are all compared through :func:`fold`. German is written three ways on keyboards
without umlauts: "Müller", "Mueller" and "Muller" (and "Straße" / "Strasse"). All of them
must meet, whichever way the list and the search are written, so umlauts fold to their
base letter and an "ae", "oe", "ue" that stands for one does too.

"ae/oe/ue" is read as an umlaut only where it can be one: not after a vowel (the "eu" of
"Feuer" and "neue", the "au" of "Bauer", "Aue") and not in "qu" ("Quelle"). A few other
words lose an "e" as well ("Michael" -> "michal", "Manuel" -> "manul"); both sides of every
comparison fold alike, so "Michael" still finds "Michael" and nothing that means another
offer, street or term, which is what matters here.

Keys stored in files (the offline gazetteer, the geocoding cache) are built with this
fold; :data:`FOLD_VERSION` changes whenever what it matches changes, so that such files
are rebuilt or asked again instead of silently matching nothing.
"""

from __future__ import annotations

import re
import unicodedata

#: Changes whenever :func:`fold` changes what it matches (1 was "ä" -> "ae" in geocoding, "a" elsewhere).
FOLD_VERSION = 2

_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2212]")
# "ae", "oe", "ue" written for ä, ö, ü: not after a vowel ("Feuer", "Bauer") nor in "qu" ("Quelle").
_UMLAUT_SPELLING = re.compile(r"(?<![aeiouyq])([aou])e")


def fold(text: str) -> str:
    """The form of ``text`` used to decide whether two spellings mean the same.

    Lower case (``casefold``: "ß" becomes "ss"), compatibility forms unified (full-width
    letters, ligatures), accents and umlauts dropped ("é" -> "e", "ü" -> "u"), umlauts
    spelt with e dropped too ("ue" -> "u" in "Mueller"), dashes unified to "-", "_" and
    runs of white space made one space.

    >>> fold("Müller") == fold("Mueller") == fold("MULLER") == "muller"
    True
    >>> fold("Große Straße") == fold("Grosse Strasse")
    True
    >>> fold("Feuerwache"), fold("Quellenweg")
    ('feuerwache', 'quellenweg')
    """
    t = str(text).casefold()
    if not t.isascii():  # most cells are plain ASCII: skip the slow part (the search folds millions)
        t = unicodedata.normalize("NFKD", t)
        t = "".join(c for c in t if not unicodedata.combining(c))
        t = _DASHES.sub("-", t)
    t = _UMLAUT_SPELLING.sub(r"\1", t)
    return " ".join(t.replace("_", " ").split())
