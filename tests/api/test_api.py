"""The HTTP API over a real in-memory store: health, read-only SPARQL, ontology, problems."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    NamedNode,
    RdfFormat,
    Triple,
    parse,
)

from service.api.app import create_app
from service.config import Settings
from service.errors import QuerySyntaxError
from service.namespaces import AG
from service.store.embedded import EmbeddedStore
from service.store.port import Store
from tests.conftest import EXAMPLES, REFERENCE_GRAPH

SELECT_MEMBERS = (
    "PREFIX ag: <https://w3id.org/alliancegraph/ontology#> "
    "SELECT ?m WHERE { ?x ag:alliance ?a ; ag:member ?m }"
)


@pytest.fixture
def client(settings: Settings, make_store: Callable[[], Store]) -> Iterator[TestClient]:
    with TestClient(create_app(settings, make_store())) as test_client:
        context = test_client.app.state.context  # type: ignore[attr-defined]
        from pyoxigraph import NamedNode

        from service.ingest.rdf_load import load_file

        load_file(
            context.store,
            context.shapes,
            EXAMPLES / "reference" / "organizations.ttl",
            context.graphs,
            graph=NamedNode(REFERENCE_GRAPH),
        )
        load_file(
            context.store,
            context.shapes,
            EXAMPLES / "sources" / "seed-article.trig",
            context.graphs,
        )
        yield test_client


def _problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body["title"]
    return body


def test_health_reports_counts(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["graphs"] == 4  # ontology, reference, the seed source, derived
    assert body["quads"] > 2000


def test_sparql_get_returns_json_results(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT_MEMBERS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert len(response.json()["results"]["bindings"]) == 7


def test_sparql_post_form_and_direct_return_the_same(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": SELECT_MEMBERS})
    direct = client.post(
        "/sparql",
        content=SELECT_MEMBERS.encode(),
        headers={"content-type": "application/sparql-query"},
    )
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()


def test_sparql_ask_and_construct(client: TestClient) -> None:
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert ask.json() == {"head": {}, "boolean": True}
    construct = client.get(
        "/sparql",
        params={
            "query": "CONSTRUCT WHERE { ?s a <https://w3id.org/alliancegraph/ontology#Event> }"
        },
    )
    assert construct.headers["content-type"].startswith("text/turtle")
    assert "mwc-2024" in construct.text


def test_sparql_without_query_describes_the_service(client: TestClient) -> None:
    described = client.get("/sparql", headers={"accept": "text/turtle"})
    assert described.status_code == 200
    assert described.headers["content-type"].startswith("text/turtle")
    assert "sparql-service-description#Service" in described.text


def test_sparql_shows_the_query_page_to_a_browser(client: TestClient) -> None:
    page = client.get("/sparql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html")
    assert "Partners of LG Electronics in XR" in page.text
    assert "<script src" not in page.text


def test_sparql_syntax_error_is_a_400_problem(client: TestClient) -> None:
    body = _problem(client.get("/sparql", params={"query": "SELEC ?x"}), 400)
    assert "SPARQL" in str(body["title"])


def test_sparql_updates_need_the_api_key_and_never_run_by_get(client: TestClient) -> None:
    before = client.get("/health").json()["quads"]
    missing = client.post("/sparql", data={"update": "DROP ALL"})
    _problem(missing, 401)
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post(
        "/sparql", data={"update": "DROP ALL"}, headers={"authorization": "Bearer wrong-key-000"}
    )
    _problem(wrong, 403)
    _problem(client.get("/sparql", params={"update": "CLEAR ALL"}), 400)
    _problem(client.get("/sparql", params={"query": "CLEAR ALL"}), 400)
    assert client.get("/health").json()["quads"] == before


def test_sparql_unknown_media_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"ASK {}", headers={"content-type": "text/plain"})
    _problem(response, 415)


def test_sparql_non_utf8_body_is_400(client: TestClient) -> None:
    response = client.post(
        "/sparql", content=b"ASK { \xff }", headers={"content-type": "application/sparql-query"}
    )
    _problem(response, 400)


def test_sparql_body_over_the_limit_is_413(
    settings: Settings, make_store: Callable[[], Store]
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 100})
    with TestClient(create_app(small, make_store())) as test_client:
        response = test_client.post(
            "/sparql",
            content=("ASK { ?s ?p ?o } #" + "x" * 200).encode(),
            headers={"content-type": "application/sparql-query"},
        )
        _problem(response, 413)


def test_ontology_page_is_html_and_rdf_on_request(client: TestClient) -> None:
    page = client.get("/ontology")
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="JointVentureAgreement"' in page.text
    turtle = client.get("/ontology", headers={"accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "ag:Partnership" in turtle.text
    graphs = {}
    for media, rdf_format in [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/n-triples", RdfFormat.N_TRIPLES),
    ]:
        answer = client.get("/ontology", headers={"accept": media})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(media)
        assert answer.headers["vary"] == "Accept"
        dataset = Dataset(parse(answer.content, format=rdf_format))
        dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)  # blank nodes compare
        graphs[media] = {Triple(q.subject, q.predicate, q.object) for q in dataset}
    partnership = Triple(
        NamedNode(AG + "Partnership"),
        NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        NamedNode("http://www.w3.org/2002/07/owl#Class"),
    )
    assert partnership in graphs["text/turtle"]
    assert graphs["application/ld+json"] == graphs["text/turtle"]
    assert graphs["application/n-triples"] == graphs["text/turtle"]
    _problem(client.get("/ontology", headers={"accept": "image/png"}), 406)


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    _problem(client.get("/no/such/thing"), 404)


class _BrokenStore(EmbeddedStore):
    def count(self, graph: object = None) -> int:
        raise RuntimeError("internal detail that must not leak")


class _RefusingStore(EmbeddedStore):
    """A store that refuses the service's own queries, as a remote server may (a 400)."""

    def query(self, sparql: str, **options: Any) -> Any:
        if "rdf-schema#subClassOf" in sparql:
            raise QuerySyntaxError("the store refused the request: internal query text")
        return super().query(sparql, **options)


def test_a_refused_internal_query_is_a_logged_500_and_a_clients_query_a_400(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    store = _RefusingStore()
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as c:
        body = _problem(c.get("/companies"), 500)
        assert "internal query text" not in json.dumps(body)
        assert any("internal query text" in (r.exc_text or "") for r in caplog.records)
        _problem(c.get("/sparql", params={"query": "SELEC ?x"}), 400)


def test_a_bug_is_a_logged_500_without_internals(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(settings, _BrokenStore()), raise_server_exceptions=False) as c:
        response = c.get("/health")
    body = _problem(response, 500)
    assert "internal detail" not in json.dumps(body)
    assert any("internal detail" in (r.exc_text or "") for r in caplog.records)
