"""Batch ingestion from files and folders (``alliancegraph ingest``).

Article files (front matter, ``.md``/``.txt``), article JSON lines (``.jsonl``), article JSON
(``.json``: one object or a list), structured records (``.csv``, or JSON whose objects have a
``kind``) and RDF documents are discovered, extracted (in worker
processes with ``jobs > 1``) and committed one source at a time, in a single thread, each
atomically and flushed before the next: a batch killed midway leaves whole sources only, and
running it again ends with exactly the sources of the input, because a source's id (and graph)
comes from its URL or content and a second commit replaces the first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from service.errors import AllianceGraphError, ValidationFailed
from service.extract.article import ArticleExtractor
from service.extract.model import Extraction, Extractor
from service.ingest.articles import ArticleIn, iter_article_lines, parse_article_file
from service.ingest.pipeline import Ingestor, article_text
from service.ingest.rdf_load import load_files
from service.ingest.records import RecordIn, iter_records
from service.iri import source_id
from service.rdf_formats import format_for_path

ARTICLE_SUFFIXES = {".md", ".txt"}
RDF_SUFFIXES = {".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".owl", ".n3"}
SUPPORTED = ARTICLE_SUFFIXES | RDF_SUFFIXES | {".jsonl", ".json", ".csv"}


@dataclass
class Outcome:
    """What became of one source of the batch; one line of the report."""

    path: str
    status: str  # "accepted" or "rejected"
    line: int | None = None
    id: str | None = None
    created: bool | None = None
    relationships: int = 0
    error: dict[str, Any] | None = None

    def to_json(self) -> str:
        return json.dumps(
            {k: v for k, v in asdict(self).items() if v is not None}, ensure_ascii=False
        )


@dataclass
class Summary:
    accepted: int = 0
    rejected: int = 0
    outcomes: list[Outcome] = field(default_factory=list)


def discover(paths: Sequence[Path]) -> list[Path]:
    """The supported files among the paths, folders walked recursively, in a stable order.

    :raises FileNotFoundError: for a path that does not exist.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return found


@dataclass(frozen=True)
class _Item:
    path: Path
    line: int | None
    article: ArticleIn | None
    error: AllianceGraphError | None = None


def _articles(path: Path) -> Iterator[_Item]:
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
        if suffix in ARTICLE_SUFFIXES:
            yield _Item(path, None, parse_article_file(text, str(path)))
        elif suffix == ".jsonl":
            for number, item in iter_article_lines(text, str(path)):
                if isinstance(item, ArticleIn):
                    yield _Item(path, number, item)
                else:
                    yield _Item(path, number, None, item)
        else:
            data = json.loads(text)
            for number, item in enumerate(data if isinstance(data, list) else [data], start=1):
                yield _Item(path, number, ArticleIn.model_validate(item))
    except (AllianceGraphError, ValueError, UnicodeDecodeError) as error:
        problem = error if isinstance(error, AllianceGraphError) else AllianceGraphError(str(error))
        yield _Item(path, None, None, problem)


def _error(error: AllianceGraphError) -> dict[str, Any]:
    detail: dict[str, Any] = {"title": error.title, "detail": str(error)}
    for where in ("line", "column"):
        if getattr(error, where, None) is not None:
            detail[where] = getattr(error, where)
    if isinstance(error, ValidationFailed):
        detail["report"] = error.report.to_json()
    return detail


