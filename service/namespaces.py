"""IRIs of the public vocabulary (DESIGN.md, "The public vocabulary") and of the named graphs."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import DefaultGraph, NamedNode

AG = "https://w3id.org/alliancegraph/ontology#"
AG_ONTOLOGY = "https://w3id.org/alliancegraph/ontology"
DOMAIN = "https://w3id.org/alliancegraph/domain/"
SHAPES = "https://w3id.org/alliancegraph/shapes#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
SH = "http://www.w3.org/ns/shacl#"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"

#: Prefixes offered to SPARQL users and used when serializing Turtle.
PREFIXES: dict[str, str] = {
    "ag": AG,
    "agd": DOMAIN,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "wd": WD,
    "wdt": WDT,
}


def sparql_prefixes(*names: str) -> str:
    """PREFIX declarations for some of :data:`PREFIXES`.

    >>> sparql_prefixes("ag")
    'PREFIX ag: <https://w3id.org/alliancegraph/ontology#>'
    """
    return "\n".join(f"PREFIX {name}: <{PREFIXES[name]}>" for name in names)


@dataclass(frozen=True)
class GraphNames:
    """The named graphs of the dataset (DESIGN.md, "Named graphs and provenance")."""

    base: str = "https://w3id.org/alliancegraph/graph/"

    @property
    def ontology(self) -> NamedNode:
        return NamedNode(self.base + "ontology")

    @property
    def reference(self) -> NamedNode:
        return NamedNode(self.base + "reference")

    @property
    def wikidata(self) -> NamedNode:
        return NamedNode(self.base + "wikidata")

    @property
    def derived(self) -> NamedNode:
        return NamedNode(self.base + "derived")

    def source(self, source_id: str) -> NamedNode:
        """The graph of one source.

        >>> GraphNames().source("3f2a").value
        'https://w3id.org/alliancegraph/graph/source/3f2a'
        """
        return NamedNode(f"{self.base}source/{source_id}")

    def is_source(self, graph: NamedNode | DefaultGraph) -> bool:
        """Whether the graph is the graph of one source (self-contained by design)."""
        return isinstance(graph, NamedNode) and graph.value.startswith(self.base + "source/")
