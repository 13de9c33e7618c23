"""Who may read and write: the bearer token, compared in constant time."""

from __future__ import annotations

import secrets

from fastapi import Request

from service.config import Settings
from service.errors import Forbidden, Unauthorized


def _presented_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _check_token(request: Request, settings: Settings) -> None:
    token = _presented_token(request)
    if token is None:
        raise Unauthorized("send 'Authorization: Bearer <ALLIANCEGRAPH_API_KEY>'")
    expected = settings.api_key.get_secret_value()
    if not secrets.compare_digest(token.encode(), expected.encode()):
        raise Forbidden("the API key is not valid")


def require_writer(request: Request, settings: Settings) -> None:
    """Allow a write: the server accepts writes and the request carries the API key.

    :raises Forbidden: on a read-only server or a wrong key.
    :raises Unauthorized: without a key.
    """
    if settings.read_only:
        raise Forbidden("this server is read-only; it accepts no writes")
    _check_token(request, settings)


def require_reader(request: Request, settings: Settings) -> None:
    """Allow a read: open, unless the server requires the API key for reads too."""
    if settings.require_read_auth:
        _check_token(request, settings)
