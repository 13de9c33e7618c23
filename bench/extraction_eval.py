"""Extraction quality: the article extractor scored on a corpus of gold-annotated articles.

The measure is the one of ``shared/seed/SCORING.md``: unordered pairs of related organizations with
a relation family (partnership, membership, meeting, investment), matched by Wikidata QID or by
normalised name; micro precision, recall and F1 over the corpus; domain and date accuracy over
the matched pairs. Run it from the checkout (it needs ``pyyaml``, from the ``test`` extra)::

    .venv/bin/python bench/extraction_eval.py ../shared/seed
    .venv/bin/python bench/extraction_eval.py tests/corpus --verbose --min-f1 0.5
    .venv/bin/python bench/extraction_eval.py tests/corpus/ko-01-x.yaml --no-registry --json

A corpus is a folder of gold files (``*.yaml``, the format of ``shared/seed/gold.yaml``); each
names its article text in ``article.file``, relative to the gold file's folder.

What it does:

1. Loads the gold files into :class:`GoldArticle` values (keys it does not use, such as
   ``negatives``, are ignored).
2. Opens a temporary embedded store through the service's own objects (``Settings``,
   ``ServiceContext``), loads the registry into the reference graph through the validation gate
   as ``alliancegraph load --graph …/graph/reference`` does, and ingests every article, in the
   order of its gold file's path, with ``Ingestor.ingest_article``: extraction, resolution,
   validation and commit, as ``POST /sources/articles`` does.
3. Reads back what each article's source graph says (:class:`ArticlePrediction`): its
   relationships, their family (from the ontology's class hierarchy), participants, domain tags,
   date at its precision and status, and every label, alternative label and Wikidata link of
   their organizations in any graph.
4. Scores each article with :func:`score_article` (pure: no store) and prints a table, or JSON.

The exit code is 1 if micro F1 is below ``--min-f1`` or an article was rejected, 2 for unusable
input. It is a benchmark, not a test: ``make test`` runs only its unit tests.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import Literal, NamedNode

from service.config import Settings
from service.context import ServiceContext
from service.errors import AllianceGraphError
from service.ingest.articles import ArticleIn
from service.ingest.names import normalize_name
from service.ingest.rdf_load import load_files
from service.namespaces import AG, DOMAIN, WD, sparql_prefixes
from service.store.port import Store, solutions

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "examples" / "reference" / "organizations.ttl"

#: The relation family of each gold ``relation`` value (SCORING.md).
FAMILIES: dict[str, str] = {
    "partnership": "partnership",
    "mou": "partnership",
    "co_development": "partnership",
    "supply_agreement": "partnership",
    "joint_venture": "partnership",
    "alliance_membership": "membership",
    "meeting": "meeting",
    "investment": "investment",
}
#: The ontology class heading each family; a relationship of a subclass belongs to it too.
FAMILY_CLASSES: dict[str, str] = {
    AG + "Partnership": "partnership",
    AG + "AllianceMembership": "membership",
    AG + "Meeting": "meeting",
    AG + "Investment": "investment",
}
#: The family of a relationship typed with none of :data:`FAMILY_CLASSES`: it matches no gold pair.
OTHER = "other"
#: A note containing this marks a fact as neutral, as ``unpaired: true`` does.
LENIENT = "Lenient fact"
SPECULATED = "Speculated"

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_QID = re.compile(r"Q[1-9]\d*$")
_NOT_WORD = re.compile(r"[\W_]+")

#: Two organizations (gold firm names, or predicted organization IRIs) and a family.
PairKey = tuple[frozenset[str], str]


# --------------------------------------------------------------------------------------------
# Gold
# --------------------------------------------------------------------------------------------


class GoldFormatError(ValueError):
    """A gold file that does not follow the format; the message names the file."""


@dataclass(frozen=True)
class GoldFirm:
    """An organization of the gold: its name (its identity), QID and surface forms."""

    name: str
    qid: str | None = None
    surfaces: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GoldFact:
    """One gold fact: its firms (by name) and what scoring uses of it."""

    id: str
    family: str
    firms: tuple[str, ...]
    alliance: str | None = None
    domains: tuple[str, ...] = ()
    date: str | None = None
    speculative: bool = False
    neutral: bool = False


@dataclass(frozen=True)
class GoldArticle:
    """A gold file: the article to ingest and the facts it states."""

    name: str
    facts: tuple[GoldFact, ...] = ()
    firms: Mapping[str, GoldFirm] = field(default_factory=dict)
    text_path: Path = Path()
    published: date | datetime = date(2000, 1, 1)
    language: str | None = None
    title: str | None = None
    publisher: str | None = None
    source: Path = Path()

    def firm_table(self) -> dict[str, GoldFirm]:
        """Every firm the facts name, described or not."""
        table = dict(self.firms)
        for fact in self.facts:
            for name in (*fact.firms, *([fact.alliance] if fact.alliance else [])):
                table.setdefault(name, GoldFirm(name))
        return table


def qid_of(value: object) -> str | None:
    """The QID of a gold ``qid`` value (``Q20718``, ``wd:Q20718`` or the entity IRI).

    >>> qid_of("http://www.wikidata.org/entity/Q20718"), qid_of(None)
    ('Q20718', None)
    """
    if value is None:
        return None
    found = _QID.search(str(value).strip())
    return found.group(0) if found else None


def _date_text(value: object, where: str) -> str | None:
    """A gold date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (YAML may give a date or an int)."""
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    if not _DATE.match(text):
        raise GoldFormatError(f"{where}: date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return text


def _published(value: object, where: str) -> date | datetime:
    if isinstance(value, date):
        return value
    try:
        text = str(value).strip()
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise GoldFormatError(f"{where}: article.published {value!r} is not an ISO date") from None


def _tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


class _FirmCollector:
    """Gathers each firm's QID and surfaces from the organizations list and the facts."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.qids: dict[str, str | None] = {}
        self.surfaces: dict[str, set[str]] = {}

    def add(self, entry: object) -> str:
        """Record a firm entry (``{name, surface, qid}`` or a bare name); return its name."""
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or not entry.get("name"):
            raise GoldFormatError(f"{self.where}: a firm needs a name, got {entry!r}")
        name = str(entry["name"]).strip()
        self.surfaces.setdefault(name, set())
        if entry.get("surface"):
            self.surfaces[name].add(str(entry["surface"]))
        qid = qid_of(entry.get("qid"))
        if self.qids.get(name) is None:
            self.qids[name] = qid
        return name

    def firms(self) -> dict[str, GoldFirm]:
        return {
            name: GoldFirm(name, self.qids.get(name), frozenset(surfaces))
            for name, surfaces in self.surfaces.items()
        }


