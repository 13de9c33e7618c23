"""SPARQL Update text for the Store port's writes, shared by every adapter.

Terms are written with pyoxigraph's own N-Triples forms (``str(term)``), so nothing
user-supplied is pasted into an update unescaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from pyoxigraph import DefaultGraph, Quad, Triple

from service.store.port import GraphName


def graph_ref(graph: GraphName) -> str:
    """``DEFAULT`` or ``GRAPH <iri>``, as DROP and CLEAR want it."""
    return "DEFAULT" if isinstance(graph, DefaultGraph) else f"GRAPH {graph}"


def replacement_operations(
    graphs: Mapping[GraphName, Iterable[Triple]],
    remove: Iterable[Quad] = (),
    add: Iterable[Quad] = (),
) -> tuple[list[str], dict[GraphName, list[str]]]:
    """The DROP and DELETE DATA operations of a replacement, and the lines to insert by graph.

    The caller writes the insertions (one INSERT DATA, or a form its server accepts), so a
    blank node shared by two graphs stays one node.
    """
    operations: list[str] = []
    inserts: dict[GraphName, list[str]] = {}
    for graph, triples in graphs.items():
        operations.append(f"DROP SILENT {graph_ref(graph)}")
        inserts[graph] = [f"{t.subject} {t.predicate} {t.object} ." for t in triples]
    removals = blocks(by_graph(remove))
    if removals:
        operations.append(f"DELETE DATA {{\n{removals}\n}}")
    for graph, lines in by_graph(add).items():
        inserts.setdefault(graph, []).extend(lines)
    return operations, inserts


def replacement_update(
    graphs: Mapping[GraphName, Iterable[Triple]],
    remove: Iterable[Quad] = (),
    add: Iterable[Quad] = (),
) -> str | None:
    """One SPARQL update (DROP, DELETE DATA, then one INSERT DATA) that replaces ``graphs`` and
    changes single quads; None when there is nothing to do."""
    operations, inserts = replacement_operations(graphs, remove, add)
    additions = blocks(inserts)
    if additions:
        operations.append(f"INSERT DATA {{\n{additions}\n}}")
    return " ;\n".join(operations) if operations else None


def by_graph(quads: Iterable[Quad]) -> dict[GraphName, list[str]]:
    """N-Triples lines of quads, grouped by graph."""
    grouped: dict[GraphName, list[str]] = {}
    for quad in quads:
        line = f"{quad.subject} {quad.predicate} {quad.object} ."
        grouped.setdefault(quad.graph_name, []).append(line)  # type: ignore[arg-type]
    return grouped


def blocks(lines_by_graph: Mapping[GraphName, list[str]]) -> str:
    """Quad-data blocks (``GRAPH <g> { ... }``, or bare lines for the default graph)."""
    written = []
    for graph, lines in lines_by_graph.items():
        if not lines:
            continue
        body = "\n".join(lines)
        written.append(body if isinstance(graph, DefaultGraph) else f"GRAPH {graph} {{\n{body}\n}}")
    return "\n".join(written)


_BLANK = re.compile(r"_:[A-Za-z0-9_][A-Za-z0-9_.-]*")


def split_blank_nodes(
    inserts: Mapping[GraphName, list[str]], limit: int | None
) -> tuple[dict[GraphName, list[str]], list[dict[GraphName, list[str]]]]:
    """The lines without blank nodes, and the lines with them grouped into templates of about
    ``limit`` lines: the lines of one blank node (through every graph, and through the blank
    nodes it links to) stay in one template. A literal that merely contains ``_:`` text only
    travels in a template, which writes the same triple."""
    plain: dict[GraphName, list[str]] = {}
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    with_blank: list[tuple[GraphName, str, str]] = []
    for graph, lines in inserts.items():
        for line in lines:
            labels = _BLANK.findall(line)
            if not labels:
                plain.setdefault(graph, []).append(line)
                continue
            first = root(labels[0])
            for label in labels[1:]:
                parent[root(label)] = first
            with_blank.append((graph, line, labels[0]))
    components: dict[str, list[tuple[GraphName, str]]] = {}
    for graph, line, label in with_blank:
        components.setdefault(root(label), []).append((graph, line))
    templates: list[dict[GraphName, list[str]]] = []
    current: dict[GraphName, list[str]] = {}
    size = 0
    for component in components.values():
        if current and limit is not None and size + len(component) > limit:
            templates.append(current)
            current, size = {}, 0
        for graph, line in component:
            current.setdefault(graph, []).append(line)
        size += len(component)
    if current:
        templates.append(current)
    return plain, templates


def parts(
    inserts: Mapping[GraphName, list[str]], limit: int | None
) -> Iterator[dict[GraphName, list[str]]]:
    """The lines to insert, in parts of at most ``limit`` triples (all at once without one)."""
    if limit is None:
        yield dict(inserts)
        return
    part: dict[GraphName, list[str]] = {}
    size = 0
    for graph, lines in inserts.items():
        at = 0
        while at < len(lines):
            chunk = lines[at : at + limit - size]
            at += len(chunk)
            part.setdefault(graph, []).extend(chunk)
            size += len(chunk)
            if size >= limit:
                yield part
                part, size = {}, 0
    if part:
        yield part
