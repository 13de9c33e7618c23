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

from pyoxigraph import NamedNode

from service.context import ServiceContext
from service.errors import SourceNotFound
from service.extract.cooccurrence import CooccurrenceExtractor
from service.extract.lexicon import domain_labels
from service.extract.model import ArticleText, ExtractedRelationship, Extraction, Extractor
from service.ingest.articles import ArticleIn
from service.ingest.candidate import KnownOrganization, build_candidate
from service.ingest.gate import commit_graphs
from service.ingest.resolve import AliasIndex, mint_organization
from service.iri import source_id
from service.namespaces import sparql_prefixes
from service.store.port import solutions


@dataclass
class IngestResult:
    """What one article produced."""

    source_id: str
    graph: str
    created: bool
    relationships: list[dict[str, object]] = field(default_factory=list)
    organizations: list[dict[str, object]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def article_text(article: ArticleIn) -> ArticleText:
    """The article as an extractor sees it."""
    return ArticleText(article.text, article.detected_language, article.published_date)


_KNOWN = (
    sparql_prefixes("ag", "rdfs")
    + """
SELECT DISTINCT ?o ?type ?label WHERE {
  VALUES ?o { %s }
  { GRAPH ?g { ?o a ?type } ?type rdfs:subClassOf* ag:Organization . }
  UNION
  { GRAPH ?g { ?o rdfs:label ?label } }
}"""
)


class Ingestor:
    """Ingests articles into one service context; safe to share between threads."""

    def __init__(self, context: ServiceContext, extractor: Extractor | None = None) -> None:
        self.context = context
        self._extractor = extractor
        self._index: AliasIndex | None = None
        self._lock = threading.Lock()

    def _alias_index(self) -> AliasIndex:
        with self._lock:
            if self._index is None:
                self._index = AliasIndex.from_store(self.context.store)
            return self._index

    def _extractor_for(self, index: AliasIndex) -> Extractor:
        if self._extractor is not None:
            return self._extractor
        return CooccurrenceExtractor(index.names(), domain_labels(self.context.ontology))

    def _known(self, organizations: Sequence[NamedNode]) -> dict[NamedNode, KnownOrganization]:
        if not organizations:
            return {}
        values = " ".join(str(o) for o in organizations)
        types: dict[NamedNode, set[str]] = {}
        labels: dict[NamedNode, set[tuple[str, str]]] = {}
        for row in solutions(self.context.store.query(_KNOWN % values)):
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
                iri = resolution.iri or mint_organization([name], base)
                if iri not in participants:
                    participants.append(iri)
                surfaces.setdefault(iri, []).append(name)
            if len(participants) >= 2:
                resolved.append((relationship, participants))

        candidate = build_candidate(
            article, identifier, resolved, surfaces, self._known(list(surfaces)), base=base
        )
        with context.write_lock:
            existed = context.store.contains_graph(graph)
            report = commit_graphs(
                context.store, context.shapes, {graph: candidate.triples}, context.graphs
            )
        with self._lock:
            for iri, names in surfaces.items():
                index.add(iri.value, names)
        return IngestResult(
            source_id=identifier,
            graph=graph.value,
            created=not existed,
            relationships=candidate.relationships,
            organizations=[
                {"iri": iri, "names": names} for iri, names in candidate.organizations.items()
            ],
            warnings=warnings + [r.to_json() for r in report.warnings],
        )

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
