"""The example data: conforms, follows the IRI rules, matches the seed facts, copies no text."""

from __future__ import annotations

import csv
import itertools
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import NamedNode

from service.config import PROJECT_ROOT
from service.context import ServiceContext
from service.dates import Precision
from service.iri import organization_iri, relationship_iri, source_id
from service.namespaces import AG, DOMAIN, RDF, RDFS, SKOS
from service.store.port import solutions
from service.store_audit import validate_store
from tests.conftest import REFERENCE_GRAPH

PREFIXES = f"PREFIX ag: <{AG}> PREFIX rdfs: <{RDFS}> PREFIX skos: <{SKOS}> PREFIX rdf: <{RDF}>\n"


def test_example_data_conforms_with_no_violation(examples_readonly: ServiceContext) -> None:
    ctx = examples_readonly
    report = validate_store(ctx.store, ctx.shapes, ctx.graphs)
    assert report.violations == []
    assert ctx.store.count(NamedNode(REFERENCE_GRAPH)) > 300


def test_unlinked_firms_are_warnings_not_violations(examples_readonly: ServiceContext) -> None:
    report = validate_store(
        examples_readonly.store, examples_readonly.shapes, examples_readonly.graphs
    )
    unlinked = {r.focus_node for r in report.warnings if r.path == SKOS + "exactMatch"}
    assert organization_iri("Uber") in unlinked
    assert organization_iri("Samsung Electronics") not in unlinked


def test_organization_iris_are_slugs_of_english_labels(examples_readonly: ServiceContext) -> None:
    rows = solutions(
        examples_readonly.store.query(
            PREFIXES + "SELECT ?org ?label WHERE { GRAPH ?g { ?org a ?type ; rdfs:label ?label } "
            "?type rdfs:subClassOf* ag:Organization FILTER (lang(?label) = 'en') }"
        )
    )
    pairs = [(row["org"].value, row["label"].value) for row in rows]
    assert len(pairs) >= 30
    for iri, label in pairs:
        assert iri == organization_iri(label), label


def test_relationship_iris_follow_the_minting_rule(examples_readonly: ServiceContext) -> None:
    store = examples_readonly.store
    relationships = solutions(
        store.query(
            PREFIXES + "SELECT DISTINCT ?rel ?type WHERE { ?rel a ?type . "
            "?type rdfs:subClassOf+ ag:Relationship }"
        )
    )
    checked = 0
    for row in relationships:
        rel = row["rel"]
        kind = row["type"].value.removeprefix(AG)

        def values(p: str, rel: NamedNode = rel) -> list[Any]:
            return [r["v"] for r in solutions(store.query(f"SELECT ?v WHERE {{ {rel} {p} ?v }}"))]

        participants = [v.value for v in values(f"<{AG}participant>")]
        participants += [v.value for v in values(f"<{AG}member>") + values(f"<{AG}alliance>")]
        domains = [v.value.removeprefix(DOMAIN) for v in values(f"<{AG}domain>")]
        dates = values(f"<{AG}announcedOn>")
        precisions = values(f"<{AG}datePrecision>")
        on = precision = None
        if dates:
            from datetime import date

            on = date.fromisoformat(dates[0].value)
            precision = Precision(precisions[0].value.removeprefix(AG))
        assert rel.value == relationship_iri(kind, participants, domains, on, precision)
        checked += 1
    assert checked >= 15


