"""The remote adapter's protocol behaviour against a stub server with canned answers: retries
of reads only, credentials, clear errors, configuration; and the write lease between two
replicas on a real Oxigraph server."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from base64 import b64encode
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, quote_plus, urlencode, urlsplit

import pytest
from pydantic import ValidationError
from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, Triple

from service.config import Settings
from service.errors import QuerySyntaxError, QueryTimeout, RemoteStoreError
from service.query_runner import QueryJob, QueryRunner
from service.sparql_protocol import QueryRequest
from service.store import RemoteEndpoint, RemoteStore, open_store
from service.store.embedded import EmbeddedStore
from service.store.lease import SYSTEM
from service.store.port import solutions
from service.store.remote import GET_URL_MAX
from tests.stores import GRAPH_BASE, RemoteServer, Servers
from tests.wikidata_server import StubResponse, refused_url, stub_server

JSON = {"Content-Type": "application/sparql-results+json"}
SAMSUNG = {"type": "literal", "value": "삼성"}
ROWS = json.dumps({"head": {"vars": ["o"]}, "results": {"bindings": [{"o": SAMSUNG}]}})
ASK_TRUE = '{"head": {}, "boolean": true}'
G = NamedNode("https://example.org/graph/1")


def _store(url: str, **options: object) -> RemoteStore:
    endpoint = RemoteEndpoint.from_url(url, **options)
    return RemoteStore(endpoint, graph_base_iri=GRAPH_BASE, dialect="generic", retries=2)


def test_a_read_is_retried_after_503_and_connection_errors_and_then_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    answers: list[StubResponse] = [(503, {}, "busy"), (502, {}, "bad gateway"), (200, JSON, ROWS)]
    with stub_server(answers) as stub, caplog.at_level(logging.WARNING, "service.store.remote"):
        store = _store(stub.base + "/query")
        try:
            rows = solutions(store.query("SELECT ?o WHERE { ?s ?p ?o }"))
        finally:
            store.close()
    assert [row["o"] for row in rows] == [Literal("삼성")]
    assert [r.getMessage() for r in caplog.records] == [  # each retry is seen
        f"the store at {stub.base}/query answered a read (GET) 503; again in 0.2s",
        f"the store at {stub.base}/query answered a read (GET) 502; again in 0.4s",
    ]
    assert len(stub.requests) == 3
    assert [r.method for r in stub.requests] == ["GET"] * 3
    assert stub.requests[0].query == {"query": ["SELECT ?o WHERE { ?s ?p ?o }"]}
    assert stub.requests[0].headers["accept"] == "application/sparql-results+json"
    assert stub.requests[0].headers["cache-control"] == "no-cache"


def test_a_short_query_goes_by_get_and_a_long_one_by_post() -> None:
    short = "SELECT ?o WHERE { ?s ?p ?o }"
    long = f'SELECT ?o WHERE {{ ?s ?p ?o FILTER(?o != "{"가" * 2000}") }}'
    with stub_server([(200, JSON, ROWS), (200, JSON, ROWS)]) as stub:
        store = _store(stub.base + "/query")
        try:
            for text in (short, long):
                assert [row["o"] for row in solutions(store.query(text))] == [Literal("삼성")]
        finally:
            store.close()
    got, posted = stub.requests
    assert (got.method, got.query) == ("GET", {"query": [short]})
    assert posted.method == "POST"
    assert posted.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(posted.body.decode()) == {"query": [long]}
    assert "cache-control" not in posted.headers


def _text_for_url(base: str, length: int) -> str:
    """An ASK whose GET URL (``base``, ``?query=``, the text form-encoded) is ``length`` long."""
    fixed = len(base) + len("?query=") + len(quote_plus("ASK {}"))
    return "ASK {}" + "#" * ((length - fixed) // 3) + "a" * ((length - fixed) % 3)


@pytest.mark.parametrize(
    ("options", "longest"),
    [({}, GET_URL_MAX), ({"user": "u", "password": "p", "auth_scheme": "digest"}, 2000)],
)
def test_a_query_goes_by_get_up_to_the_bound_and_by_post_past_it(
    options: dict[str, str], longest: int
) -> None:
    with stub_server([(200, JSON, ASK_TRUE)] * 2) as stub:
        url = stub.base + "/query"
        store = _store(url, **options)
        try:
            for length in (longest, longest + 1):
                text = _text_for_url(url, length)
                assert len(f"{url}?{urlencode({'query': text})}") == length
                assert bool(store.query(text))
        finally:
            store.close()
    assert [r.method for r in stub.requests] == ["GET", "POST"]
    assert len(stub.base) + len(stub.requests[0].target) == longest


def test_a_short_query_with_a_dataset_goes_by_get() -> None:
    with stub_server([(200, JSON, ROWS)]) as stub:
        store = _store(stub.base + "/query")
        try:
            store.query("SELECT ?o WHERE { ?s ?p ?o }", default_graph=[G], named_graphs=[G])
        finally:
            store.close()
    (got,) = stub.requests
    assert got.method == "GET"
    assert got.query == {
        "query": ["SELECT ?o WHERE { ?s ?p ?o }"],
        "default-graph-uri": [G.value],
        "named-graph-uri": [G.value],
    }


@pytest.mark.parametrize(("status", "after"), [(405, ["POST", "POST"]), (414, ["POST", "GET"])])
def test_a_refused_get_sends_such_queries_by_post_from_then_on(
    status: int, after: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """405: this endpoint takes no GET, so none is sent again; 414: no GET as long again, but
    shorter ones still go by GET."""
    answers: list[StubResponse] = [(status, {}, "no"), *[(200, JSON, ASK_TRUE)] * 3]
    with stub_server(answers) as stub, caplog.at_level(logging.WARNING, "service.store.remote"):
        store = _store(stub.base + "/query?key=s3cret", user="me", password="pw")
        try:
            for text in ("ASK { ?s ?p ?o }", "ASK { ?s ?p ?o }", "ASK {}"):
                assert bool(store.query(text))
        finally:
            store.close()
    assert [r.method for r in stub.requests] == ["GET", "POST", *after]
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith(f"the store at {stub.base}/query answered {status} to a query by GET")
    assert "s3cret" not in line


def test_messages_show_no_secret_of_the_store_url(caplog: pytest.LogCaptureFixture) -> None:
    url = refused_url("/query")
    secret = url.replace("http://", "http://me:pa55@") + "?key=s3cret"
    store = _store(secret)
    try:
        with (
            caplog.at_level(logging.WARNING, "service.store.remote"),
            pytest.raises(RemoteStoreError) as raised,
        ):
            store.query("ASK {}")
    finally:
        store.close()
    shown = [str(raised.value), *(r.getMessage() for r in caplog.records)]
    assert all(url in m and "pa55" not in m and "s3cret" not in m for m in shown)


@pytest.mark.parametrize("status", [414, 431])
@pytest.mark.parametrize("passed_through", [False, True])
def test_a_get_the_server_finds_too_long_is_sent_again_by_post(
    status: int, passed_through: bool
) -> None:
    text = "SELECT ?o WHERE { ?s ?p ?o }"
    with stub_server([(status, {}, "too long"), (200, JSON, ROWS)]) as stub:
        store = _store(stub.base + "/query")
        try:
            answer = _query(store, text, passed_through)
        finally:
            store.close()
    if passed_through:
        assert answer == (JSON["Content-Type"], ROWS.encode())
    else:
        assert isinstance(answer, QuerySolutions)
        assert [row["o"] for row in answer] == [Literal("삼성")]
    assert [r.method for r in stub.requests] == ["GET", "POST"]
    assert parse_qs(stub.requests[1].body.decode()) == {"query": [text]}


@pytest.mark.parametrize("passed_through", [False, True])
def test_queries_of_every_length_answer_at_once_after_a_write(
    remote_server: RemoteServer, passed_through: bool
) -> None:
    """By GET up to the bound, by POST past it, on a real server, with the credentials a
    write needs (Virtuoso: Digest) and no retry to hide a failed request: libcurl 8.23 fails
    a GET with Digest auth whose path passes 2 KB."""
    writer = RemoteStore(
        remote_server.endpoint,
        graph_base_iri=GRAPH_BASE,
        dialect=remote_server.dialect,
        retries=0,
    )
    try:
        writer.update(f'INSERT DATA {{ GRAPH {G} {{ {G} <urn:p> "x" }} }}')
        for size in (100, 1000, 1800, 2100, 3000, 4000, 5000):
            padding = "a" * (size - 80)
            text = f'ASK {{ GRAPH {G} {{ ?s <urn:p> "x" }} FILTER("{padding}" != "") }}'
            if passed_through:
                assert _run(writer, text, JSON["Content-Type"])[1].count(b"true") == 1
            else:
                answer = writer.query(text)
                assert isinstance(answer, QueryBoolean), size
                assert bool(answer), size
            writer.update(f"INSERT DATA {{ GRAPH {G} {{ {G} <urn:n> {size} }} }}")
    finally:
        writer.update(f"DROP SILENT GRAPH {G}")
        writer.close()


def test_a_long_token_leaves_less_room_for_a_get() -> None:
    text = "SELECT ?o WHERE { ?s ?p ?o }"
    with stub_server([(200, JSON, ROWS)]) as stub:
        store = _store(stub.base + "/query", token="t" * 6200)
        try:
            assert [row["o"] for row in solutions(store.query(text))] == [Literal("삼성")]
        finally:
            store.close()
    assert stub.requests[0].method == "POST"  # the head would have passed 6 KB by GET


def test_a_write_is_never_retried() -> None:
    with stub_server([(503, {}, "busy"), (204, {}, "")]) as stub:
        store = _store(stub.base + "/query")
        try:
            with pytest.raises(RemoteStoreError, match="503"):
                store.replace_graphs({G: [Triple(G, G, Literal("x"))]})
        finally:
            store.close()
    assert len(stub.requests) == 1
    assert stub.requests[0].path == "/update"
    assert stub.requests[0].headers["content-type"].startswith("application/sparql-update")


def test_a_refused_connection_is_a_clear_error_after_the_retries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = refused_url("/query")
    store = _store(url)
    try:
        with (
            caplog.at_level(logging.WARNING, "service.store.remote"),
            pytest.raises(RemoteStoreError, match="cannot reach the store"),
        ):
            store.query("ASK {}")
    finally:
        store.close()
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 2  # two retries, then the error
    assert all(m.startswith(f"a read (GET) from the store at {url} failed (") for m in warned)


def test_a_syntax_error_reported_by_the_server_is_a_query_syntax_error() -> None:
    message = "Parser error at line 1 column 6: expected WHERE"
    with stub_server([(400, {"Content-Type": "text/plain"}, message)]) as stub:
        store = _store(stub.base + "/query")
        try:
            with pytest.raises(QuerySyntaxError, match="line 1 column 6"):
                store.query("SELECT ?x WHERE { ?x }")
        finally:
            store.close()


def test_refused_credentials_say_which_settings_to_check() -> None:
    with stub_server([(401, {}, "no")]) as stub:
        store = _store(stub.base + "/query", user="reader", password="secret")
        try:
            with pytest.raises(RemoteStoreError, match="ALLIANCEGRAPH_STORE_USER"):
                store.query("ASK {}")
        finally:
            store.close()
    expected = "Basic " + b64encode(b"reader:secret").decode()
    assert stub.requests[0].headers["authorization"] == expected


def test_a_bearer_token_is_sent() -> None:
    with stub_server([(200, JSON, ASK_TRUE)]) as stub:
        store = _store(stub.base + "/query", token="t0ken")
        try:
            assert bool(store.query("ASK {}"))
        finally:
            store.close()
    assert stub.requests[0].headers["authorization"] == "Bearer t0ken"


@pytest.mark.parametrize("passed_through", [False, True])
def test_a_server_that_does_not_answer_is_a_query_timeout(passed_through: bool) -> None:
    """On a worker thread (libcurl) and on the event loop (the pass-through) alike."""
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        host, port = silent.getsockname()
        endpoint = RemoteEndpoint.from_url(f"http://{host}:{port}/query")
        store = RemoteStore(endpoint, graph_base_iri=GRAPH_BASE, dialect="generic", timeout_s=0.3)
        try:
            with pytest.raises(QueryTimeout, match=r"did not answer within 0\.3 s"):
                _query(store, "ASK {}", passed_through)
        finally:
            store.close()


def test_the_dialect_is_read_from_the_server_header() -> None:
    answers: list[StubResponse] = [(200, {**JSON, "Server": "Oxigraph/0.5.2"}, ASK_TRUE)]
    with stub_server(answers) as stub:
        endpoint = RemoteEndpoint.from_url(stub.base + "/query")
        store = RemoteStore(endpoint, graph_base_iri=GRAPH_BASE)
        try:
            assert store.dialect.name == "oxigraph"
        finally:
            store.close()


def test_update_url_defaults() -> None:
    assert RemoteEndpoint.from_url("http://db:7878/query").update_url == "http://db:7878/update"
    assert RemoteEndpoint.from_url("http://db/sparql").update_url == "http://db/sparql"


def test_settings_choose_the_store_and_refuse_bad_remote_values(tmp_path: Path) -> None:
    embedded = open_store(Settings(store=tmp_path / "s"))
    assert isinstance(embedded, EmbeddedStore)
    embedded.close()
    with pytest.raises(ValidationError, match="store_query_url"):
        Settings(store_query_url="ftp://db/query")
    with pytest.raises(ValidationError, match="not both"):
        Settings(store_query_url="http://db/query", store_user="u", store_token="t")


def test_the_write_lease_lets_one_replica_write_at_a_time(remote_server: RemoteServer) -> None:
    """Two replicas (two adapters on one server) each increment a counter kept in the store 15
    times, read-modify-write, under the lease: no increment is lost."""
    replicas = [remote_server.store(), remote_server.store()]
    counter = NamedNode("https://example.org/counter")
    value = NamedNode("https://example.org/value")
    try:
        replicas[0].replace_graphs({G: [Triple(counter, value, Literal(0))]})

        def work(store: RemoteStore) -> None:
            for _ in range(15):
                with store.exclusive():
                    [row] = solutions(store.query(f"SELECT ?v WHERE {{ {counter} {value} ?v }}"))
                    count = int(row["v"].value)
                    store.replace_graphs({G: [Triple(counter, value, Literal(count + 1))]})

        threads = [threading.Thread(target=work, args=(store,)) for store in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        [row] = solutions(replicas[0].query(f"SELECT ?v WHERE {{ {counter} {value} ?v }}"))
        assert int(row["v"].value) == 30
        assert replicas[0].named_graphs() == [G]  # the lease and version graph stay hidden
    finally:
        for store in replicas:
            store.close()


def test_a_write_longer_than_the_lease_keeps_it(remote_server: RemoteServer) -> None:
    """A replica that holds the lease for two of its lifetimes keeps it (it is renewed): the
    other replica gets it only once it is released, not when the first expiry passes."""
    lease_s = 2.4
    holder, other = (
        RemoteStore(
            remote_server.endpoint,
            graph_base_iri=GRAPH_BASE,
            dialect=remote_server.dialect,
            lease_s=lease_s,
        )
        for _ in range(2)
    )
    events: list[str] = []
    holding = threading.Event()

    def hold() -> None:
        with holder.exclusive():
            holding.set()
            time.sleep(2 * lease_s)
            events.append("released")

    try:
        _take_meanwhile(hold, holding, other, events)
        assert events == ["released", "other"]
        _assert_no_lease_or_ticket(other)
    finally:
        holder.close()
        other.close()


def test_a_writer_that_waits_goes_before_one_that_writes_again(
    remote_server: RemoteServer,
) -> None:
    """One replica writes eight times in a row; the other asks for the lease during the first
    of those writes, which lasts until its ticket is in the queue, and gets it next. (Without
    the queue, the first replica took the lease again as soon as it let it go, and the other,
    pausing between its tries, had it only at the end.)"""
    busy, other = remote_server.store(), remote_server.store()
    events: list[str] = []
    first = threading.Event()

    def queued() -> bool:
        """Whether a live ticket waits (the other replica's: the busy one holds the lease)."""
        return bool(
            busy.query(
                f"ASK {{ GRAPH {busy.version_graph} {{ ?ticket a <{SYSTEM}WriteTicket> ; "
                f"<{SYSTEM}expires> ?until }} FILTER (?until > {time.time():.3f}) }}"
            )
        )

    def write_again_and_again() -> None:
        for _ in range(8):
            with busy.exclusive():
                events.append("busy")
                if not first.is_set():
                    first.set()
                    deadline = time.monotonic() + 60
                    while not queued() and time.monotonic() < deadline:
                        time.sleep(0.02)
                time.sleep(0.05)

    try:
        _take_meanwhile(write_again_and_again, first, other, events)
        assert events == ["busy", "other"] + ["busy"] * 7
        _assert_no_lease_or_ticket(other)
    finally:
        busy.close()
        other.close()


def _take_meanwhile(
    work: Callable[[], None], begun: threading.Event, other: RemoteStore, events: list[str]
) -> None:
    """Run ``work`` (another replica's writes) on a thread; once it has ``begun``, take
    ``other``'s lease and note "other" in ``events``; then wait for ``work`` to end."""
    thread = threading.Thread(target=work)
    thread.start()
    try:
        assert begun.wait(60)
        with other.exclusive():
            events.append("other")
    finally:
        thread.join(timeout=120)
    assert not thread.is_alive()


def _assert_no_lease_or_ticket(store: RemoteStore) -> None:
    """Every writer removed its lease and its ticket."""
    entries = f"ASK {{ GRAPH {store.version_graph} {{ ?entry <{SYSTEM}expires> ?until }} }}"
    assert not store.query(entries)


def test_a_lease_lost_while_held_is_logged_and_the_write_reported(
    servers: Servers, caplog: pytest.LogCaptureFixture
) -> None:
    with servers.lent("oxigraph") as server:
        holder = RemoteStore(
            server.endpoint, graph_base_iri=GRAPH_BASE, dialect=server.dialect, lease_s=0.6
        )
        other = server.store()

        def hold_and_lose() -> None:
            with holder.exclusive():
                g = other.version_graph
                # What a contender does to a lease it finds expired.
                other.update(
                    f"DELETE WHERE {{ GRAPH {g} {{ ?lease a <{SYSTEM}WriteLease> ; ?p ?o }} }}"
                )
                deadline = time.monotonic() + 10
                while not _errors(caplog) and time.monotonic() < deadline:
                    time.sleep(0.05)

        try:
            with (
                caplog.at_level("WARNING", logger="service.store.lease"),
                pytest.raises(RemoteStoreError, match="lost during this write"),
            ):
                hold_and_lose()
        finally:
            holder.close()
            other.close()
    (error,) = _errors(caplog)
    assert "expired while this replica held it" in error.getMessage()


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "service.store.lease" and r.levelname == "ERROR"]


