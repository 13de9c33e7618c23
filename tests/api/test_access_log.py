"""The access log: one line per request, after its response, with status, size and time."""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from service.api.access_log import TARGET_CHARS, BatchedStreamHandler
from service.api.app import create_app
from service.config import Settings
from service.store.embedded import EmbeddedStore
from tests.server import running_server

_LINE = re.compile(
    r'^(?P<client>\S+) - "(?P<method>[A-Z]+) (?P<target>\S+) HTTP/(?P<version>[\d.]+)" '
    r"(?P<status>\d{3}|-) (?P<bytes>\d+) B (?P<ms>\d+\.\d) ms$"
)
_LONG_QUERY = "SELECT * WHERE { VALUES ?n { " + " ".join(str(n) for n in range(200)) + " } }"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, EmbeddedStore())) as test_client:
        yield test_client


def _lines(caplog: pytest.LogCaptureFixture) -> list[re.Match[str]]:
    records = [r for r in caplog.records if r.name == "alliancegraph.access"]
    lines = [_LINE.match(r.getMessage()) for r in records]
    assert all(lines), [r.getMessage() for r in records]
    return [line for line in lines if line is not None]


def test_every_request_gets_one_line_with_its_status_and_size(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="alliancegraph.access")
    answers = [
        client.get("/health"),
        client.get("/sparql", params={"query": "ASK {}"}),  # the endpoint's direct path
        client.post(
            "/sparql", content="ASK {}", headers={"content-type": "application/sparql-query"}
        ),
        client.get("/sparql", params={"query": "SELEC ?x"}),  # a 400 from the direct path
        client.get("/no/such/thing"),  # a 404 from FastAPI's routing
    ]
    lines = _lines(caplog)
    assert [(m["method"], m["status"]) for m in lines] == [
        ("GET", "200"),
        ("GET", "200"),
        ("POST", "200"),
        ("GET", "400"),
        ("GET", "404"),
    ]
    assert [int(m["bytes"]) for m in lines] == [len(a.content) for a in answers]
    assert lines[0]["target"] == "/health"
    assert lines[1]["target"] == "/sparql?query=ASK+%7B%7D"
    assert lines[4]["target"] == "/no/such/thing"


def test_a_long_query_string_is_cut(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="alliancegraph.access")
    assert client.get("/sparql", params={"query": _LONG_QUERY}).status_code == 200
    (line,) = _lines(caplog)
    path, query = line["target"].split("?", 1)
    assert path == "/sparql"
    assert query.startswith("query=SELECT+%2A+WHERE+%7B+VALUES")
    assert query.endswith("…")
    assert len(query) == TARGET_CHARS + 1


def test_a_client_cannot_write_a_line_into_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="alliancegraph.access")
    client.get("/no%0AINFO:%20forged%1B[31m", params={"x": "a\nb"})
    (line,) = _lines(caplog)
    assert line["target"] == "/no%0AINFO:%20forged%1B[31m?x=a%0Ab"


class _BrokenStore(EmbeddedStore):
    broken = False  # set once the service has started, which queries the store

    def query(self, sparql: str, **options: Any) -> Any:
        if self.broken:
            raise RuntimeError("a bug")
        return super().query(sparql, **options)


def test_a_bug_is_logged_as_the_500_the_client_got(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="alliancegraph.access")
    store = _BrokenStore()
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as c:
        store.broken = True
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 500
    (line,) = _lines(caplog)
    assert line["status"] == "500"


@pytest.mark.server
def test_serve_writes_the_access_log_to_standard_output(tmp_path: Path) -> None:
    log = tmp_path / "stdout.log"
    with running_server(tmp_path / "store", stdout=log) as base:
        assert httpx.get(base + "/sparql", params={"query": "ASK {}"}).status_code == 200
        deadline = time.monotonic() + 10
        while "/sparql" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)  # the line comes after the response
    lines = [
        _LINE.match(line.removeprefix("INFO:").lstrip())  # uvicorn's console format
        for line in log.read_text().splitlines()
        if "/sparql" in line
    ]
    assert len(lines) == 1, log.read_text()
    (line,) = lines
    assert line is not None
    assert line["target"] == "/sparql?query=ASK+%7B%7D"
    assert (line["status"], line["bytes"]) == ("200", "26")


@pytest.mark.server
def test_a_server_shut_down_has_written_every_line(tmp_path: Path) -> None:
    log = tmp_path / "stdout.log"
    settings = {"access_log_flush_s": "60"}  # nothing written but at the shutdown
    with running_server(tmp_path / "store", settings, stdout=log, graceful=True) as base:
        for n in range(5):
            assert httpx.get(base + "/sparql", params={"query": f"ASK {{}} # {n}"}).is_success
    targets = [line.split('"')[1] for line in log.read_text().splitlines() if "/sparql" in line]
    assert targets == [f"GET /sparql?query=ASK+%7B%7D+%23+{n} HTTP/1.1" for n in range(5)]


class _CountedStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def _line(handler: logging.Handler, number: int) -> None:
    handler.handle(
        logging.LogRecord(
            "alliancegraph.access", logging.INFO, __file__, 0, f"line {number}", None, None
        )
    )


def test_the_handler_flushes_many_lines_at_once() -> None:
    stream = _CountedStream()
    handler = BatchedStreamHandler(stream, flush_s=3600)
    for number in range(50):
        _line(handler, number)
    assert (stream.getvalue(), stream.flushes) == ("", 0)
    handler.close()
    assert stream.flushes == 1
    assert stream.getvalue().splitlines() == [f"line {n}" for n in range(50)]


def test_the_handler_writes_after_its_interval_without_more_lines() -> None:
    stream = _CountedStream()
    handler = BatchedStreamHandler(stream, flush_s=0.2)
    try:
        _line(handler, 0)
        _line(handler, 1)
        deadline = time.monotonic() + 10
        while stream.flushes == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (stream.getvalue(), stream.flushes) == ("line 0\nline 1\n", 1)
        _line(handler, 2)  # a new line starts a new interval
        deadline = time.monotonic() + 10
        while stream.flushes == 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (stream.getvalue(), stream.flushes) == ("line 0\nline 1\nline 2\n", 2)
    finally:
        handler.close()


def test_the_handler_with_no_interval_flushes_every_line() -> None:
    stream = _CountedStream()
    handler = BatchedStreamHandler(stream, flush_s=0)
    for number in range(3):
        _line(handler, number)
        assert stream.getvalue().splitlines()[-1] == f"line {number}"
    assert stream.flushes == 3
    handler.close()
