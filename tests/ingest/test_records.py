"""Structured records through the pipeline: a joint venture record names the company it made."""

from __future__ import annotations

from service.context import ServiceContext
from service.ingest.pipeline import Ingestor
from service.ingest.records import RecordIn
from service.namespaces import AG, RDFS
from service.store.port import solutions


def test_a_joint_venture_record_links_the_company_it_set_up(context: ServiceContext) -> None:
    record = RecordIn(
        kind="joint_venture",
        source_url="https://records.example.com/jv/1",
        participants=["Alpha Cells Corp.", "Beta Motors"],
        joint_venture="AlphaBeta Battery",
        domains=["battery"],
        date="2025-05",
        status="Signed",
    )
    [result] = Ingestor(context).ingest_records([record])
    rows = list(
        solutions(
            context.store.query(
                f"""SELECT ?deal ?company ?type ?label WHERE {{
                    GRAPH <{result.graph}> {{
                        ?deal a <{AG}JointVentureAgreement> ; <{AG}jointVenture> ?company .
                        ?company a ?type ; <{RDFS}label> ?label .
                    }}
                }}"""
            )
        )
    )
    assert {(r["type"].value, r["label"].value) for r in rows} == {
        (AG + "JointVenture", "AlphaBeta Battery")
    }
    [relationship] = result.relationships
    assert rows[0]["deal"].value == relationship["iri"]
    partners = {
        r["name"].value
        for r in solutions(
            context.store.query(
                f"""SELECT ?name WHERE {{ GRAPH <{result.graph}> {{
                    <{relationship["iri"]}> <{AG}participant> ?p . ?p <{RDFS}label> ?name
                }} }}"""
            )
        )
    }
    assert partners == {"Alpha Cells Corp.", "Beta Motors"}
