"""Linking firms to Wikidata: the right item or no item, never a wrong one.

For each firm that has no link yet and no human decision, its names (labels and aliases, as
written, without legal forms, and the parts of "이앤(e&)그룹") are looked up on a Wikidata
endpoint. Only business items count (``wdt:P31/wdt:P279*`` reaching business, company or
enterprise). Each candidate is scored:

- name: 1.0 for an item labelled with one of the firm's names, 0.8 for an alias;
- country: an item in another country than the firm's ``ag:country`` is dropped, one in the
  same country gains 0.3;
- context (a second pass, once the other firms are linked): +0.25 when the item is of a class
  that the linked items of the firms it has relationships with share (SoftBank among telecom
  operators is SoftBank Corp., the operator, not SoftBank Group, the holding).

A firm is linked when the best candidate scores at least 0.8 and leads the runner-up by 0.3;
otherwise it stays unlinked and its candidates wait for review (``alliancegraph link
--review``). One item links one firm: a second firm wanting an item already linked is a merge
candidate for review. A person's decision (accept an item, or "no item") is curated data in the
reference graph and automatic linking never overrides it.

Links (``skos:exactMatch``) and the fetched facts go to ``…/graph/wikidata`` with the endpoint
and retrieval time (PAV), validated like every write.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Triple

from service.classes import below
from service.context import ServiceContext
from service.errors import InvalidParameter, NotFound, ValidationFailed
from service.ingest.context import cross_graph_context
from service.ingest.names import legal_forms, normalize_name
from service.link.cache import LinkCache
from service.link.client import Candidate, ItemFacts, LinkUnavailable, WikidataClient
from service.namespaces import AG, RDFS, SKOS, WD, WDT, XSD, sparql_prefixes
from service.store.port import solutions

log = logging.getLogger(__name__)

PAV = "http://purl.org/pav/"
EXACT_MATCH = NamedNode(SKOS + "exactMatch")
NO_ITEM = NamedNode(AG + "noWikidataItem")
THRESHOLD = 0.8
MARGIN = 0.3
_NAME_SCORE = {"label": 1.0, "alias": 0.8}
_COUNTRY_BONUS = 0.3
_CONTEXT_BONUS = 0.25
_PARENTHESIS = re.compile(r"\(([^()]+)\)")
_PREFIXES = sparql_prefixes("ag", "rdfs", "skos")

_UNLINKED = (
    _PREFIXES
    + """
SELECT ?o ?name ?country WHERE {
  %s
  GRAPH ?g { ?o a ?type }
  VALUES ?type { ag:Firm ag:BusinessGroup ag:JointVenture }
  FILTER NOT EXISTS { GRAPH ?l { ?o skos:exactMatch ?item } }
  FILTER NOT EXISTS { GRAPH ?d { ?o ag:noWikidataItem true } }
  OPTIONAL { GRAPH ?n { ?o rdfs:label|skos:altLabel ?name } }
  OPTIONAL { GRAPH ?c { ?o ag:country ?country } }
}"""
)


@dataclass
class Firm:
    """A firm to link: its IRI, names and countries (QIDs)."""

    iri: str
    names: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return sorted(self.names, key=lambda n: (len(n), n))[0] if self.names else self.iri


@dataclass(frozen=True)
class Scored:
    qid: str
    score: float
    why: str

    def to_json(self) -> dict[str, object]:
        return {"qid": self.qid, "score": round(self.score, 2), "why": self.why}


@dataclass
class LinkReport:
    """What a linking run did."""

    linked: dict[str, str] = field(default_factory=dict)  # firm IRI -> QID
    unlinked: list[str] = field(default_factory=list)  # no candidate at all
    review: dict[str, str] = field(default_factory=dict)  # firm IRI -> why it waits
    unavailable: str | None = None  # the endpoint failed: retry later
    requests: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "linked": self.linked,
            "unlinked": self.unlinked,
            "review": self.review,
            "unavailable": self.unavailable,
            "requests": self.requests,
        }


def name_variants(name: str) -> set[str]:
    """The forms of a name to look up: as written, without legal forms, and the parts of a
    name with a parenthesis.

    >>> sorted(name_variants("이앤(e&)그룹"))
    ['e&', '이앤', '이앤(e&)그룹', '이앤그룹']
    >>> sorted(name_variants("Samsung Electronics Co., Ltd."))
    ['Samsung Electronics', 'Samsung Electronics Co., Ltd.']
    """
    variants = {name.strip()}
    inner = _PARENTHESIS.search(name)
    if inner:
        variants.add(_PARENTHESIS.sub("", name).strip())
        variants.add(inner.group(1).strip())
        variants.add(name[: inner.start()].strip())
    for variant in list(variants):
        tokens = [t for t in re.split(r"[\s,]+", variant) if t]
        forms = legal_forms()
        while len(tokens) > 1 and tokens[-1].casefold().strip("().") in forms:
            tokens.pop()
        while len(tokens) > 1 and tokens[0].casefold().strip("().") in forms:
            tokens.pop(0)
        variants.add(" ".join(tokens))
    return {v for v in variants if len(v) >= 2 or v.isupper()}


def cache_path(context: ServiceContext) -> Path | None:
    """Where the cache lives: the configured file, else beside an on-disk store."""
    settings = context.settings
    if settings.wikidata_cache is not None:
        return settings.wikidata_cache
    if getattr(context.store, "path", None) is None:
        return None
    return settings.store.with_name(settings.store.name + "-wikidata-cache.sqlite")


class Linker:
    """Links the firms of one service context."""

    def __init__(
        self,
        context: ServiceContext,
        client: WikidataClient | None = None,
        cache: LinkCache | None = None,
    ) -> None:
        settings = context.settings
        self.context = context
        self.endpoint = settings.wikidata_endpoint.strip()
        self.client = client or (
            WikidataClient(
                self.endpoint,
                timeout_s=settings.wikidata_timeout_s,
                retries=settings.wikidata_retries,
            )
            if self.endpoint
            else None
        )
        self.cache = cache or LinkCache(cache_path(context))

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def close(self) -> None:
        self.cache.close()

    # --- what to link -----------------------------------------------------------------

    def unlinked(self, organizations: Iterable[NamedNode] | None = None) -> list[Firm]:
        """Firms with no link and no decision (all of them, or those among ``organizations``)."""
        values = ""
        if organizations is not None:
            nodes = sorted({o.value for o in organizations})
            if not nodes:
                return []
            values = "VALUES ?o { " + " ".join(str(NamedNode(n)) for n in nodes) + " }"
        firms: dict[str, Firm] = {}
        for row in solutions(self.context.store.query(_UNLINKED % values)):
            firm = firms.setdefault(row["o"].value, Firm(row["o"].value))
            if row["name"] is not None:
                firm.names.add(row["name"].value)
            if row["country"] is not None and row["country"].value.startswith(WD):
                firm.countries.add(row["country"].value.removeprefix(WD))
        return sorted(firms.values(), key=lambda f: f.iri)

    # --- asking Wikidata, through the cache ---------------------------------------------

    def _candidates(self, names: set[str]) -> dict[str, list[Candidate]]:
        found: dict[str, list[Candidate]] = {}
        missing = []
        for name in sorted(names):
            cached = self.cache.candidates(self.endpoint, name)
            if cached is None:
                missing.append(name)
            else:
                found[name] = cached
        if missing:
            if self.client is None:
                raise LinkUnavailable("linking is disabled (no Wikidata endpoint)")
            fetched = self.client.candidates(missing)
            for name in missing:
                found[name] = fetched.get(name, [])
                self.cache.put_candidates(self.endpoint, name, found[name])
        return found

    def _facts(self, qids: Iterable[str]) -> dict[str, ItemFacts]:
        found: dict[str, ItemFacts] = {}
        missing = []
        for qid in sorted(set(qids)):
            cached = self.cache.facts(self.endpoint, qid)
            if cached is None:
                missing.append(qid)
            else:
                found[qid] = cached
        if missing:
            if self.client is None:
                raise LinkUnavailable("linking is disabled (no Wikidata endpoint)")
            for qid, facts in self.client.facts(missing).items():
                self.cache.put_facts(self.endpoint, facts)
                found[qid] = facts
        return found

    # --- deciding ---------------------------------------------------------------------

    @staticmethod
    def _scored(firm: Firm, candidates: Sequence[Candidate], context: set[str]) -> list[Scored]:
        keys = {normalize_name(n) for n in firm.names}
        best: dict[str, Scored] = {}
        for candidate in candidates:
            if normalize_name(candidate.name) not in keys and candidate.name not in firm.names:
                continue
            if firm.countries and candidate.countries and not firm.countries & candidate.countries:
                continue  # the same name in another country is another firm
            score = _NAME_SCORE.get(candidate.matched, 0.5)
            why = f"{candidate.matched} {candidate.name!r}@{candidate.language}"
            if firm.countries & candidate.countries:
                score += _COUNTRY_BONUS
                why += ", same country"
            if context & candidate.classes:
                score += _CONTEXT_BONUS
                why += ", same kind as its linked partners"
            if candidate.qid not in best or best[candidate.qid].score < score:
                best[candidate.qid] = Scored(candidate.qid, score, why)
        return sorted(best.values(), key=lambda s: (-s.score, s.qid))

    @staticmethod
    def _decision(scored: Sequence[Scored]) -> Scored | None:
        if not scored or scored[0].score < THRESHOLD:
            return None
        if len(scored) > 1 and scored[0].score - scored[1].score < MARGIN:
            return None
        return scored[0]

    def _partner_classes(self, firm: Firm) -> set[str]:
        """The classes of the items linked to the firms this firm has relationships with."""
        rows = self.context.store.query(
            _PREFIXES
            + f"""
