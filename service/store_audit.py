"""Whole-store validation (``alliancegraph validate``).

Each named graph is validated as the gate validated it when it was written (on its own, with the
ontology and its cross-graph context), so memory follows the largest graph, not the store. Rules
that span graphs also run as SPARQL over the union, to catch what a bulk load let in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.classes import below
from service.ingest.gate import validate_candidate
from service.namespaces import AG, SHAPES, GraphNames, sparql_prefixes
from service.store.port import Store, solutions
from service.validation import Severity, ShapesGraph, ValidationReport, ValidationResult

_PREFIXES = sparql_prefixes("ag", "rdfs", "skos") + "\n"


@dataclass(frozen=True)
class CrossGraphRule:
    """A rule over the union of graphs: a SELECT whose rows are violations (?focus, ?value).
    ``ORGANIZATION_TYPES`` in it stands for ``VALUES ?type { … }`` with every class of
    organization (see :mod:`service.classes`)."""

    name: str
    message: str
    path: str
    select: str


CROSS_GRAPH_RULES = (
    CrossGraphRule(
        "UniqueLabelAcrossGraphs",
        "Across all graphs this organization has more than one rdfs:label in one language; "
        "sources must repeat the registry's label and put other names in skos:altLabel.",
        "http://www.w3.org/2000/01/rdf-schema#label",
        _PREFIXES
        + """SELECT ?focus (SAMPLE(lang(?label)) AS ?value) WHERE {
            ?focus a ?type ; rdfs:label ?label . ORGANIZATION_TYPES
        } GROUP BY ?focus (lang(?label)) HAVING (COUNT(DISTINCT ?label) > 1)""",
    ),
    CrossGraphRule(
        "OneOrganizationPerWikidataItem",
        "Two or more organizations are linked to the same Wikidata item; they are one firm to "
        "merge, or one link is wrong.",
        "http://www.w3.org/2004/02/skos/core#exactMatch",
        _PREFIXES
        + """SELECT ?focus ?value WHERE {
            { SELECT ?value WHERE {
                ?org skos:exactMatch ?value ; a ?type . ORGANIZATION_TYPES
              } GROUP BY ?value HAVING (COUNT(DISTINCT ?org) > 1) }
            ?focus skos:exactMatch ?value .
        }""",
    ),
    CrossGraphRule(
        "SubsidiaryNoCycleAcrossGraphs",
        "Across all graphs, ag:subsidiaryOf links lead from this organization back to itself.",
        "https://w3id.org/alliancegraph/ontology#subsidiaryOf",
        _PREFIXES
        + """SELECT DISTINCT ?focus ?value WHERE {
            ?focus ag:subsidiaryOf ?value . ?value ag:subsidiaryOf* ?focus .
        }""",
    ),
)


def validate_store(
    store: Store,
    shapes: ShapesGraph,
    graphs: GraphNames,
    on_graph: Callable[[str], None] | None = None,
) -> ValidationReport:
    """Validate every named graph, then the rules that span graphs."""
    report = ValidationReport()
    for graph in store.named_graphs():
        if graph == graphs.derived:
            continue  # maintained by the service from validated relationships
        if on_graph is not None:
            on_graph(graph.value)
        triples = [quad.triple for quad in store.quads(graph)]
        if graph == graphs.ontology:
            report.extend(shapes.validate(triples, graph=graph.value))
        else:
            report.extend(
                validate_candidate(
                    store, shapes, graph, {graph: triples}, self_contained=graphs.is_source(graph)
                )
            )
    for rule in CROSS_GRAPH_RULES:
        organizations = below(store, AG + "Organization", "type")
        for row in solutions(store.query(rule.select.replace("ORGANIZATION_TYPES", organizations))):
            value = row["value"]
            report.results.append(
                ValidationResult(
                    severity=Severity.VIOLATION,
                    focus_node=row["focus"].value,
                    message=rule.message,
                    constraint=SHAPES + rule.name,
                    path=rule.path,
                    value=str(value) if value is not None else None,
                    shape=SHAPES + rule.name,
                )
            )
    return report
