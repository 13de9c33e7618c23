"""Reconciliation of organization names against the store (Reconciliation Service API v0.2).

A spreadsheet cell ("삼성전자", "Samsung Electronics Co., Ltd.") becomes a ranked list of the
organizations the store knows, in the shapes of the W3C Entity Reconciliation Community Group's
report: https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/.

Names are compared by their normalised keys (``service.ingest.names``). The index of every
organization, with its labels, alternative labels, Wikidata labels, classes and countries, is
read from the store with a few simple SPARQL queries and rebuilt only when the store's generation
changes. The user's strings never reach SPARQL: they are matched against the index in Python.
"""

from __future__ import annotations

import bisect
import heapq
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode
from rapidfuzz import fuzz

from service.classes import hierarchy, values
from service.errors import MalformedRequestBody
from service.ingest.names import normalize_name
from service.namespaces import AG, WD, GraphNames, sparql_prefixes
from service.store.port import Store, solutions

#: The types offered to clients, in this order (ids are local names in the ontology namespace).
DEFAULT_TYPES = ("Firm", "Organization", "BusinessGroup", "Alliance", "JointVenture")
#: Queries in one request above which the request is refused (OpenRefine sends ``BATCH_SIZE``).
MAX_QUERIES = 1000
BATCH_SIZE = 20
EXACT = 100.0
#: Added to a candidate's score when its country agrees with the one asked for, or (negative)
#: when it differs; a candidate with no country is left alone.
COUNTRY_AGREES, COUNTRY_DIFFERS = 5.0, -20.0
MIN_RATIO = 0.6
MIN_PREFIX = 2

_HANGUL = re.compile(r"[\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3]")
_QID = re.compile(
    r"^(?:wd:|https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)$", re.IGNORECASE
)
_COUNTRY_PIDS = frozenset({"country", "ag:country", AG + "country"})


# ---------------------------------------------------------------------------------------------
# The wire format
# ---------------------------------------------------------------------------------------------


class TypeOut(BaseModel):
    id: str
    name: str


class ViewOut(BaseModel):
    url: str = Field(description="URL template of an entity's page; {{id}} is replaced by its id.")


class ServiceManifest(BaseModel):
    """What ``GET /reconcile`` answers: the service manifest."""

    versions: list[str]
    name: str
    identifierSpace: str
    schemaSpace: str
    defaultTypes: list[TypeOut]
    view: ViewOut
    batchSize: int


class EntityRefIn(BaseModel):
    """A property value that is itself reconciled: OpenRefine sends ``{"id": ..., "name": ...}``."""

    id: str
    name: str | None = None


PropertyValue = str | EntityRefIn


class PropertyIn(BaseModel):
    pid: str = Field(description="Only 'country' (or ag:country) is known.")
    v: PropertyValue | list[PropertyValue] = Field(
        description="A Wikidata QID (Q884) or IRI (http://www.wikidata.org/entity/Q884)."
    )


class ReconcileQueryIn(BaseModel):
    query: str
    type: str | list[str] | None = Field(
        default=None, description="Class local name (Firm) or IRI; subclasses fit too."
    )
    type_strict: Literal["any", "all", "should"] = Field(
        default="any",
        description="'all': every given type must fit; 'any' and 'should': one is enough.",
    )
    limit: int = Field(default=5, ge=1)
    properties: list[PropertyIn] = Field(default_factory=list)


class CandidateOut(BaseModel):
    id: str = Field(description="The slug of the organization's IRI after …/id/org/.")
    name: str
    type: list[TypeOut]
    score: float
    match: bool
    description: str | None = None


class QueryResultOut(BaseModel):
    result: list[CandidateOut]


Queries = dict[str, ReconcileQueryIn]
_QUERIES: TypeAdapter[Queries] = TypeAdapter(Queries)


