"""``/reconcile``: the Reconciliation Service API v0.2 over the example data, as OpenRefine
uses it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.openapi.utils import get_openapi
from fastapi.testclient import TestClient
from httpx2 import Response
from pydantic import SecretStr
from pyoxigraph import Literal, NamedNode, Triple

from service.api.app import create_app
from service.api.routers.reconcile import router as reconcile_router
from service.config import Settings
from service.namespaces import AG, RDF, RDFS
from service.store.port import Store
from tests.conftest import load_examples

KEY = "test-api-key-0001"
ORG = "https://w3id.org/alliancegraph/id/org/"
PROBLEM = "application/problem+json"
FORM_TYPE = "application/x-www-form-urlencoded"


def _client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as test_client:
        load_examples(test_client.app.state.context)  # type: ignore[attr-defined]
        yield test_client


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, make_store: Callable[[], Store]
) -> Iterator[TestClient]:
    """One app over the example data for the tests that only read."""
    yield from _client(Settings(store=tmp_path_factory.mktemp("reconcile")), make_store())


@pytest.fixture
def own_client(settings: Settings, make_store: Callable[[], Store]) -> Iterator[TestClient]:
    """An app of its own, for a test that writes."""
    yield from _client(settings, make_store())


def _ask(client: TestClient, **queries: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.text
    return {key: value["result"] for key, value in response.json().items()}


def _one(client: TestClient, query: str, **extra: Any) -> list[dict[str, Any]]:
    return _ask(client, q0={"query": query, **extra})["q0"]


def _problem(response: Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    detail: str = body["detail"]
    return detail


# --- the manifest -------------------------------------------------------------------------------


def test_a_plain_get_answers_the_service_manifest(client: TestClient) -> None:
    response = client.get("/reconcile")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    manifest = response.json()
    assert manifest["versions"] == ["0.2"]
    assert manifest["name"] == "AllianceGraph"
    assert manifest["identifierSpace"] == ORG
    assert manifest["schemaSpace"] == AG
    assert [t["id"] for t in manifest["defaultTypes"]] == [
        "Firm",
        "Organization",
        "BusinessGroup",
        "Alliance",
        "JointVenture",
    ]
    assert manifest["defaultTypes"][0] == {"id": "Firm", "name": "Firm"}
    assert all(t["name"] for t in manifest["defaultTypes"])
    assert manifest["view"] == {"url": ORG + "{{id}}"}
    assert isinstance(manifest["batchSize"], int)
    assert manifest["batchSize"] >= 1


def test_the_manifest_follows_the_configured_base_iri(
    tmp_path: Any, make_store: Callable[[], Store]
) -> None:
    settings = Settings(store=tmp_path / "store", base_iri="https://example.org/ag/")
    with TestClient(create_app(settings, make_store())) as test_client:
        manifest = test_client.get("/reconcile").json()
    assert manifest["identifierSpace"] == "https://example.org/ag/org/"
    assert manifest["view"]["url"] == "https://example.org/ag/org/{{id}}"


def test_the_view_template_gives_the_iri_of_a_candidate(client: TestClient) -> None:
    template = client.get("/reconcile").json()["view"]["url"]
    [best, *_] = _one(client, "삼성전자")
    assert template.replace("{{id}}", best["id"]) == ORG + "samsung-electronics"


def test_the_endpoint_is_in_the_openapi_document_with_typed_models() -> None:
    # The router's own document: the whole app's is another router's business.
    document = get_openapi(title="t", version="0", routes=reconcile_router.routes)
    operations = document["paths"]["/reconcile"]
    assert set(operations) == {"get", "post"}
    schemas = document["components"]["schemas"]
    assert {"ServiceManifest", "QueryResultOut", "CandidateOut"} <= set(schemas)
    content = operations["post"]["requestBody"]["content"]
    assert {"application/x-www-form-urlencoded", "application/json"} <= set(content)
    assert "$ref" not in json.dumps(content)


# --- OpenRefine's request shapes ----------------------------------------------------------------

OPENREFINE_BATCH = {
    "q0": {"query": "삼성전자", "type": "Firm", "type_strict": "should"},
    "q1": {"query": "Kia Motors", "type": "Firm", "type_strict": "should", "limit": 3},
}


def _check_batch(body: dict[str, Any]) -> None:
    assert set(body) == {"q0", "q1"}
    best = body["q0"]["result"][0]
    assert best["id"] == "samsung-electronics"
    assert best["name"] == "삼성전자"
    assert best["type"] == [{"id": "Firm", "name": "Firm"}]
    assert best["score"] == 100
    assert best["match"] is True
    assert body["q1"]["result"][0]["id"] == "kia"
    assert len(body["q1"]["result"]) <= 3


def test_a_form_post_of_queries_as_openrefine_sends_it(client: TestClient) -> None:
    response = client.post(
        "/reconcile",
        content="queries=" + quote(json.dumps(OPENREFINE_BATCH), safe=""),
        headers={"content-type": "application/x-www-form-urlencoded; charset=UTF-8"},
    )
    assert response.status_code == 200, response.text
    _check_batch(response.json())


def test_queries_in_the_url_of_a_get(client: TestClient) -> None:
    response = client.get("/reconcile", params={"queries": json.dumps(OPENREFINE_BATCH)})
    assert response.status_code == 200, response.text
    _check_batch(response.json())


def test_queries_in_a_json_body(client: TestClient) -> None:
    response = client.post("/reconcile", json={"queries": OPENREFINE_BATCH})
    assert response.status_code == 200, response.text
    _check_batch(response.json())
    as_text = client.post("/reconcile", json={"queries": json.dumps(OPENREFINE_BATCH)})
    assert as_text.json() == response.json()


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "삼성전자",
        "Samsung Electronics",
        "Samsung Electronics Co., Ltd.",
        "samsung  electronics",
        "SAMSUNG ELECTRONICS",
        "삼성전자 주식회사",
        "삼성전자㈜",
        "(주)삼성전자",
        "Ｓａｍｓｕｎｇ　Ｅｌｅｃｔｒｏｎｉｃｓ",
        "三星電子",
    ],
)
def test_korean_and_english_spellings_match_exactly(client: TestClient, name: str) -> None:
    [best, *others] = _one(client, name)
    assert best["id"] == "samsung-electronics"
    assert best["score"] == 100
    assert best["match"] is True
    assert all(c["score"] < 100 and not c["match"] for c in others)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("SoftBank Corp.", "softbank-corp"),
        ("Stellantis N.V.", "stellantis"),
        ("Nokia Oyj", "nokia"),
        ("㈜LG", "lg-corporation"),
        ("LG전자 주식회사", "lg-electronics"),
        ("Siemens AG", "siemens"),
        ("Ford Motor Company", "ford-motor-company"),
    ],
)
def test_legal_forms_do_not_keep_a_name_from_matching(
    client: TestClient, name: str, slug: str
) -> None:
    [best, *_] = _one(client, name)
    assert (best["id"], best["score"], best["match"]) == (slug, 100, True)


def test_the_name_shown_is_in_the_language_of_the_query(client: TestClient) -> None:
    [korean, *_] = _one(client, "엘지전자")
    [english, *_] = _one(client, "LG Electronics Inc.")
    assert korean["id"] == english["id"] == "lg-electronics"
    assert (korean["name"], korean["description"]) == ("LG전자", "LG Electronics")
    assert (english["name"], english["description"]) == ("LG Electronics", "LG전자")


def test_an_unknown_name_has_no_candidate(client: TestClient) -> None:
    assert _one(client, "Zyxwv Quantum Foods") == []
    assert _one(client, "") == []
    assert _one(client, "   ") == []


# --- ranking ------------------------------------------------------------------------------------


def test_a_prefix_ranks_below_the_exact_name(client: TestClient) -> None:
    candidates = _one(client, "삼성")
    assert candidates[0]["id"] == "samsung-group"
    assert (candidates[0]["score"], candidates[0]["match"]) == (100, True)
    others = {c["id"]: c for c in candidates[1:]}
    assert {"samsung-electronics", "samsung-sdi"} <= set(others)
    assert all(50 <= c["score"] <= 90 and c["match"] is False for c in others.values())


def test_a_misspelt_name_is_a_fuzzy_candidate_that_is_not_a_match(client: TestClient) -> None:
    for misspelt in ("Samsung Electornics", "Samsung Electronic", "Deutsch Telekom"):
        [best, *_] = _one(client, misspelt)
        assert best["id"] in ("samsung-electronics", "deutsche-telekom")
        assert 50 <= best["score"] <= 90
        assert best["match"] is False


def test_candidates_are_sorted_by_score(client: TestClient) -> None:
    candidates = _one(client, "Hyundai", limit=20)
    scores = [c["score"] for c in candidates]
    assert scores == sorted(scores, reverse=True)
    assert candidates[0]["id"] == "hyundai-motor-company"
    assert [c["match"] for c in candidates].count(True) == 1


def test_limit_caps_the_candidates_and_defaults_to_five(client: TestClient) -> None:
    assert len(_one(client, "Hyundai Motors", limit=20)) > 5
    assert len(_one(client, "Hyundai Motors")) == 5
    [only] = _one(client, "Hyundai Motors", limit=1)
    assert only["id"] == "hyundai-motor-company"


def test_match_is_true_only_for_a_unique_exact_name(own_client: TestClient) -> None:
    assert _one(own_client, "Samsung Electronics")[0]["match"] is True
    twin = NamedNode(ORG + "samsung-electronics-alliance")
    label = Literal("Samsung Electronics", language="en")
    store = own_client.app.state.context.store  # type: ignore[attr-defined]
    store.replace_graphs(
        {
            NamedNode("https://w3id.org/alliancegraph/graph/source/twin"): [
                Triple(twin, NamedNode(RDF + "type"), NamedNode(AG + "Alliance")),
                Triple(twin, NamedNode(RDFS + "label"), label),
            ]
        }
    )
    candidates = _one(own_client, "Samsung Electronics")
    exact = [c for c in candidates if c["score"] == 100]
    assert {c["id"] for c in exact} == {"samsung-electronics", "samsung-electronics-alliance"}
    assert not any(c["match"] for c in candidates)
    korean = _one(own_client, "Samsung Electronics", properties=[{"pid": "country", "v": "Q884"}])
    assert not any(c["match"] for c in korean)
    # A type that only one of the two fits leaves one exact candidate: a match again.
    [firm, *_] = _one(own_client, "Samsung Electronics", type="Firm")
    assert (firm["id"], firm["match"]) == ("samsung-electronics", True)


def test_labels_of_the_linked_wikidata_item_are_names_too(own_client: TestClient) -> None:
    assert _one(own_client, "起亚") == []
    store = own_client.app.state.context.store  # type: ignore[attr-defined]
    kia = NamedNode("http://www.wikidata.org/entity/Q35349")
    store.replace_graphs(
        {
            NamedNode("https://w3id.org/alliancegraph/graph/wikidata"): [
                Triple(kia, NamedNode(RDFS + "label"), Literal("起亚", language="zh")),
            ]
        }
    )
    [best] = _one(own_client, "起亚")
    assert (best["id"], best["name"], best["match"]) == ("kia", "Kia", True)


# --- types --------------------------------------------------------------------------------------


def test_a_type_filters_candidates_by_class(client: TestClient) -> None:
    [alliance] = _one(client, "AI-RAN Alliance", type="Alliance")
    assert alliance["id"] == "ai-ran-alliance"
    assert alliance["type"] == [{"id": "Alliance", "name": "Alliance"}]
    assert alliance["match"] is True
    assert _one(client, "AI-RAN Alliance", type="Firm") == []
    assert [c["id"] for c in _one(client, "AI-RAN 얼라이언스", type=AG + "Alliance")] == [
        "ai-ran-alliance"
    ]


def test_a_type_admits_its_subclasses(client: TestClient) -> None:
    for name, slug in (("AI-RAN Alliance", "ai-ran-alliance"), ("SK Group", "sk-group")):
        [best, *_] = _one(client, name, type="Organization")
        assert (best["id"], best["match"]) == (slug, True)
    assert "sk-group" not in {c["id"] for c in _one(client, "SK Group", type="Firm")}
    assert all(c["type"][0]["id"] == "Firm" for c in _one(client, "SK", type="Firm"))


def test_type_strict_all_needs_every_type(client: TestClient) -> None:
    both = {"type": ["Organization", "Firm"], "type_strict": "all"}
    assert _one(client, "SK Telecom", **both)[0]["id"] == "sk-telecom"
    assert "sk-group" not in {c["id"] for c in _one(client, "SK Group", **both)}
    either = {"type": ["Alliance", "BusinessGroup"], "type_strict": "any"}
    assert {c["type"][0]["id"] for c in _one(client, "SK", **either)} <= {
        "Alliance",
        "BusinessGroup",
    }


# --- properties ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["Q17", "wd:Q17", "http://www.wikidata.org/entity/Q17", {"id": "Q17", "name": "Japan"}],
)
def test_an_agreeing_country_raises_the_score(client: TestClient, value: object) -> None:
    plain = {c["id"]: c["score"] for c in _one(client, "SoftBank Group")}
    with_country = _one(client, "SoftBank Group", properties=[{"pid": "country", "v": value}])
    assert with_country[0]["id"] == "softbank-group"
    assert with_country[0]["match"] is True
    raised = {c["id"]: c["score"] for c in with_country}
    for japanese in ("softbank-group", "softbank-corp"):
        assert raised[japanese] > plain[japanese]


def test_a_differing_country_lowers_the_score_and_is_no_match(client: TestClient) -> None:
    plain = _one(client, "SoftBank")
    assert (plain[0]["id"], plain[0]["match"]) == ("softbank-corp", True)
    korean = _one(client, "SoftBank", properties=[{"pid": "country", "v": "Q884"}])
    assert korean[0]["id"] == "softbank-corp"
    assert korean[0]["score"] < plain[0]["score"]
    assert korean[0]["match"] is False


def test_a_country_given_as_a_list_agrees_when_one_does(client: TestClient) -> None:
    countries = [{"pid": "ag:country", "v": ["Q884", "Q30"]}]
    [meta, *_] = _one(client, "Meta", properties=countries)
    assert (meta["id"], meta["match"]) == ("meta-platforms", True)
    assert meta["score"] > 100


def test_a_blank_country_is_no_country(client: TestClient) -> None:
    blank = _one(client, "SoftBank", properties=[{"pid": "country", "v": " "}])
    assert blank == _one(client, "SoftBank")


# --- refusals -----------------------------------------------------------------------------------


def test_malformed_queries_json_is_a_problem_saying_where(client: TestClient) -> None:
    response = client.post("/reconcile", data={"queries": '{"q0": {"query": "삼성전자"'})
    detail = _problem(response)
    assert "malformed JSON" in detail
    assert response.json()["line"] == 1
    assert response.json()["column"] >= 1
    detail = _problem(client.get("/reconcile", params={"queries": "{q0: 1}"}))
    assert "line 1, column 2" in detail


@pytest.mark.parametrize(
    ("queries", "where"),
    [
        ("[]", "queries"),
        ('"q0"', "queries"),
        ('{"q0": "삼성전자"}', "queries.q0"),
        ('{"q0": {}}', "queries.q0.query"),
        ('{"q0": {"query": 12}}', "queries.q0.query"),
        ('{"q0": {"query": "x", "limit": 0}}', "queries.q0.limit"),
        ('{"q0": {"query": "x", "type_strict": "most"}}', "queries.q0.type_strict"),
        ('{"q0": {"query": "x", "properties": [{"pid": "ceo", "v": "x"}]}}', "properties.0.pid"),
        ('{"q0": {"query": "x", "properties": [{"pid": "country", "v": "Korea"}]}}', ".v"),
        ('{"q0": {"query": "x", "type": "Person"}}', "queries.q0.type"),
        ("[" * 100_000, "queries"),
    ],
)
def test_invalid_queries_are_refused_with_where_and_what(
    client: TestClient, queries: str, where: str
) -> None:
    detail = _problem(client.post("/reconcile", data={"queries": queries}))
    assert where in detail


def test_an_unknown_property_is_refused(client: TestClient) -> None:
    response = client.post(
        "/reconcile",
        json={"queries": {"q0": {"query": "Kia", "properties": [{"pid": "P17", "v": "Q884"}]}}},
    )
    assert "unknown property 'P17'" in _problem(response)


def test_a_long_query_key_is_not_echoed_whole(client: TestClient) -> None:
    key = "k" * 50_000
    detail = _problem(client.post("/reconcile", json={"queries": {key: {"query": 1}}}))
    assert detail.startswith("queries.kkk")
    assert len(detail) < 500


def test_too_many_queries_are_refused(client: TestClient) -> None:
    queries = {f"q{i}": {"query": "Kia"} for i in range(1001)}
    assert "at most 1000" in _problem(client.post("/reconcile", json={"queries": queries}))


def test_malformed_post_bodies_are_refused(client: TestClient) -> None:
    _problem(client.post("/reconcile", data={"query": "삼성전자"}))
    _problem(client.post("/reconcile", content=b"{", headers={"content-type": "application/json"}))
    _problem(client.post("/reconcile", json={"q0": {"query": "x"}}))
    _problem(client.post("/reconcile", content=b"queries=%FF", headers={"content-type": FORM_TYPE}))
    _problem(
        client.post("/reconcile", content=b"queries=x", headers={"content-type": "text/plain"}),
        415,
    )


def test_a_body_over_the_limit_is_refused(tmp_path: Any, make_store: Callable[[], Store]) -> None:
    settings = Settings(store=tmp_path / "store", max_body_bytes=1000)
    with TestClient(create_app(settings, make_store())) as test_client:
        response = test_client.post("/reconcile", data={"queries": "x" * 2000})
    _problem(response, 413)


@pytest.mark.parametrize(
    "text",
    [
        '삼성전자" } UNION { ?s ?p ?o } #',
        "Samsung'; DROP ALL; --",
        "}}} GRAPH ?g { ?s ?p ?o } {{{",
        "# comment\nSELECT * WHERE { ?s ?p ?o }",
        "<https://w3id.org/alliancegraph/id/org/kia>",
        "{{id}}",
        "\\u0000\x00\x7f\ud7a3",
        "삼성전자\n\n\t",
        "x" * 100_000,
        "삼" * 50_000,
    ],
)
def test_injection_looking_names_are_plain_text(client: TestClient, text: str) -> None:
    store = client.app.state.context.store  # type: ignore[attr-defined]
    before = store.count()
    results = _ask(client, q0={"query": text}, q1={"query": text, "type": "Firm"})
    assert store.count() == before
    for candidates in results.values():
        assert all(ORG + c["id"] != text for c in candidates)
        assert all(c["score"] <= 100 for c in candidates)
    if text.strip() == "삼성전자":
        assert results["q0"][0]["id"] == "samsung-electronics"


# --- who may read -------------------------------------------------------------------------------


def test_reads_need_the_key_when_the_server_requires_it(
    tmp_path: Any, make_store: Callable[[], Store]
) -> None:
    settings = Settings(store=tmp_path / "store", require_read_auth=True, api_key=SecretStr(KEY))
    queries = json.dumps({"q0": {"query": "Kia"}})
    with TestClient(create_app(settings, make_store())) as test_client:
        _problem(test_client.get("/reconcile"), 401)
        _problem(test_client.post("/reconcile", data={"queries": queries}), 401)
        _problem(test_client.get("/reconcile", headers={"authorization": "Bearer wrong-key"}), 403)
        auth = {"authorization": f"Bearer {KEY}"}
        assert test_client.get("/reconcile", headers=auth).status_code == 200
        response = test_client.post("/reconcile", data={"queries": queries}, headers=auth)
        assert response.status_code == 200
        assert response.json() == {"q0": {"result": []}}
