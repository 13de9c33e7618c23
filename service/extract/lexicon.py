"""The extraction lexicons, read from data: relationship cues (``lexicon/cues.tsv``) and the
technology-domain labels of the SKOS scheme (``ontology/domains.ttl``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import SKOS

from service.namespaces import AG
from service.ontology import OntologyBundle

_CUES = Path(__file__).parent / "lexicon" / "cues.tsv"


@dataclass(frozen=True)
class Cue:
    text: str
    language: str
    kind: str


@cache
def cues() -> tuple[Cue, ...]:
    """The relationship cues, longest first (so "joint venture" wins over "venture")."""
    lines = [
        line
        for line in _CUES.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    found = [Cue(r["cue"], r["language"], r["kind"]) for r in rows]
    return tuple(sorted(found, key=lambda c: -len(c.text)))


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