def test_a_result_the_server_cut_at_its_row_limit_is_refused() -> None:
    """Virtuoso cuts results at ResultSetMaxRows and says so only in a header."""
    two_rows = json.dumps(
        {"head": {"vars": ["o"]}, "results": {"bindings": [{"o": SAMSUNG}, {"o": SAMSUNG}]}}
    )
    cut = {**JSON, "X-SPARQL-MaxRows": "2"}
    with stub_server(
        [(200, cut, two_rows), (200, {**JSON, "X-SPARQL-MaxRows": "3"}, two_rows)]
    ) as stub:
        endpoint = RemoteEndpoint.from_url(stub.base + "/sparql")
        store = RemoteStore(endpoint, graph_base_iri=GRAPH_BASE, dialect="virtuoso")
        try:
            with pytest.raises(RemoteStoreError, match="ResultSetMaxRows"):
                store.query("SELECT ?o WHERE { ?s ?p ?o }")
            assert len(solutions(store.query("SELECT ?o WHERE { ?s ?p ?o }"))) == 2  # under it
        finally:
            store.close()


def test_a_graph_read_cut_short_is_refused() -> None:
    """Virtuoso's Graph Store GET is cut too, without a sign: the adapter counts."""
    triples = '<https://example.org/s> <https://example.org/p> "1" .\n'
    count = json.dumps(
        {
            "head": {"vars": ["n"]},
            "results": {
                "bindings": [
                    {
                        "n": {
                            "type": "typed-literal",
                            "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                            "value": "2",
                        }
                    }
                ]
            },
        }
    )
    answers: list[StubResponse] = [
        (200, {"Content-Type": "application/n-triples"}, triples),
        (200, JSON, count),
    ]
    with stub_server(answers) as stub:
        endpoint = RemoteEndpoint.from_url(stub.base + "/sparql", gsp_url=stub.base + "/crud")
        store = RemoteStore(endpoint, graph_base_iri=GRAPH_BASE, dialect="virtuoso")
        try:
            with pytest.raises(RemoteStoreError, match="1 of the 2 triples"):
                list(store.quads(G))
        finally:
            store.close()
    assert stub.requests[0].path == "/crud"
    assert stub.requests[0].query == {"graph": [G.value]}


