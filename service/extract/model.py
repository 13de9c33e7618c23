"""What an extractor produces: relationships between named organizations, with their evidence.

Names stay names here; the ingestion pipeline resolves them to IRIs (``service.ingest.resolve``),
so an extractor never needs the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from service.dates import Precision


@dataclass(frozen=True)
class Span:
    """A passage of the article body: ``text[start:end]``, in code points."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class EvidenceSpan:
    """One passage supporting a relationship, the cue that produced it, and a confidence."""

    span: Span
    cue: str
    confidence: float
    paraphrase: bool = False  # the quote restates the source rather than citing it


@dataclass(frozen=True)
class ExtractedRelationship:
    """A relationship as the text states it. ``kind`` is an ``ag:`` class local name."""

    kind: str
    participants: tuple[str, ...]
    evidence: tuple[EvidenceSpan, ...]
    domains: tuple[str, ...] = ()
    on: date | None = None
    precision: Precision | None = None
    status: str = "Announced"
    event: str | None = None  # the name of the trade show or conference it was announced at
    place: str | None = None  # where it was announced, as the text names the place
    founding: bool = False  # a membership from the alliance's founding


@dataclass(frozen=True)
class Mention:
    """An organization name where the text gives it."""

    name: str
    span: Span
    kind: str = "Firm"  # the ag: class an organization new to the store gets


@dataclass(frozen=True)
class PersonMention:
    """A person the article names with their title and organization."""

    name: str
    role: str
    organization: str


@dataclass
class Extraction:
    """Everything an extractor found in one article."""

    relationships: list[ExtractedRelationship] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # Other names the article gives an organization ("텐서릭스(Tensorix)"), by its name.
    aliases: dict[str, list[str]] = field(default_factory=dict)
    persons: list[PersonMention] = field(default_factory=list)


@dataclass(frozen=True)
class ArticleText:
    """The article as the extractor sees it."""

    text: str
    language: str
    published: date


class Extractor(Protocol):
    """Turns an article into relationships; the pipeline's plug-in point."""

    def extract(self, article: ArticleText) -> Extraction: ...
