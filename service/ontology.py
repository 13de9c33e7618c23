"""The ontology bundle (``ontology/*.ttl``) and its named graph in the store.

The ontology graph is managed by the service: it is loaded at startup and replaced when the
content of the Turtle files changes (their digest is recorded in the graph itself).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph
import rdflib
from pyoxigraph import Literal, NamedNode, QueryBoolean, RdfFormat, Triple

from service.errors import RdfSyntaxError
from service.namespaces import AG_ONTOLOGY, DCTERMS, OWL, GraphNames
from service.rdflib_bridge import to_rdflib_term
from service.store.port import Store

_IDENTIFIER = NamedNode(DCTERMS + "identifier")


@dataclass(frozen=True)
class OntologyBundle:
    """The Turtle files of the vocabulary: the OWL ontology, alignments and SKOS schemes."""

    files: tuple[Path, ...]

    @classmethod
    def from_dir(cls, directory: Path) -> OntologyBundle:
        """Every ``*.ttl`` file of ``directory``, in name order.

        :raises FileNotFoundError: if the folder holds no Turtle file.
        """
        files = tuple(sorted(directory.glob("*.ttl")))
        if not files:
            raise FileNotFoundError(f"no ontology files (*.ttl) in {directory}")
        return cls(files)

    @cached_property
    def digest(self) -> str:
        """A digest of the files' names and contents: it changes whenever any of them does."""
        sha = hashlib.sha256()
        for path in self.files:
            sha.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        return "sha256:" + sha.hexdigest()

    @cached_property
    def triples(self) -> tuple[Triple, ...]:
        """All triples of the bundle, blank nodes kept apart per file.

        :raises RdfSyntaxError: if a file does not parse.
        """
        triples: list[Triple] = []
        for path in self.files:
            try:
                quads = pyoxigraph.parse(
                    path=str(path), format=RdfFormat.TURTLE, rename_blank_nodes=True
                )
                triples.extend(q.triple for q in quads)
            except SyntaxError as error:
                raise RdfSyntaxError.from_parser(error, str(path)) from None
        return tuple(triples)

    @cached_property
    def version(self) -> str:
        """The ``owl:versionInfo`` of the ontology, or ``"unknown"``."""
        subject = NamedNode(AG_ONTOLOGY)
        predicate = NamedNode(OWL + "versionInfo")
        for triple in self.triples:
            if (
                triple.subject == subject
                and triple.predicate == predicate
                and isinstance(triple.object, Literal)
            ):
                return triple.object.value
        return "unknown"

    @cached_property
    def rdflib_graph(self) -> rdflib.Graph:
        """The bundle as an rdflib graph, for the validator and the documentation page."""
        graph = rdflib.Graph()
        for triple in self.triples:
            graph.add(
                (
                    to_rdflib_term(triple.subject),
                    to_rdflib_term(triple.predicate),
                    to_rdflib_term(triple.object),
                )
            )
        return graph


def ensure_ontology(store: Store, bundle: OntologyBundle, graphs: GraphNames) -> bool:
    """Load the ontology graph if it is missing or out of date; return whether it was replaced."""
    marker = Triple(graphs.ontology, _IDENTIFIER, Literal(bundle.digest))
    pattern = f"{marker.subject} {marker.predicate} {marker.object}"
    current = store.query(f"ASK {{ GRAPH {graphs.ontology} {{ {pattern} }} }}")
    if isinstance(current, QueryBoolean) and bool(current):
        return False
    store.replace_graphs({graphs.ontology: [*bundle.triples, marker]})
    store.flush()
    return True
