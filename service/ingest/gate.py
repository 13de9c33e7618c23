"""The validation gate that every write path goes through (DESIGN.md, "Writes: the validation gate").

Each candidate graph is validated on its own, with the ontology as context, and all candidates of
one write are committed in one atomic step, or none is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyoxigraph import NamedNode, Triple

from service.errors import AllianceGraphError, ValidationFailed
from service.namespaces import SKOS, GraphNames
from service.store.port import Store, solutions
from service.validation import ShapesGraph, ValidationReport


class ManagedGraphError(AllianceGraphError):
    """A write aimed at a graph that the service maintains itself."""

    status = 403
    title = "Graph is managed by the service"


def check_writable(graph: NamedNode, graphs: GraphNames) -> None:
    """Refuse writes to graphs the service maintains (the ontology and the derived shortcuts).

    :raises ManagedGraphError: for the ontology or derived graph.
    """
    if graph in (graphs.ontology, graphs.derived):
        raise ManagedGraphError(
            f"<{graph.value}> is maintained by the service and cannot be written directly"
        )


def commit_graphs(
    store: Store,
    shapes: ShapesGraph,
    candidates: Mapping[NamedNode, Sequence[Triple]],
    graphs: GraphNames,
) -> ValidationReport:
    """Validate each candidate graph, then replace all of them atomically and flush.

    :returns: the report (warnings only, since it conforms).
    :raises ManagedGraphError: if a candidate targets a managed graph.
    :raises ValidationFailed: if any candidate has a SHACL violation; the store is unchanged.
    """
    for graph in candidates:
        check_writable(graph, graphs)
    report = ValidationReport()
    for graph, triples in candidates.items():
        context = wikidata_link_context(store, triples, graph)
        report.extend(shapes.validate([*triples, *context], graph=graph.value))
    if not report.conforms:
        raise ValidationFailed(report)
    store.replace_graphs(candidates)
    store.flush()
    return report


_EXACT_MATCH = NamedNode(SKOS + "exactMatch")


def wikidata_link_context(store: Store, triples: Sequence[Triple], graph: NamedNode) -> list[Triple]:
    """The Wikidata links that other graphs hold for the candidate's subjects.

    They are context: a firm linked in the reference graph is linked, even if the source that
    mentions it does not repeat the link, and a second, different link is caught.
    """
    subjects = {t.subject for t in triples if isinstance(t.subject, NamedNode)}
    if not subjects:
        return []
    values = " ".join(str(s) for s in subjects)
    answer = store.query(
        f"SELECT DISTINCT ?s ?o WHERE {{ VALUES ?s {{ {values} }} "
        f"GRAPH ?g {{ ?s {_EXACT_MATCH} ?o }} FILTER (?g != {graph}) }}"
    )
    return [Triple(row["s"], _EXACT_MATCH, row["o"]) for row in solutions(answer)]
