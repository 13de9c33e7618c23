"""The validation gate that every write path goes through (DESIGN.md, "Writes").

Each candidate graph is validated on its own, with the ontology and the context it needs from the
rest of the store (``service.ingest.context``), and all candidates of one write are committed in
one atomic step, or none is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyoxigraph import DefaultGraph, NamedNode, Triple

from service.errors import ManagedGraphError, ValidationFailed
from service.ingest.context import TYPE, VOCABULARY, cross_graph_context
from service.ingest.derived import derived_delta
from service.namespaces import AG, OWL, RDFS, SHAPES, SKOS, GraphNames
from service.store.port import GraphName, Store
from service.validation import Severity, ShapesGraph, ValidationReport, ValidationResult

# Statements that define vocabulary rather than describe instances.
_VOCABULARY_PREDICATES = {
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
    RDFS + "domain",
    RDFS + "range",
    OWL + "equivalentClass",
    OWL + "equivalentProperty",
    OWL + "inverseOf",
    SKOS + "inScheme",
    SKOS + "topConceptOf",
    SKOS + "hasTopConcept",
    SKOS + "broader",
    SKOS + "narrower",
}
_VOCABULARY_CLASSES = {
    OWL + "Class",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    RDFS + "Class",
    SKOS + "Concept",
    SKOS + "ConceptScheme",
    AG + "TechnologyDomain",
    AG + "RelationshipStatus",
    AG + "DatePrecision",
}


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
    """Validate each candidate graph, then replace all of them, with the derived shortcuts of
    the organizations they touch, atomically, and flush.

    :returns: the report (warnings only, since it conforms).
    :raises ManagedGraphError: if a candidate targets a managed graph.
    :raises ValidationFailed: if any candidate has a SHACL violation; the store is unchanged.
    """
    for graph in candidates:
        check_writable(graph, graphs)
    report = ValidationReport()
    for graph in candidates:
        report.extend(
            validate_candidate(
                store, shapes, graph, candidates, self_contained=graphs.is_source(graph)
            )
        )
    if not report.conforms:
        raise ValidationFailed(report)
    remove, add = derived_delta(store, candidates, graphs)
    store.replace_graphs(dict(candidates), remove=remove, add=add)
    store.flush()
    return report


def graph_label(graph: GraphName) -> str:
    """How reports name a graph: its IRI, or ``default``."""
    return "default" if isinstance(graph, DefaultGraph) else graph.value


def validate_candidate(
    store: Store,
    shapes: ShapesGraph,
    graph: GraphName,
    candidates: Mapping[GraphName, Sequence[Triple]],
    *,
    self_contained: bool,
) -> ValidationReport:
    """The report for the candidate of ``graph``, one of the graphs a write replaces.

    :param self_contained: whether the graph must type every node it references itself.
    """
    triples = candidates[graph]
    context = cross_graph_context(store, graph, candidates, self_contained=self_contained)
    report = shapes.validate(triples, graph=graph_label(graph), context=context)
    report.results.extend(vocabulary_statements(triples, graph))
    return report


def vocabulary_statements(triples: Sequence[Triple], graph: GraphName) -> list[ValidationResult]:
    """Statements a candidate makes about vocabulary terms, which only the ontology may make.

    A source that could add a concept to the technology scheme, declare a new kind of
    relationship, or relabel a class, would change what every other source means: so no subject
    in the vocabulary's namespaces, and no class, property or scheme statement, about anything.
    """
    subjects = sorted(
        {
            t.subject.value
            for t in triples
            if isinstance(t.subject, NamedNode)
            and (
                t.subject.value.startswith(VOCABULARY)
                or t.predicate.value in _VOCABULARY_PREDICATES
                or (
                    t.predicate == TYPE
                    and isinstance(t.object, NamedNode)
                    and t.object.value in _VOCABULARY_CLASSES
                )
            )
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
