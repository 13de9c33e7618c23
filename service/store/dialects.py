"""The kinds of SPARQL server the remote adapter knows, and what each needs to behave like the
embedded store (see ``service/store/remote.py`` and ``docs/virtuoso-notes.md``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

DialectName = Literal["auto", "oxigraph", "virtuoso", "generic"]


@dataclass(frozen=True)
class Dialect:
    """What one kind of server needs to behave like the embedded store."""

    name: str
    #: Query parameters that make the default graph the union of all graphs ("" when the
    #: server does so by itself).
    union_params: tuple[tuple[str, str], ...] = ()
    #: Graphs the server keeps for itself, hidden from listings and dumps.
    system_graphs: frozenset[str] = frozenset()
    #: Whether ``INSERT DATA`` accepts blank nodes (else ``INSERT {…} WHERE {…}`` is used).
    blank_nodes_in_insert_data: bool = True
    #: Whether the server has a default graph of its own that can be written; where it has
    #: not, the named graph ``<graph base>default`` stands in for it.
    writable_default_graph: bool = True
    #: The most triples one INSERT DATA may hold (None: no limit); more go in several
    #: operations of the same request.
    max_insert_triples: int | None = None
    #: The response header by which the server says it cut a result short, if it has one.
    truncation_header: str | None = None
    #: Whether a graph read must be checked against a count (the server may cut it silently).
    count_graph_reads: bool = False
    #: Whether its JSON results need mending (see :func:`_standard_json_results`).
    legacy_json_results: bool = False
    #: Whether a query's FROM leaves GRAPH seeing every graph (the spec: no named graph then).
    from_keeps_named_graphs: bool = False


OXIGRAPH = Dialect("oxigraph", union_params=(("union-default-graph", ""),))
VIRTUOSO = Dialect(
    "virtuoso",
    system_graphs=frozenset(
        {
            "http://www.openlinksw.com/schemas/virtrdf#",
            "http://www.w3.org/ns/ldp#",
            "http://localuriqaserver/sparql",
        }
    ),
    blank_nodes_in_insert_data=False,
    writable_default_graph=False,
    max_insert_triples=400,  # its parser and SQL compiler give out on larger operations
    truncation_header="x-sparql-maxrows",
    count_graph_reads=True,
    legacy_json_results=True,
    from_keeps_named_graphs=True,
)
#: A server that already answers queries over the union of its graphs by default.
GENERIC = Dialect("generic")
DIALECTS = {d.name: d for d in (OXIGRAPH, VIRTUOSO, GENERIC)}


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BLANK_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def standard_json_results(content: bytes) -> bytes:
    """Virtuoso's JSON results in the standard form: ``typed-literal`` becomes ``literal``,
    booleans ``1``/``0`` become ``true``/``false``, and blank node ids such as
    ``nodeID://b10000`` become valid labels (``nodeID___b10000``, the same node throughout)."""
    data = json.loads(content)
    for binding in data.get("results", {}).get("bindings", []):
        for value in binding.values():
            kind = value.get("type")
            if kind == "typed-literal":
                value["type"] = "literal"
            if value.get("datatype") == _XSD_BOOLEAN and value.get("value") in ("0", "1"):
                value["value"] = "true" if value["value"] == "1" else "false"
            if kind == "bnode":
                value["value"] = _BLANK_UNSAFE.sub("_", value["value"])
    return json.dumps(data).encode("utf-8")
