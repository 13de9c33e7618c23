"""Benchmark of the REST lookups under load: a small store against a big one.

The REST API (``/companies``) should answer company search and partner lookups quickly under
concurrent use, whatever the size of the store (target: p95 under 50 ms for each kind of lookup,
and the big store at most 1.5× the small one's p95). Run it from the checkout, after
``.venv/bin/pip install -e '.[bench]'`` (httpx2)::

    .venv/bin/python bench/rest.py                                 # defaults (many minutes)
    .venv/bin/python bench/rest.py --quads 50000 --requests 300 --keep

What it does:

1. Builds two embedded stores with the CLI. The *small* one holds the example data:
   ``alliancegraph load --graph …/graph/reference examples/reference/organizations.ttl`` and
   ``alliancegraph load examples/sources/seed-article.trig`` (plus the ontology, which the CLI
   adds). The *big* one is a copy of it plus about ``--quads`` synthetic quads written by
   ``bench/ingest.py``'s ``generate_preload``: source graphs with thousands of firms
   (``…/id/org/firm-N``, ``@en`` and ``@ko`` labels), their relationships and evidence, a quarter
   of the relationships also naming a registry firm (so a few registry firms become hubs), loaded
   with ``alliancegraph load --no-validate``; and the derived graph (``ag:partnerOf``), written with
   pyoxigraph's bulk loader as ``bench/ingest.py`` does.
2. Reads the companies of the small store (organizations under ``…/id/org/`` with their ``@en``
   and ``@ko`` ``rdfs:label``) and draws one seeded list of ``--requests`` requests from them, a
   third of each kind: ``GET /companies?q=NAME`` (an English or Korean label, whole or cut to a
   prefix of two or more characters), ``GET /companies/{id}/partners`` and ``GET /companies/{id}``.
   Both runs send this identical list.
3. For each store in turn, starts ``alliancegraph --store DIR serve`` on 127.0.0.1 and a free port,
   sends one request of each kind (the first search builds the name index), then a concurrent
   warm-up pass of another seeded list (not counted), then the measured list split over
   ``--concurrency`` threads (thread i sends requests i, i + C, i + 2C, ...), each thread with its
   own ``httpx2.Client``. It then checks that every whole-name search in the list finds its
   company, and, in the big store, that synthetic firms are found by their English and Korean
   names and that their detail and partners answer. The server is stopped after its run, also on
   an error, Ctrl-C or SIGTERM.
4. Prints a Markdown table: p50 / p95 / p99 latency per kind and overall in each store, requests/s,
   errors (any status other than 200, or no answer), server CPU per request, median response size
   per kind, and the ratio big / small of each p95; then the environment line, the target and
   check lines and the slowest requests of each run.

Latencies are measured by the client, from sending the request to having read the whole body, on
the machine that runs the server. Only answers with status 200 count in the latencies. This is a
benchmark, not a test: ``make test`` never runs it. It sends nothing beyond 127.0.0.1, and
everything it writes goes into a temporary folder (kept with ``--keep``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    import httpx2

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pyoxigraph  # noqa: E402

from bench.environment import CORE_PACKAGES  # noqa: E402
from bench.environment import environment_line as shared_environment_line  # noqa: E402
from bench.ingest import (  # noqa: E402
    ID,
    RDFS_LABEL,
    REFERENCE_GRAPH,
    REGISTRY,
    bulk_load_derived,
    count_quads,
    domain_tags,
    generate_preload,
    ms,
    percentile,
    read_registry,
    run_cli,
)
from bench.sparql_endpoint import (  # noqa: E402
    INSTALL_HINT,
    System,
    find_tool,
    free_port,
    new_client,
    start_server,
)

SEED_ARTICLE = ROOT / "examples" / "sources" / "seed-article.trig"
AG = "https://w3id.org/alliancegraph/ontology#"
ORG = ID + "org/"
#: The kinds of request, in the order of the table, with their titles.
KINDS: tuple[tuple[str, str], ...] = (
    ("search", "search `GET /companies?q=`"),
    ("partners", "partners `GET /companies/{id}/partners`"),
    ("company", "company `GET /companies/{id}`"),
)
#: The targets: p95 of each kind under this many seconds, and big / small p95 at most this.
TARGET_P95_S = 0.050
TARGET_RATIO = 1.5
#: HTTP timeout of one request, in seconds.
REQUEST_TIMEOUT_S = 120.0
#: Synthetic firms whose lookups are checked in the big store.
SYNTHETIC_CHECKS = 10
#: A company id the API accepts (``service.lookup``'s slug pattern).
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")

# --------------------------------------------------------------------------------------------
# Companies and requests
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Company:
    """A company of the store: its id (slug) and its ``@en``/``@ko`` labels."""

    id: str
    labels: tuple[tuple[str, str], ...]  # (text, language), sorted


@dataclass(frozen=True)
class RestRequest:
    """One request: its kind, path with query, and for a whole-name search the company meant."""

    kind: str
    path: str
    expect: str | None = None


def read_companies(store_dir: Path, *, only_prefix: str = ORG) -> list[Company]:
    """The organizations under ``only_prefix`` with their English and Korean labels, by id.

    The store must not be open elsewhere (no server on it).
    """
    store = pyoxigraph.Store(str(store_dir))
    try:
        rows = store.query(
            f"""SELECT DISTINCT ?o ?label WHERE {{
  ?o a ?type . ?type <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{AG}Organization> .
  ?o <{RDFS_LABEL}> ?label .
  FILTER (STRSTARTS(STR(?o), "{only_prefix}") && LANG(?label) IN ("en", "ko"))
}}""",
            use_default_graph_as_union=True,
        )
        labels: dict[str, set[tuple[str, str]]] = {}
        if not isinstance(rows, pyoxigraph.QuerySolutions):
            raise TypeError("a SELECT query answers solutions")
        for row in rows:
            subject, label = row["o"], row["label"]
            if isinstance(subject, pyoxigraph.NamedNode) and isinstance(label, pyoxigraph.Literal):
                slug = subject.value.removeprefix(ORG)
                if SLUG.match(slug):
                    labels.setdefault(slug, set()).add((label.value, label.language or ""))
    finally:
        del store
        gc.collect()
    return [Company(slug, tuple(sorted(found))) for slug, found in sorted(labels.items())]


def search_path(text: str) -> str:
    return "/companies?" + urlencode({"q": text})


def company_path(slug: str, suffix: str = "") -> str:
    return f"/companies/{quote(slug, safe='')}{suffix}"


def prefix_of(rng: random.Random, label: str) -> str:
    """The label cut to a prefix of 2 to len - 1 characters (as someone typing it)."""
    if len(label) <= 2:
        return label
    cut = label[: rng.randint(2, len(label) - 1)].rstrip(" &.-")
    return cut if len(cut) >= 2 else label


def make_request(kind: str, rng: random.Random, companies: Sequence[Company]) -> RestRequest:
    company = rng.choice(companies)
    if kind == "search":
        text, _ = rng.choice(company.labels)
        if rng.random() < 0.5:
            return RestRequest(kind, search_path(text), expect=company.id)
        return RestRequest(kind, search_path(prefix_of(rng, text)))
    if kind == "partners":
        return RestRequest(kind, company_path(company.id, "/partners"))
    if kind == "company":
        return RestRequest(kind, company_path(company.id))
    raise ValueError(f"unknown kind {kind!r}")


def build_requests(companies: Sequence[Company], count: int, seed: int) -> list[RestRequest]:
    """``count`` requests, a third of each kind, in a seeded order with seeded parameters."""
    rng = random.Random(seed)
    requests = [make_request(KINDS[i % len(KINDS)][0], rng, companies) for i in range(count)]
    rng.shuffle(requests)
    return requests


# --------------------------------------------------------------------------------------------
# Stores and servers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stores:
    small: Path
    big: Path
    small_quads: int
    big_quads: int
    description: str
    synthetic: tuple[Company, ...]  # a seeded sample of the big store's synthetic firms


def prepare_stores(workdir: Path, quads: int, seed: int) -> Stores:
    """The small store (the example data) and the big one (the same plus the preload)."""
    small = workdir / "small-store"
    big = workdir / "big-store"
    say("small store: the example registry and the seed article")
    run_cli(
        ["--store", str(small), "load", "--graph", REFERENCE_GRAPH, str(REGISTRY)],
        workdir / "small-load.log",
    )
    run_cli(["--store", str(small), "load", str(SEED_ARTICLE)], workdir / "small-load.log")
    shutil.copytree(small, big)
    say(f"big store: generating about {quads} synthetic quads (seed {seed})")
    started = time.perf_counter()
    registry = read_registry(REGISTRY)
    tags = sorted(set(domain_tags().values()))
    preload = generate_preload(workdir, quads, seed, registry, tags)
    say(
        f"  {preload.source_quads} source quads + {preload.derived_quads} derived: "
        f"{preload.firms} firms, {preload.graphs} source graphs, {preload.relationships} "
        f"relationships ({preload.registry_relationships} with a registry firm) "
        f"({time.perf_counter() - started:.1f} s)"
    )
    load_s = run_cli(
        ["--store", str(big), "load", "--no-validate", str(preload.sources_path)],
        workdir / "big-load.log",
    )
    derived_s = bulk_load_derived(big, preload.derived_path)
    say(f"  load --no-validate {load_s:.1f} s, derived graph {derived_s:.1f} s")
    for path in (preload.sources_path, preload.derived_path):
        path.unlink()  # the store holds them now; the files are only disk space
    synthetic = read_companies(big, only_prefix=ORG + "firm-")
    sample = random.Random(seed + 2).sample(synthetic, min(SYNTHETIC_CHECKS, len(synthetic)))
    description = (
        f"{preload.quads:,} synthetic quads ({preload.source_quads:,} in {preload.graphs:,} "
        f"source graphs, {preload.derived_quads:,} derived), {preload.firms:,} synthetic firms, "
        f"{preload.relationships:,} relationships ({preload.registry_relationships:,} with a "
        "registry firm)"
    )
    return Stores(
        small,
        big,
        count_quads(small),
        count_quads(big),
        description,
        tuple(sorted(sample, key=lambda c: c.id)),
    )


def start_rest_server(name: str, store: Path, workdir: Path) -> tuple[System, str]:
    """``alliancegraph --store STORE serve`` on a free port; return it and its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ALLIANCEGRAPH_ENV": "dev"}
    command = [
        find_tool("alliancegraph"),
        "--store",
        str(store),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    system = start_server(
        name, command, workdir / f"{name}-server.log", f"{base}/health", base, env=env
    )
    return system, base


# --------------------------------------------------------------------------------------------
# Sending requests
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One answered (or failed) request."""

    request: RestRequest
    seconds: float
    status: int  # 0: no answer (a transport error)
    size: int
    body: bytes = b""


@dataclass
class RunResult:
    """The outcomes of one measured run on one store."""

    outcomes: list[Outcome] = field(default_factory=list)
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    start_s: float = 0.0

    def latencies(self, kind: str | None = None) -> list[float]:
        return [
            o.seconds
            for o in self.outcomes
            if o.status == 200 and (kind is None or o.request.kind == kind)
        ]

    def sizes(self, kind: str) -> list[int]:
        return [o.size for o in self.outcomes if o.status == 200 and o.request.kind == kind]

    def errors(self, kind: str | None = None) -> list[Outcome]:
        return [
            o for o in self.outcomes if o.status != 200 and (kind is None or o.request.kind == kind)
        ]

    @property
    def throughput(self) -> float:
        return len(self.outcomes) / self.wall_s if self.wall_s > 0 else float("nan")


def send(
    client: httpx2.Client, base: str, request: RestRequest, *, keep_body: bool = False
) -> Outcome:
    """Send one GET; a transport error is an outcome with status 0."""
    import httpx2

    started = time.perf_counter()
    try:
        response = client.get(base + request.path, headers={"Accept": "application/json"})
        body = response.content
    except httpx2.HTTPError as error:
        return Outcome(request, time.perf_counter() - started, 0, 0, str(error).encode())
    elapsed = time.perf_counter() - started
    kept = body if keep_body or response.status_code != 200 else b""
    return Outcome(request, elapsed, response.status_code, len(body), kept[:100_000])


def run_concurrent(
    system: System, base: str, requests: Sequence[RestRequest], clients: int
) -> RunResult:
    """Thread i sends requests i, i + clients, ...; all threads start together."""
    slices: list[list[Outcome]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    failures: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            with new_client(REQUEST_TIMEOUT_S) as client:
                barrier.wait()
                for request in requests[index::clients]:
                    slices[index].append(send(client, base, request))
        except BaseException as error:  # reported after join
            failures.append(error)
            barrier.abort()

    threads = [
        threading.Thread(target=worker, args=(i,), daemon=True, name=f"client-{i}")
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)  # every client ready, then the clock starts
    cpu_before = system.cpu_seconds()
    client_before = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    result = RunResult(wall_s=time.perf_counter() - started)
    result.server_cpu_s = system.cpu_seconds() - cpu_before
    result.client_cpu_s = time.process_time() - client_before
    if failures:
        raise RuntimeError(f"a client thread failed: {failures[0]!r}")
    result.outcomes = [o for part in slices for o in part]
    return result


def warm_up(system: System, base: str, requests: Sequence[RestRequest], clients: int) -> None:
    """One request of each kind one after the other (the first search builds the name index),
    then ``requests`` with ``clients`` threads; nothing is counted."""
    firsts = {r.kind: r for r in reversed(requests)}
    with new_client(REQUEST_TIMEOUT_S) as client:
        for request in firsts.values():
            outcome = send(client, base, request, keep_body=True)
            if outcome.status != 200:
                raise RuntimeError(
                    f"warm-up {request.path}: HTTP {outcome.status}: {outcome.body[:300]!r}"
                )
    run_concurrent(system, base, requests, clients)


def check_searches(base: str, requests: Sequence[RestRequest]) -> list[str]:
    """Each distinct whole-name search of the list finds its company (on the first page)."""
    import json

    wanted = sorted({(r.path, r.expect) for r in requests if r.expect is not None})
    missed: list[str] = []
    with new_client(REQUEST_TIMEOUT_S) as client:
        for path, expect in wanted:
            outcome = send(client, base, RestRequest("search", path), keep_body=True)
            ids = (
                [item["id"] for item in json.loads(outcome.body)["items"]]
                if outcome.status == 200
                else []
            )
            if expect not in ids:
                missed.append(f"{path} (HTTP {outcome.status}, expected {expect})")
    if missed:
        return [f"WARNING: {len(missed)} whole-name searches missed: " + "; ".join(missed[:5])]
    return [f"ok: all {len(wanted)} distinct whole-name searches found their company"]


def check_synthetic(base: str, firms: Sequence[Company]) -> tuple[list[str], dict[str, float]]:
    """The synthetic firms are found by each label, and their detail and partners answer.

    Returns the check lines and the median time of each kind (one client, one at a time).
    """
    import json

    problems: list[str] = []
    times: dict[str, list[float]] = {}
    with new_client(REQUEST_TIMEOUT_S) as client:
        for firm in firms:
            requests = [RestRequest("search", search_path(t), firm.id) for t, _ in firm.labels]
            requests += [
                RestRequest("partners", company_path(firm.id, "/partners"), firm.id),
                RestRequest("company", company_path(firm.id), firm.id),
            ]
            for request in requests:
                outcome = send(client, base, request, keep_body=True)
                times.setdefault(request.kind, []).append(outcome.seconds)
                if outcome.status != 200:
                    problems.append(f"{request.path}: HTTP {outcome.status}")
                    continue
                answer = json.loads(outcome.body)
                if request.kind == "search":
                    if firm.id not in [item["id"] for item in answer["items"]]:
                        problems.append(f"{request.path}: {firm.id} not found")
                elif request.kind == "partners" and not answer["partners"]:
                    problems.append(f"{request.path}: no partners")
                elif request.kind == "company" and not answer["labels"]:
                    problems.append(f"{request.path}: no labels")
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    if problems:
        lines = [f"WARNING: synthetic firms: {len(problems)} problems: " + "; ".join(problems[:5])]
    else:
        lines = [
            f"ok: {len(firms)} synthetic firms (firm-N) found by their en and ko labels; "
            "their detail and partners answer"
        ]
    return lines, medians


def measure_store(
    name: str,
    store: Path,
    workdir: Path,
    warm: Sequence[RestRequest],
    measured: Sequence[RestRequest],
    clients: int,
    servers: list[System],
    synthetic: Sequence[Company] = (),
) -> tuple[RunResult, list[str], dict[str, float]]:
    """Serve ``store``, warm it up, measure, check; the server is stopped before returning."""
    say(f"{name}: starting alliancegraph serve")
    system, base = start_rest_server(name, store, workdir)
    servers.append(system)
    try:
        say(f"  ready after {system.load_seconds:.1f} s; warm-up: {len(warm)} requests")
        warm_up(system, base, warm, clients)
        say(f"  measuring: {len(measured)} requests, {clients} clients")
        result = run_concurrent(system, base, measured, clients)
        result.start_s = system.load_seconds
        say(
            f"  {result.throughput:.1f} requests/s, p95 "
            f"{ms(percentile(result.latencies(), 0.95))} ms, {len(result.errors())} errors"
        )
        checks = check_searches(base, measured)
        synthetic_times: dict[str, float] = {}
        if synthetic:
            more, synthetic_times = check_synthetic(base, synthetic)
            checks += more
    finally:
        system.stop()
        servers.remove(system)
    return result, checks, synthetic_times


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def environment_line() -> str:
    """The common line plus the versions of the HTTP stack."""
    return shared_environment_line((*CORE_PACKAGES, "fastapi", "uvicorn", "httpx2"))


def triple(values: Sequence[float]) -> str:
    if not values:
        return "–"
    return " / ".join(ms(percentile(values, p)) for p in (0.50, 0.95, 0.99))


def ratio(big: float, small: float) -> str:
    if not small or small != small or big != big:
        return "–"
    return f"{big / small:.2f}×"


def markdown_table(small: RunResult, big: RunResult, stores: Stores) -> str:
    rows = [
        "| | small store | big store | big / small |",
        "|---|---:|---:|---:|",
    ]

    def row(label: str, left: str, right: str, third: str = "") -> None:
        rows.append(f"| {label} | {left} | {right} | {third} |")

    row("quads in the store", f"{stores.small_quads:,}", f"{stores.big_quads:,}")
    row("server start (s)", f"{small.start_s:.1f}", f"{big.start_s:.1f}")
    for kind, title in (*KINDS, ("", "all requests")):
        pick = kind or None
        row(
            f"{title}: p50 / p95 / p99 ms",
            triple(small.latencies(pick)),
            triple(big.latencies(pick)),
            "p95 "
            + ratio(percentile(big.latencies(pick), 0.95), percentile(small.latencies(pick), 0.95)),
        )
    row("requests/s", f"{small.throughput:.1f}", f"{big.throughput:.1f}")
    row(
        "errors (not 200)",
        f"{len(small.errors())} of {len(small.outcomes)}",
        f"{len(big.errors())} of {len(big.outcomes)}",
    )
    for title, small_cpu, big_cpu in (
        ("server CPU ms/request", small.server_cpu_s, big.server_cpu_s),
        ("client CPU ms/request (this process)", small.client_cpu_s, big.client_cpu_s),
    ):
        row(
            title,
            ms(small_cpu / len(small.outcomes)) if small.outcomes else "–",
            ms(big_cpu / len(big.outcomes)) if big.outcomes else "–",
        )
    for kind, _ in KINDS:
        small_kb = statistics.median(small.sizes(kind)) / 1024 if small.sizes(kind) else 0.0
        big_kb = statistics.median(big.sizes(kind)) / 1024 if big.sizes(kind) else 0.0
        row(
            f"{kind}: median response KB",
            f"{small_kb:.1f}",
            f"{big_kb:.1f}",
            ratio(big_kb, small_kb),
        )
    return "\n".join(rows)


def target_lines(small: RunResult, big: RunResult) -> list[str]:
    lines = []
    for kind, _ in KINDS:
        small_p95 = percentile(small.latencies(kind), 0.95)
        big_p95 = percentile(big.latencies(kind), 0.95)
        under = small_p95 < TARGET_P95_S and big_p95 < TARGET_P95_S
        grows = big_p95 / small_p95 if small_p95 else float("inf")
        verdict = "met" if under and grows <= TARGET_RATIO else "MISSED"
        lines.append(
            f"target {verdict}: {kind}: p95 {ms(small_p95)} ms small, {ms(big_p95)} ms big "
            f"(under {TARGET_P95_S * 1000:.0f} ms: {'yes' if under else 'no'}), "
            f"big / small {grows:.2f}× (at most {TARGET_RATIO}×: "
            f"{'yes' if grows <= TARGET_RATIO else 'no'})"
        )
    return lines


def slowest_lines(title: str, result: RunResult, count: int = 5) -> list[str]:
    ordered = sorted(result.outcomes, key=lambda o: -o.seconds)[:count]
    return [
        f"{title}: {ms(o.seconds)} ms, HTTP {o.status}, {o.size / 1024:.0f} KB, {o.request.path}"
        for o in ordered
    ]


def error_lines(title: str, result: RunResult, count: int = 5) -> list[str]:
    errors = result.errors()
    lines = [
        f"WARNING: {title}: HTTP {o.status} for {o.request.path}: {o.body[:200]!r}"
        for o in errors[:count]
    ]
    if len(errors) > count:
        lines.append(f"WARNING: {title}: {len(errors) - count} more errors")
    return lines


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the REST lookups (company search, partners, company detail) "
        "with concurrent clients, on the example data alone and with about a million more "
        "synthetic quads.",
    )
    parser.add_argument(
        "--requests", type=int, default=2000, help="measured requests per run (default 2000)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="client threads (default 16)")
    parser.add_argument(
        "--quads",
        type=int,
        default=1_000_000,
        help="synthetic quads added for the big store, derived graph included (default 1000000)",
    )
    parser.add_argument("--seed", type=int, default=42, help="seed of the data and the requests")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.requests < 3:
        parser.error("--requests must be at least 3")
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    if args.quads < 1000:
        parser.error("--quads must be at least 1000")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import httpx2  # noqa: F401
    except ImportError as error:
        raise SystemExit(f"error: {error}; {INSTALL_HINT}") from None
    find_tool("alliancegraph")
    # SIGTERM unwinds like Ctrl-C, so the servers are stopped either way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="alliancegraph-bench-rest-"))
    servers: list[System] = []
    try:
        return run(args, workdir, servers)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        for system in servers:
            with contextlib.suppress(Exception):
                system.stop()
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path, servers: list[System]) -> int:
    say(f"working in {workdir}")
    stores = prepare_stores(workdir, args.quads, args.seed)
    companies = read_companies(stores.small)
    if not companies:
        raise SystemExit("error: the small store has no companies with en/ko labels")
    measured = build_requests(companies, args.requests, args.seed)
    warm_count = max(3 * args.concurrency, args.requests // 10)
    warm = build_requests(companies, warm_count, args.seed + 1)
    say(
        f"{len(companies)} companies, {sum(len(c.labels) for c in companies)} labels; "
        f"{len(measured)} measured requests, {len(warm)} warm-up"
    )
    small, small_checks, _ = measure_store(
        "small", stores.small, workdir, warm, measured, args.concurrency, servers
    )
    big, big_checks, synthetic_times = measure_store(
        "big", stores.big, workdir, warm, measured, args.concurrency, servers, stores.synthetic
    )

    counts = {kind: sum(1 for r in measured if r.kind == kind) for kind, _ in KINDS}
    whole = sum(1 for r in measured if r.expect is not None)
    print()
    print(
        f"Small store: the example data ({stores.small_quads:,} quads with the ontology; "
        f"{len(companies)} companies). Big store: the same plus {stores.description}. "
        f"Requests: {len(measured)} per run over {args.concurrency} clients, seed {args.seed}, "
        f"identical in both runs ({counts['search']} searches, {whole} of them whole names, "
        f"{counts['partners']} partners, {counts['company']} company), after a warm-up of "
        f"{len(warm)}."
    )
    print()
    print(markdown_table(small, big, stores))
    print()
    print(environment_line())
    print()
    lines = target_lines(small, big)
    lines += [f"small store: {line}" for line in small_checks]
    lines += [f"big store: {line}" for line in big_checks]
    lines += error_lines("small store", small) + error_lines("big store", big)
    for line in lines:
        print(line)
    if synthetic_times:
        print(
            "synthetic firms in the big store, one client: median "
            + ", ".join(f"{kind} {ms(value)} ms" for kind, value in synthetic_times.items())
        )
    print()
    for line in slowest_lines("slowest, small store", small):
        print(line)
    for line in slowest_lines("slowest, big store", big):
        print(line)
    return 1 if any("WARNING" in line for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
