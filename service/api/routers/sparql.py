"""``/sparql``: read-only SPARQL 1.1 query over the union of all graphs.

Implements the query operation of https://www.w3.org/TR/sparql11-protocol/#query-operation
(GET, POST form-encoded, POST ``application/sparql-query``). Updates are not accepted here yet.
"""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat
from starlette.concurrency import run_in_threadpool

from service.api.deps import ContextDep
from service.context import ServiceContext
from service.errors import AllianceGraphError, UnsupportedMediaType
from service.store.port import QueryResult

router = APIRouter(tags=["sparql"])


class MissingQuery(AllianceGraphError):
    title = "Missing query"


class BodyTooLarge(AllianceGraphError):
    status = 413
    title = "Request body too large"


def _serialize(result: QueryResult) -> Response:
    buffer = io.BytesIO()
    if isinstance(result, QuerySolutions | QueryBoolean):
        result.serialize(buffer, QueryResultsFormat.JSON)
        return Response(buffer.getvalue(), media_type=QueryResultsFormat.JSON.media_type)
    result.serialize(buffer, RdfFormat.TURTLE)
    return Response(buffer.getvalue(), media_type=RdfFormat.TURTLE.media_type)


@router.get("/sparql")
def sparql_get(
    context: ContextDep,
    query: Annotated[str | None, Query(description="A SPARQL 1.1 query.")] = None,
) -> Response:
    """Run a query given as the ``query`` parameter.

    :raises MissingQuery: without a ``query`` parameter.
    """
    if not query:
        raise MissingQuery("pass a SPARQL query as the 'query' parameter")
    return _serialize(context.store.query(query))


@router.post("/sparql")
async def sparql_post(request: Request, context: ContextDep) -> Response:
    """Run a query sent form-encoded (``query=``) or as ``application/sparql-query``.

    :raises UnsupportedMediaType: for any other content type.
    :raises BodyTooLarge: past the configured body limit.
    """
    limit = context.settings.max_body_bytes
    body = await request.body()
    if len(body) > limit:
        raise BodyTooLarge(f"the request body is over the limit of {limit} bytes")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/sparql-query":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise AllianceGraphError(
                f"the query is not UTF-8 (byte {error.start} cannot be decoded)"
            ) from None
    elif media_type == "application/x-www-form-urlencoded":
        form = await request.form()
        value = form.get("query")
        if not isinstance(value, str) or not value:
            raise MissingQuery("the form has no 'query' field")
        text = value
    else:
        raise UnsupportedMediaType(
            "send the query as application/sparql-query or application/x-www-form-urlencoded"
        )
    return await run_in_threadpool(_run, context, text)


def _run(context: ServiceContext, text: str) -> Response:
    # pyoxigraph results are bound to the thread that made them: query and serialize together.
    return _serialize(context.store.query(text))
