"""SPARQL Update through the validation gate.

The update runs first on a sandbox: an in-memory copy of the store. The graphs whose content
then differs from the copy are the write; each is validated as a candidate (with its cross-graph
context from the real store), and only if all conform are they committed to the real store in
one transaction. So a rejected update leaves the store exactly as it was, and what is validated
is what is committed. The copy costs time and memory in proportion to the store, so it is
capped (``ALLIANCEGRAPH_UPDATE_SANDBOX_MAX_QUADS``); past the cap, bulk changes go through
``alliancegraph load`` or the Graph Store protocol, which validate only the graphs they write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph
from pyoxigraph import DefaultGraph, NamedNode, Triple

from service.errors import (
    LoadRefused,
    ManagedGraphError,
    QuerySyntaxError,
    UpdateFailed,
    UpdateTooLarge,
)
from service.federation import check_federation
from service.ingest.gate import commit_graphs, graph_label, is_managed
from service.namespaces import GraphNames
from service.sparql_protocol import UpdateRequest
from service.store.port import GraphName, Store
from service.update_rewrite import (
    OPERATION_KEYWORDS,
    apply_protocol_dataset,
    mentioned_iris,
    tokenize,
)
from service.validation import ShapesGraph, ValidationReport


@dataclass
class UpdateOutcome:
    """What an update changed: graphs written, graphs it could not touch, warnings."""

    changed: list[str] = field(default_factory=list)
    untouched_managed: list[str] = field(default_factory=list)
    report: ValidationReport = field(default_factory=ValidationReport)


def _cleared_graphs(text: str) -> set[str]:
    """The IRIs named by CLEAR and DROP operations."""
    iris: set[str] = set()
    current = ""
    for token in tokenize(text):
        if token.kind == "semicolon":
            current = ""
        elif token.kind == "word" and token.depth == 0 and not current:
            word = token.text.upper()
            current = word if word in OPERATION_KEYWORDS else ""
        elif token.kind == "iri" and current in ("CLEAR", "DROP"):
            iris.add(token.text[1:-1])
    return iris


def _graph_triples(store: pyoxigraph.Store, graph: GraphName) -> set[Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, graph)}


def run_update(
    store: Store,
    shapes: ShapesGraph,
    graphs: GraphNames,
    request: UpdateRequest,
    *,
    base_iri: str,
    allowed_services: list[str],
    max_quads: int,
) -> UpdateOutcome:
    """Run a validated SPARQL update; the caller holds the write lock.

    :raises MalformedRequest: for a dataset conflict.
    :raises QuerySyntaxError: if the update does not parse.
    :raises ManagedGraphError: if it names a graph the service maintains.
    :raises LoadRefused: for LOAD, which would fetch from the network.
    :raises FederationRefused: for SERVICE outside the allow-list.
    :raises UpdateTooLarge: if the store is over the sandbox cap.
    :raises ValidationFailed: if a changed graph does not conform; nothing is written.
    """
    text = apply_protocol_dataset(request.text, request.using_graphs, request.using_named_graphs)
    if any(t.kind == "word" and t.depth == 0 and t.text.upper() == "LOAD" for t in tokenize(text)):
        raise LoadRefused("LOAD would fetch data from the network; upload it to /store instead")
    for iri in mentioned_iris(text):
        if iri in (graphs.ontology.value, graphs.derived.value):
            raise ManagedGraphError(f"<{iri}> is maintained by the service and cannot be updated")
    check_federation(text, allowed_services, update=True)
    size = store.count()
    if size > max_quads:
        raise UpdateTooLarge(
            f"the store holds {size} quads, over the {max_quads} that a validated SPARQL update "
            "can copy; write those graphs with the Graph Store protocol or alliancegraph load"
        )
    # Read once: the sandbox is compared with this copy, not with a second read of the store
    # (a remote store names blank nodes afresh on every read).
    before = pyoxigraph.Store()
    before.bulk_extend(store.quads())
    sandbox = pyoxigraph.Store()
    sandbox.bulk_extend(before)
    # Every graph exists, empty until written: clearing or dropping one that holds nothing is
    # not an error here (a graph that holds no quads is not kept by the store).
    for iri in _cleared_graphs(text):
        sandbox.add_graph(NamedNode(iri))
    try:
        sandbox.update(text, base_iri=base_iri)
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from None
    except RuntimeError as error:
        raise UpdateFailed(str(error)) from None
    outcome = UpdateOutcome()
    names: set[GraphName] = {DefaultGraph()}
    names |= {g for s in (before, sandbox) for g in s.named_graphs() if isinstance(g, NamedNode)}
    candidates: dict[GraphName, list[Triple]] = {}
    for graph in sorted(names, key=graph_label):
        after = _graph_triples(sandbox, graph)
        if after == _graph_triples(before, graph):
            continue
        if is_managed(graph, graphs):
            outcome.untouched_managed.append(graph_label(graph))
            continue
        candidates[graph] = sorted(after, key=str)
    if candidates:
        outcome.report = commit_graphs(store, shapes, candidates, graphs)
    outcome.changed = [graph_label(g) for g in candidates]
    return outcome
