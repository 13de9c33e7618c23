"""Competency questions: SPARQL files under competency/ with expected answers on the example data.

``NN-name.rq`` starts with a ``#`` comment stating the question; ``NN-name.json`` holds the answer:
``{"rows": [{"var": "value", ...}], "ordered": false}`` for SELECT (values are IRIs or literal
lexical forms; a variable absent from a row is unbound) or ``{"boolean": true}`` for ASK.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import QueryBoolean, QuerySolutions

from service.context import ServiceContext

QUESTIONS = sorted((Path(__file__).parent / "competency").glob("*.rq"))


def test_there_are_at_least_twelve_competency_questions() -> None:
    assert len(QUESTIONS) >= 12


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.stem for q in QUESTIONS])
def test_competency_question_answers_on_example_data(
    examples_readonly: ServiceContext, question: Path
) -> None:
    text = question.read_text(encoding="utf-8")
    assert text.lstrip().startswith("#"), "state the question in a leading comment"
    expected = json.loads(question.with_suffix(".json").read_text(encoding="utf-8"))
    result = examples_readonly.store.query(text)
    if "boolean" in expected:
        assert isinstance(result, QueryBoolean)
        assert bool(result) is expected["boolean"]
        return
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    rows = [{name: row[name].value for name in names if row[name] is not None} for row in result]
    assert rows, "a competency question with an expected answer must return rows"
    if expected.get("ordered"):
        assert rows == expected["rows"]
    else:
        key = lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False)  # noqa: E731
        assert sorted(rows, key=key) == sorted(expected["rows"], key=key)


def test_single_source_question_leaves_out_a_fact_reported_twice(
    example_context: ServiceContext,
) -> None:
    """Question 05 must count only single-source facts: a second source repeating one fact
    takes it out of the count (the example data alone cannot show that)."""
    from pyoxigraph import Literal, NamedNode, Triple

    store = example_context.store
    fact = next(
        iter(
            store.query(
                "SELECT ?rel WHERE { ?rel a <https://w3id.org/alliancegraph/ontology#Meeting> }"
            )  # type: ignore[arg-type]
        )
    )["rel"]
    source = NamedNode("https://w3id.org/alliancegraph/id/source/second")
    prov = "http://www.w3.org/ns/prov#"
    store.replace_graphs(
        {
            example_context.graphs.source("second"): [
                Triple(fact, NamedNode(prov + "wasDerivedFrom"), source),
                Triple(source, NamedNode("https://schema.org/headline"), Literal("Second")),
            ]
        }
    )
    question = QUESTIONS[[q.stem for q in QUESTIONS].index("05-single-source-relationships")]
    result = store.query(question.read_text(encoding="utf-8"))
    assert isinstance(result, QuerySolutions)
    [row] = list(result)
    assert row["relationships"].value == "14"
