"""Paragraphs and sentences of an article body, with their offsets.

Korean sentences end with a final ending and a full stop ("...밝혔다."); English ones with a
full stop, question or exclamation mark that is not part of an abbreviation ("Corp.", "Feb.",
"U.S.") or an initial. Every line break ends a sentence (headlines, captions and datelines stand
on their own lines); a blank line ends a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.extract.model import Span

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u3000]*\n\s*")
_LINE_BREAK = re.compile(r"\n")
_CANDIDATE_END = re.compile(r"[.!?。](?:['\"’”)\]]+)?(?=\s)|·{3}|…")
_ABBREVIATIONS = frozenset(
    [
        "inc",
        "corp",
        "co",
        "ltd",
        "llc",
        "plc",
        "mr",
        "ms",
        "mrs",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "no",
        "gov",
        "sen",
        "rep",
        "gen",
        "lt",
        "col",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "e.g",
        "i.e",
        "n.v",
        "s.a",
        "a.g",
        "approx",
        "est",
        "dept",
        "div",
    ]
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
#: How far back an abbreviation before a dot is looked for (a search over the whole text
#: before every dot would cost quadratic time on long runs of letters).
_LONGEST_ABBREVIATION = 32


@dataclass(frozen=True)
class Sentence:
    """A sentence of the body, the paragraph it belongs to, and its place in the article."""

    span: Span
    paragraph: int
    index: int


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``text[dot]`` closes an abbreviation or an initial."""
    if text[dot] != ".":
        return False
    match = _WORD_BEFORE.search(text, max(0, dot - _LONGEST_ABBREVIATION), dot)
    if match is None:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Smith", "U."
    return word.lower().rstrip(".") in _ABBREVIATIONS


def _next_starts_sentence(text: str, position: int) -> bool:
    """Whether what follows ``position`` (after spaces) can open a sentence."""
    rest = text[position:].lstrip()
    if not rest:
        return True
    first = rest[0]
    return not first.islower()


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    begin = start
    for match in _CANDIDATE_END.finditer(text, start, end):
        dot = match.start()
        ellipsis = text[dot] in "·…"  # headlines join clauses with "···"
        if not ellipsis and (
            _is_abbreviation(text, dot) or not _next_starts_sentence(text, match.end())
        ):
            continue
        pieces.append((begin, match.end()))
        begin = match.end()
    pieces.append((begin, end))
    return pieces


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split(text: str) -> list[Sentence]:
    """The sentences of ``text``, in order.

    >>> [s.span.text for s in split("Alpha Corp. met Beta Inc. on Feb. 3. They agreed.")]
    ['Alpha Corp. met Beta Inc. on Feb. 3.', 'They agreed.']
    >>> text = "삼성전자는 밝혔다. 양사는 협력한다.\\n\\n새 문단"
    >>> [(s.paragraph, s.span.text) for s in split(text)]
    [(0, '삼성전자는 밝혔다.'), (0, '양사는 협력한다.'), (1, '새 문단')]
    """
    sentences: list[Sentence] = []
    paragraph_start = 0
    paragraphs = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)] + [len(text)]
    breaks = [m.end() for m in _PARAGRAPH_BREAK.finditer(text)]
    for number, paragraph_end in enumerate(paragraphs):
        line_start = paragraph_start
        line_ends = [m.start() for m in _LINE_BREAK.finditer(text, paragraph_start, paragraph_end)]
        for line_end in [*line_ends, paragraph_end]:
            for start, end in _split_line(text, line_start, line_end):
                bounds = _trimmed(text, start, end)
                if bounds is not None:
                    span = Span(bounds[0], bounds[1], text[bounds[0] : bounds[1]])
                    sentences.append(Sentence(span, number, len(sentences)))
            line_start = line_end + 1
        if number < len(breaks):
            paragraph_start = breaks[number]
    return sentences
