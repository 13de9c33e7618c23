"""The query runner's own guarantees, on the embedded store: the time limit holds while a
result streams to a slow client, and capacity comes back when the pool shuts down."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pyoxigraph
import pytest

from service.errors import QueryTimeout
from service.query_runner import QueryJob, QueryRunner
from service.sparql_protocol import QueryRequest
from service.store.embedded import EmbeddedStore

BASE = "https://w3id.org/alliancegraph/"
#: 22,500 rows: about 4 MB of JSON results, sixty-odd chunks.
BIG = "SELECT ?a ?b WHERE {{ VALUES ?a {{ {0} }} VALUES ?b {{ {0} }} }}".format(
    " ".join(str(i) for i in range(150))
)


def test_a_stream_past_the_time_limit_is_cut_even_when_chunks_are_waiting() -> None:
    runner = QueryRunner(workers=1, timeout_s=0.5, max_waiting=1)
    store = EmbeddedStore()
    job = QueryJob(store, QueryRequest(BIG), "application/sparql-results+json", BASE, [])

    async def read_slowly() -> int:
        _, results = await runner.run(job)
        assert not isinstance(results, bytes), "a result this long is streamed"
        chunks = 0
        async for _ in results:
            chunks += 1
            await asyncio.sleep(0.2)  # the worker fills the channel meanwhile
        return chunks

    try:
        with pytest.raises(QueryTimeout, match="time limit"):
            asyncio.run(read_slowly())
    finally:
        runner.close()
        store.close()


class _BlockingStore:
    """Answers ASK once released; counts the queries that started."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()

    def query(self, sparql: str, **_: Any) -> pyoxigraph.QueryBoolean:
        self.started.set()
        self.release.wait(10)
        result = pyoxigraph.Store().query("ASK {}")
        assert isinstance(result, pyoxigraph.QueryBoolean)
        return result


def test_a_job_cancelled_by_shutdown_gives_its_capacity_back() -> None:
    runner = QueryRunner(workers=1, timeout_s=5, max_waiting=2)
    store = _BlockingStore()
    job = QueryJob(store, QueryRequest("ASK {}"), None, BASE, [])  # type: ignore[arg-type]

    async def main() -> None:
        first = asyncio.ensure_future(runner.run(job))
        second = asyncio.ensure_future(runner.run(job))  # queued behind the first
        await asyncio.to_thread(store.started.wait, 5)
        assert runner.active == 2
        runner.close()  # cancels the queued job
        assert runner.active == 1
        store.release.set()
        await first
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second

    asyncio.run(main())
    assert runner.active == 0
