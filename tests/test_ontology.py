"""Ontology hygiene: every term labelled in both languages and defined, nothing undeclared."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from pyoxigraph import NamedNode, RdfFormat
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from service.config import PROJECT_ROOT
from service.context import ServiceContext
from service.namespaces import AG, DOMAIN
from service.ontology import OntologyBundle, ensure_ontology
from service.ontology_docs import render_ontology_html
from service.store.embedded import EmbeddedStore

BUNDLE = OntologyBundle.from_dir(PROJECT_ROOT / "ontology")
GRAPH = BUNDLE.rdflib_graph
REQUIRED_DOMAINS = [
    "XR",
    "LLM",
    "PBV",
    "AI-RAN",
    "AI",
    "AI-chip",
    "6G",
    "battery",
    "foundry",
    "HBM",
    "shipbuilding",
    "industrial-metaverse",
    "autonomous-driving",
    "cloud",
]
CONTRACT_CLASSES = [
    "Organization",
    "Firm",
    "BusinessGroup",
    "JointVenture",
    "Alliance",
    "Relationship",
    "Partnership",
    "MemorandumOfUnderstanding",
    "CoDevelopment",
    "SupplyAgreement",
    "JointVentureAgreement",
    "Investment",
    "AllianceMembership",
    "Meeting",
    "Event",
    "Person",
    "NewsArticle",
    "Evidence",
]
CONTRACT_PROPERTIES = [
    "participant",
    "member",
    "alliance",
    "founding",
    "jointVenture",
    "domain",
    "announcedOn",
    "datePrecision",
    "announcedAt",
    "status",
    "subsidiaryOf",
    "country",
    "partnerOf",
    "memberOf",
    "quote",
    "charStart",
    "charEnd",
    "confidence",
]


def _declared_ag_terms() -> set[str]:
    return {
        str(s) for s in GRAPH.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(AG)
    }


def _labels(node: rdflib.URIRef, predicate: rdflib.URIRef) -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for value in GRAPH.objects(node, predicate):
        if isinstance(value, rdflib.Literal):
            counts[value.language] = counts.get(value.language, 0) + 1
    return counts


def test_contract_classes_and_properties_are_declared() -> None:
    for name in CONTRACT_CLASSES:
        assert (rdflib.URIRef(AG + name), RDF.type, OWL.Class) in GRAPH, name
    for name in CONTRACT_PROPERTIES:
        kinds = set(GRAPH.objects(rdflib.URIRef(AG + name), RDF.type))
        assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, name


@pytest.mark.parametrize("term", sorted(_declared_ag_terms()))
def test_every_ag_term_is_labelled_in_english_and_korean_and_defined(term: str) -> None:
    node = rdflib.URIRef(term)
    labels = _labels(node, RDFS.label)
    assert labels.get("en") == 1, f"{term}: needs exactly one rdfs:label@en"
    assert labels.get("ko") == 1, f"{term}: needs exactly one rdfs:label@ko"
    assert _labels(node, SKOS.definition).get("en") == 1, f"{term}: needs skos:definition@en"


def test_relationship_kinds_are_subclasses_of_relationship() -> None:
    closure = set(GRAPH.transitive_subjects(RDFS.subClassOf, rdflib.URIRef(AG + "Relationship")))
    kinds = CONTRACT_CLASSES[
        CONTRACT_CLASSES.index("Partnership") : CONTRACT_CLASSES.index("Event")
    ]
    assert len(kinds) == 8
    for name in kinds:
        assert rdflib.URIRef(AG + name) in closure, name


def test_property_characteristics_hold() -> None:
    def types(name: str) -> set[rdflib.term.Node]:
        return set(GRAPH.objects(rdflib.URIRef(AG + name), RDF.type))

    assert {OWL.AsymmetricProperty, OWL.IrreflexiveProperty} <= types("subsidiaryOf")
    assert {OWL.SymmetricProperty, OWL.IrreflexiveProperty} <= types("partnerOf")
    assert OWL.FunctionalProperty in types("member")
    assert OWL.FunctionalProperty in types("alliance")
    assert (
        rdflib.URIRef(AG + "hasSubsidiary"),
        OWL.inverseOf,
        rdflib.URIRef(AG + "subsidiaryOf"),
    ) in GRAPH


def test_ontology_has_version_and_change_note() -> None:
    ontology = rdflib.URIRef("https://w3id.org/alliancegraph/ontology")
    assert GRAPH.value(ontology, OWL.versionInfo) is not None
    assert str(GRAPH.value(ontology, OWL.versionIRI)).endswith(BUNDLE.version)
    assert GRAPH.value(ontology, SKOS.changeNote) is not None


def test_alignments_are_in_a_separate_file() -> None:
    alignments = rdflib.Graph().parse(PROJECT_ROOT / "ontology" / "alignments.ttl")
    core = rdflib.Graph().parse(PROJECT_ROOT / "ontology" / "alliancegraph.ttl")
    org = "http://www.w3.org/ns/org#"
    assert any(str(o).startswith(org) for o in alignments.objects())
    assert not any(str(o).startswith(org) for o in core.objects())


@pytest.mark.parametrize("tag", REQUIRED_DOMAINS)
def test_required_technology_domain_has_labels_in_both_languages(tag: str) -> None:
    concept = rdflib.URIRef(DOMAIN + tag)
    assert (concept, SKOS.inScheme, rdflib.URIRef(AG + "TechnologyDomains")) in GRAPH
    assert str(GRAPH.value(concept, SKOS.notation)) == tag
    assert _labels(concept, SKOS.prefLabel) == {"en": 1, "ko": 1}
    alt = _labels(concept, SKOS.altLabel)
    assert alt.get("en", 0) >= 1, f"{tag}: needs English altLabels"
    assert alt.get("ko", 0) >= 1, f"{tag}: needs Korean altLabels"


def test_domain_labels_are_unambiguous() -> None:
    owner: dict[str, rdflib.term.Node] = {}
    for concept in GRAPH.subjects(SKOS.inScheme, rdflib.URIRef(AG + "TechnologyDomains")):
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            for label in GRAPH.objects(concept, predicate):
                key = str(label).casefold()
                assert owner.setdefault(key, concept) == concept, f"{label!r} on two concepts"


def test_domain_broader_targets_are_concepts_of_the_scheme() -> None:
    scheme = rdflib.URIRef(AG + "TechnologyDomains")
    for concept, broader in GRAPH.subject_objects(SKOS.broader):
        if (concept, SKOS.inScheme, scheme) in GRAPH:
            assert (broader, SKOS.inScheme, scheme) in GRAPH
            assert (broader, SKOS.narrower, concept) in GRAPH


def _ag_terms_in(path: Path) -> set[str]:
    rdf_format = RdfFormat.TRIG if path.suffix == ".trig" else RdfFormat.TURTLE
    return {
        term.value
        for quad in pyoxigraph.parse(path=str(path), format=rdf_format)
        for term in (quad.subject, quad.predicate, quad.object)
        if isinstance(term, NamedNode) and term.value.startswith(AG)
    }


@pytest.mark.parametrize(
    "path",
    [
        PROJECT_ROOT / "shapes" / "alliancegraph.shacl.ttl",
        *sorted((PROJECT_ROOT / "examples").rglob("*.ttl")),
        *sorted((PROJECT_ROOT / "examples").rglob("*.trig")),
    ],
    ids=lambda p: p.name,
)
def test_no_undeclared_ag_term_is_used(path: Path) -> None:
    assert _ag_terms_in(path) - _declared_ag_terms() == set()


def test_no_undeclared_ag_term_in_sparql_strings_of_shapes() -> None:
    text = (PROJECT_ROOT / "shapes" / "alliancegraph.shacl.ttl").read_text(encoding="utf-8")
    used = {AG + name for name in re.findall(r"\bag:([A-Za-z][A-Za-z0-9]*)", text)}
    assert used - _declared_ag_terms() == set()


def test_ontology_loads_into_the_store_once_and_reloads_when_changed(tmp_path: Path) -> None:
    store = EmbeddedStore()
    from service.namespaces import GraphNames

    graphs = GraphNames()
    assert ensure_ontology(store, BUNDLE, graphs) is True
    assert ensure_ontology(store, BUNDLE, graphs) is False
    assert store.count(graphs.ontology) == len(BUNDLE.triples) + 1

    changed_dir = tmp_path / "ontology"
    changed_dir.mkdir()
    for path in BUNDLE.files:
        (changed_dir / path.name).write_bytes(path.read_bytes())
    with (changed_dir / "extra.ttl").open("w") as handle:
        handle.write("<urn:x> <urn:y> <urn:z> .\n")
    changed = OntologyBundle.from_dir(changed_dir)
    assert ensure_ontology(store, changed, graphs) is True
    assert store.count(graphs.ontology) == len(BUNDLE.triples) + 2


def test_context_loads_the_ontology_graph(context: ServiceContext) -> None:
    assert context.graphs.ontology in context.store.named_graphs()
    assert context.store.count(NamedNode(context.graphs.ontology.value)) > 1000


def test_documentation_page_lists_every_term_and_concept() -> None:
    page = render_ontology_html(BUNDLE)
    documented_kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    for term in _declared_ag_terms():
        if set(GRAPH.objects(rdflib.URIRef(term), RDF.type)) & documented_kinds:
            assert f'id="{term[len(AG) :]}"' in page, term
    for tag in REQUIRED_DOMAINS:
        assert f"<code>{tag}</code>" in page
    assert "<script" not in page
    assert "cdn" not in page
