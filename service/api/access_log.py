"""The access log: one line per request, written once the response has gone out.

It replaces uvicorn's, which writes its line before the response body, in full: for a GET
query that is the whole URL-encoded SPARQL text, on the path of every answer. Ours comes after
the answer and adds what an operator looks for first: the size and the time taken.

The lines go to standard output through :class:`BatchedStreamHandler`, which writes them
together at most ``ALLIANCEGRAPH_ACCESS_LOG_FLUSH_S`` after the first (as nginx's ``access_log
… buffer= flush=``): one write for many requests, not one each.
"""

from __future__ import annotations

import logging
import re
import threading
from time import perf_counter
from typing import TextIO
from urllib.parse import quote

from starlette.types import Message, Scope, Send

logger = logging.getLogger("alliancegraph.access")

#: Query strings are cut here: a SPARQL query can be kilobytes long.
TARGET_CHARS = 200


class Exchange:
    """One request's answer as it goes out (status and body size), and its log line."""

    __slots__ = ("_scope", "_send", "_started", "body_bytes", "status")

    def __init__(self, scope: Scope, send: Send) -> None:
        self._scope, self._send = scope, send
        self._started = perf_counter()
        self.status: int | None = None
        self.body_bytes = 0

    async def send(self, message: Message) -> None:
        """``send`` for the app: passes every message on and notes the status and size."""
        if message["type"] == "http.response.body":
            self.body_bytes += len(message.get("body", b""))
        elif message["type"] == "http.response.start":
            self.status = message["status"]
        await self._send(message)

    def log(self) -> None:
        """Write the line: client, request line, status (- when none was sent), size, time."""
        if not logger.isEnabledFor(logging.INFO):
            return
        scope = self._scope
        client = scope.get("client")
        args = (
            f"{client[0]}:{client[1]}" if client else "-",
            scope["method"],
            request_target(scope),
            scope.get("http_version", "1.1"),
            self.status if self.status is not None else "-",
            self.body_bytes,
            (perf_counter() - self._started) * 1000,
        )
        # As logger.info would, without looking up the caller in the stack (a line per
        # request: that search through the server's frames was half the cost of the line).
        record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, _LINE, args, None)
        logger.handle(record)


def request_target(scope: Scope) -> str:
    """The path and query string, the query string cut at :data:`TARGET_CHARS`; escaped as in
    a URL, so that no client can write a line break or a terminal escape into the log (the
    server has decoded the path: ``%0A`` is a line break in it)."""
    target = _escaped(str(scope["path"]))
    query = scope.get("query_string", b"")
    if not query:
        return target
    text = _escaped(query[: TARGET_CHARS + 1].decode("latin-1"))
    return f"{target}?{text[:TARGET_CHARS]}…" if len(text) > TARGET_CHARS else f"{target}?{text}"


def _escaped(text: str) -> str:
    """``text`` with every character but printable ASCII escaped as in a URL (%XX)."""
    return text if _PRINTABLE.fullmatch(text) else quote(text, safe=_SAFE)


_LINE = '%s - "%s %s HTTP/%s" %s %d B %.1f ms'
#: Printable ASCII but the space: kept as it is (letters, digits and "_.-~" always are).
_SAFE = "!\"#$%&'()*+,/:;<=>?@[\\]^`{|}"
#: Text that :func:`quote` with :data:`_SAFE` leaves as it is.
_PRINTABLE = re.compile(r"[!-~]*")


class BatchedStreamHandler(logging.StreamHandler[TextIO]):
    """A stream handler that keeps its lines and writes them together, with one write and one
    flush, at most ``flush_s`` seconds after the first of them (0: each line at once, as
    :class:`logging.StreamHandler` does), and whenever it is flushed: by
    :func:`flush_access_log` at the app's shutdown, and by :func:`logging.shutdown` at a normal
    exit. What a killed process had not written (at most ``flush_s`` seconds of lines) is lost.
    """

    def __init__(self, stream: TextIO | None = None, *, flush_s: float) -> None:
        super().__init__(stream)
        self.flush_s = flush_s
        self._pending: list[str] = []
        self._timer: threading.Timer | None = None

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the line; write it now, or start the timer that will (called under the lock)."""
        try:
            self._pending.append(self.format(record) + self.terminator)
            if self.flush_s <= 0:
                self.flush()
            elif self._timer is None:
                self._timer = threading.Timer(self.flush_s, self._flush_later)
                self._timer.daemon = True
                self._timer.start()
        except RecursionError:  # as logging's own handlers do
            raise
        except Exception:
            self.handleError(record)

    def flush(self) -> None:
        """Write the kept lines and flush the stream."""
        with self.lock:  # type: ignore[union-attr]  # made by Handler.__init__
            lines, self._pending = self._pending, []
            if lines and self.stream is not None:
                self.stream.write("".join(lines))
            super().flush()

    def _flush_later(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._timer = None
            try:
                self.flush()
            except (OSError, ValueError):  # the stream is gone (a closed pipe, a closed file)
                self._pending.clear()

    def close(self) -> None:
        """Write what is left and stop the timer."""
        with self.lock:  # type: ignore[union-attr]
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        self.flush()
        super().close()


def flush_access_log() -> None:
    """Write the access log's kept lines now. The app's shutdown calls it: on SIGTERM uvicorn
    ends the process with the signal once the app has shut down, and no exit handler runs."""
    for handler in logger.handlers:
        handler.flush()
