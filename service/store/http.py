"""The remote adapter's HTTP client: libcurl through pycurl, with a pool of reused handles.

Every query on a remote store is one HTTP round trip, so the client's own cost is paid per
request. libcurl does the work in C with the GIL released, several times faster per request
than a pure-Python client (``bench/remote.py`` measures our whole overhead). A curl handle
serves one request at a time and keeps its connection open for the next, so the client lends
handles from a pool: a thread takes an idle handle (or makes one), sends, and gives it back.

Answers are read whole: the adapter parses every answer in one piece anyway.

The SPARQL endpoint's pass-through (a query whose answer goes to the client as the server sent
it) runs on the event loop instead, with :class:`AsyncHttpClient` (aiohttp): a worker thread
would cost two thread wake-ups per query, which on a small machine weigh more than the HTTP
client itself.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import aiohttp
import pycurl

#: The longest URL :class:`HttpClient` sends with Digest auth: libcurl (8.23 here) fails a
#: request whose path and query pass 2,048 bytes with "Out of memory" once it has answered a
#: Digest challenge on the connection, which it then does for every URL of the host.
DIGEST_URL_MAX = 2000
#: libcurl's codes for "the time limit passed" (connect or transfer).
_TIMED_OUT = {pycurl.E_OPERATION_TIMEDOUT}


class TransportError(Exception):
    """The server could not be reached, or the connection broke before a whole answer."""


class TransportTimeout(TransportError):
    """No whole answer within the client's time limit."""


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers (found by lower-case names) and body; when ``rest`` is set,
    ``content`` is only the beginning of a body whose rest ``rest`` streams (iterate it to the
    end, or close it)."""

    status: int
    reason: str
    headers: Mapping[str, str]
    content: bytes
    rest: BodyStream | None = None

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, in lower case ('' when absent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Credentials:
    """HTTP authentication for every request: Basic or Digest (libcurl answers the server's
    challenge), or nothing when the token goes in an ``Authorization`` header instead."""

    user: str
    password: str
    scheme: Literal["basic", "digest"] = "basic"


class _Headers:
    """Collects the header lines of the last response (a 401 or 100 before it is dropped)."""

    def __init__(self) -> None:
        self.status_line = ""
        self.fields: dict[str, str] = {}

    def line(self, raw: bytes) -> None:
        text = raw.decode("iso-8859-1").strip()
        if text.startswith("HTTP/"):
            self.status_line = text
            self.fields = {}
        elif ":" in text:
            name, _, value = text.partition(":")
            self.fields[name.strip().lower()] = value.strip()

    @property
    def reason(self) -> str:
        parts = self.status_line.split(" ", 2)
        return parts[2] if len(parts) == 3 else ""


class HttpClient:
    """Thread-safe; pooled connections (one per idle handle, up to ``max_idle`` kept).

    :param headers: sent with every request (a request's own headers win).
    :param timeout_s: for a whole request, from connecting to the last byte of the answer.
    :param connect_timeout_s: for opening a connection.
    """

    def __init__(
        self,
        *,
        headers: Mapping[str, str],
        credentials: Credentials | None,
        timeout_s: float,
        connect_timeout_s: float,
        max_idle: int = 16,
    ) -> None:
        self._headers = dict(headers)
        self._credentials = credentials
        self._timeout_ms = max(1, int(timeout_s * 1000))
        self._connect_timeout_ms = max(1, int(connect_timeout_s * 1000))
        self._max_idle = max_idle
        self._idle: list[pycurl.Curl] = []
        self._lock = threading.Lock()
        self._closed = False

    def request(
        self,
        method: Literal["GET", "POST"],
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Send one request and read the whole answer, whatever its status.

        :raises TransportTimeout: when the time limit passes.
        :raises TransportError: when the server cannot be reached or the connection breaks.
        """
        handle = self._take()
        received = io.BytesIO()
        collected = _Headers()
        fields = {**self._headers, **(headers or {})}
        try:
            handle.setopt(pycurl.URL, url)
            if method == "POST":
                handle.setopt(pycurl.POSTFIELDS, body or b"")
                # No "Expect: 100-continue" round trip before a large body.
                fields["Expect"] = ""
            else:
                handle.setopt(pycurl.HTTPGET, 1)
            # Bytes, not str: pycurl refuses text that is not ASCII; servers read UTF-8.
            handle.setopt(
                pycurl.HTTPHEADER, [f"{name}: {value}".encode() for name, value in fields.items()]
            )
            handle.setopt(pycurl.WRITEDATA, received)
            handle.setopt(pycurl.HEADERFUNCTION, collected.line)
            handle.perform()
            status = int(handle.getinfo(pycurl.RESPONSE_CODE))
        except pycurl.error as error:
            handle.close()  # the connection's state is unknown: never reuse it
            code, message = error.args[0], str(error.args[1]) if len(error.args) > 1 else ""
            if code in _TIMED_OUT:
                raise TransportTimeout(message) from None
            raise TransportError(message or f"libcurl error {code}") from None
        except BaseException:
            handle.close()
            raise
        self._give_back(handle)
        return Answer(status, collected.reason, collected.fields, received.getvalue())

    def _take(self) -> pycurl.Curl:
        with self._lock:
            if self._closed:
                raise TransportError("the client is closed")
            if self._idle:
                return self._idle.pop()
        return self._new_handle()

    def _give_back(self, handle: pycurl.Curl) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self._max_idle:
                handle.setopt(pycurl.HEADERFUNCTION, _ignore)  # drop the collector
                handle.setopt(pycurl.WRITEDATA, _DISCARD)
                self._idle.append(handle)
                return
        handle.close()

    def _new_handle(self) -> pycurl.Curl:
        handle = pycurl.Curl()
        handle.setopt(pycurl.NOSIGNAL, 1)  # time limits without signals (threads)
        handle.setopt(pycurl.TIMEOUT_MS, self._timeout_ms)
        handle.setopt(pycurl.CONNECTTIMEOUT_MS, self._connect_timeout_ms)
        handle.setopt(pycurl.FOLLOWLOCATION, 0)
        handle.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
        if self._credentials is not None:
            scheme = self._credentials.scheme
            handle.setopt(
                pycurl.HTTPAUTH,
                # Digest: ask without credentials first and answer a challenge (as a browser
                # does); Digest alone would send a POST with no body on the first pass.
                pycurl.HTTPAUTH_DIGEST | pycurl.HTTPAUTH_ONLY
                if scheme == "digest"
                else pycurl.HTTPAUTH_BASIC,
            )
            handle.setopt(pycurl.USERNAME, self._credentials.user.encode())
            handle.setopt(pycurl.PASSWORD, self._credentials.password.encode())
        return handle

    def close(self) -> None:
        """Close the idle connections; handles lent out close when they come back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for handle in idle:
            handle.close()


class AsyncHttpClient:
    """The same requests as :class:`HttpClient` on the running event loop; one aiohttp
    session per event loop, made on first use. Close with :meth:`aclose` on that loop."""

    def __init__(
        self,
        *,
        headers: Mapping[str, str],
        credentials: Credentials | None,
        timeout_s: float,
        connect_timeout_s: float,
        max_connections: int = 64,
    ) -> None:
        self._headers = dict(headers)
        self._credentials = credentials
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, connect=connect_timeout_s)
        self._max_connections = max_connections
        self._sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}
        self._closed = False

    def _session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise TransportError("the client is closed")
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None:
            headers = dict(self._headers)
            middlewares: list[aiohttp.DigestAuthMiddleware] = []
            if self._credentials is not None:
                user, password = self._credentials.user, self._credentials.password
                if self._credentials.scheme == "digest":
                    middlewares.append(aiohttp.DigestAuthMiddleware(user, password))
                else:
                    headers["Authorization"] = aiohttp.encode_basic_auth(user, password)
            session = aiohttp.ClientSession(
                headers=headers,
                middlewares=middlewares,
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=self._max_connections),
                cookie_jar=aiohttp.DummyCookieJar(),  # a store's cookies are no one's session
                auto_decompress=True,
            )
            self._sessions[loop] = session
        return session

    async def request(
        self,
        method: Literal["GET", "POST"],
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        stream_after: int | None = None,
    ) -> Answer:
        """Send one request and read the answer, whatever its status: whole, or, for a 2xx
        longer than ``stream_after`` bytes, its beginning and a stream of the rest.

        :raises TransportTimeout: when the time limit passes.
        :raises TransportError: when the server cannot be reached or the connection breaks.
        """
        try:
            response = await self._session().request(
                method, url, data=body, headers=headers, allow_redirects=False
            )
        except (TimeoutError, aiohttp.ClientError) as error:
            raise _transport_error(error) from None
        fields = response.headers  # case-insensitive: lower-case names find their fields
        reason = response.reason or ""
        streamed = stream_after is not None and 200 <= response.status < 300
        try:
            if not streamed:
                return Answer(response.status, reason, fields, await response.read())
            begun = bytearray()
            while len(begun) <= (stream_after or 0):
                chunk = await response.content.readany()
                if not chunk:  # the whole answer
                    response.release()
                    return Answer(response.status, reason, fields, bytes(begun))
                begun += chunk
        except (TimeoutError, aiohttp.ClientError) as error:
            response.close()
            raise _transport_error(error) from None
        except BaseException:
            response.close()
            raise
        finally:
            if not streamed:
                response.release()
        return Answer(response.status, reason, fields, bytes(begun), BodyStream(response))

    async def aclose(self) -> None:
        """Close the session of the running loop (another request on it opens a new one)."""
        session = self._sessions.pop(asyncio.get_running_loop(), None)
        if session is not None:
            await session.close()

    def close(self) -> None:
        """Refuse new requests and close the sessions of loops that can still be driven from
        here; call :meth:`aclose` on each loop before it ends for the others."""
        self._closed = True
        sessions, self._sessions = self._sessions, {}
        for loop, session in sessions.items():
            if loop.is_closed() or loop.is_running():
                continue
            try:
                loop.run_until_complete(session.close())
            except RuntimeError:  # another loop runs in this thread: it cannot be driven
                continue


def _transport_error(error: TimeoutError | aiohttp.ClientError) -> TransportError:
    """aiohttp's error as the adapter's: a timeout, or a transport failure."""
    if isinstance(error, TimeoutError):
        return TransportTimeout(str(error) or "timed out")
    return TransportError(str(error) or type(error).__name__)


class BodyStream:
    """The rest of a streamed body, after any chunks put before it (:meth:`after`). Iterate it
    to the end (the connection goes back to the pool) or close it (the connection is closed):
    unlike a generator, closing works before the first chunk too."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self._pending: list[bytes] = []
        self._done = False

    def after(self, first: bytes) -> BodyStream:
        """This stream with ``first`` sent before the rest."""
        self._pending.insert(0, first)
        return self

    def __aiter__(self) -> BodyStream:
        return self

    async def __anext__(self) -> bytes:
        if self._pending:
            return self._pending.pop(0)
        if self._done:
            raise StopAsyncIteration
        try:
            chunk = await self._response.content.readany()
        except (TimeoutError, aiohttp.ClientError) as error:
            await self.aclose()
            raise _transport_error(error) from None
        if not chunk:
            await self.aclose()
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        """Release the connection (whole body read) or close it (not); idempotent."""
        if self._done:
            return
        self._done = True
        self._pending.clear()
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


def _ignore(_: bytes) -> None:
    return None


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return len(data)


_DISCARD = _Discard()
