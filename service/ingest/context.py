"""The context a candidate graph is validated with: what other graphs say about its nodes.

A source graph is self-contained (DESIGN.md), but some rules span graphs: one label per
language, one organization per Wikidata item, no subsidiary cycles, disjoint classes. The gate
checks them at write time by adding to the candidate, for its own nodes only, the facts other
graphs hold about them: their labels, types and Wikidata links, the other organizations linked
to the same Wikidata items, and the ``ag:subsidiaryOf`` edges connected to them. Graphs that the
same write replaces are read from the write, not from the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyoxigraph import NamedNode, Triple

from service.namespaces import AG, AG_ONTOLOGY, DOMAIN, RDF, RDFS, SKOS, WD
from service.store.port import GraphName, Store, solutions

EXACT_MATCH = NamedNode(SKOS + "exactMatch")
SUBSIDIARY_OF = NamedNode(AG + "subsidiaryOf")
TYPE = NamedNode(RDF + "type")
LABEL = NamedNode(RDFS + "label")
VOCABULARY = (AG_ONTOLOGY, DOMAIN)
_OWN_FACTS = (EXACT_MATCH, TYPE, LABEL)


def _not_in(replaced: Sequence[GraphName]) -> str:
    named = [str(g) for g in replaced if isinstance(g, NamedNode)]
    # GRAPH ?g ranges over named graphs only, so the default graph needs no filter.
    return f"FILTER (?g NOT IN ({', '.join(named)}))" if named else ""


def _edges(
    store: Store, predicate: NamedNode, pattern: str, replaced: Sequence[GraphName]
) -> list[Triple]:
    """``?a predicate ?b`` triples that ``pattern`` finds outside the replaced graphs."""
    rows = store.query(f"SELECT DISTINCT ?a ?b WHERE {{ {pattern} {_not_in(replaced)} }}")
    return [Triple(row["a"], predicate, row["b"]) for row in solutions(rows)]


def _values(nodes: set[NamedNode]) -> str:
    return " ".join(str(n) for n in sorted(nodes, key=lambda n: n.value))


def cross_graph_context(
    store: Store,
    graph: GraphName,
    candidates: Mapping[GraphName, Sequence[Triple]],
    *,
    self_contained: bool,
) -> list[Triple]:
    """The facts from outside ``graph`` that its validation needs.

    :param candidates: every graph of the write, ``graph`` included.
    :param self_contained: whether the candidate must type what it references itself (a
        source graph); if not, the types other graphs give to referenced nodes are added.
    """
    triples = candidates[graph]
    replaced = list(candidates)
    subjects = {t.subject for t in triples if isinstance(t.subject, NamedNode)}
    items = {
        t.object
        for t in triples
        if t.predicate == EXACT_MATCH
        and isinstance(t.object, NamedNode)
        and t.object.value.startswith(WD)
    }
    context: list[Triple] = []
    if subjects:
        values = _values(subjects)
        for predicate in _OWN_FACTS:
            context += _edges(
                store,
                predicate,
                f"VALUES ?a {{ {values} }} GRAPH ?g {{ ?a {predicate} ?b }}",
                replaced,
            )
        context += _edges(
            store,
            SUBSIDIARY_OF,
            f"VALUES ?n {{ {values} }} ?n ({SUBSIDIARY_OF}|^{SUBSIDIARY_OF})* ?a . "
            f"GRAPH ?g {{ ?a {SUBSIDIARY_OF} ?b }}",
            replaced,
        )
    if items:
        context += _edges(
            store,
            EXACT_MATCH,
            f"VALUES ?b {{ {_values(items)} }} GRAPH ?g {{ ?a {EXACT_MATCH} ?b }}",
            replaced,
        )
    for other, other_triples in candidates.items():
        if other != graph:
            context += [
                t
                for t in other_triples
                if t.predicate in (EXACT_MATCH, SUBSIDIARY_OF)
                or (t.predicate in _OWN_FACTS and t.subject in subjects)
            ]
    # Nodes the context brings in are typed from the store; nodes the candidate itself
    # references are too, unless it must type them itself (a source graph).
    referenced = {t.object for t in context if isinstance(t.object, NamedNode)}
    referenced |= {t.subject for t in context if isinstance(t.subject, NamedNode)}
    if not self_contained:
        referenced |= {t.object for t in triples if isinstance(t.object, NamedNode)}
    referenced -= subjects
    context += _types_of(store, referenced, replaced)
    context += [
        t
        for other, other_triples in candidates.items()
        if other != graph
        for t in other_triples
        if t.predicate == TYPE and t.subject in referenced
    ]
    return context


def _types_of(store: Store, nodes: set[NamedNode], replaced: Sequence[GraphName]) -> list[Triple]:
    """The types other graphs give to referenced nodes, so class constraints can see them."""
    named = {n for n in nodes if not n.value.startswith(VOCABULARY)}
    if not named:
        return []
    return _edges(
        store, TYPE, f"VALUES ?a {{ {_values(named)} }} GRAPH ?g {{ ?a {TYPE} ?b }}", replaced
    )