def _fact(entry: object, number: int, where: str, firms: _FirmCollector) -> GoldFact:
    if not isinstance(entry, dict):
        raise GoldFormatError(f"{where}: fact {number} is not a mapping")
    fact_id = str(entry.get("id") or f"fact-{number}")
    relation = str(entry.get("relation"))
    if relation not in FAMILIES:
        raise GoldFormatError(
            f"{where}: fact {fact_id} has relation {relation!r}, not one of {sorted(FAMILIES)}"
        )
    names = tuple(firms.add(firm) for firm in entry.get("firms") or [])
    alliance = firms.add(entry["alliance"]) if entry.get("alliance") else None
    if FAMILIES[relation] == "membership" and alliance is None:
        raise GoldFormatError(f"{where}: membership fact {fact_id} names no alliance")
    return GoldFact(
        id=fact_id,
        family=FAMILIES[relation],
        firms=names,
        alliance=alliance,
        domains=_tags(entry.get("domain")),
        date=_date_text(entry.get("date"), f"{where}: fact {fact_id}"),
        speculative=entry.get("speculative") is True,
        neutral=entry.get("unpaired") is True or LENIENT in str(entry.get("note") or ""),
    )


def parse_gold(data: object, source: Path, name: str | None = None) -> GoldArticle:
    """The gold article a parsed gold file describes; ``article.file`` is relative to it.

    :raises GoldFormatError: naming ``source`` and what is wrong.
    """
    where = str(source)
    if not isinstance(data, dict) or not isinstance(data.get("article"), dict):
        raise GoldFormatError(f"{where}: a gold file is a mapping with an `article` mapping")
    article = data["article"]
    if not article.get("file"):
        raise GoldFormatError(f"{where}: `article.file` is missing")
    language = article.get("language")
    if language not in (None, "ko", "en"):
        raise GoldFormatError(f"{where}: article.language {language!r} is neither ko nor en")
    firms = _FirmCollector(where)
    for entry in data.get("organizations") or []:
        firms.add(entry)
    facts = tuple(_fact(f, n, where, firms) for n, f in enumerate(data.get("facts") or [], 1))
    return GoldArticle(
        name=name or f"{source.parent.name}/{source.stem}",
        facts=facts,
        firms=firms.firms(),
        text_path=source.parent / str(article["file"]),
        published=_published(article.get("published"), where),
        language=language,
        title=str(article["title"]) if article.get("title") else None,
        publisher=str(article["publisher"]) if article.get("publisher") else None,
        source=source,
    )


def load_gold(path: Path) -> GoldArticle:
    """One gold file.

    :raises GoldFormatError: if it does not parse, breaks the format or its article is missing.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise GoldFormatError(f"{path}: {error}") from None
    gold = parse_gold(data, path)
    if not gold.text_path.is_file():
        raise GoldFormatError(f"{path}: the article file {gold.text_path} does not exist")
    return gold


def gold_files(paths: Iterable[Path]) -> list[Path]:
    """The gold files the arguments name: files as given, folders' ``*.yaml``; sorted, once each.

    :raises GoldFormatError: for a path that does not exist or a folder without gold files.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files = list(path.glob("*.yaml"))
            if not files:
                raise GoldFormatError(f"{path}: no gold files (*.yaml) in this folder")
            found.update(f.resolve() for f in files)
        elif path.is_file():
            found.add(path.resolve())
        else:
            raise GoldFormatError(f"{path}: no such file or folder")
    return sorted(found)


