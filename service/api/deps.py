"""Dependencies injected into routers: what the app's lifespan created.

They are async on purpose: FastAPI runs a plain function dependency on a threadpool thread,
a hop that costs about 0.2 ms per request for a lookup on ``app.state``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.context import ServiceContext
from service.ingest.pipeline import Ingestor
from service.query_runner import QueryRunner


async def get_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


ContextDep = Annotated[ServiceContext, Depends(get_context)]


async def get_runner(request: Request) -> QueryRunner:
    runner: QueryRunner = request.app.state.runner
    return runner


RunnerDep = Annotated[QueryRunner, Depends(get_runner)]


async def get_ingestor(request: Request) -> Ingestor:
    ingestor: Ingestor = request.app.state.ingestor
    return ingestor


IngestorDep = Annotated[Ingestor, Depends(get_ingestor)]
