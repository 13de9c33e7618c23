"""The derived graph: partnerOf and memberOf kept current by every commit, retraction included."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Triple

from service.context import ServiceContext
from service.ingest.gate import commit_graphs
from service.iri import organization_iri
from service.namespaces import AG, PROV, RDF, RDFS, SCHEMA, XSD
from service.store.port import GraphName

TYPE = NamedNode(RDF + "type")


def _edges(context: ServiceContext) -> set[tuple[str, str, str]]:
    return {
        (q.subject.value, q.predicate.value.removeprefix(AG), q.object.value)  # type: ignore[union-attr]
        for q in context.store.quads(context.graphs.derived)
    }


def _org(name: str) -> str:
    return organization_iri(name)


def test_example_data_derives_partners_and_memberships(example_context: ServiceContext) -> None:
    edges = _edges(example_context)
    lg, meta = _org("LG Electronics"), _org("Meta Platforms")
    assert (lg, "partnerOf", meta) in edges
    assert (meta, "partnerOf", lg) in edges
    assert (_org("Samsung Electronics"), "memberOf", _org("AI-RAN Alliance")) in edges
    # A meeting is not a partnership: Samsung and Meta only met.
    assert (_org("Samsung Electronics"), "partnerOf", meta) not in edges
    assert all(p in ("partnerOf", "memberOf") for _, p, _ in edges)


def _source(context: ServiceContext, name: str, a: str, b: str) -> dict[GraphName, list[Triple]]:
    source = NamedNode(f"https://w3id.org/alliancegraph/id/source/{name}")
    rel = NamedNode("https://w3id.org/alliancegraph/id/rel/shared-deal")
    evidence = NamedNode(f"https://w3id.org/alliancegraph/id/evidence/{name}")
    triples = [
        Triple(source, TYPE, NamedNode(AG + "NewsArticle")),
        Triple(
            source,
            NamedNode(SCHEMA + "datePublished"),
            Literal("2025-01-01", datatype=NamedNode(XSD + "date")),
        ),
        Triple(rel, TYPE, NamedNode(AG + "CoDevelopment")),
        Triple(rel, NamedNode(AG + "participant"), NamedNode(a)),
        Triple(rel, NamedNode(AG + "participant"), NamedNode(b)),
        Triple(rel, NamedNode(PROV + "wasDerivedFrom"), source),
        Triple(rel, NamedNode(PROV + "qualifiedDerivation"), evidence),
        Triple(evidence, TYPE, NamedNode(AG + "Evidence")),
        Triple(evidence, NamedNode(PROV + "entity"), source),
        Triple(evidence, NamedNode(AG + "quote"), Literal("They will build it together.")),
        Triple(
            evidence,
            NamedNode(AG + "confidence"),
            Literal("0.9", datatype=NamedNode(XSD + "decimal")),
        ),
    ]
    for iri, label in ((a, "Alpha"), (b, "Beta")):
        triples += [
            Triple(NamedNode(iri), TYPE, NamedNode(AG + "Firm")),
            Triple(NamedNode(iri), NamedNode(RDFS + "label"), Literal(label, language="en")),
        ]
    return {context.graphs.source(name): triples}


def test_an_edge_supported_by_two_sources_survives_retracting_one(context: ServiceContext) -> None:
    a, b = _org("Alpha"), _org("Beta")
    commit_graphs(context.store, context.shapes, _source(context, "one", a, b), context.graphs)
    commit_graphs(context.store, context.shapes, _source(context, "two", a, b), context.graphs)
    assert _edges(context) == {(a, "partnerOf", b), (b, "partnerOf", a)}
    commit_graphs(context.store, context.shapes, {context.graphs.source("one"): []}, context.graphs)
    assert _edges(context) == {(a, "partnerOf", b), (b, "partnerOf", a)}
    commit_graphs(context.store, context.shapes, {context.graphs.source("two"): []}, context.graphs)
    assert _edges(context) == set()


def test_retracting_a_source_leaves_other_organizations_edges(
    example_context: ServiceContext,
) -> None:
    before = _edges(example_context)
    a, b = _org("Alpha"), _org("Beta")
    commit_graphs(
        example_context.store,
        example_context.shapes,
        _source(example_context, "x", a, b),
        example_context.graphs,
    )
    commit_graphs(
        example_context.store,
        example_context.shapes,
        {example_context.graphs.source("x"): []},
        example_context.graphs,
    )
    assert _edges(example_context) == before
