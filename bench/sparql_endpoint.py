"""Benchmark of the SPARQL endpoint against Oxigraph server and rdflib-endpoint (issue 3).

Run it from the checkout, after ``.venv/bin/pip install -e '.[bench]'``::

    .venv/bin/python bench/sparql_endpoint.py                      # all defaults (several minutes)
    .venv/bin/python bench/sparql_endpoint.py --systems ours,oxigraph --quads 50000 --keep

What it does:

1. Generates a seeded synthetic alliance dataset (``--quads``, default 150,000, ``--seed``) as
   N-Quads in a temporary folder: firms (``ag:Firm``, ``rdfs:label`` in English and Korean,
   ``ag:country`` as a Wikidata IRI) in the reference graph, and one named graph per news article
   holding the ``ag:NewsArticle``, its n-ary relationships (kind, 2-4 participants, a technology
   domain, a day-precision date, status, ``prov:wasDerivedFrom``), one ``ag:Evidence`` per
   relationship and the types and labels of the firms it mentions.
2. Loads the same file into up to three systems (``--systems``), each started here as a subprocess
   on 127.0.0.1 and a free port, and stopped at the end (also on an error or Ctrl-C):
   ``ours`` (``alliancegraph load --no-validate`` then ``alliancegraph serve``), ``oxigraph``
   (``oxigraph load`` then ``oxigraph serve --union-default-graph``, from the pip package
   ``oxigraph``) and ``rdflib`` (rdflib-endpoint's ``SparqlEndpoint`` over an ``rdflib.Dataset``
   with a union default graph, served by uvicorn).
3. Sends every system the identical, seeded sequence of SPARQL requests over HTTP GET, drawn
   round-robin from one mix of seven kinds (partners of a firm, deals per domain, recent deals in
   a domain, 2-hop network, label search, per-graph provenance, CONSTRUCT of a firm's deals),
   asking for SPARQL JSON results (Turtle for CONSTRUCT). After one warm-up pass of the mix it
   checks that the systems return the same number of results for each kind (a WARNING line
   otherwise), then measures a sequential run (one client, ``--requests``) and a concurrent run
   (``--concurrency`` threads, each with its own httpx2 client, sharing one request list of
   ``--concurrent-requests``). A system that needs more than ``--max-seconds`` for a run stops
   early and is reported with the number of requests it completed.
4. Prints a Markdown table (medians per kind, overall median and p95 latency, queries/s, server
   CPU per query, throughput ratios against Oxigraph server), the environment line, and
   diagnostics: the latency of a trivial ``ASK {}`` (the per-request floor of each server) and
   the in-process pyoxigraph time of each kind (the engine's share, without HTTP).

Latencies are measured by the client, from sending the request to having read the whole body.
The client runs on the same machine as the servers and shares its cores with them. This is a
benchmark, not a test: ``make test`` never runs it. It sends nothing beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make the bench package importable

from bench.environment import environment_line as _environment_line  # noqa: E402

PACKAGES = ("pyoxigraph", "oxigraph", "rdflib-endpoint", "rdflib", "httpx2")


def environment_line() -> str:
    """Date, machine, Python and the versions of the compared systems."""
    return _environment_line(PACKAGES)


if TYPE_CHECKING:
    import httpx2

INSTALL_HINT = "install the benchmark's dependencies: .venv/bin/pip install -e '.[bench]'"

AG = "https://w3id.org/alliancegraph/ontology#"
ID = "https://w3id.org/alliancegraph/id/"
GRAPH = "https://w3id.org/alliancegraph/graph/"
DOMAIN = "https://w3id.org/alliancegraph/domain/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
WD = "http://www.wikidata.org/entity/"

DOMAINS = ("XR", "LLM", "PBV", "AI-RAN", "battery", "foundry", "HBM", "AI-chip", "6G", "cloud")
DEAL_KINDS = (
    "CoDevelopment",
    "MemorandumOfUnderstanding",
    "JointVentureAgreement",
    "SupplyAgreement",
)
#: Wikidata items of countries with their weight: most firms in the graph are Korean.
COUNTRIES = (
    ("Q884", 40),  # South Korea
    ("Q30", 15),  # United States
    ("Q17", 10),  # Japan
    ("Q148", 8),  # China
    ("Q865", 6),  # Taiwan
    ("Q183", 6),  # Germany
    ("Q142", 4),  # France
    ("Q145", 4),  # United Kingdom
    ("Q34", 3),  # Sweden
    ("Q668", 4),  # India
)
#: Name parts: English and Korean spellings.
SYLLABLES = (
    ("Han", "한"),
    ("Sol", "솔"),
    ("Dae", "대"),
    ("Jin", "진"),
    ("Mi", "미"),
    ("Ra", "라"),
    ("Sung", "성"),
    ("Woo", "우"),
    ("Hyun", "현"),
    ("Kang", "강"),
    ("Nam", "남"),
    ("Seo", "서"),
    ("Tae", "태"),
    ("Yeon", "연"),
    ("Bo", "보"),
    ("Chan", "찬"),
    ("Do", "도"),
    ("Gyeong", "경"),
    ("Il", "일"),
    ("Ju", "주"),
)
SUFFIXES = (
    ("Electronics", "전자"),
    ("Motors", "모터스"),
    ("Semiconductor", "반도체"),
    ("Telecom", "텔레콤"),
    ("Chemical", "화학"),
    ("Systems", "시스템즈"),
    ("Robotics", "로보틱스"),
    ("Energy", "에너지"),
    ("Networks", "네트웍스"),
    ("Materials", "소재"),
    ("Bio", "바이오"),
    ("Mobility", "모빌리티"),
)
#: Words the label-search queries look for in English labels.
SEARCH_WORDS = (
    "han",
    "sol",
    "jin",
    "sung",
    "kang",
    "tae",
    "yeon",
    "gyeong",
    "motor",
    "semi",
    "tele",
    "chem",
    "robot",
    "energy",
    "network",
    "mobil",
)
PUBLISHERS = ("Energy Economy News", "Korea Tech Daily", "Seoul Business Wire", "Asia Chip Report")

# --------------------------------------------------------------------------------------------
# The synthetic dataset
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticData:
    """The generated N-Quads file and what the query mix draws its parameters from."""

    path: Path
    quads: int
    firms: int
    articles: int
    relationships: int
    active_firms: tuple[str, ...]


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(value: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if lang is not None:
        return f'"{escaped}"@{lang}'
    if datatype is not None:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def generate_dataset(path: Path, target_quads: int, seed: int) -> SyntheticData:
    """Write a seeded synthetic alliance dataset of about ``target_quads`` quads to ``path``.

    The same ``target_quads`` and ``seed`` give the same file, byte for byte.
    """
    rng = random.Random(seed)
    n_firms = max(20, target_quads // 75)
    combos = len(SYLLABLES) ** 2 * len(SUFFIXES)
    firm_iris = [f"{ID}org/firm-{n}" for n in range(1, n_firms + 1)]
    names: list[tuple[str, str]] = []
    for combo in rng.sample(range(combos), min(n_firms, combos)):
        first, rest = divmod(combo, len(SYLLABLES) * len(SUFFIXES))
        second, suffix = divmod(rest, len(SUFFIXES))
        en = f"{SYLLABLES[first][0]}{SYLLABLES[second][0].lower()} {SUFFIXES[suffix][0]}"
        ko = f"{SYLLABLES[first][1]}{SYLLABLES[second][1]}{SUFFIXES[suffix][1]}"
        names.append((en, ko))
    while len(names) < n_firms:  # more firms than name combinations: number the extra ones
        en, ko = names[len(names) % combos]
        names.append((f"{en} {len(names)}", f"{ko} {len(names)}"))
    country_codes = [c for c, _ in COUNTRIES]
    country_weights = [w for _, w in COUNTRIES]
    # Popularity: a few firms take part in many deals, most in a few (a Zipf-like tail).
    order = list(range(n_firms))
    rng.shuffle(order)
    popularity = [0.0] * n_firms
    for rank, index in enumerate(order):
        popularity[index] = 1.0 / (rank + 5) ** 0.8
    cumulative: list[float] = []
    total = 0.0
    for weight in popularity:
        total += weight
        cumulative.append(total)

    firm_type = _iri(AG + "Firm")
    label = _iri(RDFS_LABEL)
    rdf_type = _iri(RDF_TYPE)
    written = 0
    active: set[int] = set()
    n_articles = 0
    n_rels = 0
    with path.open("w", encoding="utf-8") as out:

        def emit(s: str, p: str, o: str, g: str) -> None:
            nonlocal written
            out.write(f"{s} {p} {o} {g} .\n")
            written += 1

        reference = _iri(GRAPH + "reference")
        for n, iri in enumerate(firm_iris):
            firm = _iri(iri)
            en, ko = names[n]
            country = rng.choices(country_codes, weights=country_weights)[0]
            emit(firm, rdf_type, firm_type, reference)
            emit(firm, label, _lit(en, lang="en"), reference)
            emit(firm, label, _lit(ko, lang="ko"), reference)
            emit(firm, _iri(AG + "country"), _iri(WD + country), reference)

        start = date(2019, 1, 1)
        span = (date(2025, 12, 31) - start).days
        while written < target_quads:
            n_articles += 1
            graph = _iri(f"{GRAPH}source/{n_articles}")
            article = _iri(f"{ID}source/{n_articles}")
            published = start + timedelta(days=rng.randrange(span))
            clock = f"{rng.randrange(6, 22):02d}:{rng.randrange(60):02d}:00+09:00"
            stamp = f"{published.isoformat()}T{clock}"
            emit(article, rdf_type, _iri(AG + "NewsArticle"), graph)
            emit(
                article,
                _iri(SCHEMA + "datePublished"),
                _lit(stamp, datatype=XSD + "dateTime"),
                graph,
            )
            emit(
                article, _iri(SCHEMA + "publisher"), _lit(rng.choice(PUBLISHERS), lang="en"), graph
            )
            emit(article, _iri(SCHEMA + "inLanguage"), _lit("ko"), graph)
            mentioned: set[int] = set()
            offset = rng.randrange(50, 300)
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
                n_rels += 1
                rel = _iri(f"{ID}rel/{n_rels}")
                evidence = _iri(f"{ID}evidence/{n_rels}")
                kind = rng.choice(DEAL_KINDS)
                domain = rng.choice(DOMAINS)
                size = rng.choice((2, 2, 2, 3, 3, 4))
                parties: set[int] = set()
                while len(parties) < size:
                    parties.add(rng.choices(order, cum_weights=cumulative)[0])
                announced = published - timedelta(days=rng.randrange(4))
                emit(rel, rdf_type, _iri(AG + kind), graph)
                for party in sorted(parties):
                    emit(rel, _iri(AG + "participant"), _iri(firm_iris[party]), graph)
                emit(rel, _iri(AG + "domain"), _iri(DOMAIN + domain), graph)
                emit(
                    rel,
                    _iri(AG + "announcedOn"),
                    _lit(announced.isoformat(), datatype=XSD + "date"),
                    graph,
                )
                emit(rel, _iri(AG + "datePrecision"), _iri(AG + "Day"), graph)
                emit(rel, _iri(AG + "status"), _iri(AG + "Announced"), graph)
                emit(rel, _iri(PROV + "wasDerivedFrom"), article, graph)
                emit(rel, _iri(PROV + "qualifiedDerivation"), evidence, graph)
                party_names = " and ".join(names[p][0] for p in sorted(parties))
                quote = f"{party_names} announced a {kind} in {domain}."
                emit(evidence, rdf_type, _iri(AG + "Evidence"), graph)
                emit(evidence, _iri(PROV + "entity"), article, graph)
                emit(evidence, _iri(AG + "quote"), _lit(quote, lang="en"), graph)
                length = rng.randrange(40, 160)
                integer = XSD + "integer"
                emit(evidence, _iri(AG + "charStart"), _lit(str(offset), datatype=integer), graph)
                emit(
                    evidence,
                    _iri(AG + "charEnd"),
                    _lit(str(offset + length), datatype=integer),
                    graph,
                )
                offset += length + rng.randrange(1, 200)
                confidence = f"{rng.uniform(0.5, 0.99):.2f}"
                emit(
                    evidence,
                    _iri(AG + "confidence"),
                    _lit(confidence, datatype=XSD + "decimal"),
                    graph,
                )
                mentioned |= parties
            for party in sorted(mentioned):
                firm = _iri(firm_iris[party])
                en, ko = names[party]
                emit(firm, rdf_type, firm_type, graph)
                emit(firm, label, _lit(en, lang="en"), graph)
                emit(firm, label, _lit(ko, lang="ko"), graph)
            active |= mentioned
    return SyntheticData(
        path=path,
        quads=written,
        firms=n_firms,
        articles=n_articles,
        relationships=n_rels,
        active_firms=tuple(firm_iris[n] for n in sorted(active)),
    )


# --------------------------------------------------------------------------------------------
# The query mix
# --------------------------------------------------------------------------------------------

PREFIXES = f"""PREFIX ag: <{AG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <{PROV}>
PREFIX schema: <{SCHEMA}>
"""

#: The kinds of the mix, in round-robin order, with their column titles.
KINDS: tuple[tuple[str, str], ...] = (
    ("partners", "partners of a firm"),
    ("domain_counts", "deals per domain"),
    ("recent", "recent deals in a domain"),
    ("two_hop", "2-hop network"),
    ("label_search", "label search"),
    ("provenance", "per-graph provenance"),
    ("construct", "CONSTRUCT a firm's deals"),
)

SELECT_ACCEPT = "application/sparql-results+json"
CONSTRUCT_ACCEPT = "text/turtle"


@dataclass(frozen=True)
class QueryRequest:
    """One request of the sequence: its kind, SPARQL text and Accept header."""

    kind: str
    text: str

    @property
    def construct(self) -> bool:
        return self.kind == "construct"

    @property
    def accept(self) -> str:
        return CONSTRUCT_ACCEPT if self.construct else SELECT_ACCEPT


def make_query(kind: str, rng: random.Random, data: SyntheticData) -> str:
    """The SPARQL text of one request of ``kind``, with parameters drawn from ``rng``.

    Labels and types of a firm are repeated in every graph that mentions it, and a union default
    graph may be a multiset (Oxigraph) or a set (rdflib), so queries over them use DISTINCT. The
    label search tests the type with FILTER EXISTS: joining a firm's k type quads with its 2k
    label quads would make 2k² rows before DISTINCT (1.5 s a query on Oxigraph here).
    """
    firm = rng.choice(data.active_firms)
    if kind == "partners":
        return PREFIXES + (
            "SELECT DISTINCT ?partner ?name WHERE {\n"
            f"  ?rel ag:participant <{firm}> , ?partner .\n"
            f"  FILTER (?partner != <{firm}>)\n"
            '  ?partner rdfs:label ?name . FILTER (lang(?name) = "en")\n'
            "}"
        )
    if kind == "domain_counts":
        deal = rng.choice(DEAL_KINDS)
        return PREFIXES + (
            "SELECT ?domain (COUNT(?rel) AS ?deals) WHERE {\n"
            f"  ?rel a ag:{deal} ; ag:domain ?domain ; ag:status ag:Announced .\n"
            "} GROUP BY ?domain ORDER BY DESC(?deals) ?domain"
        )
    if kind == "recent":
        domain = rng.choice(DOMAINS)
        return PREFIXES + (
            "SELECT ?rel ?kind ?date WHERE {\n"
            f"  ?rel ag:domain <{DOMAIN}{domain}> ; ag:announcedOn ?date ; a ?kind .\n"
            "} ORDER BY DESC(?date) ?rel LIMIT 20"
        )
    if kind == "two_hop":
        return PREFIXES + (
            "SELECT DISTINCT ?hop1 ?hop2 WHERE {\n"
            f"  ?r1 ag:participant <{firm}> , ?hop1 .\n"
            f"  FILTER (?hop1 != <{firm}>)\n"
            "  ?r2 ag:participant ?hop1 , ?hop2 .\n"
            f"  FILTER (?hop2 != ?hop1 && ?hop2 != <{firm}>)\n"
            "}"
        )
    if kind == "label_search":
        word = rng.choice(SEARCH_WORDS)
        return PREFIXES + (
            "SELECT DISTINCT ?firm ?label WHERE {\n"
            "  ?firm rdfs:label ?label .\n"
            f'  FILTER (lang(?label) = "en" && CONTAINS(LCASE(?label), "{word}"))\n'
            "  FILTER EXISTS { ?firm a ag:Firm }\n"
            "} ORDER BY ?label ?firm"
        )
    if kind == "provenance":
        return PREFIXES + (
            "SELECT ?g ?rel ?article ?published WHERE {\n"
            "  GRAPH ?g {\n"
            f"    ?rel ag:participant <{firm}> ; prov:wasDerivedFrom ?article .\n"
            "    ?article schema:datePublished ?published .\n"
            "  }\n"
            "} ORDER BY DESC(?published) ?rel"
        )
    if kind == "construct":
        return PREFIXES + (
            "CONSTRUCT {\n"
            "  ?rel a ?kind ; ag:participant ?party ; ag:domain ?domain ; ag:announcedOn ?date .\n"
            "} WHERE {\n"
            f"  ?rel ag:participant <{firm}> ; a ?kind ; ag:participant ?party ;\n"
            "       ag:domain ?domain ; ag:announcedOn ?date .\n"
            "}"
        )
    raise ValueError(f"unknown query kind {kind!r}")


def build_requests(data: SyntheticData, count: int, seed: int) -> list[QueryRequest]:
    """``count`` requests, round-robin over the kinds, parameters from a seeded generator."""
    rng = random.Random(seed * 7919 + 1)
    return [
        QueryRequest(kind, make_query(kind, rng, data))
        for kind, _ in (KINDS[i % len(KINDS)] for i in range(count))
    ]


# --------------------------------------------------------------------------------------------
# Starting and stopping the systems
# --------------------------------------------------------------------------------------------

SYSTEM_TITLES = {
    "ours": "AllianceGraph",
    "oxigraph": "Oxigraph server",
    "rdflib": "rdflib-endpoint",
}


@dataclass
class System:
    """A running server: where to send queries and how to stop it."""

    name: str
    query_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: TextIO
    load_seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return SYSTEM_TITLES[self.name]

    def stop(self) -> None:
        """Stop the server's process group (the process and anything it started), then close."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self.log_file.close()

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (all its threads)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        ticks = os.sysconf("SC_CLK_TCK")
        # After the command name: state is field 3, utime field 14, stime field 15.
        return (int(fields[11]) + int(fields[12])) / ticks


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_tool(name: str) -> str:
    """A console script of this venv (or of the checkout's .venv, or on PATH)."""
    for folder in (Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        candidate = folder / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"error: `{name}` not found; {INSTALL_HINT}")
    return found


def log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def run_logged(
    command: Sequence[str], log_path: Path, log: TextIO, env: dict[str, str] | None = None
) -> float:
    """Run a command to completion with its output in ``log``; return its wall time."""
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    started = time.perf_counter()
    result = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=str(log_path.parent),
        check=False,
    )
    if result.returncode != 0:
        log.flush()
        raise RuntimeError(f"{command[0]} exited with {result.returncode}:\n{log_tail(log_path)}")
    return time.perf_counter() - started


