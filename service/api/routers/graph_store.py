"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol, indirect identification.

See https://www.w3.org/TR/sparql11-http-rdf-update/. ``?graph=IRI`` names a graph, ``?default``
the default graph; a POST with neither creates a new graph. Writes need the API key and go
through the validation gate.
"""

from __future__ import annotations

import io

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat
from starlette.concurrency import run_in_threadpool

from service.api.bodies import read_body
from service.api.deps import ContextDep
from service.api.security import require_reader, require_writer
from service.conneg import negotiate
from service.context import ServiceContext
from service.errors import MalformedRequestBody
from service.graph_store import (
    GraphWrite,
    delete_graph,
    new_graph_name,
    parse_payload,
    post_graph,
    put_graph,
    require_graph,
)
from service.query_runner import GRAPH_FORMATS
from service.store.port import GraphName

router = APIRouter(tags=["graph store"])

# One graph is written in a triple format (JSON-LD included), not as quads.
_TRIPLE_FORMATS = [
    m for m, f in GRAPH_FORMATS.items() if f not in (RdfFormat.N_QUADS, RdfFormat.TRIG)
]


def _target(request: Request) -> GraphName | None:
    params = request.query_params.multi_items()
    graphs = [value for key, value in params if key == "graph"]
    default = any(key == "default" for key, _ in params)
    if len(graphs) > 1 or (graphs and default):
        raise MalformedRequestBody("name one graph: either ?graph=IRI or ?default")
    if default:
        return DefaultGraph()
    if graphs:
        try:
            return NamedNode(graphs[0])
        except ValueError:
            raise MalformedRequestBody(f"?graph= is not a valid IRI: {graphs[0]!r}") from None
    return None


def _serialize(context: ServiceContext, graph: GraphName, rdf_format: RdfFormat) -> bytes:
    require_graph(context.store, graph)
    output = io.BytesIO()
    context.store.dump(output, rdf_format, graph=graph)
    return output.getvalue()


def _write_response(write: GraphWrite) -> Response:
    if not write.created:
        return Response(status_code=204)
    # Location names the new graph by its IRI, which is also what ?graph= takes.
    iri = write.graph.value if isinstance(write.graph, NamedNode) else "default"
    body = {"graph": iri, "warnings": write.report.to_json()["results"]}
    return JSONResponse(body, status_code=201, headers={"Location": iri})


@router.api_route(
    "/store",
    methods=["GET", "HEAD", "PUT", "POST", "DELETE"],
    name="graph_store",
    summary="SPARQL 1.1 Graph Store HTTP Protocol",
    response_class=Response,
)
async def graph_store(request: Request, context: ContextDep) -> Response:
    """GET/HEAD a graph as RDF; PUT replaces it, POST merges into it (or, without a graph
    parameter, creates a new one), DELETE removes it. Writes need the API key."""
    settings = context.settings
    target = _target(request)
    method = request.method
    if method in ("GET", "HEAD"):
        require_reader(request, settings)
        if target is None:
            raise MalformedRequestBody("name the graph to read: ?graph=IRI or ?default")
        media_type = negotiate(request.headers.get("accept"), _TRIPLE_FORMATS)
        data = await run_in_threadpool(_serialize, context, target, GRAPH_FORMATS[media_type])
        if method == "HEAD":
            return Response(
                status_code=200,
                media_type=media_type,
                headers={"Content-Length": str(len(data))},
            )
        return Response(data, media_type=media_type)
    require_writer(request, settings)
    if method == "DELETE":
        if target is None:
            raise MalformedRequestBody("name the graph to delete: ?graph=IRI or ?default")
        await run_in_threadpool(
            _locked, context, delete_graph, context.store, context.shapes, context.graphs, target
        )
        return Response(status_code=204)
    body = await read_body(request, settings.max_body_bytes)
    graph = target if target is not None else new_graph_name(context.graphs)
    triples = await run_in_threadpool(parse_payload, body, request.headers.get("content-type"))
    operation = put_graph if method == "PUT" else post_graph
    write = await run_in_threadpool(
        _locked, context, operation, context.store, context.shapes, context.graphs, graph, triples
    )
    return _write_response(write)


def _locked(context: ServiceContext, function, *args):  # type: ignore[no-untyped-def]
    with context.write_lock:
        return function(*args)
