"""split(): the sentences and paragraphs of an article body, with offsets into the body."""

from __future__ import annotations

import pytest

from service.extract.sentences import split


def sentence_texts(text: str) -> list[str]:
    return [sentence.span.text for sentence in split(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Norvik Corp. Chairman Ola Berg met Talon Inc. officials. They agreed.",
            ["Norvik Corp. Chairman Ola Berg met Talon Inc. officials.", "They agreed."],
        ),
        (
            "Brightwave Co. Ltd. Signed the deal. Talks ended.",
            ["Brightwave Co. Ltd. Signed the deal.", "Talks ended."],
        ),
        (
            "The deal was agreed on Feb. 12 in Oslo. Shares rose.",
            ["The deal was agreed on Feb. 12 in Oslo.", "Shares rose."],
        ),
        (
            "The U.S. Commerce Department approved it. Shares rose.",
            ["The U.S. Commerce Department approved it.", "Shares rose."],
        ),
        (
            "Analyst J. R. Moss said so. Others agreed.",
            ["Analyst J. R. Moss said so.", "Others agreed."],
        ),
        (
            "Dr. Ola Berg joined on Sept. 3. He left in May.",
            ["Dr. Ola Berg joined on Sept. 3.", "He left in May."],
        ),
    ],
)
def test_english_abbreviations_and_initials_do_not_end_a_sentence(
    text: str, expected: list[str]
) -> None:
    assert sentence_texts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Revenue rose to $1.2 billion. Profit fell.",
            ["Revenue rose to $1.2 billion.", "Profit fell."],
        ),
        ('"We agree." She left.', ['"We agree."', "She left."]),
        ("Is it real? Yes! It is.", ["Is it real?", "Yes!", "It is."]),
        ("He said it works. but not why.", ["He said it works. but not why."]),
    ],
)
def test_english_sentences_end_at_a_stop_before_a_new_sentence(
    text: str, expected: list[str]
) -> None:
    assert sentence_texts(text) == expected


def test_korean_sentences_end_at_a_full_stop_but_not_inside_a_number() -> None:
    text = "가람화학은 새 공장을 짓는다고 밝혔다. 매출은 3.5% 늘었다. 양사는 내년에 협력한다."
    assert sentence_texts(text) == [
        "가람화학은 새 공장을 짓는다고 밝혔다.",
        "매출은 3.5% 늘었다.",
        "양사는 내년에 협력한다.",
    ]


def test_every_line_break_ends_a_sentence() -> None:
    text = (
        "가람화학, 배터리 공장 착공\n[사진=가람화학 제공]\n"
        "가람화학이 공장을 짓는다. 완공은 내년이다."
    )
    assert sentence_texts(text) == [
        "가람화학, 배터리 공장 착공",
        "[사진=가람화학 제공]",
        "가람화학이 공장을 짓는다.",
        "완공은 내년이다.",
    ]


def test_blank_lines_start_paragraphs_and_indexes_run_through_the_article() -> None:
    text = "첫 문장이다. 둘째 문장이다.\n \n셋째 문장이다.\n\n\n넷째 문장이다.\n\n제목 없는 줄"
    found = [(s.paragraph, s.index, s.span.text) for s in split(text)]
    assert found == [
        (0, 0, "첫 문장이다."),
        (0, 1, "둘째 문장이다."),
        (1, 2, "셋째 문장이다."),
        (2, 3, "넷째 문장이다."),
        (3, 4, "제목 없는 줄"),
    ]


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        (
            "가람화학·누리텔레콤 맞손···배터리 공동 개발 착수",
            ["가람화학·누리텔레콤 맞손···", "배터리 공동 개발 착수"],
        ),
        ("가람화학 신공장 준공… 생산 두 배로", ["가람화학 신공장 준공…", "생산 두 배로"]),
    ],
)
def test_headline_clauses_joined_by_dots_are_separate_sentences(
    headline: str, expected: list[str]
) -> None:
    assert sentence_texts(headline) == expected


@pytest.mark.parametrize(
    "text",
    [
        "  Norvik Corp. met Talon Inc. on Feb. 3.   They agreed.\n\n  New paragraph here.  ",
        "\n\n가람화학 맞손···협력 확대\n\n가람화학은 밝혔다.  양사는 협력한다.\n",
        "Headline\nBody one. Body two!\n \nLast",
    ],
)
def test_spans_are_trimmed_ordered_and_point_into_the_text(text: str) -> None:
    sentences = split(text)
    assert sentences
    previous_end = 0
    for sentence in sentences:
        span = sentence.span
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip()
        assert span.start >= previous_end
        previous_end = span.end


def test_sentence_offsets_are_those_of_the_body() -> None:
    text = "Lead.  Second one."
    assert [(s.span.start, s.span.end) for s in split(text)] == [(0, 5), (7, 18)]
