"""The W3C SPARQL 1.1 Protocol test suite, case by case, through HTTP against the real app.

One test per entry of rdf-tests ``sparql/sparql11/protocol/manifest.ttl`` (34 cases), named
``test_w3c_<case id>`` with the case's ``mf:name`` in its docstring. Each test sends the request
the case describes (method, query string, headers, body) to ``/sparql`` instead of ``/sparql/``,
and asserts the case's expectation with the status code of the service's HTTP contract (200 for a
success, the precise 4xx for each malformed request). Two adaptations, both required by the
service and not by the protocol:

- update requests carry ``Authorization: Bearer <key>``, so that a 4xx comes from the protocol
  fault under test and not from the missing token (the token itself has its own tests below);
- the ``ut:graphData`` files of the suite are not copied: each ``dataN.rdf`` graph is written
  inline with the fact the cases query (``<dataN.rdf> a foaf:Document``) and a title.

Where a case cannot tell a correct server from one that ignores the protocol dataset (because the
default graph is the union of all graphs), the test adds a control request that can.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)

from service.api.app import create_app
from service.config import Settings
from service.context import ServiceContext
from service.store.port import Store

API_KEY = "test-api-key-0001"
AUTH = {"authorization": f"Bearer {API_KEY}"}

KASEI = "http://kasei.us/2009/09/sparql/data/"
DATA0 = KASEI + "data0.rdf"
DATA1 = KASEI + "data1.rdf"
DATA2 = KASEI + "data2.rdf"
DATA3 = KASEI + "data3.rdf"

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FOAF_DOCUMENT = NamedNode("http://xmlns.com/foaf/0.1/Document")
FOAF_GIVEN_NAME = NamedNode("http://xmlns.com/foaf/0.1/givenName")
DC_TITLE = NamedNode("http://purl.org/dc/terms/title")
DC_BIBLIOGRAPHIC_RESOURCE = NamedNode("http://purl.org/dc/terms/BibliographicResource")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
EX_IN = NamedNode("http://example.org/in")

FORM = {"content-type": "application/x-www-form-urlencoded"}
QUERY = {"content-type": "application/sparql-query"}
UPDATE = {"content-type": "application/sparql-update", **AUTH}

RESULT_FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
}

# The two queries of the dataset cases, as the manifest writes them.
ASK_DEFAULT_1_2 = (
    "ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type . "
    "<http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type . }"
)
ASK_NAMED_1_2 = (
    "ASK { GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } "
    "GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }"
)
UPDATE_PREFIXES = (
    "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
)
INSERT_DATA_1_2_3 = """DROP ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { <http://kasei.us/2009/09/sparql/data/data2.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data3.rdf> { <http://kasei.us/2009/09/sparql/data/data3.rdf> a foaf:Document }
} ;
"""  # noqa: E501 - the manifest's update text, kept line for line


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path, make_store: Callable[[], Store]) -> Iterator[TestClient]:
    settings = Settings(store=tmp_path / "store", api_key=API_KEY)
    with TestClient(create_app(settings, make_store())) as test_client:
        yield test_client


def _context(client: TestClient) -> ServiceContext:
    context = client.app.state.context  # type: ignore[attr-defined]
    assert isinstance(context, ServiceContext)
    return context


def _sparql(params: Iterable[tuple[str, str]]) -> str:
    """``/sparql`` with a query string percent-encoded the way the manifest writes it."""
    return "/sparql?" + "&".join(f"{name}={quote(value, safe='')}" for name, value in params)


def _document(iri: str) -> list[Triple]:
    """The inline stand-in for a ``dataN.rdf`` file: the document is a foaf:Document."""
    node = NamedNode(iri)
    return [
        Triple(node, RDF_TYPE, FOAF_DOCUMENT),
        Triple(node, DC_TITLE, Literal(iri.rsplit("/", 1)[-1])),
    ]


def _load(client: TestClient, *iris: str) -> None:
    """Write the ``ut:graphData`` of a case: one named graph per data file, named by its IRI."""
    _context(client).store.replace_graphs({NamedNode(iri): _document(iri) for iri in iris})


def _media_type(response: Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _problem(response: Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status and return its members."""
    assert response.status_code == status, response.text
    assert _media_type(response) == "application/problem+json"
    body = response.json()
    assert isinstance(body, dict)
    assert body["status"] == status
    assert body["title"]
    return body


