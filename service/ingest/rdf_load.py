"""Loading RDF documents (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) into named graphs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Triple

from service.errors import AllianceGraphError, RdfSyntaxError
from service.ingest.gate import check_writable, commit_graphs
from service.namespaces import GraphNames
from service.rdf_formats import format_for_path
from service.store.port import Store
from service.validation import ShapesGraph, ValidationReport


class MissingGraphError(AllianceGraphError):
    """Triples that no named graph was given for."""

    title = "No target graph"


@dataclass(frozen=True)
class LoadResult:
    """What one document added: quads per graph, and the validation warnings."""

    path: Path
    graphs: dict[str, int]
    report: ValidationReport | None

    @property
    def quads(self) -> int:
        return sum(self.graphs.values())


def parse_graphs(
    source: Path | bytes,
    rdf_format: RdfFormat,
    *,
    graph: NamedNode | None = None,
    name: str = "",
) -> dict[NamedNode, list[Triple]]:
    """Parse a document into its graphs; triples outside a named graph go to ``graph``.

    :raises RdfSyntaxError: with line and column, if the document does not parse.
    :raises MissingGraphError: if the document has default-graph triples and ``graph`` is None.
    """
    candidates: dict[NamedNode, list[Triple]] = {}
    try:
        if isinstance(source, Path):
            quads = pyoxigraph.parse(path=str(source), format=rdf_format)
        else:
            quads = pyoxigraph.parse(source, format=rdf_format)
        for quad in quads:
            target = quad.graph_name
            if isinstance(target, DefaultGraph):
                if graph is None:
                    raise MissingGraphError(
                        f"{name or 'the document'} has triples outside any named graph; "
                        "say which graph they belong to (--graph IRI)"
                    )
                target = graph
            if not isinstance(target, NamedNode):
                raise AllianceGraphError(f"{name}: a graph name must be an IRI, not {target}")
            candidates.setdefault(target, []).append(quad.triple)
    except SyntaxError as error:
        raise RdfSyntaxError(
            _strip_position(str(error)), line=error.lineno, column=error.offset, source=name
        ) from None
    return candidates


def _strip_position(message: str) -> str:
    # pyoxigraph prefixes "Parser error at line L column C: "; we report line and column apart.
    head, separator, rest = message.partition(": ")
    return rest if separator and head.startswith("Parser error at") else message


def load_file(
    store: Store,
    shapes: ShapesGraph,
    path: Path,
    graphs: GraphNames,
    *,
    graph: NamedNode | None = None,
) -> LoadResult:
    """Load one document through the validation gate, replacing each graph it writes.

    :raises RdfSyntaxError, MissingGraphError, UnsupportedMediaType: for a bad document.
    :raises ValidationFailed: if a graph does not conform; the store is unchanged.
    """
    candidates = parse_graphs(path, format_for_path(path), graph=graph, name=str(path))
    report = commit_graphs(store, shapes, candidates, graphs)
    counts = {g.value: len(triples) for g, triples in candidates.items()}
    return LoadResult(path, counts, report)


class _CountingReader:
    """A binary file wrapper that reports how many bytes have been read so far."""

    def __init__(self, raw: BinaryIO, on_read: Callable[[int], None]) -> None:
        self._raw = raw
        self._on_read = on_read

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self._on_read(len(chunk))
        return chunk


def bulk_load_file(
    store: Store,
    path: Path,
    graphs: GraphNames,
    *,
    graph: NamedNode | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """Stream a large document into the store without validation (admin path, not atomic).

    Quads are added to what the graphs already hold; nothing is replaced.

    :raises RdfSyntaxError: if the document does not parse (quads before the error may remain).
    """
    if graph is not None:
        check_writable(graph, graphs)
    rdf_format = format_for_path(path)
    if not rdf_format.supports_datasets and graph is None:
        raise MissingGraphError(
            f"{path} is {rdf_format.name}, which has no named graphs; say which graph its "
            "triples belong to (--graph IRI)"
        )
    with path.open("rb") as raw:
        reader = _CountingReader(raw, on_progress or (lambda _: None))
        store.bulk_load(reader, rdf_format, graph=graph)  # type: ignore[arg-type]
    store.flush()