def load_corpus(paths: Iterable[Path]) -> list[GoldArticle]:
    """Every gold article the arguments name, in path order.

    :raises GoldFormatError: for a bad gold file, or two with the same name.
    """
    corpus = [load_gold(path) for path in gold_files(paths)]
    names = [article.name for article in corpus]
    for name in names:
        if names.count(name) > 1:
            raise GoldFormatError(f"two gold files are both named {name!r}")
    return corpus


# --------------------------------------------------------------------------------------------
# Pairs
# --------------------------------------------------------------------------------------------


@dataclass
class GoldPair:
    """A pair of gold firms in one family, with what its facts say of it."""

    key: PairKey
    facts: list[str] = field(default_factory=list)
    domains: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    #: Only presumed: every fact giving the pair is speculative.
    speculative: bool = True


def fact_pairs(fact: GoldFact) -> list[frozenset[str]]:
    """The pairs a fact states: each member with the alliance, else every two firms.

    >>> len(fact_pairs(GoldFact("f", "partnership", ("A", "B", "C", "D"))))
    6
    >>> fact_pairs(GoldFact("f", "membership", ("A", "B"), alliance="X")) == [
    ...     frozenset({"A", "X"}), frozenset({"B", "X"})]
    True
    """
    if fact.family == "membership" and fact.alliance is not None:
        return [
            frozenset({m, fact.alliance}) for m in dict.fromkeys(fact.firms) if m != fact.alliance
        ]
    return [frozenset(p) for p in combinations(dict.fromkeys(fact.firms), 2)]


def gold_pairs(article: GoldArticle) -> tuple[dict[PairKey, GoldPair], set[PairKey]]:
    """The pairs that count (each once, however many facts give it) and the neutral ones.

    A pair that a neutral fact and a counted fact both give counts.
    """
    pairs: dict[PairKey, GoldPair] = {}
    neutral: set[PairKey] = set()
    for fact in article.facts:
        for firms in fact_pairs(fact):
            key = (firms, fact.family)
            if fact.neutral:
                neutral.add(key)
                continue
            pair = pairs.setdefault(key, GoldPair(key))
            pair.facts.append(fact.id)
            pair.domains.update(fact.domains)
            if fact.date is not None:
                pair.dates.add(fact.date)
            pair.speculative = pair.speculative and fact.speculative
    return pairs, neutral - pairs.keys()


@dataclass(frozen=True)
class PredictedOrganization:
    """An organization the store knows: its names (any graph) and Wikidata QIDs."""

    iri: str
    labels: tuple[str, ...] = ()
    qids: frozenset[str] = frozenset()
    name: str | None = None

    @property
    def display(self) -> str:
        return self.name or (self.labels[0] if self.labels else self.iri.rsplit("/", 1)[-1])


@dataclass(frozen=True)
class PredictedRelationship:
    """A relationship of an article's source graph, in one family."""

    iri: str
    family: str
    participants: tuple[str, ...]
    domains: frozenset[str] = frozenset()
    #: ``ag:announcedOn`` at its ``ag:datePrecision`` (``2024``, ``2024-02`` or ``2024-02-28``).
    date: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class ArticlePrediction:
    """What the pipeline stored for one article, or why it stored nothing."""

    relationships: tuple[PredictedRelationship, ...] = ()
    organizations: Mapping[str, PredictedOrganization] = field(default_factory=dict)
    error: str | None = None

    def organization(self, iri: str) -> PredictedOrganization:
        """An organization; one the prediction does not describe is known by its identifier."""
        return self.organizations.get(iri) or PredictedOrganization(iri, labels=(iri,))


@dataclass
class PredictedPair:
    """A pair of predicted organizations in one family, with what its relationships say."""

    key: PairKey
    relationships: list[str] = field(default_factory=list)
    domains: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)


def predicted_pairs(prediction: ArticlePrediction) -> dict[PairKey, PredictedPair]:
    """Every two distinct participants of each relationship, each pair and family once."""
    pairs: dict[PairKey, PredictedPair] = {}
    for relationship in prediction.relationships:
        for two in combinations(dict.fromkeys(relationship.participants), 2):
            key = (frozenset(two), relationship.family)
            pair = pairs.setdefault(key, PredictedPair(key))
            pair.relationships.append(relationship.iri)
            pair.domains.update(relationship.domains)
            if relationship.date is not None:
                pair.dates.add(relationship.date)
            if relationship.status is not None:
                pair.statuses.add(relationship.status)
    return pairs


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """An organization name as compared: NFKC, lower case, no spacing, punctuation or legal form.

    >>> name_key("Samsung Electronics Co., Ltd.") == name_key("samsung  electronics")
    True
    >>> name_key("HD-Hyundai") == name_key("HD Hyundai"), name_key("(주)LG") == name_key("LG")
    (True, True)
    """
    return _NOT_WORD.sub("", normalize_name(name))


_PARENTHESIS = re.compile(r"\(([^()]+)\)")


