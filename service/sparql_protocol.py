"""Parsing SPARQL 1.1 Protocol requests, independent of the web framework.

Implements the request rules of https://www.w3.org/TR/sparql11-protocol/ (sections 2.1 and 2.2):
query by GET, POST form-encoded or POST ``application/sparql-query``; update by POST form-encoded
or POST ``application/sparql-update``; exactly one operation per request; the protocol dataset
(``default-graph-uri``, ``named-graph-uri``, ``using-graph-uri``, ``using-named-graph-uri``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from service.errors import (
    MalformedRequest,
    MethodNotAllowed,
    UnsupportedMediaType,
)
from service.forms import form_fields

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


@dataclass(frozen=True)
class QueryRequest:
    """A query with its protocol dataset; empty lists mean "as the query says"."""

    text: str
    default_graphs: list[NamedNode] = field(default_factory=list)
    named_graphs: list[NamedNode] = field(default_factory=list)


@dataclass(frozen=True)
class UpdateRequest:
    """An update with its protocol dataset (``using-graph-uri``, ``using-named-graph-uri``)."""

    text: str
    using_graphs: list[NamedNode] = field(default_factory=list)
    using_named_graphs: list[NamedNode] = field(default_factory=list)


@dataclass(frozen=True)
class DescriptionRequest:
    """A GET without an operation: the service description (or the query page)."""


SparqlRequest = QueryRequest | UpdateRequest | DescriptionRequest


def _values(params: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in params if key == name]


def _iris(params: Sequence[tuple[str, str]], name: str) -> list[NamedNode]:
    iris = []
    for value in _values(params, name):
        try:
            iris.append(NamedNode(value))
        except ValueError:
            raise MalformedRequest(f"{name} is not a valid IRI: {value!r}") from None
    return iris


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedRequest(
            f"the {what} is not UTF-8: byte {error.start} cannot be decoded"
        ) from None


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    media, *params = (p.strip() for p in content_type.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise MalformedRequest(f"exactly one {name} per request; this one has {len(values)}")
    return values[0] if values else None


def _operation(params: Sequence[tuple[str, str]]) -> SparqlRequest:
    query = _one(_values(params, "query"), "query")
    update = _one(_values(params, "update"), "update")
    if query is not None and update is not None:
        raise MalformedRequest("a request carries a query or an update, not both")
    if query is not None:
        return QueryRequest(
            query, _iris(params, "default-graph-uri"), _iris(params, "named-graph-uri")
        )
    if update is not None:
        return UpdateRequest(
            update, _iris(params, "using-graph-uri"), _iris(params, "using-named-graph-uri")
        )
    return DescriptionRequest()


def parse_request(
    method: str,
    url_params: Sequence[tuple[str, str]],
    content_type: str | None,
    body: bytes,
) -> SparqlRequest:
    """The operation a protocol request asks for.

    :param url_params: the decoded query-string parameters, in order, repeated names kept.
    :raises MalformedRequest: for a request the protocol forbids (400).
    :raises UnsupportedMediaType: for a POST body of another media type or charset (415).
    :raises MethodNotAllowed: for a method other than GET and POST (405).
    """
    if method == "GET":
        if _values(url_params, "update"):
            raise MalformedRequest("updates must be sent with POST, not GET")
        return _operation(url_params)
    if method != "POST":
        raise MethodNotAllowed(f"{method} is not allowed on the SPARQL endpoint; use GET or POST")
    media, charset = _media_type(content_type)
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"only UTF-8 is accepted, not charset={charset}")
    if media == FORM:
        text = _decode(body, "form body")
        try:
            form = form_fields(text, strict=True)
        except UnicodeDecodeError:
            raise MalformedRequest("the form body has percent-escapes that are not UTF-8") from None
        operation = _operation([*url_params, *form])
        if isinstance(operation, DescriptionRequest):
            raise MalformedRequest("the form has neither a 'query' nor an 'update' field")
        return operation
    if _values(url_params, "query") or _values(url_params, "update"):
        raise MalformedRequest(
            "with a direct POST body the operation is the body; do not also pass query= or update="
        )
    if media == QUERY_TYPE:
        return QueryRequest(
            _decode(body, "query"),
            _iris(url_params, "default-graph-uri"),
            _iris(url_params, "named-graph-uri"),
        )
    if media == UPDATE_TYPE:
        return UpdateRequest(
            _decode(body, "update"),
            _iris(url_params, "using-graph-uri"),
            _iris(url_params, "using-named-graph-uri"),
        )
    raise UnsupportedMediaType(
        f"POST a query as {QUERY_TYPE}, an update as {UPDATE_TYPE}, or either as {FORM}"
        + (f"; got {media!r}" if media else "; the request has no Content-Type")
    )
