"""What the store holds about its sources: the paged list and one source's details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.errors import SourceNotFound
from service.ingest.gate import validate_candidate
from service.namespaces import GraphNames, sparql_prefixes
from service.store.port import Store, solutions
from service.validation import ShapesGraph

_PREFIXES = sparql_prefixes("ag", "schema", "prov")


@dataclass(frozen=True)
class SourceSummary:
    id: str
    graph: str
    iri: str
    kind: str
    published: str | None
    title: str | None
    url: str | None
    publisher: str | None


def _summaries(store: Store, graphs: GraphNames, filters: str, tail: str) -> list[SourceSummary]:
    prefix = graphs.source("").value
    rows = store.query(
        f"""{_PREFIXES}
        SELECT ?g ?s ?kind ?published ?title ?url ?publisher WHERE {{
            GRAPH ?g {{
                ?s a ?kind . FILTER (?kind IN (ag:NewsArticle, ag:Source))
                OPTIONAL {{ ?s schema:datePublished ?published }}
                OPTIONAL {{ ?s schema:headline ?title }}
                OPTIONAL {{ ?s schema:url ?url }}
                OPTIONAL {{ ?s schema:publisher ?publisher }}
            }}
            FILTER (STRSTARTS(STR(?g), "{prefix}")) {filters}
        }} {tail}"""
    )
    summaries = []
    for row in solutions(rows):
        graph = row["g"].value
        summaries.append(
            SourceSummary(
                id=graph[len(prefix) :],
                graph=graph,
                iri=row["s"].value,
                kind=row["kind"].value.rsplit("#", 1)[-1],
                published=row["published"].value if row["published"] is not None else None,
                title=row["title"].value if row["title"] is not None else None,
                url=row["url"].value if row["url"] is not None else None,
                publisher=row["publisher"].value if row["publisher"] is not None else None,
            )
        )
    return summaries


def list_sources(
    store: Store, graphs: GraphNames, *, limit: int, offset: int
) -> tuple[list[SourceSummary], int]:
    """A page of sources, newest publication first, and how many there are in all."""
    page = _summaries(
        store, graphs, "", f"ORDER BY DESC(?published) ?g LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    prefix = graphs.source("").value
    total = store.query(
        f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER (STRSTARTS(STR(?g), "{prefix}")) }}'
    )
    count = int(next(iter(solutions(total)))["n"].value)
    return page, count


def source_detail(
    store: Store, shapes: ShapesGraph, graphs: GraphNames, identifier: str
) -> dict[str, Any]:
    """One source: its metadata, what it holds, and its validation warnings now.

    :raises SourceNotFound: for an unknown id.
    """
    graph = graphs.source(identifier)
    if not store.contains_graph(graph):
        raise SourceNotFound(f"no source with id {identifier!r}")
    summaries = _summaries(store, graphs, f"FILTER (?g = {graph})", "")
    triples = [q.triple for q in store.quads(graph)]
    counts = store.query(
        f"""{_PREFIXES} SELECT
            (COUNT(DISTINCT ?rel) AS ?relationships) (COUNT(DISTINCT ?ev) AS ?evidence)
            WHERE {{ GRAPH {graph} {{
                OPTIONAL {{ ?rel prov:wasDerivedFrom ?source }}
                OPTIONAL {{ ?ev a ag:Evidence }}
            }} }}"""
    )
    row = next(iter(solutions(counts)))
    report = validate_candidate(
        store, shapes, graph, {graph: triples}, self_contained=graphs.is_source(graph)
    )
    summary = summaries[0].__dict__ if summaries else {"id": identifier, "graph": graph.value}
    return {
        **summary,
        "quads": len(triples),
        "relationships": int(row["relationships"].value),
        "evidence": int(row["evidence"].value),
        "warnings": [r.to_json() for r in report.warnings],
    }
