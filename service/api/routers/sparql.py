"""``/sparql``: the SPARQL 1.1 Protocol endpoint (query, update, service description, query page).

See https://www.w3.org/TR/sparql11-protocol/. Parsing is in ``service.sparql_protocol``, query
execution in ``service.query_runner``, validated updates in ``service.ingest.update``.
"""

from __future__ import annotations

import io

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pyoxigraph import serialize
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from service.api.bodies import read_body
from service.api.problems import problem_for
from service.api.query_page import query_page
from service.api.security import require_reader, require_writer
from service.conneg import accepts, negotiate
from service.context import ServiceContext
from service.errors import AllianceGraphError
from service.forms import form_fields
from service.ingest.update import UpdateOutcome, run_update
from service.query_runner import GRAPH_FORMATS, QueryJob, QueryRunner
from service.service_description import service_description
from service.sparql_protocol import DescriptionRequest, QueryRequest, UpdateRequest, parse_request

router = APIRouter(tags=["sparql"])

_DESCRIPTION_FORMATS = [m for m in GRAPH_FORMATS if m != "text/plain"]


@router.api_route(
    "/sparql",
    methods=["GET", "POST"],
    summary="SPARQL 1.1 query and update",
    response_class=Response,
    responses={
        200: {"description": "Query results, update summary, or the service description."},
        400: {"description": "Malformed request or syntax error (problem+json)."},
        401: {"description": "An update without the API key."},
        406: {"description": "No acceptable result format."},
        415: {"description": "Unsupported Content-Type for a POST."},
        422: {"description": "The update breaks the SHACL shapes; nothing was written."},
        503: {"description": "Query time limit exceeded, or all workers busy."},
    },
)
async def sparql(request: Request) -> Response:
    """Query by GET or POST; update by POST (needs the API key); describe the service on a
    plain GET (RDF), or show the query page to a browser (HTML)."""
    # The hot path (see answer): app.state read directly, no dependency solver.
    context: ServiceContext = request.app.state.context
    runner: QueryRunner = request.app.state.runner
    settings = context.settings
    body = await read_body(request, settings.max_body_bytes)
    operation = parse_request(
        request.method,
        form_fields(request.scope["query_string"].decode("latin-1")),
        request.headers.get("content-type"),
        body,
    )
    accept = request.headers.get("accept")
    if isinstance(operation, QueryRequest):
        require_reader(request, settings)
        job = QueryJob(
            context.store, operation, accept, settings.base_iri, settings.federation_allowlist
        )
        media_type, results = await runner.run(job)
        if isinstance(results, bytes):
            return Response(results, media_type=media_type)
        return StreamingResponse(results, media_type=media_type)
    if isinstance(operation, UpdateRequest):
        require_writer(request, settings)
        outcome = await run_in_threadpool(_update, context, operation)
        return JSONResponse(
            {
                "changedGraphs": outcome.changed,
                "unchangedManagedGraphs": outcome.untouched_managed,
                "validation": outcome.report.to_json(),
            }
        )
    require_reader(request, settings)
    assert isinstance(operation, DescriptionRequest)  # noqa: S101 - the parser's third case
    if accepts(accept, "text/html") and not any(accepts(accept, m) for m in _DESCRIPTION_FORMATS):
        return HTMLResponse(query_page(str(request.url_for("sparql"))))
    return await run_in_threadpool(_describe, context, str(request.url_for("sparql")), accept)


def _update(context: ServiceContext, operation: UpdateRequest) -> UpdateOutcome:
    settings = context.settings
    with context.write_lock:
        return run_update(
            context.store,
            context.shapes,
            context.graphs,
            operation,
            base_iri=settings.base_iri,
            allowed_services=settings.federation_allowlist,
            max_quads=settings.update_sandbox_max_quads,
        )


def _describe(context: ServiceContext, endpoint: str, accept: str | None) -> Response:
    media_type = negotiate(accept, _DESCRIPTION_FORMATS)
    graphs = [g for g in context.store.named_graphs() if not context.graphs.is_source(g)]
    triples = service_description(
        endpoint, context.store, read_only=context.settings.read_only, named_graphs=graphs
    )
    output = io.BytesIO()
    serialize(triples, output, GRAPH_FORMATS[media_type])
    return Response(output.getvalue(), media_type=media_type)


def answers_directly(scope: Scope) -> bool:
    """Whether :func:`answer` takes this request: GET and POST on ``/sparql``."""
    return scope["method"] in ("GET", "POST") and _route_path(scope) == "/sparql"


async def answer(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer a request on ``/sparql`` with :func:`sparql` without FastAPI's routing,
    dependency and middleware machinery, which costs about as much as the rest of a small
    query's handling in front of a remote store. An error gets the response the installed
    problem handlers give, and one that is not a domain error is raised again afterwards, as
    on the route, so the server logs it. ``scope["app"]`` must be the application.
    """
    request = Request(scope, receive)
    try:
        response = await sparql(request)
    except Exception as error:  # mapped as the handlers map it; a 500 is logged
        await (await problem_for(request, error))(scope, receive, send)
        if not isinstance(error, AllianceGraphError | HTTPException):
            raise  # as on the route: the server sees a bug after the 500 went out
        return
    await response(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The request path below the app's root path (as Starlette's router matches it)."""
    path, root = str(scope["path"]), str(scope.get("root_path", ""))
    return path[len(root) :] if root and path.startswith(root) else path
