"""Benchmark of AllianceGraph in front of remote SPARQL servers: queries and ingestion (issue 8).

Issue 8 asks for our overhead in front of a remote server to stay under 1.3× the server's own
median query latency, and for the ingest throughput with one and two replicas on one server. Run
it from the checkout, after ``.venv/bin/pip install -e '.[bench]'`` (``oxigraph``, ``httpx2``);
Virtuoso is measured where Debian's ``virtuoso-opensource`` is installed (``make test`` installs
it where it runs as root)::

    .venv/bin/python bench/remote.py                                  # defaults (10-20 minutes)
    .venv/bin/python bench/remote.py --stores oxigraph --quads 20000 --articles 10 --keep

What it does:

1. Queries. Generates ``bench/sparql_endpoint.py``'s seeded synthetic alliance dataset
   (``--quads``, default 100,000) and loads it into each store of ``--stores``:

   - ``embedded``: ``alliancegraph --store DIR load --no-validate data.nq``, then
     ``alliancegraph --store DIR serve``: ours alone, the reference;
   - ``oxigraph``: ``oxigraph serve --location DIR --bind 127.0.0.1:P --union-default-graph``,
     loaded through our CLI (``alliancegraph --store http://…/query load --no-validate``, with
     ``ALLIANCEGRAPH_STORE_UPDATE_URL`` …/update, ``_GSP_URL`` …/store, dialect oxigraph);
   - ``virtuoso``: ``tests.virtuoso_server.virtuoso_server()`` (a fresh database on loopback,
     updates on ``/sparql-auth`` with Digest dba/dba), loaded the same way. Skipped, with the
     reason, when ``virtuoso-t`` is not installed.

   For each remote store it starts ``alliancegraph --store URL serve`` on it and sends the query
   mix of ``bench/sparql_endpoint.py`` (seven kinds, round-robin, seeded) directly to the
   server's endpoint (Oxigraph ``/query``, whose default graph is the union; Virtuoso
   ``/sparql``, whose default graph is the union of all graphs, its system graphs included),
   through our ``/sparql``, and through ``bench/bare_proxy.py``: uvicorn and aiohttp passing
   each request on with no work at all, the least any Python service in that place costs.
   Every system gets one warm-up pass of the mix, whose per-kind results are compared across
   all systems (a ``WARNING`` line when the counts differ), then ``--rounds`` sequential rounds
   (``--requests`` per system, one client each) and as many concurrent runs (``--concurrency``
   threads, ``--concurrent-requests``). In every round the systems take turns every ``--turn``
   requests per client (21: three of each kind; 168 with 8 clients), their order turning round
   every turn (direct, us, bare; then bare, us, direct; …): within a turn the clients send one
   system's requests back to back, and a drift of the machine's speed, which comes and goes
   within seconds on a shared machine, weighs on each alike. The tables pool the rounds; the
   target lines add each round's ratio. With
   Virtuoso it also checks that no request of the mix has a result as large as Virtuoso's
   ``ResultSetMaxRows`` (the test server's, and the stock 10,000), where the server cuts
   results silently and our adapter refuses them. Last, the median round trip of ``ASK {}`` on
   each system: the per-request floor.
2. Ingestion. Writes ``--articles`` synthetic articles (``bench/ingest.py``'s
   ``write_articles``: about 3 KB each, English and Korean, naming firms of the example
   registry) and posts them to ``POST /sources/articles`` (JSON, API key as a bearer token,
   Wikidata linking off) with two client threads per replica. The embedded store gets one
   replica; each remote store gets one replica, then two replicas on the same server, each time
   on an emptied server with the registry loaded (``alliancegraph --store … load --graph
   …/graph/reference examples/reference/organizations.ttl``). Every replica first posts the
   warm-up articles (not counted). It checks that every answer is 200 or 201 and that
   ``GET /sources`` on every replica counts every article.
3. Prints two Markdown tables for the queries (per store and run: direct against through-us
   latency and throughput, and the ratio of the medians; then per kind), the target lines, the
   bare pass-through's lines (its ratio to direct, and how far ours is above it), a
   table for the ingestion, the environment line and the servers' ``Server`` headers, and the
   check lines.

Latencies are measured by the client from sending the request to having read the whole body.
Client, servers and replicas share the machine's cores. Everything binds 127.0.0.1, nothing
leaves the machine; every server is stopped at the end, also on an error, Ctrl-C or SIGTERM, and
the temporary folder is removed unless ``--keep``. This is a benchmark, not a test: ``make test``
never runs it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make the bench package importable

from bench.environment import environment_line as shared_environment_line  # noqa: E402
from bench.ingest import (  # noqa: E402
    REFERENCE_GRAPH,
    REGISTRY,
    WARM_UP_ARTICLES,
    read_articles,
    say,
    write_articles,
)
from bench.sparql_endpoint import (  # noqa: E402
    INSTALL_HINT,
    KINDS,
    QueryRequest,
    RunResult,
    System,
    build_requests,
    find_tool,
    floor_latency,
    free_port,
    generate_dataset,
    median,
    ms,
    new_client,
    percentile,
    rate,
    result_rows,
    run_logged,
    send,
    send_into,
    start_server,
    warm_up_and_collect,
)
from service.store.remote import RemoteEndpoint  # noqa: E402
from tests.stores import RemoteServer, virtuoso_remote  # noqa: E402
from tests.virtuoso_server import (  # noqa: E402
    RESULT_SET_MAX_ROWS,
    virtuoso_executable,
    virtuoso_server,
)

if TYPE_CHECKING:
    import httpx2

    from service.ingest.articles import ArticleIn

PACKAGES = ("pyoxigraph", "oxigraph", "fastapi", "uvicorn", "pycurl", "aiohttp", "httpx2")
STORE_KINDS = ("embedded", "oxigraph", "virtuoso")
STORE_TITLES = {"embedded": "embedded", "oxigraph": "Oxigraph server", "virtuoso": "Virtuoso"}
#: Through-us median latency at most this many times the direct one (issue 8).
TARGET_RATIO = 1.3
#: ``ALLIANCEGRAPH_QUERY_WORKERS`` of our servers (as in bench/sparql_endpoint.py).
QUERY_WORKERS = 8
#: Time cap of one query run on one system, and HTTP timeout of one query (s).
MAX_SECONDS = 180.0
REQUEST_TIMEOUT_S = 120.0
#: HTTP timeout of one article post (s): a write may wait for another replica's lease.
INGEST_TIMEOUT_S = 300.0
CLIENTS_PER_REPLICA = 2
#: ``ASK {}`` requests whose median latency is the per-request floor of a system.
FLOOR_REQUESTS = 200
API_KEY = "bench-remote-key-0123"  # loopback servers of this run only
ASK = "query=ASK%20%7B%7D"
#: Virtuoso's stock ``[SPARQL] ResultSetMaxRows``: results as long are cut silently.
STOCK_MAX_ROWS = 10_000


# --------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Remote:
    """A running remote SPARQL server: how our service reaches it, and its own query URL."""

    kind: str
    endpoint: RemoteEndpoint
    direct_url: str
    server_header: str

    @property
    def title(self) -> str:
        return STORE_TITLES[self.kind]

    def env(self) -> dict[str, str]:
        """The ``ALLIANCEGRAPH_STORE_*`` variables that point our service at this server."""
        settings = RemoteServer(self.kind, self.endpoint).environment()
        return {f"ALLIANCEGRAPH_{name.upper()}": value for name, value in settings.items()}

    def clear(self) -> None:
        """Drop every graph we could have written (as the test suites empty a server)."""
        RemoteServer(self.kind, self.endpoint).clear()


class _ForeignProcess:
    """What :class:`System` needs of a process it did not start: the pid, for its CPU time."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def poll(self) -> int | None:
        return 0  # never "running": its owner stops it


