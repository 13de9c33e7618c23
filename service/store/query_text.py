"""Query text checks and small rewrites the remote adapter makes before a query leaves, on the
tokens of ``service.update_rewrite`` (never by pasting user input into new text)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from pyoxigraph import NamedNode

from service.errors import QuerySyntaxError
from service.update_rewrite import OPERATION_KEYWORDS, Token, from_clauses, top_level

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


#: A graph nothing is ever written to: a FROM NAMED that makes the named graphs empty.
_NO_GRAPH = NamedNode("urn:x-alliancegraph:no-graph")


#: Where a FROM or update keyword could start a token (more often than it does: the test only
#: decides whether to tokenize). "wasDerivedFrom" is no FROM; "?from" and "added" are checked.
_SUSPECT_WORDS = (
    "from",
    "with",
    "insert",
    "delete",
    "load",
    "clear",
    "drop",
    "create",
    "add",
    "move",
    "copy",
)
#: Any of them at a token's start, in any case (Unicode case folding too: "ſ" is an "s").
_SUSPECT_FOLDED = re.compile(
    r"(?<![A-Za-z0-9_])(?:" + "|".join(_SUSPECT_WORDS) + ")", re.IGNORECASE
)
#: The same search for a lowered ASCII text: each word first and where it starts checked after,
#: so that re looks for the words' letters (the pattern above tries every position: ~8x slower).
_SUSPECT_LOWERED = re.compile("|".join(f"{w}(?<![A-Za-z0-9_]{w})" for w in _SUSPECT_WORDS))


#: An IRI reference that does not start with a scheme, anywhere (in a string too, or one
#: written with \u escapes: a false alarm only adds a BASE that changes nothing).
_RELATIVE_IRI = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]*:)[^<>\"{}|^`\x00-\x20]*>")


def has_relative_iri(text: str) -> bool:
    """Whether the query may hold a relative IRI, which its base IRI resolves."""
    return _RELATIVE_IRI.search(text) is not None


def plain_query(text: str) -> bool:
    """Whether the token checks below have nothing to find, told without tokenizing: the text
    starts with a query form and has no update keyword and no "from" anywhere (not even in a
    string or an IRI, where the tokens would ignore them)."""
    return not _has_suspect_word(text) and query_form(text) is not None


def _has_suspect_word(text: str) -> bool:
    """Whether a FROM or an update keyword may start a token in ``text``."""
    if not text.isascii():  # Unicode case folding: the case-insensitive pattern
        return _SUSPECT_FOLDED.search(text) is not None
    lowered = text.lower()
    return (
        any(word in lowered for word in _SUSPECT_WORDS)  # most texts stop here
        and _SUSPECT_LOWERED.search(lowered) is not None
    )


def without_implicit_named_graphs(text: str, tokens: Sequence[Token] | None = None) -> str:
    """A query with FROM and no FROM NAMED, given ``FROM NAMED <no graph>``: by the spec its
    GRAPH patterns then see no graph, but Virtuoso lets them see every graph. ``tokens``: the
    query's ``top_level`` tokens, when the caller has them already."""
    tokens = top_level(text) if tokens is None else tokens
    froms = from_clauses(text, tokens)
    if not froms:
        return text
    if any(n + 1 < len(tokens) and tokens[n + 1].text.upper() == "NAMED" for n in froms):
        return text
    at = tokens[froms[0]].start
    return f"{text[:at]}FROM NAMED {_NO_GRAPH} {text[at:]}"


def refuse_non_query(text: str, tokens: Sequence[Token] | None = None) -> None:
    """Refuse what is not one SPARQL query before it reaches the server: some servers run an
    update sent as a query (Virtuoso does, with the endpoint's rights), which would let a read
    change the store.

    :raises QuerySyntaxError: if the text does not start (after BASE and PREFIX) with SELECT,
        ASK, CONSTRUCT or DESCRIBE, or has an operation after a semicolon.
    """
    tokens = top_level(text) if tokens is None else tokens
    at = 0
    while at < len(tokens) and tokens[at].text.upper() in ("BASE", "PREFIX"):
        at += 3 if tokens[at].text.upper() == "PREFIX" else 2
        if at < len(tokens) and tokens[at - 1].kind != "iri":  # "PREFIX : <iri>": no name
            at -= 1
    first = tokens[at].text.upper() if at < len(tokens) else ""
    if first not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise QuerySyntaxError(
            "not a SPARQL query: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE "
            f"(after BASE and PREFIX), not {first[:40] or 'nothing'!r}"
        )
    for before, after in pairwise(tokens):
        if before.kind == "semicolon" and after.text.upper() in OPERATION_KEYWORDS:
            raise QuerySyntaxError("not a SPARQL query: it has an update operation after ';'")


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, from the first keyword after the prologue."""
    found = _FORM_OF_QUERY.match(query)
    return found.group(1).upper() if found is not None else None


#: Each alternative of the prologue starts with its own character and the repetition is
#: possessive, so a long run of spaces costs linear time (``(\s+)*`` was exponential).
_FORM_OF_QUERY = re.compile(
    r"(?:\s|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)*+(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)


def accept_for(query: str) -> str:
    """Results for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE (some servers answer a
    CONSTRUCT in the first type of a combined Accept, even a results format)."""
    form = query_form(query)
    if form is None:
        return f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"
    return N_TRIPLES if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_JSON