def start_server(
    name: str,
    command: Sequence[str],
    log_path: Path,
    ready_url: str,
    query_url: str,
    *,
    env: dict[str, str] | None = None,
    load_seconds: float = 0.0,
    log_file: TextIO | None = None,
    timeout_s: float = 120.0,
) -> System:
    """Start a server in its own process group and wait until ``ready_url`` answers 200."""
    import httpx2

    log = log_file if log_file is not None else log_path.open("a", encoding="utf-8")
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=str(log_path.parent),
        start_new_session=True,
    )
    system = System(name, query_url, process, log_path, log, load_seconds)
    try:
        with httpx2.Client(trust_env=False, timeout=5.0) as client:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {process.returncode} while starting:\n"
                        f"{log_tail(log_path)}"
                    )
                with contextlib.suppress(httpx2.TransportError):
                    if client.get(ready_url).status_code == 200:
                        break
                if time.perf_counter() - started > timeout_s:
                    raise RuntimeError(
                        f"{name} not ready after {timeout_s:.0f} s:\n{log_tail(log_path)}"
                    )
                time.sleep(0.1)
    except BaseException:
        system.stop()
        raise
    system.load_seconds += time.perf_counter() - started
    return system


def start_ours(data: SyntheticData, workdir: Path, workers: int) -> System:
    """Bulk-load into a fresh embedded store, then ``alliancegraph serve`` it."""
    tool = find_tool("alliancegraph")
    store = workdir / "ours-store"
    log_path = workdir / "ours.log"
    env = {**os.environ, "ALLIANCEGRAPH_QUERY_WORKERS": str(workers), "ALLIANCEGRAPH_ENV": "dev"}
    log = log_path.open("a", encoding="utf-8")
    try:
        load_s = run_logged(
            [tool, "--store", str(store), "load", "--no-validate", str(data.path)],
            log_path,
            log,
            env,
        )
    except BaseException:
        log.close()
        raise
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    system = start_server(
        "ours",
        [tool, "--store", str(store), "serve", "--host", "127.0.0.1", "--port", str(port)],
        log_path,
        f"{base}/health",
        f"{base}/sparql",
        env=env,
        load_seconds=load_s,
        log_file=log,
    )
    system.notes.append(f"ALLIANCEGRAPH_QUERY_WORKERS={workers}")
    return system


