"""Batch ingestion from the command line: every source kind, the report, re-runs, and a crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.store.embedded import EmbeddedStore
from tests.conftest import EXAMPLES, REFERENCE_GRAPH, canonical_quads

runner = CliRunner()
PAIRS = [
    ("LG Electronics", "Meta Platforms", "XR"),
    ("Samsung Electronics", "Nvidia", "HBM"),
    ("SK Telecom", "Deutsche Telekom", "LLM"),
    ("Kia", "Uber", "PBV"),
    ("HD Hyundai", "Siemens", "shipbuilding"),
    ("Samsung Electronics", "Arm", "foundry"),
]


def _article(number: int) -> str:
    a, b, domain = PAIRS[number % len(PAIRS)]
    return (
        "---\n"
        f"url: https://news.example.com/batch/{number}\n"
        f"title: Report {number}\n"
        "publisher: Example Wire\n"
        f"published: 2025-0{1 + number % 9}-1{number % 10}\n"
        "language: en\n"
        "---\n"
        f"{a} and {b} signed an MOU on {domain} work, the companies said in report {number}.\n"
    )


def _write_articles(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (folder / f"article-{number:03d}.md").write_text(_article(number), encoding="utf-8")


def _prepared_store(path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "--store",
            str(path),
            "load",
            "--graph",
            REFERENCE_GRAPH,
            str(EXAMPLES / "reference" / "organizations.ttl"),
        ],
    )
    assert result.exit_code == 0, result.output


def _source_graphs(path: Path) -> int:
    store = EmbeddedStore(path)
    count = sum(1 for g in store.named_graphs() if "/graph/source/" in g.value)
    store.close()
    return count


def test_ingest_takes_every_kind_reports_each_source_and_fails_on_rejects(tmp_path: Path) -> None:
    store, folder, report = tmp_path / "store", tmp_path / "in", tmp_path / "report.jsonl"
    _prepared_store(store)
    _write_articles(folder, 3)
    lines = [
        json.dumps(
            {
                "url": "https://news.example.com/j/1",
                "published": "2025-02-01",
                "text": "Kia and Uber formed a partnership on PBV vans.",
            }
        ),
        '{"published": "2025-02-02", "text": }',
        json.dumps({"published": "2025-02-03", "text": "SK Telecom and Nokia signed an MOU."}),
    ]
    (folder / "more.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "extra.ttl").write_text(
        "<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n"
    )
    (folder / "deals.csv").write_text(
        "kind,source_url,participants,domains\n"
        "partnership,https://registry.example.com/deals,Samsung Electronics; Nvidia,HBM\n"
        "mou,https://registry.example.com/deals,Kia\n",
        encoding="utf-8",
    )
    (folder / "notes.txt.bak").write_text("ignored: not a supported extension\n")
    result = runner.invoke(
        app, ["--store", str(store), "ingest", str(folder), "--report", str(report)]
    )
    assert result.exit_code == 1, result.output
    outcomes = [json.loads(line) for line in report.read_text().splitlines()]
    assert sorted(o["status"] for o in outcomes) == ["accepted"] * 7 + ["rejected"] * 2
    rejected = sorted(
        (o["path"].rsplit("/", 1)[-1], o["line"]) for o in outcomes if o["status"] == "rejected"
    )
    assert rejected == [("deals.csv", 3), ("more.jsonl", 2)]
    assert _source_graphs(store) == 7


@pytest.mark.parametrize("jobs", [1, 2])
def test_ingesting_again_changes_nothing(tmp_path: Path, jobs: int) -> None:
    store, folder = tmp_path / "store", tmp_path / "in"
    _prepared_store(store)
    _write_articles(folder, 8)
    args = [
        "--store",
        str(store),
        "ingest",
        str(folder),
        "--jobs",
        str(jobs),
        "--report",
        str(tmp_path / "r.jsonl"),
    ]
    assert runner.invoke(app, args).exit_code == 0
    first = canonical_quads(store)
    assert runner.invoke(app, args).exit_code == 0
    assert canonical_quads(store) == first
    assert _source_graphs(store) == 8


@pytest.mark.slow
def test_a_batch_killed_midway_and_run_again_ends_with_exactly_its_sources(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "in"
    _write_articles(folder, 30)
    clean, crashed = tmp_path / "clean", tmp_path / "crashed"
    _prepared_store(clean)
    _prepared_store(crashed)
    assert (
        runner.invoke(
            app,
            ["--store", str(clean), "ingest", str(folder), "--report", str(tmp_path / "c.jsonl")],
        ).exit_code
        == 0
    )

    report = tmp_path / "crash.jsonl"
    command = [
        str(Path(sys.executable).with_name("alliancegraph")),
        "--store",
        str(crashed),
        "ingest",
        str(folder),
        "--report",
        str(report),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if report.exists() and len(report.read_text().splitlines()) >= 5:
                break
            if process.poll() is not None:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the batch finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert 0 < _source_graphs(crashed) < 30

    rerun = runner.invoke(
        app, ["--store", str(crashed), "ingest", str(folder), "--report", str(report)]
    )
    assert rerun.exit_code == 0, rerun.output
    assert canonical_quads(crashed) == canonical_quads(clean)
