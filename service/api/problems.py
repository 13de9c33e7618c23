"""Errors as ``application/problem+json`` (RFC 9457), mapped from the domain errors once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from service.conneg import negotiate
from service.errors import AllianceGraphError, NotAcceptable, QuerySyntaxError, ValidationFailed

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("alliancegraph.api")


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _prefers_turtle(accept: str | None) -> bool:
    """Whether a client asks for the SHACL report as Turtle rather than problem+json."""
    try:
        return negotiate(accept, [PROBLEM_JSON, "application/json", "text/turtle"]) == "text/turtle"
    except NotAcceptable:
        return False


#: The only routes that take SPARQL from the client: elsewhere a SPARQL syntax error is in a
#: query the service wrote (or a store refusing it), which is a bug, not a bad request.
_SPARQL_ROUTES = ("/sparql",)


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, AllianceGraphError)  # noqa: S101 - registered for this type only
    if isinstance(error, QuerySyntaxError) and request.url.path not in _SPARQL_ROUTES:
        return await _unexpected_error(request, error)
    extra: dict[str, Any] = {"instance": request.url.path}
    for where in ("line", "column"):
        if getattr(error, where, None) is not None:
            extra[where] = getattr(error, where)
    if isinstance(error, ValidationFailed):
        if _prefers_turtle(request.headers.get("accept")):
            return Response(error.report.to_turtle(), status_code=422, media_type="text/turtle")
        extra["report"] = error.report.to_json()
    return problem(error.status, error.title, str(error), error.headers or None, **extra)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)  # noqa: S101 - registered for this type only
    detail = error.detail if isinstance(error.detail, str) else ""
    return problem(error.status_code, detail, detail, dict(error.headers or {}) or None)


async def _request_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for this type only
    errors = [
        {"where": ".".join(str(p) for p in e.get("loc", ())), "what": e.get("msg", "")}
        for e in error.errors()
    ]
    # 400, not FastAPI's 422: in this API 422 means "breaks the SHACL shapes".
    return problem(400, "Invalid request", "the request parameters are not valid", errors=errors)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "Internal server error", "an unexpected error occurred; it was logged")


_HANDLERS: tuple[tuple[type[Exception], Callable[[Request, Exception], Awaitable[Response]]], ...]
_HANDLERS = (
    (AllianceGraphError, _domain_error),
    (HTTPException, _http_error),
    (RequestValidationError, _request_validation_error),
    (Exception, _unexpected_error),
)


def install_problem_handlers(app: FastAPI) -> None:
    """Map every error to problem+json: domain errors to their 4xx, any other to a logged 500."""
    for kind, handler in _HANDLERS:
        app.add_exception_handler(kind, handler)


async def problem_for(request: Request, error: Exception) -> Response:
    """The response the installed handlers give for ``error`` (for code that answers requests
    outside FastAPI's routing, such as the SPARQL GET fast path)."""
    handler = next(handler for kind, handler in _HANDLERS if isinstance(error, kind))
    return await handler(request, error)
