"""Article files and JSON lines: what is accepted and how refusals say where."""

from __future__ import annotations

import pytest

from service.errors import ArticleFormatError
from service.ingest.articles import ArticleIn, iter_article_lines, parse_article_file

FILE = """---
url: https://news.example.com/a
title: "Alpha and Beta: a deal"
publisher: Example Wire
published: 2025-03-01T09:30:00+09:00
---
알파와 베타가 손잡았다.
"""


def test_a_front_matter_file_gives_metadata_and_body() -> None:
    article = parse_article_file(FILE)
    assert article.url == "https://news.example.com/a"
    assert article.title == "Alpha and Beta: a deal"
    assert article.published_date.isoformat() == "2025-03-01"
    assert article.text == "알파와 베타가 손잡았다.\n"
    assert article.detected_language == "ko"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("no front matter\n", 1),
        ("---\npublished 2025-01-01\n---\nbody", 2),
        ("---\npublished: 2025-01-01\nauthor: someone\n---\nbody", 3),
    ],
)
def test_a_malformed_front_matter_names_its_line(text: str, line: int) -> None:
    with pytest.raises(ArticleFormatError) as failure:
        parse_article_file(text, "a.md")
    assert failure.value.line == line
    assert f"a.md:{line}" in str(failure.value)


def test_a_front_matter_without_closing_line_or_date_is_refused() -> None:
    with pytest.raises(ArticleFormatError, match="closing"):
        parse_article_file("---\npublished: 2025-01-01\n")
    with pytest.raises(ArticleFormatError, match="published"):
        parse_article_file("---\ntitle: x\n---\nbody")


def test_json_lines_are_judged_one_by_one() -> None:
    text = (
        '{"published": "2025-01-01", "text": "A and B met."}\n'
        "\n"
        '{"published": "2025-01-01", "text": }\n'
        '{"published": "2025-01-01"}\n'
    )
    items = list(iter_article_lines(text, "x.jsonl"))
    assert [number for number, _ in items] == [1, 3, 4]
    assert isinstance(items[0][1], ArticleIn)
    assert isinstance(items[1][1], ArticleFormatError)
    assert items[1][1].column == 37
    assert isinstance(items[2][1], ArticleFormatError)
    assert items[2][1].line == 4


def test_english_is_detected_when_hangul_is_rare() -> None:
    article = ArticleIn(published="2025-01-01", text="Samsung (삼성) and Arm agreed.")
    assert article.detected_language == "en"
