"""The SPARQL 1.1 Service Description of ``/sparql``, through HTTP against the real app.

The W3C cases of rdf-tests ``sparql/sparql11/service-description/manifest.jsonld`` (named
``test_w3c_<case id>``, the case's ``mf:name`` in the docstring) have no machine-readable
action: they say that a GET of the endpoint returns RDF, that the RDF holds an ``sd:endpoint``
triple matching the endpoint, and that it conforms to the schema of
https://www.w3.org/TR/sparql11-service-description/. The tests after them check what the issue
asks the description to state: languages, result formats, the union-default-graph feature and
the default dataset. Answers are parsed with ``pyoxigraph.parse``, relative IRIs resolved
against the URL requested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Literal,
    NamedNode,
    RdfFormat,
    Triple,
    parse,
)

from service.api.app import create_app
from service.config import Settings
from service.store.port import Store

API_KEY = "test-api-key-0001"
ENDPOINT = "http://testserver/sparql"  # what TestClient requests: the endpoint's own URL

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

RDF_ANSWERS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
}

# The vocabulary of https://www.w3.org/ns/sparql-service-description (SPARQL 1.1 SD, section 3).
SD_CLASSES = {
    "Service",
    "Language",
    "Function",
    "Aggregate",
    "EntailmentRegime",
    "EntailmentProfile",
    "GraphCollection",
    "Dataset",
    "Graph",
    "NamedGraph",
    "Feature",
}
SD_PROPERTIES = {
    "endpoint",
    "feature",
    "defaultEntailmentRegime",
    "entailmentRegime",
    "defaultSupportedEntailmentProfile",
    "supportedEntailmentProfile",
    "extensionFunction",
    "extensionAggregate",
    "languageExtension",
    "supportedLanguage",
    "propertyFeature",
    "defaultDataset",
    "availableGraphs",
    "resultFormat",
    "inputFormat",
    "defaultGraph",
    "namedGraph",
    "name",
    "graph",
}
SD_LANGUAGES = {"SPARQL10Query", "SPARQL11Query", "SPARQL11Update"}
SD_FEATURES = {
    "DereferencesURIs",
    "UnionDefaultGraph",
    "RequiresDataset",
    "EmptyGraphs",
    "BasicFederatedQuery",
}
#: Properties whose values are resources (never literals), and those whose values are IRIs.
SD_RESOURCE_VALUED = SD_PROPERTIES - {"name", "endpoint"}
SD_IRI_VALUED = {
    "endpoint",
    "name",
    "resultFormat",
    "inputFormat",
    "supportedLanguage",
    "defaultEntailmentRegime",
    "entailmentRegime",
    "defaultSupportedEntailmentProfile",
    "supportedEntailmentProfile",
}
#: The formats the HTTP contract serves, as W3C format IRIs.
EXPECTED_RESULT_FORMATS = {
    FORMATS + name
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
        "N-Quads",
        "TriG",
    )
}

Term = NamedNode | BlankNode | Literal | Triple


@pytest.fixture
def client(tmp_path: Path, make_store: Callable[[], Store]) -> Iterator[TestClient]:
    settings = Settings(store=tmp_path / "store", api_key=API_KEY)
    with TestClient(create_app(settings, make_store())) as test_client:
        yield test_client


def _sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def _description(client: TestClient, accept: str = "text/turtle") -> Dataset:
    """GET the endpoint with this RDF ``Accept`` and parse the answer as the requested format."""
    response = client.get("/sparql", headers={"accept": accept})
    assert response.status_code == 200, response.text
    media_type = response.headers["content-type"].split(";")[0].strip().lower()
    assert media_type == accept
    dataset = Dataset(parse(response.content, RDF_ANSWERS[accept], base_iri=ENDPOINT))
    assert len(dataset) > 0
    assert {quad.graph_name for quad in dataset} == {DefaultGraph()}
    return dataset


def _objects(dataset: Dataset, subject: NamedNode | BlankNode, predicate: NamedNode) -> list[Term]:
    return [
        quad.object for quad in dataset.quads_for_subject(subject) if quad.predicate == predicate
    ]


def _service(dataset: Dataset) -> NamedNode | BlankNode:
    """The one ``sd:Service`` described."""
    typed = {
        quad.subject
        for quad in dataset.quads_for_object(_sd("Service"))
        if quad.predicate == RDF_TYPE
    }
    assert len(typed) == 1, f"expected one sd:Service, found {typed}"
    (service,) = typed
    assert isinstance(service, NamedNode | BlankNode)
    return service


# ---------------------------------------------------------------------------------------------
# The W3C cases
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", list(RDF_ANSWERS))
def test_w3c_returns_rdf(client: TestClient, accept: str) -> None:
    """GET on endpoint returns RDF

    In Turtle and in every other RDF format the contract serves, the same graph comes back.
    """
    dataset = _description(client, accept)
    _service(dataset)
    turtle = _description(client, "text/turtle")
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    turtle.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    assert sorted(map(str, dataset)) == sorted(map(str, turtle))


def test_w3c_has_endpoint_triple(client: TestClient) -> None:
    """Service description contains a matching sd:endpoint triple"""
    dataset = _description(client)
    service = _service(dataset)
    assert _objects(dataset, service, _sd("endpoint")) == [NamedNode(ENDPOINT)]


def test_w3c_conforms_to_schema(client: TestClient) -> None:
    """Service description conforms to schema

    Every term of the sd: namespace is one the vocabulary defines, used with its range: classes
    as types, the languages and features as instances, IRIs where an IRI is required and
    resources (never literals) elsewhere; each sd:NamedGraph has exactly one sd:name.
    """
    dataset = _description(client)
    service = _service(dataset)
    for quad in dataset:
        predicate, value = quad.predicate, quad.object
        if predicate.value.startswith(SD):
            name = predicate.value.removeprefix(SD)
            assert name in SD_PROPERTIES, f"sd:{name} is not an sd: property"
            if name in SD_IRI_VALUED:
                assert isinstance(value, NamedNode), f"sd:{name} needs an IRI, got {value}"
            if name in SD_RESOURCE_VALUED:
                assert not isinstance(value, Literal), f"sd:{name} needs a resource: {value}"
        if predicate == RDF_TYPE and isinstance(value, NamedNode) and value.value.startswith(SD):
            assert value.value.removeprefix(SD) in SD_CLASSES, f"{value} is not an sd: class"
        if isinstance(value, NamedNode) and value.value.startswith(SD) and predicate != RDF_TYPE:
            assert value.value.removeprefix(SD) in SD_LANGUAGES | SD_FEATURES, value
    for language in _objects(dataset, service, _sd("supportedLanguage")):
        assert isinstance(language, NamedNode)
        assert language.value.removeprefix(SD) in SD_LANGUAGES, language
    for feature in _objects(dataset, service, _sd("feature")):
        assert isinstance(feature, NamedNode | BlankNode)
        declared = {q.object for q in dataset.quads_for_subject(feature) if q.predicate == RDF_TYPE}
        assert feature.value.removeprefix(SD) in SD_FEATURES or _sd("Feature") in declared
    named_graphs = [q.object for q in dataset.quads_for_predicate(_sd("namedGraph"))]
    for named_graph in named_graphs:
        assert isinstance(named_graph, NamedNode | BlankNode)
        names = _objects(dataset, named_graph, _sd("name"))
        assert len(names) == 1, f"{named_graph} needs exactly one sd:name: {names}"
        assert isinstance(names[0], NamedNode), names
    for predicate in ("endpoint", "supportedLanguage", "resultFormat", "defaultDataset"):
        subjects = {q.subject for q in dataset.quads_for_predicate(_sd(predicate))}
        assert subjects <= {service}, f"sd:{predicate} on something other than the sd:Service"


# ---------------------------------------------------------------------------------------------
# What the issue asks the description to state
# ---------------------------------------------------------------------------------------------


def test_description_states_the_supported_languages(client: TestClient) -> None:
    dataset = _description(client)
    languages = set(_objects(dataset, _service(dataset), _sd("supportedLanguage")))
    assert {_sd("SPARQL11Query"), _sd("SPARQL11Update")} <= languages


def test_description_states_the_result_formats(client: TestClient) -> None:
    dataset = _description(client)
    values = _objects(dataset, _service(dataset), _sd("resultFormat"))
    formats = {term.value for term in values if isinstance(term, NamedNode)}
    assert formats >= EXPECTED_RESULT_FORMATS


def test_description_states_the_union_default_graph(client: TestClient) -> None:
    dataset = _description(client)
    assert _sd("UnionDefaultGraph") in _objects(dataset, _service(dataset), _sd("feature"))


def test_description_states_the_default_dataset(client: TestClient) -> None:
    dataset = _description(client)
    defaults = _objects(dataset, _service(dataset), _sd("defaultDataset"))
    assert len(defaults) == 1
    (default_dataset,) = defaults
    assert isinstance(default_dataset, NamedNode | BlankNode)
    assert _sd("Dataset") in _objects(dataset, default_dataset, RDF_TYPE)
    default_graphs = _objects(dataset, default_dataset, _sd("defaultGraph"))
    assert len(default_graphs) == 1
    assert not isinstance(default_graphs[0], Literal)


def test_description_honours_accept_q_values(client: TestClient) -> None:
    response = client.get(
        "/sparql", headers={"accept": "application/rdf+xml;q=0.4, text/turtle;q=0.9"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0].strip() == "text/turtle"
    _service(Dataset(parse(response.content, RdfFormat.TURTLE, base_iri=ENDPOINT)))
