"""The query text checks the remote adapter makes before a query leaves (no server needed)."""

from __future__ import annotations

import random

import pytest

from service.errors import MalformedRequest, QuerySyntaxError
from service.store.query_text import (
    has_relative_iri,
    plain_query,
    query_form,
    refuse_non_query,
    without_implicit_named_graphs,
)
from service.update_rewrite import declares_dataset, tokenize, top_level

PREFIXED = "PREFIX ag: <https://w3id.org/alliancegraph/ontology#>\n# a comment\n"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        (PREFIXED + "ask { ?s a ag:Firm }", "ASK"),
        ("BASE <http://example.org/>\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("  # only a comment\n DESCRIBE <http://example.org/x>", "DESCRIBE"),
        ("INSERT DATA { <a> <b> <c> }", None),
        ("SELECTED", None),
    ],
)
def test_the_form_of_a_query_is_its_first_keyword_after_the_prologue(
    text: str, form: str | None
) -> None:
    assert query_form(text) == form


@pytest.mark.timeout(30)
def test_a_long_run_of_spaces_is_read_in_linear_time() -> None:
    # The prologue pattern once had a nested repetition, (\s+)*, which backtracked
    # exponentially: 26 spaces and a stray letter took 14 s, 40 would not finish.
    spaces = " " * 50_000
    assert query_form(spaces + "x") is None
    assert query_form(spaces + "SELECT * {}") == "SELECT"
    assert not plain_query(spaces + "x")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        PREFIXED + "SELECT ?firm WHERE { ?firm a ag:Firm ; ag:name ?n , ?m }",
        "ASK { }",
        "SELECT ?g WHERE { ?rel <http://www.w3.org/ns/prov#wasDerivedFrom> ?g }",
    ],
)
def test_a_plain_query_has_nothing_for_the_token_checks(text: str) -> None:
    assert plain_query(text)
    refuse_non_query(text)  # does not raise
    assert not declares_dataset(text)
    assert without_implicit_named_graphs(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM <urn:g> WHERE { ?s ?p ?o }",
        "SELECT ?from WHERE { ?s ?p ?from }",  # a false alarm: the tokens decide
        "SELECT * WHERE { ?s ?p 'insert' }",
        "SELECT * WHERE { ?s ?p 'address' }",
        "SELECT * FROM<urn:g> WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <a> <b> <c> }",
        "INSERT DATA { <a> <b> <c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } ; DeLeTe WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p '한국' } ; INSERT DATA { <a> <b> <c> }",  # not ASCII
        # Words a case-insensitive search finds only by Unicode case folding (ı, ſ, K):
        "SELECT * WHERE { ?s ?p 'ınsert' }",
        "SELECT * WHERE { ?s ?p 'inſert' }",
    ],
)
def test_a_query_with_a_dataset_or_update_words_is_not_plain(text: str) -> None:
    assert not plain_query(text)


def test_the_search_of_lowered_ascii_texts_finds_what_the_case_insensitive_ones_find() -> None:
    from service.store import query_text

    rng = random.Random(8)  # noqa: S311 - seeded test data, not secrets
    pieces = [*query_text._SUSPECT_WORDS, "FROM", "Insert", "wasDerivedFrom", "_", "9", " "]
    pieces += ["\n", "{", "<", "?", "'", "a", "Z"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        folded = query_text._SUSPECT_FOLDED.search(text) is not None
        assert (query_text._SUSPECT_LOWERED.search(text.lower()) is not None) is folded, text
        assert query_text._has_suspect_word(text) is folded, text


def test_an_update_after_a_query_is_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="update operation after"):
        refuse_non_query("SELECT * WHERE { ?s ?p ?o } ; DROP ALL")
    with pytest.raises(QuerySyntaxError, match="not a SPARQL query"):
        refuse_non_query(PREFIXED + "CLEAR ALL")


def test_from_in_a_variable_string_or_iri_is_no_dataset_clause() -> None:
    assert not declares_dataset("SELECT ?from WHERE { ?s <urn:from> 'from' ; ?p $from }")
    assert declares_dataset("SELECT ?s FROM <urn:g> WHERE { ?s ?p ?o }")
    assert declares_dataset("SELECT ?s\nfrom named <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }")


def test_from_without_from_named_gets_an_empty_named_graph_clause() -> None:
    text = "SELECT * FROM <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }"
    rewritten = without_implicit_named_graphs(text, top_level(text))
    assert rewritten.startswith("SELECT * FROM NAMED <urn:x-alliancegraph:no-graph> FROM <urn:g>")
    named = "SELECT * FROM <urn:g> FROM NAMED <urn:h> WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert without_implicit_named_graphs(named) == named


def test_tokens_skip_strings_comments_and_numbers_and_track_depth() -> None:
    text = (
        "PREFIX ex: <http://example.org/> # WHERE in a comment\n"
        "INSERT { ex:a ex:b '''multi\nline { ; }''' , \"x;}\" , 3.5e2 } WHERE { ?s ?p 1FROM }"
    )
    tokens = [(t.kind, t.text, t.depth) for t in tokenize(text)]
    assert tokens == [
        ("word", "PREFIX", 0),
        ("word", "ex", 0),
        ("iri", "<http://example.org/>", 0),
        ("word", "INSERT", 0),
        ("open", "{", 0),
        ("word", "ex", 1),
        ("word", "a", 1),
        ("word", "ex", 1),
        ("word", "b", 1),
        ("close", "}", 0),
        ("word", "WHERE", 0),
        ("open", "{", 0),
        ("word", "s", 1),
        ("word", "p", 1),
        ("close", "}", 0),
    ]


def test_a_string_left_open_is_a_malformed_request() -> None:
    with pytest.raises(MalformedRequest, match="unterminated string at character 32"):
        # The quote in the comment (character 30) does not count.
        tokenize("SELECT * WHERE { ?s ?p ?o } # '\n'oops")


@pytest.mark.parametrize(
    ("text", "relative"),
    [
        ("SELECT * WHERE { <s> <p> ?o }", True),
        ("SELECT * WHERE { <#fragment> ?p ?o }", True),
        ("SELECT * WHERE { <> ?p ?o }", True),
        ("PREFIX x: <here#> SELECT * WHERE { x:s ?p ?o }", True),
        ("SELECT * WHERE { <\\u0073> ?p ?o }", True),  # escaped: taken as relative
        ("SELECT * WHERE { <https://example.org/s> ?p ?o }", False),
        ("PREFIX a: <urn:x#> SELECT * WHERE { a:b ?p ?o FILTER (?o < 3 && ?o > 1) }", False),
    ],
)
def test_a_base_iri_is_sent_only_where_a_relative_iri_may_need_it(
    text: str, relative: bool
) -> None:
    assert has_relative_iri(text) is relative
