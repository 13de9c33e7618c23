"""Loading RDF documents of every supported syntax through the gate."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from service.context import ServiceContext
from service.errors import MissingGraphError, RdfSyntaxError, UnsupportedMediaType
from service.ingest.rdf_load import load_file

GRAPH = NamedNode("https://w3id.org/alliancegraph/graph/source/test")
FIRM_TTL = """@prefix ag: <https://w3id.org/alliancegraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/alliancegraph/id/org/alpha> a ag:Firm ; rdfs:label "Alpha"@en , "알파"@ko .
"""
DOCUMENTS = {
    "firm.ttl": FIRM_TTL,
    "firm.nt": (
        "<https://w3id.org/alliancegraph/id/org/alpha> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/alliancegraph/ontology#Firm> .\n"
        "<https://w3id.org/alliancegraph/id/org/alpha> <http://www.w3.org/2000/01/rdf-schema#label>"
        ' "Alpha"@en .\n'
    ),
    "firm.jsonld": """{"@context": {"ag": "https://w3id.org/alliancegraph/ontology#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
        "@id": "https://w3id.org/alliancegraph/id/org/alpha", "@type": "ag:Firm",
        "rdfs:label": [{"@value": "Alpha", "@language": "en"}]}""",
    "firm.rdf": """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://w3id.org/alliancegraph/id/org/alpha">
    <rdf:type rdf:resource="https://w3id.org/alliancegraph/ontology#Firm"/>
    <rdfs:label xml:lang="en">Alpha</rdfs:label>
  </rdf:Description>
</rdf:RDF>""",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_rdf_syntax_loads_into_the_given_graph(
    context: ServiceContext, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(DOCUMENTS[name], encoding="utf-8")
    result = load_file(context.store, context.shapes, path, context.graphs, graph=GRAPH)
    assert result.graphs == {GRAPH.value: context.store.count(GRAPH)}
    assert context.store.count(GRAPH) >= 2


def test_a_syntax_error_names_file_line_and_column(context: ServiceContext, tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(FIRM_TTL + '<urn:a> <urn:b> "unterminated .\n', encoding="utf-8")
    with pytest.raises(RdfSyntaxError) as failure:
        load_file(context.store, context.shapes, path, context.graphs, graph=GRAPH)
    assert failure.value.line == 4
    assert failure.value.column is not None
    assert str(path) in str(failure.value)
    assert GRAPH not in context.store.named_graphs()


def test_an_unknown_extension_is_unsupported(context: ServiceContext, tmp_path: Path) -> None:
    path = tmp_path / "firm.txt"
    path.write_text(FIRM_TTL)
    with pytest.raises(UnsupportedMediaType):
        load_file(context.store, context.shapes, path, context.graphs, graph=GRAPH)


def test_triples_without_a_graph_need_one(context: ServiceContext, tmp_path: Path) -> None:
    path = tmp_path / "firm.ttl"
    path.write_text(FIRM_TTL)
    with pytest.raises(MissingGraphError):
        load_file(context.store, context.shapes, path, context.graphs)
