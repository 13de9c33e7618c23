"""Dependencies injected into routers: the service context created by the app's lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.context import ServiceContext
from service.query_runner import QueryRunner
from service.store.port import Store


def get_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


def get_store(request: Request) -> Store:
    return get_context(request).store


ContextDep = Annotated[ServiceContext, Depends(get_context)]
StoreDep = Annotated[Store, Depends(get_store)]


def get_runner(request: Request) -> QueryRunner:
    runner: QueryRunner = request.app.state.runner
    return runner


RunnerDep = Annotated[QueryRunner, Depends(get_runner)]
