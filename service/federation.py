"""SERVICE (federated query) allow-list: a query may only call endpoints on the list.

Without it, anyone who can query the endpoint could make the server send requests to internal
addresses. The check parses the query with rdflib's SPARQL parser, but only when the text
mentions ``SERVICE`` at all, so ordinary queries pay nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from service.errors import FederationRefused, QuerySyntaxError


def mentions_service(text: str) -> bool:
    """Whether ``text`` may call SERVICE: the word anywhere, in any case. No word boundaries:
    the SPARQL parsers take ``1SERVICE`` and ``SERVICESILENT`` as the keyword (a false alarm, in
    a string or a name, only costs a parse). SPARQL's keywords are ASCII, so lowering suffices."""
    return "service" in text.lower()


def _service_terms(node: Any) -> Iterator[Any]:
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            yield node.get("term")
        for value in node.values():
            yield from _service_terms(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _service_terms(value)


def service_endpoints(text: str, *, update: bool = False) -> list[str]:
    """The endpoints a query (or update) calls with SERVICE.

    >>> service_endpoints("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> {} }")
    ['https://query.wikidata.org/sparql']

    :raises FederationRefused: for ``SERVICE ?variable``.
    :raises QuerySyntaxError: for a text with SERVICE that does not parse.
    """
    if not mentions_service(text):
        return []
    try:
        if update:
            algebra: Any = [op for op in translateUpdate(parseUpdate(text)).algebra]
        else:
            algebra = translateQuery(parseQuery(text)).algebra
    except (ParseException, ValueError, KeyError, TypeError) as error:
        raise QuerySyntaxError(
            f"this request uses SERVICE, and its endpoints could not be checked because it does "
            f"not parse as plain SPARQL 1.1: {error}"
        ) from None
    endpoints = []
    for term in _service_terms(algebra):
        if isinstance(term, Variable) or not isinstance(term, URIRef):
            raise FederationRefused("SERVICE with a variable endpoint is not allowed")
        endpoints.append(str(term))
    return endpoints


def check_federation(text: str, allowed: Sequence[str], *, update: bool = False) -> None:
    """Refuse a request whose SERVICE calls leave the allow-list.

    :raises FederationRefused: naming the refused endpoint and the allowed ones.
    """
    for endpoint in service_endpoints(text, update=update):
        if endpoint not in allowed:
            listed = ", ".join(allowed) or "none"
            raise FederationRefused(
                f"federated queries to <{endpoint}> are not allowed; allowed endpoints: {listed}"
            )
