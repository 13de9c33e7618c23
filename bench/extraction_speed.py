"""How fast the article extractor runs: articles per second in one process and with --jobs N.

Extraction only (no store, no validation): the articles of a corpus folder (by default the
test corpus, Korean and English news of 2-3 KB) are extracted over and over, first in this
process, then in N worker processes started the way ``alliancegraph ingest --jobs N`` starts
them. The extractor knows the registry's organization names plus ``--names`` synthetic ones, to
show that the number of known names does not matter.

    .venv/bin/python bench/extraction_speed.py                # corpus, 2 jobs, ~1 minute
    .venv/bin/python bench/extraction_speed.py --jobs 2 --rounds 20 --names 10000
    .venv/bin/python bench/extraction_speed.py --synthetic 100  # bench/ingest.py's ~3 KB articles
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import rdflib
import yaml

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.extract.article import ArticleExtractor  # noqa: E402
from service.extract.lexicon import domain_labels  # noqa: E402
from service.extract.model import ArticleText  # noqa: E402
from service.ontology import OntologyBundle  # noqa: E402

REGISTRY = ROOT / "examples" / "reference" / "organizations.ttl"
CORPUS = ROOT / "tests" / "corpus"
ORG_PATH = "/id/org/"


def registry_names(path: Path) -> list[str]:
    """Every label and alias of the registry's organizations."""
    graph = rdflib.Graph().parse(path)
    names = []
    for subject in set(graph.subjects()):
        if ORG_PATH in str(subject):
            for predicate in (rdflib.RDFS.label, rdflib.SKOS.altLabel):
                names += [str(o) for o in graph.objects(subject, predicate)]
    return names


def synthetic_names(count: int) -> list[str]:
    """Plausible firm names that occur in no article: half Korean, half English."""
    return [f"가나다{n}테크" if n % 2 else f"Synthetic Firm {n} Corp." for n in range(count)]


def synthetic_articles(count: int, seed: int) -> list[ArticleText]:
    """The generated ~3 KB articles of bench/ingest.py (half Korean, half English)."""
    from bench.ingest import write_articles
    from service.ingest.articles import parse_article_file

    with tempfile.TemporaryDirectory(prefix="alliancegraph-extraction-speed-") as workdir:
        written = write_articles(Path(workdir), count, seed)
        articles = []
        for path in written.measured:
            article = parse_article_file(path.read_text(encoding="utf-8"), path.name)
            articles.append(
                ArticleText(article.text, article.detected_language, article.published_date)
            )
    return articles


def read_corpus(folder: Path) -> list[ArticleText]:
    """The articles of a gold corpus folder (``*.yaml`` naming a ``file``)."""
    articles = []
    for gold_path in sorted(folder.glob("*.yaml")):
        gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
        meta = gold["article"]
        text = (gold_path.parent / meta["file"]).read_text(encoding="utf-8")
        published = date.fromisoformat(str(meta["published"])[:10])
        articles.append(ArticleText(text, str(meta.get("language", "ko")), published))
    return articles


_worker: ArticleExtractor | None = None


def _start(names: list[str], labels: dict[str, str]) -> None:
    global _worker
    _worker = ArticleExtractor(names, labels)


def _extract(article: ArticleText) -> int:
    if _worker is None:
        raise RuntimeError("the worker was not started with _start")
    return len(_worker.extract(article).relationships)


def _memory() -> int:
    """Peak resident memory of this worker, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def one_process(
    articles: Sequence[ArticleText], names: list[str], labels: dict[str, str], rounds: int
) -> tuple[float, list[float], float]:
    """Articles/s, per-article seconds and the build time, in this process."""
    started = time.perf_counter()
    extractor = ArticleExtractor(names, labels)
    for article in articles:  # warm-up: loads Kiwi and teaches it the names
        extractor.extract(article)
    build = time.perf_counter() - started
    seconds = []
    for _ in range(rounds):
        for article in articles:
            started = time.perf_counter()
            extractor.extract(article)
            seconds.append(time.perf_counter() - started)
    return len(seconds) / sum(seconds), seconds, build


def many_processes(
    articles: Sequence[ArticleText],
    names: list[str],
    labels: dict[str, str],
    rounds: int,
    jobs: int,
) -> tuple[float, list[int]]:
    """Articles/s over ``jobs`` worker processes (after their warm-up) and their memory."""
    work = [a for _ in range(rounds) for a in articles]
    with ProcessPoolExecutor(jobs, initializer=_start, initargs=(names, labels)) as pool:
        list(pool.map(_extract, list(articles) * jobs, chunksize=1))  # warm every worker up
        started = time.perf_counter()
        list(pool.map(_extract, work, chunksize=4))
        elapsed = time.perf_counter() - started
        memory = list(pool.map(_memory_after, range(jobs * 4), chunksize=1))
    return len(work) / elapsed, sorted(set(memory))


def _memory_after(_: int) -> int:
    time.sleep(0.05)  # spread the calls over the workers
    return _memory()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of gold *.yaml")
    parser.add_argument("--rounds", type=int, default=10, help="passes over the corpus")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--names", type=int, default=0, help="synthetic names to add")
    parser.add_argument(
        "--synthetic",
        type=int,
        default=0,
        help="use this many generated ~3 KB articles (bench/ingest.py) instead of the corpus",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    articles = (
        synthetic_articles(args.synthetic, 42) if args.synthetic else read_corpus(args.corpus)
    )
    if not articles:
        print(f"error: no gold *.yaml in {args.corpus}", file=sys.stderr)
        return 2
    names = registry_names(REGISTRY) + synthetic_names(args.names)
    labels = domain_labels(OntologyBundle.from_dir(ROOT / "ontology"))
    size = statistics.mean(len(a.text.encode("utf-8")) for a in articles) / 1024
    korean = sum(1 for a in articles if a.language == "ko")
    print(
        f"{len(articles)} articles ({korean} Korean, {len(articles) - korean} English, mean "
        f"{size:.1f} KB), {len(names)} known names, {args.rounds} rounds"
    )
    rate, seconds, build = one_process(articles, names, labels, args.rounds)
    ordered = sorted(seconds)
    print(
        f"one process: {rate:.1f} articles/s; per article median "
        f"{statistics.median(seconds) * 1000:.1f} ms, p95 "
        f"{ordered[int(0.95 * (len(ordered) - 1))] * 1000:.1f} ms; extractor ready in "
        f"{build:.2f} s (Kiwi model and first pass); peak memory {_memory()} MB"
    )
    parallel, memory = many_processes(articles, names, labels, args.rounds, args.jobs)
    print(
        f"--jobs {args.jobs}: {parallel:.1f} articles/s; peak memory per worker "
        f"{', '.join(str(m) for m in memory)} MB"
    )
    from bench.environment import environment_line

    print(environment_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
