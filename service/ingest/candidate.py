"""The candidate graph of one article: its metadata, relationships, evidence, and the type and
labels of every organization it mentions (a source graph is self-contained, DESIGN.md)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from pyoxigraph import Literal, NamedNode, Triple

from service.extract.model import ExtractedRelationship
from service.ingest.articles import ArticleIn
from service.iri import event_iri, relationship_iri, source_iri
from service.namespaces import AG, DOMAIN, PROV, RDF, RDFS, SCHEMA, SKOS, XSD

_TYPE = NamedNode(RDF + "type")
_LABEL = NamedNode(RDFS + "label")
_ALT_LABEL = NamedNode(SKOS + "altLabel")
_HANGUL_OR_CJK = re.compile(r"[\u3040-\u30ff\u3130-\u318f\uac00-\ud7a3\u4e00-\u9fff]")


def _ag(local: str) -> NamedNode:
    return NamedNode(AG + local)


def _typed(value: str, datatype: str) -> Literal:
    return Literal(value, datatype=NamedNode(XSD + datatype))


def name_language(name: str) -> str:
    """The language tag for a name, from its script: Hangul or CJK is Korean, Latin English.

    >>> name_language("삼성전자"), name_language("Kia")
    ('ko', 'en')
    """
    return "ko" if _HANGUL_OR_CJK.search(name) else "en"


@dataclass(frozen=True)
class KnownOrganization:
    """What the store already says about an organization: its types and labels."""

    types: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]  # (text, language)


@dataclass(frozen=True)
class PersonEntry:
    """A person a source names: the node, its names, title and organization."""

    iri: NamedNode
    labels: tuple[tuple[str, str], ...]  # (text, language): the store's, or the source's
    role: str
    organization: NamedNode


@dataclass
class Candidate:
    """The source graph to commit, and what it holds, for the caller's answer."""

    triples: list[Triple] = field(default_factory=list)
    relationships: list[dict[str, object]] = field(default_factory=list)
    organizations: dict[str, list[str]] = field(default_factory=dict)  # IRI -> surface forms


@dataclass(frozen=True)
class SourceDescription:
    """The source node of a source graph: a news article, or another kind of source."""

    kind: str = "NewsArticle"
    published: date | datetime | None = None
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    language: str | None = None


def describe_article(article: ArticleIn) -> SourceDescription:
    return SourceDescription(
        "NewsArticle",
        article.published,
        article.url,
        article.title,
        article.publisher,
        article.detected_language,
    )


def build_candidate(
    source_description: SourceDescription,
    source_id: str,
    relationships: Sequence[tuple[ExtractedRelationship, Sequence[NamedNode]]],
    surfaces: Mapping[NamedNode, Sequence[str]],
    known: Mapping[NamedNode, KnownOrganization],
    *,
    base: str,
    new_types: Mapping[NamedNode, str] | None = None,
    extra: Sequence[Triple] = (),
    event_labels: Mapping[NamedNode, Sequence[tuple[str, str]]] | None = None,
    persons: Sequence[PersonEntry] = (),
) -> Candidate:
    """The triples of a source graph.

    :param relationships: each relationship with its participants resolved to IRIs (two or
        more distinct ones; for a membership, the member then the alliance).
    :param surfaces: the names each organization has in this source.
    :param known: what the store says about the organizations it already has.
    :param new_types: the ``ag:`` class of organizations the store does not know (default Firm).
    :param extra: further statements of the source about its organizations.
    :param event_labels: the labels the store has for the events the relationships name.
    :param persons: the persons the source names, with their organizations (which must be
        among ``surfaces``, so the graph types them).
    """
    event_labels = event_labels or {}
    candidate = Candidate()
    add = candidate.triples.append
    source = NamedNode(source_iri(source_id, base))
    described = source_description
    add(Triple(source, _TYPE, _ag(described.kind)))
    if described.published is not None:
        published = described.published
        kind = "dateTime" if isinstance(published, datetime) else "date"
        add(
            Triple(source, NamedNode(SCHEMA + "datePublished"), _typed(published.isoformat(), kind))
        )
    if described.language:
        add(Triple(source, NamedNode(SCHEMA + "inLanguage"), Literal(described.language)))
    if described.url:
        add(Triple(source, NamedNode(SCHEMA + "url"), NamedNode(described.url)))
    if described.title:
        title = Literal(
            described.title, language=described.language or name_language(described.title)
        )
        add(Triple(source, NamedNode(SCHEMA + "headline"), title))
    if described.publisher:
        add(Triple(source, NamedNode(SCHEMA + "publisher"), Literal(described.publisher)))

    for organization, names in surfaces.items():
        new_type = (new_types or {}).get(organization, "Firm")
        _describe(candidate, organization, names, known.get(organization), new_type)
    candidate.triples.extend(extra)

    for person in persons:
        add(Triple(person.iri, _TYPE, _ag("Person")))
        for text, tag in person.labels:
            add(Triple(person.iri, _LABEL, Literal(text, language=tag)))
        add(Triple(person.iri, NamedNode(SCHEMA + "worksFor"), person.organization))
        role = Literal(person.role, language=name_language(person.role))
        add(Triple(person.iri, NamedNode(SCHEMA + "jobTitle"), role))
    events = {r.event for r, _ in relationships if r.event}
    for name in sorted(events):
        _describe_event(candidate, NamedNode(event_iri(name, base)), name, event_labels)
    for extracted, participants in relationships:
        _relationship(candidate, extracted, participants, source, source_id, base)
    return candidate


