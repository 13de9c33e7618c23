"""Ingesting articles over HTTP: create, re-ingest, list, inspect, retract, and every refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pyoxigraph import NamedNode

from service.api.app import create_app
from service.config import Settings
from service.ingest.rdf_load import load_files
from service.iri import organization_iri
from service.store.port import Store
from tests.conftest import EXAMPLES, REFERENCE_GRAPH

KEY = "test-api-key-0001"
AUTH = {"authorization": f"Bearer {KEY}"}
ENGLISH = {
    "url": "https://news.example.com/2025/06/02/lg-meta-xr",
    "title": "LG Electronics and Meta widen their XR work",
    "publisher": "Example Business Daily",
    "published": "2025-06-02",
    "language": "en",
    "text": (
        "Seoul, June 2. LG Electronics said it will co-develop extended reality headsets with "
        "Meta Platforms for release next year.\n\nThe companies did not disclose terms."
    ),
}
KOREAN = {
    "url": "https://news.example.com/2025/06/03/kia-uber",
    "published": "2025-06-03",
    "text": "기아는 우버와 목적기반모빌리티(PBV) 분야 업무협약을 맺었다고 3일 밝혔다.",
}


@pytest.fixture
def client(settings: Settings, make_store: Callable[[], Store]) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"api_key": SecretStr(KEY)})
    with TestClient(create_app(configured, make_store())) as test_client:
        context = test_client.app.state.context  # type: ignore[attr-defined]
        load_files(
            context.store,
            context.shapes,
            sorted((EXAMPLES / "reference").glob("*.ttl")),
            context.graphs,
            graph=NamedNode(REFERENCE_GRAPH),
        )
        yield test_client


def _snapshot(client: TestClient) -> list[str]:
    store = client.app.state.context.store  # type: ignore[attr-defined]
    return sorted(str(q) for q in store.quads())


def _ask(client: TestClient, query: str) -> bool:
    return bool(client.get("/sparql", params={"query": query}).json()["boolean"])


def test_an_english_article_becomes_a_source_graph_with_its_relationship(
    client: TestClient,
) -> None:
    response = client.post("/sources/articles", json=ENGLISH, headers=AUTH)
    assert response.status_code == 201, response.text
    body = response.json()
    lg, meta = organization_iri("LG Electronics"), organization_iri("Meta Platforms")
    [relationship] = body["relationships"]
    assert relationship["type"] == "CoDevelopment"
    assert set(relationship["participants"]) == {lg, meta}
    assert relationship["domains"] == ["XR"]
    assert body["graph"].endswith("/source/" + body["id"])
    assert _ask(client, f"ASK {{ GRAPH <{body['graph']}> {{ <{relationship['iri']}> ?p ?o }} }}")
    assert _ask(
        client, f"ASK {{ <{lg}> <https://w3id.org/alliancegraph/ontology#partnerOf> <{meta}> }}"
    )


def test_a_korean_article_resolves_korean_names(client: TestClient) -> None:
    response = client.post("/sources/articles", json=KOREAN, headers=AUTH)
    assert response.status_code == 201, response.text
    [relationship] = response.json()["relationships"]
    assert relationship["type"] == "MemorandumOfUnderstanding"
    assert set(relationship["participants"]) == {organization_iri("Kia"), organization_iri("Uber")}
    assert relationship["domains"] == ["PBV"]


def test_ingesting_the_same_article_again_replaces_it(client: TestClient) -> None:
    first = client.post("/sources/articles", json=ENGLISH, headers=AUTH)
    before = _snapshot(client)
    again = client.post("/sources/articles", json=ENGLISH, headers=AUTH)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert _snapshot(client) == before


def test_sources_are_listed_newest_first_and_described(client: TestClient) -> None:
    english = client.post("/sources/articles", json=ENGLISH, headers=AUTH).json()
    korean = client.post("/sources/articles", json=KOREAN, headers=AUTH).json()
    page = client.get("/sources", params={"limit": 1}).json()
    assert page["total"] == 2
    assert [item["id"] for item in page["items"]] == [korean["id"]]
    second = client.get("/sources", params={"limit": 1, "offset": 1}).json()
    assert [item["id"] for item in second["items"]] == [english["id"]]
    detail = client.get(f"/sources/{english['id']}").json()
    assert detail["title"] == ENGLISH["title"]
    assert detail["url"] == ENGLISH["url"]
    assert detail["relationships"] == 1
    assert detail["evidence"] == 1


def test_retracting_a_source_removes_what_only_it_supported(client: TestClient) -> None:
    english = client.post("/sources/articles", json=ENGLISH, headers=AUTH).json()
    copy = {**ENGLISH, "url": "https://other.example.com/lg-meta", "title": "Another report"}
    other = client.post("/sources/articles", json=copy, headers=AUTH).json()
    [relationship] = english["relationships"]
    assert other["relationships"][0]["iri"] == relationship["iri"]
    lg, meta = organization_iri("LG Electronics"), organization_iri("Meta Platforms")
    partner = f"ASK {{ <{lg}> <https://w3id.org/alliancegraph/ontology#partnerOf> <{meta}> }}"

    assert client.delete(f"/sources/{english['id']}", headers=AUTH).status_code == 204
    assert client.get(f"/sources/{english['id']}").status_code == 404
    assert _ask(client, f"ASK {{ <{relationship['iri']}> a ?type }}")
    assert _ask(client, partner)

    assert client.delete(f"/sources/{other['id']}", headers=AUTH).status_code == 204
    assert not _ask(client, f"ASK {{ <{relationship['iri']}> a ?type }}")
    assert not _ask(client, partner)
    assert client.delete(f"/sources/{other['id']}", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b'{"published": "2025-01-01", "text": "x",}', {"content-type": "application/json"}, 400),
        (b'{"text": "no date"}', {"content-type": "application/json"}, 400),
        (b'{"published": "2025-01-01", "text": ""}', {"content-type": "application/json"}, 400),
        (
            b'{"published": "2025-01-01", "text": "x", "url": "not a url"}',
            {"content-type": "application/json"},
            400,
        ),
        (b"published: 2025", {"content-type": "text/plain"}, 415),
    ],
)
def test_bad_articles_are_refused_and_nothing_is_written(
    client: TestClient, body: bytes, headers: dict[str, str], status: int
) -> None:
    before = _snapshot(client)
    response = client.post("/sources/articles", content=body, headers={**headers, **AUTH})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert _snapshot(client) == before


def test_malformed_json_names_line_and_column(client: TestClient) -> None:
    response = client.post(
        "/sources/articles",
        content=b'{\n  "published": "2025-01-01",\n  "text": oops\n}',
        headers={"content-type": "application/json", **AUTH},
    )
    assert response.status_code == 400
    assert response.json()["line"] == 3
    assert response.json()["column"] == 11


def test_writes_need_the_api_key(client: TestClient) -> None:
    assert client.post("/sources/articles", json=ENGLISH).status_code == 401
    assert client.delete("/sources/abc").status_code == 401


def test_a_malformed_source_id_is_a_400(client: TestClient) -> None:
    assert client.get("/sources/bad id!").status_code == 400


SOURCE_TTL = """@prefix ag: <https://w3id.org/alliancegraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
<https://w3id.org/alliancegraph/id/source/upload-1> a ag:NewsArticle ;
    schema:datePublished "2025-04-01"^^xsd:date .
