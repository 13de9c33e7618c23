"""The ingestion pipeline for news articles: extract, resolve, build, validate, commit, derive.

One article becomes one self-contained source graph (``…/graph/source/{id}``, the id a hash of
its URL, else of its text). Re-ingesting the same article replaces that graph; retracting it
deletes the graph and the derived edges only it supported. Each step is a plain function of its
own module; this one wires them together under the service's write lock.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from service.classes import below
from service.context import ServiceContext
from service.dates import parse_partial_date
from service.errors import SourceNotFound
from service.extract.article import ArticleExtractor
from service.extract.lexicon import domain_labels
from service.extract.model import (
    ArticleText,
    EvidenceSpan,
    ExtractedRelationship,
    Extraction,
    Extractor,
    Span,
)
from service.ingest.articles import ArticleIn
from service.ingest.candidate import (
    Candidate,
    KnownOrganization,
    PersonEntry,
    SourceDescription,
    build_candidate,
    describe_article,
    name_language,
)
from service.ingest.gate import commit_graphs
from service.ingest.records import KINDS, RecordIn
from service.ingest.resolve import AliasIndex, mint_organization
from service.iri import event_iri, person_iri, relationship_iri, source_id
from service.link.linker import Linker
from service.namespaces import AG, SKOS, WD, sparql_prefixes
from service.store.port import GraphName, solutions

_PREFIXES = sparql_prefixes("rdfs")
_KNOWN_PERSONS = (
    sparql_prefixes("ag", "rdfs", "skos")
    + """
SELECT ?p (STR(?label) AS ?name) WHERE {
  VALUES ?label { %s }
  GRAPH ?g { ?p rdfs:label|skos:altLabel ?label ; a ag:Person }
}"""
)
_ALT_LABEL = NamedNode(SKOS + "altLabel")
_EXACT_MATCH = NamedNode(SKOS + "exactMatch")
_COUNTRY = NamedNode(AG + "country")
_SUBSIDIARY_OF = NamedNode(AG + "subsidiaryOf")
_JOINT_VENTURE = NamedNode(AG + "jointVenture")


@dataclass
class IngestResult:
    """What one article produced."""

    source_id: str
    graph: str
    created: bool
    relationships: list[dict[str, object]] = field(default_factory=list)
    organizations: list[dict[str, object]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # firm IRI -> Wikidata QID, this time


def article_text(article: ArticleIn) -> ArticleText:
    """The article as an extractor sees it."""
    return ArticleText(article.text, article.detected_language, article.published_date)


_KNOWN = (
    sparql_prefixes("ag", "rdfs")
    + """
