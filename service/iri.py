"""Minting of instance IRIs (DESIGN.md, "Instance IRIs"). Minted IRIs never change.

Organizations get a readable slug from their English name; relationships get a hash of what
identifies the deal (kind, sorted participants, sorted domains, date at its precision), so the same
deal reported by two sources is one node; sources get a hash of their URL, else of their content.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from service.dates import Precision, format_at_precision

DEFAULT_BASE = "https://w3id.org/alliancegraph/id/"

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """The slug of an English name: ASCII letters and digits joined by hyphens.

    >>> slugify("Samsung Electronics")
    'samsung-electronics'
    >>> slugify("HD Korea Shipbuilding & Offshore Engineering")
    'hd-korea-shipbuilding-and-offshore-engineering'
    >>> slugify("e&")
    'e-and'
    >>> slugify("SoftBank Corp.")
    'softbank-corp'
    >>> slugify("Société Générale")
    'societe-generale'

    :raises ValueError: if nothing of the name survives (no Latin letter or digit).
    """
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = _NON_SLUG.sub("-", ascii_only.lower().replace("&", " and ")).strip("-")
    if not slug:
        raise ValueError(f"no slug can be made from {name!r}: it has no Latin letter or digit")
    return slug


def _digest(text: str, length: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def organization_iri(english_name: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of an organization.

    >>> organization_iri("Meta Platforms")
    'https://w3id.org/alliancegraph/id/org/meta-platforms'
    """
    return f"{base}org/{slugify(english_name)}"


def event_iri(name: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of an event (a trade show, a conference) from its name.

    >>> event_iri("MWC 2024")
    'https://w3id.org/alliancegraph/id/event/mwc-2024'
    >>> event_iri("포시도니아 2024")
    'https://w3id.org/alliancegraph/id/event/x-a371a6f170401d07'
    """
    if name.isascii():
        return f"{base}event/{slugify(name)}"
    return f"{base}event/x-{_digest(unicodedata.normalize('NFKC', name))}"


def person_iri(name: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of a person new to the store: the slug of a name in Latin script, else a hash.

    >>> person_iri("Jane Doe")
    'https://w3id.org/alliancegraph/id/person/jane-doe'
    >>> person_iri("홍길동").startswith("https://w3id.org/alliancegraph/id/person/x-")
    True
    """
    if name.isascii():
        return f"{base}person/{slugify(name)}"
    return f"{base}person/x-{_digest(unicodedata.normalize('NFKC', name))}"


def relationship_key(
    kind: str,
    participants: Iterable[str],
    domains: Iterable[str] = (),
    on: date | None = None,
    precision: Precision | None = None,
) -> str:
    """The canonical text a relationship IRI is hashed from; order of inputs does not matter.

    >>> relationship_key("MemorandumOfUnderstanding", ["urn:b", "urn:a"], ["shipbuilding"],
    ...                  date(2022, 4, 1), Precision.MONTH)
    'MemorandumOfUnderstanding|urn:a urn:b|shipbuilding|2022-04'
    """
    when = format_at_precision(on, precision) if on is not None and precision is not None else ""
    members = " ".join(sorted(set(participants)))
    tags = " ".join(sorted(set(domains)))
    return f"{kind}|{members}|{tags}|{when}"


def relationship_iri(
    kind: str,
    participants: Iterable[str],
    domains: Iterable[str] = (),
    on: date | None = None,
    precision: Precision | None = None,
    base: str = DEFAULT_BASE,
) -> str:
    """The IRI of a relationship: a hash of its :func:`relationship_key`.

    >>> a = relationship_iri("CoDevelopment", ["urn:x", "urn:y"], ["XR"])
    >>> a == relationship_iri("CoDevelopment", ["urn:y", "urn:x"], ["XR"])
    True
    >>> a.startswith("https://w3id.org/alliancegraph/id/rel/")
    True
    """
    return f"{base}rel/{_digest(relationship_key(kind, participants, domains, on, precision))}"


def source_id(url: str | None, content: bytes | None = None) -> str:
    """The id of a source: a hash of its URL, else of its content.

    >>> source_id("https://example.com/a") == source_id("https://example.com/a")
    True
    >>> len(source_id(None, b"text"))
    16

    :raises ValueError: if neither a URL nor content is given.
    """
    if url:
        return _digest("url:" + url)
    if content is not None:
        return _digest("sha256:" + hashlib.sha256(content).hexdigest())
    raise ValueError("a source needs a URL or content to be identified")


def source_iri(identifier: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of a source document (the ``ag:NewsArticle`` node).

    >>> source_iri("ab12")
    'https://w3id.org/alliancegraph/id/source/ab12'
    """
    return f"{base}source/{identifier}"