def start_oxigraph(data: SyntheticData, workdir: Path) -> System:
    """``oxigraph load`` into a fresh location, then ``oxigraph serve --union-default-graph``."""
    tool = find_tool("oxigraph")
    location = workdir / "oxigraph-store"
    log_path = workdir / "oxigraph.log"
    log = log_path.open("a", encoding="utf-8")
    try:
        load_s = run_logged(
            [tool, "load", "--location", str(location), "--file", str(data.path)], log_path, log
        )
    except BaseException:
        log.close()
        raise
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        tool,
        "serve",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    ask = "?query=ASK%20%7B%7D"
    return start_server(
        "oxigraph",
        command,
        log_path,
        f"{base}/query{ask}",
        f"{base}/query",
        load_seconds=load_s,
        log_file=log,
    )


def start_rdflib(data: SyntheticData, workdir: Path, timeout_s: float) -> System:
    """This script in ``--serve-rdflib`` mode: load an rdflib Dataset, serve rdflib-endpoint."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve-rdflib",
        str(data.path),
        "--port",
        str(port),
    ]
    system = start_server(
        "rdflib",
        command,
        workdir / "rdflib.log",
        f"{base}/sparql?query=ASK%20%7B%7D",
        f"{base}/sparql",
        timeout_s=timeout_s,
    )
    system.notes.append("load time includes starting Python and parsing into an rdflib.Dataset")
    return system


def serve_rdflib(data_path: Path, port: int) -> None:
    """The rdflib-endpoint server process: a union-default-graph Dataset behind uvicorn."""
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(str(data_path), format="nquads")
    print(f"rdflib: parsed {data_path} in {time.perf_counter() - started:.1f} s", flush=True)
    app = SparqlEndpoint(
        graph=dataset,
        path="/sparql",
        title="AllianceGraph benchmark (rdflib-endpoint)",
        cors_enabled=False,
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# --------------------------------------------------------------------------------------------
# Sending requests and measuring
# --------------------------------------------------------------------------------------------


def new_client(timeout_s: float) -> httpx2.Client:
    import httpx2

    # trust_env=False: never route loopback traffic through a proxy from the environment.
    # Idle connections are let go after 2 s, before a server closes them (uvicorn after 5 s):
    # a request sent on a connection the server is closing fails.
    return httpx2.Client(
        trust_env=False,
        timeout=timeout_s,
        limits=httpx2.Limits(max_connections=4, keepalive_expiry=2.0),
    )


def send(client: httpx2.Client, system: System, request: QueryRequest) -> tuple[float, bytes]:
    """Send one query by GET; return the latency in seconds and the body.

    :raises RuntimeError: on an HTTP status other than 200.
    """
    started = time.perf_counter()
    response = client.get(
        system.query_url, params={"query": request.text}, headers={"Accept": request.accept}
    )
    body = response.content
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(
            f"{system.name}: HTTP {response.status_code} for {request.kind}: {body[:300]!r}"
        )
    return elapsed, body


def result_rows(request: QueryRequest, body: bytes) -> list[str]:
    """The results of one response as comparable strings (solutions, or distinct triples)."""
    if request.construct:
        from pyoxigraph import RdfFormat, parse

        return sorted({str(t) for t in parse(body, format=RdfFormat.TURTLE)})
    document = cast("dict[str, Any]", json.loads(body))
    rows: list[str] = []
    for binding in cast("list[dict[str, dict[str, str]]]", document["results"]["bindings"]):
        rows.append(" ".join(f"{k}={v['value']}" for k, v in sorted(binding.items())))
    return sorted(rows)


@dataclass
class RunResult:
    """Latencies of one mode on one system."""

    planned: int
    latencies: list[tuple[str, float]] = field(default_factory=list)
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.completed / self.wall_s if self.wall_s > 0 else float("nan")

    def values(self, kind: str | None = None) -> list[float]:
        return [s for k, s in self.latencies if kind is None or k == kind]


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def send_into(
    result: RunResult, client: httpx2.Client, system: System, request: QueryRequest
) -> None:
    """Send one request and note its latency in ``result``, or its error (from any thread:
    each note is one list append, which the interpreter makes atomic)."""
    try:
        latency, _ = send(client, system, request)
    except Exception as error:
        result.errors.append(str(error))
        return
    result.latencies.append((request.kind, latency))


def run_sequential(
    system: System, requests: Sequence[QueryRequest], max_seconds: float, timeout_s: float
) -> RunResult:
    """One client sends the requests one after the other."""
    result = RunResult(planned=len(requests))
    cpu_before = system.cpu_seconds()
    client_before = time.process_time()
    started = time.perf_counter()
    with new_client(timeout_s) as client:
        for request in requests:
            if time.perf_counter() - started > max_seconds:
                break
            send_into(result, client, system, request)
    result.wall_s = time.perf_counter() - started
    result.server_cpu_s = system.cpu_seconds() - cpu_before
    result.client_cpu_s = time.process_time() - client_before
    return result


def run_concurrent(
    system: System,
    requests: Sequence[QueryRequest],
    clients: int,
    max_seconds: float,
    timeout_s: float,
) -> RunResult:
    """``clients`` threads, each with its own httpx2 client, take requests from one shared list."""
    result = RunResult(planned=len(requests))
    lock = threading.Lock()
    stop = threading.Event()
    position = 0
    barrier = threading.Barrier(clients + 1)

    def next_request() -> QueryRequest | None:
        nonlocal position
        with lock:
            if stop.is_set() or position >= len(requests):
                return None
            request = requests[position]
            position += 1
            return request

    def worker() -> None:
        with new_client(timeout_s) as client:
            barrier.wait()
            while (request := next_request()) is not None:
                send_into(result, client, system, request)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)  # every client connected-ready, then the clock starts
    cpu_before = system.cpu_seconds()
    client_before = time.process_time()
    started = time.perf_counter()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
                if time.perf_counter() - started > max_seconds:
                    stop.set()
    finally:
        stop.set()
    result.wall_s = time.perf_counter() - started
    result.server_cpu_s = system.cpu_seconds() - cpu_before
    result.client_cpu_s = time.process_time() - client_before
    return result


def warm_up_and_collect(
    system: System, requests: Sequence[QueryRequest], timeout_s: float
) -> dict[str, list[str]]:
    """One pass of the mix; return each kind's results for the cross-system check."""
    results: dict[str, list[str]] = {}
    with new_client(timeout_s) as client:
        for request in requests:
            _, body = send(client, system, request)
            results[request.kind] = result_rows(request, body)
    return results