SELECT DISTINCT ?o ?type ?label WHERE {
  VALUES ?o { %s }
  { GRAPH ?g { ?o a ?type } %s }
  UNION
  { GRAPH ?g { ?o rdfs:label ?label } }
}"""
)


class Ingestor:
    """Ingests articles into one service context; safe to share between threads."""

    def __init__(
        self,
        context: ServiceContext,
        extractor: Extractor | None = None,
        linker: Linker | None = None,
    ) -> None:
        self.context = context
        self._extractor = extractor
        self._linker = linker
        self._index: AliasIndex | None = None
        self._generation = -1
        # The default extractor, the index and version it was made for, and the names it has.
        self._built: tuple[AliasIndex, int, ArticleExtractor, frozenset[str]] | None = None
        self._lock = threading.Lock()

    def _alias_index(self) -> AliasIndex:
        """The alias index, rebuilt when something other than this ingestor wrote."""
        store = self.context.store
        with self._lock:
            if self._index is None or self._generation != store.generation:
                self._generation = store.generation
                self._index = AliasIndex.from_store(store)
            return self._index

    def _learn(self, index: AliasIndex, names: AliasIndex, generation_before: int) -> None:
        """Add the names a commit introduced, if the index saw every write before it; the
        caller holds the write lock, so no other write comes between."""
        with self._lock:
            if self._index is index and self._generation == generation_before:
                index.merge(names)
                self._generation = self.context.store.generation

    def _extractor_for(self, index: AliasIndex) -> Extractor:
        """The extractor: the default one is built once per alias index and learns the names
        each commit adds to it, so no write pays for rebuilding it."""
        if self._extractor is not None:
            return self._extractor
        with self._lock:
            built = self._built
            if built is None or built[0] is not index:
                extractor = ArticleExtractor(index.names(), domain_labels(self.context.ontology))
                built = self._built = (index, index.version, extractor, index.names())
            elif built[1] != index.version:
                names = index.names()
                built[2].add_names(names - built[3])
                built = self._built = (index, index.version, built[2], names)
            return built[2]

    def known(self, organizations: Sequence[NamedNode]) -> dict[NamedNode, KnownOrganization]:
        """What the store says about organizations it knows: their types and labels."""
        if not organizations:
            return {}
        values = " ".join(str(o) for o in organizations)
        types: dict[NamedNode, set[str]] = {}
        labels: dict[NamedNode, set[tuple[str, str]]] = {}
        store = self.context.store
        types_below = below(store, AG + "Organization", "type")
        for row in solutions(store.query(_KNOWN % (values, types_below))):
            organization = row["o"]
            if row["type"] is not None:
                types.setdefault(organization, set()).add(row["type"].value)
            label = row["label"]
            if label is not None:
                labels.setdefault(organization, set()).add((label.value, label.language or ""))
        return {
            o: KnownOrganization(tuple(sorted(t)), tuple(sorted(labels.get(o, set()))))
            for o, t in types.items()
        }

    def _persons(
        self,
        extraction: Extraction,
        index: AliasIndex,
        surfaces: dict[NamedNode, list[str]],
        base: str,
    ) -> list[PersonEntry]:
        """The persons of an article whose organization it relates to others: the store's
        node for a person it knows by that name, else a new one."""
        by_name = {v: k for k, names in surfaces.items() for v in names}
        wanted = [p for p in extraction.persons if by_name.get(p.organization) is not None]
        if not wanted:
            return []
        # Literals serialised by pyoxigraph (escaped), in both languages a name may carry.
        values = " ".join(
            str(Literal(p.name, language=tag)) for p in wanted for tag in ("ko", "en")
        )
        rows = self.context.store.query(_KNOWN_PERSONS % values)
        known: dict[str, NamedNode] = {}
        for row in solutions(rows):
            known.setdefault(row["name"].value, row["p"])
        labels = self.labels(list(set(known.values())))
        entries = []
        for person in wanted:
            iri = known.get(person.name) or NamedNode(person_iri(person.name, base))
            own = ((person.name, name_language(person.name)),)
            entries.append(
                PersonEntry(
                    iri,
                    tuple(labels.get(iri, ())) or own,
                    person.role,
                    by_name[person.organization],
                )
            )
        return list({e.iri: e for e in entries}.values())

    def labels(self, nodes: Sequence[NamedNode]) -> dict[NamedNode, list[tuple[str, str]]]:
        """The ``rdfs:label`` values the store has for ``nodes``, as (text, language)."""
        if not nodes:
            return {}
        found: dict[NamedNode, list[tuple[str, str]]] = {}
        rows = self.context.store.query(
            f"{_PREFIXES} SELECT DISTINCT ?s ?label WHERE {{ VALUES ?s {{ "
            + " ".join(str(n) for n in set(nodes))
            + " } GRAPH ?g { ?s rdfs:label ?label } }"
        )
        for row in solutions(rows):
            label = row["label"]
            found.setdefault(row["s"], []).append((label.value, label.language or ""))
        return found

    def extraction_setup(self) -> tuple[frozenset[str], dict[str, str]]:
        """What an extractor in another process needs: the known names and domain labels."""
        return self._alias_index().names(), domain_labels(self.context.ontology)

    def extract(self, article: ArticleIn) -> Extraction:
        """Run the extractor on one article (no store access beyond the alias index)."""
        return self._extractor_for(self._alias_index()).extract(article_text(article))

    def ingest_article(
        self, article: ArticleIn, extraction: Extraction | None = None
    ) -> IngestResult:
        """Ingest one article, replacing any earlier version of it.

        :param extraction: what an extractor already found (batch ingestion extracts in
            worker processes); extracted here if not given.
        :raises ValidationFailed: if its graph breaks the shapes; nothing is written.
        """
        context = self.context
        identifier = source_id(article.url, article.text.encode("utf-8"))
        graph = context.graphs.source(identifier)
        index = self._alias_index()
        if extraction is None:
            extraction = self._extractor_for(index).extract(article_text(article))

        warnings: list[dict[str, Any]] = []
        surfaces: dict[NamedNode, list[str]] = {}
        resolved: list[tuple[ExtractedRelationship, list[NamedNode]]] = []
        new_types: dict[NamedNode, str] = {}
        kinds = {m.name: m.kind for m in extraction.mentions}
        base = context.settings.base_iri
        for relationship in extraction.relationships:
            participants: list[NamedNode] = []
            for name in relationship.participants:
                resolution = index.resolve(name)
                if resolution.ambiguous:
                    warnings.append(
                        {
                            "message": f"the name {name!r} fits several organizations; "
                            "the relationship naming it was left out",
                            "candidates": sorted(resolution.matches),
                        }
                    )
                    participants = []
                    break
                iri = resolution.iri
                if iri is None:
                    iri = mint_organization([name], base)
                    new_types[iri] = kinds.get(name, "Firm")
                if iri not in participants:
                    participants.append(iri)
                surfaces.setdefault(iri, []).append(name)
                for alias in extraction.aliases.get(name, ()):
                    if index.resolve(alias).iri in (None, iri):
                        surfaces[iri].append(alias)
            if len(participants) >= 2:
                if relationship.kind == "AllianceMembership" and participants[1] in new_types:
                    new_types[participants[1]] = "Alliance"
                resolved.append((relationship, participants))

        persons = self._persons(extraction, index, surfaces, base)
        events = [NamedNode(event_iri(r.event, base)) for r, _ in resolved if r.event]
        candidate = build_candidate(
            describe_article(article),
            identifier,
            resolved,
            surfaces,
            self.known(list(surfaces)),
            base=base,
            new_types=new_types,
            event_labels=self.labels(events),
            persons=persons,
        )
        learned = AliasIndex()
        for iri, names in surfaces.items():
            learned.add(iri.value, names)
        with context.write_lock:
            existed = context.store.contains_graph(graph)
            before = context.store.generation
            report = commit_graphs(
                context.store, context.shapes, {graph: candidate.triples}, context.graphs
            )
            self._learn(index, learned, before)
        warnings += [r.to_json() for r in report.warnings]
        return IngestResult(
            source_id=identifier,
            graph=graph.value,
            created=not existed,
            relationships=candidate.relationships,
            organizations=[
                {"iri": iri, "names": names} for iri, names in candidate.organizations.items()
            ],
            warnings=warnings,
            links=self.link(list(candidate.organizations), warnings),
        )

    def link(self, organizations: Sequence[str], warnings: list[dict[str, Any]]) -> dict[str, str]:
        """Link the firms a write introduced, if linking is on; an unreachable endpoint leaves
        them unlinked with a warning (never a failed ingest)."""
        linker = self._linker
        if linker is None or not linker.enabled or not self.context.settings.link_on_ingest:
            return {}
        store = self.context.store
        before = store.generation
        report = linker.link([NamedNode(o) for o in organizations])
        with self._lock:
            if self._generation == before:
                self._generation = store.generation  # links change no name the index holds
        if report.unavailable:
            warnings.append(
                {
                    "message": "Wikidata linking is unavailable now; the new firms stay "
                    "unlinked (run `alliancegraph link` later)",
                    "detail": report.unavailable,
                }
            )
        return report.linked

    def retract(self, identifier: str) -> None:
        """Delete a source's graph and the derived edges only it supported.

        :raises SourceNotFound: for an unknown source id.
        """
        context = self.context
        graph = context.graphs.source(identifier)
        with context.write_lock:
            if not context.store.contains_graph(graph):
                raise SourceNotFound(f"no source with id {identifier!r}")
            commit_graphs(context.store, context.shapes, {graph: []}, context.graphs)
        with self._lock:
            self._index = None  # names only that source gave are gone

    def ingest_records(self, records: Sequence[RecordIn]) -> list[IngestResult]:
        """Ingest structured records: one source graph per ``source_url``, all in one write.

        :raises ValidationFailed: if any graph breaks the shapes; nothing is written.
        """
        context = self.context
        base = context.settings.base_iri
        index = self._alias_index()
        groups: dict[str, list[RecordIn]] = {}
        for record in records:
            groups.setdefault(record.source_url, []).append(record)
        candidates: dict[GraphName, list[Triple]] = {}
        results: list[IngestResult] = []
        # Names this request introduces resolve within it (a firm record, then a deal naming
        # the firm); they join the shared index only once committed.
        local = AliasIndex()
        for url, group in groups.items():
            identifier = source_id(url)
            candidate = self._record_candidate(identifier, group, index, local, base)
            graph = context.graphs.source(identifier)
            candidates[graph] = candidate.triples
            results.append(
                IngestResult(
                    source_id=identifier,
                    graph=graph.value,
                    created=True,
                    relationships=candidate.relationships,
                    organizations=[
                        {"iri": iri, "names": n} for iri, n in candidate.organizations.items()
                    ],
                )
            )
        with context.write_lock:
            for result in results:
                result.created = not context.store.contains_graph(NamedNode(result.graph))
            before = context.store.generation
            report = commit_graphs(context.store, context.shapes, candidates, context.graphs)
            self._learn(index, local, before)
        for result in results:
            result.warnings = [r.to_json() for r in report.warnings if r.graph == result.graph]
        # One linking run for the whole request; each source lists the links of its firms.
        firms = {str(o["iri"]) for result in results for o in result.organizations}
        link_warnings: list[dict[str, Any]] = []
        links = self.link(sorted(firms), link_warnings)
        for result in results:
            own = {str(o["iri"]) for o in result.organizations}
            result.links = {f: q for f, q in links.items() if f in own}
            result.warnings += link_warnings
        return results

    def _record_candidate(
        self,
        identifier: str,
        records: Sequence[RecordIn],
        index: AliasIndex,
        local: AliasIndex,
        base: str,
    ) -> Candidate:
        surfaces: dict[NamedNode, list[str]] = {}
        new_types: dict[NamedNode, str] = {}
        extra: list[Triple] = []

        def organization(*names: str | None, kind: str = "Firm") -> NamedNode:
            given = [n for n in names if n]
            found = [r.iri for i in (local, index) for r in map(i.resolve, given)]
            iri = next((f for f in found if f is not None), None)
            if iri is None:
                iri = mint_organization(given, base)
                new_types[iri] = kind
            local.add(iri.value, given)
            surfaces.setdefault(iri, []).extend(given)
            return iri

        resolved: list[tuple[ExtractedRelationship, list[NamedNode]]] = []
        for record in records:
            if record.kind == "firm":
                firm = organization(record.name, record.name_ko)
                extra += [
                    Triple(firm, _ALT_LABEL, Literal(a, language=name_language(a)))
                    for a in record.aliases
                ]
                if record.country:
                    extra.append(Triple(firm, _COUNTRY, NamedNode(WD + record.country)))
                if record.wikidata:
                    extra.append(Triple(firm, _EXACT_MATCH, NamedNode(WD + record.wikidata)))
                if record.parent:
                    extra.append(Triple(firm, _SUBSIDIARY_OF, organization(record.parent)))
                continue
            if record.kind == "membership":
                participants = [
                    organization(record.member),
                    organization(record.alliance, kind="Alliance"),
                ]
            else:
                participants = list(dict.fromkeys(organization(p) for p in record.participants))
            on, precision = parse_partial_date(record.date) if record.date else (None, None)
            quote = record.quote or record.restatement()
            relationship = ExtractedRelationship(
                kind=KINDS[record.kind],
                participants=tuple(record.participants),
                evidence=(
                    EvidenceSpan(Span(0, 0, quote), "", record.confidence, record.quote is None),
                ),
                domains=tuple(record.domains),
                on=on,
                precision=precision,
                status=record.status,
            )
            resolved.append((relationship, participants))
            if record.kind == "joint_venture" and record.joint_venture:
                # The company the partners set up, when the record names it.
                company = organization(record.joint_venture, kind="JointVenture")
                deal = relationship_iri(
                    relationship.kind,
                    [p.value for p in participants],
                    relationship.domains,
                    on,
                    precision,
                    base,
                )
                extra.append(Triple(NamedNode(deal), _JOINT_VENTURE, company))
        first = records[0]
        description = SourceDescription(
            "Source", first.published, first.source_url, first.source_title, None, None
        )
        return build_candidate(
            description,
            identifier,
            resolved,
            surfaces,
            self.known(list(surfaces)),
            base=base,
            new_types=new_types,
            extra=extra,
        )
