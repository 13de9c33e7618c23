"""Starting a real `alliancegraph serve` on loopback for tests that need a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    """Terminate a server process (SIGTERM, which every server here shuts down on), and kill it
    if it has not gone within ``timeout_s``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout_s)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(
    store: Path | str,
    settings: Mapping[str, str] | None = None,
    *,
    stdout: Path | None = None,
    graceful: bool = False,
) -> Iterator[str]:
    """A server process on a free loopback port; yields its base URL and stops it after.
    ``settings``: ``ALLIANCEGRAPH_*`` settings by lower-case name; ``stdout``: a file for the
    server's standard output (the access log), else discarded; ``graceful``: stopped by SIGTERM
    (a shutdown), else killed."""
    port = free_port()
    executable = Path(sys.executable).with_name("alliancegraph")
    environment = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},  # as in production
        **{f"ALLIANCEGRAPH_{k.upper()}": v for k, v in (settings or {}).items()},
    }
    base = f"http://127.0.0.1:{port}"
    output = stdout.open("wb") if stdout is not None else None
    try:
        process = subprocess.Popen(
            [str(executable), "--store", str(store), "serve", "--port", str(port)],
            env=environment,
            stdout=output if output is not None else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    except BaseException:
        if output is not None:
            output.close()
        raise
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start within 30 s")
        yield base
    finally:
        if graceful:
            stop_process(process, 30)
        else:
            process.kill()
            process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()
        if output is not None:
            output.close()
