"""The extractor's acceptance bar, measured the way bench/extraction_eval.py measures it: the
real pipeline (extract, resolve, validate, commit) into a store holding the registry, then the
pairs read back from each article's source graph and scored against the gold annotations.

- The seed article (../shared/seed): pair F1, domain and date accuracy at least 0.9, and no pair
  invented from its battery sentence (a group statement that pairs nobody).
- Our corpus (tests/corpus, 12 Korean and 12 English articles written for this project):
  pair F1 at least 0.85, and each language at least 0.8 on its own.
"""

from __future__ import annotations

from pathlib import Path

from bench.extraction_eval import load_corpus, run_pipeline, score

REGISTRY = Path(__file__).resolve().parent.parent / "examples" / "reference" / "organizations.ttl"
CORPUS = Path(__file__).resolve().parent / "corpus"


def test_the_seed_article_yields_its_facts(shared: Path) -> None:
    corpus = load_corpus([shared / "seed"])
    run = run_pipeline(corpus, REGISTRY)
    scores = score(corpus, run.predictions, run.known_tags)
    counts = scores.micro
    assert scores.failed == []
    assert counts.f1 is not None
    assert counts.f1 >= 0.9, counts.to_json()
    assert scores.domain.total > 0
    assert scores.domain.hits / scores.domain.total >= 0.9
    assert scores.date.total > 0
    assert scores.date.hits / scores.date.total >= 0.9
    # The battery makers and the US carmakers are grouped, not paired: predicting any pair
    # of them would show up as a neutral prediction (the fact is marked unpaired).
    assert counts.neutral == 0


def test_the_corpus_meets_the_bar_in_both_languages() -> None:
    corpus = load_corpus([CORPUS])
    assert len(corpus) >= 24
    run = run_pipeline(corpus, REGISTRY)
    scores = score(corpus, run.predictions, run.known_tags)
    assert scores.failed == []
    assert scores.micro.f1 is not None
    assert scores.micro.f1 >= 0.85, scores.micro.to_json()
    assert set(scores.by_language) == {"ko", "en"}
    for language, counts in scores.by_language.items():
        assert counts.f1 is not None
        assert counts.f1 >= 0.8, (language, counts.to_json())
