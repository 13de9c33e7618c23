"""``/health``: liveness and what the store holds."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from service import __version__
from service.api.deps import ContextDep


class HealthOut(BaseModel):
    status: str
    version: str
    ontology_version: str
    quads: int
    graphs: int


router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut)
def health(context: ContextDep) -> HealthOut:
    """The service is up; counts of quads and named graphs in the store."""
    return HealthOut(
        status="ok",
        version=__version__,
        ontology_version=context.ontology.version,
        quads=context.store.count(),
        graphs=len(context.store.named_graphs()),
    )
