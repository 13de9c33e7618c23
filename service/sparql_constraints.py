"""SHACL-SPARQL constraints (https://www.w3.org/TR/shacl/#sparql-constraints) run on pyoxigraph.

pySHACL evaluates each SPARQL constraint once per focus node with rdflib's engine, which made
them more than 90% of the cost of validating an article. Here each constraint runs once per
candidate on an in-memory pyoxigraph store: the constraint's SELECT becomes a subquery joined with
the shape's target (``?this rdf:type/rdfs:subClassOf* C``), which yields the same solutions as
pre-binding ``$this`` to each target node, because our constraints' queries are self-contained
(no ``$this`` inside a nested subquery, no MINUS over ``$this``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph
import rdflib
from pyoxigraph import DefaultGraph, Quad
from rdflib.namespace import SH

from service.store.port import Row, solutions

_PLACEHOLDER = re.compile(r"\{[$?](this|value|path)\}")
# A subquery cannot declare prefixes: declarations in a constraint's text are hoisted.
_PREFIX_DECLARATION = re.compile(r"PREFIX\s+[A-Za-z0-9_-]*:\s*<[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class SparqlConstraint:
    """One ``sh:sparql`` constraint of a node shape with class targets."""

    shape: str
    targets: tuple[str, ...]
    select: str
    message: str
    severity: str
    prefixes: str

    def query(self) -> str:
        targets = " ".join(f"<{t}>" for t in self.targets)
        declared = "\n".join(_PREFIX_DECLARATION.findall(self.select))
        inner = _PREFIX_DECLARATION.sub("", self.select).replace("$this", "?this")
        return (
            f"{self.prefixes}\n{declared}\n"
            "SELECT DISTINCT ?this ?path ?value WHERE {\n"
            f"  VALUES ?target {{ {targets} }}\n"
            "  ?this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
            "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?target .\n"
            f"  {{ {inner} }}\n"
            "}"
        )

    def render_message(self, this: str, path: str | None, value: str | None) -> str:
        values = {"this": this, "path": path or "", "value": value or ""}
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.message)


def extract_sparql_constraints(shapes: rdflib.Graph) -> list[SparqlConstraint]:
    """Every ``sh:sparql`` constraint of a node shape that has ``sh:targetClass``.

    :raises ValueError: for a SPARQL constraint on a shape without class targets, which this
        evaluator does not support.
    """
    constraints = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        targets = tuple(sorted(str(t) for t in shapes.objects(shape, SH.targetClass)))
        if not targets:
            raise ValueError(f"SPARQL constraint on {shape} needs a shape with sh:targetClass")
        prefixes = []
        for holder in shapes.objects(constraint, SH.prefixes):
            for declaration in shapes.objects(holder, SH.declare):
                prefix = shapes.value(declaration, SH.prefix)
                namespace = shapes.value(declaration, SH.namespace)
                prefixes.append(f"PREFIX {prefix}: <{namespace}>")
        severity = shapes.value(constraint, SH.severity) or SH.Violation
        constraints.append(
            SparqlConstraint(
                shape=str(shape),
                targets=targets,
                select=str(shapes.value(constraint, SH.select)),
                message=str(shapes.value(constraint, SH.message) or "SPARQL constraint not met."),
                severity=str(severity).removeprefix(str(SH)),
                prefixes="\n".join(prefixes),
            )
        )
    return constraints


def evaluate(
    constraints: Iterable[SparqlConstraint], triples: Iterable[pyoxigraph.Triple]
) -> list[tuple[SparqlConstraint, Row]]:
    """The violating solutions of each constraint over the given triples."""
    store = pyoxigraph.Store()
    store.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
    found = []
    for constraint in constraints:
        for row in solutions(store.query(constraint.query())):
            found.append((constraint, row))
    return found
