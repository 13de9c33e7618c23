"""The extraction lexicons, read from data: the patterns of ``lexicon/patterns.tsv`` (relationship
cues, hedges, negations, references, titles, organizational words), the places of
``lexicon/places.tsv``, and the technology-domain labels of the SKOS scheme
(``ontology/domains.ttl``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import SKOS

from service.namespaces import AG
from service.ontology import OntologyBundle


def domain_labels(bundle: OntologyBundle) -> dict[str, str]:
    """Every label of the technology-domain concepts, mapped to the concept's tag."""
    graph = bundle.rdflib_graph
    labels: dict[str, str] = {}
    for concept in graph.subjects(SKOS.inScheme, URIRef(AG + "TechnologyDomains")):
        tag = graph.value(concept, SKOS.notation)
        if tag is None:
            continue
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(concept, predicate):
                labels[str(label)] = str(tag)
    return labels


_PATTERNS = Path(__file__).parent / "lexicon" / "patterns.tsv"
_PLACES = Path(__file__).parent / "lexicon" / "places.tsv"
# Categories matched case-sensitively in English: they recognise names, and names are
# capitalised ("Motors", "Alliance"), where the same word in lower case is an ordinary word.
_CASE_SENSITIVE = frozenset({"org_suffix", "alliance"})


@dataclass(frozen=True)
class Pattern:
    """One row of ``lexicon/patterns.tsv``, compiled."""

    category: str
    regex: re.Pattern[str]
    value: str


def _compile(language: str, category: str, pattern: str) -> re.Pattern[str]:
    if language == "en":
        flags = 0 if category in _CASE_SENSITIVE else re.IGNORECASE
        return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", flags)
    return re.compile(pattern)


@cache
def patterns(language: str) -> dict[str, tuple[Pattern, ...]]:
    """The extraction patterns of a language (``ko`` or ``en``), by category.

    :raises ValueError: naming the line of a malformed row or regular expression.
    """
    found: dict[str, list[Pattern]] = {}
    for number, line in enumerate(_PATTERNS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            raise ValueError(f"{_PATTERNS.name} line {number}: expected 4 tab-separated fields")
        row_language, category, pattern, value = fields
        if row_language != language:
            continue
        try:
            regex = _compile(language, category, pattern)
        except re.error as error:
            raise ValueError(f"{_PATTERNS.name} line {number}: {error}") from None
        found.setdefault(category, []).append(Pattern(category, regex, value))
    return {category: tuple(rows) for category, rows in found.items()}


@cache
def places(language: str) -> dict[str, str]:
    """Names of countries, regions and cities (``lexicon/places.tsv``), with their kind."""
    names = {}
    for line in _PLACES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, row_language, kind = line.split("\t")
            if row_language == language:
                names[name] = kind
    return names
