"""Dependencies injected into routers: the service context created by the app's lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.context import ServiceContext
from service.ingest.pipeline import Ingestor
from service.query_runner import QueryRunner


def get_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


ContextDep = Annotated[ServiceContext, Depends(get_context)]


def get_runner(request: Request) -> QueryRunner:
    runner: QueryRunner = request.app.state.runner
    return runner


RunnerDep = Annotated[QueryRunner, Depends(get_runner)]


def get_ingestor(request: Request) -> Ingestor:
    ingestor: Ingestor = request.app.state.ingestor
    return ingestor


IngestorDep = Annotated[Ingestor, Depends(get_ingestor)]
