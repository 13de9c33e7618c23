"""Lookups by company for the REST API and the explorer: plain functions over the store.

No SPARQL is built from what users send: a company id is checked against a pattern and becomes
an IRI (pyoxigraph ``NamedNode``, which refuses anything that is not one), a date is parsed and
written as a typed literal by pyoxigraph, a domain tag or relationship type must be one the
ontology defines; names are searched in Python over the reconciliation index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel, Field
from pyoxigraph import Literal, NamedNode

from service.classes import below, hierarchy
from service.errors import InvalidParameter, NotFound
from service.namespaces import AG, DOMAIN, PROV, RDFS, SCHEMA, SKOS, WD, WDT, GraphNames
from service.reconcile import ReconcileQueryIn, Reconciler
from service.store.port import Store, solutions

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")  # used with fullmatch
_QID = re.compile(r"Q[1-9][0-9]{0,12}")
_TYPE_NAME = re.compile(r"[A-Za-z]{1,64}")
#: How many of its relationships a company's page lists (the rest: /relationships?company=).
DETAIL_RELATIONSHIPS = 20
#: How many shared relationships each partner lists by default (the rest:
#: /relationships?company=…&partner=…).
PARTNER_RELATIONSHIPS = 5


class CompanyRef(BaseModel):
    """How a company is named in every answer."""

    id: str = Field(examples=["samsung-electronics"])
    iri: str = Field(examples=["https://w3id.org/alliancegraph/id/org/samsung-electronics"])
    label: dict[str, str | None] = Field(examples=[{"en": "Samsung Electronics", "ko": "삼성전자"}])
    wikidata: str | None = Field(default=None, examples=["Q20718"])
    country: str | None = Field(default=None, examples=["Q884"])


class SourceRef(BaseModel):
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: str | None = None


class EvidenceOut(BaseModel):
    quote: str
    confidence: float | None = None
    source: str | None = None


class RelationshipOut(BaseModel):
    """One relationship with everything a reader needs to trust it."""

    iri: str
    type: str = Field(examples=["CoDevelopment"])
    participants: list[CompanyRef]
    domains: list[str] = Field(examples=[["XR"]])
    announcedOn: str | None = Field(default=None, examples=["2024-02-28"])
    datePrecision: str | None = Field(default=None, examples=["Day"])
    event: str | None = None
    status: str | None = Field(default=None, examples=["Announced"])
    sources: list[SourceRef]
    evidence: list[EvidenceOut]


class CompanyPage(BaseModel):
    items: list[CompanyRef]
    total: int


class RelationshipPage(BaseModel):
    items: list[RelationshipOut]
    total: int


class PartnerOut(BaseModel):
    company: CompanyRef
    relationships: list[RelationshipOut] = Field(
        description="The most recent relationships the two share; all of them: "
        "/relationships?company=…&partner=…"
    )
    relationshipsTotal: int = Field(description="How many relationships the two share.")


class PartnersOut(BaseModel):
    company: CompanyRef
    partners: list[PartnerOut]
    total: int = Field(description="How many partners in all (the list is one page of them).")


class NameOut(BaseModel):
    value: str
    language: str | None = None


class CompanyDetail(BaseModel):
    company: CompanyRef
    labels: list[NameOut]
    aliases: list[NameOut]
    types: list[str]
    wikidata: dict[str, list[str]] = Field(
        default_factory=dict, description="Facts from Wikidata, by property id (P17, P571...)."
    )
    parent: list[CompanyRef]
    subsidiaries: list[CompanyRef]
    alliances: list[CompanyRef]
    relationships: list[RelationshipOut] = Field(
        description="The most recent relationships; all of them: /relationships?company=…"
    )
    relationshipsTotal: int


class DomainOut(BaseModel):
    tag: str = Field(examples=["XR"])
    label: dict[str, str | None]
    relationships: int
    companies: int


class DomainCompanies(BaseModel):
    domain: DomainOut
    companies: list[CompanyRef]


@dataclass(frozen=True)
class Filters:
    """What a relationship query keeps: checked values, never raw text."""

    domain: str | None = None  # a known tag
    type: str | None = None  # a known ag: class local name
    since: date | None = None
    until: date | None = None


def parse_day(value: str | None, name: str, *, last: bool = False) -> date | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as the first day it names (the last with
    ``last``, for an ``until``: "until=2024-02" includes the 28th).

    :raises InvalidParameter: for anything else.
    """
    if value is None or value == "":
        return None
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    try:
        if match is None:
            raise ValueError(value)
        year, month, day = match.groups()
        first = date(int(year), int(month or 1), int(day or 1))  # checks the month and day
        if not last or day is not None:
            return first
        if month is None:
            return date(int(year), 12, 31)
        following = date(int(year) + int(month) // 12, int(month) % 12 + 1, 1)
        return following - timedelta(days=1)
    except ValueError:
        raise InvalidParameter(
            f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, not {value[:40]!r}"
        ) from None


def _iri_list(iris: Iterable[str]) -> str:
    return " ".join(str(NamedNode(i)) for i in sorted(set(iris)))


def _first(values: Sequence[str]) -> str | None:
    return sorted(values)[0] if values else None


@dataclass(frozen=True)
class _Skeleton:
    """What ordering and pairing need of one relationship: its date and its parties."""

    on: str  # the latest xsd:date lexical form, "" when undated
    parties: frozenset[str]


class _Memo:
    """What one version of the store says about companies and relationships, kept between
    requests: a hub firm is a participant of thousands of relationships, and its name or a
    relationship's description is the same in every answer until the store changes. Bounded;
    a new generation of the store starts a new memo (answers being computed for the old one
    write into the old one)."""

    def __init__(self, generation: int, entries: int = 50_000) -> None:
        self.generation = generation
        self._entries = entries
        self.refs: dict[str, CompanyRef] = {}
        self.relationships: dict[str, RelationshipOut] = {}
        self.skeletons: dict[str, dict[str, _Skeleton]] = {}

    def keep_refs(self, refs: dict[str, CompanyRef]) -> None:
        if len(self.refs) + len(refs) <= self._entries:
            self.refs.update(refs)

    def keep_skeleton(self, company: str, skeleton: dict[str, _Skeleton]) -> None:
        if len(self.skeletons) < self._entries // 10:
            self.skeletons[company] = skeleton

    def keep_relationships(self, described: Iterable[RelationshipOut]) -> None:
        for relationship in described:
            if len(self.relationships) >= self._entries:
                return
            self.relationships[relationship.iri] = relationship


class Lookup:
    """Answers lookups over one store."""

    def __init__(self, store: Store, base_iri: str, graphs: GraphNames) -> None:
        self.store = store
        self.base_iri = base_iri
        self.graphs = graphs
        self.reconciler = Reconciler(store, base_iri, graphs)
        self._org = f"{base_iri}org/"
        self._current = _Memo(store.generation)

    def _memo(self) -> _Memo:
        """The memo of the store's current generation."""
        memo = self._current
        generation = self.store.generation
        if memo.generation != generation:
            memo = self._current = _Memo(generation)
        return memo

    # --- identifiers ------------------------------------------------------------------

    def company_iri(self, identifier: str) -> str:
        """The IRI of a company given by slug or Wikidata QID.

        :raises InvalidParameter: for an id of neither form. :raises NotFound: for an unknown one.
        """
        if _QID.fullmatch(identifier):
            linked = self._linked_to(identifier)
            if linked is None or not self._is_organization(linked):
                raise NotFound(f"no company is linked to {identifier}")
            return linked
        if not _SLUG.fullmatch(identifier):
            raise InvalidParameter("a company id is a slug (samsung-electronics) or a QID (Q20718)")
        iri = self._org + identifier
        if not self._is_organization(iri):
            raise NotFound(f"no company {identifier!r}")
        return iri

    def _linked_to(self, qid: str) -> str | None:
        # Values are taken out here, so no pyoxigraph result outlives this frame (an error
        # raised by the caller must not carry one to another thread).
        rows = self.store.query(
            f"SELECT ?o WHERE {{ GRAPH ?g {{ ?o {NamedNode(SKOS + 'exactMatch')} "
            f"{NamedNode(WD + qid)} }} }} ORDER BY ?o"
        )
        found = [str(row["o"].value) for row in solutions(rows)]
        return found[0] if found else None

    def _is_organization(self, iri: str) -> bool:
        return bool(
            self.store.query(
                f"ASK {{ GRAPH ?g {{ {NamedNode(iri)} a ?type }} "
                f"{below(self.store, AG + 'Organization', 'type')} }}"
            )
        )

    def domain_iri(self, tag: str) -> str:
        """:raises NotFound: for a tag that is no technology domain."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}", tag):
            raise InvalidParameter("a domain is a tag such as XR, AI-RAN or battery")
        iri = DOMAIN + tag
        known = self.store.query(f"ASK {{ {NamedNode(iri)} {NamedNode(SKOS + 'notation')} ?tag }}")
        if not bool(known):
            raise NotFound(f"no technology domain {tag!r}")
        return iri

    def type_iri(self, name: str) -> str:
        """:raises InvalidParameter: for a name that is no kind of relationship."""
        local = name.removeprefix("ag:")
        if not _TYPE_NAME.fullmatch(local):
            raise InvalidParameter("a relationship type is a class name such as Partnership")
        iri = AG + local
        if iri not in hierarchy(self.store).below(AG + "Relationship"):
            raise InvalidParameter(f"{name[:64]!r} is not a kind of relationship")
        return iri

    # --- companies --------------------------------------------------------------------

    def refs(self, iris: Iterable[str]) -> dict[str, CompanyRef]:
        """How each company is named: labels in en and ko, Wikidata id, country."""
        memo = self._memo()
        wanted = set(iris)
        known = {iri: memo.refs[iri] for iri in wanted if iri in memo.refs}
        missing = self._read_refs(wanted - known.keys())
        memo.keep_refs(missing)
        return known | missing

    def _read_refs(self, iris: set[str]) -> dict[str, CompanyRef]:
        wanted = sorted(iris)
        if not wanted:
            return {}
        # DISTINCT: a firm's labels are repeated in every source graph that names it.
        rows = self.store.query(
            f"""SELECT DISTINCT ?o ?key ?value WHERE {{
  VALUES ?o {{ {_iri_list(wanted)} }}
  {{ GRAPH ?g {{ ?o <{RDFS}label> ?value }} BIND ("label" AS ?key) }}
  UNION {{ GRAPH ?g {{ ?o <{SKOS}exactMatch> ?value }}
          FILTER (STRSTARTS(STR(?value), "{WD}")) BIND ("item" AS ?key) }}
  UNION {{ GRAPH ?g {{ ?o <{AG}country> ?value }} BIND ("country" AS ?key) }}
}}"""
        )
        labels: dict[str, dict[str, list[str]]] = {}
        items: dict[str, list[str]] = {}
        countries: dict[str, list[str]] = {}
        for row in solutions(rows):
            iri, key, value = row["o"].value, row["key"].value, row["value"]
            if key == "label" and isinstance(value, Literal):
                labels.setdefault(iri, {}).setdefault(value.language or "", []).append(value.value)
            elif key == "item":
                items.setdefault(iri, []).append(value.value.removeprefix(WD))
            elif key == "country" and value.value.startswith(WD):
                countries.setdefault(iri, []).append(value.value.removeprefix(WD))
        linked = {qid for qids in items.values() for qid in qids}
        item_countries = self._item_countries(linked) if linked else {}
        for iri, qids in items.items():
            if iri not in countries:
                found = [c for q in qids for c in item_countries.get(q, [])]
                if found:
                    countries[iri] = found
        refs = {}
        for iri in wanted:
            named = labels.get(iri, {})
            refs[iri] = CompanyRef(
                id=iri.removeprefix(self._org),
                iri=iri,
                label={"en": _first(named.get("en", [])), "ko": _first(named.get("ko", []))},
                wikidata=_first(items.get(iri, [])),
                country=_first(countries.get(iri, [])),
            )
        return refs

    def _item_countries(self, qids: set[str]) -> dict[str, list[str]]:
        rows = self.store.query(
            f"""SELECT DISTINCT ?item ?country WHERE {{
  VALUES ?item {{ {_iri_list(WD + q for q in qids)} }}
  GRAPH {self.graphs.wikidata} {{ ?item <{WDT}P17> ?country }}
}}"""
        )
        found: dict[str, list[str]] = {}
        for row in solutions(rows):
            found.setdefault(row["item"].value.removeprefix(WD), []).append(
                row["country"].value.removeprefix(WD)
            )
        return found

    def search(
        self,
        query: str | None,
        *,
        country: str | None = None,
        domain: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> CompanyPage:
        """Companies by any name (exact before prefix before fuzzy), then filters."""
        if country is not None and not _QID.fullmatch(country):
            raise InvalidParameter("country is a Wikidata id such as Q884")
        if query and query.strip():
            found = self.reconciler.index().ranked(ReconcileQueryIn(query=query[:500]))
            ranked = [self._org + r.organization.id for r in found]
        else:
            ranked = self._all_companies()
        if domain is not None:
            allowed = self._companies_in_domain(self.domain_iri(domain))
            ranked = [iri for iri in ranked if iri in allowed]
        if country is not None:
            # Only a country filter needs every candidate's country; otherwise only the page
            # is described.
            every = self.refs(ranked)
            ranked = [iri for iri in ranked if every[iri].country == country]
        page = ranked[offset : offset + limit]
        refs = self.refs(page)
        return CompanyPage(items=[refs[iri] for iri in page], total=len(ranked))

    def _all_companies(self) -> list[str]:
        # The order is taken in Python: some servers refuse ORDER BY over an aggregate's alias.
        rows = self.store.query(
            f"""SELECT ?o (SAMPLE(?l) AS ?label) WHERE {{
  GRAPH ?g {{ ?o a ?type }} {below(self.store, AG + "Organization", "type")}
  FILTER (STRSTARTS(STR(?o), "{self._org}"))
  OPTIONAL {{ GRAPH ?n {{ ?o <{RDFS}label> ?l }} FILTER (LANG(?l) = "en") }}
}} GROUP BY ?o"""
        )
        named = [
            ((row["label"].value if row["label"] is not None else "").lower(), row["o"].value)
            for row in solutions(rows)
        ]
        return [iri for _, iri in sorted(named)]

    def _companies_in_domain(self, domain: str) -> set[str]:
        rows = self.store.query(
            f"""SELECT DISTINCT ?o WHERE {{
  ?r <{AG}domain> {NamedNode(domain)} ; <{AG}participant>|<{AG}member>|<{AG}alliance> ?o .
}}"""
        )
        return {row["o"].value for row in solutions(rows)}

    def detail(self, identifier: str) -> CompanyDetail:
        iri = self.company_iri(identifier)
        node = NamedNode(iri)
        names: dict[str, set[tuple[str, str | None]]] = {"label": set(), "alias": set()}
        types: set[str] = set()
        for row in solutions(
            self.store.query(
                f"""SELECT ?kind ?value WHERE {{
  {{ GRAPH ?g {{ {node} <{RDFS}label> ?value }} BIND ("label" AS ?kind) }}
  UNION {{ GRAPH ?g {{ {node} <{SKOS}altLabel> ?value }} BIND ("alias" AS ?kind) }}
  UNION {{ GRAPH ?g {{ {node} a ?value }} BIND ("type" AS ?kind) }}
}}"""
            )
        ):
            value = row["value"]
            if row["kind"].value == "type":
                if value.value.startswith(AG):
                    types.add(value.value.removeprefix(AG))
            elif isinstance(value, Literal):
                names[row["kind"].value].add((value.value, value.language))
        ref = self.refs([iri])[iri]
        facts: dict[str, list[str]] = {}
        if ref.wikidata:
            for row in solutions(
                self.store.query(
                    f"""SELECT ?p ?value WHERE {{ GRAPH {self.graphs.wikidata} {{
  {NamedNode(WD + ref.wikidata)} ?p ?value }} FILTER (STRSTARTS(STR(?p), "{WDT}")) }}"""
                )
            ):
                facts.setdefault(row["p"].value.removeprefix(WDT), []).append(
                    row["value"].value.removeprefix(WD)
                )
        related = self._related(iri)
        relationships = self.relationships(company=iri, limit=DETAIL_RELATIONSHIPS)
        return CompanyDetail(
            company=ref,
            labels=[NameOut(value=v, language=lang) for v, lang in sorted(names["label"])],
            aliases=[
                NameOut(value=v, language=lang)
                for v, lang in sorted(names["alias"] - names["label"], key=str)
            ],
            types=sorted(types),
            wikidata={k: sorted(set(v)) for k, v in sorted(facts.items())},
            parent=related["parent"],
            subsidiaries=related["subsidiary"],
            alliances=related["alliance"],
            relationships=relationships.items,
            relationshipsTotal=relationships.total,
        )

    def _related(self, iri: str) -> dict[str, list[CompanyRef]]:
        node = NamedNode(iri)
        rows = self.store.query(
            f"""SELECT DISTINCT ?kind ?other WHERE {{
  {{ GRAPH ?g {{ {node} <{AG}subsidiaryOf> ?other }} BIND ("parent" AS ?kind) }}
  UNION {{ GRAPH ?g {{ ?other <{AG}subsidiaryOf> {node} }} BIND ("subsidiary" AS ?kind) }}
  UNION {{ GRAPH ?g {{ ?m <{AG}member> {node} ; <{AG}alliance> ?other }}
          BIND ("alliance" AS ?kind) }}
}}"""
        )
        found: dict[str, list[str]] = {"parent": [], "subsidiary": [], "alliance": []}
        for row in solutions(rows):
            found[row["kind"].value].append(row["other"].value)
        refs = self.refs(i for values in found.values() for i in values)
        return {k: [refs[i] for i in sorted(set(v))] for k, v in found.items()}

    # --- relationships ----------------------------------------------------------------

    def relationship_ids(
        self,
        *,
        company: str | None = None,
        partner: str | None = None,
        filters: Filters = Filters(),
    ) -> list[str]:
        """The relationships that match, newest first (undated last), then by IRI.

        With ``company`` (and ``partner``), those that name it (and both); anything that has
        a participant, member or alliance is a relationship (their ``rdfs:domain``), so the
        type is checked only when a type is asked for.
        """
        if company is not None:
            skeleton = self._skeleton(company)
            keep = set(skeleton)
            if partner is not None:
                keep = {r for r in keep if partner in skeleton[r].parties}
            if filters.domain is not None or filters.type is not None:
                keep &= self._filtered(company, filters)
            dated = [(r, skeleton[r].on) for r in keep]
        else:
            dated = self._dated(filters)
        if filters.since is not None or filters.until is not None:
            # Dates are xsd:date lexical forms, so they compare as strings.
            low = filters.since.isoformat() if filters.since else ""
            high = filters.until.isoformat() if filters.until else "9999"
            dated = [(r, on) for r, on in dated if on and low <= on <= high]
        dated.sort(key=lambda pair: (pair[1] == "", _inverted(pair[1]), pair[0]))
        return [r for r, _ in dated]

    def _skeleton(self, company: str) -> dict[str, _Skeleton]:
        """A company's relationships with their dates and parties, read once per version of
        the store (hub firms have thousands; every lookup of the firm starts from these)."""
        memo = self._memo()
        known = memo.skeletons.get(company)
        if known is not None:
            return known
        node, participant, member, alliance = (
            NamedNode(company),
            f"<{AG}participant>",
            f"<{AG}member>",
            f"<{AG}alliance>",
        )
        # Three plain joins and a union: much cheaper than one alternative path both ways.
        rows = self.store.query(
            f"""SELECT ?r ?p ?on WHERE {{
  {{ ?r {participant} {node} . ?r {participant} ?p }}
  UNION {{ ?r {member} {node} . ?r {alliance} ?p }}
  UNION {{ ?r {alliance} {node} . ?r {member} ?p }}
  UNION {{ ?r {participant}|{member}|{alliance} {node} . ?r <{AG}announcedOn> ?on }}
}}"""
        )
        parties: dict[str, set[str]] = {}
        dates: dict[str, str] = {}
        for row in solutions(rows):
            r = row["r"].value
            found = parties.setdefault(r, {company})
            if row["p"] is not None:
                found.add(row["p"].value)
            elif row["on"] is not None:
                dates[r] = max(dates.get(r, ""), row["on"].value)
        skeleton = {r: _Skeleton(dates.get(r, ""), frozenset(p)) for r, p in parties.items()}
        memo.keep_skeleton(company, skeleton)
        return skeleton

    def _filtered(self, company: str, filters: Filters) -> set[str]:
        """A company's relationships in the filters' domain and of their type."""
        patterns = [f"?r <{AG}participant>|<{AG}member>|<{AG}alliance> {NamedNode(company)} ."]
        if filters.domain is not None:
            patterns.append(f"?r <{AG}domain> {NamedNode(filters.domain)} .")
        if filters.type is not None:
            patterns.append(f"?r a ?t . {below(self.store, filters.type, 't')}")
        rows = self.store.query(f"SELECT DISTINCT ?r WHERE {{ {' '.join(patterns)} }}")
        return {row["r"].value for row in solutions(rows)}

    def _dated(self, filters: Filters) -> list[tuple[str, str]]:
        """Every relationship in the filters' domain and of their type, with its date."""
        patterns = []
        if filters.domain is not None:
            patterns.append(f"?r <{AG}domain> {NamedNode(filters.domain)} .")
        patterns.append(f"?r a ?t . {below(self.store, filters.type or AG + 'Relationship', 't')}")
        rows = self.store.query(
            f"""SELECT ?r (MAX(?date) AS ?on) WHERE {{
  {{ SELECT DISTINCT ?r WHERE {{ {" ".join(patterns)} }} }}
  OPTIONAL {{ ?r <{AG}announcedOn> ?date }}
}} GROUP BY ?r"""
        )
        return [
            (row["r"].value, row["on"].value if row["on"] is not None else "")
            for row in solutions(rows)
        ]

    def relationships(
        self,
        *,
        company: str | None = None,
        partner: str | None = None,
        filters: Filters = Filters(),
        limit: int = 50,
        offset: int = 0,
    ) -> RelationshipPage:
        """Relationships, newest first, optionally of one company (an IRI), or of two (the
        ones they share), and filtered."""
        ids = self.relationship_ids(company=company, partner=partner, filters=filters)
        return RelationshipPage(items=self.describe(ids[offset : offset + limit]), total=len(ids))

    def describe(self, iris: Sequence[str]) -> list[RelationshipOut]:
        """The relationships, in the order given, with participants, sources and evidence."""
        memo = self._memo()
        read = {
            r.iri: r
            for r in self._read_relationships([i for i in iris if i not in memo.relationships])
        }
        memo.keep_relationships(read.values())
        return [read[i] if i in read else memo.relationships[i] for i in iris]

    def _read_relationships(self, iris: Sequence[str]) -> list[RelationshipOut]:
        if not iris:
            return []
        rows = self.store.query(
            f"""SELECT ?r ?key ?value WHERE {{
  VALUES ?r {{ {_iri_list(iris)} }}
  {{ ?r a ?value . BIND ("type" AS ?key) }}
  UNION {{ ?r <{AG}participant>|<{AG}member>|<{AG}alliance> ?value . BIND ("party" AS ?key) }}
  UNION {{ ?r <{AG}domain>/<{SKOS}notation> ?value . BIND ("domain" AS ?key) }}
  UNION {{ ?r <{AG}announcedOn> ?value . BIND ("on" AS ?key) }}
  UNION {{ ?r <{AG}datePrecision> ?value . BIND ("precision" AS ?key) }}
  UNION {{ ?r <{AG}status> ?value . BIND ("status" AS ?key) }}
  UNION {{ ?r <{AG}announcedAt>/<{RDFS}label> ?value . BIND ("event" AS ?key) }}
  UNION {{ ?r <{PROV}wasDerivedFrom> ?value . BIND ("source" AS ?key) }}
  UNION {{ ?r <{PROV}qualifiedDerivation> ?value . BIND ("evidence" AS ?key) }}
}}"""
        )
        facts: dict[str, dict[str, set[str]]] = {i: {} for i in iris}
        for row in solutions(rows):
            facts[row["r"].value].setdefault(row["key"].value, set()).add(row["value"].value)
        parties = {p for f in facts.values() for p in f.get("party", ())}
        refs = self.refs(parties)
        sources = self._sources({s for f in facts.values() for s in f.get("source", ())})
        evidence = self._evidence({e for f in facts.values() for e in f.get("evidence", ())})
        described = []
        for iri in iris:
            f = facts[iri]
            kinds = sorted(t.removeprefix(AG) for t in f.get("type", ()) if t.startswith(AG))
            specific = [k for k in kinds if k not in ("Relationship", "Partnership")] or kinds
            described.append(
                RelationshipOut(
                    iri=iri,
                    type=specific[0] if specific else "Relationship",
                    participants=[refs[p] for p in sorted(f.get("party", ()))],
                    domains=sorted(f.get("domain", ())),
                    announcedOn=_first(sorted(f.get("on", ()))),
                    datePrecision=_first([p.removeprefix(AG) for p in f.get("precision", ())]),
                    event=_first(sorted(f.get("event", ()))),
                    status=_first([s.removeprefix(AG) for s in f.get("status", ())]),
                    sources=[sources[s] for s in sorted(f.get("source", ())) if s in sources],
                    evidence=sorted(
                        (evidence[e] for e in f.get("evidence", ()) if e in evidence),
                        key=lambda e: (-(e.confidence or 0), e.quote),
                    ),
                )
            )
        return described

    def _sources(self, iris: set[str]) -> dict[str, SourceRef]:
        if not iris:
            return {}
        rows = self.store.query(
            f"""SELECT ?s ?key ?value WHERE {{
  VALUES ?s {{ {_iri_list(iris)} }}
  {{ ?s <{SCHEMA}url> ?value BIND ("url" AS ?key) }}
  UNION {{ ?s <{SCHEMA}headline> ?value BIND ("title" AS ?key) }}
  UNION {{ ?s <{SCHEMA}publisher> ?value BIND ("publisher" AS ?key) }}
  UNION {{ ?s <{SCHEMA}datePublished> ?value BIND ("published" AS ?key) }}
}}"""
        )
        found: dict[str, dict[str, str]] = {i: {} for i in iris}
        for row in solutions(rows):
            found[row["s"].value].setdefault(row["key"].value, row["value"].value)
        return {i: SourceRef(**v) for i, v in found.items()}

    def _evidence(self, iris: set[str]) -> dict[str, EvidenceOut]:
        if not iris:
            return {}
        rows = self.store.query(
            f"""SELECT ?e ?quote ?confidence ?source WHERE {{
  VALUES ?e {{ {_iri_list(iris)} }}
  ?e <{AG}quote> ?quote .
  OPTIONAL {{ ?e <{AG}confidence> ?confidence }}
  OPTIONAL {{ ?e <{PROV}entity> ?source }}
}}"""
        )
        found = {}
        for row in solutions(rows):
            confidence = row["confidence"]
            found[row["e"].value] = EvidenceOut(
                quote=row["quote"].value,
                confidence=float(confidence.value) if confidence is not None else None,
                source=row["source"].value if row["source"] is not None else None,
            )
        return found

    def partners(
        self,
        identifier: str,
        filters: Filters = Filters(),
        *,
        limit: int = 20,
        offset: int = 0,
        per_partner: int = PARTNER_RELATIONSHIPS,
    ) -> PartnersOut:
        """A company's partners (most shared relationships first), a page of them, each with
        the most recent ``per_partner`` relationships they share with it and their number."""
        iri = self.company_iri(identifier)
        ids = self.relationship_ids(company=iri, filters=filters)
        skeleton = self._skeleton(iri)
        shared: dict[str, list[str]] = {}
        for r in ids:
            for p in skeleton[r].parties:
                if p != iri:
                    shared.setdefault(p, []).append(r)
        order = {r: n for n, r in enumerate(ids)}
        ranked = sorted(shared, key=lambda p: (-len(shared[p]), p))
        page = ranked[offset : offset + limit]
        latest = {p: sorted(shared[p], key=order.__getitem__)[:per_partner] for p in page}
        wanted = sorted({r for p in page for r in latest[p]}, key=order.__getitem__)
        described = {r.iri: r for r in self.describe(wanted)}
        refs = self.refs([iri, *page])
        partners = [
            PartnerOut(
                company=refs[p],
                relationships=[described[r] for r in latest[p]],
                relationshipsTotal=len(shared[p]),
            )
            for p in page
        ]
        return PartnersOut(company=refs[iri], partners=partners, total=len(ranked))

    # --- domains ----------------------------------------------------------------------

    def domains(self) -> list[DomainOut]:
        rows = self.store.query(
            f"""SELECT ?d ?tag (SAMPLE(?en) AS ?labelEn) (SAMPLE(?ko) AS ?labelKo)
       (COUNT(DISTINCT ?r) AS ?relationships) (COUNT(DISTINCT ?o) AS ?companies) WHERE {{
  ?d <{SKOS}notation> ?tag ; <{SKOS}inScheme> <{AG}TechnologyDomains> .
  OPTIONAL {{ ?d <{SKOS}prefLabel> ?en FILTER (LANG(?en) = "en") }}
  OPTIONAL {{ ?d <{SKOS}prefLabel> ?ko FILTER (LANG(?ko) = "ko") }}
  OPTIONAL {{ ?r <{AG}domain> ?d ; <{AG}participant>|<{AG}member>|<{AG}alliance> ?o }}
}} GROUP BY ?d ?tag ORDER BY DESC(?relationships) ?tag"""
        )
        return [
            DomainOut(
                tag=row["tag"].value,
                label={
                    "en": row["labelEn"].value if row["labelEn"] is not None else None,
                    "ko": row["labelKo"].value if row["labelKo"] is not None else None,
                },
                relationships=int(row["relationships"].value),
                companies=int(row["companies"].value),
            )
            for row in solutions(rows)
        ]

    def domain_companies(self, tag: str) -> DomainCompanies:
        iri = self.domain_iri(tag)
        domain = next(d for d in self.domains() if d.tag == tag)
        companies = self._companies_in_domain(iri)
        refs = self.refs(companies)
        ordered = sorted(refs.values(), key=lambda r: ((r.label.get("en") or r.id).lower(), r.id))
        return DomainCompanies(domain=domain, companies=ordered)


def _inverted(day: str) -> str:
    """A sort key that puts later dates first."""
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in day)
