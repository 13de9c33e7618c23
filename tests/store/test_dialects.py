"""Virtuoso's JSON results mended into the standard form: on their bytes where the layout is
Virtuoso's own, by parsing otherwise, with the same result."""

from __future__ import annotations

import json

import pytest

from service.store.dialects import _mended_bytes, _mended_parsed, standard_json_results

#: The layout Virtuoso 7.2 writes (captured from the test server), with typed literals and a
#: language-tagged one.
VIRTUOSO_LAYOUT = (
    b'\n{ "head": { "link": [], "vars": ["firm", "name", "deals"] },\n'
    b'  "results": { "distinct": false, "ordered": true, "bindings": [\n'
    b'    { "firm": { "type": "uri", "value": "https://example.org/a" }\t, '
    b'"name": { "type": "literal", "xml:lang": "en", "value": "A" }'
    b'\t, "deals": { "type": "typed-literal", '
    b'"datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "3" }},\n'
    b'    { "firm": { "type": "uri", "value": "https://example.org/b" }\t, '
    b'"name": { "type": "literal", "value": "B" }\t, "deals": { "type": "typed-literal", '
    b'"datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1" }} ] } }'
)

EXPECTED = {
    "head": {"vars": ["firm", "name", "deals"]},
    "results": {
        "bindings": [
            {
                "firm": {"type": "uri", "value": "https://example.org/a"},
                "name": {"type": "literal", "xml:lang": "en", "value": "A"},
                "deals": {
                    "type": "literal",
                    "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                    "value": "3",
                },
            },
            {
                "firm": {"type": "uri", "value": "https://example.org/b"},
                "name": {"type": "literal", "value": "B"},
                "deals": {
                    "type": "literal",
                    "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                    "value": "1",
                },
            },
        ]
    },
}


def test_virtuosos_layout_is_mended_on_its_bytes_as_parsing_mends_it() -> None:
    mended = _mended_bytes(VIRTUOSO_LAYOUT)
    assert mended is not None  # the fast way applies
    assert json.loads(mended) == EXPECTED
    assert json.loads(_mended_parsed(VIRTUOSO_LAYOUT)) == EXPECTED
    assert json.loads(standard_json_results(VIRTUOSO_LAYOUT)) == EXPECTED


def test_booleans_and_blank_nodes_are_parsed() -> None:
    boolean = VIRTUOSO_LAYOUT.replace(
        b'"datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "3"',
        b'"datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "1"',
    )
    blank = VIRTUOSO_LAYOUT.replace(
        b'{ "type": "uri", "value": "https://example.org/b" }',
        b'{ "type": "bnode", "value": "nodeID://b10001" }',
    )
    assert _mended_bytes(boolean) is None
    assert _mended_bytes(blank) is None
    deals = json.loads(standard_json_results(boolean))["results"]["bindings"][0]["deals"]
    assert (deals["type"], deals["value"]) == ("literal", "true")
    firm = json.loads(standard_json_results(blank))["results"]["bindings"][1]["firm"]
    assert firm == {"type": "bnode", "value": "nodeID___b10001"}


def test_a_value_holding_the_type_text_is_parsed_and_kept() -> None:
    tricky = VIRTUOSO_LAYOUT.replace(b'"value": "A"', b'"value": "\\"type\\": \\"typed-literal\\""')
    assert _mended_bytes(tricky) is None
    name = json.loads(standard_json_results(tricky))["results"]["bindings"][0]["name"]
    assert name["value"] == '"type": "typed-literal"'


def test_another_layout_is_parsed() -> None:
    compact = json.dumps(json.loads(VIRTUOSO_LAYOUT)).encode()  # "link" and the rest kept
    assert _mended_bytes(compact) is None
    assert json.loads(standard_json_results(compact)) == EXPECTED


def test_an_answer_cut_short_is_parsed_and_refused() -> None:
    cut = VIRTUOSO_LAYOUT[: len(VIRTUOSO_LAYOUT) // 2]
    assert _mended_bytes(cut) is None
    with pytest.raises(json.JSONDecodeError):
        standard_json_results(cut)
    trailing = VIRTUOSO_LAYOUT + b"\nVirtuoso 22023 Error SR...: transaction aborted"
    assert _mended_bytes(trailing) is None
    with pytest.raises(json.JSONDecodeError, match="Extra data"):
        standard_json_results(trailing)