def check_results(collected: dict[str, dict[str, list[str]]]) -> list[str]:
    """Compare each kind's results across systems; return the lines to print."""
    lines: list[str] = []
    names = list(collected)
    for kind, title in KINDS:
        counts = {name: len(collected[name].get(kind, [])) for name in names}
        summary = ", ".join(f"{SYSTEM_TITLES[n]} {c}" for n, c in counts.items())
        if len(set(counts.values())) > 1:
            lines.append(f"WARNING: {title}: result counts differ: {summary}")
            continue
        rows = {name: collected[name].get(kind, []) for name in names}
        reference = rows[names[0]]
        differing = [SYSTEM_TITLES[n] for n in names[1:] if rows[n] != reference]
        if differing:
            lines.append(
                f"note: {title}: same count ({summary}) but the values differ for "
                + ", ".join(differing)
            )
        else:
            lines.append(f"ok: {title}: {counts[names[0]]} results from every system")
    return lines


# --------------------------------------------------------------------------------------------
# Diagnostics: the per-request floor and the engine's share
# --------------------------------------------------------------------------------------------


def floor_latency(system: System, count: int, timeout_s: float) -> float:
    """Median latency of ``ASK {}``: what a request costs a server beyond evaluating it."""
    request = QueryRequest("ask", "ASK {}")
    latencies: list[float] = []
    with new_client(timeout_s) as client:
        for _ in range(count):
            latency, _ = send(client, system, request)
            latencies.append(latency)
    return median(latencies)


