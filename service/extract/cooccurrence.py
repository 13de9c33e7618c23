"""A minimal extractor: organizations named together in a sentence with a relationship cue.

It stands in for the full extractor (a later issue) behind the same interface: one relationship
per sentence that names two or more known organizations and a cue from ``lexicon/cues.tsv``,
with the technology domains the sentence names, at a modest confidence (a co-mention with a cue
is weaker evidence than a parsed statement). It finds only organizations whose names it is
given (the store's aliases), never invents pairs across sentences, and dates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from service.extract.lexicon import Cue, cues
from service.extract.model import (
    ArticleText,
    EvidenceSpan,
    ExtractedRelationship,
    Extraction,
    Mention,
    Span,
)
from service.ingest.names import normalize_name

_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")
_LATIN = re.compile(r"^[\x00-\x7f]+$")
_CONFIDENCE = 0.5
T = TypeVar("T")


@dataclass(frozen=True)
class _Term:
    text: str
    pattern: re.Pattern[str]


def _pattern(term: str) -> re.Pattern[str]:
    escaped = re.escape(term)
    if _LATIN.match(term):
        # Latin-script names and words stand alone: "LG" must not match inside "LGBT".
        return re.compile(rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])", re.IGNORECASE)
    # Korean particles attach to the word ("메타와", "배터리를"), so no boundary after it.
    return re.compile(escaped)


def sentences(text: str) -> list[Span]:
    """The sentences of a text with their offsets.

    >>> [s.text for s in sentences("A met B. Then C.\\n\\nD")]
    ['A met B.', 'Then C.', 'D']
    """
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            spans.append(Span(start, match.start(), text[start : match.start()]))
        start = match.end()
    if text[start:].strip():
        spans.append(Span(start, len(text), text[start:]))
    return spans


def _longest_matches(terms: Sequence[tuple[_Term, T]], text: str) -> list[tuple[T, int, int, str]]:
    """Matches of the terms (given longest first) that no earlier, longer match overlaps."""
    taken: list[tuple[int, int]] = []
    found = []
    for term, payload in terms:
        for match in term.pattern.finditer(text):
            start, end = match.span()
            if not any(start < t_end and t_start < end for t_start, t_end in taken):
                taken.append((start, end))
                found.append((payload, start, end, match.group()))
    return found


class CooccurrenceExtractor:
    """Relationships from sentences that name two or more known organizations and a cue."""

    def __init__(
        self,
        organization_names: Iterable[str],
        domain_labels: Mapping[str, str],
        relationship_cues: Iterable[Cue] | None = None,
    ) -> None:
        usable = {n for n in organization_names if len(n.strip()) >= 2}
        self._names = [_Term(n, _pattern(n)) for n in sorted(usable, key=lambda n: -len(n))]
        self._domains = [
            (_Term(label, _pattern(label)), tag)
            for label, tag in sorted(domain_labels.items(), key=lambda item: -len(item[0]))
            if len(label) >= 2
        ]
        self._cues = list(relationship_cues if relationship_cues is not None else cues())

    def _mentions(self, sentence: Span) -> list[Mention]:
        found = [
            Mention(text, Span(sentence.start + start, sentence.start + end, text))
            for _, start, end, text in _longest_matches(
                [(term, term) for term in self._names], sentence.text
            )
        ]
        return sorted(found, key=lambda m: m.span.start)

    def _cue(self, sentence: Span) -> Cue | None:
        for cue in self._cues:
            if _pattern(cue.text).search(sentence.text):
                return cue
        return None

    def _domain_tags(self, sentence: Span) -> tuple[str, ...]:
        # A label inside a longer match does not count on its own: "목적기반모빌리티" is PBV,
        # not also mobility.
        return tuple(sorted({tag for tag, *_ in _longest_matches(self._domains, sentence.text)}))

    def extract(self, article: ArticleText) -> Extraction:
        extraction = Extraction()
        for sentence in sentences(article.text):
            mentions = self._mentions(sentence)
            extraction.mentions.extend(mentions)
            distinct: dict[str, str] = {}
            for mention in mentions:
                distinct.setdefault(normalize_name(mention.name), mention.name)
            cue = self._cue(sentence)
            if len(distinct) < 2 or cue is None:
                continue
            extraction.relationships.append(
                ExtractedRelationship(
                    kind=cue.kind,
                    participants=tuple(distinct.values()),
                    evidence=(EvidenceSpan(sentence, cue.text, _CONFIDENCE),),
                    domains=self._domain_tags(sentence),
                )
            )
        return extraction
