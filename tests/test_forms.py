"""Form-encoded text decoded and encoded in C (yarl) exactly as the standard library does."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, urlencode

import pytest

from service.forms import YARL_CHARS, encode_form, form_fields

_PIECES = [
    *(chr(c) for c in range(0x20, 0x7F)),
    "\t",
    "\n",
    "\x00",
    "é",  # raw, not escaped: urllib's rules
    *(f"%{b:02X}" for b in range(256)),  # "&", "=", "+", "%" and ";" escaped among them
    *(f"%{b:02x}" for b in range(128, 256, 11)),
    "%C3%A9",
    "%E2%82%AC",
    "%F0%9F%98%80",
    "%EF%BF%BD",  # an escaped U+FFFD: valid UTF-8
    "%zz",
    "%",
    "%4",
    "&&",
    "==",
    "+",
]


def _urllib(text: str, strict: bool) -> list[tuple[str, str]] | str:
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict" if strict else "replace")
    except UnicodeDecodeError:
        return "error"


def _ours(text: str, strict: bool) -> list[tuple[str, str]] | str:
    try:
        return form_fields(text, strict=strict)
    except UnicodeDecodeError:
        return "error"


@pytest.mark.parametrize("strict", [False, True])
def test_form_fields_equal_urllibs_on_random_texts(strict: bool) -> None:
    chooser = random.Random(8)  # noqa: S311 - seeded test data, not secrets
    for _ in range(5000):
        text = "".join(chooser.choices(_PIECES, k=chooser.randint(0, 30)))
        assert _ours(text, strict) == _urllib(text, strict), text


def test_a_query_string_decodes_to_its_fields() -> None:
    text = "query=SELECT+%3Fs+WHERE+%7B+%3Fs+%3Fp+%22%ED%95%9C%EA%B5%AD%22+%7D&default-graph-uri="
    assert form_fields(text) == [
        ("query", 'SELECT ?s WHERE { ?s ?p "한국" }'),
        ("default-graph-uri", ""),
    ]


def test_a_long_text_is_decoded_the_same_by_urllib() -> None:
    long = "query=" + "%3Fx+" * (YARL_CHARS // 5) + "&named-graph-uri=urn%3Ag"
    assert len(long) > YARL_CHARS
    assert form_fields(long) == parse_qsl(long, keep_blank_values=True)


def test_strict_refuses_escapes_that_are_not_utf8_and_keeps_an_escaped_replacement_character() -> (
    None
):
    assert form_fields("q=%C3") == [("q", "\ufffd")]
    with pytest.raises(UnicodeDecodeError):
        form_fields("q=%C3", strict=True)
    assert form_fields("q=%EF%BF%BD", strict=True) == [("q", "\ufffd")]


_TEXT_PIECES = [
    *(chr(c) for c in range(0x80)),
    "%41",
    "%zz",
    "한국",
    "é",
    "😀",
    "\ufffd",
    "SELECT ?s WHERE { ?s ?p ?o } ",
]


def test_encode_form_reads_back_as_urlencode_does_on_random_fields() -> None:
    chooser = random.Random(9)  # noqa: S311 - seeded test data, not secrets
    for _ in range(5000):
        fields = [
            (
                "".join(chooser.choices(_TEXT_PIECES, k=chooser.randint(0, 4))),
                "".join(chooser.choices(_TEXT_PIECES, k=chooser.randint(0, 30))),
            )
            for _ in range(chooser.randint(1, 3))
        ]
        encoded = encode_form(fields)
        assert encoded.isascii()
        read = parse_qsl(encoded, keep_blank_values=True, strict_parsing=True, errors="strict")
        assert read == parse_qsl(urlencode(fields), keep_blank_values=True) == fields, fields


def test_encode_form_refuses_a_lone_surrogate_whatever_the_length() -> None:
    """yarl would drop it, so the server would get another text than the one checked."""
    for fields in ([("query", "SER\ud800VICE")], [("query", "x" * YARL_CHARS + "\ud800")]):
        with pytest.raises(UnicodeEncodeError):
            encode_form(fields)


def test_a_long_form_is_encoded_by_urllib() -> None:
    fields = [("query", "?x " * YARL_CHARS)]
    assert encode_form(fields) == urlencode(fields)
