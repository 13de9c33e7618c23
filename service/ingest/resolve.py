"""Entity resolution: a name in a source to the organization the store already knows, or a new one.

The alias index holds every label and alternative label of every organization in the store, in
every language, under its normalised key (``service.ingest.names``). A name resolves when its key
belongs to exactly one organization; a key shared by several is ambiguous and resolves to none
(the caller mints nothing and reports it), because a wrong merge is worse than a missing one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import NamedNode

from service.classes import below
from service.ingest.names import normalize_name
from service.iri import DEFAULT_BASE, organization_iri
from service.namespaces import AG, sparql_prefixes
from service.store.port import Store, solutions

_NON_LATIN = re.compile(r"[\u3040-\u30ff\u3130-\u318f\uac00-\ud7a3\u4e00-\u9fff]")
_NAMES = (
    sparql_prefixes("ag", "rdfs", "skos")
    + """
SELECT DISTINCT ?org ?name WHERE {
  ?org rdfs:label|skos:altLabel ?name .
  FILTER EXISTS { ?org a ?type . ORGANIZATION_TYPES }
}"""
)


@dataclass(frozen=True)
class Resolution:
    """What a name resolved to: one organization, none, or several (ambiguous)."""

    name: str
    matches: frozenset[str]

    @property
    def iri(self) -> NamedNode | None:
        return NamedNode(next(iter(self.matches))) if len(self.matches) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.matches) > 1


class AliasIndex:
    """Normalised organization names to the IRIs that carry them."""

    def __init__(self) -> None:
        self._iris: dict[str, set[str]] = {}
        self._names: set[str] = set()
        self.version = 0  # bumped when names are added, so derived caches know to rebuild

    @classmethod
    def from_store(cls, store: Store) -> AliasIndex:
        """Every organization name the store holds, in any graph and language."""
        index = cls()
        types = below(store, AG + "Organization", "type")
        for row in solutions(store.query(_NAMES.replace("ORGANIZATION_TYPES", types))):
            index.add(row["org"].value, [row["name"].value])
        return index

    def add(self, iri: str, names: Iterable[str]) -> None:
        for name in names:
            key = normalize_name(name)
            if key and name not in self._names:
                self._iris.setdefault(key, set()).add(iri)
                self._names.add(name)
                self.version += 1
            elif key:
                self._iris.setdefault(key, set()).add(iri)

    def merge(self, other: AliasIndex) -> None:
        """Take in every name of another index."""
        for key, iris in other._iris.items():
            self._iris.setdefault(key, set()).update(iris)
        if other._names - self._names:
            self.version += 1
        self._names |= other._names

    def names(self) -> frozenset[str]:
        """Every name the index was given, as written (what an extractor looks for)."""
        return frozenset(self._names)

    def resolve(self, name: str) -> Resolution:
        """The organizations a name denotes.

        >>> index = AliasIndex()
        >>> index.add("urn:samsung", ["Samsung Electronics", "삼성전자"])
        >>> index.resolve("SAMSUNG ELECTRONICS Co., Ltd.").iri
        <NamedNode value=urn:samsung>
        >>> index.resolve("삼성전자㈜").iri
        <NamedNode value=urn:samsung>
        >>> index.resolve("Samsung SDI").matches
        frozenset()
        """
        return Resolution(name, frozenset(self._iris.get(normalize_name(name), ())))

    def __len__(self) -> int:
        return len(self._iris)


def mint_organization(names: Iterable[str], base: str = DEFAULT_BASE) -> NamedNode:
    """The IRI for an organization the store does not know yet (DESIGN.md: slug of the English
    name). A name with no Latin letters gets ``org/x-{hash}`` from its normalised key, so the
    same unknown Korean name always mints the same IRI.

    >>> mint_organization(["에이비씨전자", "ABC Electronics"]).value
    'https://w3id.org/alliancegraph/id/org/abc-electronics'
    >>> mint_organization(["에이비씨전자"]).value.startswith(
    ...     "https://w3id.org/alliancegraph/id/org/x-")
    True
    >>> mint_organization(["LG전자"]).value.startswith("https://w3id.org/alliancegraph/id/org/x-")
    True

    :raises ValueError: without any name.
    """
    names = [n for n in names if n.strip()]
    if not names:
        raise ValueError("an organization needs a name")
    for name in names:
        # Only a name written wholly in Latin script is an English name: "LG전자" must not
        # become org/lg, which is another firm.
        if _NON_LATIN.search(name) is None:
            try:
                return NamedNode(organization_iri(name, base))
            except ValueError:
                continue
    digest = hashlib.sha256(normalize_name(names[0]).encode("utf-8")).hexdigest()[:12]
    return NamedNode(f"{base}org/x-{digest}")