class MalformedQueries(MalformedRequestBody):
    """A ``queries`` parameter that is not valid JSON or not a valid batch of queries."""

    title = "Malformed reconciliation queries"

    def __init__(
        self,
        message: str,
        *,
        where: str = "queries",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        # The keys of the queries are the client's: a very long one is not echoed whole.
        where = where if len(where) <= 200 else where[:200] + "…"
        super().__init__(f"{where}: {message}")
        self.where = where
        self.line = line
        self.column = column


def parse_queries(raw: str | dict[str, Any]) -> Queries:
    """The batch of queries of a request: JSON text (form field, URL parameter) or a decoded object.

    >>> parse_queries('{"q0": {"query": "삼성전자"}}')["q0"].limit
    5

    :raises MalformedQueries: with where and what, for bad JSON or a query that breaks the API.
    """
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise MalformedQueries(
                f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}",
                line=error.lineno,
                column=error.colno,
            ) from None
        except RecursionError:
            raise MalformedQueries("the JSON is nested too deeply") from None
    if not isinstance(raw, dict):
        raise MalformedQueries('must be a JSON object of queries, such as {"q0": {...}}')
    if len(raw) > MAX_QUERIES:
        raise MalformedQueries(f"{len(raw)} queries; at most {MAX_QUERIES} per request")
    try:
        queries = _QUERIES.validate_python(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(["queries", *(str(part) for part in first["loc"])])
        raise MalformedQueries(first["msg"], where=where) from None
    for key, query in queries.items():
        for position, prop in enumerate(query.properties):
            if prop.pid not in _COUNTRY_PIDS:
                raise MalformedQueries(
                    f"unknown property {prop.pid!r}; the known one is 'country'",
                    where=f"queries.{key}.properties.{position}.pid",
                )
            country_iris(prop.v, f"queries.{key}.properties.{position}.v")
    return queries


def country_iris(value: PropertyValue | list[PropertyValue], where: str = "v") -> frozenset[str]:
    """The Wikidata IRIs of a country value; blank values are no value.

    >>> sorted(country_iris(["Q884", "http://www.wikidata.org/entity/Q30"]))
    ['http://www.wikidata.org/entity/Q30', 'http://www.wikidata.org/entity/Q884']

    :raises MalformedQueries: for a value that is not a QID or a Wikidata IRI.
    """
    values = value if isinstance(value, list) else [value]
    iris = set()
    for item in values:
        text = (item.id if isinstance(item, EntityRefIn) else item).strip()
        if not text:
            continue
        qid = _QID.match(text)
        if qid is None:
            raise MalformedQueries(
                f"{text[:80]!r} is not a Wikidata QID (Q884) or IRI (wd:Q884)", where=where
            )
        iris.add(WD + qid.group(1).upper())
    return frozenset(iris)


def manifest(base_iri: str, type_names: dict[str, str]) -> ServiceManifest:
    """The service manifest; ``type_names`` maps class local names to their English labels."""
    return ServiceManifest(
        versions=["0.2"],
        name="AllianceGraph",
        identifierSpace=f"{base_iri}org/",
        schemaSpace=AG,
        defaultTypes=[TypeOut(id=t, name=type_names.get(t, t)) for t in DEFAULT_TYPES],
        view=ViewOut(url=f"{base_iri}org/{{{{id}}}}"),
        batchSize=BATCH_SIZE,
    )


# ---------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------


_SIMILAR_CANDIDATES = 300


def _grams(key: str) -> set[str]:
    """The character pairs of a key (the key itself when shorter)."""
    return {key[i : i + 2] for i in range(len(key) - 1)} or {key}


def _score(query_key: str, key: str, fuzzy: bool = True) -> float:
    """See :func:`similarity`; ``fuzzy`` is False when no name is long enough to be similar to
    the query."""
    if key == query_key:
        return EXACT
    short, long = sorted((len(query_key), len(key)))
    best = 0.0
    # A query cut short ("Samsung Elec") says more than a query that only begins with a name
    # ("Hyundai" in "Hyundai Heavy"), so the first kind of prefix weighs more.
    # A query cut short ("Samsung Elec") ranks above every similar name (75-90); a name the
    # query begins with ("Samsung" in "Samsung Electornics") is weak evidence, like similarity.
    if short >= MIN_PREFIX and key.startswith(query_key):
        return round(75.0 + 15.0 * short / long, 2)
    if short >= MIN_PREFIX and query_key.startswith(key):
        best = 50.0 + 24.0 * short / long
    # 2 * short / (short + long) bounds the ratio from above: skip what cannot reach it cheaply,
    # which also keeps a very long query from costing anything against short names.
    if fuzzy and 2 * short >= MIN_RATIO * (short + long):
        # rapidfuzz's ratio: 2 * (longest common subsequence) / (both lengths); 0 below the cut.
        ratio = fuzz.ratio(query_key, key, score_cutoff=100 * MIN_RATIO) / 100
        if ratio >= MIN_RATIO:
            best = max(best, 50.0 + 60.0 * (ratio - MIN_RATIO))
    return round(best, 2)


def similarity(query: str, name: str) -> float:
    """How well a name answers a query, compared by normalised keys: 100 when equal; 75-90 when
    the query begins the name (by length ratio); 50-74 when the name begins the query or is
    similar (rapidfuzz ratio >= 0.6); else 0.

    >>> similarity("Samsung Electronics Co., Ltd.", "samsung  electronics")
    100.0
    >>> similarity("Samsung Electronic", "Samsung Electronics")
    89.17
    >>> similarity("삼성", "삼성전자")
    82.5
    >>> similarity("Apple", "Samsung Electronics")
    0.0
    """
    query_key = normalize_name(query)
    key = normalize_name(name)
    if not query_key or not key:
        return 0.0
    return _score(query_key, key)


@dataclass(frozen=True)
class _Ranked:
    """A candidate of a query, before it becomes an answer."""

    score: float
    match: bool
    name: str
    description: str | None
    organization: _Organization


@dataclass
class _Organization:
    iri: str
    id: str
    labels: dict[str, set[str]] = field(default_factory=dict)
    types: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)

    def display(self, language: str) -> tuple[str, str | None]:
        """The name to show (the label in ``language``, else English, else any) and the other
        labels as a description."""
        labels = [
            label
            for lang in (language, "en", *sorted(self.labels))
            for label in sorted(self.labels.get(lang, ()))
        ]
        if not labels:
            return self.id, None
        name = labels[0]
        others = list(dict.fromkeys(label for label in labels if label != name))
        return name, " / ".join(others) or None


