"""Web addresses as HSDS wants them (URIs, RFC 3986) and back as people write them (IRIs).

Offers keep web addresses as written ("https://bücherei.de/übersicht"); HSDS's ``uri`` format
allows ASCII only. The host is written in IDNA 2008 form (the ``idna`` package: "straße.de"
stays Straße, xn--strae-oqa.de, where Python's own IDNA 2003 codec would send people to
strasse.de) and other non-ASCII characters %-escaped as UTF-8. Import undoes exactly that, so
an address comes back as it was written; escapes of ASCII characters (%20, %2F) stay escapes.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_to_bytes, urlsplit, urlunsplit

import idna

# Characters a URI may hold as they are (RFC 3986 reserved and unreserved, and escapes).
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"
_HIGH_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def to_uri(iri: str) -> str:
    """"https://bücherei.de/ä" -> "https://xn--bcherei-m2a.de/%C3%A4"; ASCII addresses unchanged."""
    if not iri or iri.isascii() and " " not in iri:
        return iri
    parts = urlsplit(iri)
    netloc = parts.netloc
    host = parts.hostname or ""
    if host and not host.isascii():
        try:
            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            ascii_host = quote(host, safe="")
        netloc = re.sub(re.escape(host), ascii_host, netloc, count=1, flags=re.IGNORECASE)
    return urlunsplit((parts.scheme, quote(netloc, safe=_URI_SAFE), quote(parts.path, safe=_URI_SAFE),
                       quote(parts.query, safe=_URI_SAFE), quote(parts.fragment, safe=_URI_SAFE)))


def to_iri(uri: str) -> str:
    """The inverse of :func:`to_uri`: IDNA hosts and escaped UTF-8 letters back as letters."""
    if not uri or ("xn--" not in uri.lower() and not _HIGH_ESCAPES.search(uri)):
        return uri
    parts = urlsplit(uri)
    netloc = parts.netloc
    host = parts.hostname or ""
    if "xn--" in host:
        try:
            netloc = netloc.replace(host, idna.decode(host))
        except idna.IDNAError:
            pass
    return urlunsplit((parts.scheme, netloc, *(_letters(p) for p in (parts.path, parts.query, parts.fragment))))


def _letters(text: str) -> str:
    def decode(match: re.Match) -> str:
        try:
            return unquote_to_bytes(match.group(0)).decode("utf-8")
        except UnicodeDecodeError:
            return match.group(0)
    return _HIGH_ESCAPES.sub(decode, text)
