"""Loading RDF documents (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) into named graphs.

Graphs that the service maintains (ontology, derived) are skipped when a document carries them,
as a dump of another store does: the store has its own ontology and derives its own shortcuts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, cast

import pyoxigraph
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Triple

from service.errors import AllianceGraphError, MissingGraphError, RdfSyntaxError
from service.ingest.gate import check_writable, commit_graphs, graph_label, is_managed
from service.namespaces import GraphNames
from service.rdf_formats import format_for_path
from service.store.port import GraphName, Store
from service.validation import ShapesGraph, ValidationReport


@dataclass(frozen=True)
class LoadResult:
    """What a load wrote: quads per graph, graphs skipped, and the validation warnings."""

    paths: list[Path]
    graphs: dict[str, int]
    report: ValidationReport | None = None
    skipped: list[str] = field(default_factory=list)

    @property
    def quads(self) -> int:
        return sum(self.graphs.values())


def _route(
    quads: Iterable[Quad], graph: NamedNode | None, name: str
) -> Iterator[tuple[NamedNode, Triple]]:
    """Each quad's target graph: its own name, or ``graph`` for the default graph."""
    for quad in quads:
        if isinstance(quad.subject, Triple) or isinstance(quad.object, Triple):
            raise RdfSyntaxError(
                f"RDF 1.2 triple terms are not supported (found {quad.triple})", source=name
            )
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
        yield target, quad.triple


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
        for target, triple in _route(quads, graph, name):
            candidates.setdefault(target, []).append(triple)
    except SyntaxError as error:
        raise RdfSyntaxError.from_parser(error, name) from None
    return candidates


def load_files(
    store: Store,
    shapes: ShapesGraph,
    paths: Sequence[Path],
    graphs: GraphNames,
    *,
    graph: NamedNode | None = None,
) -> LoadResult:
    """Load documents through the validation gate as one write.

    Each graph the documents write is replaced by what they hold together (two files for the
    same graph are merged, not loaded one over the other); all graphs are committed in one
    transaction, so loading the same files again changes nothing.

    :raises RdfSyntaxError, MissingGraphError, UnsupportedMediaType: naming the bad document.
    :raises ManagedGraphError: if ``graph`` is a graph the service maintains.
    :raises ValidationFailed: if a graph does not conform; the store is unchanged.
    """
    if graph is not None:
        check_writable(graph, graphs)
    merged: dict[GraphName, list[Triple]] = {}
    skipped: set[str] = set()
    for path in paths:
        for target, triples in parse_graphs(
            path, format_for_path(path), graph=graph, name=str(path)
        ).items():
            if is_managed(target, graphs):
                skipped.add(target.value)
            else:
                merged.setdefault(target, []).extend(triples)
    report = commit_graphs(store, shapes, merged, graphs)
    counts = {graph_label(g): len(set(triples)) for g, triples in merged.items()}
    return LoadResult(list(paths), counts, report, sorted(skipped))


def load_file(
    store: Store,
    shapes: ShapesGraph,
    path: Path,
    graphs: GraphNames,
    *,
    graph: NamedNode | None = None,
) -> LoadResult:
    """Load one document through the validation gate (see :func:`load_files`)."""
    return load_files(store, shapes, [path], graphs, graph=graph)


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
) -> LoadResult:
    """Stream a large document into the store without validation (admin path, not atomic).

    Quads are added to what the graphs already hold; nothing is replaced.

    :raises RdfSyntaxError: if the document does not parse (quads before the error remain).
    """
    if graph is not None:
        check_writable(graph, graphs)
    rdf_format = format_for_path(path)
    if not rdf_format.supports_datasets and graph is None:
        raise MissingGraphError(
            f"{path} is {rdf_format.name}, which has no named graphs; say which graph its "
            "triples belong to (--graph IRI)"
        )
    counts: dict[str, int] = {}
    skipped: set[str] = set()

    def writable(quads: Iterable[Quad]) -> Iterator[Quad]:
        for target, triple in _route(quads, graph, str(path)):
            if is_managed(target, graphs):
                skipped.add(target.value)
                continue
            counts[target.value] = counts.get(target.value, 0) + 1
            yield Quad(triple.subject, triple.predicate, triple.object, target)

    with path.open("rb") as raw:
        reader = _CountingReader(raw, on_progress or (lambda _: None))
        # pyoxigraph needs only read(); the wrapper is a file object in all but name.
        source = cast("IO[bytes]", reader)
        try:
            store.bulk_extend(writable(pyoxigraph.parse(source, format=rdf_format)))
        except RdfSyntaxError as error:
            raise RdfSyntaxError(
                error.detail, line=error.line, column=error.column, source=str(path)
            ) from None
    store.flush()
    return LoadResult([path], counts, None, sorted(skipped))