SELECT DISTINCT ?class WHERE {{
  GRAPH ?g {{ ?r ag:participant|ag:member|ag:alliance {NamedNode(firm.iri)} ,
                 ?other . }}
  FILTER (?other != {NamedNode(firm.iri)})
  GRAPH ?l {{ ?other skos:exactMatch ?item }}
  GRAPH ?w {{ ?item <{WDT}P31> ?class }}
}}"""
        )
        return {row["class"].value.removeprefix(WD) for row in solutions(rows)}

    # --- the run ----------------------------------------------------------------------

    def link(
        self,
        organizations: Iterable[NamedNode] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> LinkReport:
        """Link the unlinked firms (all, or those among ``organizations``).

        Never raises for an unreachable endpoint: the report says ``unavailable`` and the firms
        stay unlinked, to retry later.
        """
        report = LinkReport()
        requests_before = self.client.requests if self.client else 0
        try:
            firms = self.unlinked(organizations)
            names = {v for firm in firms for n in firm.names for v in name_variants(n)}
            candidates = self._candidates(names) if firms else {}
            pending: list[tuple[Firm, list[Candidate]]] = []
            for firm in firms:
                found = [
                    c for n in firm.names for v in name_variants(n) for c in candidates.get(v, [])
                ]
                if not found:
                    report.unlinked.append(firm.iri)
                    self.cache.clear_review(firm.iri)
                    continue
                firm.names |= {v for n in firm.names for v in name_variants(n)}
                pending.append((firm, found))
            # Pass 1 by names and countries; pass 2 adds what linked partners say.
            for with_context in (False, True):
                waiting = []
                for number, (firm, found) in enumerate(pending, 1):
                    context = self._partner_classes(firm) if with_context else set()
                    scored = self._scored(firm, found, context)
                    choice = self._decision(scored)
                    if choice is None:
                        waiting.append((firm, found))
                        if with_context:
                            self._wait_for_review(firm, scored, "no clear winner", report)
                        continue
                    holder = self._holder(choice.qid, firm.iri)
                    if holder is not None or choice.qid in report.linked.values():
                        why = f"{choice.qid} already links {holder or 'another firm'} (merge?)"
                        self._wait_for_review(firm, scored, why, report)
                        continue
                    try:
                        self._write_link(firm, choice)
                    except ValidationFailed as error:
                        # The store's rules refuse this link (another graph's statements about
                        # the firm or the item): a person decides, the run goes on.
                        why = f"{choice.qid} breaks a rule: {error.report.to_text()[:300]}"
                        self._wait_for_review(firm, scored, why, report)
                        continue
                    report.linked[firm.iri] = choice.qid
                    self.cache.clear_review(firm.iri)
                    if progress:
                        progress(number, len(pending))
                pending = waiting
        except LinkUnavailable as error:
            log.warning("Wikidata linking unavailable: %s", error)
            report.unavailable = str(error)
        report.requests = (self.client.requests if self.client else 0) - requests_before
        return report

    def _wait_for_review(
        self, firm: Firm, scored: Sequence[Scored], why: str, report: LinkReport
    ) -> None:
        report.review[firm.iri] = why
        self.cache.set_review(firm.iri, firm.label, why, [s.to_json() for s in scored[:5]])

    def _is_organization(self, node: NamedNode) -> bool:
        return bool(
            self.context.store.query(
                _PREFIXES
                + f" ASK {{ GRAPH ?g {{ {node} a ?type }} "
                + below(self.context.store, AG + "Organization", "type")
                + " }"
            )
        )

    def _holder(self, qid: str, firm: str) -> str | None:
        """The firm another link already gives this item, if any."""
        rows = self.context.store.query(
            f"SELECT ?o WHERE {{ GRAPH ?g {{ ?o {EXACT_MATCH} {NamedNode(WD + qid)} }} "
            f"FILTER (?o != {NamedNode(firm)}) }} LIMIT 1"
        )
        for row in solutions(rows):
            return str(row["o"].value)
        return None

    # --- writing ----------------------------------------------------------------------

    def _item_triples(self, facts: ItemFacts) -> list[Triple]:
        item = NamedNode(WD + facts.qid)
        triples = [
            Triple(item, NamedNode(RDFS + "label"), Literal(text, language=tag))
            for tag, text in sorted(facts.labels.items())
            if tag
        ]
        for prop, values in sorted(facts.values.items()):
            for value in values:
                if re.fullmatch(r"Q[1-9][0-9]*", value):
                    obj: NamedNode | Literal = NamedNode(WD + value)
                elif prop == "P856" and value.startswith(("http://", "https://")):
                    obj = NamedNode(value)
                elif prop == "P571" and re.match(r"^\d{4}-\d{2}-\d{2}T", value):
                    obj = Literal(value, datatype=NamedNode(XSD + "dateTime"))
                else:
                    obj = Literal(value)
                triples.append(Triple(item, NamedNode(WDT + prop), obj))
        now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        triples.append(Triple(item, NamedNode(PAV + "retrievedFrom"), NamedNode(self.endpoint)))
        triples.append(
            Triple(
                item,
                NamedNode(PAV + "retrievedOn"),
                Literal(now, datatype=NamedNode(XSD + "dateTime")),
            )
        )
        return triples

    def _write_link(self, firm: Firm, choice: Scored) -> None:
        facts = self._facts([choice.qid]).get(choice.qid, ItemFacts(choice.qid))
        link = Triple(NamedNode(firm.iri), EXACT_MATCH, NamedNode(WD + choice.qid))
        self._commit(self.context.graphs.wikidata, [link], self._item_triples(facts), choice.qid)

    def _commit(
        self, graph: NamedNode, about_firm: list[Triple], about_item: list[Triple], qid: str | None
    ) -> None:
        """Validate the new statements with what other graphs say about their nodes, then add
        them (an item's earlier facts in the graph replaced), atomically."""
        context = self.context
        probe = NamedNode(graph.value + "#candidate")  # excludes nothing from the context
        new = about_firm + about_item
        # The firm's own type is in another graph; the shapes need it to target the firm.
        extra = cross_graph_context(context.store, probe, {probe: new}, self_contained=False)
        with context.write_lock:
            report = context.shapes.validate(new, graph=graph.value, context=extra)
            if not report.conforms:
                raise ValidationFailed(report)
            old = [
                q
                for q in context.store.quads(graph)
                if qid is not None and q.subject == NamedNode(WD + qid)
            ]
            add = [Quad(t.subject, t.predicate, t.object, graph) for t in new]
            context.store.replace_graphs({}, remove=old, add=add)
            context.store.flush()

    # --- people's decisions -----------------------------------------------------------

    def decide(self, organization: NamedNode, qid: str | None) -> None:
        """A person's decision: ``qid`` is the firm's item, or (None) it has none. Written to the
        reference graph as curated data; automatic links of the firm are removed.

        :raises ValidationFailed: if the decision breaks a rule (the item links another firm).
        :raises NotFound: if the store has no such organization.
        """
        context = self.context
        reference = context.graphs.reference
        if not self._is_organization(organization):
            raise NotFound(f"the store has no organization <{organization.value}>")
        if qid is None:
            statement = Triple(
                organization, NO_ITEM, Literal("true", datatype=NamedNode(XSD + "boolean"))
            )
        else:
            statement = Triple(organization, EXACT_MATCH, NamedNode(WD + qid))
        with context.write_lock:
            automatic = [
                q
                for q in context.store.quads(context.graphs.wikidata)
                if q.subject == organization and q.predicate == EXACT_MATCH
            ]
            earlier = [
                q
                for q in context.store.quads(reference)
                if q.subject == organization and q.predicate in (EXACT_MATCH, NO_ITEM)
            ]
            probe = NamedNode(reference.value + "#candidate")
            extra = [
                t
                for t in cross_graph_context(
                    context.store, probe, {probe: [statement]}, self_contained=False
                )
                if not any(
                    t.subject == q.subject and t.predicate == q.predicate and t.object == q.object
                    for q in [*automatic, *earlier]
                )
            ]
            report = context.shapes.validate([statement], graph=reference.value, context=extra)
            if not report.conforms:
                raise ValidationFailed(report)
            add = [Quad(statement.subject, statement.predicate, statement.object, reference)]
            context.store.replace_graphs({}, remove=[*automatic, *earlier], add=add)
            context.store.flush()
        self.cache.clear_review(organization.value)
        if qid is not None and self.enabled:
            try:
                facts = self._facts([qid]).get(qid, ItemFacts(qid))
                self._commit(context.graphs.wikidata, [], self._item_triples(facts), qid)
            except LinkUnavailable as error:
                log.warning("the facts of %s could not be fetched now: %s", qid, error)


def firm_of(context: ServiceContext, reference: str) -> NamedNode:
    """The firm a user names: an IRI, or the slug after ``…/id/org/``.

    :raises InvalidParameter: for anything else.
    """
    iri = reference
    if not reference.startswith(("http://", "https://")):
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,199}", reference):
            raise InvalidParameter(
                f"a firm is an IRI or a slug such as samsung-electronics, not {reference[:60]!r}"
            )
        iri = f"{context.settings.base_iri}org/{reference}"
    try:
        return NamedNode(iri)
    except ValueError:
        raise InvalidParameter(f"not an IRI: {reference[:60]!r}") from None
