"""The remote adapter of the Store port: any SPARQL 1.1 server, over the standard protocols.

Queries go to the SPARQL 1.1 Protocol query endpoint by GET when their URL is short (servers
answer a GET sooner than a POST), else by POST (a form, which every server accepts; to Oxigraph
server the text itself as the body, the protocol's "query via POST directly"); updates go to the
update endpoint (``application/sparql-update``). Answers are parsed with pyoxigraph
(``parse_query_results``, ``parse``), so callers get the same objects as from the embedded store.
An HTTP client (``service.store.http``, libcurl) pools connections for the adapter's calls from
worker threads, and an asyncio one (aiohttp) serves the SPARQL endpoint's pass-through on the
event loop (:meth:`RemoteStore.query_raw`); reads are retried on connection errors and
502/503/504, writes never (an update that timed out may have been applied).

What the adapter makes the same on every server (see ``service/store/dialects.py``):

- the default graph of a query is the union of all graphs unless graphs are given;
- a store version (a token in the graph ``<graph base>system``) changes with every write of any
  replica, so caches in front of the store (ETags, lookups, the name index) follow other
  replicas' writes within ``version_ttl_s``;
- server-owned graphs (Virtuoso's system graphs) are hidden from ``named_graphs``, ``quads``,
  ``count`` and ``dump``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import json
import logging
import threading
import time
import uuid
from collections.abc import (
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO, Literal
from urllib.parse import urlencode, urlsplit

import pyoxigraph
from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
)

from service.errors import QuerySyntaxError, QueryTimeout, RemoteStoreError
from service.forms import encode_form
from service.store.dialects import (
    DIALECTS,
    GENERIC,
    OXIGRAPH,
    VIRTUOSO,
    Dialect,
    DialectName,
)
from service.store.http import (
    DIGEST_URL_MAX,
    Answer,
    AsyncHttpClient,
    BodyStream,
    Credentials,
    HttpClient,
    TransportError,
    TransportTimeout,
)
from service.store.lease import SYSTEM, WriteLease
from service.store.port import GraphName, QueryResult
from service.store.query_text import (
    N_TRIPLES,
    RESULTS_JSON,
    accept_for,
    has_relative_iri,
    plain_query,
    refuse_non_query,
    without_implicit_named_graphs,
)
from service.store.sparql_text import blocks, parts, replacement_operations, split_blank_nodes
from service.update_rewrite import declares_dataset, top_level

logger = logging.getLogger(__name__)

_FORM = "application/x-www-form-urlencoded"
_SPARQL_QUERY = "application/sparql-query; charset=utf-8"
#: The store's version token, in the system graph ``<graph base>system`` beside the write
#: lease (``service.store.lease``), with its plumbing terms.
_VERSION = NamedNode(SYSTEM + "version")
_RETRIED_STATUS = {502, 503, 504}
#: A query whose URL, its form included, is at most this long goes by GET (the protocol's
#: "query via GET"): measured here, Virtuoso answers it about 0.7 ms sooner than the same query
#: by POST, Oxigraph server about 0.07 ms. Longer ones go by POST, since servers limit the head
#: of a request: Oxigraph server refuses one over 8 KB, and Virtuoso silently cuts a request
#: line somewhere between 8 and 12 KB, which turns the query into another (see :func:`_get_limit`).
GET_URL_MAX = 4096
#: The head of a GET, headers and URL, is kept under this (proxies and servers allow 8 KB).
_HEAD_BUDGET = 6 * 1024
#: What a server answers a GET whose URL is too long for it: the query is sent again by POST,
#: and so are queries as long from then on.
_URL_TOO_LONG = {414, 431}
#: What an endpoint that takes queries by POST only answers a GET: every query goes by POST
#: from then on.
_GET_REFUSED = {405, 501}
#: Sent with every GET: an HTTP cache between us and the store must not answer from its copy,
#: which could predate a write.
_NO_CACHE = "no-cache"
#: Answers up to this size are mended on the event loop, larger ones on a thread.
_MEND_ON_LOOP = 64 * 1024
#: A passed-through answer longer than this is streamed on, not read whole first.
_STREAM_AFTER = 128 * 1024
#: Quads per request of a bulk load.
BULK_CHUNK = 5_000


@dataclass(frozen=True)
class RemoteEndpoint:
    """Where a remote store is and how to log in to it."""

    query_url: str
    update_url: str
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = None
    auth_scheme: Literal["basic", "digest"] = "basic"
    token: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_url(cls, url: str, **options: object) -> RemoteEndpoint:
        """An endpoint from its query URL alone: updates go to the same URL, or to ``…/update``
        when the URL ends with ``/query`` (Oxigraph, Fuseki)."""
        update = url[: -len("query")] + "update" if url.rstrip("/").endswith("/query") else url
        return cls(query_url=url, update_url=update, **options)  # type: ignore[arg-type]

    def credentials(self) -> Credentials | None:
        if self.user is None:
            return None
        return Credentials(self.user, self.password or "", self.auth_scheme)


class RemoteStore:
    """A SPARQL 1.1 server as the store. Thread-safe (pooled HTTP clients).

    :param graph_base_iri: where the store-version graph lives (``<graph base>system``).
    :param dialect: the server kind, or ``auto`` to tell it from the ``Server`` header.
    :param version_ttl_s: how long the store version read from the server is trusted.
    :param lease_s: how long a write lease lasts if its holder dies (see :meth:`exclusive`).
    :param lease_wait_s: how long a writer waits for the lease before giving up.
    """

    def __init__(
        self,
        endpoint: RemoteEndpoint,
        *,
        graph_base_iri: str,
        timeout_s: float = 30.0,
        retries: int = 2,
        dialect: DialectName = "auto",
        version_ttl_s: float = 1.0,
        lease_s: float = 300.0,
        lease_wait_s: float = 600.0,
    ) -> None:
        self.endpoint = endpoint
        self._timeout_s = timeout_s
        self._retries = retries
        headers = {"User-Agent": "AllianceGraph (remote store adapter)", **endpoint.headers}
        if endpoint.token:
            headers["Authorization"] = f"Bearer {endpoint.token}"
        credentials, connect_s = endpoint.credentials(), min(timeout_s, 10.0)
        self._client = HttpClient(
            headers=headers,
            credentials=credentials,
            timeout_s=timeout_s,
            connect_timeout_s=connect_s,
        )
        # For the SPARQL endpoint's pass-through, on the event loop (see service.store.http).
        self._async_client = AsyncHttpClient(
            headers=headers,
            credentials=credentials,
            timeout_s=timeout_s,
            connect_timeout_s=connect_s,
        )
        self._get_url_max = _get_limit(headers, credentials)
        self.version_graph = NamedNode(graph_base_iri + "system")
        self.default_stand_in = NamedNode(graph_base_iri + "default")
        self.dialect = GENERIC  # what detection asks with
        self.dialect = DIALECTS[dialect] if dialect != "auto" else self._detect()
        self._version_ttl_s = version_ttl_s
        self._lease = WriteLease(
            self.version_graph,
            update=self._send_update,
            select=self._select,
            lease_s=lease_s,
            wait_s=lease_wait_s,
        )
        self._lock = threading.Lock()
        self._writes = 0
        self._version: tuple[float, str] = (0.0, "")

    # --- the protocol ---------------------------------------------------------------------

    def _detect(self) -> Dialect:
        response = self._send_read([("query", "ASK {}")], accept=RESULTS_JSON)
        server = response.headers.get("server", "").lower()
        if "oxigraph" in server:
            return OXIGRAPH
        if "virtuoso" in server:
            return VIRTUOSO
        return GENERIC

    def _send_read(self, form: Sequence[tuple[str, str]], *, accept: str) -> Answer:
        """Send a query form, by GET when its URL is short, else by POST; retry connection
        errors and 502/503/504 (reads are idempotent).

        :raises QuerySyntaxError: on a 400 (the server's message, which says where).
        :raises QueryTimeout: when the server does not answer in time.
        :raises RemoteStoreError: for anything else that is not a 2xx.
        """
        client = self._client
        located = self._query_get(form)
        if located is not None:
            headers = {"Accept": accept, "Cache-Control": _NO_CACHE}
            response = self._read(
                self.endpoint.query_url,
                lambda: client.request("GET", located, headers=headers),
                method="GET",
            )
            if not self._get_refused(response, located):
                return self._checked(response, self.endpoint.query_url)
        url, body, headers = self._query_post(form, accept)
        return self._checked(
            self._read(url, lambda: client.request("POST", url, body=body, headers=headers)),
            self.endpoint.query_url,
        )

    async def _send_read_async(
        self,
        form: Sequence[tuple[str, str]],
        *,
        accept: str,
        stream_after: int | None = None,
    ) -> Answer:
        """:meth:`_send_read` on the event loop; a 2xx answer longer than ``stream_after``
        bytes comes as its beginning and a stream of the rest (``Answer.rest``)."""
        client = self._async_client
        located = self._query_get(form)
        if located is not None:
            headers = {"Accept": accept, "Cache-Control": _NO_CACHE}
            response = await self._read_async(
                self.endpoint.query_url,
                lambda: client.request("GET", located, headers=headers, stream_after=stream_after),
                method="GET",
            )
            if not self._get_refused(response, located):
                return self._checked(response, self.endpoint.query_url)
        url, body, headers = self._query_post(form, accept)
        return self._checked(
            await self._read_async(
                url,
                lambda: client.request(
                    "POST", url, body=body, headers=headers, stream_after=stream_after
                ),
            ),
            self.endpoint.query_url,
        )

    def _get_refused(self, response: Answer, located: str) -> bool:
        """Whether the server refused a query's GET (the query then goes by POST); the
        refusal lowers the longest URL sent by GET from then on, to none for a 405 or 501."""
        if response.status in _URL_TOO_LONG:
            longest = len(located) - 1
        elif response.status in _GET_REFUSED:
            longest = 0
        else:
            return False
        if longest < self._get_url_max:
            self._get_url_max = longest
            logger.warning(
                "the store at %s answered %d to a query by GET of %d bytes; queries %s go "
                "by POST from now on",
                _shown(self.endpoint.query_url),
                response.status,
                len(located),
                "of that length" if longest else "all",
            )
        return True

    def _query_get(self, form: Sequence[tuple[str, str]]) -> str | None:
        """The URL of the GET that sends a query form; None when it would be too long."""
        url = self.endpoint.query_url
        if len(url) + len(form[0][1]) >= self._get_url_max:  # longer still once encoded
            return None
        located = _with_query(url, encode_form(form))
        return located if len(located) <= self._get_url_max else None

    def _query_post(
        self, form: Sequence[tuple[str, str]], accept: str
    ) -> tuple[str, bytes, dict[str, str]]:
        """The URL, body and headers of the POST that sends a query form: the form
        itself, or, where the dialect takes it and the form is the query and at most the
        dialect's union parameters, the protocol's "query via POST directly": the text as the
        body (nothing to encode), the union parameters in the URL. A dataset of the client's
        stays in the body: in the URL it could pass the server's limit on a request's head."""
        url = self.endpoint.query_url
        first, rest = form[0], tuple(form[1:])
        if not (
            self.dialect.direct_query_post
            and first[0] == "query"
            and rest in ((), self.dialect.union_params)
        ):
            return url, encode_form(form).encode("ascii"), {"Accept": accept, "Content-Type": _FORM}
        if rest:
            url = _with_query(url, _union_fields(rest))
        return url, first[1].encode("utf-8"), {"Accept": accept, "Content-Type": _SPARQL_QUERY}

    def _read(self, url: str, send: Callable[[], Answer], *, method: str = "POST") -> Answer:
        """Send a read, again after connection errors and 502/503/504 (reads are idempotent);
        the last answer, whatever its status.

        :raises QueryTimeout: when the server does not answer in time.
        :raises RemoteStoreError: when it cannot be reached.
        """
        for attempt in range(self._retries + 1):
            try:
                response: Answer | TransportError = send()
            except TransportError as error:
                response = error
            pause = self._retry_pause(url, response, attempt, method)
            if pause is None:
                assert isinstance(response, Answer)  # noqa: S101 - errors raise or retry
                return response
            time.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _read_async(
        self, url: str, send: Callable[[], Awaitable[Answer]], *, method: str = "POST"
    ) -> Answer:
        """:meth:`_read` on the event loop."""
        for attempt in range(self._retries + 1):
            try:
                response: Answer | TransportError = await send()
            except TransportError as error:
                response = error
            pause = self._retry_pause(url, response, attempt, method)
            if pause is None:
                assert isinstance(response, Answer)  # noqa: S101 - errors raise or retry
                return response
            await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry_pause(
        self, url: str, outcome: Answer | TransportError, attempt: int, method: str
    ) -> float | None:
        """How long to wait before sending a read again; None to keep this answer.

        :raises QueryTimeout: when the server did not answer in time (never retried).
        :raises RemoteStoreError: when it could not be reached, the retries spent.
        """
        retry, pause = attempt < self._retries, 0.2 * 2.0**attempt
        if isinstance(outcome, Answer):  # the usual case: no message to make
            if not (retry and outcome.status in _RETRIED_STATUS):
                return None
            logger.warning(
                "the store at %s answered a read (%s) %d; again in %gs",
                _shown(url),
                method,
                outcome.status,
                pause,
            )
            return pause
        if isinstance(outcome, TransportTimeout):
            limit = self._timeout_s
            raise QueryTimeout(f"the store at {_shown(url)} did not answer within {limit:g} s")
        if not retry:
            raise RemoteStoreError(f"cannot reach the store at {_shown(url)}: {outcome}")
        logger.warning(
            "a read (%s) from the store at %s failed (%s); again in %gs",
            method,
            _shown(url),
            outcome,
            pause,
        )
        return pause

    def _send_update(self, text: str) -> None:
        url = self.endpoint.update_url
        shown = _shown(url)
        try:
            response = self._client.request(
                "POST",
                url,
                body=text.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            )
        except TransportTimeout:
            raise RemoteStoreError(
                f"the store at {shown} did not confirm an update within {self._timeout_s:g} s; "
                "it may or may not have been applied"
            ) from None
        except TransportError as error:
            raise RemoteStoreError(f"cannot reach the store at {shown}: {error}") from None
        self._checked(response, url)

    @staticmethod
    def _checked(response: Answer, url: str) -> Answer:
        if response.is_success:
            return response
        message = response.text.strip()[:2000] or response.reason
        url = _shown(url)
        if response.status == 400:
            raise QuerySyntaxError(f"the store refused the request: {message}")
        if response.status in (401, 403):
            raise RemoteStoreError(
                f"the store at {url} refused our credentials ({response.status}): "
                "check ALLIANCEGRAPH_STORE_USER/_PASSWORD or ALLIANCEGRAPH_STORE_TOKEN"
            )
        raise RemoteStoreError(f"the store at {url} answered {response.status}: {message}")

    # --- the Store port -------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """A number of the store's version token: the same on every replica for the same state,
        new at once after a write through this object, and after other replicas' writes within
        ``version_ttl_s`` (the token is read again after that)."""
        with self._lock:
            checked, token = self._version
            writes = self._writes
        if time.monotonic() - checked >= self._version_ttl_s:
            token = self._read_version()
            with self._lock:
                if self._writes == writes:  # no write of ours ended while we read
                    self._version = (time.monotonic(), token)
        return int(hashlib.sha256(token.encode()).hexdigest()[:15], 16) if token else 0

    def _read_version(self) -> str:
        rows = self._select(
            f"SELECT ?v WHERE {{ GRAPH {self.version_graph} "
            f"{{ {self.version_graph} {_VERSION} ?v }} }}"
        )
        # All tokens, should a write have left two: any write still changes the version.
        return "|".join(sorted(str(row["v"].value) for row in rows))

    def _bump(self) -> str:
        """Operations that give the store a new version, for the end of every write."""
        g, token = self.version_graph, uuid.uuid4().hex
        return (
            f"DELETE {{ GRAPH {g} {{ {g} {_VERSION} ?v }} }} "
            f"WHERE {{ GRAPH {g} {{ {g} {_VERSION} ?v }} }} ;\n"
            f'INSERT DATA {{ GRAPH {g} {{ {g} {_VERSION} "{token}" }} }}'
        )

    def _write(self, operations: str, *, pragma: str = "") -> None:
        """Send a write with the version bump at its end, in one request; with a pragma
        (Virtuoso's DEFINE, which would hide the version graph from the bump), in two."""
        try:
            if pragma:
                self._send_update(f"{pragma}\n{operations}")
                self._send_update(self._bump())
            else:
                self._send_update(f"{operations} ;\n{self._bump()}")
        finally:
            with self._lock:
                self._writes += 1
                self._version = (0.0, "")

    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[GraphName] | None = None,
        named_graphs: Iterable[NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query on the server (see the Store port).

        :raises QuerySyntaxError: if the server refuses the query (400).
        """
        form = self._query_form(sparql, default_graph, named_graphs, base_iri)
        response = self._send_read(form, accept=accept_for(sparql))
        self._refuse_truncated(response)
        return _parse_answer(response, self.dialect)

    def passes_through(self, media_type: str) -> bool:
        """Whether :meth:`query_raw` may answer in ``media_type`` (the server writes it in the
        standard form, or the dialect mends it)."""
        return self.dialect.passes(media_type)

    async def query_raw(
        self,
        sparql: str,
        media_type: str,
        *,
        default_graph: Iterable[GraphName] | None = None,
        named_graphs: Iterable[NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> bytes | BodyStream | None:
        """The server's own answer in ``media_type`` (mended where the dialect says so), for the
        SPARQL endpoint to pass on without parsing it, fetched on the running event loop: whole,
        or, when it is long and needs no mending, as a stream of the server's bytes (the caller
        iterates it to the end or closes it). None when the type is not one to pass through or
        the server answered in another type (the caller then uses :meth:`query`).

        :raises QuerySyntaxError: if the server refuses the query (400).
        :raises QueryTimeout: when the server does not answer in time.
        :raises RemoteStoreError: for anything else that is not a 2xx, or a result cut short.
        """
        if not self.passes_through(media_type):
            return None
        form = self._query_form(sparql, default_graph, named_graphs, base_iri)
        verbatim = not self.dialect.mends(media_type)
        # Anything else rather than a 406: a type the server cannot give means the usual path.
        response = await self._send_read_async(
            form,
            accept=f"{media_type}, */*;q=0.1",
            stream_after=_STREAM_AFTER if verbatim else None,
        )
        rest = response.rest
        if response.media_type != media_type:
            if rest is not None:
                await rest.aclose()
            return None
        if rest is not None:
            header = self.dialect.truncation_header
            if not (header and header in response.headers):
                return rest.after(response.content)
            # A cut is possible: the rows must be counted, so the whole answer is read.
            response = Answer(
                response.status,
                response.reason,
                response.headers,
                response.content + b"".join([chunk async for chunk in rest]),
            )
        if len(response.content) <= _MEND_ON_LOOP:
            return self._finished(response)
        return await asyncio.to_thread(self._finished, response)

    def _finished(self, response: Answer) -> bytes:
        """A passed-through answer checked for a cut and mended.

        :raises RemoteStoreError: if the answer is cut short or malformed.
        """
        self._refuse_truncated(response)
        try:
            return self.dialect.mended(response.media_type, response.content)
        except ValueError as error:  # the mending parses JSON
            raise RemoteStoreError(f"the store sent malformed results: {error}") from None

    async def aclose(self) -> None:
        """Close the event loop's connections (those of :meth:`query_raw`)."""
        await self._async_client.aclose()

    def _query_form(
        self,
        sparql: str,
        default_graph: Iterable[GraphName] | None,
        named_graphs: Iterable[NamedNode] | None,
        base_iri: str | None,
    ) -> list[tuple[str, str]]:
        """The protocol form of a query: the text and its dataset, as this server needs them."""
        declared = False
        if not plain_query(sparql):  # else there is nothing to refuse, rewrite or declare
            tokens = top_level(sparql)  # once: the checks below share them
            refuse_non_query(sparql, tokens)
            declared = declares_dataset(sparql, tokens)
            if self.dialect.from_keeps_named_graphs:
                sparql = without_implicit_named_graphs(sparql, tokens)
        # BASE only where a relative IRI needs it: Virtuoso answers a query with one slower.
        text = (
            f"BASE {NamedNode(base_iri)}\n{sparql}"
            if base_iri and has_relative_iri(sparql)
            else sparql
        )
        form: list[tuple[str, str]] = [("query", text)]
        if default_graph is None:
            if not declared:  # else the query's FROM and FROM NAMED rule
                form.extend(self.dialect.union_params)
        else:
            for graph in default_graph:
                if isinstance(graph, DefaultGraph) and not self.dialect.writable_default_graph:
                    graph = self.default_stand_in
                if isinstance(graph, DefaultGraph):
                    raise QuerySyntaxError(
                        "a remote store cannot name its default graph as a default-graph-uri"
                    )
                form.append(("default-graph-uri", graph.value))
        for graph in named_graphs or ():
            form.append(("named-graph-uri", graph.value))
        return form

    def _refuse_truncated(self, response: Answer) -> None:
        """A result the server cut at its row limit is an error, never a silent part."""
        header = self.dialect.truncation_header
        limit = response.headers.get(header) if header else None
        if limit is None or not limit.strip().isdigit():
            return
        rows = _rows(response)
        if rows >= int(limit):
            raise RemoteStoreError(
                f"the store cut the result at its limit of {limit} rows (Virtuoso's "
                "ResultSetMaxRows in [SPARQL] of virtuoso.ini): raise the limit, or ask for "
                "less (LIMIT/OFFSET, a narrower pattern)"
            )

    def _select(self, sparql: str) -> list[pyoxigraph.QuerySolution]:
        result = self.query(sparql)
        if not isinstance(result, QuerySolutions):
            raise RemoteStoreError("the store did not answer a SELECT query with solutions")
        return list(result)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 update as one request (atomic where the server makes requests
        atomic: Oxigraph does, Virtuoso does not; see the README).

        :raises QuerySyntaxError: if the server refuses the update (400).
        """
        text = f"BASE {NamedNode(base_iri)}\n{sparql}" if base_iri else sparql
        if self.dialect.writable_default_graph:
            self._write(text)
        else:
            # Virtuoso's own pragma: the stand-in is the default graph of this update.
            self._write(text, pragma=f"DEFINE input:default-graph-uri {self.default_stand_in}")

    def replace_graphs(
        self,
        graphs: Mapping[GraphName, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
    ) -> None:
        """Replace graphs and change single quads in one update request, so other readers see
        the old or the new content (on servers that apply a request atomically)."""
        if not self.dialect.writable_default_graph:
            graphs = {self._stand_in(g): t for g, t in graphs.items()}
            remove = [self._stand_in_quad(q) for q in remove]
            add = [self._stand_in_quad(q) for q in add]
        operations, inserts = replacement_operations(graphs, remove, add)
        limit = self.dialect.max_insert_triples
        templates: list[dict[GraphName, list[str]]] = []
        if not self.dialect.blank_nodes_in_insert_data:
            inserts, templates = split_blank_nodes(inserts, limit)
        for part in parts(inserts, limit):
            operations.append(f"INSERT DATA {{\n{blocks(part)}\n}}")
        for template in templates:
            # A blank node's triples share one template, so its label stays one node.
            operations.append(f"INSERT {{\n{blocks(template)}\n}} WHERE {{ BIND (1 AS ?one) }}")
        if operations:
            self._write(" ;\n".join(operations))

    def contains_graph(self, graph: NamedNode) -> bool:
        """Whether a named graph holds at least one quad."""
        return bool(self.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    def drop_graph(self, graph: NamedNode) -> bool:
        """Remove a named graph; return whether it held quads."""
        if not self.contains_graph(graph):
            return False
        self._write(f"DROP SILENT GRAPH {graph}")
        return True

    def _stand_in(self, graph: GraphName) -> GraphName:
        return self.default_stand_in if isinstance(graph, DefaultGraph) else graph

    def _stand_in_quad(self, quad: Quad) -> Quad:
        if not isinstance(quad.graph_name, DefaultGraph):
            return quad
        return Quad(quad.subject, quad.predicate, quad.object, self.default_stand_in)

    def _hidden(self, graph: str) -> bool:
        if graph == self.default_stand_in.value and not self.dialect.writable_default_graph:
            return True
        return graph == self.version_graph.value or graph in self.dialect.system_graphs

    def named_graphs(self) -> list[NamedNode]:
        """The named graphs that hold at least one quad, sorted by IRI (server-owned graphs and
        the store-version graph left out)."""
        # GROUP BY, not DISTINCT: Virtuoso answers it at once, DISTINCT in seconds per 100
        # graphs.
        rows = self._select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        graphs = {row["g"].value for row in rows if isinstance(row["g"], NamedNode)}
        return [NamedNode(g) for g in sorted(graphs) if not self._hidden(g)]

    def quads(self, graph: GraphName | None = None) -> Iterator[Quad]:
        """Stream the quads of one graph, or of the whole dataset (one request per graph)."""
        if graph is not None:
            return self._graph_quads(graph)
        return self._all_quads()

    def _all_quads(self) -> Iterator[Quad]:
        yield from self._graph_quads(DefaultGraph())
        for graph in self.named_graphs():
            yield from self._graph_quads(graph)

    def _graph_quads(self, graph: GraphName) -> Iterator[Quad]:
        if isinstance(graph, DefaultGraph) and not self.dialect.writable_default_graph:
            stood_in = self._graph_quads(self.default_stand_in)
            yield from (Quad(q.subject, q.predicate, q.object, graph) for q in stood_in)
            return
        if isinstance(graph, DefaultGraph):
            # Without the union parameters the default graph is the server's own.
            response = self._send_read(
                [("query", "CONSTRUCT WHERE { ?s ?p ?o }")], accept=N_TRIPLES
            )
        elif self.endpoint.gsp_url is not None:
            # The Graph Store Protocol has no row limit (Virtuoso cuts query results).
            found = self._get_graph(self.endpoint.gsp_url, graph)
            if found is None:
                return
            response = found
        else:
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
            response = self._send_read([("query", query)], accept=N_TRIPLES)
            self._refuse_truncated(response)
        parsed = pyoxigraph.parse(response.content, format=_rdf_format(response))
        quads = [Quad(q.subject, q.predicate, q.object, graph) for q in parsed]
        if self.dialect.count_graph_reads:
            expected = self._count_graph(graph)
            if len(quads) < expected:
                raise RemoteStoreError(
                    f"the store sent {len(quads)} of the {expected} triples of {graph}: it cuts "
                    "results (Virtuoso: ResultSetMaxRows in [SPARQL] of virtuoso.ini); raise "
                    "the limit above the largest graph"
                )
        yield from quads

    def _get_graph(self, url: str, graph: NamedNode) -> Answer | None:
        """GET one graph from the Graph Store endpoint as N-Triples; None when it is absent."""
        located = _with_query(url, urlencode({"graph": graph.value}))
        headers = {"Accept": N_TRIPLES, "Cache-Control": _NO_CACHE}
        response = self._read(
            url, lambda: self._client.request("GET", located, headers=headers), method="GET"
        )
        return None if response.status == 404 else self._checked(response, url)

    def count(self, graph: GraphName | None = None) -> int:
        """The number of quads in one graph, or in the whole dataset."""
        if graph is None:
            hidden = ", ".join(
                str(NamedNode(g))
                for g in sorted({self.version_graph.value, *self.dialect.system_graphs})
            )
            total = self._count(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                f"FILTER (?g NOT IN ({hidden})) }}"
            )
            if self.dialect.writable_default_graph:  # else the stand-in was counted above
                total += self._count_graph(DefaultGraph())
            return total
        return self._count_graph(graph)

    def _count_graph(self, graph: GraphName) -> int:
        if isinstance(graph, DefaultGraph):
            if not self.dialect.writable_default_graph:
                return self._count_graph(self.default_stand_in)
            # Without the union parameters the default graph is the server's own.
            return self._count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return self._count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")

    def _count(self, query: str) -> int:
        result = _parse_answer(
            self._send_read([("query", query)], accept=RESULTS_JSON), self.dialect
        )
        if not isinstance(result, QuerySolutions):
            raise RemoteStoreError("the store did not answer a COUNT query with solutions")
        return sum(int(row["n"].value) for row in result)

    def bulk_extend(self, quads: Iterable[Quad]) -> int:
        """Add a stream of quads in requests of ``BULK_CHUNK`` quads (not atomic; a blank node
        is one node only within one request)."""
        total = 0
        iterator = iter(quads)
        while chunk := list(islice(iterator, BULK_CHUNK)):
            self.replace_graphs({}, add=chunk)
            total += len(chunk)
        return total

    def dump(
        self, output: BinaryIO, rdf_format: RdfFormat, *, graph: GraphName | None = None
    ) -> None:
        """Write one graph (any format), or the whole dataset (a quad format), to ``output``."""
        if graph is None:
            pyoxigraph.serialize(self.quads(), output, rdf_format)
        else:
            triples = (Triple(q.subject, q.predicate, q.object) for q in self.quads(graph))
            pyoxigraph.serialize(triples, output, rdf_format)

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold the store's write lease, shared by every replica on this store (see
        ``service.store.lease``: writers queue, then claim it one at a time).

        :raises RemoteStoreError: when the lease cannot be had within ``lease_wait_s``; after
            the block, when the lease was lost during it.
        """
        return self._lease.held()

    def flush(self) -> None:
        """Nothing to do: the server made every acknowledged update durable."""

    def close(self) -> None:
        """Close the pooled connections (call :meth:`aclose` first on the event loop that
        passed answers through)."""
        self._client.close()
        self._async_client.close()


def _rows(response: Answer) -> int:
    """The rows (solutions, or triples) of an answer, to compare with a server's row limit.

    :raises RemoteStoreError: if the answer is malformed.
    """
    media, content = response.media_type, response.content
    try:
        if media == "application/sparql-results+json":
            return len(json.loads(content).get("results", {}).get("bindings", []))
        if media == "application/sparql-results+xml":
            return content.count(b"<result>") + content.count(b"<result ")
        if media in ("text/csv", "text/tab-separated-values"):
            return max(0, sum(1 for line in content.splitlines() if line.strip()) - 1)  # header
        return sum(1 for _ in pyoxigraph.parse(content, format=_rdf_format(response)))
    except (SyntaxError, ValueError) as error:
        raise RemoteStoreError(f"the store sent a malformed answer: {error}") from None


def _rdf_format(response: Answer) -> RdfFormat:
    media = response.media_type
    found = RdfFormat.from_media_type(media) if media else None
    if found is None:
        raise RemoteStoreError(f"the store answered an unexpected media type {media!r}")
    return found


def _get_limit(headers: Mapping[str, str], credentials: Credentials | None) -> int:
    """The longest URL a query may go by GET with, so that the request's head stays within
    :data:`_HEAD_BUDGET` with the adapter's own headers (a long token shortens it). Digest
    auth repeats the URL in its ``Authorization`` header, which halves what is left, and
    libcurl takes no longer URL there than :data:`~service.store.http.DIGEST_URL_MAX`."""
    left = _HEAD_BUDGET - sum(len(name) + len(value) + 4 for name, value in headers.items())
    if credentials is not None and credentials.scheme == "digest":
        left = min(DIGEST_URL_MAX, (left - 512) // 2)  # 512: realm, nonce, response...
    return max(0, min(GET_URL_MAX, left))


def _with_query(url: str, query: str) -> str:
    """``url`` with ``query`` (encoded) after any query string it already has."""
    return f"{url}{'&' if '?' in url else '?'}{query}"


@functools.cache
def _shown(url: str) -> str:
    """A store URL as messages and logs show it: without a user, a password or a query string,
    any of which may hold a secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


@functools.cache
def _union_fields(params: tuple[tuple[str, str], ...]) -> str:
    """A dialect's union parameters, URL-encoded once (most queries send them)."""
    return urlencode(params)


def _parse_answer(response: Answer, dialect: Dialect = GENERIC) -> QueryResult:
    """Solutions, a boolean, or triples, as the embedded store returns them."""
    media = response.media_type
    results_format = QueryResultsFormat.from_media_type(media) if media else None
    if results_format is not None:
        try:
            content = dialect.mended(media, response.content)
            answer = pyoxigraph.parse_query_results(content, results_format)
        except (SyntaxError, ValueError) as error:  # ValueError: the mending parses JSON
            raise RemoteStoreError(f"the store sent malformed results: {error}") from None
        if isinstance(answer, (QuerySolutions, QueryBoolean)):
            return answer
        raise RemoteStoreError("the store sent results of an unknown kind")  # pragma: no cover
    # Triples: loaded into a small in-memory store, whose CONSTRUCT gives the same kind of
    # result as the embedded store (blank nodes keep their identity within the answer).
    graph = pyoxigraph.Store()
    try:
        graph.load(io.BytesIO(response.content), _rdf_format(response), to_graph=DefaultGraph())
    except SyntaxError as error:
        raise RemoteStoreError(f"the store sent malformed RDF: {error}") from None
    return graph.query("CONSTRUCT WHERE { ?s ?p ?o }")
