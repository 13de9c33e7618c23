"""``/ontology``: the ontology as an HTML page, or as Turtle on request."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.api.deps import ContextDep
from service.conneg import negotiate
from service.ontology import OntologyBundle
from service.ontology_docs import render_ontology_html

router = APIRouter(tags=["ontology"])


@cache
def _page(bundle: OntologyBundle) -> str:
    return render_ontology_html(bundle)


@router.get("/ontology", response_class=HTMLResponse)
def ontology(request: Request, context: ContextDep) -> Response:
    """The ontology documentation (HTML), or its Turtle files when ``Accept: text/turtle``."""
    if negotiate(request.headers.get("accept"), ["text/html", "text/turtle"]) == "text/turtle":
        text = "\n".join(p.read_text(encoding="utf-8") for p in context.ontology.files)
        return Response(text, media_type="text/turtle")
    return HTMLResponse(_page(context.ontology))
