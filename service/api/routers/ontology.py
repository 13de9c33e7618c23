"""``/ontology``: the ontology as an HTML page, or as RDF (Turtle, JSON-LD, N-Triples) by
content negotiation, so the ontology's IRIs dereference."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import RdfFormat, Triple, parse, serialize

from service.api.deps import ContextDep
from service.conneg import negotiate
from service.ontology import OntologyBundle
from service.ontology_docs import render_ontology_html

router = APIRouter(tags=["ontology"])


@cache
def _page(bundle: OntologyBundle) -> str:
    return render_ontology_html(bundle)


_RDF = {
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
}


@cache
def _rdf(bundle: OntologyBundle, rdf_format: RdfFormat) -> bytes:
    triples = [
        Triple(q.subject, q.predicate, q.object)
        for path in bundle.files
        for q in parse(path=str(path), format=RdfFormat.TURTLE)
    ]
    return serialize(triples, format=rdf_format) or b""


@router.get("/ontology", response_class=HTMLResponse)
def ontology(request: Request, context: ContextDep) -> Response:
    """The ontology documentation (HTML), or its RDF: Turtle (the source files), JSON-LD or
    N-Triples by ``Accept``."""
    offers = ["text/html", "text/turtle", *_RDF]
    media = negotiate(request.headers.get("accept"), offers)
    headers = {"Vary": "Accept"}
    if media == "text/turtle":
        text = "\n".join(p.read_text(encoding="utf-8") for p in context.ontology.files)
        return Response(text, media_type="text/turtle", headers=headers)
    if media in _RDF:
        return Response(_rdf(context.ontology, _RDF[media]), media_type=media, headers=headers)
    return HTMLResponse(_page(context.ontology), headers=headers)
