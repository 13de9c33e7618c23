"""A minimal extractor: organizations named together in a sentence with a relationship cue.

It stands in for the full extractor (a later issue) behind the same interface: one relationship
per sentence that names two or more known organizations and a cue from ``lexicon/cues.tsv``,
with the technology domains the sentence names, at a modest confidence (a co-mention with a cue
is weaker evidence than a parsed statement). It finds only organizations whose names it is
given (the store's aliases), never invents pairs across sentences, and dates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from service.extract.gazetteer import Gazetteer
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


def _pattern(term: str) -> re.Pattern[str]:
    escaped = re.escape(term)
    if _LATIN.match(term):
        # Latin-script words stand alone: "MOU" must not match inside "MOUNT".
        return re.compile(rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])", re.IGNORECASE)
    # Korean particles attach to the word ("협력을"), so no boundary after it.
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


class CooccurrenceExtractor:
    """Relationships from sentences that name two or more known organizations and a cue."""

    def __init__(
        self,
        organization_names: Iterable[str],
        domain_labels: Mapping[str, str],
        relationship_cues: Iterable[Cue] | None = None,
    ) -> None:
        self._names = Gazetteer((n, n) for n in organization_names)
        self._domains = Gazetteer(domain_labels.items())
        self._cues = [
            (cue, _pattern(cue.text))
            for cue in (relationship_cues if relationship_cues is not None else cues())
        ]

    def _mentions(self, sentence: Span) -> list[Mention]:
        return [
            Mention(m.surface, Span(sentence.start + m.start, sentence.start + m.end, m.surface))
            for m in self._names.find(sentence.text)
        ]

    def _cue(self, sentence: Span) -> Cue | None:
        for cue, pattern in self._cues:
            if pattern.search(sentence.text):
                return cue
        return None

    def _domain_tags(self, sentence: Span) -> tuple[str, ...]:
        # A label inside a longer match does not count on its own: "목적기반모빌리티" is PBV,
        # not also mobility.
        return tuple(sorted({m.payloads[0] for m in self._domains.find(sentence.text)}))

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