@dataclass
class AttachedSystem(System):
    """A server whose process a context manager owns (Virtuoso): measured like the others,
    stopped by its owner."""

    def stop(self) -> None:
        self.log_file.close()


def find_pid(marker: str) -> int:
    """The pid of the process whose command line contains ``marker``, or -1."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                return int(entry.name)
    return -1


def server_header(url: str) -> str:
    """The ``Server`` header of an ``ASK {}`` on a SPARQL endpoint."""
    with new_client(30.0) as client:
        response = client.get(
            url, params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"}
        )
    return response.headers.get("server", "?")


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without ``ALLIANCEGRAPH_*``, plus the bench's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCEGRAPH_")}
    env.update(
        {
            "ALLIANCEGRAPH_ENV": "dev",
            "ALLIANCEGRAPH_API_KEY": API_KEY,
            "ALLIANCEGRAPH_WIKIDATA_ENDPOINT": "",  # no linking: nothing leaves the machine
            "ALLIANCEGRAPH_QUERY_WORKERS": str(QUERY_WORKERS),
        }
    )
    env.update(extra or {})
    return env


def cli(store: str, args: Sequence[str], env: dict[str, str], log_path: Path) -> float:
    """Run ``alliancegraph --store STORE ARGS`` with its output in ``log_path``; its wall time."""
    with log_path.open("a", encoding="utf-8") as log:
        return run_logged([find_tool("alliancegraph"), "--store", store, *args], log_path, log, env)


def start_ours(name: str, store: str, env: dict[str, str], workdir: Path) -> tuple[System, str]:
    """``alliancegraph --store STORE serve`` on a free port; the system and its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        find_tool("alliancegraph"),
        "--store",
        store,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    # Ready when a query goes through. /health lists the named graphs (SELECT DISTINCT ?g WHERE
    # { GRAPH ?g { ?s ?p ?o } }), which Virtuoso 7.2 does not answer within its 60 s query limit
    # on a store of a few hundred graphs (see bench/README.md).
    system = start_server(
        name, command, workdir / f"{name}.log", f"{base}/sparql?{ASK}", f"{base}/sparql", env=env
    )
    return system, base