def _query(store: RemoteStore, query: str, passed_through: bool) -> object:
    """``query`` on the event loop's pass-through (as JSON), or on the worker path."""
    if passed_through:
        return _run(store, query, JSON["Content-Type"])
    return store.query(query)


def _run(store: RemoteStore, query: str, accept: str) -> tuple[str, bytes]:
    runner = QueryRunner(workers=1, timeout_s=10, max_waiting=1)
    job = QueryJob(store, QueryRequest(query), accept, GRAPH_BASE, [])

    async def run() -> tuple[str, bytes | AsyncIterator[bytes]]:
        try:
            return await runner.run(job)
        finally:
            await store.aclose()

    try:
        media, body = asyncio.run(run())
    finally:
        runner.close()
    assert isinstance(body, bytes)
    return media, body


def test_the_endpoint_passes_a_servers_answer_through_unparsed() -> None:
    """A result in the type the client asked for goes out as the server sent it (no parse and
    serialize again); Virtuoso's JSON, which needs mending, does not."""
    csv = b"o\r\n\xec\x82\xbc\xec\x84\xb1\r\n"
    with stub_server([(200, {"Content-Type": "text/csv; charset=utf-8"}, csv)]) as stub:
        store = _store(stub.base + "/query")
        try:
            media, body = _run(store, "SELECT ?o WHERE { ?s ?p ?o }", "text/csv")
        finally:
            store.close()
    assert (media, body) == ("text/csv; charset=utf-8", csv)
    assert stub.requests[0].headers["accept"] == "text/csv, */*;q=0.1"
    with stub_server([(200, JSON, ROWS)]) as stub:
        endpoint = RemoteEndpoint.from_url(stub.base + "/sparql")
        store = RemoteStore(endpoint, graph_base_iri=GRAPH_BASE, dialect="virtuoso")
        try:
            media, body = _run(store, "SELECT ?o WHERE { ?s ?p ?o }", "text/csv")
        finally:
            store.close()
    assert media == "text/csv; charset=utf-8"
    assert body.decode("utf-8").splitlines() == ["o", "삼성"]
    assert stub.requests[0].headers["accept"] == "application/sparql-results+json"