def _boolean(response: Response) -> bool:
    """The boolean of a successful ASK answer, in SPARQL results JSON or XML."""
    assert response.status_code == 200, response.text
    media_type = _media_type(response)
    assert media_type in ("application/sparql-results+json", "application/sparql-results+xml")
    result = parse_query_results(response.content, RESULT_FORMATS[media_type])
    assert isinstance(result, QueryBoolean)
    return bool(result)


def _solutions(response: Response) -> list[dict[str, Any]]:
    """The bindings of a successful SELECT answer in the default format (SPARQL results JSON)."""
    assert response.status_code == 200, response.text
    assert _media_type(response) == "application/sparql-results+json"
    bindings = response.json()["results"]["bindings"]
    assert isinstance(bindings, list)
    return bindings


def _updated(response: Response) -> None:
    """A successful update: 200 with a JSON body."""
    assert response.status_code == 200, response.text
    assert _media_type(response) == "application/json"
    assert isinstance(response.json(), dict)


def _graph(client: TestClient, iri: str) -> set[Triple]:
    """The triples of one named graph, read from the store directly."""
    return {quad.triple for quad in _context(client).store.quads(NamedNode(iri))}


def _snapshot(client: TestClient) -> set[Quad]:
    return set(_context(client).store.quads())


def _assert_cleared(client: TestClient) -> None:
    """After ``CLEAR ALL``: the default graph and the graphs the test wrote are empty.

    Graphs the service manages itself (the ontology) are not asserted either way: the case
    only expects a 2xx, and whether CLEAR ALL may empty them is the service's policy.
    """
    store = _context(client).store
    assert not any(quad.graph_name == DefaultGraph() for quad in store.quads())
    assert _graph(client, DATA1) == set()
    assert _graph(client, DATA2) == set()


def _rdf(response: Response, media_type: str) -> set[Triple]:
    """The triples of a successful RDF answer of the given media type."""
    assert response.status_code == 200, response.text
    assert _media_type(response) == media_type
    return {quad.triple for quad in parse(response.content, RDF_FORMATS[media_type])}


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


def test_w3c_query_post_form(client: TestClient) -> None:
    """query via URL-encoded POST"""
    response = client.post(
        _sparql([("default-graph-uri", DATA0)]), content=b"query=ASK%20%7B%7D", headers=FORM
    )
    assert _boolean(response) is True


def test_w3c_query_dataset_default_graphs_get(client: TestClient) -> None:
    """GET query with protocol-specified default graph"""
    _load(client, DATA1, DATA2)
    response = client.get(
        _sparql(
            [
                ("query", ASK_DEFAULT_1_2),
                ("default-graph-uri", DATA1),
                ("default-graph-uri", DATA2),
            ]
        )
    )
    assert _boolean(response) is True
    # Control: with data1 alone as the default graph, data2's triple is out of the dataset.
    control = client.get(_sparql([("query", ASK_DEFAULT_1_2), ("default-graph-uri", DATA1)]))
    assert _boolean(control) is False


def test_w3c_query_dataset_default_graphs_post(client: TestClient) -> None:
    """POST query with protocol-specified default graphs"""
    _load(client, DATA1, DATA2)
    response = client.post(
        _sparql([("default-graph-uri", DATA1), ("default-graph-uri", DATA2)]),
        content=ASK_DEFAULT_1_2.encode(),
        headers=QUERY,
    )
    assert _boolean(response) is True
    control = client.post(
        _sparql([("default-graph-uri", DATA2)]), content=ASK_DEFAULT_1_2.encode(), headers=QUERY
    )
    assert _boolean(control) is False


def test_w3c_query_dataset_named_graphs_post(client: TestClient) -> None:
    """POST query with protocol-specified named graphs"""
    _load(client, DATA1, DATA2)
    response = client.post(
        _sparql([("named-graph-uri", DATA1), ("named-graph-uri", DATA2)]),
        content=ASK_NAMED_1_2.encode(),
        headers=QUERY,
    )
    assert _boolean(response) is True
    control = client.post(
        _sparql([("named-graph-uri", DATA1)]), content=ASK_NAMED_1_2.encode(), headers=QUERY
    )
    assert _boolean(control) is False


