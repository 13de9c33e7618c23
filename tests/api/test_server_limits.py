"""Limits on a real server: a runaway query times out while other clients are still served."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx2 as httpx
import pytest
from pyoxigraph import Literal, NamedNode, Quad

from service.store.embedded import EmbeddedStore
from tests.server import running_server

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }"


@pytest.mark.server
@pytest.mark.slow
def test_a_query_over_the_time_limit_gets_503_while_others_are_served(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    graph = NamedNode("https://example.org/graph")
    store.bulk_extend(
        Quad(
            NamedNode(f"https://example.org/s{i}"),
            NamedNode("https://example.org/p"),
            Literal(str(i)),
            graph,
        )
        for i in range(500)
    )
    store.close()
    del store
    with running_server(path, {"query_timeout_s": "1", "query_workers": "2"}) as base:
        outcome: dict[str, httpx.Response] = {}

        def slow() -> None:
            outcome["slow"] = httpx.get(base + "/sparql", params={"query": SLOW}, timeout=60)

        worker = threading.Thread(target=slow)
        worker.start()
        fast = httpx.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert fast.status_code == 200
        assert fast.json()["boolean"] is True
        assert worker.is_alive(), (
            "the slow query should still be running when the fast one is served"
        )
        worker.join(timeout=60)
        slow_response = outcome["slow"]
        assert slow_response.status_code == 503
        assert slow_response.headers["content-type"] == "application/problem+json"
        assert "time limit" in slow_response.json()["title"]
        assert httpx.get(base + "/health", timeout=10).status_code == 200
