"""The extraction evaluation: gold loading, pair scoring by SCORING.md, and one real run."""

from __future__ import annotations

import doctest
import json
from datetime import date
from pathlib import Path

import pytest

from bench import extraction_eval
from bench.extraction_eval import (
    REGISTRY,
    ArticlePrediction,
    GoldArticle,
    GoldFact,
    GoldFirm,
    GoldFormatError,
    PredictedOrganization,
    PredictedRelationship,
    gold_files,
    gold_pairs,
    load_corpus,
    load_gold,
    main,
    run_pipeline,
    score,
    score_article,
)

GOLD = """\
description: a hand-made gold file
article:
  file: story.txt
  publisher: Example Wire
  published: '2024-03-03'
  language: en
  title: Alpha and Beta team up
organizations:
  - {surface: Alpha Corp., name: Alpha, qid: Q1, type: company}
  - {surface: ALPHA, name: Alpha, qid: null, type: company}
  - {surface: Beta, name: Beta Motors, qid: null, type: company}
facts:
  - id: f1
    firms: [{name: Alpha, surface: Alpha}, {name: Beta Motors, surface: Beta}]
    relation: mou
    domain: [battery, EV]
    date: 2024-02-28
    speculative: true
  - id: f2
    firms: [{name: Alpha, surface: Alpha}, {name: Gamma, surface: Gamma Inc.}]
    relation: alliance_membership
    alliance: Open Alliance
    domain: AI
    date: '2023'
  - id: f3
    firms: [Alpha, Delta]
    relation: joint_venture
    unpaired: true
  - id: f4
    firms: [Beta Motors, Delta]
    relation: investment
    note: Lenient fact, the article is vague here
negatives:
  - {firms: [Alpha, Gamma], relation: meeting}
"""


def write_gold(folder: Path, text: str = GOLD, name: str = "en-01-alpha.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "story.txt").write_text("Alpha and Beta signed an MOU.", encoding="utf-8")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def rel(
    family: str,
    *participants: str,
    domains: tuple[str, ...] = (),
    on: str | None = None,
    status: str | None = None,
    iri: str = "",
) -> PredictedRelationship:
    """A predicted relationship; participants not described otherwise are known by name."""
    return PredictedRelationship(
        iri or f"rel-{family}-{'-'.join(participants)}",
        family,
        participants,
        frozenset(domains),
        on,
        status,
    )


def predict(
    *relationships: PredictedRelationship, organizations: tuple[PredictedOrganization, ...] = ()
) -> ArticlePrediction:
    return ArticlePrediction(relationships, {o.iri: o for o in organizations})


def fact(
    family: str,
    *firms: str,
    alliance: str | None = None,
    domains: tuple[str, ...] = (),
    date: str | None = None,
    speculative: bool = False,
    neutral: bool = False,
) -> GoldFact:
    """A gold fact identified by its family and firm count (unique within these tests)."""
    identifier = f"f{len(firms)}-{family}"
    return GoldFact(identifier, family, firms, alliance, domains, date, speculative, neutral)


def article(*facts: GoldFact, firms: tuple[GoldFirm, ...] = ()) -> GoldArticle:
    return GoldArticle("test/article", facts, {f.name: f for f in firms}, language="en")


# --------------------------------------------------------------------------------------------
# Gold loading
# --------------------------------------------------------------------------------------------


