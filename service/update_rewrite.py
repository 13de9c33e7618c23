"""Applying the protocol dataset of an update request to the update text.

The SPARQL 1.1 Protocol lets a client name the dataset of an update's WHERE clauses with
``using-graph-uri`` and ``using-named-graph-uri``; that is the same as a ``USING``/``USING NAMED``
clause in each DELETE/INSERT operation, and it is an error for the update to have its own
``USING`` or ``WITH`` as well (https://www.w3.org/TR/sparql11-protocol/#update-operation). The
engine has no parameter for it, so the clauses are inserted into the text before each
operation's top-level ``WHERE``. The IRIs inserted are validated ``NamedNode``s written by
pyoxigraph; the scanner below only finds positions, it never builds SPARQL from raw input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from pyoxigraph import NamedNode

from service.errors import MalformedRequest

_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
_WORD = r"[A-Za-z_][A-Za-z0-9_\-]*"
_LONG_STRING = r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
_STRING = r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
#: One alternative per kind of lexeme, tried in order at each position; what matters becomes a
#: token, the rest (spaces, comments, strings, punctuation, numbers) is skipped in runs.
_LEXEME = re.compile(
    rf"(?P<skip>[^\w#'\"<{{}};]+|\#[^\n]*|{_LONG_STRING}|{_STRING})"
    rf"|(?P<iri>{_IRI})|(?P<open>\{{)|(?P<close>\}})|(?P<semicolon>;)|(?P<word>{_WORD})"
    r"|(?P<quote>['\"])|(?P<other>\w+|.)",
    re.S,
)


class Token(NamedTuple):
    """A lexeme that matters (a tuple: made by the thousand per request)."""

    kind: str  # "word", "iri", "open", "close", "semicolon"
    text: str
    start: int
    depth: int


def tokenize(text: str) -> list[Token]:
    """The tokens that matter for finding operations and clauses, with brace depth.

    >>> [t.text for t in tokenize("INSERT { <a> <b> 'x;}' } WHERE { ?s ?p ?o } ; CLEAR ALL")
    ...  if t.depth == 0]
    ['INSERT', '{', '}', 'WHERE', '{', '}', ';', 'CLEAR', 'ALL']
    """
    tokens: list[Token] = []
    depth = 0
    for match in _LEXEME.finditer(text):
        kind = match.lastgroup
        if kind == "skip" or kind == "other":
            continue
        if kind == "quote":
            raise MalformedRequest(f"unterminated string at character {match.start()}")
        if kind == "open":
            tokens.append(Token("open", "{", match.start(), depth))
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
            tokens.append(Token("close", "}", match.start(), depth))
        elif kind != "semicolon" or depth == 0:
            tokens.append(Token(kind or "", match.group(), match.start(), depth))
    return tokens


def _operations(tokens: Sequence[Token]) -> list[list[Token]]:
    operations: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "semicolon":
            operations.append([])
        else:
            operations[-1].append(token)
    return [op for op in operations if op]


def _keywords(operation: Sequence[Token]) -> list[str]:
    return [t.text.upper() for t in operation if t.depth == 0 and t.kind == "word"]


OPERATION_KEYWORDS = {
    "WITH",
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
}


def _is_modify(operation: Sequence[Token]) -> bool:
    """Whether the operation is a DELETE/INSERT ... WHERE (not DATA, not DELETE WHERE)."""
    for index, token in enumerate(operation):
        word = token.text.upper()
        if token.kind != "word" or token.depth != 0 or word not in OPERATION_KEYWORDS:
            continue
        if word == "WITH":
            return True
        if word not in ("INSERT", "DELETE"):
            return False
        following = operation[index + 1] if index + 1 < len(operation) else None
        return following is not None and following.kind == "open"
    return False


def apply_protocol_dataset(
    text: str, using: Sequence[NamedNode], using_named: Sequence[NamedNode]
) -> str:
    """The update with the protocol dataset written into each DELETE/INSERT operation.

    >>> apply_protocol_dataset("INSERT { ?s a ?t } WHERE { ?s a ?t }",
    ...     [NamedNode("http://example.org/g")], [])
    'INSERT { ?s a ?t } USING <http://example.org/g> WHERE { ?s a ?t }'

    :raises MalformedRequest: if an operation has its own USING or WITH (a dataset conflict).
    """
    if not using and not using_named:
        return text
    clause = " ".join(
        [*(f"USING {iri}" for iri in using), *(f"USING NAMED {iri}" for iri in using_named)]
    )
    insertions: list[int] = []
    for operation in _operations(tokenize(text)):
        if not _is_modify(operation):
            continue
        words = _keywords(operation)
        if "USING" in words or "WITH" in words:
            raise MalformedRequest(
                "the request names a dataset (using-graph-uri / using-named-graph-uri) and the "
                "update has its own USING or WITH clause; use one or the other"
            )
        where = next(
            (
                t
                for t in operation
                if t.depth == 0 and t.kind == "word" and t.text.upper() == "WHERE"
            ),
            None,
        )
        if where is not None:
            insertions.append(where.start)
    for position in sorted(insertions, reverse=True):
        text = f"{text[:position]}{clause} {text[position:]}"
    return text


def mentioned_iris(text: str) -> set[str]:
    """The absolute IRIs written in the text (prefixed names are not expanded).

    >>> sorted(mentioned_iris("DROP GRAPH <http://example.org/g> # <http://not/this>"))
    ['http://example.org/g']
    """
    return {t.text[1:-1] for t in tokenize(text) if t.kind == "iri"}


def top_level(text: str) -> list[Token]:
    """The tokens outside braces (the prologue, the query form, dataset clauses, operations)."""
    return [t for t in tokenize(text) if t.depth == 0]


def from_clauses(query: str, tokens: Sequence[Token]) -> list[int]:
    """The indexes in ``tokens`` (the query's :func:`top_level` tokens) of its FROM keywords."""
    return [
        n
        for n, t in enumerate(tokens)
        if t.kind == "word"
        and t.text.upper() == "FROM"
        and (t.start == 0 or query[t.start - 1] not in "?$")  # not the variable ?from
    ]


def declares_dataset(query: str, tokens: Sequence[Token] | None = None) -> bool:
    """Whether a query has its own FROM or FROM NAMED (which then defines its dataset);
    ``tokens``: its :func:`top_level` tokens, when the caller has them already.

    >>> declares_dataset("SELECT ?from FROM <urn:g> WHERE { ?s ?p ?from }")
    True
    >>> declares_dataset("SELECT ?from WHERE { GRAPH ?g { ?s ?p ?from } }")
    False
    """
    return bool(from_clauses(query, top_level(query) if tokens is None else tokens))
