"""Moving terms between pyoxigraph (storage, SPARQL) and rdflib (what pySHACL reads)."""

from __future__ import annotations

from typing import Any

import pyoxigraph
import rdflib


def to_rdflib_term(term: Any) -> rdflib.term.Node:
    """An rdflib term equal to a pyoxigraph term.

    >>> to_rdflib_term(pyoxigraph.Literal("삼성", language="ko")).language
    'ko'

    :raises TypeError: for an RDF 1.2 triple term, which rdflib cannot hold.
    """
    if isinstance(term, pyoxigraph.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r} to an rdflib term")


def n_triples(node: rdflib.term.Node) -> str:
    """The N-Triples form of an rdflib term, from its lexical form (never its Python value).

    >>> n_triples(rdflib.Literal("high", datatype=rdflib.XSD.decimal))
    '"high"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    >>> n_triples(rdflib.URIRef("urn:x"))
    '<urn:x>'
    """
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    if isinstance(node, rdflib.Literal):
        lexical = str(node).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        if node.language:
            return f'"{lexical}"@{node.language}'
        if node.datatype is not None:
            return f'"{lexical}"^^<{node.datatype}>'
        return f'"{lexical}"'
    return str(node)
