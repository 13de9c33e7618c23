"""A bare pass-through proxy: the least any Python service in front of a SPARQL server costs.

uvicorn (with uvloop and httptools) and one aiohttp session, as AllianceGraph's ``/sparql``
uses them, doing none of its work: every GET passes its query string and ``Accept`` header on
to ``--target`` and answers with the server's status, ``Content-Type`` and body. No checks,
no limits, no log. ``bench/remote.py`` runs it beside our service, so the results show how
much of our overhead in front of a server is the hop itself on the machine at hand::

    .venv/bin/python bench/bare_proxy.py --target http://127.0.0.1:7878/query --port 8899

A measuring device, not a service: it binds 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import aiohttp
import uvicorn

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def make_app(target: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI app that passes GET requests on to ``target``."""
    sessions: list[aiohttp.ClientSession] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()  # startup
            sessions.append(aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()))
            await send({"type": "lifespan.startup.complete"})
            await receive()  # shutdown
            for session in sessions:
                await session.close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        headers = dict(scope["headers"])
        query = scope["query_string"].decode("latin-1")
        async with sessions[0].get(
            f"{target}?{query}" if query else target,
            headers={"Accept": headers.get(b"accept", b"*/*").decode("latin-1")},
            allow_redirects=False,
        ) as response:
            body = await response.read()
            media = response.headers.get("Content-Type", "application/octet-stream")
            status = response.status
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", media.encode("latin-1"))],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", required=True, help="the SPARQL server's query URL")
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    args = parser.parse_args()
    uvicorn.run(
        make_app(args.target), host="127.0.0.1", port=args.port, access_log=False, lifespan="on"
    )


if __name__ == "__main__":
    main()
