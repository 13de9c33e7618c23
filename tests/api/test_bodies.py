"""Request bodies read under the size limit, and not waited for where HTTP/1 says there is none."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from starlette.requests import Request
from starlette.types import Message

from service.api.bodies import read_body
from service.errors import BodyTooLarge


def _read(
    headers: Sequence[tuple[bytes, bytes]], chunks: Sequence[bytes], http_version: str = "1.1"
) -> tuple[bytes, int]:
    """The body ``read_body`` returns and how many messages it asked the server for."""
    messages: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    asked = 0

    async def receive() -> Message:
        nonlocal asked
        asked += 1
        return messages.pop(0)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/sparql",
        "headers": list(headers),
        "http_version": http_version,
    }
    body = asyncio.run(read_body(Request(scope, receive), limit=100))
    return body, asked


def test_a_chunked_body_is_read_whole() -> None:
    assert _read([(b"transfer-encoding", b"chunked")], [b"query=", b"ASK", b" {}"]) == (
        b"query=ASK {}",
        3,
    )


def test_a_body_with_its_length_is_read() -> None:
    assert _read([(b"content-length", b"6")], [b"query="]) == (b"query=", 1)


def test_an_http1_request_without_length_or_chunks_has_no_body_to_wait_for() -> None:
    assert _read([], []) == (b"", 0)


def test_over_http2_a_body_needs_no_length_and_is_read() -> None:
    assert _read([], [b"query=", b"ASK {}"], http_version="2") == (b"query=ASK {}", 2)


def test_a_body_over_the_limit_is_refused() -> None:
    with pytest.raises(BodyTooLarge):
        _read([(b"content-length", b"101")], [b"x" * 101])
    with pytest.raises(BodyTooLarge):
        _read([(b"transfer-encoding", b"chunked")], [b"x" * 60, b"x" * 60])