def test_an_answer_of_another_type_falls_back_to_parsing() -> None:
    answers: list[StubResponse] = [(200, JSON, ROWS), (200, JSON, ROWS)]
    with stub_server(answers) as stub:
        store = _store(stub.base + "/query")
        try:
            media, body = _run(store, "SELECT ?o WHERE { ?s ?p ?o }", "text/tab-separated-values")
        finally:
            store.close()
    assert media == "text/tab-separated-values; charset=utf-8"
    assert body.decode("utf-8").splitlines() == ["?o", '"삼성"']
    assert len(stub.requests) == 2


def test_a_passed_through_read_is_retried_and_sent_with_the_credentials() -> None:
    """The endpoint's pass-through runs on the event loop (its own HTTP client): the same
    retries of reads, and the same credentials, as the adapter's other reads."""
    answers: list[StubResponse] = [(503, {}, "busy"), (200, JSON, ROWS)]
    with stub_server(answers) as stub:
        store = _store(stub.base + "/query", user="reader", password="secret")
        try:
            media, body = _run(store, "SELECT ?o WHERE { ?s ?p ?o }", JSON["Content-Type"])
        finally:
            store.close()
    assert (media, json.loads(body)) == (JSON["Content-Type"], json.loads(ROWS))
    assert len(stub.requests) == 2
    expected = "Basic " + b64encode(b"reader:secret").decode()
    assert [r.headers["authorization"] for r in stub.requests] == [expected, expected]
    sent = stub.requests[1].query["query"]
    assert sent == ["SELECT ?o WHERE { ?s ?p ?o }"]  # no relative IRI: no BASE


