"""Replicas: two ``alliancegraph serve`` processes on one remote store, writing at once.

Each replica ingests its own half of the corpus while both also ingest the same article at the
same moment and one retracts a source the other supports pairs with. In the end the store must
be what one process would have made: every source once, no graph lost, and the derived graph
exactly the shortcuts the source graphs support (recomputed here from scratch).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import yaml
from pyoxigraph import NamedNode, Triple

from service.config import Settings
from service.ingest.derived import edges_from
from service.namespaces import GraphNames
from tests.server import running_server
from tests.stores import RemoteServer

CORPUS = Path(__file__).resolve().parent / "corpus"
KEY = "replica-test-key-0123"
AUTH = {"Authorization": f"Bearer {KEY}"}
GRAPHS = GraphNames(Settings().graph_base_iri)

pytestmark = [pytest.mark.server, pytest.mark.slow]


def _articles() -> list[dict[str, Any]]:
    articles = []
    for spec in sorted(CORPUS.glob("*.yaml")):
        meta = yaml.safe_load(spec.read_text(encoding="utf-8"))["article"]
        articles.append(
            {
                "url": f"https://news.example.com/replicas/{spec.stem}",
                "publisher": meta.get("publisher"),
                "published": str(meta["published"]),
                "text": (CORPUS / meta["file"]).read_text(encoding="utf-8"),
            }
        )
    return articles


def _post(base: str, article: dict[str, Any]) -> httpx.Response:
    return httpx.post(base + "/sources/articles", json=article, headers=AUTH, timeout=300)


def test_two_replicas_writing_at_once_leave_the_store_consistent(
    remote_server: RemoteServer,
) -> None:
    articles = _articles()
    shared, rest = articles[0], articles[1:]
    env = {
        **remote_server.environment(),
        "store_version_ttl_s": "0",  # replicas see each other's writes at once
        "api_key": KEY,
        "wikidata_endpoint": "",
    }
    with (
        running_server(remote_server.endpoint.query_url, env) as one,
        running_server(remote_server.endpoint.query_url, env) as two,
    ):
        jobs = [(one, shared), (two, shared)]
        jobs += [(one if n % 2 else two, a) for n, a in enumerate(rest)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda job: _post(*job), jobs))
        for answer in answers:
            assert answer.status_code in (200, 201), answer.text
        # The same article twice at once: one created it, the other replaced it by the same.
        first, second = answers[0].json(), answers[1].json()
        assert first["id"] == second["id"]
        assert sorted([first["created"], second["created"]]) == [False, True]

        listed = httpx.get(one + "/sources", params={"limit": 500}, timeout=60).json()
        ids = [item["id"] for item in listed["items"]]
        assert len(ids) == len(set(ids)) == len(articles)
        assert listed == httpx.get(two + "/sources", params={"limit": 500}, timeout=60).json()

        # A retraction on one replica while the other ingests again.
        retracted = answers[2].json()["id"]
        with ThreadPoolExecutor(max_workers=2) as pool:
            gone = pool.submit(
                httpx.delete, f"{two}/sources/{retracted}", headers=AUTH, timeout=300
            )
            again = pool.submit(_post, one, articles[3])
            assert gone.result().status_code == 204
            assert again.result().status_code == 200

    store = remote_server.store()
    try:
        graphs = store.named_graphs()
        sources = [g for g in graphs if GRAPHS.is_source(g)]
        assert len(sources) == len(articles) - 1
        expected: set[Triple] = set()
        for graph in graphs:
            if graph != GRAPHS.derived:
                triples = [Triple(q.subject, q.predicate, q.object) for q in store.quads(graph)]
                expected |= edges_from(triples)
        derived = {Triple(q.subject, q.predicate, q.object) for q in store.quads(GRAPHS.derived)}
        assert expected, "the corpus gives partnerships"
        assert derived == expected
        assert NamedNode(GRAPHS.source(retracted).value) not in graphs
    finally:
        store.close()
