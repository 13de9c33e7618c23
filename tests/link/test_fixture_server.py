"""The Wikidata-shaped fixture, the oxigraph server over it, and the stub server for failures."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Store

from tests.wikidata_server import (
    FIXTURE,
    WIKIDATA_DIRECT,
    WIKIDATA_ENTITY,
    StubResponse,
    WikidataServer,
    is_decoy,
    refused_url,
    stub_server,
    wikidata_server,
)

PREFIXES = """
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")

# The firms of the seed article that the Wikidata table leaves out (shared/wikidata/README.md).
LEFT_OUT = [
    "HD Hyundai",
    "HD Korea Shipbuilding & Offshore Engineering",
    "HD Hyundai Heavy Industries",
    "Hyundai Mipo Dockyard",
    "Hyundai Samho Heavy Industries",
    "Siemens Digital Industries Software",
    "Singtel",
    "Uber",
    "LG Energy Solution",
    "Samsung SDI",
    "SK On",
    "AI-RAN Alliance",
]


def entity(qid: str) -> NamedNode:
    return NamedNode(WIKIDATA_ENTITY + qid)


def direct(pid: str) -> NamedNode:
    return NamedNode(WIKIDATA_DIRECT + pid)


def qid_of(iri: str) -> str:
    assert iri.startswith(WIKIDATA_ENTITY), iri
    return iri.removeprefix(WIKIDATA_ENTITY)


def entities(shared: Path) -> list[dict[str, str]]:
    with (shared / "wikidata" / "entities.tsv").open(encoding="utf-8", newline="") as table:
        return list(csv.DictReader(table, delimiter="\t"))


def select(server: WikidataServer, query: str, *, method: str = "GET") -> list[dict[str, str]]:
    """Run a SELECT through the server's SPARQL endpoint; each row maps variables to values."""
    headers = {"Accept": "application/sparql-results+json"}
    if method == "GET":
        response = httpx.get(
            server.query_url, params={"query": PREFIXES + query}, headers=headers, timeout=10
        )
    else:
        response = httpx.post(
            server.query_url, data={"query": PREFIXES + query}, headers=headers, timeout=10
        )
    assert response.status_code == 200, response.text
    results = json.loads(response.text)
    return [
        {name: binding["value"] for name, binding in row.items()}
        for row in results["results"]["bindings"]
    ]


@pytest.fixture(scope="module")
def fixture_store() -> Store:
    store = Store()
    store.load(path=FIXTURE, format=RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WikidataServer]:
    with wikidata_server(workdir=tmp_path_factory.mktemp("wikidata")) as server:
        yield server


def objects(store: Store, item: NamedNode, predicate: NamedNode) -> set[object]:
    return {quad.object for quad in store.quads_for_pattern(item, predicate, None)}


def subjects(store: Store) -> set[str]:
    return {
        quad.subject.value
        for quad in store.quads_for_pattern(None, None, None)
        if isinstance(quad.subject, NamedNode)
    }


def test_the_fixture_parses_and_uses_wikidata_iris(fixture_store: Store) -> None:
    assert len(fixture_store) > 300
    for quad in fixture_store.quads_for_pattern(None, None, None):
        assert isinstance(quad.subject, NamedNode)
        assert quad.subject.value.startswith(WIKIDATA_ENTITY), quad
        assert quad.predicate in (RDFS_LABEL, SKOS_ALT_LABEL) or quad.predicate.value.startswith(
            WIKIDATA_DIRECT
        ), quad


@pytest.mark.server
def test_a_korean_label_finds_samsung_electronics(wikidata: WikidataServer) -> None:
    rows = select(wikidata, 'SELECT ?item WHERE { ?item rdfs:label "삼성전자"@ko }')
    assert [qid_of(row["item"]) for row in rows] == ["Q20718"]


@pytest.mark.server
def test_the_endpoint_takes_form_posts_and_refuses_updates(wikidata: WikidataServer) -> None:
    rows = select(
        wikidata,
        'SELECT ?item WHERE { ?item skos:altLabel "SKT"@en ; wdt:P17 wd:Q884 }',
        method="POST",
    )
    assert [qid_of(row["item"]) for row in rows] == ["Q493145"]
    update = httpx.post(
        wikidata.base + "/update",
        content=PREFIXES + "INSERT DATA { wd:Q1 rdfs:label 'x' }",
        headers={"Content-Type": "application/sparql-update"},
        timeout=10,
    )
    assert update.status_code >= 400


