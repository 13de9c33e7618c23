"""The Store port, one test body for every kind of store: embedded (pyoxigraph), an Oxigraph
server and a Virtuoso server reached through the remote adapter (``any_store``)."""

from __future__ import annotations

import io

import pytest
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse,
)

from service.errors import QuerySyntaxError
from service.store.port import Row, Store, solutions

G1 = NamedNode("https://example.org/graph/1")
G2 = NamedNode("https://example.org/graph/2")
S = NamedNode("https://example.org/s")
P = NamedNode("https://example.org/p")
XSD = "http://www.w3.org/2001/XMLSchema#"


def _triple(value: str) -> Triple:
    return Triple(S, P, Literal(value))


def _literals(store: Store, graph: NamedNode) -> set[str]:
    return {q.object.value for q in store.quads(graph) if isinstance(q.object, Literal)}


def test_every_store_satisfies_the_port(any_store: Store) -> None:
    assert isinstance(any_store, Store)


def test_replace_graphs_replaces_each_graph_and_leaves_others(any_store: Store) -> None:
    any_store.replace_graphs({G1: [_triple("a"), _triple("b")], G2: [_triple("x")]})
    any_store.replace_graphs({G1: [_triple("c")]})
    assert _literals(any_store, G1) == {"c"}
    assert _literals(any_store, G2) == {"x"}
    assert any_store.named_graphs() == [G1, G2]
    assert any_store.count() == 2


def test_replace_graphs_with_no_triples_drops_the_graph(any_store: Store) -> None:
    any_store.replace_graphs({G1: [_triple("a")]})
    any_store.replace_graphs({G1: []})
    assert any_store.named_graphs() == []
    assert any_store.count() == 0
    assert not any_store.contains_graph(G1)


def test_replace_graphs_removes_and_adds_single_quads(any_store: Store) -> None:
    any_store.replace_graphs({G1: [_triple("a"), _triple("b")]})
    any_store.replace_graphs(
        {G2: [_triple("x")]},
        remove=[Quad(S, P, Literal("a"), G1)],
        add=[Quad(S, P, Literal("c"), G1)],
    )
    assert _literals(any_store, G1) == {"b", "c"}
    assert _literals(any_store, G2) == {"x"}


def test_replace_graphs_stores_hostile_literals_verbatim(any_store: Store) -> None:
    hostile = '"} } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> "c" } #\n\\ 삼성전자 \U0001f600'
    any_store.replace_graphs({G2: [_triple("keep")]})
    any_store.replace_graphs(
        {G1: [_triple(hostile), Triple(S, P, Literal("삼성전자", language="ko"))]}
    )
    assert _literals(any_store, G1) == {hostile, "삼성전자"}
    [row] = solutions(
        any_store.query(f"SELECT ?o WHERE {{ GRAPH {G1} {{ ?s ?p ?o FILTER (LANG(?o) = 'ko') }} }}")
    )
    assert row["o"] == Literal("삼성전자", language="ko")
    assert any_store.count(G2) == 1
    assert any_store.count() == 3


def test_typed_literals_come_back_as_they_went_in(any_store: Store) -> None:
    values = [
        Literal("2024-02-28", datatype=NamedNode(XSD + "date")),
        Literal("0.81", datatype=NamedNode(XSD + "decimal")),
        Literal("2024-02-28T09:00:00+09:00", datatype=NamedNode(XSD + "dateTime")),
        Literal("MWC 2024", language="en"),
        Literal("plain"),
    ]
    any_store.replace_graphs({G1: [Triple(S, P, v) for v in values]})
    rows = solutions(any_store.query(f"SELECT ?o WHERE {{ GRAPH {G1} {{ {S} {P} ?o }} }}"))
    assert {row["o"] for row in rows} == set(values)
    assert {q.object for q in any_store.quads(G1)} == set(values)


def test_query_uses_the_union_of_graphs_unless_a_default_graph_is_given(
    any_store: Store,
) -> None:
    any_store.replace_graphs({G1: [_triple("a")], G2: [_triple("b")]})
    union = solutions(any_store.query(f"SELECT ?o WHERE {{ ?s {P} ?o }}"))
    assert sorted(row["o"].value for row in union) == ["a", "b"]
    only = solutions(any_store.query(f"SELECT ?o WHERE {{ ?s {P} ?o }}", default_graph=[G2]))
    assert [row["o"].value for row in only] == ["b"]
    named = solutions(
        any_store.query(
            f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s {P} ?o }} }}", default_graph=[G1], named_graphs=[G1]
        )
    )
    assert [row["g"] for row in named] == [G1]


def test_ask_construct_and_base_iri(any_store: Store) -> None:
    any_store.replace_graphs({G1: [_triple("a")]})
    asked = any_store.query(f"ASK {{ {S} {P} 'a' }}")
    assert isinstance(asked, QueryBoolean)
    assert bool(asked)
    assert not bool(any_store.query(f"ASK {{ {S} {P} 'nothing' }}"))
    built = any_store.query(f"CONSTRUCT {{ ?s <https://example.org/q> ?o }} WHERE {{ ?s {P} ?o }}")
    assert isinstance(built, QueryTriples)
    assert list(built) == [Triple(S, NamedNode("https://example.org/q"), Literal("a"))]
    relative = any_store.query("SELECT ?o WHERE { <s> <p> ?o }", base_iri="https://example.org/")
    assert isinstance(relative, QuerySolutions)
    assert [row["o"] for row in solutions(relative)] == [Literal("a")]


