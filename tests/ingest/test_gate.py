"""The validation gate: cross-graph rules at write time, managed graphs, warnings."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from service.context import ServiceContext
from service.errors import ManagedGraphError, ValidationFailed
from service.ingest.gate import commit_graphs
from service.namespaces import AG, RDF, RDFS, SKOS, WD
from service.store.port import GraphName

ORG = "https://w3id.org/alliancegraph/id/org/"
TYPE, LABEL = NamedNode(RDF + "type"), NamedNode(RDFS + "label")
FIRM, SUBSIDIARY_OF = NamedNode(AG + "Firm"), NamedNode(AG + "subsidiaryOf")
EXACT = NamedNode(SKOS + "exactMatch")


def _firm(slug: str, name: str, qid: str | None = None) -> list[Triple]:
    node = NamedNode(ORG + slug)
    triples = [Triple(node, TYPE, FIRM), Triple(node, LABEL, Literal(name, language="en"))]
    if qid:
        triples.append(Triple(node, EXACT, NamedNode(WD + qid)))
    return triples


def _snapshot(ctx: ServiceContext) -> list[str]:
    return sorted(str(q) for q in ctx.store.quads())


def test_a_second_firm_with_the_same_wikidata_item_is_rejected_across_graphs(
    context: ServiceContext,
) -> None:
    first = context.graphs.source("first")
    commit_graphs(
        context.store,
        context.shapes,
        {first: _firm("alpha", "Alpha", "Q99990001")},
        context.graphs,
    )
    before = _snapshot(context)
    with pytest.raises(ValidationFailed) as failure:
        commit_graphs(
            context.store,
            context.shapes,
            {context.graphs.source("second"): _firm("beta", "Beta", "Q99990001")},
            context.graphs,
        )
    [violation] = failure.value.report.violations
    assert violation.focus_node == ORG + "beta"
    assert violation.value == f"<{ORG}alpha>"
    assert _snapshot(context) == before


def test_replacing_a_graph_does_not_conflict_with_its_own_old_version(
    context: ServiceContext,
) -> None:
    graph = context.graphs.source("same")
    for _ in range(2):
        commit_graphs(
            context.store,
            context.shapes,
            {graph: _firm("alpha", "Alpha", "Q99990001")},
            context.graphs,
        )
    assert context.store.count(graph) == 3


def test_a_subsidiary_cycle_closed_across_two_graphs_is_rejected(
    context: ServiceContext,
) -> None:
    a, b = NamedNode(ORG + "alpha"), NamedNode(ORG + "beta")
    commit_graphs(
        context.store,
        context.shapes,
        {
            context.graphs.source("one"): [
                *_firm("alpha", "Alpha", "Q99990001"),
                *_firm("beta", "Beta", "Q99990002"),
                Triple(a, SUBSIDIARY_OF, b),
            ]
        },
        context.graphs,
    )
    with pytest.raises(ValidationFailed) as failure:
        commit_graphs(
            context.store,
            context.shapes,
            {
                context.graphs.source("two"): [
                    *_firm("beta", "Beta", "Q99990002"),
                    Triple(b, SUBSIDIARY_OF, a),
                ]
            },
            context.graphs,
        )
    assert {v.focus_node for v in failure.value.report.violations} == {b.value}
    assert all("cycle" in v.message for v in failure.value.report.violations)


def test_vocabulary_terms_cannot_be_redefined_by_a_source(context: ServiceContext) -> None:
    hijack = [Triple(NamedNode(AG + "Firm"), LABEL, Literal("Not a firm", language="fr"))]
    with pytest.raises(ValidationFailed) as failure:
        commit_graphs(
            context.store, context.shapes, {context.graphs.source("x"): hijack}, context.graphs
        )
    assert failure.value.report.violations[0].constraint.endswith("VocabularyIsReadOnly")


@pytest.mark.parametrize("which", ["ontology", "derived"])
def test_managed_graphs_cannot_be_written(context: ServiceContext, which: str) -> None:
    graph = getattr(context.graphs, which)
    with pytest.raises(ManagedGraphError):
        commit_graphs(context.store, context.shapes, {graph: _firm("a", "A")}, context.graphs)


def test_warnings_do_not_block_a_write(context: ServiceContext) -> None:
    graph = context.graphs.source("w")
    report = commit_graphs(context.store, context.shapes, {graph: _firm("a", "A")}, context.graphs)
    assert report.conforms
    assert [w.path for w in report.warnings] == [SKOS + "exactMatch"]
    assert context.store.count(graph) == 2


def test_one_write_of_several_graphs_is_all_or_nothing(context: ServiceContext) -> None:
    good, bad = context.graphs.source("good"), context.graphs.source("bad")
    nameless = [Triple(NamedNode(ORG + "nameless"), TYPE, FIRM)]
    with pytest.raises(ValidationFailed):
        commit_graphs(
            context.store, context.shapes, {good: _firm("a", "A"), bad: nameless}, context.graphs
        )
    assert good not in context.store.named_graphs()


def test_a_source_cannot_declare_vocabulary_with_its_own_iris(context: ServiceContext) -> None:
    deal = NamedNode("https://example.org/Deal")
    blockchain = NamedNode("https://example.org/Blockchain")
    statements = [
        Triple(deal, NamedNode(RDFS + "subClassOf"), NamedNode(AG + "Relationship")),
        Triple(blockchain, NamedNode(SKOS + "inScheme"), NamedNode(AG + "TechnologyDomains")),
        Triple(blockchain, TYPE, NamedNode(AG + "TechnologyDomain")),
    ]
    with pytest.raises(ValidationFailed) as failure:
        commit_graphs(
            context.store, context.shapes, {context.graphs.source("v"): statements}, context.graphs
        )
    flagged = {
        v.focus_node
        for v in failure.value.report.violations
        if v.constraint.endswith("VocabularyIsReadOnly")
    }
    assert flagged == {deal.value, blockchain.value}


def test_a_cycle_split_across_two_graphs_of_one_write_is_rejected(context: ServiceContext) -> None:
    a, b = NamedNode(ORG + "alpha"), NamedNode(ORG + "beta")
    write: dict[GraphName, list[Triple]] = {
        context.graphs.source("one"): [
            *_firm("alpha", "Alpha", "Q99990001"),
            Triple(a, SUBSIDIARY_OF, b),
        ],
        context.graphs.source("two"): [
            *_firm("beta", "Beta", "Q99990002"),
            Triple(b, SUBSIDIARY_OF, a),
        ],
    }
    with pytest.raises(ValidationFailed):
        commit_graphs(context.store, context.shapes, write, context.graphs)
    assert context.store.named_graphs() == [context.graphs.ontology]


def test_one_wikidata_item_in_two_graphs_of_one_write_is_rejected(context: ServiceContext) -> None:
    write: dict[GraphName, list[Triple]] = {
        context.graphs.source("one"): _firm("alpha", "Alpha", "Q99990001"),
        context.graphs.source("two"): _firm("beta", "Beta", "Q99990001"),
    }
    with pytest.raises(ValidationFailed):
        commit_graphs(context.store, context.shapes, write, context.graphs)


def test_moving_an_edge_between_graphs_in_one_write_is_not_a_cycle(
    context: ServiceContext,
) -> None:
    x, y = NamedNode(ORG + "x"), NamedNode(ORG + "y")
    first, second = context.graphs.source("a"), context.graphs.source("b")
    commit_graphs(
        context.store,
        context.shapes,
        {
            second: [
                *_firm("x", "X", "Q99990001"),
                *_firm("y", "Y", "Q99990002"),
                Triple(y, SUBSIDIARY_OF, x),
            ]
        },
        context.graphs,
    )
    commit_graphs(
        context.store,
        context.shapes,
        {
            second: [*_firm("x", "X", "Q99990001"), *_firm("y", "Y", "Q99990002")],
            first: [
                *_firm("x", "X", "Q99990001"),
                *_firm("y", "Y", "Q99990002"),
                Triple(x, SUBSIDIARY_OF, y),
            ],
        },
        context.graphs,
    )
    assert context.store.count(first) == 7


def test_a_second_english_label_from_another_graph_is_rejected(context: ServiceContext) -> None:
    commit_graphs(
        context.store,
        context.shapes,
        {context.graphs.reference: _firm("alpha", "Alpha Corp", "Q99990001")},
        context.graphs,
    )
    with pytest.raises(ValidationFailed) as failure:
        commit_graphs(
            context.store,
            context.shapes,
            {context.graphs.source("s"): _firm("alpha", "Alpha", "Q99990001")},
            context.graphs,
        )
    assert failure.value.report.violations[0].path == RDFS + "label"


def test_a_type_disjoint_with_one_from_another_graph_is_rejected(context: ServiceContext) -> None:
    commit_graphs(
        context.store,
        context.shapes,
        {context.graphs.reference: _firm("alpha", "Alpha", "Q99990001")},
        context.graphs,
    )
    node = NamedNode(ORG + "alpha")
    alliance = [
        Triple(node, TYPE, NamedNode(AG + "Alliance")),
        Triple(node, LABEL, Literal("Alpha", language="en")),
    ]
    with pytest.raises(ValidationFailed) as failure:
        commit_graphs(
            context.store, context.shapes, {context.graphs.source("s"): alliance}, context.graphs
        )
    assert failure.value.report.violations[0].shape.endswith("DisjointClassesShape")  # type: ignore[union-attr]


def test_a_source_must_type_the_organizations_it_references(context: ServiceContext) -> None:
    """Source graphs are self-contained: a participant typed only in the registry is not enough."""
    commit_graphs(
        context.store,
        context.shapes,
        {
            context.graphs.reference: [
                *_firm("alpha", "Alpha", "Q99990001"),
                *_firm("beta", "Beta", "Q99990002"),
            ]
        },
        context.graphs,
    )
    alpha, beta = NamedNode(ORG + "alpha"), NamedNode(ORG + "beta")
    source = [*_firm("alpha", "Alpha", "Q99990001"), Triple(alpha, SUBSIDIARY_OF, beta)]
    with pytest.raises(ValidationFailed):
        commit_graphs(
            context.store, context.shapes, {context.graphs.source("s"): source}, context.graphs
        )
    # The registry itself may reference what another reference-like graph types.
    commit_graphs(
        context.store,
        context.shapes,
        {context.graphs.wikidata: [Triple(alpha, SUBSIDIARY_OF, beta)]},
        context.graphs,
    )


def test_a_blank_node_shared_by_two_graphs_is_committed(context: ServiceContext) -> None:
    from pyoxigraph import BlankNode

    shared = BlankNode()
    p = NamedNode("https://example.org/p")
    write: dict[GraphName, list[Triple]] = {
        NamedNode("https://example.org/g1"): [Triple(shared, p, Literal("1"))],
        NamedNode("https://example.org/g2"): [Triple(shared, p, Literal("2"))],
    }
    commit_graphs(context.store, context.shapes, write, context.graphs)
    rows = context.store.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s <https://example.org/p> ?o } }"
    )
    assert len(list(rows)) == 1  # type: ignore[arg-type]
