"""A real OpenLink Virtuoso (open source edition) SPARQL 1.1 server on loopback, for tests of a
remote store adapter.

`virtuoso_server()` creates a fresh database in a temporary directory with its own generated
`virtuoso.ini` (HTTP and SQL listeners on free 127.0.0.1 ports), runs `virtuoso-t +foreground`,
waits until `/sparql` answers, and on exit stops the server and removes the directory.

Updates go to `/sparql-auth` with HTTP Digest credentials (`dba`/`dba` in a fresh database): the
anonymous `/sparql` endpoint runs as the SQL user `SPARQL`, which may not update. With
`anonymous_update=True` the server instead grants `SPARQL_UPDATE` to `SPARQL` through `isql-vt`
at start-up, and `update_url` is the anonymous `/sparql`. The Graph Store HTTP Protocol endpoint
is `/sparql-graph-crud-auth` (Digest); the anonymous `/sparql-graph-crud` only reads.
docs/virtuoso-notes.md lists Virtuoso's departures from the standards found against this server.

Debian's package is `virtuoso-opensource` (binary `/usr/bin/virtuoso-t`); the Makefile installs it
as root when missing. Nothing here touches the network beyond 127.0.0.1.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

from tests.server import free_port, stop_process

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
LOG_TAIL_CHARS = 4000

DBA_USER = "dba"
DBA_PASSWORD = "dba"  # noqa: S105 - a fresh Virtuoso database's own; loopback test server only

RESULT_SET_MAX_ROWS = 1_000_000
"""`[SPARQL] ResultSetMaxRows`, raised from Virtuoso's stock 10,000 as the README's deployment
guide says to: Virtuoso cuts longer results (the adapter then refuses them, which
tests/store/test_remote.py checks against a stub)."""

_SEARCH_PATH = (
    Path("/usr/bin"),
    Path("/usr/local/bin"),
    Path("/usr/local/virtuoso-opensource/bin"),
    Path("/opt/virtuoso-opensource/bin"),
)


def _find(*names: str) -> Path | None:
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return Path(found)
    for directory in _SEARCH_PATH:
        for name in names:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None


def virtuoso_executable() -> Path | None:
    """The Virtuoso server binary (`virtuoso-t`), or None when Virtuoso is not installed."""
    return _find("virtuoso-t")


def isql_executable() -> Path | None:
    """Virtuoso's SQL client: Debian names it `isql-vt` (plain `isql` is often unixODBC's)."""
    return _find("isql-vt")


@dataclass(frozen=True)
class VirtuosoServer:
    """A running Virtuoso. Queries may go anonymously to `query_url` (GET or form POST; never POST
    `application/sparql-query`, which Virtuoso 7.2 leaves hanging). Updates and Graph Store
    requests need `auth()` unless the server was started with `anonymous_update=True`."""

    base: str
    directory: Path
    sql_port: int
    anonymous_update: bool = False
    user: str = DBA_USER
    password: str = DBA_PASSWORD

    @property
    def query_url(self) -> str:
        return self.base + "/sparql"

    @property
    def update_url(self) -> str:
        return self.base + ("/sparql" if self.anonymous_update else "/sparql-auth")

    @property
    def gsp_url(self) -> str:
        """Graph Store HTTP Protocol (`?graph=IRI`; no `?default`): GET, PUT, POST, DELETE."""
        return self.base + "/sparql-graph-crud-auth"

    @property
    def log(self) -> Path:
        return self.directory / "virtuoso.log"

    def auth(self) -> httpx.DigestAuth:
        """Digest credentials for `/sparql-auth` and `/sparql-graph-crud-auth` (Basic gets 401)."""
        return httpx.DigestAuth(self.user, self.password)


def virtuoso_ini(directory: Path, http_port: int, sql_port: int) -> str:
    """A minimal `virtuoso.ini`: every file under `directory`, both listeners on 127.0.0.1 only,
    small buffers (a test database is tiny; the machine has 2 cores)."""
    d = directory
    return f"""\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., {d}