def _index_rows(
    store: Store, identifier_space: str, wikidata_graph: NamedNode
) -> Iterator[tuple[str, str, Any]]:
    """What the index needs, as (subject, kind, value), from a few simple queries (one pass
    over each kind of statement) rather than one query joining them: labels are repeated in
    every source graph that names a firm, and a join multiplies those repetitions."""
    prefixes = sparql_prefixes("ag", "rdfs", "skos")
    classes_of = hierarchy(store)
    organizations = classes_of.below(AG + "Organization")
    supers = {c: set(classes_of.above(c) & organizations) for c in organizations}
    for row in solutions(
        store.query(
            prefixes + f" SELECT ?c ?label WHERE {{ {values('c', organizations)}"
            ' ?c rdfs:label ?label FILTER (langMatches(lang(?label), "en")) }'
        )
    ):
        yield row["c"].value, "class-label", row["label"]
    classes = " ".join(str(NamedNode(c)) for c in sorted(supers))
    space = str(RdfLiteral(identifier_space))
    for row in solutions(
        store.query(
            f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?t {{ {classes} }} ?s a ?t "
            f"FILTER (STRSTARTS(STR(?s), {space})) }}"
        )
    ):
        subject, kind = row["s"].value, row["t"].value
        yield subject, "type", row["t"]
        for parent in supers.get(kind, ()):
            yield subject, "class", NamedNode(parent)
    for predicate, kind in (
        ("rdfs:label", "label"),
        ("skos:altLabel", "alias"),
        ("ag:country", "country"),
    ):
        for row in solutions(
            store.query(
                prefixes + f" SELECT DISTINCT ?s ?value WHERE {{ ?s {predicate} ?value "
                f"FILTER (STRSTARTS(STR(?s), {space})) }}"
            )
        ):
            yield row["s"].value, kind, row["value"]
    for row in solutions(
        store.query(
            prefixes + f" SELECT DISTINCT ?s ?value WHERE {{ ?s skos:exactMatch ?item "
            f"FILTER (STRSTARTS(STR(?s), {space})) "
            f"GRAPH {wikidata_graph} {{ ?item rdfs:label|skos:altLabel ?value }} }}"
        )
    ):
        yield row["s"].value, "alias", row["value"]


