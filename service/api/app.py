"""The FastAPI application factory; the store and shapes live in the lifespan, not at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from service import __version__
from service.api.access_log import Exchange, flush_access_log
from service.api.problems import install_problem_handlers
from service.api.routers import companies, explorer, graph_store, health, ontology, sources, sparql
from service.api.routers import reconcile as reconcile_router
from service.config import Settings, get_settings
from service.context import ServiceContext
from service.ingest.pipeline import Ingestor
from service.link.linker import Linker
from service.query_runner import QueryRunner
from service.store.port import Store


class ServiceApp(FastAPI):
    """The FastAPI application, with two things done before its own handling of a request:
    queries on ``/sparql`` go straight to the endpoint (:func:`sparql.answer`: the hot path,
    which FastAPI's middleware and routing would slow by as much again in front of a remote
    store), and every HTTP request gets its access log line once its response has gone out.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if self.root_path:  # as FastAPI does, before the path is matched
            scope["root_path"] = self.root_path
        exchange = Exchange(scope, send)
        try:
            if sparql.answers_directly(scope):
                scope["app"] = self
                await sparql.answer(scope, receive, exchange.send)
            else:
                await super().__call__(scope, receive, exchange.send)
        finally:
            exchange.log()


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
            try:
                runner.close()
                linker.close()
                await context.store.aclose()
                context.close()
            finally:
                flush_access_log()  # on SIGTERM, no exit handler runs after this

    app = ServiceApp(
        title="AllianceGraph",
        version=__version__,
        summary="Corporate alliances as a validated knowledge graph, served over SPARQL 1.1.",
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(sources.router)
    app.include_router(ontology.router)
    app.include_router(reconcile_router.router)
    app.include_router(companies.router)
    app.include_router(explorer.router)
    return app