NumberOfBuffers      = 4000
MaxDirtyBuffers      = 3000
MaxQueryMem          = 256M
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {d}/www
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows      = {RESULT_SET_MAX_ROWS}
MaxQueryExecutionTime = 60
"""


def _tail(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    return text[-LOG_TAIL_CHARS:]


def _logs(directory: Path) -> str:
    return (
        f"--- {directory / 'virtuoso.log'} ---\n{_tail(directory / 'virtuoso.log')}\n"
        f"--- {directory / 'console.log'} ---\n{_tail(directory / 'console.log')}"
    )


def _wait_ready(process: subprocess.Popen[bytes], base: str, timeout_s: float) -> bool:
    """True once `ASK {}` on /sparql answers true; False if the process exited first."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            try:
                response = client.get(
                    base + "/sparql",
                    params={"query": "ASK {}"},
                    headers={"Accept": "application/sparql-results+json"},
                )
                if response.status_code == 200 and response.json().get("boolean") is True:
                    return True
            except (httpx.TransportError, ValueError):
                pass
            time.sleep(0.2)
    raise TimeoutError(f"Virtuoso did not answer on {base}/sparql within {timeout_s:g} s")


def _grant_anonymous_update(sql_port: int, directory: Path) -> None:
    isql = isql_executable()
    if isql is None:
        raise RuntimeError("anonymous_update needs Virtuoso's isql-vt, which is not installed")
    done = subprocess.run(
        [
            str(isql),
            f"127.0.0.1:{sql_port}",
            DBA_USER,
            DBA_PASSWORD,
            'exec=grant SPARQL_UPDATE to "SPARQL";',
        ],
        capture_output=True,
        check=False,
        timeout=60,
        cwd=directory,
    )
    output = (done.stdout + done.stderr).decode(errors="replace")
    if done.returncode != 0 or "Error" in output:
        raise RuntimeError(f"granting SPARQL_UPDATE to SPARQL failed: {output}")


@contextmanager
def virtuoso_server(
    *,
    workdir: Path | None = None,
    anonymous_update: bool = False,
    startup_timeout_s: float = STARTUP_TIMEOUT_S,
) -> Iterator[VirtuosoServer]:
    """A Virtuoso over a fresh database in a new directory (under `workdir` if given), served on
    127.0.0.1; stopped and the directory removed on exit. Start-up takes about 4 s."""
    executable = virtuoso_executable()
    if executable is None:
        raise RuntimeError(
            "Virtuoso is not installed: apt-get install virtuoso-opensource (provides virtuoso-t)"
        )
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for _attempt in range(3):  # another process may take a free port before the server binds it
        directory = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=workdir))
        try:
            http_port, sql_port = free_port(), free_port()
            while sql_port == http_port:
                sql_port = free_port()
            (directory / "www").mkdir()
            ini = directory / "virtuoso.ini"
            ini.write_text(virtuoso_ini(directory, http_port, sql_port), encoding="utf-8")
            base = f"http://127.0.0.1:{http_port}"
            with (directory / "console.log").open("wb") as console:
                process = subprocess.Popen(
                    [str(executable), "+foreground", "+configfile", str(ini)],
                    cwd=directory,
                    stdin=subprocess.DEVNULL,
                    stdout=console,
                    stderr=subprocess.STDOUT,
                )
            try:
                try:
                    ready = _wait_ready(process, base, startup_timeout_s)
                except TimeoutError as error:
                    raise RuntimeError(f"{error}\n{_logs(directory)}") from None
                if not ready:
                    failures.append(
                        f"virtuoso-t exited with {process.returncode}:\n{_logs(directory)}"
                    )
                    continue
                if anonymous_update:
                    _grant_anonymous_update(sql_port, directory)
                yield VirtuosoServer(
                    base=base,
                    directory=directory,
                    sql_port=sql_port,
                    anonymous_update=anonymous_update,
                )
                return
            finally:
                stop_process(process, STOP_TIMEOUT_S)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    raise RuntimeError("Virtuoso exited on start, 3 times:\n" + "\n".join(failures))