<https://w3id.org/alliancegraph/id/rel/upload-1> a ag:SupplyAgreement ;
    ag:participant <https://w3id.org/alliancegraph/id/org/kia> ,
                   <https://w3id.org/alliancegraph/id/org/uber> ;
    prov:wasDerivedFrom <https://w3id.org/alliancegraph/id/source/upload-1> ;
    prov:qualifiedDerivation <https://w3id.org/alliancegraph/id/evidence/upload-1> .
<https://w3id.org/alliancegraph/id/evidence/upload-1> a ag:Evidence ;
    prov:entity <https://w3id.org/alliancegraph/id/source/upload-1> ;
    ag:quote "Kia will supply vans to Uber." ; ag:confidence 0.8 .
<https://w3id.org/alliancegraph/id/org/kia> a ag:Firm ; rdfs:label "Kia"@en .
<https://w3id.org/alliancegraph/id/org/uber> a ag:Firm ; rdfs:label "Uber"@en .
"""


def test_an_rdf_document_becomes_a_source(client: TestClient) -> None:
    headers = {"content-type": "text/turtle", **AUTH}
    created = client.post(
        "/sources/rdf", params={"graph": "upload-1"}, content=SOURCE_TTL.encode(), headers=headers
    )
    assert created.status_code == 201, created.text
    assert created.json()["graph"].endswith("/graph/source/upload-1")
    again = client.post(
        "/sources/rdf", params={"graph": "upload-1"}, content=SOURCE_TTL.encode(), headers=headers
    )
    assert again.status_code == 200
    kia, uber = organization_iri("Kia"), organization_iri("Uber")
    assert _ask(
        client, f"ASK {{ <{kia}> <https://w3id.org/alliancegraph/ontology#partnerOf> <{uber}> }}"
    )
    assert client.get("/sources/upload-1").json()["relationships"] == 1


def test_an_rdf_source_that_is_not_self_contained_is_422(client: TestClient) -> None:
    before = _snapshot(client)
    partial = SOURCE_TTL.replace(
        '<https://w3id.org/alliancegraph/id/org/uber> a ag:Firm ; rdfs:label "Uber"@en .\n', ""
    )
    response = client.post(
        "/sources/rdf", content=partial.encode(), headers={"content-type": "text/turtle", **AUTH}
    )
    assert response.status_code == 422
    assert _snapshot(client) == before


def test_an_rdf_source_with_a_syntax_error_is_400_with_position(client: TestClient) -> None:
    response = client.post(
        "/sources/rdf", content=b"<a> <b> .", headers={"content-type": "text/turtle", **AUTH}
    )
    assert response.status_code == 400
    assert response.json()["line"] == 1


RECORDS: list[dict[str, object]] = [
    {
        "kind": "firm",
        "source_url": "https://registry.example.com/hanwha-ocean",
        "name": "Hanwha Ocean",
        "name_ko": "한화오션",
        "aliases": ["Hanwha Ocean Co., Ltd."],
        "country": "Q884",
    },
    {
        "kind": "mou",
        "source_url": "https://registry.example.com/hanwha-ocean",
        "participants": ["한화오션", "Siemens"],
        "domains": ["shipbuilding", "digital-twin"],
        "date": "2025-05",
        "status": "Signed",
    },
    {
        "kind": "membership",
        "source_url": "https://registry.example.com/ai-ran",
        "member": "SK Telecom",
        "alliance": "AI-RAN Alliance",
        "quote": "SK Telecom joined the AI-RAN Alliance.",
    },
]


def test_records_become_one_source_per_url(client: TestClient) -> None:
    response = client.post("/sources/records", json=RECORDS, headers=AUTH)
    assert response.status_code == 201, response.text
    results = response.json()
    assert len(results) == 2
    hanwha = organization_iri("Hanwha Ocean")
    siemens = organization_iri("Siemens")
    [mou] = results[0]["relationships"]
    assert mou["type"] == "MemorandumOfUnderstanding"
    assert set(mou["participants"]) == {hanwha, siemens}
    assert _ask(
        client,
        f'ASK {{ <{hanwha}> <http://www.w3.org/2000/01/rdf-schema#label> "한화오션"@ko ; '
        "<https://w3id.org/alliancegraph/ontology#country> "
        "<http://www.wikidata.org/entity/Q884> }",
    )
    assert _ask(
        client,
        f"ASK {{ ?m <https://w3id.org/alliancegraph/ontology#member> "
        f"<{organization_iri('SK Telecom')}> ; <https://w3id.org/alliancegraph/ontology#alliance> "
        f"<{organization_iri('AI-RAN Alliance')}> }}",
    )
    again = client.post("/sources/records", json=RECORDS, headers=AUTH)
    assert again.status_code == 200


def test_records_as_csv(client: TestClient) -> None:
    csv_text = (
        "kind,source_url,participants,domains,date\n"
        "partnership,https://registry.example.com/csv,Kia; Uber,PBV,2025\n"
    )
    response = client.post(
        "/sources/records", content=csv_text.encode(), headers={"content-type": "text/csv", **AUTH}
    )
    assert response.status_code == 201, response.text
    [result] = response.json()
    assert result["relationships"][0]["domains"] == ["PBV"]


def test_a_bad_record_refuses_the_whole_request(client: TestClient) -> None:
    before = _snapshot(client)
    bad = [
        *RECORDS,
        {"kind": "mou", "source_url": "https://x.example.com", "participants": ["Kia"]},
    ]
    response = client.post("/sources/records", json=bad, headers=AUTH)
    assert response.status_code == 400
    assert "two or more distinct participants" in response.json()["detail"]
    unknown_domain = [{**RECORDS[1], "domains": ["Blockchain"]}]
    assert client.post("/sources/records", json=unknown_domain, headers=AUTH).status_code == 422
    assert _snapshot(client) == before


def test_names_written_by_other_paths_are_known_to_the_next_ingest(client: TestClient) -> None:
    assert client.post("/sources/articles", json=ENGLISH, headers=AUTH).status_code == 201
    hanwha = organization_iri("Hanwha Ocean")
    firm = (
        f"<{hanwha}> a <https://w3id.org/alliancegraph/ontology#Firm> ; "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Hanwha Ocean"@en .\n'
    )
    put = client.put(
        "/store",
        params={"graph": "https://w3id.org/alliancegraph/graph/curated"},
        content=firm.encode(),
        headers={"content-type": "text/turtle", **AUTH},
    )
    assert put.status_code == 201, put.text
    article = {
        "url": "https://news.example.com/hanwha-siemens",
        "published": "2025-06-04",
        "text": "Hanwha Ocean and Siemens signed an MOU on shipbuilding software.",
    }
    response = client.post("/sources/articles", json=article, headers=AUTH)
    [relationship] = response.json()["relationships"]
    assert set(relationship["participants"]) == {hanwha, organization_iri("Siemens")}
