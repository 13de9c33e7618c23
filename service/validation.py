"""The validation gate: SHACL (pySHACL) over a candidate plus the ontology it needs.

Shapes and ontology are parsed once (:class:`ShapesGraph`); each write validates only its own
candidate graph, so the cost follows the write, not the store. See
https://www.w3.org/TR/shacl/#validation-report for the report vocabulary.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import pyoxigraph
import rdflib
from rdflib.namespace import RDF, SH

from service import sparql_constraints
from service.namespaces import SHAPES
from service.ontology import OntologyBundle
from service.rdflib_bridge import n_triples, to_rdflib_term
from service.sparql_constraints import SparqlConstraint, extract_sparql_constraints
from service.store.port import Row


class Severity(Enum):
    """SHACL severities; only violations reject a write."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: what is wrong (message, constraint) and where (focus, path, value)."""

    severity: Severity
    focus_node: str
    message: str
    constraint: str
    path: str | None = None
    value: str | None = None
    shape: str | None = None
    graph: str | None = None

    def describe(self) -> str:
        """One line a person can act on.

        >>> ValidationResult(Severity.VIOLATION, "urn:x", "Needs a name.",
        ...     "http://www.w3.org/ns/shacl#MinCountConstraintComponent", path="urn:p").describe()
        'Violation at <urn:x> path <urn:p>: Needs a name. [sh:MinCountConstraintComponent]'
        """
        where = f"<{self.focus_node}>"
        if self.graph:
            where += f" in graph <{self.graph}>"
        if self.path:
            where += f" path <{self.path}>"
        if self.value is not None:
            where += f" value {self.value}"
        return f"{self.severity.value} at {where}: {self.message} [{_short(self.constraint)}]"

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "focusNode": self.focus_node,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "constraint": self.constraint,
            "shape": self.shape,
            "graph": self.graph,
        }


@dataclass
class ValidationReport:
    """The results of validating one or more candidates, with pySHACL's report graphs."""

    results: list[ValidationResult] = field(default_factory=list)
    graphs: list[rdflib.Graph] = field(default_factory=list, repr=False)

    def to_turtle(self) -> str:
        """The SHACL validation report(s) as Turtle, serialized only when asked for."""
        return "\n".join(g.serialize(format="turtle") for g in self.graphs)

    @property
    def conforms(self) -> bool:
        return not self.violations

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity is Severity.VIOLATION]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity is Severity.WARNING]

    def extend(self, other: ValidationReport) -> None:
        self.results.extend(other.results)
        self.graphs.extend(other.graphs)

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [r.to_json() for r in self.results],
        }

    def to_text(self) -> str:
        head = "Conforms" if self.conforms else "Does not conform"
        counts = f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"
        return "\n".join([f"{head}: {counts}", *(r.describe() for r in self.results)])


def _short(iri: str) -> str:
    for prefix, namespace in (("sh:", str(SH)), ("ags:", SHAPES)):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri


class ShapesGraph:
    """The SHACL shapes and the ontology, parsed once and shared by every validation."""

    def __init__(self, shapes_dir: Path, ontology: OntologyBundle) -> None:
        self.shapes = rdflib.Graph()
        for path in sorted(shapes_dir.glob("*.ttl")):
            self.shapes.parse(path, format="turtle")
        if len(self.shapes) == 0:
            raise FileNotFoundError(f"no SHACL shapes (*.ttl) in {shapes_dir}")
        self.ontology = ontology
        # Ill-typed literals ("2025-02-30"^^xsd:date) are what the shapes report; rdflib's own
        # warning about them, with a traceback, would only alarm the reader.
        logging.getLogger("rdflib.term").setLevel(logging.ERROR)
        self.sparql_constraints = extract_sparql_constraints(self.shapes)
        # pySHACL checks the core constraints; the SPARQL ones run on pyoxigraph (see
        # service.sparql_constraints for why and how).
        self.core_shapes = rdflib.Graph()
        for triple in self.shapes:
            if triple[1] != SH.sparql:
                self.core_shapes.add(triple)

    def validate(
        self,
        triples: Iterable[pyoxigraph.Triple],
        *,
        graph: str | None = None,
        context: Iterable[pyoxigraph.Triple] = (),
    ) -> ValidationReport:
        """Validate a candidate graph together with the ontology.

        :param graph: the named graph the candidate is for, reported with each result.
        :param context: facts from elsewhere that the candidate's constraints need to see
            (types, links, edges of other graphs); results about nodes that only the context
            describes are left out, since those nodes are not what is being written.
        """
        own = list(triples)
        subjects = {t.subject.value for t in own if not isinstance(t.subject, pyoxigraph.Triple)}
        candidate = [*own, *context]
        data = rdflib.Graph()
        data += self.ontology.rdflib_graph
        for triple in candidate:
            data.add(
                (
                    to_rdflib_term(triple.subject),
                    to_rdflib_term(triple.predicate),
                    to_rdflib_term(triple.object),
                )
            )
        import pyshacl  # heavy; imported on first validation, not by every command

        _, report_graph, _ = pyshacl.validate(
            data,
            shacl_graph=self.core_shapes,
            allow_warnings=True,
            inplace=True,
        )
        violations = sparql_constraints.evaluate(
            self.sparql_constraints, [*self.ontology.triples, *candidate]
        )
        for constraint, row in violations:
            _add_sparql_result(report_graph, constraint, row)
        report = self._read_report(report_graph, graph)
        report.results = [r for r in report.results if r.focus_node in subjects]
        return report

    def _named_shape(self, node: rdflib.term.Node | None) -> str | None:
        """The shape's IRI, or for an inline property shape the IRI of the shape holding it."""
        if isinstance(node, rdflib.URIRef):
            return str(node)
        parent = self.shapes.value(predicate=SH.property, object=node) if node else None
        return str(parent) if isinstance(parent, rdflib.URIRef) else None

    def _read_report(self, report: rdflib.Graph, graph: str | None) -> ValidationReport:
        results: list[ValidationResult] = []
        # Only the report's own results: pySHACL nests the inner failures of sh:node and
        # similar constraints under sh:detail, and those are explanations, not violations.
        top_level = (
            r
            for v in report.subjects(RDF.type, SH.ValidationReport)
            for r in report.objects(v, SH.result)
        )
        for node in top_level:
            severity = report.value(node, SH.resultSeverity)
            value = report.value(node, SH.value)
            path = report.value(node, SH.resultPath)
            shape = report.value(node, SH.sourceShape)
            results.append(
                ValidationResult(
                    severity=Severity(str(severity).removeprefix(str(SH))),
                    focus_node=str(report.value(node, SH.focusNode)),
                    message=str(report.value(node, SH.resultMessage) or "Constraint not met."),
                    constraint=str(report.value(node, SH.sourceConstraintComponent)),
                    path=str(path) if isinstance(path, rdflib.URIRef) else None,
                    value=n_triples(value) if value is not None else None,
                    shape=self._named_shape(shape),
                    graph=graph,
                )
            )
        results.sort(key=lambda r: (r.severity.value != "Violation", r.focus_node, r.constraint))
        return ValidationReport(results, [report])


def _add_sparql_result(report: rdflib.Graph, constraint: SparqlConstraint, row: Row) -> None:
    """Record one SPARQL-constraint result in the SHACL report graph, as pySHACL would."""
    this, path, value = row["this"], row["path"], row["value"]
    result = rdflib.BNode()
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, to_rdflib_term(this)))
    report.add((result, SH.resultSeverity, SH[constraint.severity]))
    report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
    report.add((result, SH.sourceShape, rdflib.URIRef(constraint.shape)))
    if path is not None:
        report.add((result, SH.resultPath, to_rdflib_term(path)))
    if value is not None:
        report.add((result, SH.value, to_rdflib_term(value)))
    message = constraint.render_message(
        this.value, path.value if path is not None else None, str(value) if value else None
    )
    report.add((result, SH.resultMessage, rdflib.Literal(message)))
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.add((node, SH.result, result))
        if constraint.severity == "Violation":
            report.set((node, SH.conforms, rdflib.Literal(False)))