class ReconciliationIndex:
    """Every organization under the identifier space, by the normalised keys of its names."""

    def __init__(self, identifier_space: str) -> None:
        self.identifier_space = identifier_space
        self.type_names: dict[str, str] = {}
        self._organizations: list[_Organization] = []
        self._keys: dict[str, list[int]] = {}
        self._longest = 0
        self._sorted: list[str] = []  # the keys in order, for prefix search
        self._grams: dict[str, list[str]] = {}  # a key's character pairs, for similar names

    @classmethod
    def from_store(
        cls, store: Store, identifier_space: str, wikidata_graph: NamedNode
    ) -> ReconciliationIndex:
        """The index of what the store holds now, in any graph (one query)."""
        index = cls(identifier_space)
        organizations: dict[str, _Organization] = {}
        names: dict[str, set[str]] = {}
        for subject, kind, value in _index_rows(store, identifier_space, wikidata_graph):
            if kind == "class-label":
                if subject.startswith(AG):
                    index.type_names.setdefault(subject[len(AG) :], value.value)
                continue
            slug = subject[len(identifier_space) :]
            if not subject.startswith(identifier_space) or not slug:
                continue
            organization = organizations.setdefault(subject, _Organization(subject, slug))
            if kind in ("label", "alias") and isinstance(value, RdfLiteral):
                names.setdefault(subject, set()).add(value.value)
                if kind == "label":
                    organization.labels.setdefault(value.language or "", set()).add(value.value)
            elif kind in ("type", "class") and value.value.startswith(AG):
                target = organization.types if kind == "type" else organization.classes
                target.add(value.value[len(AG) :])
            elif kind == "country":
                organization.countries.add(value.value)
        for iri in sorted(organizations):
            position = len(index._organizations)
            index._organizations.append(organizations[iri])
            for key in {normalize_name(name) for name in names.get(iri, ())}:
                if key:
                    index._keys.setdefault(key, []).append(position)
                    index._longest = max(index._longest, len(key))
        index._sorted = sorted(index._keys)
        for key in index._sorted:
            for gram in _grams(key):
                index._grams.setdefault(gram, []).append(key)
        return index

    def _candidates(self, query_key: str) -> set[str]:
        """The keys that can score at all: the query itself, the keys it begins or that begin
        it, and keys sharing character pairs with it (the most, first), instead of all keys."""
        found = {query_key} if query_key in self._keys else set()
        start = bisect.bisect_left(self._sorted, query_key)
        for key in self._sorted[start:]:
            if not key.startswith(query_key):
                break
            found.add(key)
        found.update(
            query_key[:end]
            for end in range(MIN_PREFIX, len(query_key))
            if query_key[:end] in self._keys
        )
        # Counted by Counter's C loop: a common pair ("el", "on") lists thousands of names.
        shared = Counter(chain.from_iterable(self._grams.get(g, ()) for g in _grams(query_key)))
        needed = max(1, len(_grams(query_key)) // 3)
        similar = heapq.nlargest(
            _SIMILAR_CANDIDATES, ((n, k) for k, n in shared.items() if n >= needed)
        )
        found.update(k for _, k in similar)
        return found

    def __len__(self) -> int:
        return len(self._organizations)

    def _type_ids(self, query: ReconcileQueryIn, key: str) -> list[str]:
        given = query.type if isinstance(query.type, list) else [query.type or ""]
        wanted = []
        for raw in given:
            name = raw.strip().removeprefix(AG).removeprefix("ag:")
            if not name:
                continue
            if name not in self.type_names:
                known = ", ".join(sorted(self.type_names))
                raise MalformedQueries(
                    f"unknown type {raw[:80]!r}; known types: {known}", where=f"queries.{key}.type"
                )
            wanted.append(name)
        return wanted

    def ranked(self, query: ReconcileQueryIn, key: str = "q0") -> list[_Ranked]:
        """Every candidate for one query, best first (see :meth:`reconcile`).

        :raises MalformedQueries: for a type that is not a class of organizations.
        """
        types = self._type_ids(query, key)
        countries: frozenset[str] = frozenset()
        for prop in query.properties:
            countries |= country_iris(prop.v)
        query_key = normalize_name(query.query)
        if not query_key:
            return []
        # Comparing a very long query costs time for nothing when no name can reach the ratio:
        # 2 * len(name) / (len(name) + len(query)) is its upper bound.
        reachable = 2 * self._longest >= MIN_RATIO * (self._longest + len(query_key))
        best: dict[int, float] = {}
        for name_key in self._candidates(query_key):
            positions = self._keys[name_key]
            score = _score(query_key, name_key, reachable)
            if score:
                for position in positions:
                    best[position] = max(score, best.get(position, 0.0))
        scored = []
        for position, name_score in best.items():
            organization = self._organizations[position]
            fits = (all if query.type_strict == "all" else any)(
                t in organization.classes for t in types
            )
            if types and not fits:
                continue
            agrees = (
                not countries
                or not organization.countries
                or bool(countries & organization.countries)
            )
            adjustment = 0.0
            if countries and organization.countries:
                adjustment = COUNTRY_AGREES if agrees else COUNTRY_DIFFERS
            score = round(name_score + adjustment, 2)
            scored.append((score, name_score == EXACT, agrees, organization))
        unique = sum(1 for _, is_exact, _, _ in scored if is_exact) == 1
        language = "ko" if _HANGUL.search(query.query) else "en"
        ranked = []
        for score, is_exact, agrees, organization in scored:
            name, description = organization.display(language)
            ranked.append(
                _Ranked(score, is_exact and unique and agrees, name, description, organization)
            )
        ranked.sort(key=lambda r: (-r.score, not r.match, r.name, r.organization.id))
        return ranked

    def reconcile(self, query: ReconcileQueryIn, key: str = "q0") -> QueryResultOut:
        """The candidates for one query, best first. ``match`` only for the one candidate of the
        type with the exact name, unless a country given contradicts it.

        :raises MalformedQueries: for a type that is not a class of organizations.
        """
        return QueryResultOut(
            result=[
                CandidateOut(
                    id=r.organization.id,
                    name=r.name,
                    type=[
                        TypeOut(id=t, name=self.type_names.get(t, t))
                        for t in sorted(r.organization.types or {"Organization"})
                    ],
                    score=r.score,
                    match=r.match,
                    description=r.description,
                )
                for r in self.ranked(query, key)[: query.limit]
            ]
        )


class Reconciler:
    """Answers reconciliation requests over one store; the index is rebuilt after writes.

    Safe to share between threads: the index is immutable once built, and built under a lock.
    """

    def __init__(self, store: Store, base_iri: str, graphs: GraphNames) -> None:
        self.store = store
        self.base_iri = base_iri
        self._wikidata = graphs.wikidata
        self._lock = threading.Lock()
        self._index: ReconciliationIndex | None = None
        self._generation = -1

    def index(self) -> ReconciliationIndex:
        """The index for the store's current generation."""
        with self._lock:
            generation = self.store.generation
            if self._index is None or self._generation != generation:
                self._index = ReconciliationIndex.from_store(
                    self.store, f"{self.base_iri}org/", self._wikidata
                )
                self._generation = generation
            return self._index

    def manifest(self) -> ServiceManifest:
        return manifest(self.base_iri, self.index().type_names)

    def reconcile(self, queries: Queries) -> dict[str, QueryResultOut]:
        """The answer to a batch of queries, by the same keys.

        :raises MalformedQueries: for a query that names an unknown type.
        """
        index = self.index()
        return {key: index.reconcile(query, key) for key, query in queries.items()}