def test_w3c_query_dataset_named_graphs_get(client: TestClient) -> None:
    """GET query with protocol-specified named graphs"""
    _load(client, DATA1, DATA2)
    response = client.get(
        _sparql(
            [
                ("query", ASK_NAMED_1_2),
                ("named-graph-uri", DATA1),
                ("named-graph-uri", DATA2),
            ]
        )
    )
    assert _boolean(response) is True
    control = client.get(_sparql([("query", ASK_NAMED_1_2), ("named-graph-uri", DATA2)]))
    assert _boolean(control) is False


def test_w3c_query_dataset_full(client: TestClient) -> None:
    """query with protocol-specified dataset (both named and default graphs)"""
    _load(client, DATA1, DATA2, DATA3)
    query = """ASK {
  <http://kasei.us/2009/09/sparql/data/data3.rdf> a ?type
  GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type }
  GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type }
}"""
    response = client.post(
        _sparql(
            [
                ("default-graph-uri", DATA3),
                ("named-graph-uri", DATA1),
                ("named-graph-uri", DATA2),
            ]
        ),
        content=query.encode(),
        headers=QUERY,
    )
    assert _boolean(response) is True
    # Control: data3's triple is not in a default graph made of data1 only.
    control = client.post(
        _sparql(
            [
                ("default-graph-uri", DATA1),
                ("named-graph-uri", DATA1),
                ("named-graph-uri", DATA2),
            ]
        ),
        content=query.encode(),
        headers=QUERY,
    )
    assert _boolean(control) is False


def test_w3c_query_multiple_dataset(client: TestClient) -> None:
    """query specifying dataset in both query string and protocol; test for use of
    protocol-specified dataset

    The manifest percent-encodes the ``&`` and ``=`` between its two ``named-graph-uri``
    parameters (``...data1.rdf%26named-graph-uri%3Dhttp...``), which literally makes one
    parameter whose value is not the IRI of either graph, and under which the expected ``true``
    is unreachable. The test sends the evidently intended request: two ``named-graph-uri``
    parameters.
    """
    _load(client, DATA1, DATA2, DATA3)
    query = (
        "ASK FROM <http://kasei.us/2009/09/sparql/data/data3.rdf> "
        "{ GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } "
        "GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }"
    )
    response = client.post(
        _sparql([("named-graph-uri", DATA1), ("named-graph-uri", DATA2)]),
        content=query.encode(),
        headers=QUERY,
    )
    assert _boolean(response) is True
    # Control: without the protocol dataset, the query's own (FROM data3, no named graph) rules.
    control = client.post("/sparql", content=query.encode(), headers=QUERY)
    assert _boolean(control) is False


def test_w3c_query_get(client: TestClient) -> None:
    """query via GET"""
    response = client.get(
        "/sparql?query=ASK%20%7B%7D"
        "&default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata0.rdf"
    )
    assert _boolean(response) is True


def test_w3c_query_content_type_select(client: TestClient) -> None:
    """query appropriate content type (expect one of: XML, JSON, CSV, TSV)"""
    path = _sparql([("default-graph-uri", DATA0)])
    body = b"SELECT (1 AS ?value) {}"
    response = client.post(path, content=body, headers=QUERY)
    assert _solutions(response) == [
        {"value": {"type": "literal", "value": "1", "datatype": XSD_INTEGER.value}}
    ]
    assert response.json()["head"]["vars"] == ["value"]
    one = Literal("1", datatype=XSD_INTEGER)
    for media_type, results_format in RESULT_FORMATS.items():
        negotiated = client.post(path, content=body, headers={**QUERY, "accept": media_type})
        assert negotiated.status_code == 200, negotiated.text
        assert _media_type(negotiated) == media_type
        solutions = parse_query_results(negotiated.content, results_format)
        assert isinstance(solutions, QuerySolutions)
        assert [solution["value"] for solution in solutions] == [one]
    as_csv = client.post(path, content=body, headers={**QUERY, "accept": "text/csv"})
    assert as_csv.status_code == 200, as_csv.text
    assert _media_type(as_csv) == "text/csv"
    assert list(csv.reader(io.StringIO(as_csv.text))) == [["value"], ["1"]]