def _gold(shared: Path) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((shared / "seed" / "gold.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_seed_source_graph_is_named_by_the_article_content_hash(
    examples_readonly: ServiceContext, shared: Path
) -> None:
    article = (shared / "seed" / "article.txt").read_bytes()
    assert examples_readonly.graphs.source(source_id(None, article)) in (
        examples_readonly.store.named_graphs()
    )


def test_evidence_offsets_locate_the_gold_evidence(
    examples_readonly: ServiceContext, shared: Path
) -> None:
    text = (shared / "seed" / "article.txt").read_text(encoding="utf-8")
    gold = _gold(shared)
    passages = {f["evidence"] for f in gold["facts"]} | {
        f["evidence_extra"] for f in gold["facts"] if f.get("evidence_extra")
    }
    rows = solutions(
        examples_readonly.store.query(
            PREFIXES + "SELECT ?s ?e WHERE { ?ev a ag:Evidence ; ag:charStart ?s ; ag:charEnd ?e }"
        )
    )
    spans = [(int(r["s"].value), int(r["e"].value)) for r in rows]
    assert len(spans) >= 15
    for start, end in spans:
        assert text[start:end] in passages


def _normal(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", name).casefold() if c.isalnum())


def test_every_paired_gold_fact_is_in_the_example_data(
    examples_readonly: ServiceContext, shared: Path
) -> None:
    store = examples_readonly.store
    names: dict[str, set[str]] = {}
    for row in solutions(
        store.query(
            PREFIXES
            + "SELECT ?org ?name WHERE { GRAPH ?g { ?org rdfs:label|skos:altLabel ?name } }"
        )
    ):
        names.setdefault(_normal(row["name"].value), set()).add(row["org"].value)
    pairs_in_store = {
        frozenset((row["a"].value, row["b"].value))
        for row in solutions(
            store.query(
                PREFIXES + "SELECT ?a ?b WHERE { ?rel ag:participant|ag:member|ag:alliance ?a , ?b "
                "FILTER (?a != ?b) }"
            )
        )
    }
    gold = _gold(shared)
    for fact in gold["facts"]:
        if fact.get("unpaired"):
            continue
        firms = [f["name"] for f in fact["firms"]]
        if fact["relation"] == "alliance_membership":
            pairs = [(firm, fact["alliance"]) for firm in firms]
        else:
            pairs = list(itertools.combinations(firms, 2))
        for a, b in pairs:
            found = any(
                frozenset((x, y)) in pairs_in_store
                for x in names.get(_normal(a), set())
                for y in names.get(_normal(b), set())
            )
            assert found, f"{fact['id']}: no relationship between {a} and {b}"


def test_no_relationship_pairs_the_battery_makers_with_carmakers(
    examples_readonly: ServiceContext,
) -> None:
    makers = [organization_iri(n) for n in ("LG Energy Solution", "Samsung SDI", "SK On")]
    for maker in makers:
        answer = examples_readonly.store.query(
            f"ASK {{ ?rel <{AG}participant> {NamedNode(maker)} }}"
        )
        assert not bool(answer)


def test_registry_links_only_verified_wikidata_ids(
    examples_readonly: ServiceContext, shared: Path
) -> None:
    with (shared / "wikidata" / "entities.tsv").open(encoding="utf-8") as handle:
        table = {row["qid"]: row for row in csv.DictReader(handle, delimiter="\t")}
    rows = solutions(
        examples_readonly.store.query(
            PREFIXES + "SELECT ?org ?qid ?label WHERE { GRAPH ?g { ?org skos:exactMatch ?qid ; "
            "rdfs:label ?label FILTER (lang(?label) = 'en') } }"
        )
    )
    linked = {row["org"].value: row for row in rows}
    assert len(linked) >= 20
    for row in rows:
        qid = row["qid"].value.removeprefix("http://www.wikidata.org/entity/")
        assert qid in table, qid
        assert table[qid]["label_en"] == row["label"].value
    for absent in ("HD Hyundai", "Singtel", "Uber", "SK On", "AI-RAN Alliance"):
        assert organization_iri(absent) not in linked


def test_project_files_copy_no_text_of_the_seed_article(shared: Path) -> None:
    article = (shared / "seed" / "article.txt").read_text(encoding="utf-8")
    compact = " ".join(article.split())
    window = 30
    pieces = {compact[i : i + window] for i in range(0, len(compact) - window)}
    skipped = {
        ".git",
        ".venv",
        "data",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
    }
    offenders = []
    for path in PROJECT_ROOT.rglob("*"):
        if path.is_dir() or skipped & set(path.relative_to(PROJECT_ROOT).parts):
            continue
        try:
            text = " ".join(path.read_text(encoding="utf-8").split())
        except UnicodeDecodeError:
            continue
        if any(piece in text for piece in pieces):
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []
