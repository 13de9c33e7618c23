"""Text made to be slow is read in time proportional to its length: the extractor's patterns
had nested or adjacent repetitions that backtracked exponentially or quadratically on long
runs (an article is user input: POST /sources/articles). Each test here timed out before."""

from __future__ import annotations

from datetime import date

import pytest

from service.extract.article import _APPOSITION_GAP, ArticleExtractor
from service.extract.mentions import _korean_tail_ok
from service.extract.model import ArticleText
from service.extract.sentences import split

NAMES = ["한빛전자", "누리텔레콤", "Kestrel Motors", "Norvik Energy"]


@pytest.mark.timeout(60)
def test_a_long_number_where_names_are_looked_for_is_read_in_linear_time() -> None:
    text = "Kestrel Motors signed " + "1" * 150_000 + " deals with Norvik Energy."
    extractor = ArticleExtractor(NAMES, {})
    assert extractor.extract(ArticleText(text, "en", date(2024, 3, 14))) is not None


@pytest.mark.timeout(60)
def test_a_long_run_of_overlapping_particles_is_no_particle_chain() -> None:
    # 이나 is one particle and also 이 + 나: 40 of them took the pattern ages to refuse.
    assert not _korean_tail_ok("한빛전자" + "이나" * 40 + "회사", 4)
    assert _korean_tail_ok("한빛전자와의 협약", 4)


@pytest.mark.timeout(60)
def test_a_long_gap_of_spaces_is_read_in_linear_time() -> None:
    assert _APPOSITION_GAP.match(" " * 60_000 + "x") is None
    assert _APPOSITION_GAP.match(" , the two ") is None  # one word at most
    assert _APPOSITION_GAP.match(" , the ") is not None
    assert _APPOSITION_GAP.match(" 등 ") is not None


@pytest.mark.timeout(60)
def test_abbreviations_are_found_after_a_long_text() -> None:
    text = "x" * 100_000 + " Alpha Corp. met Beta Inc. on Feb. 3. They agreed."
    tails = [s.span.text for s in split(text)][-2:]
    assert tails[-1] == "They agreed."
    assert tails[-2].endswith("Alpha Corp. met Beta Inc. on Feb. 3.")
