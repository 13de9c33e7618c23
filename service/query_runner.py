"""Running SPARQL queries for the HTTP endpoint: a bounded pool, a time limit, streamed results.

Each query runs on a worker thread of a fixed-size pool (pyoxigraph releases the GIL, so workers
run in parallel). The worker evaluates the query and serializes the results with pyoxigraph's
own serializers into chunks that the event loop streams to the client, with back-pressure: a
slow client stops the worker instead of filling memory. pyoxigraph results must be consumed on
the thread that created them, which is why evaluation and serialization share the worker.

The time limit counts from the request's arrival. If no result has been produced by then, the
client gets a 503 problem and the worker is told to stop. What an abandoned query still costs:
pyoxigraph cannot interrupt an operator that must see all its input before producing any output
(ORDER BY, GROUP BY, DISTINCT over a large result, a big join), so such a query keeps its
worker thread busy until that step finishes; it is stopped as soon as it next produces a
result. Streaming queries stop at the next result. A stream that exceeds the limit after it
has started is cut off, and the connection is closed without completing the document, so the
client sees a transfer error rather than a truncated result that looks complete.

On a remote store, a query whose answer can go to the client as the server sent it (the
negotiated type is one the server writes in the standard form; see ``Dialect.pass_through``)
takes no worker: the event loop sends it and reads the answer (``RemoteStore.query_raw``), under
the same time limit and counted against the same capacity. Other queries on a remote store take
the worker path, where the adapter parses the server's answer and pyoxigraph serializes it.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import traceback
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, cast

from pyoxigraph import NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

from service.conneg import negotiate
from service.errors import QueryTimeout, ServerBusy
from service.federation import check_federation, mentions_service
from service.sparql_protocol import QueryRequest
from service.store.http import BodyStream
from service.store.port import GraphName, QueryResult, Store
from service.store.query_text import query_form

SOLUTION_FORMATS: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    "application/json": QueryResultsFormat.JSON,
    "application/xml": QueryResultsFormat.XML,
}
BOOLEAN_FORMATS = {
    k: v
    for k, v in SOLUTION_FORMATS.items()
    if v in (QueryResultsFormat.JSON, QueryResultsFormat.XML)
}
GRAPH_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
    "text/plain": RdfFormat.N_TRIPLES,
}
#: The formats of each query form's results.
_FORMATS_OF_FORM: dict[str, Mapping[str, QueryResultsFormat] | Mapping[str, RdfFormat]] = {
    "SELECT": SOLUTION_FORMATS,
    "ASK": BOOLEAN_FORMATS,
    "CONSTRUCT": GRAPH_FORMATS,
    "DESCRIBE": GRAPH_FORMATS,
}
_CHUNK = 64 * 1024


class _Cancelled(Exception):
    """The consumer went away or the time limit passed: stop producing."""


class _Channel:
    """Worker-to-event-loop messages with a bounded number in flight."""

    def __init__(self, loop: asyncio.AbstractEventLoop, in_flight: int = 8) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._slots = threading.Semaphore(in_flight)
        self.cancelled = threading.Event()

    def send(self, kind: str, payload: Any) -> None:
        """Called on the worker thread; blocks while the consumer is behind."""
        while not self._slots.acquire(timeout=0.1):
            if self.cancelled.is_set():
                raise _Cancelled
        if self.cancelled.is_set():
            raise _Cancelled
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, (kind, payload))
        except RuntimeError:  # the event loop is closed: nobody is listening any more
            raise _Cancelled from None

    async def receive(self, deadline: float, limit: float) -> tuple[str, Any]:
        """The next message (``whole``, ``start``, ``chunk`` or ``end``), on the event loop.

        :raises QueryTimeout: past the deadline; the worker is told to stop.
        :raises Exception: what the worker raised, as the ``error`` message carries it.
        """
        try:
            if self._loop.time() >= deadline:  # a queued message is taken without waiting
                raise TimeoutError
            async with asyncio.timeout_at(deadline):
                kind, payload = await self._queue.get()
        except TimeoutError:
            self.cancelled.set()
            raise QueryTimeout(_timed_out(limit)) from None
        self._slots.release()
        if kind == "error":
            raise payload
        return kind, payload


class _ChannelWriter:
    """A binary file for pyoxigraph's serializers that sends full chunks down the channel.

    A result that fits in one chunk goes as one ``whole`` message (media type and body) when
    the writer is closed; a longer one as ``start`` (the media type), ``chunk``s and ``end``.
    """

    def __init__(self, channel: _Channel, media_type: str) -> None:
        self._channel = channel
        self._media_type = media_type
        self._started = False
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        whole = len(self._buffer) - len(self._buffer) % _CHUNK
        if whole:
            with memoryview(self._buffer) as view:
                for start in range(0, whole, _CHUNK):
                    self._send(view[start : start + _CHUNK])
            del self._buffer[:whole]
        return len(data)

    def flush(self) -> None:
        """Nothing: pyoxigraph flushes at the end of every result, and :meth:`close` decides
        there whether the result goes whole or as the last chunk of a stream."""

    def _send(self, chunk: bytes | bytearray | memoryview) -> None:
        if not self._started:
            self._channel.send("start", self._media_type)
            self._started = True
        self._channel.send("chunk", bytes(chunk))

    def close(self) -> None:
        """Send what is left: the whole result, or the last chunk and the end."""
        if not self._started:
            self._channel.send("whole", (self._media_type, bytes(self._buffer)))
            return
        if self._buffer:
            self._send(self._buffer)
            self._buffer.clear()
        self._channel.send("end", None)


@dataclass(frozen=True)
class QueryJob:
    """Everything a worker needs to answer one query."""

    store: Store
    request: QueryRequest
    accept: str | None
    base_iri: str
    allowed_services: Sequence[str]


#: Query texts up to this length are checked on the event loop for the pass-through.
_LOOP_TEXT = 16 * 1024


def choose_format(
    result: QueryResult, accept: str | None
) -> tuple[str, QueryResultsFormat | RdfFormat]:
    """The media type and serializer for a result, by content negotiation.

    :raises NotAcceptable: if the client accepts none of the result's formats.
    """
    formats: Mapping[str, QueryResultsFormat] | Mapping[str, RdfFormat] = GRAPH_FORMATS
    if isinstance(result, QueryBoolean):
        formats = BOOLEAN_FORMATS
    elif isinstance(result, QuerySolutions):
        formats = SOLUTION_FORMATS
    media = negotiate(accept, list(formats))
    return media, formats[media]


def _dataset(request: QueryRequest) -> dict[str, Any]:
    """The store's dataset arguments for the protocol's graphs: none when the request names
    none (the query's own FROM, else the union of graphs), else exactly those graphs."""
    if not (request.default_graphs or request.named_graphs):
        return {}
    return {
        "default_graph": request.default_graphs,
        "named_graphs": request.named_graphs or None,
    }


def _evaluate(job: QueryJob) -> QueryResult:
    check_federation(job.request.text, job.allowed_services)
    request = job.request
    return job.store.query(request.text, base_iri=job.base_iri, **_dataset(request))


class _RawQueries(Protocol):
    """A store that can hand over a server's answer unparsed (the remote adapter)."""

    def passes_through(self, media_type: str) -> bool: ...

    async def query_raw(
        self,
        sparql: str,
        media_type: str,
        *,
        default_graph: Iterable[GraphName] | None = None,
        named_graphs: Iterable[NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> bytes | BodyStream | None: ...


def _pass_through_type(job: QueryJob) -> str | None:
    """The media type in which a remote server's answer can go to the client as it is (no
    parsing, no serializing, no worker thread); None when the store or the query does not
    allow it.

    :raises NotAcceptable: if the client accepts none of the query's result formats.
    """
    text = job.request.text
    if not hasattr(job.store, "query_raw") or len(text) > _LOOP_TEXT or mentions_service(text):
        # Long texts and SERVICE calls (whose check parses the query) are work for a thread.
        return None
    formats = _FORMATS_OF_FORM.get(query_form(text) or "")
    if formats is None:
        return None
    media = negotiate(job.accept, list(formats))
    if media in ("application/json", "application/xml", "text/plain"):
        return None  # aliases the server may not know: the usual path answers them
    return media if cast(_RawQueries, job.store).passes_through(media) else None


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), _CHUNK):
        yield body[start : start + _CHUNK]


def _charset(media: str) -> str:
    return media + ("; charset=utf-8" if media.startswith("text/") else "")


def _produce(job: QueryJob, channel: _Channel) -> None:
    result = _evaluate(job)
    media, rdf_format = choose_format(result, job.accept)
    writer = _ChannelWriter(channel, _charset(media))
    result.serialize(writer, rdf_format)  # type: ignore[arg-type]
    writer.close()


def _work(job: QueryJob, channel: _Channel) -> None:
    if channel.cancelled.is_set():
        return
    try:
        _attempt(job, channel)
    finally:
        if job.allowed_services and mentions_service(job.request.text):
            # pyoxigraph answers a SERVICE call with result objects that end up in reference
            # cycles; they must be freed on the thread that made them, so collect them here.
            gc.collect()


def _attempt(job: QueryJob, channel: _Channel) -> None:
    try:
        _produce(job, channel)
    except _Cancelled:
        return
    except Exception as error:  # handed to the event loop, which raises it in the request
        # The traceback holds the finished frame of _produce and with it the pyoxigraph
        # result, which must be dropped on this thread: clear those frames' locals here.
        traceback.clear_frames(error.__traceback__)
        try:
            channel.send("error", error)
        except _Cancelled:
            return


class QueryRunner:
    """The bounded pool that runs queries; one per application."""

    def __init__(self, workers: int, timeout_s: float, max_waiting: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparql")
        self._timeout_s = timeout_s
        self._capacity = workers + max_waiting
        self._active = 0
        self._lock = threading.Lock()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    @property
    def active(self) -> int:
        """Queries running or waiting for a worker now."""
        with self._lock:
            return self._active

    def _enter(self) -> None:
        with self._lock:
            if self._active >= self._capacity:
                raise ServerBusy("every query worker is busy; retry shortly")
            self._active += 1

    def _release(self) -> None:
        with self._lock:
            self._active -= 1

    def _work(self, job: QueryJob, channel: _Channel) -> None:
        try:
            _work(job, channel)
        finally:
            self._release()

    async def run(self, job: QueryJob) -> tuple[str, bytes | AsyncIterator[bytes]]:
        """Start a query; return its media type and its serialized results: whole when they
        are short, else as a stream.

        :raises QueryTimeout: if no result is ready within the time limit.
        :raises ServerBusy: if every worker is busy and the waiting line is full.
        :raises AllianceGraphError: what the query itself raises (syntax, 406, federation).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout_s
        media = _pass_through_type(job)
        if media is not None:
            body = await self._pass_through(job, media, deadline)
            if isinstance(body, bytes):  # short answers whole; long ones streamed
                return _charset(media), body if len(body) <= 2 * _CHUNK else _chunks(body)
            if body is not None:  # streamed on as the server sends it, under the time limit
                return _charset(media), _timed(body, deadline, self._timeout_s)
        self._enter()
        channel = _Channel(loop)
        try:
            # Not run_in_executor: its asyncio future would wake the loop once more per query.
            future = self._executor.submit(self._work, job, channel)
        except RuntimeError:  # shut down
            self._release()
            raise
        # A job cancelled before it ran (the pool shut down) never reaches _work's release.
        future.add_done_callback(lambda done: self._release() if done.cancelled() else None)
        kind, first = await channel.receive(deadline, self._timeout_s)
        if kind == "whole":  # most results fit in one chunk: answered with Content-Length
            media_type, body = first
            return str(media_type), bytes(body)
        media_type = first
        # Read ahead: a result of a few chunks is still answered whole, not streamed.
        prefetched: list[bytes] = []
        while len(prefetched) < 2:
            kind, payload = await channel.receive(deadline, self._timeout_s)
            if kind == "end":
                return str(media_type), b"".join(prefetched)
            prefetched.append(payload)
        return str(media_type), _stream(channel, deadline, self._timeout_s, prefetched)

    async def _pass_through(
        self, job: QueryJob, media: str, deadline: float
    ) -> bytes | BodyStream | None:
        """The remote server's answer in ``media`` (None: use the worker path), fetched on the
        event loop and counted against the same capacity as the workers."""
        self._enter()
        try:
            check_federation(job.request.text, job.allowed_services)
            store = cast(_RawQueries, job.store)
            request = job.request
            async with asyncio.timeout_at(deadline):
                return await store.query_raw(
                    request.text, media, base_iri=job.base_iri, **_dataset(request)
                )
        except TimeoutError:
            raise QueryTimeout(_timed_out(self._timeout_s)) from None
        finally:
            self._release()


def _timed_out(limit: float) -> str:
    return f"the query did not finish within the {limit:g} s time limit; it was stopped"


async def _timed(chunks: BodyStream, deadline: float, limit: float) -> AsyncIterator[bytes]:
    """A passed-through stream cut off at the time limit (the client then sees a transfer
    error, as for a worker's stream); closing this closes the server's stream."""
    try:
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    chunk = await anext(chunks, None)
            except TimeoutError:
                raise QueryTimeout(_timed_out(limit)) from None
            if chunk is None:
                return
            yield chunk
    finally:
        await chunks.aclose()


async def _stream(
    channel: _Channel, deadline: float, limit: float, prefetched: list[bytes]
) -> AsyncIterator[bytes]:
    try:
        for chunk in prefetched:
            yield chunk
        while True:
            kind, payload = await channel.receive(deadline, limit)
            if kind == "end":
                return
            yield payload
    finally:
        channel.cancelled.set()