def _variants(surfaces: Iterable[str]) -> list[str]:
    """Each surface, and for one with a name in parentheses ("암(Arm)", "유럽 수소트럭
    연합(EHTA)") also the name without it and the name inside it, as the seed writes both
    forms of one name that way.

    >>> _variants(["제너럴모터스(GM)"])
    ['제너럴모터스(GM)', '제너럴모터스', 'GM']
    """
    found = []
    for surface in surfaces:
        found.append(surface)
        inner = _PARENTHESIS.search(surface)
        if inner:
            found.append(_PARENTHESIS.sub("", surface).strip())
            found.append(inner.group(1).strip())
    return found


def firm_keys(firms: Mapping[str, GoldFirm]) -> dict[str, frozenset[str]]:
    """The name keys of each gold firm: its name, and each surface no other firm has.

    A surface shared by several firms ("양사", the two companies) names none of them.
    """
    owners: dict[str, set[str]] = {}
    for firm in firms.values():
        for text in (firm.name, *_variants(firm.surfaces)):
            owners.setdefault(name_key(text), set()).add(firm.name)
    keys = {}
    for firm in firms.values():
        own = {name_key(firm.name)}
        own.update(k for k in map(name_key, _variants(firm.surfaces)) if owners[k] == {firm.name})
        keys[firm.name] = frozenset(own - {""})
    return keys


def matching_firms(
    organization: PredictedOrganization,
    firms: Mapping[str, GoldFirm],
    keys: Mapping[str, frozenset[str]],
) -> frozenset[str]:
    """The gold firms an organization is: by QID when both have one, else by a shared name key."""
    labels = {name_key(label) for label in organization.labels} - {""}
    found = set()
    for name, firm in firms.items():
        if firm.qid is not None and organization.qids:
            if firm.qid in organization.qids:
                found.add(name)
        elif labels & keys[name]:
            found.add(name)
    return frozenset(found)


def maximum_matching(options: Mapping[PairKey, Sequence[PairKey]]) -> dict[PairKey, PairKey]:
    """A largest one-to-one matching of predicted pairs to gold pairs (augmenting paths).

    One-to-one, so two predicted organizations that both resolve to one gold firm (a duplicate
    node) earn one match, not two.
    """
    owner: dict[PairKey, PairKey] = {}

    def augment(predicted: PairKey, seen: set[PairKey]) -> bool:
        for gold in options[predicted]:
            if gold in seen:
                continue
            seen.add(gold)
            if gold not in owner or augment(owner[gold], seen):
                owner[gold] = predicted
                return True
        return False

    for predicted in options:
        augment(predicted, set())
    return {predicted: gold for gold, predicted in owner.items()}


# --------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """Hits among a total; no value when the total is zero."""

    hits: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.hits + other.hits, self.total + other.total)

    def to_json(self) -> dict[str, Any]:
        return {"hits": self.hits, "total": self.total, "value": self.value}


@dataclass(frozen=True)
class PairCounts:
    """Gold pairs, predicted pairs (neutral ones left out) and matched pairs."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    neutral: int = 0

    @property
    def precision(self) -> float | None:
        return self.matched / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        """The harmonic mean of precision and recall: none when nothing was expected nor
        predicted, 0 when nothing matched."""
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        if not p or not r:
            return 0.0
        return 2 * p * r / (p + r)

    def __add__(self, other: PairCounts) -> PairCounts:
        return PairCounts(
            self.gold + other.gold,
            self.predicted + other.predicted,
            self.matched + other.matched,
            self.neutral + other.neutral,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "neutral_predicted": self.neutral,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class ArticleScore:
    """The scores of one article, and the pairs behind them."""

    name: str
    language: str | None
    pairs: PairCounts
    domain: Ratio = Ratio()
    date: Ratio = Ratio()
    speculative: Ratio = Ratio()
    false_positives: tuple[str, ...] = ()
    false_negatives: tuple[str, ...] = ()
    domain_misses: tuple[str, ...] = ()
    date_misses: tuple[str, ...] = ()
    unknown_tags: tuple[str, ...] = ()
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "language": self.language,
            **self.pairs.to_json(),
            "domain": self.domain.to_json(),
            "date": self.date.to_json(),
            "speculative": self.speculative.to_json(),
            "false_positives": list(self.false_positives),
            "false_negatives": list(self.false_negatives),
            "domain_misses": list(self.domain_misses),
            "date_misses": list(self.date_misses),
            "unknown_tags": list(self.unknown_tags),
            "error": self.error,
        }


@dataclass(frozen=True)
class Scores:
    """The scores of a corpus: per article, and summed (micro)."""

    articles: tuple[ArticleScore, ...]

    @property
    def micro(self) -> PairCounts:
        return sum((a.pairs for a in self.articles), PairCounts())

    @property
    def by_language(self) -> dict[str, PairCounts]:
        totals: dict[str, PairCounts] = {}
        for article in self.articles:
            language = article.language or "?"
            totals[language] = totals.get(language, PairCounts()) + article.pairs
        return dict(sorted(totals.items()))

    @property
    def domain(self) -> Ratio:
        return sum((a.domain for a in self.articles), Ratio())

    @property
    def date(self) -> Ratio:
        return sum((a.date for a in self.articles), Ratio())

    @property
    def speculative(self) -> Ratio:
        return sum((a.speculative for a in self.articles), Ratio())

    @property
    def unknown_tags(self) -> list[str]:
        return sorted({t for a in self.articles for t in a.unknown_tags})

    @property
    def failed(self) -> list[ArticleScore]:
        return [a for a in self.articles if a.error is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "micro": self.micro.to_json(),
            "by_language": {k: v.to_json() for k, v in self.by_language.items()},
            "domain_accuracy": self.domain.to_json(),
            "date_accuracy": self.date.to_json(),
            "speculative_marked": self.speculative.to_json(),
            "unknown_gold_tags": self.unknown_tags,
            "articles": [a.to_json() for a in self.articles],
        }


def _pair_text(firms: Iterable[str], family: str, extra: str = "") -> str:
    return f"{family}: {' – '.join(sorted(firms))}{extra}"


def _candidates(key: PairKey, matches: Mapping[str, frozenset[str]]) -> set[PairKey]:
    """The gold pair keys a predicted pair could be, given what each organization matches."""
    first, second = sorted(key[0])
    return {(frozenset({a, b}), key[1]) for a in matches[first] for b in matches[second] if a != b}


def date_agrees(predicted: Collection[str], gold: Collection[str]) -> bool:
    """Whether a predicted date agrees with a gold one at the gold's precision.

    >>> date_agrees({"2024-02-28"}, {"2024-02"}), date_agrees({"2024-02"}, {"2024-02-28"})
    (True, False)
    """
    return any(p.startswith(g) for p in predicted for g in gold)


@dataclass(frozen=True)
class PairMatching:
    """An article's gold and predicted pairs, and which predicted pair matched which gold one."""

    gold: dict[PairKey, GoldPair]
    predicted: dict[PairKey, PredictedPair]
    #: Each matched predicted pair's gold pair.
    matched: dict[PairKey, PairKey]
    #: Predicted pairs that only neutral facts give: neither right nor wrong.
    neutral: frozenset[PairKey]


