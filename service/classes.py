"""The class hierarchy (``rdfs:subClassOf``), read with a plain pattern and closed in Python.

Queries ask "is this node an organization / a partnership" by joining with the set of classes
below one class (``VALUES ?type { … }``) rather than with the property path
``?type rdfs:subClassOf* ag:Organization``: some servers evaluate that path wrongly depending on
the query plan (Virtuoso 7.2 misses classes with two superclasses), and the hierarchy is a few
dozen triples that change only with the ontology. It is read once per version of the store.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable

from pyoxigraph import NamedNode

from service.namespaces import RDFS
from service.store.port import Store, solutions

_CACHE: weakref.WeakKeyDictionary[Store, tuple[int, ClassHierarchy]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


class ClassHierarchy:
    """Subclass links between named classes, with their reflexive-transitive closure."""

    def __init__(self, links: Iterable[tuple[str, str]]) -> None:
        self._children: dict[str, set[str]] = {}
        self._parents: dict[str, set[str]] = {}
        for sub, sup in links:
            self._children.setdefault(sup, set()).add(sub)
            self._parents.setdefault(sub, set()).add(sup)

    @staticmethod
    def _closure(start: str, edges: dict[str, set[str]]) -> frozenset[str]:
        seen = {start}
        frontier = [start]
        while frontier:
            for following in edges.get(frontier.pop(), ()):
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
        return frozenset(seen)

    def below(self, iri: str) -> frozenset[str]:
        """The class and every class under it (what ``rdfs:subClassOf*`` reaches upwards)."""
        return self._closure(iri, self._children)

    def above(self, iri: str) -> frozenset[str]:
        """The class and every class over it."""
        return self._closure(iri, self._parents)


def hierarchy(store: Store) -> ClassHierarchy:
    """The store's class hierarchy, read again only when the store has changed."""
    generation = store.generation
    with _LOCK:
        known = _CACHE.get(store)
        if known is not None and known[0] == generation:
            return known[1]
    rows = solutions(store.query(f"SELECT ?sub ?super WHERE {{ ?sub <{RDFS}subClassOf> ?super }}"))
    found = ClassHierarchy(
        (row["sub"].value, row["super"].value)
        for row in rows
        if isinstance(row["sub"], NamedNode) and isinstance(row["super"], NamedNode)
    )
    with _LOCK:
        _CACHE[store] = (generation, found)
    return found


def values(variable: str, classes: Iterable[str]) -> str:
    """``VALUES ?variable { <c1> <c2> … }`` (terms written by pyoxigraph)."""
    return f"VALUES ?{variable} {{ {' '.join(str(NamedNode(c)) for c in sorted(classes))} }}"


def below(store: Store, iri: str, variable: str) -> str:
    """``VALUES ?variable { … }`` with ``iri`` and every class under it in ``store``."""
    return values(variable, hierarchy(store).below(iri))