def test_blank_nodes_stay_one_node_within_a_write(any_store: Store) -> None:
    node = BlankNode()
    any_store.replace_graphs(
        {
            G1: [Triple(S, P, node), Triple(node, P, Literal("inside"))],
            G2: [Triple(node, P, Literal("other graph"))],
        }
    )
    rows = solutions(
        any_store.query(
            f"SELECT ?v ?w WHERE {{ GRAPH {G1} {{ {S} {P} ?b . ?b {P} ?v }} "
            f"GRAPH {G2} {{ ?b {P} ?w }} }}"
        )
    )
    assert [(row["v"].value, row["w"].value) for row in rows] == [("inside", "other graph")]
    [quad] = [q for q in any_store.quads(G1) if q.subject == S]
    assert isinstance(quad.object, BlankNode)


def test_query_syntax_errors_are_domain_errors(any_store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        any_store.query("SELEC ?x WHERE {}")
    with pytest.raises(QuerySyntaxError):
        any_store.update("INSERT GARBAGE")


def test_update_applies_and_changes_the_generation(any_store: Store) -> None:
    before = any_store.generation
    any_store.update(f'INSERT DATA {{ GRAPH {G1} {{ {S} {P} "u" }} }}')
    assert any_store.generation != before
    assert _literals(any_store, G1) == {"u"}
    seen = {before, any_store.generation}
    for value in ("v", "w", "z"):  # each write a new version, never one seen before
        any_store.update(f'INSERT DATA {{ GRAPH {G1} {{ {S} {P} "{value}" }} }}')
        assert any_store.generation not in seen
        seen.add(any_store.generation)
    any_store.replace_graphs({G2: [_triple("x")]})
    assert any_store.generation not in seen


def test_drop_graph_reports_whether_it_existed(any_store: Store) -> None:
    any_store.replace_graphs({G1: [_triple("a")]})
    assert any_store.contains_graph(G1)
    assert any_store.drop_graph(G1) is True
    assert any_store.drop_graph(G1) is False
    assert not any_store.contains_graph(G1)


def test_bulk_extend_and_dump_round_trip(any_store: Store) -> None:
    quads = [Quad(S, P, Literal(str(i)), G1 if i % 2 else G2) for i in range(12_000)]
    assert any_store.bulk_extend(quads) == 12_000
    assert any_store.count() == 12_000
    assert any_store.count(G1) == 6_000
    buffer = io.BytesIO()
    any_store.dump(buffer, RdfFormat.N_QUADS)
    dumped = set(parse(buffer.getvalue(), format=RdfFormat.N_QUADS))
    assert dumped == set(quads)
    one = io.BytesIO()
    any_store.dump(one, RdfFormat.TURTLE, graph=G1)
    assert len(list(parse(one.getvalue(), format=RdfFormat.TURTLE))) == 6_000
    answer = any_store.query(f"ASK {{ GRAPH {G1} {{ {S} {P} '11999' }} }}")
    assert bool(answer)


def test_the_default_graph_is_not_a_named_graph(any_store: Store) -> None:
    any_store.replace_graphs({G1: [_triple("a")]})
    assert DefaultGraph() not in any_store.named_graphs()
    assert list(any_store.quads(DefaultGraph())) == []


def test_a_graph_larger_than_virtuosos_stock_result_limit_is_read_whole(any_store: Store) -> None:
    """12,500 triples: over Virtuoso's stock ResultSetMaxRows (10,000), which a deployment
    raises (the test server does); a cut result is refused (tests/store/test_remote.py)."""
    quads = [Quad(S, P, Literal(str(i)), G1) for i in range(12_500)]
    any_store.bulk_extend(quads)
    assert any_store.count(G1) == 12_500
    assert set(any_store.quads(G1)) == set(quads)
    select = f"SELECT ?o WHERE {{ GRAPH {G1} {{ ?s ?p ?o }} }}"
    assert len(solutions(any_store.query(select))) == 12_500


def test_an_update_sent_as_a_query_is_refused_and_changes_nothing(any_store: Store) -> None:
    any_store.replace_graphs({G1: [_triple("keep")]})
    for text in ("CLEAR ALL", f"DROP GRAPH {G1}", "SELECT * WHERE {} ; CLEAR ALL"):
        with pytest.raises(QuerySyntaxError):
            any_store.query(text)
    assert _literals(any_store, G1) == {"keep"}


def test_select_results_carry_blank_nodes_and_booleans_as_rdf_says(any_store: Store) -> None:
    node = BlankNode()
    any_store.replace_graphs({G1: [Triple(S, P, node), Triple(node, P, Literal(True))]})
    [row] = solutions(
        any_store.query(f"SELECT ?b ?c ?v WHERE {{ {S} {P} ?b . ?c {P} ?v FILTER isLiteral(?v) }}")
    )
    assert isinstance(row["b"], BlankNode)
    assert row["b"] == row["c"]  # one node within one result
    assert row["v"] == Literal(True)
    assert row["v"].value == "true"


def test_a_query_with_its_own_from_reads_only_those_graphs(any_store: Store) -> None:
    any_store.replace_graphs({G1: [_triple("one")], G2: [_triple("two")]})

    def ask(text: str) -> list[Row]:
        return solutions(any_store.query(text, base_iri="https://example.org/"))

    rows = ask("SELECT ?o FROM <graph/2> WHERE { ?s <p> ?o }")
    assert [row["o"].value for row in rows] == ["two"]
    # FROM without FROM NAMED: no named graph.
    assert ask("SELECT ?g FROM <graph/2> WHERE { GRAPH ?g { ?s <p> ?o } }") == []
    only = ask("SELECT ?g FROM NAMED <graph/1> WHERE { GRAPH ?g { ?s <p> ?o } }")
    assert [row["g"] for row in only] == [G1]
    variable = ask("SELECT ?from WHERE { ?s <p> ?from }")
    assert sorted(row["from"].value for row in variable) == ["one", "two"]
