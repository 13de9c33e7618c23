"""Offline stand-ins for the Wikidata SPARQL endpoint, for tests of entity linking.

- `wikidata_server()` runs a real SPARQL 1.1 server (the `oxigraph` CLI, installed with the test
  extra) over `tests/fixtures/wikidata/fixture.ttl`, a small Wikidata-shaped graph.
- `stub_server()` answers requests from a list of canned responses (429 with Retry-After, 5xx,
  malformed bodies) and records what it got.
- `refused_url()` is a loopback URL where nothing listens, for endpoint-down tests.

Nothing here touches the network beyond 127.0.0.1.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx

from tests.server import free_port, stop_process

FIXTURE = Path(__file__).parent / "fixtures" / "wikidata" / "fixture.ttl"
"""The Wikidata-shaped fixture graph (Turtle)."""

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
WIKIDATA_DIRECT = "http://www.wikidata.org/prop/direct/"

DECOY_IDS = range(9_900_000_001, 9_900_000_100)
"""Numeric ids reserved for made-up decoy items and classes: Q9900000001 .. Q9900000099."""

STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


def is_decoy(qid: str) -> bool:
    """Whether `Q…` (or a full entity IRI) is in the reserved decoy range."""
    local = qid.removeprefix(WIKIDATA_ENTITY)
    return local.startswith("Q") and local[1:].isdigit() and int(local[1:]) in DECOY_IDS


def oxigraph_executable() -> Path:
    """The `oxigraph` CLI of the running interpreter's environment, else the one on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    if found is None:
        raise RuntimeError(
            "the oxigraph CLI is not installed: pip install -e '.[test]' (it provides `oxigraph`)"
        )
    return Path(found)


@dataclass(frozen=True)
class WikidataServer:
    """A running fixture server. `query_url` is its SPARQL 1.1 query endpoint (GET or POST)."""

    base: str
    location: Path

    @property
    def query_url(self) -> str:
        return self.base + "/query"


def _wait_ready(process: subprocess.Popen[bytes], base: str, log: Path, timeout_s: float) -> bool:
    """True once `ASK {}` answers 200; False if the process exited (e.g. the port was taken)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            response = httpx.get(
                base + "/query",
                params={"query": "ASK {}"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=1,
            )
            if response.status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    stop_process(process, STOP_TIMEOUT_S)
    raise RuntimeError(
        f"the oxigraph server did not answer within {timeout_s:g} s: "
        + log.read_text(encoding="utf-8", errors="replace")
    )


@contextmanager
def wikidata_server(
    fixture: Path = FIXTURE,
    *,
    workdir: Path,
    startup_timeout_s: float = STARTUP_TIMEOUT_S,
) -> Iterator[WikidataServer]:
    """Load `fixture` into a fresh on-disk store under `workdir` and serve it on loopback.

    The server is `oxigraph serve-read-only`: like the public Wikidata endpoint it answers queries
    and refuses updates. It is stopped (terminate, then kill after a timeout) on exit.
    """
    executable = oxigraph_executable()
    workdir.mkdir(parents=True, exist_ok=True)
    location = Path(tempfile.mkdtemp(prefix="wikidata-", dir=workdir))
    loaded = subprocess.run(
        [str(executable), "load", "--location", str(location), "--file", str(fixture)],
        capture_output=True,
        check=False,
        timeout=120,
    )
    if loaded.returncode != 0:
        raise RuntimeError(
            f"oxigraph load {fixture} failed: {loaded.stderr.decode(errors='replace')}"
        )
    log = location.with_name(location.name + ".log")
    for _attempt in range(3):  # another process may take the free port before the server binds it
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [
                    str(executable),
                    "serve-read-only",
                    "--location",
                    str(location),
                    "--bind",
                    f"127.0.0.1:{port}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            if not _wait_ready(process, base, log, startup_timeout_s):
                continue
            yield WikidataServer(base=base, location=location)
            return
        finally:
            stop_process(process, STOP_TIMEOUT_S)
    raise RuntimeError(
        "the oxigraph server exited on start: " + log.read_text(encoding="utf-8", errors="replace")
    )


StubResponse = tuple[int, Mapping[str, str], bytes | str]
"""A canned answer: status, headers, body (str bodies are sent as UTF-8)."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the stub got. Header names are lower-cased; `query` is parse_qs of the URL,
    `target` the request line's target as sent (path and query string)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    target: str = ""


@dataclass
class StubServer:
    """A running stub. `requests` grows as requests arrive; `unanswered` counts those that came
    after the canned responses ran out (they got a 500 saying so)."""

    base: str
    requests: list[RecordedRequest] = field(default_factory=list)
    unanswered: int = 0

    @property
    def query_url(self) -> str:
        return self.base + "/sparql"


def _handler(
    stub: StubServer, responses: Sequence[StubResponse], lock: threading.Lock
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            request = RecordedRequest(
                method=self.command,
                path=url.path,
                query=parse_qs(url.query, keep_blank_values=True),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
                target=self.path,
            )
            with lock:
                index = len(stub.requests)
                stub.requests.append(request)
                if index < len(responses):
                    status, headers, payload = responses[index]
                else:
                    stub.unanswered += 1
                    status, headers, payload = 500, {}, "stub: no canned response left"
            data = payload.encode() if isinstance(payload, str) else payload
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if not any(name.lower() == "content-length" for name in headers):
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = _answer
        do_POST = _answer
        do_HEAD = _answer

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    return Handler


@contextmanager
def stub_server(responses: Sequence[StubResponse]) -> Iterator[StubServer]:
    """An HTTP server on 127.0.0.1 answering the n-th request with `responses[n]`, any path."""
    lock = threading.Lock()
    stub = StubServer(base="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub, responses, lock))
    server.daemon_threads = True
    stub.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="stub-server", daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=STOP_TIMEOUT_S)


def refused_url(path: str = "/sparql") -> str:
    """A loopback URL on a port nothing listens on: connecting to it is refused."""
    return f"http://127.0.0.1:{free_port()}{path}"
