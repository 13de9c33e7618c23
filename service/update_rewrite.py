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
from dataclasses import dataclass

from pyoxigraph import NamedNode

from service.errors import MalformedRequest

_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_LONG_STRING = re.compile(
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"", re.S
)
_STRING = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "iri", "open", "close", "semicolon", "other"
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
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
        elif char == "#":
            end = text.find("\n", position)
            position = len(text) if end < 0 else end + 1
        elif char in "'\"":
            match = _LONG_STRING.match(text, position) or _STRING.match(text, position)
            if match is None:
                raise MalformedRequest(f"unterminated string at character {position}")
            position = match.end()
        elif char == "<" and (match := _IRI.match(text, position)):
            tokens.append(Token("iri", match.group(), position, depth))
            position = match.end()
        elif char == "{":
            tokens.append(Token("open", char, position, depth))
            depth += 1
            position += 1
        elif char == "}":
            depth = max(0, depth - 1)
            tokens.append(Token("close", char, position, depth))
            position += 1
        elif char == ";" and depth == 0:
            tokens.append(Token("semicolon", char, position, depth))
            position += 1
        elif match := _WORD.match(text, position):
            tokens.append(Token("word", match.group(), position, depth))
            position = match.end()
        else:
            position += 1
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


def declares_dataset(query: str) -> bool:
    """Whether a query has its own FROM or FROM NAMED (which then defines its dataset).

    >>> declares_dataset("SELECT ?from FROM <urn:g> WHERE { ?s ?p ?from }")
    True
    >>> declares_dataset("SELECT ?from WHERE { GRAPH ?g { ?s ?p ?from } }")
    False
    """
    return any(
        t.kind == "word"
        and t.text.upper() == "FROM"
        and (t.start == 0 or query[t.start - 1] not in "?$")
        for t in tokenize(query)
        if t.depth == 0
    )