def _holds_records(path: Path) -> bool:
    """CSV files hold records; JSON files hold records when their first object has a "kind"."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return True
    if suffix not in (".json", ".jsonl"):
        return False
    try:
        text = path.read_text(encoding="utf-8")
        if suffix == ".jsonl":
            text = next((line for line in text.splitlines() if line.strip()), "{}")
        first = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return False
    if isinstance(first, list):
        first = first[0] if first else {}
    return isinstance(first, dict) and "kind" in first


def _ingest_record_file(ingestor: Ingestor, path: Path, record: Callable[[Outcome], None]) -> None:
    media = {".csv": "csv", ".json": "json", ".jsonl": "jsonl"}[path.suffix.lower()]
    records: list[RecordIn] = []
    for number, item in iter_records(path.read_text(encoding="utf-8"), media, str(path)):
        if isinstance(item, RecordIn):
            records.append(item)
        else:
            record(Outcome(str(path), "rejected", line=number, error=_error(item)))
    if not records:
        return
    try:
        results = ingestor.ingest_records(records)
    except AllianceGraphError as error:
        record(Outcome(str(path), "rejected", error=_error(error)))
        return
    for result in results:
        record(
            Outcome(
                str(path),
                "accepted",
                id=result.source_id,
                created=result.created,
                relationships=len(result.relationships),
            )
        )


_worker_extractor: Extractor | None = None


def _start_worker(names: frozenset[str], labels: dict[str, str]) -> None:
    global _worker_extractor  # one extractor per worker process, built once
    _worker_extractor = ArticleExtractor(names, labels)


def _extract_in_worker(article: ArticleIn) -> Extraction:
    if _worker_extractor is None:
        raise RuntimeError("the worker was not started with its extractor")
    return _worker_extractor.extract(article_text(article))


def ingest_paths(
    ingestor: Ingestor,
    paths: Sequence[Path],
    *,
    jobs: int = 1,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Summary:
    """Ingest every source under the paths; report each outcome as it is known."""
    summary = Summary()
    context = ingestor.context

    def record(outcome: Outcome) -> None:
        summary.outcomes.append(outcome)
        if outcome.status == "accepted":
            summary.accepted += 1
        else:
            summary.rejected += 1
        if on_outcome is not None:
            on_outcome(outcome)

    files = discover(paths)
    rdf = [p for p in files if p.suffix.lower() in RDF_SUFFIXES]
    for path in rdf:
        try:
            graph = None
            if not format_for_path(path).supports_datasets:
                graph = context.graphs.source(source_id(None, path.read_bytes()))
            with context.write_lock:
                loaded = load_files(
                    context.store, context.shapes, [path], context.graphs, graph=graph
                )
            record(Outcome(str(path), "accepted", id=", ".join(loaded.graphs)))
        except AllianceGraphError as error:
            record(Outcome(str(path), "rejected", error=_error(error)))

    record_files = [p for p in files if p.suffix.lower() not in RDF_SUFFIXES and _holds_records(p)]
    for path in record_files:
        _ingest_record_file(ingestor, path, record)

    items = [
        item
        for path in files
        if path.suffix.lower() not in RDF_SUFFIXES and path not in record_files
        for item in _articles(path)
    ]
    for item in items:
        if item.error is not None:
            record(Outcome(str(item.path), "rejected", line=item.line, error=_error(item.error)))
    good = [item for item in items if item.article is not None]
    executor: Executor | None = None
    if jobs > 1 and len(good) > 1:
        executor = ProcessPoolExecutor(
            max_workers=jobs, initializer=_start_worker, initargs=ingestor.extraction_setup()
        )
    try:
        extractions: Iterator[Extraction | None]
        if executor is not None:
            extractions = executor.map(_extract_in_worker, [i.article for i in good], chunksize=4)
        else:
            extractions = iter([None] * len(good))
        for item, extraction in zip(good, extractions, strict=True):
            assert item.article is not None  # noqa: S101 - filtered above
            try:
                result = ingestor.ingest_article(item.article, extraction)
                record(
                    Outcome(
                        str(item.path),
                        "accepted",
                        line=item.line,
                        id=result.source_id,
                        created=result.created,
                        relationships=len(result.relationships),
                    )
                )
            except AllianceGraphError as error:
                record(Outcome(str(item.path), "rejected", line=item.line, error=_error(error)))
    finally:
        if executor is not None:
            executor.shutdown()
    return summary