def test_a_passed_through_read_answers_a_digest_challenge() -> None:
    challenge = {"WWW-Authenticate": 'Digest realm="r", nonce="abc123", qop="auth"'}
    answers: list[StubResponse] = [(401, challenge, "who?"), (200, JSON, ASK_TRUE)]
    with stub_server(answers) as stub:
        store = _store(stub.base + "/query", user="dba", password="pw", auth_scheme="digest")
        try:
            _, body = _run(store, "ASK {}", JSON["Content-Type"])
        finally:
            store.close()
    assert json.loads(body) == {"head": {}, "boolean": True}
    answer = stub.requests[1].headers["authorization"]
    assert answer.startswith("Digest ")
    assert 'username="dba"' in answer
    assert 'nonce="abc123"' in answer
    assert stub.requests[1].query == stub.requests[0].query == {"query": ["ASK {}"]}


def test_virtuoso_results_are_mended_on_the_way_through() -> None:
    """Virtuoso's blank node ids (nodeID://…) are no valid labels: passed-through XML and JSON
    get the labels the parsed path gives them, the same node in both."""
    xml = (
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="o"/>'
        '</head><results><result><binding name="o"><bnode>nodeID://b10000</bnode></binding>'
        "</result></results></sparql>"
    )
    bnode_json = json.dumps(
        {
            "head": {"vars": ["o"]},
            "results": {"bindings": [{"o": {"type": "bnode", "value": "nodeID://b10000"}}]},
        }
    )
    xml_type = "application/sparql-results+xml"
    answers: list[StubResponse] = [
        (200, {"Content-Type": xml_type}, xml),
        (200, JSON, bnode_json),
    ]
    with stub_server(answers) as stub:
        endpoint = RemoteEndpoint.from_url(stub.base + "/sparql")
        store = RemoteStore(endpoint, graph_base_iri=GRAPH_BASE, dialect="virtuoso")
        try:
            _, as_xml = _run(store, "SELECT ?o WHERE { ?s ?p ?o }", xml_type)
            _, as_json = _run(store, "SELECT ?o WHERE { ?s ?p ?o }", JSON["Content-Type"])
        finally:
            store.close()
    assert b"<bnode>nodeID___b10000</bnode>" in as_xml
    assert json.loads(as_json)["results"]["bindings"] == [
        {"o": {"type": "bnode", "value": "nodeID___b10000"}}
    ]
    assert [r.headers["accept"] for r in stub.requests] == [
        f"{xml_type}, */*;q=0.1",
        f"{JSON['Content-Type']}, */*;q=0.1",
    ]


