"""The FastAPI application factory; the store and shapes live in the lifespan, not at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import __version__
from service.api.problems import install_problem_handlers
from service.api.routers import companies, explorer, graph_store, health, ontology, sources, sparql
from service.api.routers import reconcile as reconcile_router
from service.config import Settings, get_settings
from service.context import ServiceContext
from service.ingest.pipeline import Ingestor
from service.link.linker import Linker
from service.query_runner import QueryRunner
from service.store.port import Store


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the app. ``store`` overrides the embedded store of ``settings`` (tests pass one)."""
    resolved = settings if settings is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            context = ServiceContext(resolved, store)
        except BaseException:
            if store is not None:  # the app owns the store it was given, also on a failed start
                store.close()
            raise
        runner = QueryRunner(
            resolved.query_workers, resolved.query_timeout_s, resolved.query_max_waiting
        )
        app.state.context = context
        app.state.runner = runner
        linker = Linker(context)
        app.state.linker = linker
        app.state.ingestor = Ingestor(context, linker=linker)
        try:
            yield
        finally:
            runner.close()
            linker.close()
            await context.store.aclose()
            context.close()

    app = FastAPI(
        title="AllianceGraph",
        version=__version__,
        summary="Corporate alliances as a validated knowledge graph, served over SPARQL 1.1.",
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    app.add_middleware(sparql.QueryFastPath)
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(sources.router)
    app.include_router(ontology.router)
    app.include_router(reconcile_router.router)
    app.include_router(companies.router)
    app.include_router(explorer.router)
    return app