def test_w3c_query_content_type_ask(client: TestClient) -> None:
    """query appropriate content type (expect one of: XML, JSON)"""
    path = _sparql([("default-graph-uri", DATA0)])
    response = client.post(path, content=b"ASK {}", headers=QUERY)
    assert response.status_code == 200, response.text
    assert _media_type(response) == "application/sparql-results+json"
    assert response.json() == {"head": {}, "boolean": True}
    as_xml = client.post(
        path, content=b"ASK {}", headers={**QUERY, "accept": "application/sparql-results+xml"}
    )
    assert _media_type(as_xml) == "application/sparql-results+xml"
    assert _boolean(as_xml) is True


def test_w3c_query_content_type_describe(client: TestClient) -> None:
    """query appropriate content type (expect one of: RDF/XML, Turtle, N-Triples, RDFa)

    The case loads no data, so its answer is an empty graph. The test also writes a graph named
    like the case's ``default-graph-uri`` (data0.rdf) with one triple about the described
    resource, and another graph outside the protocol dataset, so the graph returned is checked,
    not only its format.
    """
    example = NamedNode("http://example.org/")
    inside = Triple(example, DC_TITLE, Literal("described"))
    outside = Triple(example, DC_TITLE, Literal("outside the dataset"))
    _context(client).store.replace_graphs({NamedNode(DATA0): [inside], NamedNode(DATA1): [outside]})
    path = _sparql([("default-graph-uri", DATA0)])
    body = b"DESCRIBE <http://example.org/>"
    response = client.post(path, content=body, headers=QUERY)
    assert _rdf(response, "text/turtle") == {inside}
    for media_type in RDF_FORMATS:
        negotiated = client.post(path, content=body, headers={**QUERY, "accept": media_type})
        assert _rdf(negotiated, media_type) == {inside}


def test_w3c_query_content_type_construct(client: TestClient) -> None:
    """query appropriate content type (expect one of: RDF/XML, Turtle, N-Triples, RDFa)

    ``<s>`` and ``<p>`` are relative IRIs: the service resolves them against its base IRI.
    """
    path = _sparql([("default-graph-uri", DATA0)])
    body = b"CONSTRUCT { <s> <p> 1 } WHERE {}"
    response = client.post(path, content=body, headers=QUERY)
    triples = _rdf(response, "text/turtle")
    assert len(triples) == 1
    (triple,) = triples
    assert isinstance(triple.subject, NamedNode)
    assert urlsplit(triple.subject.value).scheme in ("http", "https")
    assert triple.subject.value.endswith("/s")
    assert triple.predicate.value == triple.subject.value[:-1] + "p"
    assert triple.object == Literal("1", datatype=XSD_INTEGER)
    for media_type in RDF_FORMATS:
        negotiated = client.post(path, content=body, headers={**QUERY, "accept": media_type})
        assert _rdf(negotiated, media_type) == triples


def test_w3c_query_post_direct(client: TestClient) -> None:
    """query via POST directly"""
    response = client.post("/sparql", content=b"ASK {}", headers=QUERY)
    assert _boolean(response) is True


# ---------------------------------------------------------------------------------------------
# Updates
# ---------------------------------------------------------------------------------------------


def test_w3c_update_dataset_default_graph(client: TestClient) -> None:
    """update with protocol-specified default graph"""
    update = (
        UPDATE_PREFIXES
        + """CLEAR ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document
    }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}"""
    )
    _updated(
        client.post(_sparql([("using-graph-uri", DATA1)]), content=update.encode(), headers=UPDATE)
    )
    ask = """ASK {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource>
    }
}"""
    assert _boolean(client.post("/sparql", content=ask.encode(), headers=QUERY)) is True
    assert _graph(client, "http://example.org/protocol-update-dataset-test/") == {
        Triple(NamedNode(DATA1), RDF_TYPE, DC_BIBLIOGRAPHIC_RESOURCE)
    }


