"""Reading request bodies under the configured size limit."""

from __future__ import annotations

from fastapi import Request

from service.errors import BodyTooLarge, MalformedRequestBody


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing it as soon as it passes ``limit`` bytes.

    :raises BodyTooLarge: past the limit (413), before reading it all when Content-Length says so.
    """
    declared = request.headers.get("content-length")
    if (
        declared is None
        and "transfer-encoding" not in request.headers
        and request.scope.get("http_version") in ("1.0", "1.1")
    ):
        return b""  # an HTTP/1 request with neither has no body (RFC 9112, 6.3): no wait
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise MalformedRequestBody("Content-Length is not a number") from None
        if size > limit:
            raise BodyTooLarge(f"the request body is {size} bytes, over the limit of {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(f"the request body is over the limit of {limit} bytes")
    return bytes(body)
