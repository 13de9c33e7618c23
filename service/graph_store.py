"""The SPARQL 1.1 Graph Store HTTP Protocol operations (https://www.w3.org/TR/sparql11-http-rdf-update/).

Graphs are identified indirectly (``?graph=IRI`` or ``?default``). Every write goes through the
validation gate: PUT validates the new content, POST the merge of old and new content, and each
is committed atomically.
"""

from __future__ import annotations

import email
import email.policy
import uuid
from dataclasses import dataclass

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Triple

from service.errors import GraphPayloadError, SourceNotFound
from service.ingest.gate import check_writable, commit_graphs
from service.ingest.rdf_load import parse_graphs
from service.namespaces import GraphNames
from service.rdf_formats import format_for_media_type
from service.store.port import GraphName, Store
from service.validation import ShapesGraph, ValidationReport


@dataclass(frozen=True)
class GraphWrite:
    """The outcome of a write: whether the graph was created, and the gate's warnings."""

    graph: GraphName
    created: bool
    report: ValidationReport


def graph_exists(store: Store, graph: GraphName) -> bool:
    """Whether the graph holds anything (the default graph always exists)."""
    return isinstance(graph, DefaultGraph) or store.contains_graph(graph)


def require_graph(store: Store, graph: GraphName) -> None:
    """:raises SourceNotFound: if a named graph holds nothing."""
    if not graph_exists(store, graph):
        raise SourceNotFound(f"the store has no graph <{graph}>")


def _parse_document(body: bytes, content_type: str | None, name: str) -> list[Triple]:
    rdf_format = format_for_media_type(content_type or "")
    target = NamedNode("urn:x-alliancegraph:payload")
    parsed = parse_graphs(body, rdf_format, graph=target, name=name)
    if set(parsed) - {target}:
        raise GraphPayloadError(
            f"{name} names other graphs; send triples for this one graph (or use TriG with "
            "everything in the default graph)"
        )
    return parsed.get(target, [])


def _multipart_documents(body: bytes, content_type: str) -> list[tuple[bytes, str | None, str]]:
    """The parts of a ``multipart/form-data`` body: (content, media type, name)."""
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body,
        policy=email.policy.HTTP,
    )
    if not message.is_multipart():
        raise GraphPayloadError("the multipart body has no parts")
    documents = []
    for part in message.iter_parts():
        name = part.get_filename() or part.get_param("name", header="content-disposition") or "part"
        media = part.get_content_type() if part.get("content-type") else None
        if media is None:
            rdf_format = RdfFormat.from_extension(str(name).rsplit(".", 1)[-1])
            media = rdf_format.media_type if rdf_format is not None else None
        payload = part.get_payload(decode=True)
        documents.append((payload if isinstance(payload, bytes) else b"", media, str(name)))
    return documents


def parse_payload(body: bytes, content_type: str | None) -> list[Triple]:
    """The triples of a request body, in any RDF syntax the service reads, or a
    ``multipart/form-data`` body of such documents (their triples are merged).

    :raises UnsupportedMediaType: for a missing or unknown media type.
    :raises RdfSyntaxError: with line and column, for a body that does not parse.
    :raises GraphPayloadError: for a quad document that names other graphs.
    """
    if (content_type or "").lower().startswith("multipart/form-data"):
        triples: list[Triple] = []
        for content, media, name in _multipart_documents(body, content_type or ""):
            triples += _parse_document(content, media, f"part {name!r}")
        return triples
    return _parse_document(body, content_type, "request body")


def put_graph(
    store: Store, shapes: ShapesGraph, graphs: GraphNames, graph: GraphName, triples: list[Triple]
) -> GraphWrite:
    """Replace a graph's content (PUT).

    :raises ManagedGraphError, ValidationFailed: as the gate does.
    """
    check_writable(graph, graphs)
    existed = graph_exists(store, graph) and not isinstance(graph, DefaultGraph)
    report = commit_graphs(store, shapes, {graph: triples}, graphs)
    return GraphWrite(graph, not existed and not isinstance(graph, DefaultGraph), report)


def post_graph(
    store: Store, shapes: ShapesGraph, graphs: GraphNames, graph: GraphName, triples: list[Triple]
) -> GraphWrite:
    """Merge triples into a graph (POST), creating it if needed."""
    check_writable(graph, graphs)
    existing = [q.triple for q in store.quads(graph)]
    created = not existing and not isinstance(graph, DefaultGraph)
    report = commit_graphs(store, shapes, {graph: [*existing, *triples]}, graphs)
    return GraphWrite(graph, created, report)


def new_graph_name(graphs: GraphNames) -> NamedNode:
    """A fresh graph IRI for a POST to the store itself."""
    return NamedNode(f"{graphs.base}upload/{uuid.uuid4()}")


def delete_graph(store: Store, shapes: ShapesGraph, graphs: GraphNames, graph: GraphName) -> None:
    """Remove a graph (DELETE), with the derived shortcuts only it supported.

    :raises SourceNotFound: if it does not exist.
    """
    check_writable(graph, graphs)
    if isinstance(graph, NamedNode) and not store.contains_graph(graph):
        raise SourceNotFound(f"the store has no graph <{graph.value}>")
    commit_graphs(store, shapes, {graph: []}, graphs)