def test_w3c_update_dataset_default_graphs(client: TestClient) -> None:
    """update with protocol-specified default graphs"""
    update = (
        UPDATE_PREFIXES
        + INSERT_DATA_1_2_3
        + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}"""
    )
    _updated(
        client.post(
            _sparql([("using-graph-uri", DATA1), ("using-graph-uri", DATA2)]),
            content=update.encode(),
            headers=UPDATE,
        )
    )
    ask = """ASK {
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
    }
    FILTER NOT EXISTS {
        GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        }
    }
}"""  # noqa: E501 - the manifest's query text
    assert _boolean(client.post("/sparql", content=ask.encode(), headers=QUERY)) is True
    assert _graph(client, "http://example.org/protocol-update-dataset-graphs-test/") == {
        Triple(NamedNode(DATA1), RDF_TYPE, DC_BIBLIOGRAPHIC_RESOURCE),
        Triple(NamedNode(DATA2), RDF_TYPE, DC_BIBLIOGRAPHIC_RESOURCE),
    }


def test_w3c_update_dataset_named_graphs(client: TestClient) -> None:
    """update with protocol-specified named graphs"""
    update = (
        UPDATE_PREFIXES
        + INSERT_DATA_1_2_3
        + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    GRAPH ?g {
        ?s a foaf:Document
    }
}"""
    )
    _updated(
        client.post(
            _sparql([("using-named-graph-uri", DATA1), ("using-named-graph-uri", DATA2)]),
            content=update.encode(),
            headers=UPDATE,
        )
    )
    ask = """ASK {
    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
    }
    FILTER NOT EXISTS {
        GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        }
    }
}"""  # noqa: E501 - the manifest's query text
    assert _boolean(client.post("/sparql", content=ask.encode(), headers=QUERY)) is True
    assert _graph(client, "http://example.org/protocol-update-dataset-named-graphs-test/") == {
        Triple(NamedNode(DATA1), RDF_TYPE, DC_BIBLIOGRAPHIC_RESOURCE),
        Triple(NamedNode(DATA2), RDF_TYPE, DC_BIBLIOGRAPHIC_RESOURCE),
    }


def test_w3c_update_dataset_full(client: TestClient) -> None:
    """update with protocol-specified dataset (both named and default graphs)"""
    update = (
        UPDATE_PREFIXES
        + INSERT_DATA_1_2_3
        + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        ?s <http://example.org/in> ?in
    }
}
WHERE {
    {
        GRAPH ?g { ?s a foaf:Document }
        BIND(?g AS ?in)
    }
    UNION
    {
        ?s a foaf:Document .
        BIND("default" AS ?in)
    }
}"""
    )
    _updated(
        client.post(
            _sparql([("using-graph-uri", DATA1), ("using-named-graph-uri", DATA2)]),
            content=update.encode(),
            headers=UPDATE,
        )
    )
    ask = """ASK {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> <http://example.org/in> "default" .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> <http://example.org/in> <http://kasei.us/2009/09/sparql/data/data2.rdf> .
    }
    FILTER NOT EXISTS {
        GRAPH <http://example.org/protocol-update-dataset-full-test/> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> ?p ?o
        }
    }
}"""  # noqa: E501 - the manifest's query text
    assert _boolean(client.post("/sparql", content=ask.encode(), headers=QUERY)) is True
    # Exactly these two: data1 is only the default graph, data2 only a named graph.
    assert _graph(client, "http://example.org/protocol-update-dataset-full-test/") == {
        Triple(NamedNode(DATA1), EX_IN, Literal("default")),
        Triple(NamedNode(DATA2), EX_IN, NamedNode(DATA2)),
    }


def test_w3c_update_post_form(client: TestClient) -> None:
    """update via URL-encoded POST"""
    _load(client, DATA1, DATA2)
    _context(client).store.update("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
    _updated(client.post("/sparql", content=b"update=CLEAR+ALL", headers={**FORM, **AUTH}))
    _assert_cleared(client)


def test_w3c_update_post_direct(client: TestClient) -> None:
    """update via POST directly"""
    _load(client, DATA1, DATA2)
    _context(client).store.update("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
    _updated(client.post("/sparql", content=b"CLEAR ALL", headers=UPDATE))
    _assert_cleared(client)


def test_w3c_update_base_uri(client: TestClient) -> None:
    """test for service-defined BASE URI ("which MAY be the service endpoint")

    The graph does not exist before the update: ``CLEAR GRAPH`` of an absent graph must not fail
    the request (the case expects 2xx on a fresh service).
    """
    update = """CLEAR GRAPH <http://example.org/protocol-base-test/> ;
INSERT DATA { GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }"""  # noqa: E501 - the manifest's update text
    _updated(client.post("/sparql", content=update.encode(), headers=UPDATE))
    select = """SELECT ?o WHERE {
    GRAPH <http://example.org/protocol-base-test/> {
        <http://example.org/s> <http://example.org/p> ?o
    }
}"""
    solutions = _solutions(client.post("/sparql", content=select.encode(), headers=QUERY))
    assert len(solutions) == 1
    value = solutions[0]["o"]
    assert value["type"] == "uri"
    iri = value["value"]
    assert iri != "test"
    assert urlsplit(iri).scheme in ("http", "https")
    assert iri.endswith("/test")
    assert _graph(client, "http://example.org/protocol-base-test/") == {
        Triple(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"), NamedNode(iri))
    }


# ---------------------------------------------------------------------------------------------
# Malformed queries
# ---------------------------------------------------------------------------------------------


def test_w3c_bad_query_method(client: TestClient) -> None:
    """invoke query operation with a method other than GET or POST"""
    response = client.put(
        "/sparql?query=ASK%20%7B%7D"
        "&default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata0.rdf",
        headers=FORM,
    )
    _problem(response, 405)
    allowed = {method.strip() for method in response.headers.get("allow", "").split(",")}
    assert {"GET", "POST"} <= allowed


def test_w3c_bad_multiple_queries(client: TestClient) -> None:
    """invoke query operation with more than one query string"""
    _problem(client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D"), 400)


def test_w3c_bad_query_wrong_media_type(client: TestClient) -> None:
    """invoke query operation with a POST with media type that's not url-encoded or
    application/sparql-query"""
    response = client.post("/sparql", content=b"ASK {}", headers={"content-type": "text/plain"})
    _problem(response, 415)


def test_w3c_bad_query_missing_form_type(client: TestClient) -> None:
    """invoke query operation with url-encoded body, but without
    application/x-www-form-urlencoded media type"""
    _problem(client.post("/sparql", content=b"query=ASK%20%7B%7D"), 415)


def test_w3c_bad_query_missing_direct_type(client: TestClient) -> None:
    """invoke query operation with SPARQL body, but without application/sparql-query media
    type"""
    _problem(client.post("/sparql", content=b"ASK {}"), 415)


def test_w3c_bad_query_non_utf8(client: TestClient) -> None:
    """invoke query operation with direct POST, but with a non-UTF8 encoding (UTF-16)"""
    body = "ASK {}".encode("utf-16")  # with a byte-order mark, 14 bytes as in the manifest
    assert len(body) == 14
    response = client.post(
        "/sparql",
        content=body,
        headers={"content-type": "application/sparql-query; charset=UTF-16"},
    )
    # A declared charset other than UTF-8 makes the media type unsupported (415); a body that
    # is not UTF-8 is malformed (400). This request is both: either answer is right.
    assert response.status_code in (400, 415), response.text
    _problem(response, response.status_code)
    # Without the charset parameter, the same body is only malformed.
    _problem(client.post("/sparql", content=body, headers=QUERY), 400)


def test_w3c_bad_query_syntax(client: TestClient) -> None:
    """invoke query operation with invalid query syntax (4XX result)"""
    _problem(client.get("/sparql?query=ASK%20%7B"), 400)


# ---------------------------------------------------------------------------------------------
# Malformed updates: each is refused and leaves the store exactly as it was
# ---------------------------------------------------------------------------------------------


def test_w3c_bad_update_get(client: TestClient) -> None:
    """invoke update operation with GET"""
    _load(client, DATA1)
    before = _snapshot(client)
    _problem(client.get("/sparql?update=CLEAR%20ALL"), 400)
    assert _snapshot(client) == before


def test_w3c_bad_multiple_updates(client: TestClient) -> None:
    """invoke update operation with more than one update string"""
    _load(client, DATA1)
    before = _snapshot(client)
    response = client.post(
        "/sparql",
        content=b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
        headers={**FORM, **AUTH},
    )
    _problem(response, 400)
    assert _snapshot(client) == before


def test_w3c_bad_update_wrong_media_type(client: TestClient) -> None:
    """invoke update operation with a POST with media type that's not url-encoded or
    application/sparql-update"""
    _load(client, DATA1)
    before = _snapshot(client)
    response = client.post(
        "/sparql", content=b"CLEAR NAMED", headers={"content-type": "text/plain", **AUTH}
    )
    _problem(response, 415)
    assert _snapshot(client) == before


def test_w3c_bad_update_missing_form_type(client: TestClient) -> None:
    """invoke update operation with url-encoded body, but without
    application/x-www-form-urlencoded media type"""
    _load(client, DATA1)
    before = _snapshot(client)
    _problem(client.post("/sparql", content=b"update=CLEAR%20NAMED", headers=AUTH), 415)
    assert _snapshot(client) == before


def test_w3c_bad_update_non_utf8(client: TestClient) -> None:
    """invoke update operation with direct POST, but with a non-UTF8 encoding"""
    _load(client, DATA1)
    before = _snapshot(client)
    body = "CLEAR NAMED".encode("utf-16")  # with a byte-order mark, 24 bytes as in the manifest
    assert len(body) == 24
    response = client.post(
        "/sparql",
        content=body,
        headers={"content-type": "application/sparql-update; charset=UTF-16", **AUTH},
    )
    # As in bad_query_non_utf8: 415 for the declared charset or 400 for the body.
    assert response.status_code in (400, 415), response.text
    _problem(response, response.status_code)
    _problem(client.post("/sparql", content=body, headers=UPDATE), 400)
    assert _snapshot(client) == before


def test_w3c_bad_update_syntax(client: TestClient) -> None:
    """invoke update operation with invalid update syntax"""
    _load(client, DATA1)
    before = _snapshot(client)
    response = client.post("/sparql", content=b"update=CLEAR%20XYZ", headers={**FORM, **AUTH})
    _problem(response, 400)
    assert _snapshot(client) == before


def test_w3c_bad_update_dataset_conflict(client: TestClient) -> None:
    """invoke update with both using-graph-uri/using-named-graph-uri parameter and USING/WITH
    clause"""
    person = NamedNode("http://example/bill")
    _context(client).store.replace_graphs(
        {NamedNode("http://example/addresses"): [Triple(person, FOAF_GIVEN_NAME, Literal("Bill"))]}
    )
    before = _snapshot(client)
    update = """PREFIX foaf:  <http://xmlns.com/foaf/0.1/>
