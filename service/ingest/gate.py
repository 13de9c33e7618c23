"""The validation gate that every write path goes through (DESIGN.md, "Writes").

Each candidate graph is validated on its own, with the ontology and the context it needs from
the rest of the store, and all candidates of one write are committed in one atomic step, or none
is. The context is small and fetched for the candidate's own nodes only: the Wikidata links of
its subjects and of any other organization linked to the same items, and the ``ag:subsidiaryOf``
edges connected to its organizations. That is what lets the shapes catch, at write time, a firm
linked to the item of another firm or a subsidiary cycle closed across two sources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Triple

from service.errors import ManagedGraphError, ValidationFailed
from service.namespaces import AG, AG_ONTOLOGY, DOMAIN, RDF, SHAPES, SKOS, WD, GraphNames
from service.store.port import GraphName, Store, solutions
from service.validation import Severity, ShapesGraph, ValidationReport, ValidationResult

Term = NamedNode | BlankNode | Literal | Triple

_EXACT_MATCH = NamedNode(SKOS + "exactMatch")
_TYPE = NamedNode(RDF + "type")
_SUBSIDIARY_OF = NamedNode(AG + "subsidiaryOf")
_VOCABULARY = (AG_ONTOLOGY, DOMAIN)


def is_managed(graph: GraphName, graphs: GraphNames) -> bool:
    """Whether the service maintains this graph itself (ontology, derived shortcuts)."""
    return graph in (graphs.ontology, graphs.derived)


def check_writable(graph: GraphName, graphs: GraphNames) -> None:
    """Refuse writes to graphs the service maintains (the ontology and the derived shortcuts).

    :raises ManagedGraphError: for the ontology or derived graph.
    """
    if is_managed(graph, graphs):
        raise ManagedGraphError(
            f"<{graph_label(graph)}> is maintained by the service and cannot be written directly"
        )


def commit_graphs(
    store: Store,
    shapes: ShapesGraph,
    candidates: Mapping[GraphName, Sequence[Triple]],
    graphs: GraphNames,
) -> ValidationReport:
    """Validate each candidate graph, then replace all of them atomically and flush.

    :returns: the report (warnings only, since it conforms).
    :raises ManagedGraphError: if a candidate targets a managed graph.
    :raises ValidationFailed: if any candidate has a SHACL violation; the store is unchanged.
    """
    for graph in candidates:
        check_writable(graph, graphs)
    report = ValidationReport()
    for graph, triples in candidates.items():
        report.extend(validate_candidate(store, shapes, triples, graph))
    if not report.conforms:
        raise ValidationFailed(report)
    store.replace_graphs(dict(candidates))
    store.flush()
    return report


def graph_label(graph: GraphName) -> str:
    """How reports name a graph: its IRI, or ``default``."""
    return "default" if isinstance(graph, DefaultGraph) else graph.value


def validate_candidate(
    store: Store, shapes: ShapesGraph, triples: Sequence[Triple], graph: GraphName
) -> ValidationReport:
    """The report for one candidate graph that would replace ``graph``."""
    context = cross_graph_context(store, triples, graph)
    report = shapes.validate(triples, graph=graph_label(graph), context=context)
    report.results.extend(vocabulary_statements(triples, graph))
    return report


def vocabulary_statements(triples: Sequence[Triple], graph: GraphName) -> list[ValidationResult]:
    """Statements a candidate makes about vocabulary terms, which only the ontology may make.

    A source that could add a concept to the technology scheme, or relabel a class, would change
    what every other source means.
    """
    subjects = sorted(
        {
            t.subject.value
            for t in triples
            if isinstance(t.subject, NamedNode) and t.subject.value.startswith(_VOCABULARY)
        }
    )
    return [
        ValidationResult(
            severity=Severity.VIOLATION,
            focus_node=subject,
            message="Only the ontology may describe vocabulary terms (ag: classes, properties "
            "and the technology-domain concepts); a source can use them, not define them.",
            constraint=SHAPES + "VocabularyIsReadOnly",
            shape=SHAPES + "VocabularyIsReadOnly",
            graph=graph_label(graph),
        )
        for subject in subjects
    ]


def cross_graph_context(store: Store, triples: Sequence[Triple], graph: GraphName) -> list[Triple]:
    """The facts of other graphs that the candidate's validation needs (see module docs)."""
    subjects = {t.subject for t in triples if isinstance(t.subject, NamedNode)}
    items = {
        t.object
        for t in triples
        if t.predicate == _EXACT_MATCH
        and isinstance(t.object, NamedNode)
        and t.object.value.startswith(WD)
    }
    context: list[Triple] = []
    if subjects:
        values = " ".join(str(s) for s in subjects)
        context += _edges(
            store,
            _EXACT_MATCH,
            f"VALUES ?a {{ {values} }} GRAPH ?g {{ ?a {_EXACT_MATCH} ?b }}",
            graph,
        )
        context += _edges(
            store,
            _SUBSIDIARY_OF,
            f"VALUES ?n {{ {values} }} ?n ({_SUBSIDIARY_OF}|^{_SUBSIDIARY_OF})* ?a . "
            f"GRAPH ?g {{ ?a {_SUBSIDIARY_OF} ?b }}",
            graph,
        )
    if items:
        values = " ".join(str(i) for i in items)
        context += _edges(
            store,
            _EXACT_MATCH,
            f"VALUES ?b {{ {values} }} GRAPH ?g {{ ?a {_EXACT_MATCH} ?b }}",
            graph,
        )
    referenced = {t.object for t in (*triples, *context)} - subjects
    return context + _types_of(store, referenced, graph)


def _other_graphs(graph: GraphName) -> str:
    # GRAPH ?g ranges over named graphs only, so the default graph needs no filter.
    return "" if isinstance(graph, DefaultGraph) else f"FILTER (?g != {graph})"


def _edges(store: Store, predicate: NamedNode, pattern: str, graph: GraphName) -> list[Triple]:
    """``?a predicate ?b`` triples that ``pattern`` finds in graphs other than ``graph``."""
    rows = store.query(f"SELECT DISTINCT ?a ?b WHERE {{ {pattern} {_other_graphs(graph)} }}")
    return [Triple(row["a"], predicate, row["b"]) for row in solutions(rows)]


def _types_of(store: Store, nodes: set[Term], graph: GraphName) -> list[Triple]:
    """The types other graphs give to referenced nodes, so class constraints can see them."""
    named = {n for n in nodes if isinstance(n, NamedNode) and not n.value.startswith(_VOCABULARY)}
    if not named:
        return []
    values = " ".join(str(n) for n in named)
    rows = store.query(
        f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?s {{ {values} }} "
        f"GRAPH ?g {{ ?s a ?t }} {_other_graphs(graph)} }}"
    )
    return [Triple(r["s"], _TYPE, r["t"]) for r in solutions(rows)]
