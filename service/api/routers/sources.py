"""``/sources``: ingest news articles, list and inspect sources, retract them."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from pyoxigraph import NamedNode, Triple
from starlette.concurrency import run_in_threadpool

from service.api.bodies import read_body
from service.api.deps import ContextDep, IngestorDep
from service.api.security import require_reader, require_writer
from service.context import ServiceContext
from service.errors import ArticleFormatError, MalformedRequestBody, UnsupportedMediaType
from service.graph_store import GraphWrite, parse_payload, put_graph
from service.ingest.articles import ArticleIn, validate_article
from service.ingest.catalog import SourceSummary, list_sources, source_detail
from service.ingest.records import RecordIn, iter_records
from service.iri import source_id

router = APIRouter(tags=["sources"])

_SOURCE_ID = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")
SourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9._~-]{1,128}$", description="Source id.")]


class SourcePage(BaseModel):
    items: list[SourceSummary]
    total: int
    limit: int
    offset: int


class IngestOut(BaseModel):
    id: str
    graph: str
    created: bool
    relationships: list[dict[str, Any]]
    organizations: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    links: dict[str, str] = Field(
        default_factory=dict, description="Firms linked to Wikidata by this write: IRI → QID."
    )


def _article(body: bytes, content_type: str | None) -> ArticleIn:
    if (content_type or "").split(";")[0].strip().lower() not in ("application/json", ""):
        raise UnsupportedMediaType("send the article as application/json")
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ArticleFormatError("the body is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise ArticleFormatError(
            f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}",
            line=error.lineno,
            column=error.colno,
        ) from None
    return validate_article(data, "not a valid article")


@router.post(
    "/sources/articles",
    response_model=IngestOut,
    status_code=201,
    summary="Ingest a news article",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ArticleIn.model_json_schema()}},
        }
    },
    responses={
        200: {"description": "The article was ingested before; its graph was replaced."},
        400: {"description": "Malformed JSON (with line and column) or not a valid article."},
        401: {"description": "No API key."},
        413: {"description": "Body over the limit."},
        415: {"description": "Not application/json."},
        422: {"description": "The article's graph breaks the SHACL shapes; nothing was written."},
    },
)
async def ingest_article(request: Request, context: ContextDep, ingestor: IngestorDep) -> Response:
    """Extract the article's relationships, validate its source graph and commit it; answers
    201 for a new source, 200 when the same URL (else the same text) was ingested before."""
    require_writer(request, context.settings)
    body = await read_body(request, context.settings.max_body_bytes)
    article = _article(body, request.headers.get("content-type"))
    result = await run_in_threadpool(ingestor.ingest_article, article)
    out = IngestOut(
        id=result.source_id,
        graph=result.graph,
        created=result.created,
        relationships=result.relationships,
        organizations=result.organizations,
        warnings=result.warnings,
        links=result.links,
    )
    return JSONResponse(out.model_dump(), status_code=201 if result.created else 200)


_RECORD_MEDIA = {
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl",
    "text/csv": "csv",
}


@router.post(
    "/sources/records",
    response_model=list[IngestOut],
    status_code=201,
    summary="Ingest structured records (JSON, JSON lines or CSV)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": RecordIn.model_json_schema()},
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
    responses={
        400: {"description": "A record is malformed or invalid (each one listed, with its line)."},
        415: {"description": "Not JSON, JSON lines or CSV."},
        422: {"description": "A source graph breaks the SHACL shapes; nothing was written."},
    },
)
async def ingest_records(request: Request, context: ContextDep, ingestor: IngestorDep) -> Response:
    """One source graph per ``source_url`` of the records, all committed in one transaction, or
    none if any record or graph is refused."""
    require_writer(request, context.settings)
    body = await read_body(request, context.settings.max_body_bytes)
    media = _RECORD_MEDIA.get(
        (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    )
    if media is None:
        raise UnsupportedMediaType(f"send records as one of {', '.join(_RECORD_MEDIA)}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ArticleFormatError("the body is not UTF-8") from None
    records, errors = [], []
    for _, item in iter_records(text, media, "body"):
        if isinstance(item, RecordIn):
            records.append(item)
        else:
            errors.append(item)
    if errors:
        first = errors[0]
        raise ArticleFormatError(
            "; ".join(str(e) for e in errors[:20]), line=first.line, column=first.column
        )
    if not records:
        raise ArticleFormatError("the body holds no record")
    results = await run_in_threadpool(ingestor.ingest_records, records)
    out = [
        IngestOut(
            id=r.source_id,
            graph=r.graph,
            created=r.created,
            relationships=r.relationships,
            organizations=r.organizations,
            warnings=r.warnings,
            links=r.links,
        ).model_dump()
        for r in results
    ]
    return JSONResponse(out, status_code=201 if any(r.created for r in results) else 200)


class RdfSourceOut(BaseModel):
    id: str
    graph: str
    created: bool
    quads: int
    warnings: list[dict[str, Any]]


@router.post(
    "/sources/rdf",
    response_model=RdfSourceOut,
    status_code=201,
    summary="Ingest an RDF document as a source",
    responses={
        200: {"description": "The same source was ingested before; its graph was replaced."},
        400: {"description": "The document does not parse (with line and column)."},
        415: {"description": "Not an RDF media type."},
        422: {"description": "The graph breaks the SHACL shapes; nothing was written."},
    },
)
async def ingest_rdf(
    request: Request,
    context: ContextDep,
    graph: Annotated[
        str | None,
        Query(description="Source id for the graph …/graph/source/{id}; default: content hash."),
    ] = None,
) -> Response:
    """Store an RDF document (any syntax the service reads, by Content-Type) as one source graph,
    validated like every source: self-contained, conforming to the shapes."""
    require_writer(request, context.settings)
    body = await read_body(request, context.settings.max_body_bytes)
    identifier = graph if graph is not None else source_id(None, body)
    if not _SOURCE_ID.match(identifier):
        raise MalformedRequestBody(f"a source id is letters, digits and ._~- only: {identifier!r}")
    target = context.graphs.source(identifier)
    triples = await run_in_threadpool(parse_payload, body, request.headers.get("content-type"))
    write = await run_in_threadpool(_put, context, target, triples)
    out = RdfSourceOut(
        id=identifier,
        graph=target.value,
        created=write.created,
        quads=len(set(triples)),
        warnings=write.report.to_json()["results"],
    )
    return JSONResponse(out.model_dump(), status_code=201 if write.created else 200)


def _put(context: ServiceContext, graph: NamedNode, triples: list[Triple]) -> GraphWrite:
    with context.write_lock:
        return put_graph(context.store, context.shapes, context.graphs, graph, triples)


@router.get("/sources", response_model=SourcePage, summary="List sources, newest first")
def sources(
    request: Request,
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> SourcePage:
    require_reader(request, context.settings)
    page, total = list_sources(context.store, context.graphs, limit=limit, offset=offset)
    return SourcePage(items=page, total=total, limit=limit, offset=offset)


@router.get("/sources/{source_id}", summary="One source: metadata, counts, warnings")
def source(request: Request, context: ContextDep, source_id: SourceId) -> dict[str, Any]:
    require_reader(request, context.settings)
    return source_detail(context.store, context.shapes, context.graphs, source_id)


@router.delete("/sources/{source_id}", status_code=204, summary="Retract a source")
async def retract(
    request: Request, context: ContextDep, ingestor: IngestorDep, source_id: SourceId
) -> Response:
    """Delete the source's graph and the derived edges only it supported."""
    require_writer(request, context.settings)
    await run_in_threadpool(ingestor.retract, source_id)
    return Response(status_code=204)