def match_pairs(article: GoldArticle, prediction: ArticlePrediction) -> PairMatching:
    """Match an article's predicted pairs to its gold pairs, one to one, by firm and family."""
    gold, neutral = gold_pairs(article)
    predicted = predicted_pairs(prediction)
    firms = article.firm_table()
    keys = firm_keys(firms)
    organizations = sorted({iri for key in predicted for iri in key[0]})
    matches = {
        iri: matching_firms(prediction.organization(iri), firms, keys) for iri in organizations
    }
    candidates = {key: _candidates(key, matches) for key in sorted(predicted, key=_order)}
    options = {key: sorted(c & gold.keys(), key=_order) for key, c in candidates.items()}
    matched = maximum_matching({key: found for key, found in options.items() if found})
    ignored = {key for key, c in candidates.items() if key not in matched and c & neutral}
    return PairMatching(gold, predicted, matched, frozenset(ignored))


@dataclass(frozen=True)
class FacetScores:
    """Domain, date and speculative status over the matched pairs, with the misses."""

    domain: Ratio = Ratio()
    date: Ratio = Ratio()
    speculative: Ratio = Ratio()
    domain_misses: tuple[str, ...] = ()
    date_misses: tuple[str, ...] = ()


def _miss(key: PairKey, gold: Collection[str], predicted: Collection[str]) -> str:
    return _pair_text(key[0], key[1], f": gold {sorted(gold)}, predicted {sorted(predicted)}")


def facet_scores(matching: PairMatching) -> FacetScores:
    """Domain accuracy, date accuracy and speculative handling over the matched pairs.

    A pair that several gold facts give carries all their domains and dates; a predicted pair,
    those of all its relationships. One shared domain, or one date agreeing, is a hit.
    """
    domain, dates, speculative = Ratio(), Ratio(), Ratio()
    domain_misses, date_misses = [], []
    for predicted_key, gold_key in sorted(matching.matched.items(), key=lambda m: _order(m[1])):
        truth, guess = matching.gold[gold_key], matching.predicted[predicted_key]
        if truth.domains:
            hit = bool(truth.domains & guess.domains)
            domain += Ratio(int(hit), 1)
            if not hit:
                domain_misses.append(_miss(gold_key, truth.domains, guess.domains))
        if truth.dates:
            hit = date_agrees(guess.dates, truth.dates)
            dates += Ratio(int(hit), 1)
            if not hit:
                date_misses.append(_miss(gold_key, truth.dates, guess.dates))
        if truth.speculative:
            speculative += Ratio(int(SPECULATED in guess.statuses), 1)
    return FacetScores(domain, dates, speculative, tuple(domain_misses), tuple(date_misses))


def score_article(
    article: GoldArticle,
    prediction: ArticlePrediction,
    known_tags: Collection[str] | None = None,
) -> ArticleScore:
    """Score what the pipeline predicted for one article against its gold (SCORING.md).

    :param known_tags: the domain tags of the ontology; gold tags outside it are reported.
    """
    matching = match_pairs(article, prediction)
    facets = facet_scores(matching)
    matched_gold = set(matching.matched.values())
    counted = [key for key in matching.predicted if key not in matching.neutral]
    gold_tags = {tag for fact in article.facts for tag in fact.domains}
    return ArticleScore(
        name=article.name,
        language=article.language,
        pairs=PairCounts(
            gold=len(matching.gold),
            predicted=len(counted),
            matched=len(matching.matched),
            neutral=len(matching.neutral),
        ),
        domain=facets.domain,
        date=facets.date,
        speculative=facets.speculative,
        false_positives=tuple(
            sorted(
                _pair_text([prediction.organization(iri).display for iri in key[0]], key[1])
                for key in counted
                if key not in matching.matched
            )
        ),
        false_negatives=tuple(
            sorted(
                _pair_text(key[0], key[1], f" [{', '.join(pair.facts)}]")
                for key, pair in matching.gold.items()
                if key not in matched_gold
            )
        ),
        domain_misses=facets.domain_misses,
        date_misses=facets.date_misses,
        unknown_tags=tuple(sorted(gold_tags - set(known_tags))) if known_tags is not None else (),
        error=prediction.error,
    )


def _order(key: PairKey) -> tuple[str, list[str]]:
    return key[1], sorted(key[0])


def score(
    gold: Sequence[GoldArticle],
    predicted: Mapping[str, ArticlePrediction],
    known_tags: Collection[str] | None = None,
) -> Scores:
    """Score a corpus; ``predicted`` maps an article's name to its prediction (none: nothing
    predicted)."""
    return Scores(
        tuple(
            score_article(article, predicted.get(article.name, ArticlePrediction()), known_tags)
            for article in gold
        )
    )


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------

_FAMILY_VALUES = " ".join(f"<{iri}>" for iri in FAMILY_CLASSES)

_RELATIONSHIPS = (
    sparql_prefixes("ag", "rdfs")
    + f"""
SELECT DISTINCT ?r ?family ?on ?precision ?status WHERE {{
  GRAPH %(graph)s {{
    ?r a ?type .
    OPTIONAL {{ ?r ag:announcedOn ?on }}
    OPTIONAL {{ ?r ag:datePrecision ?precision }}
    OPTIONAL {{ ?r ag:status ?status }}
  }}
  ?type rdfs:subClassOf* ag:Relationship .
  OPTIONAL {{ VALUES ?family {{ {_FAMILY_VALUES} }} ?type rdfs:subClassOf* ?family }}
}}"""
)

_PARTICIPANTS = (
    sparql_prefixes("ag")
    + """
SELECT DISTINCT ?r ?o WHERE {
  GRAPH %(graph)s { ?r ag:participant|ag:member|ag:alliance ?o }
}"""
)

_DOMAINS = (
    sparql_prefixes("ag", "skos")
    + """
SELECT DISTINCT ?r ?d ?tag WHERE {
  GRAPH %(graph)s { ?r ag:domain ?d }
  OPTIONAL { ?d skos:notation ?tag }
}"""
)

_ORGANIZATIONS = (
    sparql_prefixes("rdfs", "skos")
    + """
SELECT DISTINCT ?o ?label ?alternative ?match WHERE {
  VALUES ?o { %(organizations)s }
  { ?o rdfs:label ?label BIND(false AS ?alternative) }
  UNION
  { ?o skos:altLabel ?label BIND(true AS ?alternative) }
  UNION
  { ?o skos:exactMatch ?match FILTER(STRSTARTS(STR(?match), "%(wd)s")) }
}"""
)

_TAGS = (
    sparql_prefixes("ag", "skos")
    + """
SELECT DISTINCT ?tag WHERE { ?d a ag:TechnologyDomain ; skos:notation ?tag }"""
)


def date_at_precision(value: str, precision: str | None) -> str:
    """An ``ag:announcedOn`` value cut to its ``ag:datePrecision`` (a day when none is given).

    >>> date_at_precision("2024-02-01", "Month"), date_at_precision("2024-01-01", "Year")
    ('2024-02', '2024')
    >>> date_at_precision("2024-02-28", None)
    '2024-02-28'
    """
    return value[: {"Year": 4, "Month": 7}.get(precision or "", len(value))]


def _local(iri: str, namespace: str) -> str:
    return iri[len(namespace) :] if iri.startswith(namespace) else iri


def _relationships(store: Store, graph: NamedNode) -> list[PredictedRelationship]:
    """The relationships of one source graph, one per family they belong to."""
    where = {"graph": str(graph)}
    facets: dict[str, dict[str, Any]] = {}
    for row in solutions(store.query(_RELATIONSHIPS % where)):
        entry = facets.setdefault(row["r"].value, {"families": set()})
        family = row["family"]
        entry["families"].add(FAMILY_CLASSES[family.value] if family is not None else OTHER)
        if row["on"] is not None:
            precision = row["precision"]
            entry["date"] = date_at_precision(
                row["on"].value, _local(precision.value, AG) if precision is not None else None
            )
        if row["status"] is not None:
            entry["status"] = _local(row["status"].value, AG)
    participants: dict[str, list[str]] = {}
    for row in solutions(store.query(_PARTICIPANTS % where)):
        participants.setdefault(row["r"].value, []).append(row["o"].value)
    domains: dict[str, set[str]] = {}
    for row in solutions(store.query(_DOMAINS % where)):
        tag = row["tag"].value if row["tag"] is not None else _local(row["d"].value, DOMAIN)
        domains.setdefault(row["r"].value, set()).add(tag)
    return [
        PredictedRelationship(
            iri=iri,
            family=family,
            participants=tuple(sorted(participants.get(iri, []))),
            domains=frozenset(domains.get(iri, set())),
            date=entry.get("date"),
            status=entry.get("status"),
        )
        for iri, entry in sorted(facets.items())
        # A relationship with a known family is not also scored as "other".
        for family in sorted(entry["families"] - ({OTHER} if len(entry["families"]) > 1 else set()))
    ]


def _organizations(store: Store, iris: Collection[str]) -> dict[str, PredictedOrganization]:
    """The labels, alternative labels and QIDs of organizations, from every graph."""
    if not iris:
        return {}
    labels: dict[str, set[tuple[bool, Literal]]] = {iri: set() for iri in iris}
    qids: dict[str, set[str]] = {iri: set() for iri in iris}
    query = _ORGANIZATIONS % {
        "organizations": " ".join(str(NamedNode(iri)) for iri in sorted(iris)),
        "wd": WD,
    }
    for row in solutions(store.query(query)):
        iri = row["o"].value
        if isinstance(row["label"], Literal):
            labels[iri].add((row["alternative"].value == "true", row["label"]))
        if row["match"] is not None:
            qids[iri].add(_local(row["match"].value, WD))
    organizations = {}
    for iri in iris:
        # Shown by its English rdfs:label if it has one.
        ordered = sorted(labels[iri], key=lambda a: (a[0], a[1].language != "en", a[1].value))
        organizations[iri] = PredictedOrganization(
            iri=iri,
            labels=tuple(dict.fromkeys(label.value for _, label in ordered)),
            qids=frozenset(qids[iri]),
            name=ordered[0][1].value if ordered else None,
        )
    return organizations


def read_prediction(store: Store, graph: NamedNode) -> ArticlePrediction:
    """What one article's source graph says: its relationships and their organizations."""
    relationships = _relationships(store, graph)
    iris = {iri for r in relationships for iri in r.participants}
    return ArticlePrediction(tuple(relationships), _organizations(store, iris))


def domain_tags(store: Store) -> frozenset[str]:
    """The ``skos:notation`` of every technology domain of the ontology."""
    return frozenset(row["tag"].value for row in solutions(store.query(_TAGS)))


def article_in(article: GoldArticle) -> ArticleIn:
    """The article of a gold file, as the API would receive it (no URL)."""
    return ArticleIn(
        url=None,
        title=article.title,
        publisher=article.publisher,
        published=article.published,
        language=article.language,
        text=article.text_path.read_text(encoding="utf-8"),
    )


@dataclass(frozen=True)
class PipelineRun:
    """The predictions of a corpus, by article name, and the ontology's domain tags."""

    predictions: dict[str, ArticlePrediction]
    known_tags: frozenset[str]
    registry_quads: int = 0


def run_pipeline(
    corpus: Sequence[GoldArticle],
    registry: Path | None,
    say: Callable[[str], None] = lambda _: None,
) -> PipelineRun:
    """Ingest every article into one temporary store holding the registry; read back each
    article's source graph.

    An article the pipeline rejects gets a prediction with only its error.

    :raises AllianceGraphError: if the registry does not load (syntax, shapes).
    """
    # Imported here: the extractor is heavy, and scoring alone must not need it.
    from service.ingest.pipeline import Ingestor

    with tempfile.TemporaryDirectory(prefix="alliancegraph-extraction-eval-") as workdir:
        context = ServiceContext(Settings(store=Path(workdir) / "store"))
        try:
            quads = 0
            if registry is not None:
                loaded = load_files(
                    context.store,
                    context.shapes,
                    [registry],
                    context.graphs,
                    graph=context.graphs.reference,
                )
                quads = loaded.quads
            ingestor = Ingestor(context)
            graphs: dict[str, NamedNode] = {}
            predictions: dict[str, ArticlePrediction] = {}
            for article in sorted(corpus, key=lambda a: a.source):
                try:
                    result = ingestor.ingest_article(article_in(article))
                except AllianceGraphError as error:
                    predictions[article.name] = ArticlePrediction(error=str(error))
                    say(f"  {article.name}: rejected: {error}")
                    continue
                graphs[article.name] = NamedNode(result.graph)
                say(f"  {article.name}: {len(result.relationships)} relationship(s)")
            for name, graph in graphs.items():
                predictions[name] = read_prediction(context.store, graph)
            return PipelineRun(predictions, domain_tags(context.store), quads)
        finally:
            context.close()


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _ratio(ratio: Ratio) -> str:
    return f"{ratio.hits}/{ratio.total}" if ratio.total else "—"


def _row(label: str, language: str, counts: PairCounts, domain: Ratio, date: Ratio) -> str:
    cells = [
        label,
        language,
        str(counts.gold),
        str(counts.predicted),
        str(counts.matched),
        _number(counts.precision),
        _number(counts.recall),
        _number(counts.f1),
        _ratio(domain),
        _ratio(date),
    ]
    return "| " + " | ".join(cells) + " |"


def _accuracy(title: str, ratio: Ratio, what: str) -> str:
    value = "n/a" if ratio.value is None else f"{ratio.value:.1%}"
    return f"{title}: {ratio.hits}/{ratio.total} = {value} ({what})"


def render_table(scores: Scores) -> str:
    """The per-article table, the micro totals and the accuracies, as Markdown."""
    lines = [
        "| article | lang | gold pairs | predicted | matched | P | R | F1 | domain | date |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for article in scores.articles:
        label = article.name + (" (rejected)" if article.error else "")
        lines.append(
            _row(label, article.language or "?", article.pairs, article.domain, article.date)
        )
    count = len(scores.articles)
    lines.append(
        _row(f"**micro, {count} article(s)**", "all", scores.micro, scores.domain, scores.date)
    )
    for language, counts in scores.by_language.items():
        articles = [a for a in scores.articles if (a.language or "?") == language]
        lines.append(
            _row(
                f"micro, {len(articles)} article(s)",
                language,
                counts,
                sum((a.domain for a in articles), Ratio()),
                sum((a.date for a in articles), Ratio()),
            )
        )
    lines += [
        "",
        _accuracy(
            "Domain accuracy",
            scores.domain,
            "matched pairs whose gold fact names a domain and whose relationship carries one",
        ),
        _accuracy(
            "Date accuracy",
            scores.date,
            "matched pairs whose gold fact has a date and whose ag:announcedOn agrees at the "
            "gold precision",
        ),
        _accuracy(
            "Speculative facts stored as Speculated",
            scores.speculative,
            "matched pairs of speculative gold facts; informative only",
        ),
        f"Neutral predicted pairs (unpaired or lenient facts), not counted: {scores.micro.neutral}",
    ]
    if scores.unknown_tags:
        lines.append(f"WARNING: gold domain tags unknown to the ontology: {scores.unknown_tags}")
    for article in scores.failed:
        lines.append(f"WARNING: {article.name} was rejected: {article.error}")
    return "\n".join(lines)


def render_details(scores: Scores) -> str:
    """Each article's false positives and negatives, and its domain and date misses."""
    lines: list[str] = []
    for article in scores.articles:
        lines.append(f"{article.name}:")
        for title, items in (
            ("false positive", article.false_positives),
            ("false negative", article.false_negatives),
            ("domain miss", article.domain_misses),
            ("date miss", article.date_misses),
        ):
            lines += [f"  {title:<15} {item}" for item in items]
        if article.pairs.neutral:
            lines.append(f"  {'neutral':<15} {article.pairs.neutral} predicted pair(s) ignored")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Score the article extractor on gold-annotated articles (SCORING.md).",
    )
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="a gold YAML file or a folder of them"
    )
    registry = parser.add_mutually_exclusive_group()
    registry.add_argument(
        "--registry",
        type=Path,
        default=REGISTRY,
        help="RDF file loaded into the reference graph first (default: %(default)s)",
    )
    registry.add_argument(
        "--no-registry", action="store_true", help="start from a store with only the ontology"
    )
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument(
        "--verbose", action="store_true", help="list each article's false positives/negatives"
    )
    parser.add_argument(
        "--min-f1", type=float, metavar="X", help="exit 1 if micro pair F1 is below X"
    )
    args = parser.parse_args(argv)
    if args.min_f1 is not None and not 0 <= args.min_f1 <= 1:
        parser.error("--min-f1 must be between 0 and 1")
    if not args.no_registry and not args.registry.is_file():
        parser.error(f"--registry: no such file: {args.registry}")
    return args


def environment_line() -> str:
    """The environment line of the other benchmarks (date, machine, versions)."""
    from bench.environment import environment_line as line

    return line()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        corpus = load_corpus(args.paths)
    except GoldFormatError as error:
        _say(f"error: {error}")
        return 2
    registry = None if args.no_registry else args.registry
    _say(f"ingesting {len(corpus)} article(s); registry: {registry or 'none'}")
    started = time.perf_counter()
    try:
        run = run_pipeline(corpus, registry, _say)
    except AllianceGraphError as error:
        _say(f"error: the registry did not load: {error}")
        return 2
    seconds = time.perf_counter() - started
    scores = score(corpus, run.predictions, run.known_tags)
    f1 = scores.micro.f1
    below = args.min_f1 is not None and (f1 or 0.0) < args.min_f1
    if args.json:
        report = {
            **scores.to_json(),
            "registry": str(registry) if registry else None,
            "seconds": round(seconds, 2),
            "environment": environment_line(),
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(
            f"Corpus: {len(corpus)} article(s); registry: "
            f"{registry.name if registry else 'none'} ({run.registry_quads} quads); "
            f"ingested and scored in {seconds:.1f} s."
        )
        print()
        print(render_table(scores))
        if args.verbose:
            print()
            print(render_details(scores))
        print()
        print(environment_line())
        if below:
            print(f"FAIL: micro F1 {_number(f1)} is below --min-f1 {args.min_f1}")
    return 1 if below or scores.failed else 0


if __name__ == "__main__":
    # Run as a script, Python puts bench/ on the path, not the checkout that holds the `bench`
    # package (bench/ingest.py has the environment line).
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
