"""The SPARQL endpoint beyond the W3C cases: the gate on updates, negotiation, limits, security."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pyoxigraph import Literal, NamedNode, Triple

from service.api.app import create_app
from service.config import Settings
from service.store.port import Store

KEY = "test-api-key-0001"
AUTH = {"authorization": f"Bearer {KEY}"}
G = "https://w3id.org/alliancegraph/graph/source/t"
ORG = "https://w3id.org/alliancegraph/id/org/"
PREFIXES = (
    "PREFIX ag: <https://w3id.org/alliancegraph/ontology#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
)


@pytest.fixture
def settings_with_key(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_key": SecretStr(KEY)})


@pytest.fixture
def client(settings_with_key: Settings, make_store: Callable[[], Store]) -> Iterator[TestClient]:
    with TestClient(create_app(settings_with_key, make_store())) as test_client:
        yield test_client


def _update(client: TestClient, text: str) -> object:
    return client.post(
        "/sparql",
        content=text.encode(),
        headers={"content-type": "application/sparql-update", **AUTH},
    )


def _snapshot(client: TestClient) -> list[str]:
    store = client.app.state.context.store  # type: ignore[attr-defined]
    return sorted(str(q) for q in store.quads())


def test_a_valid_update_is_committed_and_reported(client: TestClient) -> None:
    response = _update(
        client,
        PREFIXES
        + f'INSERT DATA {{ GRAPH <{G}> {{ <{ORG}alpha> a ag:Firm ; rdfs:label "Alpha"@en }} }}',
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["changedGraphs"] == [G]
    assert body["validation"]["conforms"] is True
    assert body["validation"]["warnings"] == 1
    ask = client.get("/sparql", params={"query": f"ASK {{ <{ORG}alpha> a ?t }}"})
    assert ask.json()["boolean"] is True


def test_an_update_that_breaks_the_shapes_is_rejected_whole(client: TestClient) -> None:
    _update(
        client,
        PREFIXES
        + f'INSERT DATA {{ GRAPH <{G}> {{ <{ORG}alpha> a ag:Firm ; rdfs:label "Alpha"@en }} }}',
    )
    before = _snapshot(client)
    response = _update(
        client,
        PREFIXES
        + f'INSERT DATA {{ GRAPH <{G}2> {{ <{ORG}beta> a ag:Firm ; rdfs:label "Beta"@en }} }} ;'
        + f" DELETE WHERE {{ GRAPH <{G}> {{ <{ORG}alpha> rdfs:label ?l }} }}",
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    problem = response.json()  # type: ignore[attr-defined]
    assert problem["report"]["conforms"] is False
    [violation] = [r for r in problem["report"]["results"] if r["severity"] == "Violation"]
    assert violation["focusNode"] == ORG + "alpha"
    assert violation["path"] == "http://www.w3.org/2000/01/rdf-schema#label"
    assert _snapshot(client) == before


def test_drop_all_leaves_the_ontology_and_says_so(client: TestClient) -> None:
    _update(client, f"INSERT DATA {{ GRAPH <{G}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    response = _update(client, "DROP ALL")
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["changedGraphs"] == [G]
    assert body["unchangedManagedGraphs"] == ["https://w3id.org/alliancegraph/graph/ontology"]
    assert client.get("/health").json()["graphs"] == 1


def test_an_update_naming_a_managed_graph_is_forbidden(client: TestClient) -> None:
    response = _update(client, "DROP GRAPH <https://w3id.org/alliancegraph/graph/ontology>")
    assert response.status_code == 403  # type: ignore[attr-defined]


def test_load_is_refused(client: TestClient) -> None:
    response = _update(client, "LOAD <http://127.0.0.1:1/data.ttl>")
    assert response.status_code == 403  # type: ignore[attr-defined]


def test_updates_are_refused_on_a_read_only_server(
    settings_with_key: Settings, make_store: Callable[[], Store]
) -> None:
    read_only = settings_with_key.model_copy(update={"read_only": True})
    with TestClient(create_app(read_only, make_store())) as test_client:
        response = _update(test_client, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
        assert response.status_code == 403  # type: ignore[attr-defined]
        assert "read-only" in response.json()["detail"]  # type: ignore[attr-defined]
        description = test_client.get("/sparql", headers={"accept": "application/n-triples"})
        assert "SPARQL11Update" not in description.text


def test_reads_can_require_the_api_key(
    settings_with_key: Settings, make_store: Callable[[], Store]
) -> None:
    closed = settings_with_key.model_copy(update={"require_read_auth": True})
    with TestClient(create_app(closed, make_store())) as test_client:
        assert test_client.get("/sparql", params={"query": "ASK {}"}).status_code == 401
        allowed = test_client.get("/sparql", params={"query": "ASK {}"}, headers=AUTH)
        assert allowed.status_code == 200


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.4, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        ("application/*;q=0.5, text/csv;q=0.1", "application/sparql-results+json"),
    ],
)
def test_select_results_follow_accept_with_q_values(
    client: TestClient, accept: str, expected: str
) -> None:
    response = client.get(
        "/sparql",
        params={"query": "SELECT ?x WHERE { VALUES ?x { 1 2 } }"},
        headers={"accept": accept},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize(
    "media",
    [
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
        "application/n-quads",
        "application/trig",
    ],
)
def test_construct_results_in_every_rdf_format(client: TestClient, media: str) -> None:
    from pyoxigraph import RdfFormat, parse

    query = "CONSTRUCT { <urn:a> <urn:b> ?x } WHERE { VALUES ?x { 1 2 3 } }"
    response = client.get("/sparql", params={"query": query}, headers={"accept": media})
    assert response.headers["content-type"].split(";")[0] == media
    parsed = list(parse(response.content, format=RdfFormat.from_media_type(media)))
    assert len(parsed) == 3


def test_nothing_acceptable_is_406(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT * WHERE {}"}, headers={"accept": "image/png"}
    )
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"


def test_service_outside_the_allow_list_is_refused(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert "127.0.0.1:9999" in response.json()["detail"]
    variable = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE ?e { ?s ?p ?o } }"})
    assert variable.status_code == 403
    update = _update(
        client, "INSERT { ?s ?p ?o } WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }"
    )
    assert update.status_code == 403  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "call",
    [
        "1SERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o }",
        "?s ?p true SERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o }",
        "?s ?p trueSERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o }",
        "SERVICESILENT <http://127.0.0.1:9999/sparql> { ?s ?p ?o }",
        "{ ?s ?p ?o })SERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o }",
        "sErViCe <http://127.0.0.1:9999/sparql> { ?s ?p ?o }",
    ],
)
def test_service_written_against_another_token_is_refused_too(
    client: TestClient, call: str
) -> None:
    """SPARQL's parsers read SERVICE with no space before or after it: so does the check (it
    refuses, or cannot parse the text and refuses that), and the call never goes out."""
    response = client.get("/sparql", params={"query": f"SELECT * WHERE {{ {call} }}"})
    assert response.status_code in (400, 403), response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_allow_listed_service_passes_the_check(
    settings_with_key: Settings, make_store: Callable[[], Store]
) -> None:
    """An allow-listed endpoint is called; here it is unreachable, so the query fails later."""
    allowed = settings_with_key.model_copy(
        update={"federation_allowlist": ["http://127.0.0.1:1/sparql"]}
    )
    with TestClient(create_app(allowed, make_store()), raise_server_exceptions=False) as c:
        query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
        response = c.get("/sparql", params={"query": query})
        assert response.status_code != 403


def test_relative_iris_resolve_against_the_instance_base(client: TestClient) -> None:
    store = client.app.state.context.store  # type: ignore[attr-defined]
    store.replace_graphs(
        {NamedNode(G): [Triple(NamedNode(ORG + "alpha"), NamedNode(ORG + "p"), Literal("x"))]}
    )
    response = client.get("/sparql", params={"query": "SELECT ?o WHERE { <org/alpha> ?p ?o }"})
    assert json.loads(response.text)["results"]["bindings"][0]["o"]["value"] == "x"


def test_a_graph_store_write_that_breaks_the_shapes_is_422_and_writes_nothing(
    client: TestClient,
) -> None:
    before = _snapshot(client)
    nameless = f"<{ORG}nameless> a <https://w3id.org/alliancegraph/ontology#Firm> .\n"
    response = client.put(
        f"/store?graph={G}",
        content=nameless.encode(),
        headers={"content-type": "text/turtle", **AUTH},
    )
    assert response.status_code == 422
    assert response.json()["report"]["violations"] == 1
    assert _snapshot(client) == before
    as_turtle = client.put(
        f"/store?graph={G}",
        content=nameless.encode(),
        headers={"content-type": "text/turtle", "accept": "text/turtle", **AUTH},
    )
    assert as_turtle.status_code == 422
    assert "sh:ValidationReport" in as_turtle.text


def test_a_graph_store_body_over_the_limit_is_413(
    settings_with_key: Settings, make_store: Callable[[], Store]
) -> None:
    small = settings_with_key.model_copy(update={"max_body_bytes": 64})
    with TestClient(create_app(small, make_store())) as test_client:
        response = test_client.put(
            f"/store?graph={G}",
            content=b"<urn:a> <urn:b> <urn:c> .\n" * 10,
            headers={"content-type": "application/n-triples", **AUTH},
        )
        assert response.status_code == 413
        assert test_client.get(f"/store?graph={G}").status_code == 404


def test_a_large_result_is_streamed_whole(client: TestClient) -> None:
    values = " ".join(str(i) for i in range(150))
    query = f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert "content-length" not in response.headers
    assert len(response.json()["results"]["bindings"]) == 150 * 150


def test_a_small_result_is_sent_whole_with_its_length(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"})
    assert int(response.headers["content-length"]) == len(response.content)