WITH <http://example/addresses>
DELETE { ?person foaf:givenName 'Bill' }
INSERT { ?person foaf:givenName 'William' }
WHERE {
    ?person foaf:givenName 'Bill'
}"""
    response = client.post(
        "/sparql?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
        content=update.encode(),
        headers=UPDATE,
    )
    _problem(response, 400)
    assert _snapshot(client) == before


# ---------------------------------------------------------------------------------------------
# Not W3C cases: the service's token on updates (its contract, which the cases above assume)
# ---------------------------------------------------------------------------------------------


def test_update_without_a_token_is_401_and_changes_nothing(client: TestClient) -> None:
    _load(client, DATA1)
    before = _snapshot(client)
    response = client.post(
        "/sparql", content=b"CLEAR ALL", headers={"content-type": "application/sparql-update"}
    )
    _problem(response, 401)
    assert response.headers["www-authenticate"].split()[0].lower() == "bearer"
    assert _snapshot(client) == before


def test_update_with_a_wrong_token_is_403_and_changes_nothing(client: TestClient) -> None:
    _load(client, DATA1)
    before = _snapshot(client)
    response = client.post(
        "/sparql",
        content=b"update=CLEAR+ALL",
        headers={**FORM, "authorization": "Bearer not-the-key-0000"},
    )
    _problem(response, 403)
    assert _snapshot(client) == before
