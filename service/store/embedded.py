"""The embedded adapter of the Store port: pyoxigraph on disk, or in memory for tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import BinaryIO

import pyoxigraph
from pyoxigraph import NamedNode, Quad, RdfFormat, Triple

from service.errors import QuerySyntaxError, RdfSyntaxError
from service.store.port import GraphName, QueryResult
from service.store.sparql_text import replacement_update
from service.update_rewrite import declares_dataset


class EmbeddedStore:
    """A pyoxigraph store. ``path=None`` keeps everything in memory.

    pyoxigraph releases the GIL during queries and writes, so one instance serves many threads.
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
            self._store = pyoxigraph.Store(str(path))
        else:
            self._store = pyoxigraph.Store()
        self.path = path
        self._generation = 0

    @property
    def generation(self) -> int:
        """Bumped by every write made through this object."""
        return self._generation

    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[GraphName] | None = None,
        named_graphs: Iterable[NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query; the default graph is the union of all graphs unless given.

        :raises QuerySyntaxError: if the query does not parse.
        """
        try:
            if default_graph is None and declares_dataset(sparql):
                # The query's FROM and FROM NAMED rule (pyoxigraph would take the union).
                return self._store.query(sparql, base_iri=base_iri)
            if default_graph is None:
                return self._store.query(
                    sparql,
                    base_iri=base_iri,
                    use_default_graph_as_union=True,
                    named_graphs=list(named_graphs) if named_graphs is not None else None,
                )
            return self._store.query(
                sparql,
                base_iri=base_iri,
                default_graph=list(default_graph),
                named_graphs=list(named_graphs) if named_graphs is not None else None,
            )
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 update in one transaction.

        :raises QuerySyntaxError: if the update does not parse.
        """
        self._generation += 1
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None

    def replace_graphs(
        self,
        graphs: Mapping[GraphName, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
    ) -> None:
        """Replace graphs and change single quads in one transaction (one SPARQL update:
        DROP, DELETE DATA, then one INSERT DATA).

        Terms are written with pyoxigraph's own N-Triples forms, so nothing user-supplied is
        pasted into the update text unescaped.
        """
        update = replacement_update(graphs, remove, add)
        if update is not None:
            self._generation += 1
            self._store.update(update)

    def contains_graph(self, graph: NamedNode) -> bool:
        """Whether a named graph holds at least one quad."""
        return next(self._store.quads_for_pattern(None, None, None, graph), None) is not None

    def drop_graph(self, graph: NamedNode) -> bool:
        """Remove a named graph; return whether it existed."""
        if not self._store.contains_named_graph(graph):
            return False
        self._generation += 1
        self._store.remove_graph(graph)
        return True

    def named_graphs(self) -> list[NamedNode]:
        """The named graphs that hold at least one quad, sorted by IRI."""
        graphs = [g for g in self._store.named_graphs() if isinstance(g, NamedNode)]
        return sorted((g for g in graphs if self.contains_graph(g)), key=lambda g: g.value)

    def quads(self, graph: GraphName | None = None) -> Iterator[Quad]:
        """Stream the quads of one graph, or of the whole dataset."""
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def count(self, graph: GraphName | None = None) -> int:
        """The number of quads in one graph, or in the whole dataset."""
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, graph))

    def bulk_extend(self, quads: Iterable[Quad]) -> int:
        """Add a stream of quads with pyoxigraph's bulk loader (not atomic).

        :raises RdfSyntaxError: if the stream is a parser that meets a syntax error.
        """
        counter = _Counter(quads)
        self._generation += 1
        try:
            self._store.bulk_extend(counter)
        except SyntaxError as error:
            raise RdfSyntaxError.from_parser(error) from None
        return counter.count

    def dump(
        self, output: BinaryIO, rdf_format: RdfFormat, *, graph: GraphName | None = None
    ) -> None:
        """Write one graph (any format), or the whole dataset (a quad format), to ``output``."""
        if graph is None:
            self._store.dump(output, rdf_format)
        else:
            self._store.dump(output, rdf_format, from_graph=graph)

    def exclusive(self) -> AbstractContextManager[None]:
        """Nothing to hold: only one process can open an embedded store (RocksDB's lock), and
        its writers are serialised by the service's own lock."""
        return nullcontext()

    def flush(self) -> None:
        """Flush pyoxigraph's buffers to disk."""
        if self.path is not None:
            self._store.flush()

    async def aclose(self) -> None:
        """Nothing: the embedded store holds nothing on the event loop."""

    def close(self) -> None:
        """Flush and drop the handle (pyoxigraph closes the database when it is collected)."""
        self.flush()
        del self._store


class _Counter:
    """An iterator over quads that counts them as they pass."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self._quads = iter(quads)
        self.count = 0

    def __iter__(self) -> _Counter:
        return self

    def __next__(self) -> Quad:
        quad = next(self._quads)
        self.count += 1
        return quad