def client_floor(count: int) -> float:
    """Median time of the client alone: an httpx2 GET answered by an in-process transport."""
    import httpx2

    payload = b'{"head":{},"boolean":true}'

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=payload)

    latencies: list[float] = []
    with httpx2.Client(transport=httpx2.MockTransport(handler), trust_env=False) as client:
        for _ in range(count):
            started = time.perf_counter()
            client.get(
                "http://127.0.0.1:1/sparql",
                params={"query": "ASK {}"},
                headers={"Accept": SELECT_ACCEPT},
            ).read()
            latencies.append(time.perf_counter() - started)
    return median(latencies)


def engine_times(
    data: SyntheticData, requests: Sequence[QueryRequest], location: Path
) -> dict[str, float]:
    """Median in-process pyoxigraph time per kind (evaluate and serialize, no HTTP).

    The store is on disk at ``location``, as in both servers, and warmed with one pass of the mix.
    """
    from pyoxigraph import QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat, Store

    store = Store(str(location))
    store.bulk_load(path=str(data.path), format=RdfFormat.N_QUADS)
    times: dict[str, list[float]] = {}
    for request in [*requests[: len(KINDS)], *requests]:
        started = time.perf_counter()
        result = store.query(request.text, use_default_graph_as_union=True)
        output = io.BytesIO()
        if isinstance(result, QuerySolutions):
            result.serialize(output, QueryResultsFormat.JSON)
        elif isinstance(result, QueryTriples):
            result.serialize(output, RdfFormat.TURTLE)
        times.setdefault(request.kind, []).append(time.perf_counter() - started)
    # The first time of each kind was the warm-up pass.
    return {kind: median(values[1:]) for kind, values in times.items()}


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    if seconds != seconds:  # NaN
        return "–"
    value = seconds * 1000
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def rate(value: float) -> str:
    if value != value:
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def markdown_table(
    systems: Sequence[System],
    sequential: dict[str, RunResult],
    concurrent: dict[str, RunResult],
    concurrency: int,
) -> str:
    """The results as one Markdown table: a column per system, a row per measure."""
    header = "| | " + " | ".join(s.title for s in systems) + " |"
    rows = [header, "|---|" + "---:|" * len(systems)]

    def row(label: str, cells: Sequence[str]) -> None:
        rows.append(f"| {label} | " + " | ".join(cells) + " |")

    row("load (s)", [f"{s.load_seconds:.1f}" for s in systems])
    for kind, title in KINDS:
        row(f"{title}: median ms", [ms(median(sequential[s.name].values(kind))) for s in systems])
    for label, results in (("sequential", sequential), (f"{concurrency} clients", concurrent)):
        row(
            f"{label}: median / p95 ms",
            [
                f"{ms(median(results[s.name].values()))} / "
                f"{ms(percentile(results[s.name].values(), 0.95))}"
                for s in systems
            ],
        )
        row(f"{label}: queries/s", [rate(results[s.name].throughput) for s in systems])
        row(
            f"{label}: server CPU ms/query",
            [
                ms(results[s.name].server_cpu_s / results[s.name].completed)
                if results[s.name].completed
                else "–"
                for s in systems
            ],
        )
        row(
            f"{label}: requests done",
            [
                f"{results[s.name].completed}/{results[s.name].planned}"
                + (f" ({len(results[s.name].errors)} errors)" if results[s.name].errors else "")
                for s in systems
            ],
        )
    reference = next((s for s in systems if s.name == "oxigraph"), None)
    if reference is not None:
        for label, results in (("sequential", sequential), (f"{concurrency} clients", concurrent)):
            base = results[reference.name].throughput
            row(
                f"throughput vs Oxigraph, {label}",
                [f"{results[s.name].throughput / base:.2f}×" for s in systems],
            )
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark AllianceGraph's SPARQL endpoint against Oxigraph server and "
        "rdflib-endpoint on a seeded synthetic alliance dataset.",
    )
    parser.add_argument(
        "--systems",
        default="ours,oxigraph,rdflib",
        help="comma-separated subset of ours,oxigraph,rdflib (default: all three)",
    )
    parser.add_argument("--quads", type=int, default=150_000, help="dataset size (default 150000)")
    parser.add_argument(
        "--requests", type=int, default=300, help="requests in the sequential run (default 300)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="client threads in the concurrent run"
    )
    parser.add_argument(
        "--concurrent-requests",
        type=int,
        default=None,
        help="requests in the concurrent run (default: 2 × --requests)",
    )
    parser.add_argument("--seed", type=int, default=42, help="seed of the data and the requests")
    parser.add_argument(
        "--workers",
        type=int,
        default=8,
        help="ALLIANCEGRAPH_QUERY_WORKERS of our server (default 8)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=180.0,
        help="time cap of one run on one system; a slower system is reported with the "
        "requests it completed (default 180)",
    )
    parser.add_argument(
        "--request-timeout", type=float, default=120.0, help="HTTP timeout of one request (s)"
    )
    parser.add_argument(
        "--rdflib-start-timeout",
        type=float,
        default=900.0,
        help="how long rdflib-endpoint may take to load the data and start (s)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--serve-rdflib", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in str(args.systems).split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SYSTEM_TITLES]
    if unknown or not chosen:
        parser.error(f"--systems takes a subset of {','.join(SYSTEM_TITLES)}; got {args.systems}")
    args.system_names = [s for s in SYSTEM_TITLES if s in chosen]
    if args.concurrent_requests is None:
        args.concurrent_requests = 2 * args.requests
    for name in ("quads", "requests", "concurrency", "concurrent_requests", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def check_imports(names: Sequence[str]) -> None:
    """Fail early, with the install hint, if a dependency of the chosen systems is missing."""
    modules = ["httpx2", "pyoxigraph"]
    if "rdflib" in names:
        modules += ["rdflib", "rdflib_endpoint", "uvicorn"]
    for module in modules:
        try:
            __import__(module)
        except ImportError as error:
            raise SystemExit(f"error: {error}; {INSTALL_HINT}") from None
    if "oxigraph" in names:
        find_tool("oxigraph")
    if "ours" in names:
        find_tool("alliancegraph")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_rdflib is not None:
        if args.port is None:
            raise SystemExit("error: --serve-rdflib needs --port")
        serve_rdflib(args.serve_rdflib, args.port)
        return 0
    names: list[str] = args.system_names
    check_imports(names)
    # SIGTERM unwinds like Ctrl-C, so the servers are stopped either way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="alliancegraph-bench-"))
    systems: list[System] = []
    try:
        return run(args, names, workdir, systems)
    finally:
        for system in systems:
            system.stop()
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(
    args: argparse.Namespace, names: Sequence[str], workdir: Path, systems: list[System]
) -> int:
    say(f"generating about {args.quads} quads (seed {args.seed}) in {workdir}")
    started = time.perf_counter()
    data = generate_dataset(workdir / "data.nq", args.quads, args.seed)
    say(
        f"  {data.quads} quads: {data.firms} firms ({len(data.active_firms)} in deals), "
        f"{data.articles} article graphs, {data.relationships} relationships "
        f"({time.perf_counter() - started:.1f} s)"
    )
    total = max(args.requests, args.concurrent_requests)
    requests = build_requests(data, len(KINDS) + total, args.seed)
    warm_up, measured = requests[: len(KINDS)], requests[len(KINDS) :]

    for name in names:
        say(f"starting {SYSTEM_TITLES[name]}")
        if name == "ours":
            system = start_ours(data, workdir, args.workers)
        elif name == "oxigraph":
            system = start_oxigraph(data, workdir)
        else:
            system = start_rdflib(data, workdir, args.rdflib_start_timeout)
        systems.append(system)
        say(f"  ready after {system.load_seconds:.1f} s (load and start)")

    collected: dict[str, dict[str, list[str]]] = {}
    sequential: dict[str, RunResult] = {}
    concurrent: dict[str, RunResult] = {}
    for system in systems:
        say(f"{system.title}: warm-up pass of the mix")
        collected[system.name] = warm_up_and_collect(system, warm_up, args.request_timeout)
    check_lines = check_results(collected) if len(systems) > 1 else []
    for line in check_lines:
        say(line)
    for system in systems:
        say(f"{system.title}: sequential, {args.requests} requests")
        sequential[system.name] = run_sequential(
            system, measured[: args.requests], args.max_seconds, args.request_timeout
        )
        say(f"  {sequential[system.name].throughput:.1f} queries/s")
        say(f"{system.title}: {args.concurrency} clients, {args.concurrent_requests} requests")
        concurrent[system.name] = run_concurrent(
            system,
            measured[: args.concurrent_requests],
            args.concurrency,
            args.max_seconds,
            args.request_timeout,
        )
        say(f"  {concurrent[system.name].throughput:.1f} queries/s")
        for result in (sequential[system.name], concurrent[system.name]):
            for error in result.errors[:3]:
                say(f"  error: {error}")

    say("diagnostics: per-request floor (ASK {}) and in-process engine time")
    floors = {
        s.name: floor_latency(s, 200 if s.name != "rdflib" else 50, args.request_timeout)
        for s in systems
    }
    client_only = client_floor(500)
    engine = engine_times(data, measured[: args.requests], workdir / "engine-store")

    print()
    print(
        f"Dataset: {data.quads} quads ({data.firms} firms, {data.articles} article graphs, "
        f"{data.relationships} relationships), seed {args.seed}; "
        f"{args.requests} sequential requests, {args.concurrent_requests} with "
        f"{args.concurrency} concurrent clients; our server with "
        f"ALLIANCEGRAPH_QUERY_WORKERS={args.workers}."
    )
    print()
    print(markdown_table(systems, sequential, concurrent, args.concurrency))
    print()
    print(environment_line())
    print()
    for line in check_lines:
        print(line)
    for system in systems:
        for result, label in (
            (sequential[system.name], "sequential"),
            (concurrent[system.name], "concurrent"),
        ):
            if result.completed < result.planned:
                print(
                    f"note: {system.title} {label}: {result.completed} of {result.planned} "
                    f"requests in the {args.max_seconds:.0f} s cap"
                    + (f", {len(result.errors)} errors" if result.errors else "")
                )
        for note in system.notes:
            print(f"note: {system.title}: {note}")
    print()
    print(
        f"Diagnostics (median ms; per kind: sequential / {args.concurrency} clients; "
        "pyoxigraph in-process: evaluate + serialize on an on-disk store, no HTTP):"
    )
    print()
    print("| | " + " | ".join(s.title for s in systems) + " | pyoxigraph in-process |")
    print("|---|" + "---:|" * (len(systems) + 1))
    print(
        "| ASK {} round trip (per-request floor) | "
        + " | ".join(ms(floors[s.name]) for s in systems)
        + f" | client alone: {ms(client_only)} |"
    )
    for kind, title in KINDS:
        print(
            f"| {title} | "
            + " | ".join(
                f"{ms(median(sequential[s.name].values(kind)))} / "
                f"{ms(median(concurrent[s.name].values(kind)))}"
                for s in systems
            )
            + f" | {ms(engine.get(kind, float('nan')))} |"
        )
    for system in systems:
        for result, label in (
            (sequential[system.name], "sequential"),
            (concurrent[system.name], "concurrent"),
        ):
            if result.wall_s > 0:
                print(
                    f"{system.title} {label}: wall {result.wall_s:.1f} s, server CPU "
                    f"{result.server_cpu_s:.1f} s, client CPU {result.client_cpu_s:.1f} s"
                )
    return 1 if any(line.startswith("WARNING") for line in check_lines) else 0


if __name__ == "__main__":
    sys.exit(main())
