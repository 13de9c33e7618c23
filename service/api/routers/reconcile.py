"""``/reconcile``: the Reconciliation Service API v0.2 endpoint that OpenRefine speaks.

See https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/. Matching
and the wire models are in ``service.reconcile``; this module reads requests and shapes answers.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from service.api.bodies import read_body
from service.api.deps import ContextDep
from service.api.security import require_reader
from service.errors import UnsupportedMediaType
from service.forms import form_fields
from service.reconcile import (
    MalformedQueries,
    QueryResultOut,
    ReconcileQueryIn,
    Reconciler,
    ServiceManifest,
    parse_queries,
)

router = APIRouter(tags=["reconciliation"])

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_QUERIES_DESCRIPTION = (
    'A JSON object of queries by key: {"q0": {"query": "삼성전자", "type": "Firm", "limit": 5, '
    '"properties": [{"pid": "country", "v": "Q884"}]}}.'
)


async def get_reconciler(request: Request, context: ContextDep) -> Reconciler:
    """The app's reconciler, made on first use; async, so it is made on one thread only."""
    reconciler = getattr(request.app.state, "reconciler", None)
    if not isinstance(reconciler, Reconciler) or reconciler.store is not context.store:
        reconciler = Reconciler(context.store, context.settings.base_iri, context.graphs)
        request.app.state.reconciler = reconciler
    return reconciler


ReconcilerDep = Annotated[Reconciler, Depends(get_reconciler)]


def _answer(reconciler: Reconciler, raw: str | dict[str, Any]) -> dict[str, Any]:
    results = reconciler.reconcile(parse_queries(raw))
    return {key: result.model_dump(exclude_none=True) for key, result in results.items()}


def _queries_from_body(body: bytes, content_type: str | None) -> str | dict[str, Any]:
    """The ``queries`` of a POST: a form field (what OpenRefine sends) or a JSON object member.

    :raises MalformedQueries: for a body without queries, or JSON that does not parse.
    :raises UnsupportedMediaType: for a body that is neither a form nor JSON.
    """
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in (FORM, JSON):
        raise UnsupportedMediaType(f"POST the queries as {FORM} (queries=...) or as {JSON}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedQueries(f"byte {error.start} is not UTF-8", where="body") from None
    if media == FORM:
        try:
            form = form_fields(text, strict=True)
        except UnicodeDecodeError:
            raise MalformedQueries("percent-escapes that are not UTF-8", where="body") from None
        values = [value for name, value in form if name == "queries"]
        if len(values) != 1:
            raise MalformedQueries(f"the form needs one 'queries' field, not {len(values)}")
        return values[0]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedQueries(
            f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}",
            where="body",
            line=error.lineno,
            column=error.colno,
        ) from None
    except RecursionError:
        raise MalformedQueries("the JSON is nested too deeply", where="body") from None
    if not isinstance(data, dict) or not isinstance(data.get("queries"), str | dict):
        raise MalformedQueries('send {"queries": {"q0": {"query": "..."}}}', where="body")
    queries: str | dict[str, Any] = data["queries"]
    return queries


def _inlined(schema: Any, definitions: dict[str, Any] | None = None) -> Any:
    """A pydantic JSON schema with its ``$defs`` substituted, to sit inside the OpenAPI document
    (whose references point elsewhere); the models it is used for are not recursive."""
    if definitions is None and isinstance(schema, dict):
        definitions = schema.get("$defs", {})
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and definitions is not None:
            return _inlined(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: _inlined(v, definitions) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inlined(item, definitions) for item in schema]
    return schema


_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed queries: bad JSON, an unknown type or property (problem)."},
    401: {"description": "No API key, on a server that requires one for reads."},
    413: {"description": "Body over the limit."},
}


@router.get(
    "/reconcile",
    response_model=ServiceManifest | dict[str, QueryResultOut],
    summary="Reconciliation service manifest, or the answers to queries",
    responses=_RESPONSES,
)
async def reconcile_get(
    request: Request,
    context: ContextDep,
    reconciler: ReconcilerDep,
    queries: Annotated[str | None, Query(description=_QUERIES_DESCRIPTION)] = None,
) -> Response:
    """Without ``queries``, the service manifest (what OpenRefine reads when the service is
    added); with ``queries``, the candidates for each query, by the same keys."""
    require_reader(request, context.settings)
    if queries is None:
        manifest = await run_in_threadpool(reconciler.manifest)
        return JSONResponse(manifest.model_dump())
    return JSONResponse(await run_in_threadpool(_answer, reconciler, queries))


@router.post(
    "/reconcile",
    response_model=dict[str, QueryResultOut],
    summary="Answer a batch of reconciliation queries",
    responses={**_RESPONSES, 415: {"description": "Neither a form nor JSON."}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "queries": {"type": "string", "description": _QUERIES_DESCRIPTION}
                        },
                        "required": ["queries"],
                    }
                },
                JSON: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "queries": {
                                "type": "object",
                                "additionalProperties": _inlined(
                                    ReconcileQueryIn.model_json_schema()
                                ),
                            }
                        },
                        "required": ["queries"],
                    }
                },
            },
        }
    },
)
async def reconcile_post(
    request: Request, context: ContextDep, reconciler: ReconcilerDep
) -> Response:
    """The candidates for each query of ``queries`` (form field or JSON member), by key."""
    require_reader(request, context.settings)
    body = await read_body(request, context.settings.max_body_bytes)
    raw = _queries_from_body(body, request.headers.get("content-type"))
    return JSONResponse(await run_in_threadpool(_answer, reconciler, raw))
