"""Linking to Wikidata against a real SPARQL server holding Wikidata-shaped data (the fixture,
with decoys), on loopback: the right item or no item, never a wrong one."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyoxigraph
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pyoxigraph import Literal, NamedNode, Triple

from service.api.app import create_app
from service.config import PROJECT_ROOT, Settings
from service.context import ServiceContext
from service.ingest.articles import ArticleIn
from service.ingest.gate import commit_graphs
from service.ingest.pipeline import Ingestor
from service.link.cache import LinkCache
from service.link.client import LinkUnavailable, WikidataClient
from service.link.linker import EXACT_MATCH, Linker
from service.namespaces import AG, RDF, RDFS, WD
from service.store.embedded import EmbeddedStore
from service.store.port import solutions
from tests.wikidata_server import (
    WikidataServer,
    is_decoy,
    refused_url,
    stub_server,
    wikidata_server,
)

REGISTRY = PROJECT_ROOT / "examples" / "reference" / "organizations.ttl"
TYPE = NamedNode(RDF + "type")
LABEL = NamedNode(RDFS + "label")
EMPTY_RESULTS = json.dumps({"head": {"vars": ["item"]}, "results": {"bindings": []}})
SPARQL_JSON = {"Content-Type": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WikidataServer]:
    with wikidata_server(workdir=tmp_path_factory.mktemp("wikidata")) as server:
        yield server


def _context(settings: Settings, endpoint: str, cache: Path | None = None) -> ServiceContext:
    configured = settings.model_copy(
        update={"wikidata_endpoint": endpoint, "wikidata_cache": cache, "wikidata_retries": 1}
    )
    return ServiceContext(configured, EmbeddedStore())


def _registry_without_links(context: ServiceContext) -> None:
    """The example registry (names, types, countries) with its Wikidata links taken out: firms
    the store knows by name, for the linker to link."""
    quads = pyoxigraph.parse(path=str(REGISTRY), format=pyoxigraph.RdfFormat.TURTLE)
    triples = [q.triple for q in quads if q.predicate != EXACT_MATCH]
    commit_graphs(
        context.store, context.shapes, {context.graphs.reference: triples}, context.graphs
    )


def _links(context: ServiceContext) -> dict[str, set[str]]:
    """Every name of an organization, with the QIDs that organization is linked to."""
    rows = context.store.query(
        f"""SELECT ?o ?label ?item WHERE {{
            GRAPH ?g {{ ?o a ?type }}
            GRAPH ?n {{ ?o <{RDFS}label>|<http://www.w3.org/2004/02/skos/core#altLabel> ?label }}
            VALUES ?type {{ <{AG}Firm> <{AG}BusinessGroup> <{AG}JointVenture> <{AG}Alliance> }}
            OPTIONAL {{ GRAPH ?l {{ ?o <{EXACT_MATCH.value}> ?item }} }}
        }}"""
    )
    links: dict[str, set[str]] = {}
    for row in solutions(rows):
        names = links.setdefault(row["label"].value, set())
        if row["item"] is not None:
            names.add(row["item"].value.removeprefix(WD))
    return links


def _firm(
    context: ServiceContext, slug: str, *labels: Literal, country: str | None = None
) -> NamedNode:
    """A firm in its own source graph, as a record would make it."""
    firm = NamedNode(f"{context.settings.base_iri}org/{slug}")
    triples = [Triple(firm, TYPE, NamedNode(AG + "Firm"))]
    triples += [Triple(firm, LABEL, label) for label in labels]
    if country:
        triples.append(Triple(firm, NamedNode(AG + "country"), NamedNode(WD + country)))
    commit_graphs(
        context.store,
        context.shapes,
        {NamedNode(f"https://example.com/graph/{slug}"): triples},
        context.graphs,
    )
    return firm


def _seed_article(shared: Path) -> ArticleIn:
    text = (shared / "seed" / "article.txt").read_text(encoding="utf-8")
    return ArticleIn(text=text, published=date(2024, 3, 3), language="ko")


def _verified(shared: Path) -> dict[str, str]:
    """Korean and English names of the firms entities.tsv verifies, to their QIDs."""
    with (shared / "wikidata" / "entities.tsv").open(encoding="utf-8") as table:
        rows = [r for r in csv.DictReader(table, delimiter="\t") if r["kind"] == "org"]
    return {name: r["qid"] for r in rows for name in (r["label_en"], r["label_ko"]) if name}


def test_the_seed_article_links_the_verified_firms_and_nothing_else(
    settings: Settings, wikidata: WikidataServer, shared: Path
) -> None:
    context = _context(settings, wikidata.query_url)
    _registry_without_links(context)
    linker = Linker(context)
    result = Ingestor(context, linker=linker).ingest_article(_seed_article(shared))
    assert result.links, result.warnings
    links = _links(context)
    verified = _verified(shared)
    expected = {
        "삼성전자": "Q20718",
        "메타": "Q380",
        "LG전자": "Q162345",
        "지멘스": "Q81230",
        "도이치텔레콤": "Q9396",
        "엔비디아": "Q182477",
        "마이크로소프트": "Q2283",
        "에릭슨": "Q52618",
        "노키아": "Q1418",
        "기아": "Q35349",
    }
    for name, qid in expected.items():
        assert links[name] == {qid}, name
    # Names the article writes differently from Wikidata's labels.
    assert links["이앤(e&)그룹"] == {"Q543449"}
    assert links["SKT"] == {"Q493145"}
    assert links["암(Arm)"] == {"Q296782"}
    # The firms entities.tsv leaves out stay unlinked.
    for name in ("HD현대", "싱텔그룹", "우버"):
        assert links[name] == set(), name
    # 소프트뱅크 is both SoftBank Corp.'s label and a SoftBank Group alias: names alone do not
    # decide; being a telecom operator among telecom partners does.
    assert links["소프트뱅크"] == {"Q2214105"}
    assert not any(is_decoy(q) for qids in links.values() for q in qids)
    # Every link made is to an item the table verifies, for a firm of that name.
    for name, qids in links.items():
        for qid in qids:
            assert qid in set(verified.values()), (name, qid)
    # The facts of a linked item are stored with their provenance.
    facts = context.store.query(
        f"""ASK {{ GRAPH <{context.graphs.wikidata.value}> {{
            <{WD}Q20718> <http://www.wikidata.org/prop/direct/P17> <{WD}Q884> ;
                <http://purl.org/pav/retrievedFrom> <{wikidata.query_url}> ;
                <{RDFS}label> "Samsung Electronics"@en .
        }} }}"""
    )
    assert bool(facts)
    linker.close()
    context.close()


def test_softbank_needs_the_context_to_be_decided() -> None:
    firm_names = {"소프트뱅크"}
    from service.link.client import Candidate
    from service.link.linker import Firm

    firm = Firm("urn:x", set(firm_names))
    corp = Candidate("Q2214105", "소프트뱅크", "ko", "label", frozenset({"Q2401749"}))
    group = Candidate("Q201653", "소프트뱅크", "ko", "alias", frozenset({"Q219577"}))
    assert Linker._decision(Linker._scored(firm, [corp, group], set())) is None
    decided = Linker._decision(Linker._scored(firm, [corp, group], {"Q2401749", "Q891723"}))
    assert decided is not None
    assert decided.qid == "Q2214105"


def test_a_second_run_is_answered_from_the_cache(
    settings: Settings, wikidata: WikidataServer, shared: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite"
    first = _context(settings, wikidata.query_url, cache)
    first_linker = Linker(first)
    Ingestor(first, linker=first_linker).ingest_article(_seed_article(shared))
    assert first_linker.client is not None
    assert first_linker.client.requests > 0
    links = _links(first)
    first_linker.close()
    first.close()
    # A new store, the same cache (answers are kept per endpoint): no request is sent, as if
    # offline (the client would fail the test if it tried).
    second = _context(settings, wikidata.query_url, cache)
    second_linker = Linker(second)
    assert second_linker.client is not None

    def offline(query: str) -> list[dict[str, object]]:
        raise AssertionError(f"a request was sent: {query[:80]}")

    second_linker.client.select = offline  # type: ignore[method-assign]
    result = Ingestor(second, linker=second_linker).ingest_article(_seed_article(shared))
    assert second_linker.client.requests == 0
    assert not any("unavailable" in str(w.get("message")) for w in result.warnings)
    assert _links(second) == links
    second_linker.close()
    second.close()


def test_an_unreachable_endpoint_leaves_firms_unlinked_without_failing_the_ingest(
    settings: Settings, wikidata: WikidataServer, shared: Path
) -> None:
    context = _context(settings, refused_url())
    linker = Linker(context)
    result = Ingestor(context, linker=linker).ingest_article(_seed_article(shared))
    assert result.relationships
    assert result.links == {}
    assert any("unavailable" in str(w.get("message")) for w in result.warnings)
    assert {n: q for n, q in _links(context).items() if q} == {}
    linker.close()
    # Later, with the endpoint back, `link` links them.
    later = Linker(context, client=WikidataClient(wikidata.query_url))
    report = later.link()
    assert report.unavailable is None
    assert _links(context)["삼성전자"] == {"Q20718"}
    later.close()
    context.close()


def test_429_is_retried_after_the_time_it_asks() -> None:
    slept: list[float] = []
    responses = [
        (429, {"Retry-After": "2"}, "slow down"),
        (503, {}, "busy"),
        (200, SPARQL_JSON, EMPTY_RESULTS),
    ]
    with stub_server(responses) as stub:
        client = WikidataClient(stub.query_url, retries=3, backoff_s=0.5, sleep=slept.append)
        assert client.select("SELECT ?item WHERE { ?item ?p ?o }") == []
    assert slept == [2.0, 1.0]  # Retry-After, then the backoff of the second attempt
    assert client.requests == 3
    assert all("AllianceGraph" in r.headers.get("user-agent", "") for r in stub.requests)


def test_an_endpoint_that_keeps_failing_is_unavailable() -> None:
    with stub_server([(503, {}, "busy")] * 3) as stub:
        client = WikidataClient(stub.query_url, retries=2, sleep=lambda _: None)
        with pytest.raises(LinkUnavailable):
            client.select("SELECT * WHERE { ?s ?p ?o }")
        assert len(stub.requests) == 3


def test_human_decisions_survive_re_runs(
    settings: Settings, wikidata: WikidataServer, shared: Path
) -> None:
    context = _context(settings, wikidata.query_url)
    linker = Linker(context)
    samsung = _firm(context, "samsung-electronics", Literal("삼성전자", language="ko"))
    kia = _firm(context, "kia", Literal("기아", language="ko"))
    linker.decide(samsung, None)  # a curator: no item (for the test's sake)
    linker.decide(kia, "Q55931")  # a curator's (odd) choice of item
    report = linker.link()
    assert samsung.value not in report.linked
    assert kia.value not in report.linked
    links = _links(context)
    assert links["삼성전자"] == set()
    assert links["기아"] == {"Q55931"}
    # The decisions are curated data, in the reference graph.
    decided = context.store.query(
        f"ASK {{ GRAPH <{context.graphs.reference.value}> {{ <{kia.value}> ?p ?o }} }}"
    )
    assert bool(decided)
    linker.close()
    context.close()


def test_one_item_links_one_firm_the_other_waits_for_review(
    settings: Settings, wikidata: WikidataServer
) -> None:
    context = _context(settings, wikidata.query_url)
    linker = Linker(context)
    _firm(context, "samsung-electronics", Literal("삼성전자", language="ko"))
    second = _firm(context, "samsung-copy", Literal("Samsung Electronics", language="en"))
    report = linker.link()
    assert len(report.linked) == 1
    assert set(report.linked.values()) == {"Q20718"}
    waiting = {entry["organization"]: entry for entry in linker.cache.review()}
    [other] = [
        iri
        for iri in waiting
        if iri in {second.value, f"{context.settings.base_iri}org/samsung-electronics"}
    ]
    assert "Q20718" in waiting[other]["reason"]
    linker.close()
    context.close()


def test_a_firm_of_another_country_is_not_linked_to_a_namesake(
    settings: Settings, wikidata: WikidataServer
) -> None:
    context = _context(settings, wikidata.query_url)
    linker = Linker(context)
    _firm(context, "nokia-us", Literal("Nokia", language="en"), country="Q30")
    report = linker.link()
    assert report.linked == {}
    assert _links(context)["Nokia"] == set()
    linker.close()
    context.close()


def test_a_federated_query_joins_our_graph_with_the_wikidata_server(
    settings: Settings, wikidata: WikidataServer, example_context: ServiceContext
) -> None:
    allowed = settings.model_copy(
        update={"federation_allowlist": [wikidata.query_url], "api_key": SecretStr("k" * 16)}
    )
    store = EmbeddedStore()  # the app closes the store it is given
    store.bulk_extend(example_context.store.quads())
    with TestClient(create_app(allowed, store)) as client:
        query = f"""PREFIX ag: <{AG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT DISTINCT ?firm ?country WHERE {{
  ?firm skos:exactMatch ?item .
  SERVICE <{wikidata.query_url}> {{ ?item wdt:P17 ?country }}
}}"""
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 200, response.text
        rows = response.json()["results"]["bindings"]
        countries = {r["firm"]["value"].rsplit("/", 1)[-1]: r["country"]["value"] for r in rows}
        assert countries["samsung-electronics"] == WD + "Q884"
        refused = client.get(
            "/sparql",
            params={"query": query.replace(wikidata.query_url, "http://127.0.0.1:9/sparql")},
        )
        assert refused.status_code == 403


def test_the_cache_file_keeps_answers(tmp_path: Path) -> None:
    cache = LinkCache(tmp_path / "c.sqlite")
    from service.link.client import Candidate

    cache.put_candidates("e", "기아", [Candidate("Q35349", "기아", "ko", "label")])
    cache.close()
    again = LinkCache(tmp_path / "c.sqlite")
    assert [c.qid for c in again.candidates("e", "기아") or []] == ["Q35349"]
    assert again.candidates("e", "unknown") is None
    assert again.candidates("other-endpoint", "기아") is None
    again.close()


FEDERATED = re.findall(
    r"```sparql federated\n(.*?)```", (PROJECT_ROOT / "README.md").read_text(encoding="utf-8"), re.S
)


def test_the_readme_has_two_federated_examples() -> None:
    assert len(FEDERATED) >= 2
    assert all("SERVICE <https://query.wikidata.org/sparql>" in q for q in FEDERATED)


@pytest.mark.parametrize("query", FEDERATED, ids=[f"federated-{i}" for i in range(len(FEDERATED))])
def test_the_readme_federated_examples_answer_through_our_endpoint(
    settings: Settings, wikidata: WikidataServer, example_context: ServiceContext, query: str
) -> None:
    """The README's examples, with the public endpoint replaced by the fixture server."""
    allowed = settings.model_copy(update={"federation_allowlist": [wikidata.query_url]})
    store = EmbeddedStore()
    store.bulk_extend(example_context.store.quads())
    local = query.replace("https://query.wikidata.org/sparql", wikidata.query_url)
    with TestClient(create_app(allowed, store)) as client:
        response = client.get("/sparql", params={"query": local})
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) >= 1


def test_the_link_command_links_lists_and_records_decisions(
    wikidata: WikidataServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    unlinked = tmp_path / "registry.nt"
    quads = pyoxigraph.parse(path=str(REGISTRY), format=pyoxigraph.RdfFormat.TURTLE)
    pyoxigraph.serialize(
        (q.triple for q in quads if q.predicate != EXACT_MATCH),
        output=str(unlinked),
        format=pyoxigraph.RdfFormat.N_TRIPLES,
    )
    store = tmp_path / "store"
    monkeypatch.setenv("ALLIANCEGRAPH_WIKIDATA_ENDPOINT", wikidata.query_url)
    runner = CliRunner()
    reference = "https://w3id.org/alliancegraph/graph/reference"
    loaded = runner.invoke(
        app, ["--store", str(store), "load", "--graph", reference, str(unlinked)]
    )
    assert loaded.exit_code == 0, loaded.stderr
    linked = runner.invoke(app, ["--store", str(store), "link"])
    assert linked.exit_code == 0, linked.stderr
    assert "linked" in linked.stderr
    waiting = runner.invoke(app, ["--store", str(store), "link", "--review", "--json"])
    assert waiting.exit_code == 0
    review = json.loads(waiting.stdout)
    assert all(entry["candidates"] for entry in review)
    decided = runner.invoke(app, ["--store", str(store), "link", "--no-item", "samsung-sdi"])
    assert decided.exit_code == 0, decided.stderr
    accepted = runner.invoke(
        app, ["--store", str(store), "link", "--accept", "softbank-group=Q201653"]
    )
    assert accepted.exit_code == 0, accepted.stderr
    again = runner.invoke(app, ["--store", str(store), "link"])
    assert again.exit_code == 0
    context = ServiceContext(Settings(store=store), None)
    links = _links(context)
    context.close()
    assert links["Samsung Electronics"] == {"Q20718"}
    assert links["SoftBank Group"] == {"Q201653"}
    assert links["Samsung SDI"] == set()
    bad = runner.invoke(app, ["--store", str(store), "link", "--accept", "kia=not-a-qid"])
    assert bad.exit_code != 0


def test_a_decision_about_an_unknown_or_malformed_firm_is_refused(
    settings: Settings, wikidata: WikidataServer
) -> None:
    from service.errors import InvalidParameter, NotFound
    from service.link.linker import firm_of

    context = _context(settings, wikidata.query_url)
    linker = Linker(context)
    before = len(list(context.store.quads()))
    with pytest.raises(NotFound):
        linker.decide(firm_of(context, "no-such-firm"), None)
    with pytest.raises(InvalidParameter):
        firm_of(context, "not a slug")
    with pytest.raises(InvalidParameter):
        firm_of(context, "https://bad iri")
    assert len(list(context.store.quads())) == before
    linker.close()
    context.close()