def _describe_event(
    candidate: Candidate,
    event: NamedNode,
    name: str,
    known_labels: Mapping[NamedNode, Sequence[tuple[str, str]]],
) -> None:
    """Type and name an event; an event the store knows keeps the labels it has."""
    add = candidate.triples.append
    add(Triple(event, _TYPE, _ag("Event")))
    labels = known_labels.get(event) or [(name, name_language(name))]
    for text, tag in labels:
        add(Triple(event, _LABEL, Literal(text, language=tag)))


def _describe(
    candidate: Candidate,
    organization: NamedNode,
    names: Sequence[str],
    known: KnownOrganization | None,
    new_type: str = "Firm",
) -> None:
    add = candidate.triples.append
    candidate.organizations[organization.value] = list(dict.fromkeys(names))
    if known is not None:
        for type_iri in known.types:
            add(Triple(organization, _TYPE, NamedNode(type_iri)))
        for text, tag in known.labels:
            add(Triple(organization, _LABEL, Literal(text, language=tag)))
        label_texts = {text for text, _ in known.labels}
        for name in names:
            if name not in label_texts:
                add(
                    Triple(
                        organization,
                        _ALT_LABEL,
                        Literal(name, language=name_language(name)),
                    )
                )
        return
    add(Triple(organization, _TYPE, _ag(new_type)))
    labelled: set[str] = set()
    for name in names:
        tag = name_language(name)
        predicate = _ALT_LABEL if tag in labelled else _LABEL
        labelled.add(tag)
        add(Triple(organization, predicate, Literal(name, language=tag)))


def _relationship(
    candidate: Candidate,
    extracted: ExtractedRelationship,
    participants: Sequence[NamedNode],
    source: NamedNode,
    source_id: str,
    base: str,
) -> None:
    add = candidate.triples.append
    iris = [p.value for p in participants]
    rel = NamedNode(
        relationship_iri(
            extracted.kind, iris, extracted.domains, extracted.on, extracted.precision, base
        )
    )
    add(Triple(rel, _TYPE, _ag(extracted.kind)))
    if extracted.kind == "AllianceMembership":
        add(Triple(rel, _ag("member"), participants[0]))
        add(Triple(rel, _ag("alliance"), participants[1]))
        if extracted.founding:
            add(Triple(rel, _ag("founding"), _typed("true", "boolean")))
    else:
        for participant in participants:
            add(Triple(rel, _ag("participant"), participant))
    for tag in extracted.domains:
        add(Triple(rel, _ag("domain"), NamedNode(DOMAIN + tag)))
    if extracted.on is not None and extracted.precision is not None:
        add(Triple(rel, _ag("announcedOn"), _typed(extracted.on.isoformat(), "date")))
        add(Triple(rel, _ag("datePrecision"), _ag(extracted.precision.value)))
    add(Triple(rel, _ag("status"), _ag(extracted.status)))
    if extracted.event:
        add(Triple(rel, _ag("announcedAt"), NamedNode(event_iri(extracted.event, base))))
    if extracted.place:
        place = Literal(extracted.place, language=name_language(extracted.place))
        add(Triple(rel, _ag("announcedIn"), place))
    add(Triple(rel, NamedNode(PROV + "wasDerivedFrom"), source))
    for evidence in extracted.evidence:
        key = f"{source_id}|{rel.value}|{evidence.span.start}|{evidence.span.end}"
        node = NamedNode(f"{base}evidence/{hashlib.sha256(key.encode()).hexdigest()[:16]}")
        add(Triple(rel, NamedNode(PROV + "qualifiedDerivation"), node))
        add(Triple(node, _TYPE, _ag("Evidence")))
        add(Triple(node, NamedNode(PROV + "entity"), source))
        add(Triple(node, _ag("quote"), Literal(evidence.span.text)))
        if evidence.span.end > evidence.span.start:
            add(Triple(node, _ag("charStart"), _typed(str(evidence.span.start), "integer")))
            add(Triple(node, _ag("charEnd"), _typed(str(evidence.span.end), "integer")))
        if evidence.paraphrase:
            add(Triple(node, _ag("quoteIsParaphrase"), _typed("true", "boolean")))
        add(Triple(node, _ag("confidence"), _typed(f"{evidence.confidence:.2f}", "decimal")))
        if evidence.cue:
            add(Triple(node, _ag("cue"), Literal(evidence.cue)))
    candidate.relationships.append(
        {
            "iri": rel.value,
            "type": extracted.kind,
            "participants": iris,
            "domains": list(extracted.domains),
            "status": extracted.status,
            "announcedOn": extracted.on.isoformat() if extracted.on else None,
            "datePrecision": extracted.precision.value if extracted.precision else None,
            "event": extracted.event,
            "place": extracted.place,
        }
    )
