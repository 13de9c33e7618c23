"""The Store port: what the rest of the service asks of a quad store.

Callers speak in pyoxigraph terms (``NamedNode``, ``Quad``, query results), which every adapter
produces: the embedded one natively, a remote SPARQL 1.1 adapter by parsing the server's answers
with ``pyoxigraph.parse`` and ``pyoxigraph.parse_query_results``. Nothing here is specific to one
engine, so a remote adapter plugs in without touching callers. Query results are bound to the
thread that created them: iterate or serialize a result on the thread that ran the query.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import BinaryIO, Protocol, runtime_checkable

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
)

QueryResult = QuerySolutions | QueryTriples | QueryBoolean
#: A graph of the dataset: a named graph or the store's default graph.
GraphName = NamedNode | DefaultGraph


@runtime_checkable
class Store(Protocol):
    """A dataset of named graphs, queried as the union of its graphs by default."""

    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[GraphName] | None = None,
        named_graphs: Iterable[NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query.

        Without ``default_graph`` the default graph is the union of all graphs; with it, the
        default graph is the merge of the given graphs. ``named_graphs`` restricts the graphs
        that ``GRAPH`` can see.

        :raises QuerySyntaxError: if the query does not parse.
        """
        ...

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 update, atomically.

        :raises QuerySyntaxError: if the update does not parse.
        """
        ...

    def replace_graphs(
        self,
        graphs: Mapping[GraphName, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
    ) -> None:
        """Replace the content of each given graph, and remove and add single quads (in other
        graphs), all in one atomic step.

        A graph mapped to no triples is dropped. Readers see either all of the old state or all
        of the new one, never a mix, and a crash leaves the old state whole.
        """
        ...

    def contains_graph(self, graph: NamedNode) -> bool:
        """Whether a named graph holds at least one quad."""
        ...

    def drop_graph(self, graph: NamedNode) -> bool:
        """Remove a named graph; return whether it existed."""
        ...

    def named_graphs(self) -> list[NamedNode]:
        """The named graphs that hold at least one quad, sorted by IRI."""
        ...

    def quads(self, graph: GraphName | None = None) -> Iterator[Quad]:
        """Stream the quads of one graph, or of the whole dataset."""
        ...

    def count(self, graph: GraphName | None = None) -> int:
        """The number of quads in one graph, or in the whole dataset."""
        ...

    def bulk_extend(self, quads: Iterable[Quad]) -> int:
        """Add a stream of quads without holding them in memory (admin path; not atomic).

        :returns: the number of quads read from the stream.
        :raises RdfSyntaxError: if the stream is a parser that meets a syntax error; quads
            before the error may have been added.
        """
        ...

    def dump(
        self, output: BinaryIO, rdf_format: RdfFormat, *, graph: GraphName | None = None
    ) -> None:
        """Write one graph, or the whole dataset in a quad format, to ``output``."""
        ...

    @property
    def generation(self) -> int:
        """A number that changes with every write made through this object (for caches)."""
        ...

    def flush(self) -> None:
        """Make every acknowledged write durable."""
        ...

    def close(self) -> None:
        """Release the store; later calls fail."""
        ...


def solutions(result: QueryResult) -> QuerySolutions:
    """The rows of a SELECT result.

    :raises TypeError: if the query was not a SELECT (a bug in the caller's query).
    """
    if not isinstance(result, QuerySolutions):
        raise TypeError(f"expected SELECT solutions, got {type(result).__name__}")
    return result
