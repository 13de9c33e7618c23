"""The Store port: what the rest of the service asks of a quad store.

Callers speak in pyoxigraph terms (``NamedNode``, ``Quad``, query results), which every adapter
produces: the embedded one natively, a remote SPARQL 1.1 adapter by parsing the server's answers
with ``pyoxigraph.parse`` and ``pyoxigraph.parse_query_results``. Nothing here is specific to one
engine, so a remote adapter plugs in without touching callers. Query results are bound to the
thread that created them: iterate or serialize a result on the thread that ran the query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, BinaryIO, Protocol, runtime_checkable

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
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

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold the store's write lease: while held, no other process writes through this
        port (a remote store shared by replicas; a no-op where one process owns the store)."""
        ...

    async def aclose(self) -> None:
        """Release what the store holds on the running event loop (connections of a remote
        store's pass-through); called by the service before :meth:`close`."""
        ...

    def close(self) -> None:
        """Release the store; later calls fail."""
        ...


class Row(dict[str, Any]):
    """One solution of a SELECT: terms by variable name, None where a variable is unbound."""

    def __missing__(self, key: str) -> None:
        return None


def solutions(result: QueryResult) -> list[Row]:
    """The rows of a SELECT result, read all at once.

    The result is evaluated and serialized by pyoxigraph in one call, which releases the GIL
    for all of it, then read back with ``json.loads``. Iterating pyoxigraph's solutions one by
    one instead takes and gives back the GIL at every row: while another thread runs Python,
    each row then waits for a switch interval, and a query of thousands of rows takes orders of
    magnitude longer under load.

    :raises TypeError: if the query was not a SELECT (a bug in the caller's query).
    """
    if not isinstance(result, QuerySolutions):
        raise TypeError(f"expected SELECT solutions, got {type(result).__name__}")
    data = json.loads(result.serialize(format=QueryResultsFormat.JSON) or b"{}")
    names: list[str] = data["head"].get("vars", [])
    iris: dict[str, NamedNode] = {}
    rows = []
    for binding in data["results"]["bindings"]:
        row = Row()
        for name in names:
            row[name] = None
        for name, value in binding.items():
            row[name] = _term(value, iris)
        rows.append(row)
    return rows


def _term(value: dict[str, Any], iris: dict[str, NamedNode]) -> Any:
    """A pyoxigraph term from its SPARQL JSON results form (IRIs shared within one result)."""
    kind = value["type"]
    if kind == "uri":
        iri = iris.get(value["value"])
        if iri is None:
            iri = iris[value["value"]] = NamedNode(value["value"])
        return iri
    if kind == "literal":
        if "xml:lang" in value:
            return Literal(value["value"], language=value["xml:lang"])
        if "datatype" in value:
            return Literal(value["value"], datatype=_datatype(value["datatype"], iris))
        return Literal(value["value"])
    if kind == "bnode":
        return BlankNode(value["value"])
    if kind == "triple":
        triple = value["value"]
        return Triple(
            _term(triple["subject"], iris),
            _term(triple["predicate"], iris),
            _term(triple["object"], iris),
        )
    raise ValueError(f"unknown term kind in SPARQL JSON results: {kind!r}")


def _datatype(iri: str, iris: dict[str, NamedNode]) -> NamedNode:
    node = iris.get(iri)
    if node is None:
        node = iris[iri] = NamedNode(iri)
    return node
