"""The Virtuoso test server starts, takes an authenticated update and answers it back intact."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest

from tests.virtuoso_server import virtuoso_executable, virtuoso_server

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        virtuoso_executable() is None,
        reason="Virtuoso is not installed (no virtuoso-t): apt-get install virtuoso-opensource",
    ),
]

GRAPH = "https://example.org/graph/korean"
SUBJECT = "https://example.org/company/samsung"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
NAME = "삼성전자"


def test_an_update_with_a_korean_literal_reads_back_intact(tmp_path: Path) -> None:
    with virtuoso_server(workdir=tmp_path) as server, httpx.Client(timeout=30) as client:
        directory = server.directory
        assert directory.is_dir()
        inserted = client.post(
            server.update_url,
            content=f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{SUBJECT}> <{LABEL}> "{NAME}"@ko }} }}',
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            auth=server.auth(),
        )
        assert inserted.status_code == 200, inserted.text

        anonymous = client.post(
            server.update_url,
            content=f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{SUBJECT}> <{LABEL}> "x" }} }}',
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )
        assert anonymous.status_code == 401

        answer = client.post(
            server.query_url,
            data={"query": f"SELECT ?s ?label {{ GRAPH <{GRAPH}> {{ ?s <{LABEL}> ?label }} }}"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/sparql-results+json")
        assert answer.json()["results"]["bindings"] == [
            {
                "s": {"type": "uri", "value": SUBJECT},
                "label": {"type": "literal", "xml:lang": "ko", "value": NAME},
            }
        ]
    assert not directory.exists()
