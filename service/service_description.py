"""The SPARQL 1.1 Service Description of the endpoint (https://www.w3.org/TR/sparql11-service-description/)."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from service.namespaces import RDF, XSD
from service.query_runner import GRAPH_FORMATS, SOLUTION_FORMATS
from service.store.port import Store

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"

_FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/rdf+xml": "RDF_XML",
    "application/ld+json": "JSON-LD",
    "application/n-quads": "N-Quads",
    "application/trig": "TriG",
}


def _sd(local: str) -> NamedNode:
    return NamedNode(SD + local)


def service_description(
    endpoint: str, store: Store, *, read_only: bool, named_graphs: list[NamedNode]
) -> list[Triple]:
    """The description of the endpoint at ``endpoint``, with its default dataset."""
    service = BlankNode()
    dataset = BlankNode()
    default_graph = BlankNode()
    rdf_type = NamedNode(RDF + "type")
    triples = [
        Triple(service, rdf_type, _sd("Service")),
        Triple(service, _sd("endpoint"), NamedNode(endpoint)),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        Triple(service, _sd("feature"), _sd("BasicFederatedQuery")),
        Triple(
            service,
            _sd("defaultEntailmentRegime"),
            NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        Triple(service, _sd("defaultDataset"), dataset),
        Triple(dataset, rdf_type, _sd("Dataset")),
        Triple(dataset, _sd("defaultGraph"), default_graph),
        Triple(default_graph, rdf_type, _sd("Graph")),
        Triple(
            default_graph,
            NamedNode(VOID + "triples"),
            Literal(str(store.count()), datatype=NamedNode(XSD + "integer")),
        ),
    ]
    if not read_only:
        triples.append(Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    for media in {*SOLUTION_FORMATS, *GRAPH_FORMATS}:
        if media in _FORMAT_IRIS:
            triples.append(
                Triple(service, _sd("resultFormat"), NamedNode(FORMATS + _FORMAT_IRIS[media]))
            )
    for graph in named_graphs:
        node, description = BlankNode(), BlankNode()
        triples += [
            Triple(dataset, _sd("namedGraph"), node),
            Triple(node, rdf_type, _sd("NamedGraph")),
            Triple(node, _sd("name"), graph),
            Triple(node, _sd("graph"), description),
            Triple(description, rdf_type, _sd("Graph")),
        ]
    return triples
