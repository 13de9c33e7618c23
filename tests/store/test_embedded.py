"""The embedded adapter of the Store port, on a real pyoxigraph store."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryBoolean, RdfFormat, Triple

from service.errors import QuerySyntaxError
from service.store.embedded import EmbeddedStore
from service.store.port import Store, solutions

G1 = NamedNode("https://example.org/graph/1")
G2 = NamedNode("https://example.org/graph/2")
S = NamedNode("https://example.org/s")
P = NamedNode("https://example.org/p")


def _triple(value: str) -> Triple:
    return Triple(S, P, Literal(value))


def _literals(store: EmbeddedStore, graph: NamedNode) -> set[str]:
    return {q.object.value for q in store.quads(graph) if isinstance(q.object, Literal)}


def test_embedded_store_satisfies_the_port() -> None:
    assert isinstance(EmbeddedStore(), Store)


def test_replace_graphs_replaces_each_graph_and_leaves_others() -> None:
    store = EmbeddedStore()
    store.replace_graphs({G1: [_triple("a"), _triple("b")], G2: [_triple("x")]})
    store.replace_graphs({G1: [_triple("c")]})
    assert _literals(store, G1) == {"c"}
    assert _literals(store, G2) == {"x"}
    assert store.named_graphs() == [G1, G2]


def test_replace_graphs_with_no_triples_drops_the_graph() -> None:
    store = EmbeddedStore()
    store.replace_graphs({G1: [_triple("a")]})
    store.replace_graphs({G1: []})
    assert store.named_graphs() == []
    assert store.count() == 0


def test_replace_graphs_stores_hostile_literals_verbatim() -> None:
    hostile = '"} } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> "c" } #\n\\ 삼성전자 \U0001f600'
    store = EmbeddedStore()
    store.replace_graphs({G2: [_triple("keep")]})
    store.replace_graphs({G1: [_triple(hostile), Triple(S, P, Literal("x", language="ko"))]})
    assert _literals(store, G1) == {hostile, "x"}
    assert store.count(G2) == 1
    assert store.count() == 3


def test_query_uses_the_union_of_graphs_unless_a_default_graph_is_given() -> None:
    store = EmbeddedStore()
    store.replace_graphs({G1: [_triple("a")], G2: [_triple("b")]})
    union = solutions(store.query("SELECT ?o WHERE { ?s ?p ?o }"))
    assert sorted(row["o"].value for row in union) == ["a", "b"]
    only = solutions(store.query("SELECT ?o WHERE { ?s ?p ?o }", default_graph=[G2]))
    assert [row["o"].value for row in only] == ["b"]


def test_query_syntax_error_is_a_domain_error() -> None:
    with pytest.raises(QuerySyntaxError):
        EmbeddedStore().query("SELEC ?x WHERE {}")
    with pytest.raises(QuerySyntaxError):
        EmbeddedStore().update("INSERT GARBAGE")


def test_drop_graph_reports_whether_it_existed() -> None:
    store = EmbeddedStore()
    store.replace_graphs({G1: [_triple("a")]})
    assert store.drop_graph(G1) is True
    assert store.drop_graph(G1) is False


def test_bulk_extend_and_dump_round_trip() -> None:
    store = EmbeddedStore()
    quads = [Quad(S, P, Literal(str(i)), G1) for i in range(1000)]
    assert store.bulk_extend(quads) == 1000
    buffer = io.BytesIO()
    store.dump(buffer, RdfFormat.N_QUADS)
    other = EmbeddedStore()
    other.bulk_extend(Quad(q.subject, q.predicate, q.object, q.graph_name) for q in store.quads())
    assert other.count() == 1000
    assert buffer.getvalue().count(b"\n") == 1000
    answer = other.query(f"ASK {{ GRAPH {G1} {{ {S} {P} '999' }} }}")
    assert isinstance(answer, QueryBoolean)
    assert bool(answer)


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
