"""The `alliancegraph` command, on real stores on disk."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat
from typer.testing import CliRunner

from service.cli import app
from service.store.embedded import EmbeddedStore
from tests.conftest import EXAMPLES, REFERENCE_GRAPH, canonical_quads

runner = CliRunner()
REFERENCE = EXAMPLES / "reference" / "organizations.ttl"
SEED = EXAMPLES / "sources" / "seed-article.trig"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _run(store: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--store", str(store), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _load_examples(store: Path) -> None:
    code, _, err = _run(store, "load", "--graph", REFERENCE_GRAPH, str(REFERENCE))
    assert code == 0, err
    code, _, err = _run(store, "load", str(SEED))
    assert code == 0, err


def _count(store: Path) -> int:
    code, out, err = _run(store, "query", COUNT)
    assert code == 0, err
    return int(json.loads(out)["results"]["bindings"][0]["n"]["value"])


def test_round_trip_load_query_dump_load_gives_an_isomorphic_dataset(tmp_path: Path) -> None:
    first, second, dump = tmp_path / "a", tmp_path / "b", tmp_path / "dump.nq"
    _load_examples(first)
    quads = _count(first)
    assert quads > 2000
    code, _, err = _run(first, "dump", "--output", str(dump))
    assert code == 0, err
    code, _, err = _run(second, "load", str(dump))
    assert code == 0, err
    assert "skipped <https://w3id.org/alliancegraph/graph/ontology>" in err
    assert _count(second) == quads
    assert canonical_quads(first) == canonical_quads(second)


def test_loading_the_same_files_twice_changes_nothing(tmp_path: Path) -> None:
    _load_examples(tmp_path)
    before = canonical_quads(tmp_path)
    _load_examples(tmp_path)
    assert canonical_quads(tmp_path) == before


def test_load_rejects_a_non_conforming_file_and_writes_nothing(tmp_path: Path) -> None:
    _load_examples(tmp_path)
    before = canonical_quads(tmp_path)
    broken = tmp_path / "broken.trig"
    broken.write_text(
        SEED.read_text(encoding="utf-8").replace('"2022-04-01"^^xsd:date', '"2022-04"'),
        encoding="utf-8",
    )
    code, _, err = _run(tmp_path, "load", str(broken))
    assert code == 1
    assert "rejected" in err
    assert "DatatypeConstraintComponent" in err
    assert canonical_quads(tmp_path) == before


def test_load_reports_line_and_column_of_a_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b ex:c ;\n  ex:d .\n")
    code, _, err = _run(tmp_path, "load", "--graph", REFERENCE_GRAPH, str(bad))
    assert code == 1
    assert f"{bad}:3:" in err


def test_load_of_triples_without_a_graph_is_refused(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "load", str(REFERENCE))
    assert code == 1
    assert "--graph" in err


def test_load_into_the_ontology_graph_is_refused(tmp_path: Path) -> None:
    code, _, err = _run(
        tmp_path, "load", "--graph", "https://w3id.org/alliancegraph/graph/ontology", str(REFERENCE)
    )
    assert code == 1
    assert "maintained by the service" in err


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml"])
def test_query_writes_standard_result_formats(tmp_path: Path, fmt: str) -> None:
    _load_examples(tmp_path)
    query = (
        "PREFIX ag: <https://w3id.org/alliancegraph/ontology#> "
        "SELECT ?m WHERE { ?x ag:alliance ?a ; ag:member ?m } ORDER BY ?m"
    )
    code, out, err = _run(tmp_path, "query", query, "--format", fmt)
    assert code == 0, err
    if fmt == "json":
        assert len(json.loads(out)["results"]["bindings"]) == 7
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0] == ["m"]
        assert len(rows) == 8
    elif fmt == "tsv":
        assert out.splitlines()[0] == "?m"
        assert len(out.splitlines()) == 8
    else:
        assert out.count("<result>") == 7


def test_query_construct_writes_turtle_and_refuses_csv(tmp_path: Path) -> None:
    _load_examples(tmp_path)
    construct = (
        "CONSTRUCT { ?s ?p ?o } WHERE "
        "{ ?s a <https://w3id.org/alliancegraph/ontology#Event> ; ?p ?o }"
    )
    code, out, _ = _run(tmp_path, "query", construct)
    assert code == 0
    from pyoxigraph import parse

    assert len(list(parse(out.encode(), format=RdfFormat.TURTLE))) > 4
    code, _, _ = _run(tmp_path, "query", construct, "--format", "csv")
    assert code != 0


def test_query_reads_a_file_and_reports_syntax_errors(tmp_path: Path) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text("ASK { ?s ?p ?o }")
    code, out, _ = _run(tmp_path, "query", f"@{query_file}")
    assert code == 0
    assert json.loads(out)["boolean"] is True
    code, _, err = _run(tmp_path, "query", "SELEC nothing")
    assert code == 1
    assert "error" in err


def test_validate_passes_on_examples_and_fails_after_an_unvalidated_bad_load(
    tmp_path: Path,
) -> None:
    _load_examples(tmp_path)
    code, out, _ = _run(tmp_path, "validate")
    assert code == 0
    assert out.startswith("Conforms")
    bad = tmp_path / "bad.nq"
    bad.write_text(
        "<https://w3id.org/alliancegraph/id/org/x> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/alliancegraph/ontology#Firm> <https://example.org/g> .\n"
    )
    code, _, err = _run(tmp_path, "load", "--no-validate", str(bad))
    assert code == 0
    assert "not validated" in err
    code, out, _ = _run(tmp_path, "validate", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False
    assert any(
        r["focusNode"] == "https://w3id.org/alliancegraph/id/org/x"
        and r["path"] == "http://www.w3.org/2000/01/rdf-schema#label"
        for r in report["results"]
    )


def test_dump_of_one_graph_writes_its_triples(tmp_path: Path) -> None:
    _load_examples(tmp_path)
    out_file = tmp_path / "reference.ttl"
    code, _, err = _run(tmp_path, "dump", "--graph", REFERENCE_GRAPH, "--output", str(out_file))
    assert code == 0, err
    from pyoxigraph import parse

    assert len(list(parse(path=str(out_file), format=RdfFormat.TURTLE))) == len(
        list(parse(path=str(REFERENCE), format=RdfFormat.TURTLE))
    )


def test_console_script_runs_in_a_subprocess(tmp_path: Path) -> None:
    """The installed entry point works outside the test runner (help and a query)."""
    exe = Path(sys.executable).with_name("alliancegraph")
    done = subprocess.run(
        [str(exe), "--store", str(tmp_path / "s"), "query", "ASK { ?s ?p ?o }"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["boolean"] is True


def test_two_files_for_one_graph_are_merged_not_overwritten(tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix ag: <https://w3id.org/alliancegraph/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/alliancegraph/id/org/alpha-test> a ag:Firm ; rdfs:label "Alpha"@en .\n',
        encoding="utf-8",
    )
    code, _, err = _run(tmp_path, "load", "--graph", REFERENCE_GRAPH, str(REFERENCE), str(extra))
    assert code == 0, err
    code, out, _ = _run(
        tmp_path,
        "query",
        f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH <{REFERENCE_GRAPH}> {{ ?o a ?t }} }}",
    )
    assert int(json.loads(out)["results"]["bindings"][0]["n"]["value"]) > 34


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load", "--graph", "not an iri", str(REFERENCE)], "not a valid IRI"),
        (["dump", "--graph", "bad iri"], "not a valid IRI"),
        (["query", "@/nonexistent/query.rq"], "cannot read the query file"),
        (["dump", "--output", "whole.ttl"], "quad format"),
    ],
)
def test_bad_arguments_get_a_clear_error_not_a_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["--store", str(tmp_path / "s"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_store_held_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    holder = EmbeddedStore(tmp_path / "held")
    try:
        code, _, err = _run(tmp_path / "held", "query", "ASK {}")
    finally:
        holder.close()
    assert code == 1
    assert "cannot open the store" in err


def test_unsafe_settings_are_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCEGRAPH_ENV", "prod")
    code, _, err = _run(tmp_path, "query", "ASK {}")
    assert code == 2
    assert "configuration" in err
    assert "development default" in err


def test_rdf_star_triple_terms_are_refused_with_a_clear_error(tmp_path: Path) -> None:
    star = tmp_path / "star.ttl"
    star.write_text(
        "@prefix ex: <https://example.org/> .\nex:a ex:b <<( ex:c ex:d ex:e )>> .\n",
        encoding="utf-8",
    )
    code, _, err = _run(tmp_path, "load", "--graph", REFERENCE_GRAPH, str(star))
    assert code == 1
    assert "triple terms are not supported" in err
