"""Organization names compared the way people write them: Unicode, case, spacing, legal forms.

The legal forms are data (``lexicon/legal_forms.txt``), so coverage grows by editing that file.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

_LEXICON = Path(__file__).parent / "lexicon" / "legal_forms.txt"
_SEPARATORS = re.compile(r"[\s,]+")
_KEEP = re.compile(r"[^0-9a-z\u3131-\u318e\uac00-\ud7a3\u4e00-\u9fff\u3040-\u30ff]+")


@cache
def legal_forms() -> frozenset[str]:
    """The legal-form words of the lexicon, normalised."""
    words = set()
    for line in _LEXICON.read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if word and not word.startswith("#"):
            words.add(unicodedata.normalize("NFKC", word).casefold())
    return frozenset(words)


def _is_legal_form(token: str) -> bool:
    forms = legal_forms()
    return token in forms or token.strip("().") in forms


def normalize_name(name: str) -> str:
    """The comparison key of an organization name.

    >>> normalize_name("Samsung Electronics Co., Ltd.") == normalize_name("samsung  electronics")
    True
    >>> normalize_name("㈜LG") == normalize_name("LG") == normalize_name("주식회사 LG")
    True
    >>> normalize_name("Stellantis N.V.")
    'stellantis'
    >>> normalize_name("e&")
    'eand'
    >>> normalize_name("SK Group") == normalize_name("SK")
    False
    >>> normalize_name("SK텔레콤")
    'sk텔레콤'
    """
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    # "(주)LG" and "LG(주)" glue the legal form to the name; give it its own token.
    text = re.sub(r"\((주|유)\)", r" (\1) ", text)
    tokens = [t for t in _SEPARATORS.split(text) if t]
    while len(tokens) > 1 and _is_legal_form(tokens[-1]):
        tokens.pop()
    while len(tokens) > 1 and _is_legal_form(tokens[0]):
        tokens.pop(0)
    key = _KEEP.sub("", "".join(tokens))
    return key or _KEEP.sub("", text)
