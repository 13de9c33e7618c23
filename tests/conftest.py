"""Fixtures: a fresh in-memory store per test, the example data, and the shared seed folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode

from service.config import PROJECT_ROOT, Settings
from service.context import ServiceContext
from service.ingest.rdf_load import load_file
from service.store.embedded import EmbeddedStore

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
