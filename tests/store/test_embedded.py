"""What only the embedded adapter promises: durability of acknowledged writes on disk (the
port itself is tested on every kind of store in test_store.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from service.store.embedded import EmbeddedStore

G1 = NamedNode("https://example.org/graph/1")
G2 = NamedNode("https://example.org/graph/2")
S = NamedNode("https://example.org/s")
P = NamedNode("https://example.org/p")


def _triple(value: str) -> Triple:
    return Triple(S, P, Literal(value))


def _literals(store: EmbeddedStore, graph: NamedNode) -> set[str]:
    return {q.object.value for q in store.quads(graph) if isinstance(q.object, Literal)}


_KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from pyoxigraph import Literal, NamedNode, Triple
from service.store.embedded import EmbeddedStore

store = EmbeddedStore(Path(sys.argv[1]))
subject, predicate = NamedNode("https://example.org/s"), NamedNode("https://example.org/p")
triples = [Triple(subject, predicate, Literal(str(i))) for i in range(500)]
store.replace_graphs({NamedNode("https://example.org/graph/1"): triples})
store.flush()
print("acknowledged", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_acknowledged_write_survives_a_kill(tmp_path: Path) -> None:
    """A process that flushed a write and is then killed with SIGKILL loses nothing."""
    path = tmp_path / "store"
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITER, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == -9, done.stderr
    assert "acknowledged" in done.stdout
    reopened = EmbeddedStore(path)
    assert reopened.count(G1) == 500
