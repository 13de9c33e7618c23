"""The kinds of SPARQL server the remote adapter knows, and what each needs to behave like the
embedded store (see ``service/store/remote.py`` and ``docs/virtuoso-notes.md``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
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
    #: The answer types the SPARQL endpoint may pass on from this server, each with the
    #: function that makes it standard (None: it is already); None: every type, as sent.
    pass_through: Mapping[str, Callable[[bytes], bytes] | None] | None = None
    #: Whether a query's FROM leaves GRAPH seeing every graph (the spec: no named graph then).
    from_keeps_named_graphs: bool = False
    #: Whether queries go as the protocol's "query via POST directly" (the text as the body)
    #: rather than as a form: no encoding on our side, no decoding on the server's. Virtuoso
    #: 7.2 leaves such a request unanswered; a server not known gets the form, which all take.
    direct_query_post: bool = False

    def passes(self, media_type: str) -> bool:
        """Whether this server's answers in ``media_type`` can be used (after :meth:`mended`)."""
        return self.pass_through is None or media_type in self.pass_through

    def mends(self, media_type: str) -> bool:
        """Whether this server's answers in ``media_type`` need mending."""
        return self.pass_through is not None and self.pass_through.get(media_type) is not None

    def mended(self, media_type: str, content: bytes) -> bytes:
        """An answer of this server in ``media_type`` as the standard says it should be."""
        mend = self.pass_through.get(media_type) if self.pass_through is not None else None
        return mend(content) if mend is not None else content


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_XSD_BOOLEAN_BYTES = _XSD_BOOLEAN.encode()
_BLANK_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def standard_json_results(content: bytes) -> bytes:
    """Virtuoso's JSON results in the standard form, as the embedded store writes them:
    ``typed-literal`` becomes ``literal``, booleans ``1``/``0`` become ``true``/``false``, blank
    node ids such as ``nodeID://b10000`` become valid labels (``nodeID___b10000``, the same node
    throughout), and its extra members (an empty ``link`` list, ``distinct``, ``ordered``) go.

    Results without booleans or blank nodes, in the layout Virtuoso writes (its opening and its
    closing), are mended on their bytes (about ten times faster than parsing them); any other
    answer is parsed, and one that does not parse raises ValueError."""
    return _mended_bytes(content) or _mended_parsed(content)


#: The opening of Virtuoso's JSON results, up to the first binding; group 1 is ``vars``.
#: Variable names hold neither brackets nor quotes, so the list ends at the first "]".
_VIRTUOSO_OPENING = re.compile(
    rb'\s*\{ "head": \{ "link": \[\], "vars": (\[[^\[\]]*\]) \},\s*'
    rb'"results": \{ "distinct": (?:false|true), "ordered": (?:false|true), "bindings": \['
)
#: The end of Virtuoso's JSON results: the bindings, the results and the document closed.
_VIRTUOSO_CLOSING = re.compile(rb"\]\s*\}\s*\}\s*\Z")
#: A term's type as Virtuoso writes it. The quotes of JSON strings are escaped inside them,
#: so these exact bytes are always a member of a term, never part of a value.
_TYPED_LITERAL = b'"type": "typed-literal"'


def _mended_bytes(content: bytes) -> bytes | None:
    """:func:`standard_json_results` by replacing bytes; None when the answer needs parsing
    (booleans, blank nodes, or another layout)."""
    if b'"bnode"' in content or _XSD_BOOLEAN_BYTES in content:
        return None
    opening = _VIRTUOSO_OPENING.match(content)
    if opening is None:
        return None
    rest = content[opening.end() :].replace(_TYPED_LITERAL, b'"type": "literal"')
    if b"typed-literal" in rest:  # written some other way (or in a value): parse to be sure
        return None
    if _VIRTUOSO_CLOSING.search(rest[-64:]) is None:  # cut short, or more after it: parse
        return None
    return b'{"head": {"vars": ' + opening.group(1) + b'}, "results": {"bindings": [' + rest


def _mended_parsed(content: bytes) -> bytes:
    data = json.loads(content)
    head = data.get("head")
    if isinstance(head, dict) and head.get("link") == []:
        del head["link"]
    results = data.get("results")
    if isinstance(results, dict):
        results.pop("distinct", None)
        results.pop("ordered", None)
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


_BNODE_XML = re.compile(rb"<bnode>([^<]*)</bnode>")


def standard_xml_results(content: bytes) -> bytes:
    """Virtuoso's XML results with blank node ids such as ``nodeID://b10000`` made valid labels,
    as :func:`standard_json_results` makes them (the rest of its XML is standard)."""
    return _BNODE_XML.sub(
        lambda found: b"<bnode>" + _BLANK_UNSAFE_BYTES.sub(b"_", found.group(1)) + b"</bnode>",
        content,
    )


_BLANK_UNSAFE_BYTES = re.compile(rb"[^A-Za-z0-9_-]")


OXIGRAPH = Dialect("oxigraph", union_params=(("union-default-graph", ""),), direct_query_post=True)
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
    # Its results need mending in JSON and XML; its CSV, TSV and JSON-LD lose or garble
    # terms (quoted IRIs, "nodeID://" blank nodes, no language tags): those it never passes.
    pass_through=MappingProxyType(
        {
            "application/sparql-results+json": standard_json_results,
            "application/sparql-results+xml": standard_xml_results,
            "text/turtle": None,
            "application/n-triples": None,
            "application/rdf+xml": None,
        }
    ),
    from_keeps_named_graphs=True,
)
#: A server that already answers queries over the union of its graphs by default.
GENERIC = Dialect("generic")
DIALECTS = {d.name: d for d in (OXIGRAPH, VIRTUOSO, GENERIC)}
