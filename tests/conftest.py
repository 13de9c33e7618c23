"""Fixtures: a fresh in-memory store per test, the example data, and the shared seed folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode

from service.config import PROJECT_ROOT, Settings
from service.context import ServiceContext
from service.ingest.rdf_load import load_file
from service.store.embedded import EmbeddedStore
from service.store.port import Store
from tests.stores import STORE_KINDS, RemoteServer, Servers, new_store, not_installed

# Nothing reaches the internet: linking is off unless a test points it at a loopback server.
os.environ["ALLIANCEGRAPH_WIKIDATA_ENDPOINT"] = ""

EXAMPLES = PROJECT_ROOT / "examples"
SHARED = PROJECT_ROOT.parent / "shared"
REFERENCE_GRAPH = "https://w3id.org/alliancegraph/graph/reference"


def canonical_quads(store_path: Path) -> set[str]:
    """The dataset of an on-disk store with blank nodes canonicalised, for equality checks."""
    store = EmbeddedStore(store_path)
    dataset = Dataset(store.quads())
    store.close()
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The remote SPARQL servers of the session (started on first use)."""
    started = Servers(tmp_path_factory.mktemp("servers"))
    yield started
    started.close()


@pytest.fixture(params=["oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso)])
def remote_server(request: pytest.FixtureRequest, servers: Servers) -> Iterator[RemoteServer]:
    """An empty server of each remote kind in turn (skipped, or failed under CI, when it is
    not installed)."""
    with servers.lent(request.param) as server:
        yield server


#: One parameter per kind of store; the Virtuoso one is marked (``-m "not virtuoso"``).
STORE_PARAMS = [
    pytest.param(kind, marks=[getattr(pytest.mark, kind)] if kind != "embedded" else [])
    for kind in STORE_KINDS
]


@pytest.fixture(scope="module", params=STORE_PARAMS)
def store_kind(request: pytest.FixtureRequest) -> str:
    """Each kind of store in turn (module scope, so a module's shared app runs on each)."""
    kind: str = request.param
    return kind


def open_test_store(kind: str, servers: Servers) -> Store:
    """An empty store of ``kind``; skips (fails under CI) when its server is not installed."""
    try:
        return new_store(kind, servers)
    except LookupError as missing:
        not_installed(kind, missing)


@pytest.fixture(scope="module")
def make_store(store_kind: str, servers: Servers) -> Callable[[], Store]:
    """Makes empty stores of each kind in turn, for apps and contexts of the parametrized
    suites (``create_app(settings, make_store())``; the app closes the store it is given)."""
    return lambda: open_test_store(store_kind, servers)


@pytest.fixture
def any_store(store_kind: str, servers: Servers) -> Iterator[Store]:
    """An empty store of each kind: embedded, Oxigraph server, Virtuoso."""
    store = open_test_store(store_kind, servers)
    yield store
    store.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=tmp_path / "store")


@pytest.fixture
def context(settings: Settings) -> Iterator[ServiceContext]:
    """A service context over a fresh in-memory store with the ontology loaded."""
    ctx = ServiceContext(settings, EmbeddedStore())
    yield ctx
    ctx.close()


def load_examples(ctx: ServiceContext) -> None:
    """Load the example data the way `make run` does."""
    for path in sorted((EXAMPLES / "reference").glob("*.ttl")):
        load_file(ctx.store, ctx.shapes, path, ctx.graphs, graph=NamedNode(REFERENCE_GRAPH))
    for path in sorted((EXAMPLES / "sources").glob("*.trig")):
        load_file(ctx.store, ctx.shapes, path, ctx.graphs)


@pytest.fixture
def example_context(context: ServiceContext) -> ServiceContext:
    """A context whose store holds the example data."""
    load_examples(context)
    return context


@pytest.fixture(scope="session")
def examples_readonly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    """One store with the example data, shared by tests that only read it."""
    ctx = ServiceContext(Settings(store=tmp_path_factory.mktemp("ro")), EmbeddedStore())
    load_examples(ctx)
    yield ctx
    ctx.close()


@pytest.fixture
def shared() -> Path:
    """The shared folder beside the checkout (seed article, gold facts, Wikidata table).

    Outside CI a checkout without it skips these tests, saying why; in CI it must be there.
    """
    if not (SHARED / "seed" / "gold.yaml").is_file():
        message = f"the shared folder with the seed is absent ({SHARED}); these tests need it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED
