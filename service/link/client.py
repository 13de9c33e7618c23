"""A Wikidata SPARQL client (SPARQLWrapper): candidates by name, and the facts of items.

Only standard SPARQL 1.1, so the same queries run on query.wikidata.org and on any mirror
(QLever, a local Oxigraph). Every request carries a descriptive User-Agent, as Wikidata's policy
asks; many names go into one request; 429 and 5xx answers are retried with backoff (honouring
``Retry-After``), and an endpoint that cannot be reached raises :class:`LinkUnavailable`, which
callers turn into "unlinked, retry later".
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import urllib.error
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, SPARQLWrapperException

from service import __version__
from service.ingest.candidate import name_language
from service.namespaces import WD, WDT

log = logging.getLogger(__name__)

USER_AGENT = (
    f"AllianceGraph/{__version__} (knowledge graph of corporate alliances; "
    "https://w3id.org/alliancegraph) SPARQLWrapper"
)
#: Classes an item must reach through P31/P279* to be a candidate firm (business, company,
#: enterprise; public companies, conglomerates and the like sit under them).
BUSINESS_CLASSES = ("Q4830453", "Q783794", "Q6881511")
#: The facts fetched for a linked item: property id and what it is.
FACT_PROPERTIES = {
    "P17": "country",
    "P571": "inception",
    "P159": "headquarters",
    "P856": "website",
    "P749": "parent",
    "P355": "subsidiary",
    "P414": "stock exchange",
    "P249": "ticker",
    "P31": "instance of",
}
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_AFTER_S = 60.0


class LinkUnavailable(Exception):
    """The Wikidata endpoint could not be used now (down, refusing, or still failing after
    retries); linking leaves the firms unlinked, to retry later."""


@dataclass(frozen=True)
class Candidate:
    """An item whose label or alias is one of the names asked for."""

    qid: str
    name: str  # the name as asked for
    language: str
    matched: str  # "label" or "alias"
    classes: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()


@dataclass
class ItemFacts:
    """What Wikidata says about one item: labels by language, and values by property id."""

    qid: str
    labels: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)


def _qid(iri: str) -> str:
    return iri.removeprefix(WD)


def _language_tags(name: str) -> tuple[str, ...]:
    """The languages a name is asked in: Korean for Hangul, both for Latin script (Korean
    Wikidata labels are often written in Latin: "LG", "SK")."""
    return ("ko",) if name_language(name) == "ko" else ("en", "ko")


class WikidataClient:
    """Queries one endpoint; counts the requests it sends."""

    def __init__(
        self,
        endpoint: str,
        *,
        timeout_s: float = 20.0,
        retries: int = 3,
        backoff_s: float = 1.0,
        batch_size: int = 40,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.batch_size = batch_size
        self._sleep = sleep
        self.requests = 0

    # --- transport --------------------------------------------------------------------

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff_s * (2**attempt)
        if retry_after:
            with contextlib.suppress(ValueError):  # an HTTP date: keep the backoff
                delay = max(0.0, min(float(retry_after), _MAX_RETRY_AFTER_S))
        self._sleep(delay)

    def select(self, query: str) -> list[dict[str, Any]]:
        """The bindings of a SELECT query, retried on 429 and 5xx.

        :raises LinkUnavailable: if the endpoint cannot be reached or keeps failing.
        """
        for attempt in range(self.retries + 1):
            client = SPARQLWrapper(self.endpoint, agent=USER_AGENT)
            client.setMethod(POST)
            client.setReturnFormat(JSON)
            client.setTimeout(int(max(1, self.timeout_s)))
            client.setQuery(query)
            self.requests += 1
            try:
                result = client.query().convert()
            except urllib.error.HTTPError as error:
                if error.code not in _RETRY_STATUS or attempt == self.retries:
                    raise LinkUnavailable(f"{self.endpoint} answered {error.code}") from error
                log.info("Wikidata answered %s; retrying", error.code)
                self._wait(attempt, error.headers.get("Retry-After") if error.headers else None)
                continue
            except EndPointInternalError as error:
                if attempt == self.retries:
                    raise LinkUnavailable(f"{self.endpoint} failed: {error}") from error
                self._wait(attempt, None)
                continue
            except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
                raise LinkUnavailable(f"{self.endpoint} is unreachable: {error}") from error
            except (SPARQLWrapperException, json.JSONDecodeError, ValueError) as error:
                raise LinkUnavailable(
                    f"{self.endpoint} gave an unusable answer: {error}"
                ) from error
            if not isinstance(result, dict):
                raise LinkUnavailable(f"{self.endpoint} did not answer with SPARQL JSON results")
            bindings = result.get("results", {}).get("bindings", [])
            return [dict(b) for b in bindings]
        raise LinkUnavailable(f"{self.endpoint} kept failing")  # pragma: no cover - loop returns

    # --- queries ----------------------------------------------------------------------

    def candidates(self, names: Iterable[str]) -> dict[str, list[Candidate]]:
        """The business items labelled or aliased with each name (exact, in ko or en).

        :raises LinkUnavailable: see :meth:`select`.
        """
        wanted = sorted({n.strip() for n in names if n.strip()})
        found: dict[str, list[Candidate]] = {n: [] for n in wanted}
        for start in range(0, len(wanted), self.batch_size):
            batch = wanted[start : start + self.batch_size]
            for candidate in self._candidates(batch):
                found.setdefault(candidate.name, []).append(candidate)
        return found

    def _candidates(self, names: Sequence[str]) -> list[Candidate]:
        # Literals serialised by pyoxigraph, so a name can never change the query.
        values = " ".join(
            str(Literal(name, language=tag)) for name in names for tag in _language_tags(name)
        )
        rows = self.select(
            f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX wdt: <{WDT}>
SELECT ?name ?item ?matched ?class ?country WHERE {{
  VALUES ?name {{ {values} }}
  {{ ?item rdfs:label ?name . BIND("label" AS ?matched) }}
  UNION
  {{ ?item skos:altLabel ?name . BIND("alias" AS ?matched) }}
  OPTIONAL {{ ?item wdt:P31 ?class }}
  OPTIONAL {{ ?item wdt:P17 ?country }}
}}"""
        )
        grouped: dict[tuple[str, str, str, str], tuple[set[str], set[str]]] = {}
        for row in rows:
            item = row.get("item", {}).get("value", "")
            if not item.startswith(WD):
                continue
            name = row["name"]
            key = (
                _qid(item),
                name["value"],
                name.get("xml:lang", ""),
                row["matched"]["value"],
            )
            classes, countries = grouped.setdefault(key, (set(), set()))
            if "class" in row:
                classes.add(_qid(row["class"]["value"]))
            if "country" in row:
                countries.add(_qid(row["country"]["value"]))
        business = self._businesses({key[0] for key in grouped})
        return [
            Candidate(qid, name, language, matched, frozenset(c), frozenset(k))
            for (qid, name, language, matched), (c, k) in sorted(grouped.items())
            if qid in business
        ]

    def _businesses(self, qids: Iterable[str]) -> set[str]:
        """The items among ``qids`` whose class reaches a business class."""
        items = sorted(set(qids))
        if not items:
            return set()
        values = " ".join(str(NamedNode(WD + q)) for q in items)
        classes = " ".join(str(NamedNode(WD + q)) for q in BUSINESS_CLASSES)
        rows = self.select(
            f"""PREFIX wdt: <{WDT}>
SELECT DISTINCT ?item WHERE {{
  VALUES ?item {{ {values} }}
  VALUES ?business {{ {classes} }}
  ?item wdt:P31/wdt:P279* ?business .
}}"""
        )
        return {_qid(row["item"]["value"]) for row in rows if "item" in row}

    def facts(self, qids: Iterable[str]) -> dict[str, ItemFacts]:
        """Labels (en, ko) and the :data:`FACT_PROPERTIES` values of each item.

        :raises LinkUnavailable: see :meth:`select`.
        """
        items = sorted(set(qids))
        found: dict[str, ItemFacts] = {q: ItemFacts(q) for q in items}
        properties = " ".join(f"<{WDT}{p}>" for p in FACT_PROPERTIES)
        for start in range(0, len(items), self.batch_size):
            batch = items[start : start + self.batch_size]
            values = " ".join(str(NamedNode(WD + q)) for q in batch)
            rows = self.select(
                f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?item ?p ?value WHERE {{
  VALUES ?item {{ {values} }}
  {{ ?item rdfs:label ?value . BIND(rdfs:label AS ?p)
     FILTER (LANG(?value) = "en" || LANG(?value) = "ko") }}
  UNION
  {{ VALUES ?p {{ {properties} }} ?item ?p ?value }}
}}"""
            )
            for row in rows:
                facts = found.get(_qid(row["item"]["value"]))
                if facts is None:
                    continue
                value = row["value"]
                prop = row["p"]["value"]
                if prop.endswith("#label"):
                    facts.labels[value.get("xml:lang", "")] = value["value"]
                else:
                    text = value["value"]
                    if value.get("type") == "uri" and text.startswith(WD):
                        text = _qid(text)
                    facts.values.setdefault(prop.removeprefix(WDT), []).append(text)
        return found