@pytest.mark.server
def test_the_business_chain_holds_for_every_org_and_for_nothing_else(
    wikidata: WikidataServer, shared: Path
) -> None:
    rows = select(wikidata, "SELECT DISTINCT ?item WHERE { ?item wdt:P31/wdt:P279* wd:Q4830453 }")
    found = {qid_of(row["item"]) for row in rows}
    orgs = {row["qid"] for row in entities(shared) if row["kind"] == "org"}
    assert found == orgs
    assert not any(is_decoy(qid) for qid in found)


def test_every_row_of_the_table_is_in_the_fixture(fixture_store: Store, shared: Path) -> None:
    for row in entities(shared):
        item = entity(row["qid"])
        labels = objects(fixture_store, item, RDFS_LABEL)
        assert Literal(row["label_en"], language="en") in labels, row
        if row["label_ko"]:
            assert Literal(row["label_ko"], language="ko") in labels, row
        aliases = objects(fixture_store, item, SKOS_ALT_LABEL)
        for alias in filter(None, row["aliases"].split("|")):
            language = "ko" if HANGUL.search(alias) else "en"
            assert Literal(alias, language=language) in aliases, (row["qid"], alias)
        if row["instance_of"]:
            assert entity(row["instance_of"]) in objects(fixture_store, item, direct("P31"))
        if row["country"]:
            assert objects(fixture_store, item, direct("P17")) == {entity(row["country"])}


def test_decoys_are_in_the_reserved_range(fixture_store: Store, shared: Path) -> None:
    known = {row["qid"] for row in entities(shared)} | {"Q5"}
    extra = {qid_of(iri) for iri in subjects(fixture_store)} - known
    assert extra, "the fixture has no decoys"
    assert all(is_decoy(qid) for qid in extra), sorted(q for q in extra if not is_decoy(q))
    assert not any(is_decoy(qid) for qid in known)


@pytest.mark.server
def test_names_of_left_out_firms_belong_only_to_things_that_are_not_businesses(
    wikidata: WikidataServer, shared: Path
) -> None:
    readme = (shared / "wikidata" / "README.md").read_text(encoding="utf-8")
    flat = " ".join(readme.split())
    for name in LEFT_OUT:
        assert name in flat, name
        rows = select(
            wikidata,
            f"""SELECT ?item ?business WHERE {{
                  {{ ?item rdfs:label "{name}"@en }} UNION {{ ?item skos:altLabel "{name}"@en }}
                  BIND(EXISTS {{ ?item wdt:P31/wdt:P279* wd:Q4830453 }} AS ?business)
                }}""",
        )
        assert rows, f"no decoy named {name}"
        for row in rows:
            assert is_decoy(qid_of(row["item"])), (name, row)
            assert row["business"] == "false", (name, row)


@pytest.mark.server
def test_decoys_share_names_with_firms_of_the_table(wikidata: WikidataServer) -> None:
    rows = select(
        wikidata,
        """SELECT DISTINCT ?decoy WHERE {
             ?firm wdt:P31/wdt:P279* wd:Q4830453 ; rdfs:label|skos:altLabel ?name .
             ?decoy rdfs:label|skos:altLabel ?name .
             FILTER(?decoy != ?firm)
           }""",
    )
    decoys = {qid_of(row["decoy"]) for row in rows if is_decoy(qid_of(row["decoy"]))}
    # Meta (a concept), Kia (a person), 기아 (starvation), Arm (the limb), 암 (cancer),
    # Nokia (the town), Ford (the crossing), MS (the disease).
    assert decoys == {f"Q990000000{n}" for n in (1, 2, 3, 4, 5, 6, 7, 9)}


def test_the_stub_answers_429_with_retry_after_and_records_the_request() -> None:
    canned: list[StubResponse] = [
        (429, {"Retry-After": "3", "Content-Type": "text/plain"}, "slow down"),
        (503, {}, b""),
    ]
    with stub_server(canned) as stub:
        first = httpx.get(
            stub.query_url,
            params={"query": "ASK {}"},
            headers={"User-Agent": "AllianceGraph-test/0.1"},
            timeout=5,
        )
        second = httpx.post(stub.query_url, data={"query": "ASK {}"}, timeout=5)
        third = httpx.get(stub.base + "/other", timeout=5)
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "3"
    assert first.text == "slow down"
    assert second.status_code == 503
    assert third.status_code == 500
    assert stub.unanswered == 1
    assert [(r.method, r.path) for r in stub.requests] == [
        ("GET", "/sparql"),
        ("POST", "/sparql"),
        ("GET", "/other"),
    ]
    assert stub.requests[0].query == {"query": ["ASK {}"]}
    assert stub.requests[0].headers["user-agent"] == "AllianceGraph-test/0.1"
    assert stub.requests[1].body == b"query=ASK+%7B%7D"


def test_nothing_listens_at_the_refused_url() -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(refused_url(), timeout=5)
