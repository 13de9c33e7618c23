"""Golden negative cases: each folder under cases/shapes_negative breaks one rule of the shapes.

A case is ``data.trig`` (one self-contained named graph, otherwise valid) and ``expected.json``:
``{"rule": "...", "violations": [{"focusNode", "path", "constraint", "shape"}]}``. The report
must hold each expected violation and no other.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from service.context import ServiceContext
from service.errors import ValidationFailed
from service.ingest.rdf_load import load_file

CASES = Path(__file__).parent / "cases" / "shapes_negative"
CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())
SHAPES_FILE = Path(__file__).parents[1] / "shapes" / "alliancegraph.shacl.ttl"


def _expected(case: Path) -> list[dict[str, str | None]]:
    data = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    return [
        {k: v.get(k) for k in ("focusNode", "path", "constraint", "shape")}
        for v in data["violations"]
    ]


def test_there_are_at_least_fifteen_negative_cases() -> None:
    assert len(CASE_DIRS) >= 15


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_negative_case_fails_with_expected_constraint(context: ServiceContext, case: Path) -> None:
    before = sorted(str(q) for q in context.store.quads())
    with pytest.raises(ValidationFailed) as failure:
        load_file(context.store, context.shapes, case / "data.trig", context.graphs)
    got = [
        {
            "focusNode": r.focus_node,
            "path": r.path,
            "constraint": r.constraint,
            "shape": r.shape,
        }
        for r in failure.value.report.violations
    ]
    key = lambda v: json.dumps(v, sort_keys=True)  # noqa: E731
    assert sorted(got, key=key) == sorted(_expected(case), key=key)
    assert all(
        r.message and r.message != "Constraint not met." for r in failure.value.report.violations
    )
    assert sorted(str(q) for q in context.store.quads()) == before, "a rejected load wrote"


def test_negative_cases_cover_every_targeted_node_shape() -> None:
    """Every targeted node shape that can reject a write (has a Violation) has a case."""
    shapes = rdflib.Graph().parse(SHAPES_FILE)

    def only_warnings(shape: rdflib.term.Node) -> bool:
        parts = [shape, *shapes.objects(shape, SH.property), *shapes.objects(shape, SH.sparql)]
        return all(
            (p, SH.severity, SH.Warning) in shapes
            for p in parts
            if (p, SH.path, None) in shapes or (p, SH.select, None) in shapes
        )

    targeted = {
        str(s)
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        if (s, SH.targetClass, None) in shapes and not only_warnings(s)
    }
    owner = {str(p): str(n) for n, p in shapes.subject_objects(SH.property)}
    hit = set()
    for case in CASE_DIRS:
        for violation in _expected(case):
            shape = str(violation["shape"])
            hit.add(owner.get(shape, shape))
    assert targeted - hit == set(), "node shapes without a negative case"