def test_a_gold_file_gives_the_article_firms_and_facts(tmp_path: Path) -> None:
    gold = load_gold(write_gold(tmp_path / "corpus"))
    assert gold.name == "corpus/en-01-alpha"
    assert gold.text_path == tmp_path / "corpus" / "story.txt"
    assert (gold.published, gold.language, gold.publisher) == (
        date(2024, 3, 3),
        "en",
        "Example Wire",
    )
    assert gold.firms["Alpha"] == GoldFirm(
        "Alpha", "Q1", frozenset({"Alpha Corp.", "ALPHA", "Alpha"})
    )
    assert gold.firms["Gamma"].surfaces == {"Gamma Inc."}
    assert "Open Alliance" in gold.firms
    f1, f2, f3, f4 = gold.facts
    assert (f1.family, f1.domains, f1.date, f1.speculative) == (
        "partnership",
        ("battery", "EV"),
        "2024-02-28",
        True,
    )
    assert (f2.family, f2.alliance, f2.domains, f2.date) == (
        "membership",
        "Open Alliance",
        ("AI",),
        "2023",
    )
    assert (f3.family, f3.neutral, f4.family, f4.neutral) == (
        "partnership",
        True,
        "investment",
        True,
    )
    assert not f1.neutral


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("relation: mou", "relation: friendship"), "friendship"),
        (("    alliance: Open Alliance\n", ""), "names no alliance"),
        (("date: '2023'", "date: March 2023"), "not YYYY"),
        (("language: en", "language: fr"), "neither ko nor en"),
        (("file: story.txt", "file: missing.txt"), "does not exist"),
    ],
)
def test_a_bad_gold_file_is_refused_naming_it(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write_gold(tmp_path, GOLD.replace(*change))
    with pytest.raises(GoldFormatError, match=message) as failure:
        load_gold(path)
    assert str(path) in str(failure.value)


def test_a_corpus_is_its_folders_gold_files_in_path_order(tmp_path: Path) -> None:
    second = write_gold(tmp_path / "c", name="ko-02-b.yaml")
    first = write_gold(tmp_path / "c", name="en-01-a.yaml")
    assert gold_files([tmp_path / "c", first]) == [first.resolve(), second.resolve()]
    assert [a.name for a in load_corpus([tmp_path / "c"])] == ["c/en-01-a", "c/ko-02-b"]
    with pytest.raises(GoldFormatError, match="no gold files"):
        gold_files([tmp_path])
    with pytest.raises(GoldFormatError, match="no such file"):
        gold_files([tmp_path / "c" / "absent.yaml"])


# --------------------------------------------------------------------------------------------
# Pairs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "pairs"), [(2, 1), (3, 3), (5, 10), (7, 21)])
def test_a_fact_of_n_firms_gives_n_choose_2_pairs(n: int, pairs: int) -> None:
    firms = [f"Firm {i}" for i in range(n)]
    counted, neutral = gold_pairs(article(fact("partnership", *firms)))
    assert (len(counted), neutral) == (pairs, set())


def test_a_membership_gives_one_pair_per_member() -> None:
    members = fact("membership", "A", "B", "C", alliance="X")
    counted, _ = gold_pairs(article(members))
    assert set(counted) == {(frozenset({m, "X"}), "membership") for m in "ABC"}
    predicted = predict(
        rel("membership", "A", "X"), rel("membership", "B", "X"), rel("membership", "A", "B")
    )
    scores = score_article(article(members), predicted)
    assert (scores.pairs.gold, scores.pairs.predicted, scores.pairs.matched) == (3, 3, 2)


def test_the_same_pair_from_several_facts_counts_once() -> None:
    gold = article(
        fact("partnership", "HD Hyundai", "Siemens", date="2022-04"),
        GoldFact("again", "partnership", ("Siemens", "HD Hyundai"), date="2023-10"),
        fact("meeting", "HD Hyundai", "Siemens"),
    )
    predicted = predict(
        rel("partnership", "HD Hyundai", "Siemens", iri="mou"),
        rel("partnership", "Siemens", "HD Hyundai", iri="co-development"),
    )
    scores = score_article(gold, predicted)
    assert (scores.pairs.gold, scores.pairs.predicted, scores.pairs.matched) == (2, 1, 1)
    assert scores.false_negatives == ("meeting: HD Hyundai – Siemens [f2-meeting]",)


def test_neutral_facts_cost_nothing_whether_predicted_or_missed() -> None:
    gold = article(
        fact("partnership", "A", "B"),
        fact("partnership", "C", "D", "E", neutral=True),
    )
    missed = score_article(gold, predict(rel("partnership", "A", "B")))
    predicted = score_article(
        gold, predict(rel("partnership", "A", "B"), rel("partnership", "C", "D", "E"))
    )
    for scores in (missed, predicted):
        assert (scores.pairs.gold, scores.pairs.predicted, scores.pairs.matched) == (1, 1, 1)
        assert scores.pairs.precision == scores.pairs.recall == 1.0
    assert predicted.pairs.neutral == 3
    assert predicted.false_positives == ()


def test_a_neutral_pair_in_another_family_is_a_false_positive() -> None:
    gold = article(fact("partnership", "C", "D", neutral=True))
    scores = score_article(gold, predict(rel("investment", "C", "D")))
    assert (scores.pairs.predicted, scores.pairs.neutral) == (1, 0)
    assert scores.false_positives == ("investment: C – D",)


def test_a_pair_a_counted_fact_also_gives_is_not_neutral() -> None:
    gold = article(fact("partnership", "A", "B"), fact("partnership", "A", "B", "C", neutral=True))
    counted, neutral = gold_pairs(gold)
    assert set(counted) == {(frozenset({"A", "B"}), "partnership")}
    assert neutral == {(frozenset(p), "partnership") for p in (("A", "C"), ("B", "C"))}


# --------------------------------------------------------------------------------------------
# Matching organizations
# --------------------------------------------------------------------------------------------

SAMSUNG = GoldFirm("Samsung Electronics", "Q20718", frozenset({"삼성전자"}))
ARM = GoldFirm("Arm", "Q296782", frozenset({"ARM"}))
UBER = GoldFirm("Uber", None, frozenset({"우버"}))
KIA = GoldFirm("Kia", "Q35349", frozenset({"기아"}))


def test_organizations_match_by_qid_whatever_their_names() -> None:
    gold = article(fact("partnership", "Samsung Electronics", "Arm"), firms=(SAMSUNG, ARM))
    orgs = (
        PredictedOrganization("org:1", ("Some Other Name",), frozenset({"Q20718"})),
        PredictedOrganization("org:2", ("암",), frozenset({"Q296782"})),
    )
    scores = score_article(gold, predict(rel("partnership", "org:1", "org:2"), organizations=orgs))
    assert scores.pairs.matched == 1


def test_a_different_qid_is_no_match_even_with_the_same_name() -> None:
    gold = article(fact("partnership", "Samsung Electronics", "Arm"), firms=(SAMSUNG, ARM))
    orgs = (
        PredictedOrganization("org:1", ("Samsung Electronics",), frozenset({"Q20716"})),
        PredictedOrganization("org:2", ("Arm",), frozenset({"Q296782"})),
    )
    scores = score_article(gold, predict(rel("partnership", "org:1", "org:2"), organizations=orgs))
    assert (scores.pairs.matched, scores.pairs.precision) == (0, 0.0)


@pytest.mark.parametrize(
    "labels",
    [
        ("Samsung Electronics Co., Ltd.",),
        ("SAMSUNG  electronics",),
        ("samsung-electronics",),
        ("삼성전자 주식회사",),
        ("Samsung", "삼성 전자"),
    ],
)
def test_organizations_match_by_name_without_legal_forms_spacing_or_punctuation(
    labels: tuple[str, ...],
) -> None:
    gold = article(fact("partnership", "Samsung Electronics", "Uber"), firms=(SAMSUNG, UBER))
    orgs = (
        PredictedOrganization("org:samsung", labels),  # no QID: names decide
        PredictedOrganization("org:uber", ("Uber Technologies",), frozenset({"Q692400"})),
        PredictedOrganization("org:uber-ko", ("우버",), frozenset({"Q692400"})),
    )
    scores = score_article(
        gold,
        predict(rel("partnership", "org:samsung", "org:uber-ko"), organizations=orgs),
    )
    assert scores.pairs.matched == 1


def test_a_surface_that_names_several_gold_firms_names_none() -> None:
    both = frozenset({"양사"})
    gold = article(
        fact("partnership", "HD Hyundai", "Siemens"),
        firms=(GoldFirm("HD Hyundai", None, both), GoldFirm("Siemens", "Q81230", both)),
    )
    orgs = (PredictedOrganization("org:x", ("양사",)), PredictedOrganization("org:y", ("Siemens",)))
    scores = score_article(gold, predict(rel("partnership", "org:x", "org:y"), organizations=orgs))
    assert scores.pairs.matched == 0


def test_two_nodes_for_one_firm_earn_one_match() -> None:
    gold = article(fact("partnership", "Kia", "Uber"), firms=(KIA, UBER))
    orgs = (
        PredictedOrganization("org:kia", ("Kia",), frozenset({"Q35349"})),
        PredictedOrganization("org:uber", ("Uber",)),
        PredictedOrganization("org:uber-minted", ("우버",)),
    )
    predicted = predict(
        rel("partnership", "org:kia", "org:uber"),
        rel("partnership", "org:kia", "org:uber-minted"),
        organizations=orgs,
    )
    scores = score_article(gold, predicted)
    assert (scores.pairs.predicted, scores.pairs.matched) == (2, 1)
    assert scores.pairs.precision == 0.5


def test_false_positives_lower_precision_and_a_wrong_family_misses_too() -> None:
    gold = article(fact("partnership", "A", "B"), fact("meeting", "C", "D"))
    predicted = predict(
        rel("partnership", "A", "B"),
        rel("partnership", "A", "C"),
        rel("investment", "C", "D"),
    )
    scores = score_article(gold, predicted)
    assert (scores.pairs.gold, scores.pairs.predicted, scores.pairs.matched) == (2, 3, 1)
    assert scores.pairs.precision == pytest.approx(1 / 3)
    assert scores.pairs.recall == 0.5
    assert scores.pairs.f1 == pytest.approx(0.4)
    assert scores.false_positives == ("investment: C – D", "partnership: A – C")
    assert scores.false_negatives == ("meeting: C – D [f2-meeting]",)


# --------------------------------------------------------------------------------------------
# Domains, dates, speculation
# --------------------------------------------------------------------------------------------


def test_domain_accuracy_counts_matched_pairs_whose_fact_names_a_domain() -> None:
    gold = article(
        fact("partnership", "A", "B", domains=("XR", "AI")),
        fact("partnership", "C", "D", domains=("battery",)),
        fact("partnership", "E", "F"),
        fact("meeting", "G", "H", domains=("AI",)),
    )
    predicted = predict(
        rel("partnership", "A", "B", domains=("AI", "LLM")),
        rel("partnership", "C", "D", domains=("EV",)),
        rel("partnership", "E", "F", domains=("AI",)),
    )
    scores = score_article(gold, predicted, known_tags={"AI", "XR", "battery", "EV", "LLM"})
    assert (scores.domain.hits, scores.domain.total) == (1, 2)
    assert scores.domain_misses == ("partnership: C – D: gold ['battery'], predicted ['EV']",)
    assert scores.unknown_tags == ()


def test_gold_tags_unknown_to_the_ontology_are_reported() -> None:
    gold = article(fact("partnership", "A", "B", domains=("AI-RAN", "quantum-foam")))
    scores = score([gold], {}, known_tags={"AI-RAN"})
    assert scores.unknown_tags == ["quantum-foam"]


@pytest.mark.parametrize(
    ("gold_date", "predicted_date", "agrees"),
    [
        ("2024", "2024-05-02", True),
        ("2024", "2024", True),
        ("2024", "2023-12-31", False),
        ("2024-02", "2024-02", True),
        ("2024-02", "2024-02-28", True),
        ("2024-02", "2024", False),
        ("2024-02", "2024-03", False),
        ("2024-02-28", "2024-02-28", True),
        ("2024-02-28", "2024-02", False),
        ("2024-02-28", "2024-02-27", False),
        ("2024-02-28", None, False),
    ],
)
def test_date_accuracy_compares_at_the_gold_precision(
    gold_date: str, predicted_date: str | None, agrees: bool
) -> None:
    gold = article(fact("partnership", "A", "B", date=gold_date), fact("partnership", "C", "D"))
    predicted = predict(
        rel("partnership", "A", "B", on=predicted_date), rel("partnership", "C", "D", on="2024")
    )
    scores = score_article(gold, predicted)
    assert (scores.date.hits, scores.date.total) == (int(agrees), 1)


def test_speculative_handling_counts_matched_speculative_pairs_marked_speculated() -> None:
    gold = article(
        fact("meeting", "A", "B", speculative=True),
        fact("meeting", "C", "D", speculative=True),
        fact("meeting", "E", "F"),
    )
    predicted = predict(
        rel("meeting", "A", "B", status="Speculated"),
        rel("meeting", "C", "D", status="Announced"),
        rel("meeting", "E", "F", status="Announced"),
    )
    scores = score_article(gold, predicted)
    assert (scores.speculative.hits, scores.speculative.total) == (1, 2)


def test_corpus_scores_are_summed_per_article_and_per_language() -> None:
    english = article(fact("partnership", "A", "B"), fact("partnership", "C", "D"))
    korean = GoldArticle("test/ko", (fact("investment", "A", "B"),), language="ko")
    scores = score(
        [english, korean],
        {
            english.name: predict(rel("partnership", "A", "B")),
            korean.name: predict(rel("investment", "A", "B"), rel("investment", "A", "C")),
        },
    )
    assert (scores.micro.gold, scores.micro.predicted, scores.micro.matched) == (3, 3, 2)
    assert scores.by_language["en"].recall == 0.5
    assert scores.by_language["ko"].precision == 0.5
    json.dumps(scores.to_json())


def test_an_article_with_nothing_predicted_has_no_precision() -> None:
    scores = score([article(fact("partnership", "A", "B"))], {})
    assert (scores.micro.precision, scores.micro.recall, scores.micro.f1) == (None, 0.0, 0.0)


def test_the_examples_in_the_docstrings_hold() -> None:
    # pytest collects doctests under service/ only; bench/ is not among its test paths.
    result = doctest.testmod(extraction_eval)
    assert result.attempted >= 5
    assert result.failed == 0


# --------------------------------------------------------------------------------------------
# The real pipeline
# --------------------------------------------------------------------------------------------


def test_the_real_pipeline_scores_the_seed(shared: Path) -> None:
    corpus = load_corpus([shared / "seed"])
    run = run_pipeline(corpus, REGISTRY)
    scores = score(corpus, run.predictions, run.known_tags)
    counts = scores.micro
    assert counts.gold == 22
    assert scores.failed == []
    assert scores.unknown_tags == []
    assert 0 <= counts.matched <= min(counts.gold, counts.predicted)
    assert counts.recall is not None
    assert 0 <= counts.recall <= 1
    assert counts.precision is None or 0 <= counts.precision <= 1
    for ratio in (scores.domain, scores.date, scores.speculative):
        assert 0 <= ratio.hits <= ratio.total


def test_the_command_prints_json_for_the_seed(
    shared: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(shared / "seed" / "gold.yaml"), "--no-registry", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["micro"]["gold"] == 22
    assert report["articles"][0]["name"] == "seed/gold"
    assert report["registry"] is None