def start_bare(name: str, target: str, workdir: Path) -> System:
    """``bench/bare_proxy.py`` in front of ``target`` on a free port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        str(ROOT / "bench" / "bare_proxy.py"),
        "--target",
        target,
        "--port",
        str(port),
    ]
    return start_server(
        name, command, workdir / f"{name}.log", f"{base}/sparql?{ASK}", f"{base}/sparql"
    )


def start_oxigraph(name: str, workdir: Path, stack: contextlib.ExitStack) -> tuple[System, Remote]:
    """``oxigraph serve --union-default-graph`` on a fresh location."""
    location = workdir / f"{name}-store"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        find_tool("oxigraph"),
        "serve",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    system = start_server(
        name, command, workdir / f"{name}.log", f"{base}/query?{ASK}", f"{base}/query"
    )
    stack.callback(system.stop)
    endpoint = RemoteEndpoint(
        query_url=f"{base}/query", update_url=f"{base}/update", gsp_url=f"{base}/store"
    )
    return system, Remote("oxigraph", endpoint, f"{base}/query", server_header(f"{base}/query"))


def start_virtuoso(name: str, workdir: Path, stack: contextlib.ExitStack) -> tuple[System, Remote]:
    """A fresh Virtuoso from ``tests.virtuoso_server`` (stopped when ``stack`` closes)."""
    started = time.perf_counter()
    server = stack.enter_context(virtuoso_server(workdir=workdir))
    endpoint = virtuoso_remote(server).endpoint
    log_path = workdir / f"{name}.log"
    log = log_path.open("a", encoding="utf-8")
    log.write(f"Virtuoso in {server.directory} (its own logs are there)\n")
    pid = find_pid(str(server.directory / "virtuoso.ini"))
    system = AttachedSystem(
        name,
        server.query_url,
        cast("subprocess.Popen[bytes]", _ForeignProcess(pid)),
        log_path,
        log,
        time.perf_counter() - started,
    )
    stack.callback(system.stop)
    remote = Remote("virtuoso", endpoint, server.query_url, server_header(server.query_url))
    return system, remote


def start_remote(kind: str, name: str, workdir: Path, stack: contextlib.ExitStack) -> Remote:
    if kind == "oxigraph":
        return start_oxigraph(name, workdir, stack)[1]
    return start_virtuoso(name, workdir, stack)[1]


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


@dataclass
class Measured:
    """One system's answers to the warm-up pass and its runs, round by round."""

    title: str
    collected: dict[str, list[str]] = field(default_factory=dict)
    warm_errors: dict[str, str] = field(default_factory=dict)
    sequential_rounds: list[RunResult] = field(default_factory=list)
    concurrent_rounds: list[RunResult] = field(default_factory=list)
    #: CPU seconds of the remote server during the through-us runs (sequential, concurrent).
    remote_cpu_s: list[float] = field(default_factory=lambda: [0.0, 0.0])
    #: Median latency of ``ASK {}``: what a request costs beyond evaluating it.
    floor_s: float = float("nan")

    def rounds(self, concurrent: bool) -> list[RunResult]:
        return self.concurrent_rounds if concurrent else self.sequential_rounds

    def run(self, concurrent: bool) -> RunResult:
        """Every round of one mode as one run: the latencies of all, wall and CPU summed."""
        pooled = RunResult(planned=0)
        for result in self.rounds(concurrent):
            pooled.planned += result.planned
            pooled.latencies += result.latencies
            pooled.wall_s += result.wall_s
            pooled.server_cpu_s += result.server_cpu_s
            pooled.client_cpu_s += result.client_cpu_s
            pooled.errors += result.errors
        return pooled

    @property
    def sequential(self) -> RunResult:
        return self.run(False)

    @property
    def concurrent(self) -> RunResult:
        return self.run(True)


@dataclass
class StoreQueries:
    """The query measurements of one store: through us, and directly on a remote server."""

    kind: str
    load_s: float
    ours: Measured
    direct: Measured | None = None
    server_header: str = ""
    #: The bare pass-through (bench/bare_proxy.py) on the same server: the hop's own cost.
    bare: Measured | None = None

    @property
    def title(self) -> str:
        return STORE_TITLES[self.kind]


def warm_up(system: System, requests: Sequence[QueryRequest], into: Measured) -> None:
    """One pass of the mix, one request at a time, so one failing kind does not hide others."""
    for request in requests:
        try:
            into.collected.update(warm_up_and_collect(system, [request], REQUEST_TIMEOUT_S))
        except Exception as error:
            into.warm_errors[request.kind] = str(error)


def measure_runs(
    systems: Sequence[tuple[System, Measured]],
    requests: Sequence[QueryRequest],
    args: argparse.Namespace,
    remote: System | None = None,
) -> None:
    """``--rounds`` sequential rounds (one client), then as many concurrent rounds
    (``--concurrency`` clients) of every system.

    In every round the systems take turns every ``--turn`` requests per client
    (:func:`take_turns`), so a machine that speeds up or slows down weighs on each system
    alike. For a system other than ``remote``, the CPU time ``remote`` spends during its
    requests is noted too (what a query through us costs the server behind).
    """
    names = ", ".join(into.title for _, into in systems)
    modes = [
        (False, "sequential", args.requests, 1),
        (True, f"{args.concurrency} clients", args.concurrent_requests, args.concurrency),
    ]
    for concurrent, title, count, clients in modes:
        for round_number in range(args.rounds):
            say(
                f"  {title}, {count} requests each in turns of {args.turn} per client: {names}, "
                f"round {round_number + 1}/{args.rounds}"
            )
            results, behind_cpu = take_turns(
                [system for system, _ in systems], requests[:count], args.turn, remote, clients
            )
            for (_, into), result, cpu in zip(systems, results, behind_cpu, strict=True):
                into.rounds(concurrent).append(result)
                into.remote_cpu_s[int(concurrent)] += cpu
                say(f"    {into.title}: {summary(result)}")


def summary(result: RunResult) -> str:
    return f"{result.throughput:.1f} queries/s, median {ms(median(result.values()))} ms" + (
        f", {len(result.errors)} errors" if result.errors else ""
    )


def take_turns(
    systems: Sequence[System],
    requests: Sequence[QueryRequest],
    turn: int,
    remote: System | None = None,
    clients: int = 1,
) -> tuple[list[RunResult], list[float]]:
    """Every system gets ``requests`` from ``clients`` clients at once (threads, each with a
    connection to every system), the systems taking turns every ``turn`` requests per client,
    their order turned round every turn (A B C, C B A, …). Within a turn the clients take a
    system's requests from one list, back to back; the turns make a change of the machine's
    speed, which on a shared machine comes and goes within seconds, weigh on each system alike.
    Returns each system's result and the CPU seconds ``remote`` spent during its turns (0 for
    ``remote`` itself and when there is none).
    """
    results = [RunResult(planned=len(requests)) for _ in systems]
    behind_cpu = [0.0 for _ in systems]
    size = turn * clients
    lock = threading.Lock()
    start, end = threading.Barrier(clients + 1), threading.Barrier(clients + 1)
    # The turn being taken: the system's index and its requests; empty when all are done.
    current: list[tuple[int, Sequence[QueryRequest]]] = []
    taken = 0

    def next_request() -> QueryRequest | None:
        nonlocal taken
        with lock:
            if not current:  # stopped in the middle of a turn
                return None
            batch = current[0][1]
            if taken >= len(batch):
                return None
            taken += 1
            return batch[taken - 1]

    def client_thread() -> None:
        try:
            with contextlib.ExitStack() as stack:
                own = [stack.enter_context(new_client(REQUEST_TIMEOUT_S)) for _ in systems]
                while True:
                    start.wait()
                    if not current:
                        return
                    index = current[0][0]
                    while (request := next_request()) is not None:
                        send_into(results[index], own[index], systems[index], request)
                    end.wait()
        except threading.BrokenBarrierError:  # stopped
            return
        except BaseException:  # nobody would come to the barriers: break them, then report
            start.abort()
            end.abort()
            raise

    threads = [threading.Thread(target=client_thread, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    started, finished = time.perf_counter(), False
    try:
        for number, first in enumerate(range(0, len(requests), size)):
            if time.perf_counter() - started > MAX_SECONDS * len(systems):
                break
            order = list(range(len(systems)))
            for index in order if number % 2 == 0 else reversed(order):
                system, result = systems[index], results[index]
                current[:] = [(index, requests[first : first + size])]
                taken = 0
                behind = remote if remote is not None and system is not remote else None
                remote_before = behind.cpu_seconds() if behind is not None else 0.0
                cpu_before, client_before = system.cpu_seconds(), time.process_time()
                turn_started = time.perf_counter()
                start.wait()
                end.wait()
                result.wall_s += time.perf_counter() - turn_started
                result.server_cpu_s += system.cpu_seconds() - cpu_before
                result.client_cpu_s += time.process_time() - client_before
                if behind is not None:
                    behind_cpu[index] += behind.cpu_seconds() - remote_before
        finished = True
    finally:
        current.clear()
        if finished:  # the clients wait for the next turn: there is none
            start.wait()
        else:  # an error or Ctrl-C, maybe in the middle of a turn
            start.abort()
            end.abort()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT_S)
    return results, behind_cpu


def largest_results(system: System, requests: Sequence[QueryRequest]) -> dict[str, int]:
    """The largest result of each kind over the distinct requests of the mix."""
    largest: dict[str, int] = {}
    seen: set[str] = set()
    with new_client(REQUEST_TIMEOUT_S) as client:
        for request in requests:
            if request.text in seen:
                continue
            seen.add(request.text)
            try:
                _, body = send(client, system, request)
            except RuntimeError:
                continue  # reported by the runs
            rows = len(result_rows(request, body))
            largest[request.kind] = max(largest.get(request.kind, 0), rows)
    return largest


def measure_embedded(
    data_path: Path,
    workdir: Path,
    warm: Sequence[QueryRequest],
    requests: Sequence[QueryRequest],
    args: argparse.Namespace,
    check_sizes: bool,
) -> tuple[StoreQueries, dict[str, int]]:
    store = workdir / "embedded-query-store"
    env = base_env()
    say("embedded: alliancegraph load --no-validate, then serve")
    load_s = cli(
        str(store), ["load", "--no-validate", str(data_path)], env, workdir / "embedded-load.log"
    )
    with contextlib.ExitStack() as stack:
        system, _ = start_ours("embedded-ours", str(store), env, workdir)
        stack.callback(system.stop)
        ours = Measured("ours on embedded")
        warm_up(system, warm, ours)
        largest = largest_results(system, requests) if check_sizes else {}
        measure_runs([(system, ours)], requests, args)
        ours.floor_s = floor_latency(system, FLOOR_REQUESTS, REQUEST_TIMEOUT_S)
    return StoreQueries("embedded", load_s, ours), largest


def measure_remote(
    kind: str,
    data_path: Path,
    workdir: Path,
    warm: Sequence[QueryRequest],
    requests: Sequence[QueryRequest],
    args: argparse.Namespace,
    check_sizes: bool,
) -> tuple[StoreQueries, dict[str, int]]:
    title = STORE_TITLES[kind]
    with contextlib.ExitStack() as stack:
        say(f"{title}: starting the server")
        if kind == "oxigraph":
            server, remote = start_oxigraph("oxigraph-query", workdir, stack)
        else:
            server, remote = start_virtuoso("virtuoso-query", workdir, stack)
        env = base_env(remote.env())
        store = remote.endpoint.query_url
        say(f"{title}: loading the data through our CLI (load --no-validate over HTTP)")
        load_s = cli(
            store, ["load", "--no-validate", str(data_path)], env, workdir / f"{kind}-load.log"
        )
        ours_system, _ = start_ours(f"{kind}-ours", store, env, workdir)
        stack.callback(ours_system.stop)
        bare_system = start_bare(f"{kind}-bare", remote.direct_url, workdir)
        stack.callback(bare_system.stop)
        direct = Measured(f"{title} direct")
        ours = Measured(f"ours on {title}")
        bare = Measured(f"bare pass-through on {title}")
        systems = [(server, direct), (ours_system, ours), (bare_system, bare)]
        for system, into in systems:
            say(f"  {into.title}: warm-up pass of the mix")
            warm_up(system, warm, into)
        # On Virtuoso itself a result cut at its limit shows as exactly that many rows.
        largest = largest_results(server, requests) if check_sizes else {}
        measure_runs(systems, requests, args, remote=server)
        for system, into in systems:
            into.floor_s = floor_latency(system, FLOOR_REQUESTS, REQUEST_TIMEOUT_S)
    return StoreQueries(kind, load_s, ours, direct, remote.server_header, bare), largest


# --------------------------------------------------------------------------------------------
# Ingestion
# --------------------------------------------------------------------------------------------


@dataclass
class IngestRun:
    """Posting the articles to one store through ``replicas`` serve processes."""

    kind: str
    replicas: int
    planned: int
    registry_s: float = 0.0
    wall_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    listed: list[int] = field(default_factory=list)

    @property
    def title(self) -> str:
        return STORE_TITLES[self.kind]

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall_s if self.wall_s > 0 else float("nan")


def post_article(client: httpx2.Client, base: str, body: dict[str, Any]) -> tuple[float, int, str]:
    """POST one article; its latency, status (0: no answer) and, unless 200/201, the body."""
    import httpx2

    started = time.perf_counter()
    try:
        response = client.post(
            base + "/sources/articles",
            json=body,
            headers={"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"},
        )
        text = response.text
    except httpx2.HTTPError as error:
        return time.perf_counter() - started, 0, repr(error)
    elapsed = time.perf_counter() - started
    status = int(response.status_code)
    return elapsed, status, "" if status in (200, 201) else text[:500]


def ingest_through(
    bases: Sequence[str],
    warm: Sequence[tuple[str, ArticleIn]],
    articles: Sequence[tuple[str, ArticleIn]],
    result: IngestRun,
) -> None:
    """Warm every replica up, then post the articles with two threads per replica."""
    import httpx2

    with httpx2.Client(trust_env=False, timeout=INGEST_TIMEOUT_S) as client:
        for base in bases:
            for name, article in warm:
                _, status, text = post_article(client, base, article.model_dump(mode="json"))
                if status not in (200, 201):
                    raise RuntimeError(f"warm-up article {name} on {base}: HTTP {status}: {text}")
    bodies = [(name, article.model_dump(mode="json")) for name, article in articles]
    lock = threading.Lock()
    position = 0
    clients = len(bases) * CLIENTS_PER_REPLICA
    barrier = threading.Barrier(clients + 1)

    def take() -> tuple[str, dict[str, Any]] | None:
        nonlocal position
        with lock:
            if position >= len(bodies):
                return None
            position += 1
            return bodies[position - 1]

    def worker(base: str) -> None:
        with httpx2.Client(trust_env=False, timeout=INGEST_TIMEOUT_S) as own:
            barrier.wait()
            while (item := take()) is not None:
                name, body = item
                latency, status, text = post_article(own, base, body)
                with lock:
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status in (200, 201):
                        result.latencies.append(latency)
                    else:
                        result.errors.append(f"{name}: HTTP {status}: {text}")

    threads = [
        threading.Thread(target=worker, args=(base,), daemon=True)
        for base in bases
        for _ in range(CLIENTS_PER_REPLICA)
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    for thread in threads:
        while thread.is_alive():
            thread.join(timeout=0.5)
    result.wall_s = time.perf_counter() - started
    with httpx2.Client(trust_env=False, timeout=60.0) as client:
        for base in bases:
            answer = client.get(base + "/sources", params={"limit": 500})
            result.listed.append(int(answer.json()["total"]) if answer.status_code == 200 else -1)


def run_ingest(
    kind: str,
    store: str,
    env: dict[str, str],
    replicas: int,
    warm: Sequence[tuple[str, ArticleIn]],
    articles: Sequence[tuple[str, ArticleIn]],
    workdir: Path,
) -> IngestRun:
    """Load the registry into the (empty) store, then post the articles through the replicas."""
    result = IngestRun(kind, replicas, len(articles))
    say(f"{STORE_TITLES[kind]}, {replicas} replica(s): loading the registry")
    result.registry_s = cli(
        store,
        ["load", "--graph", REFERENCE_GRAPH, str(REGISTRY)],
        env,
        workdir / f"{kind}-ingest-registry.log",
    )
    with contextlib.ExitStack() as stack:
        bases = []
        for replica in range(1, replicas + 1):
            system, base = start_ours(f"{kind}-ingest-{replicas}r-{replica}", store, env, workdir)
            stack.callback(system.stop)
            bases.append(base)
        say(f"  posting {len(articles)} articles, {CLIENTS_PER_REPLICA} clients per replica")
        ingest_through(bases, warm, articles, result)
    say(
        f"  {result.throughput:.2f} articles/s, p50 {ms(percentile(result.latencies, 0.5))} ms"
        + (f", {len(result.errors)} errors" if result.errors else "")
    )
    return result


def measure_ingest(
    kinds: Sequence[str], workdir: Path, args: argparse.Namespace
) -> tuple[list[IngestRun], float]:
    articles_set = write_articles(workdir, args.articles, args.seed)
    warm = read_articles(articles_set.warm_up)
    articles = read_articles(articles_set.measured)
    runs: list[IngestRun] = []
    for kind in kinds:
        if kind == "embedded":
            store = str(workdir / "embedded-ingest-store")
            runs.append(run_ingest(kind, store, base_env(), 1, warm, articles, workdir))
            continue
        with contextlib.ExitStack() as stack:
            say(f"{STORE_TITLES[kind]}: starting an empty server for the ingestion")
            remote = start_remote(kind, f"{kind}-ingest", workdir, stack)
            env = base_env(remote.env())
            store = remote.endpoint.query_url
            runs.append(run_ingest(kind, store, env, 1, warm, articles, workdir))
            say(f"{STORE_TITLES[kind]}: emptying the server")
            remote.clear()
            runs.append(run_ingest(kind, store, env, 2, warm, articles, workdir))
    return runs, articles_set.mean_bytes()


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom and bottom == bottom and top == top else float("nan")


def times(value: float) -> str:
    return "–" if value != value else f"{value:.2f}×"


def pair(result: RunResult) -> str:
    values = result.values()
    return f"{ms(median(values))} / {ms(percentile(values, 0.95))}"


def kind_errors(result: RunResult, kind: str) -> int:
    return sum(1 for error in result.errors if f" for {kind}: " in error)


def other_errors(result: RunResult) -> int:
    """Errors that name no kind (no answer at all: timeouts, connection errors)."""
    return sum(1 for error in result.errors if not re.search(r" for \w+: ", error))


def error_count(result: RunResult) -> str:
    return str(len(result.errors))


def query_table(stores: Sequence[StoreQueries], concurrency: int) -> str:
    rows = [
        "| store | run | direct: median / p95 ms | through us: median / p95 ms | "
        "direct: queries/s | through us: queries/s | median through us / direct | "
        "errors direct / us |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for store in stores:
        for concurrent, label in ((False, "sequential"), (True, f"{concurrency} clients")):
            ours = store.ours.run(concurrent)
            if store.direct is None:
                rows.append(
                    f"| {store.title} (ours only) | {label} | — | {pair(ours)} | — | "
                    f"{rate(ours.throughput)} | — | — / {error_count(ours)} |"
                )
                continue
            direct = store.direct.run(concurrent)
            overhead = ratio(median(ours.values()), median(direct.values()))
            rows.append(
                f"| {store.title} | {label} | {pair(direct)} | {pair(ours)} | "
                f"{rate(direct.throughput)} | {rate(ours.throughput)} | {times(overhead)} | "
                f"{error_count(direct)} / {error_count(ours)} |"
            )
    return "\n".join(rows)


def kind_table(stores: Sequence[StoreQueries], concurrency: int) -> str:
    header = "| kind |"
    rule = "|---|"
    for store in stores:
        if store.direct is None:
            header += f" ours on {store.title} ms |"
            rule += "---:|"
        else:
            header += (
                f" {store.title} direct ms | ours on {store.title} ms | "
                f"{store.title}: through us / direct |"
            )
            rule += "---:|---:|---:|"
    rows = [header, rule]

    def cell(result: RunResult, kind: str) -> str:
        errors = kind_errors(result, kind)
        return ms(median(result.values(kind))) + (f" ({errors} errors)" if errors else "")

    for kind, title in KINDS:
        cells = []
        for store in stores:
            ours = store.ours
            if store.direct is None:
                cells.append(f"{cell(ours.sequential, kind)} / {cell(ours.concurrent, kind)}")
                continue
            direct = store.direct
            cells.append(f"{cell(direct.sequential, kind)} / {cell(direct.concurrent, kind)}")
            cells.append(f"{cell(ours.sequential, kind)} / {cell(ours.concurrent, kind)}")
            seq = ratio(
                median(ours.sequential.values(kind)), median(direct.sequential.values(kind))
            )
            conc = ratio(
                median(ours.concurrent.values(kind)), median(direct.concurrent.values(kind))
            )
            cells.append(f"{times(seq)} / {times(conc)}")
        rows.append(f"| {title} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def target_lines(stores: Sequence[StoreQueries], concurrency: int) -> list[str]:
    """The verdict on the medians of all rounds together, and each round's own ratio."""
    lines = []
    for store in stores:
        if store.direct is None:
            continue
        for concurrent, label in ((False, "sequential"), (True, f"{concurrency} clients")):
            ours, direct = store.ours.run(concurrent), store.direct.run(concurrent)
            value = ratio(median(ours.values()), median(direct.values()))
            verdict = "met" if value < TARGET_RATIO else "MISSED"
            each = [
                times(ratio(median(o.values()), median(d.values())))
                for o, d in zip(
                    store.ours.rounds(concurrent), store.direct.rounds(concurrent), strict=True
                )
            ]
            lines.append(
                f"target {verdict}: our overhead in front of {store.title} is {value:.2f}× its "
                f"direct median latency (target < {TARGET_RATIO}×), {label}; rounds: "
                + ", ".join(each)
            )
    return lines


def bare_lines(stores: Sequence[StoreQueries], concurrency: int) -> list[str]:
    """The bare pass-through against the server, and ours against the bare pass-through."""
    lines = []
    for store in stores:
        if store.direct is None or store.bare is None:
            continue
        parts = []
        for concurrent, label in ((False, "sequential"), (True, f"{concurrency} clients")):
            direct = median(store.direct.run(concurrent).values())
            bare = median(store.bare.run(concurrent).values())
            ours = median(store.ours.run(concurrent).values())
            parts.append(
                f"{label} {times(ratio(bare, direct))} (ours {times(ratio(ours, direct))}, "
                f"{ms(abs(ours - bare))} ms {'more' if ours >= bare else 'less'} than the bare hop)"
            )
        lines.append(
            f"reference: a bare pass-through (bench/bare_proxy.py: uvicorn and aiohttp, no work) "
            f"in front of {store.title}, median against direct: " + "; ".join(parts)
        )
    return lines


def cpu_lines(stores: Sequence[StoreQueries], concurrency: int) -> list[str]:
    """CPU per query: the remote server's and ours, for each run."""

    def per_query(seconds: float, result: RunResult) -> str:
        return ms(seconds / result.completed) if result.completed else "–"

    lines = []
    for store in stores:
        for index, label in enumerate(("sequential", f"{concurrency} clients")):
            ours = store.ours.sequential if index == 0 else store.ours.concurrent
            if store.direct is None:
                lines.append(
                    f"{store.title} {label}: our server {per_query(ours.server_cpu_s, ours)} "
                    "ms CPU/query"
                )
                continue
            direct = store.direct.sequential if index == 0 else store.direct.concurrent
            lines.append(
                f"{store.title} {label}: direct, server {per_query(direct.server_cpu_s, direct)}"
                f" ms CPU/query; through us, server "
                f"{per_query(store.ours.remote_cpu_s[index], ours)} + ours "
                f"{per_query(ours.server_cpu_s, ours)} ms CPU/query"
                + (
                    f"; the bare pass-through {per_query(bare.server_cpu_s, bare)} ms CPU/query"
                    if store.bare is not None and (bare := store.bare.run(bool(index))).completed
                    else ""
                )
            )
    return lines


def floor_line(stores: Sequence[StoreQueries]) -> str:
    """The per-request floor of every system: the median round trip of ``ASK {}``."""
    parts = []
    for store in stores:
        if store.direct is None:
            parts.append(f"ours on {store.title} {ms(store.ours.floor_s)} ms")
        else:
            parts.append(
                f"{store.title} direct {ms(store.direct.floor_s)} ms, ours on it "
                f"{ms(store.ours.floor_s)} ms"
                + (f", bare pass-through {ms(store.bare.floor_s)} ms" if store.bare else "")
            )
    return f"ASK {{}} round trip, median of {FLOOR_REQUESTS} (the per-request floor): " + "; ".join(
        parts
    )


def check_lines(stores: Sequence[StoreQueries]) -> list[str]:
    """Compare each kind's warm-up results across every system, and report failures."""
    systems = [m for s in stores for m in (s.direct, s.ours, s.bare) if m is not None]
    lines: list[str] = []
    for kind, title in KINDS:
        for measured in systems:
            if kind in measured.warm_errors:
                lines.append(
                    f"WARNING: {title}: {measured.title} failed: {measured.warm_errors[kind]}"
                )
        answered = [m for m in systems if kind in m.collected]
        if len(answered) < 2:
            continue
        counts = {m.title: len(m.collected[kind]) for m in answered}
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        if len(set(counts.values())) > 1:
            lines.append(f"WARNING: {title}: result counts differ: {summary}")
            continue
        reference = answered[0].collected[kind]
        differing = [m.title for m in answered[1:] if m.collected[kind] != reference]
        if differing:
            lines.append(
                f"note: {title}: same count ({next(iter(counts.values()))}) but the values "
                f"differ from {answered[0].title} for " + ", ".join(differing)
            )
        else:
            lines.append(f"ok: {title}: {next(iter(counts.values()))} results from every system")
    for measured in systems:
        for label, result in (
            ("sequential", measured.sequential),
            ("concurrent", measured.concurrent),
        ):
            if result.errors:
                lines.append(
                    f"WARNING: {measured.title} {label}: {len(result.errors)} errors of "
                    f"{result.planned} requests ({other_errors(result)} without an answer); "
                    f"first: {result.errors[0][:400]}"
                )
            elif result.completed < result.planned:
                lines.append(
                    f"note: {measured.title} {label}: {result.completed} of {result.planned} "
                    f"requests in the cap of {MAX_SECONDS:.0f} s per system and round"
                )
    return lines


def size_lines(largest: dict[str, int]) -> list[str]:
    """Whether the mix stays under Virtuoso's row limit: the test server's and the stock one."""
    if not largest:
        return []
    titles = dict(KINDS)
    kind, rows = max(largest.items(), key=lambda item: item[1])
    limits = f"ResultSetMaxRows {RESULT_SET_MAX_ROWS:,} here, {STOCK_MAX_ROWS:,} stock"
    over = {k: n for k, n in largest.items() if n >= min(RESULT_SET_MAX_ROWS, STOCK_MAX_ROWS)}
    if over:
        return [
            f"WARNING: results of the mix reach Virtuoso's row limit ({limits}; it cuts "
            "longer results, our adapter refuses them): "
            + ", ".join(f"{titles[k]} {n:,} rows" for k, n in over.items())
        ]
    return [
        f"ok: the largest result of the mix has {rows:,} rows ({titles[kind]}), under "
        f"Virtuoso's row limit ({limits})"
    ]


def ingest_table(runs: Sequence[IngestRun]) -> str:
    rows = [
        "| store | replicas | articles/s | p50 ms | p95 ms | wall s | errors | "
        "2 replicas / 1 replica |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    single: dict[str, float] = {}
    for run in runs:
        if run.replicas == 1:
            single[run.kind] = run.throughput
        scale = (
            times(ratio(run.throughput, single.get(run.kind, float("nan"))))
            if run.replicas > 1
            else ""
        )
        rows.append(
            f"| {run.title} | {run.replicas} | {run.throughput:.2f} | "
            f"{ms(percentile(run.latencies, 0.5))} | {ms(percentile(run.latencies, 0.95))} | "
            f"{run.wall_s:.1f} | {len(run.errors)} | {scale} |"
        )
    return "\n".join(rows)


def ingest_checks(runs: Sequence[IngestRun]) -> list[str]:
    lines = []
    for run in runs:
        name = f"{run.title}, {run.replicas} replica(s)"
        expected = run.planned + WARM_UP_ARTICLES
        statuses = ", ".join(
            f"{count} × {status}" for status, count in sorted(run.statuses.items())
        )
        if run.errors:
            lines.append(
                f"WARNING: {name}: {len(run.errors)} of {run.planned} posts failed ({statuses}); "
                f"first: {run.errors[0][:400]}"
            )
        if any(total != expected for total in run.listed):
            lines.append(
                f"WARNING: {name}: GET /sources counts {run.listed} (one per replica), expected "
                f"{expected} ({run.planned} articles + {WARM_UP_ARTICLES} warm-up)"
            )
        elif not run.errors:
            lines.append(
                f"ok: {name}: every post answered 200/201 ({statuses}); GET /sources counts "
                f"{expected} ({run.planned} + {WARM_UP_ARTICLES} warm-up) on every replica"
            )
    return lines


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark AllianceGraph in front of remote SPARQL servers (Oxigraph, "
        "Virtuoso): the query mix directly and through our /sparql, and article ingestion "
        "with one and two replicas.",
    )
    parser.add_argument(
        "--stores",
        default=",".join(STORE_KINDS),
        help="comma-separated subset of embedded,oxigraph,virtuoso (default: all; virtuoso is "
        "skipped when not installed)",
    )
    parser.add_argument("--quads", type=int, default=100_000, help="dataset size (default 100000)")
    parser.add_argument(
        "--requests", type=int, default=300, help="requests in the sequential run (default 300)"
    )
    parser.add_argument(
        "--concurrent-requests",
        type=int,
        default=600,
        help="requests in the concurrent run (default 600)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="client threads in the concurrent run"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="runs of each mode per system, in turns with the server's own (default 3); the "
        "tables pool them",
    )
    parser.add_argument(
        "--turn",
        type=int,
        default=21,
        help="requests per client one system gets in a row before the next system's turn "
        "(default 21: three of each of the mix's seven kinds)",
    )
    parser.add_argument(
        "--articles", type=int, default=60, help="articles posted per ingest run (default 60)"
    )
    parser.add_argument("--seed", type=int, default=42, help="seed of the data and requests")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in str(args.stores).split(",") if s.strip()]
    unknown = [s for s in chosen if s not in STORE_KINDS]
    if unknown or not chosen:
        parser.error(f"--stores takes a subset of {','.join(STORE_KINDS)}; got {args.stores}")
    args.store_kinds = [s for s in STORE_KINDS if s in chosen]
    for name in (
        "quads",
        "requests",
        "concurrent_requests",
        "concurrency",
        "rounds",
        "turn",
        "articles",
    ):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import httpx2  # noqa: F401
    except ImportError as error:
        raise SystemExit(f"error: {error}; {INSTALL_HINT}") from None
    find_tool("alliancegraph")
    kinds: list[str] = list(args.store_kinds)
    skipped: list[str] = []
    if "oxigraph" in kinds:
        find_tool("oxigraph")
    if "virtuoso" in kinds and virtuoso_executable() is None:
        kinds.remove("virtuoso")
        skipped.append(
            "skipped Virtuoso: virtuoso-t is not installed (Debian: apt-get install "
            "virtuoso-opensource; make test installs it where it runs as root)"
        )
        say(skipped[-1])
    if not kinds:
        raise SystemExit("error: no store left to measure")
    # SIGTERM unwinds like Ctrl-C, so the servers are stopped either way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="alliancegraph-bench-remote-"))
    try:
        return run(args, kinds, skipped, workdir)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(
    args: argparse.Namespace, kinds: Sequence[str], skipped: Sequence[str], workdir: Path
) -> int:
    say(f"working in {workdir}")
    load_before = os.getloadavg()[0]
    say(f"generating about {args.quads} quads (seed {args.seed})")
    data = generate_dataset(workdir / "data.nq", args.quads, args.seed)
    say(
        f"  {data.quads} quads: {data.firms} firms, {data.articles} article graphs, "
        f"{data.relationships} relationships"
    )
    total = max(args.requests, args.concurrent_requests)
    all_requests = build_requests(data, len(KINDS) + total, args.seed)
    warm, requests = all_requests[: len(KINDS)], all_requests[len(KINDS) :]

    stores: list[StoreQueries] = []
    largest: dict[str, int] = {}
    for kind in kinds:
        # The result sizes are checked on the first store measured, for Virtuoso's row limit.
        check_sizes = "virtuoso" in kinds and not stores
        if kind == "embedded":
            measured, sizes = measure_embedded(
                data.path, workdir, warm, requests, args, check_sizes
            )
        else:
            measured, sizes = measure_remote(
                kind, data.path, workdir, warm, requests, args, check_sizes
            )
        stores.append(measured)
        largest = largest or sizes

    say(f"ingestion: {args.articles} articles (+{WARM_UP_ARTICLES} warm-up)")
    runs, mean_bytes = measure_ingest(kinds, workdir, args)

    print()
    print(
        f"Queries: {data.quads} quads ({data.firms} firms, {data.articles} article graphs, "
        f"{data.relationships} relationships), seed {args.seed}; the mix of "
        f"bench/sparql_endpoint.py, {args.rounds} rounds of {args.requests} sequential "
        f"requests and of {args.concurrent_requests} with {args.concurrency} concurrent "
        f"clients, the systems taking turns every {args.turn} requests per client; the tables "
        "pool the rounds; our servers "
        f"with ALLIANCEGRAPH_QUERY_WORKERS={QUERY_WORKERS}. Load: "
        + ", ".join(
            f"{s.title} {s.load_s:.1f} s" + ("" if s.kind == "embedded" else " (over HTTP)")
            for s in stores
        )
        + "."
    )
    print()
    print(query_table(stores, args.concurrency))
    print()
    print(f"Median ms per kind (sequential / {args.concurrency} clients):")
    print()
    print(kind_table(stores, args.concurrency))
    print()
    targets = target_lines(stores, args.concurrency)
    for line in targets:
        print(line)
    for line in bare_lines(stores, args.concurrency):
        print(line)
    print(floor_line(stores))
    for line in cpu_lines(stores, args.concurrency):
        print(line)
    print()
    print(
        f"Ingestion: {args.articles} articles (mean {mean_bytes / 1024:.1f} KB, English and "
        f"Korean), seed {args.seed}, posted to POST /sources/articles by "
        f"{CLIENTS_PER_REPLICA} client threads per replica after {WARM_UP_ARTICLES} warm-up "
        "articles per replica; each run on an empty store with the example registry."
    )
    print()
    print(ingest_table(runs))
    print()
    print(shared_environment_line(PACKAGES))
    print(
        f"load average (1 min) of the machine: {load_before:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end"
    )
    headers = [f"{s.title}: {s.server_header}" for s in stores if s.server_header]
    if headers:
        print("servers (Server header): " + "; ".join(headers))
    print()
    checks = [*check_lines(stores), *size_lines(largest), *ingest_checks(runs)]
    for line in [*skipped, *checks]:
        print(line)
    return 1 if any(line.startswith("WARNING") for line in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
