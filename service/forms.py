"""Form-encoded text (``application/x-www-form-urlencoded``): query strings and form bodies.

A GET query carries its SPARQL text percent-encoded, often a hundred escapes and more; the
standard library decodes each in Python (about 50 µs a query), yarl (aiohttp's URL library)
in C, with the same result. The same goes for encoding a query to send it on as a form. yarl
keeps the last 128 texts it decoded in a cache, so only short texts go its way: a client
cannot make the service hold on to large bodies. And only ASCII texts are encoded by yarl: it
drops a lone surrogate where the standard library refuses it, and what the server gets must
be what was checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode

from yarl import URL

#: The longest text decoded or encoded by yarl (whose cache holds 128); longer ones by urllib.
YARL_CHARS = 16 * 1024


def form_fields(text: str, *, strict: bool = False) -> list[tuple[str, str]]:
    """The fields of ``text`` in order, repeated names kept, empty values too: exactly what
    ``urllib.parse.parse_qsl(text, keep_blank_values=True)`` gives, with ``errors="replace"``
    for escapes that are not UTF-8, or ``"strict"``.

    :raises UnicodeDecodeError: with ``strict``, for escapes that are not UTF-8.
    """
    if len(text) > YARL_CHARS or not text.isascii():  # raw non-ASCII: urllib's rules, as ever
        return parse_qsl(text, keep_blank_values=True, errors="strict" if strict else "replace")
    fields = list(URL.build(query_string=text, encoded=True).query.items())
    if strict and any("\ufffd" in name or "\ufffd" in value for name, value in fields):
        # A replacement character: bad escapes, or an escaped U+FFFD; urllib tells which.
        return parse_qsl(text, keep_blank_values=True, errors="strict")
    return fields


def encode_form(fields: Sequence[tuple[str, str]]) -> str:
    """``fields`` form-encoded, as ``urllib.parse.urlencode(fields)`` encodes them but for
    ``!$'()*,/:?@``, which yarl leaves as they are and every form decoder reads as themselves.

    :raises UnicodeEncodeError: for a lone surrogate (as urllib).
    """
    if sum(len(name) + len(value) for name, value in fields) > YARL_CHARS or not all(
        name.isascii() and value.isascii() for name, value in fields
    ):
        return urlencode(fields)
    return URL.build(query=fields).raw_query_string
