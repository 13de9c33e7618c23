"""The stores the parametrized suites run on: embedded, an Oxigraph server, a Virtuoso server.

Each remote server is started once per test session on 127.0.0.1 (``oxigraph serve`` from the
pip package; Virtuoso from Debian's ``virtuoso-opensource`` where the Makefile could install it)
and emptied before each test that asks for a store, so every test starts from nothing as with a
fresh embedded store.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from service.config import Settings
from service.store.dialects import DialectName
from service.store.embedded import EmbeddedStore
from service.store.port import Store
from service.store.remote import RemoteEndpoint, RemoteStore
from tests.server import free_port, stop_process
from tests.virtuoso_server import VirtuosoServer, virtuoso_executable, virtuoso_server
from tests.wikidata_server import _wait_ready, oxigraph_executable

#: The kinds of store, in the order the parametrized tests show them.
STORE_KINDS = ("embedded", "oxigraph", "virtuoso")
GRAPH_BASE = Settings().graph_base_iri


def not_installed(kind: str, missing: LookupError) -> NoReturn:
    """Skip a test whose server is not installed here; fail it under CI, where ``make test``
    installs every server."""
    if os.environ.get("CI"):
        pytest.fail(f"{kind}: {missing}")
    pytest.skip(f"{kind}: {missing}")


@dataclass(frozen=True)
class RemoteServer:
    """A running SPARQL server and how to reach it."""

    kind: str
    endpoint: RemoteEndpoint

    @property
    def dialect(self) -> DialectName:
        return "virtuoso" if self.kind == "virtuoso" else "oxigraph"

    def environment(self) -> dict[str, str]:
        """What ``ALLIANCEGRAPH_STORE_*`` must say for a service on this server, by setting
        name without the prefix (``store_update_url``: …); the query URL goes to ``--store``."""
        endpoint = self.endpoint
        values = {
            "store_update_url": endpoint.update_url,
            "store_dialect": self.dialect,
            "store_auth": endpoint.auth_scheme,
        }
        if endpoint.gsp_url:
            values["store_gsp_url"] = endpoint.gsp_url
        if endpoint.user:
            values["store_user"] = endpoint.user
            values["store_password"] = endpoint.password or ""
        return values

    def store(self) -> RemoteStore:
        """A new adapter on this server (tests see other replicas' writes at once)."""
        return RemoteStore(
            self.endpoint, graph_base_iri=GRAPH_BASE, dialect=self.dialect, version_ttl_s=0.0
        )

    def clear(self) -> None:
        """Remove every graph we could have written (not the server's own graphs)."""
        store = self.store()
        try:
            graphs = [*store.named_graphs(), store.default_stand_in]
            store.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in graphs))
            if store.dialect.writable_default_graph:
                store.update("DROP SILENT DEFAULT")
            # Last (it then holds only the token this update writes).
            store.update(f"DROP SILENT GRAPH {store.version_graph}")
        finally:
            store.close()


@contextmanager
def oxigraph_server(workdir: Path) -> Iterator[RemoteServer]:
    """A read-write ``oxigraph serve`` on a fresh on-disk store under ``workdir``."""
    location = Path(tempfile.mkdtemp(prefix="oxigraph-", dir=workdir))
    log = location.with_name(location.name + ".log")
    for _attempt in range(3):  # another process may take the free port before the server binds
        base = f"http://127.0.0.1:{free_port()}"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [
                    str(oxigraph_executable()),
                    "serve",
                    "--location",
                    str(location),
                    "--bind",
                    base.removeprefix("http://"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            if not _wait_ready(process, base, log, 30.0):
                continue
            yield RemoteServer(
                "oxigraph",
                RemoteEndpoint(
                    query_url=base + "/query", update_url=base + "/update", gsp_url=base + "/store"
                ),
            )
            return
        finally:
            stop_process(process)
    raise RuntimeError("oxigraph serve exited on start: " + log.read_text(errors="replace"))


def virtuoso_remote(server: VirtuosoServer) -> RemoteServer:
    """A running Virtuoso as a remote store: queries anonymous, writes with Digest."""
    return RemoteServer(
        "virtuoso",
        RemoteEndpoint(
            query_url=server.query_url,
            update_url=server.update_url,
            gsp_url=server.gsp_url,
            user=server.user,
            password=server.password,
            auth_scheme="digest",
        ),
    )


class _PooledStore(RemoteStore):
    """A remote store that gives its server back to the pool when closed."""

    def __init__(self, server: RemoteServer, release: Callable[[], None]) -> None:
        super().__init__(
            server.endpoint, graph_base_iri=GRAPH_BASE, dialect=server.dialect, version_ttl_s=0.0
        )
        self._release = release

    def close(self) -> None:
        super().close()
        self._release()


class Servers:
    """The remote servers of a test session: started on demand, one per store in use at once
    (a module's app and a test's own app each get a server of their own), emptied when handed
    out again, stopped at the end of the session."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._exits = ExitStack()
        self._free: dict[str, list[RemoteServer]] = {}

    def _start(self, kind: str) -> RemoteServer:
        if kind == "oxigraph":
            return self._exits.enter_context(oxigraph_server(self._workdir))
        if kind == "virtuoso":
            if virtuoso_executable() is None:
                raise LookupError(
                    "Virtuoso is not installed (make test installs the Debian package "
                    "virtuoso-opensource where it runs as root with apt-get)"
                )
            return virtuoso_remote(self._exits.enter_context(virtuoso_server()))
        raise ValueError(kind)

    def acquire(self, kind: str) -> RemoteServer:
        """An empty server of ``kind`` that no open store uses.

        :raises LookupError: when that server is not installed here (the reason says why).
        """
        free = self._free.setdefault(kind, [])
        server = free.pop() if free else self._start(kind)
        server.clear()
        return server

    def release(self, server: RemoteServer) -> None:
        self._free.setdefault(server.kind, []).append(server)

    @contextmanager
    def lent(self, kind: str) -> Iterator[RemoteServer]:
        """An empty server of ``kind`` for the block; the test is skipped (failed under CI)
        when that server is not installed here."""
        try:
            server = self.acquire(kind)
        except LookupError as missing:
            not_installed(kind, missing)
        try:
            yield server
        finally:
            self.release(server)

    def store(self, kind: str) -> RemoteStore:
        """A store on a server of its own until it is closed."""
        server = self.acquire(kind)
        return _PooledStore(server, lambda: self.release(server))

    def close(self) -> None:
        self._exits.close()


def new_store(kind: str, servers: Servers) -> Store:
    """An empty store of ``kind``: a new in-memory embedded store, or an emptied server."""
    if kind == "embedded":
        return EmbeddedStore()
    return servers.store(kind)