def test_a_passed_through_graph_the_server_cut_is_refused() -> None:
    """A CONSTRUCT cut at the row limit is refused on the pass-through too, in Turtle (counted
    by parsing) as in results formats."""
    turtle = "<urn:a> <urn:p> 1 , 2 ."
    cut = {"Content-Type": "text/turtle", "X-SPARQL-MaxRows": "2"}
    with stub_server([(200, cut, turtle)]) as stub:
        endpoint = RemoteEndpoint.from_url(stub.base + "/sparql")
        store = RemoteStore(endpoint, graph_base_iri=GRAPH_BASE, dialect="virtuoso")
        try:
            with pytest.raises(RemoteStoreError, match="ResultSetMaxRows"):
                _run(store, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
        finally:
            store.close()


@pytest.mark.parametrize("passed_through", [False, True])
def test_credentials_that_are_not_ascii_are_sent_as_utf8(passed_through: bool) -> None:
    with stub_server([(200, JSON, ASK_TRUE)]) as stub:
        store = _store(stub.base + "/query", user="분석가", password="비밀")
        try:
            if passed_through:
                _run(store, "ASK {}", JSON["Content-Type"])
            else:
                assert bool(store.query("ASK {}"))
        finally:
            store.close()
    expected = "Basic " + b64encode("분석가:비밀".encode()).decode()
    assert stub.requests[0].headers["authorization"] == expected


@pytest.mark.parametrize("passed_through", [False, True])
def test_oxigraph_gets_the_query_text_as_the_body_and_others_a_form(passed_through: bool) -> None:
    """A query too long for a GET: the protocol's "query via POST directly" where the dialect
    takes it (nothing to encode), its union parameter in the URL, after any the query URL has;
    the form everywhere else, and for a dataset of the client's, which stays out of the URL.
    A short query goes by GET, its parameters after the URL's own."""
    query = f'SELECT ?o WHERE {{ ?s ?p "삼성 & co = 100%" FILTER(?o != "{"x" * 4100}") }}'
    short = 'SELECT ?o WHERE { ?s ?p "삼성 & co = 100%" }'
    with stub_server([(200, JSON, ROWS)] * 4) as stub:
        endpoint = RemoteEndpoint.from_url(stub.base + "/query?tenant=a")
        oxigraph = RemoteStore(endpoint, graph_base_iri=GRAPH_BASE, dialect="oxigraph")
        generic = _store(stub.base + "/query")
        try:
            _query(oxigraph, query, passed_through)
            _query(generic, query, passed_through)
            oxigraph.query(query, default_graph=[G])
            _query(oxigraph, short, passed_through)
        finally:
            oxigraph.close()
            generic.close()
    direct, form, dataset, got = stub.requests
    assert (got.method, got.path) == ("GET", "/query")
    assert parse_qsl(urlsplit(got.target).query, keep_blank_values=True) == [
        ("tenant", "a"),
        ("query", short),
        ("union-default-graph", ""),
    ]
    assert [direct.method, form.method, dataset.method] == ["POST"] * 3
    assert direct.headers["content-type"] == "application/sparql-query; charset=utf-8"
    assert direct.body.decode("utf-8") == query
    assert direct.path == "/query"
    assert direct.query == {"tenant": ["a"], "union-default-graph": [""]}
    assert form.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(form.body.decode("ascii")) == {"query": [query]}
    assert form.query == {}
    assert dataset.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(dataset.body.decode("ascii")) == {
        "query": [query],
        "default-graph-uri": [G.value],
    }
    assert dataset.query == {"tenant": ["a"]}


def _run_streamed(store: RemoteStore, query: str, accept: str) -> tuple[str, bytes, bool]:
    """Media type, whole body and whether it came as a stream."""
    runner = QueryRunner(workers=1, timeout_s=10, max_waiting=1)
    job = QueryJob(store, QueryRequest(query), accept, GRAPH_BASE, [])

    async def run() -> tuple[str, bytes, bool]:
        try:
            media, body = await runner.run(job)
            if isinstance(body, bytes):
                return media, body, False
            return media, b"".join([chunk async for chunk in body]), True
        finally:
            await store.aclose()

    try:
        return asyncio.run(run())
    finally:
        runner.close()


def test_a_long_passed_through_answer_is_streamed_on_intact() -> None:
    """The adapter hands a long answer on as a stream of the server's bytes (not read whole
    first), and the endpoint sends it intact."""
    csv = "o\r\n" + "".join(f"value number {n}\r\n" for n in range(40_000))
    answers: list[StubResponse] = [(200, {"Content-Type": "text/csv"}, csv)] * 2
    with stub_server(answers) as stub:
        store = _store(stub.base + "/query")

        async def raw() -> bool:
            answer = await store.query_raw("SELECT ?o WHERE { ?s ?p ?o }", "text/csv")
            streamed = answer is not None and not isinstance(answer, bytes)
            if answer is not None and not isinstance(answer, bytes):
                await answer.aclose()
            await store.aclose()
            return streamed

        try:
            assert asyncio.run(raw())
            media, body, _ = _run_streamed(store, "SELECT ?o WHERE { ?s ?p ?o }", "text/csv")
        finally:
            store.close()
    assert (media, body) == ("text/csv; charset=utf-8", csv.encode())


@pytest.mark.parametrize("passed_through", [False, True])
def test_a_malformed_answer_from_virtuoso_is_a_store_error(passed_through: bool) -> None:
    """Not a bug of ours (500): the store's fault, a 502 that says so."""
    with stub_server([(200, JSON, '{"head": {"vars": ["o"]}, "results": ')]) as stub:
        endpoint = RemoteEndpoint.from_url(stub.base + "/sparql")
        store = RemoteStore(endpoint, graph_base_iri=GRAPH_BASE, dialect="virtuoso", retries=0)
        try:
            with pytest.raises(RemoteStoreError, match="malformed"):
                _query(store, "SELECT ?o WHERE { ?s ?p ?o }", passed_through)
        finally:
            store.close()


def test_a_long_answer_the_server_may_have_cut_is_read_whole_and_counted() -> None:
    triples = "".join(f'<urn:s> <urn:p> "{n}" .\n' for n in range(20_000))
    cut = {"Content-Type": "application/n-triples", "X-SPARQL-MaxRows": "20000"}
    under = {"Content-Type": "application/n-triples", "X-SPARQL-MaxRows": "30000"}
    with stub_server([(200, cut, triples), (200, under, triples)]) as stub:
        endpoint = RemoteEndpoint.from_url(stub.base + "/sparql")
        store = RemoteStore(endpoint, graph_base_iri=GRAPH_BASE, dialect="virtuoso")
        try:
            with pytest.raises(RemoteStoreError, match="ResultSetMaxRows"):
                _run_streamed(store, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
            _, body, _ = _run_streamed(
                store, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"
            )  # under the limit: read whole, counted, answered
        finally:
            store.close()
    assert body == triples.encode()
