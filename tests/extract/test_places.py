"""Where a relationship was announced: the place the sentence names, the most specific one."""

from __future__ import annotations

from datetime import date

import pytest

from service.extract.article import ArticleExtractor, _place
from service.extract.model import ArticleText


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "한빛전자는 지난 5일 스페인 바르셀로나에서 누리텔레콤과 협약을 맺었다.",
            "ko",
            "바르셀로나",
        ),
        ("한빛전자는 울산 본사에서 누리텔레콤과 만났다.", "ko", "울산"),
        ("한빛전자는 독일에서 누리텔레콤과 만났다.", "ko", "독일"),
        ("한빛전자는 누리텔레콤과 협약을 맺었다.", "ko", None),
        (
            "Norvik signed the deal with Kestrel in Las Vegas, in the United States.",
            "en",
            "Las Vegas",
        ),
        ("Norvik and Kestrel met at Seoul on Monday.", "en", "Seoul"),
        ("Norvik, a Seoul firm, signed a deal with Kestrel.", "en", None),
    ],
)
def test_the_place_of_a_sentence(text: str, language: str, expected: str | None) -> None:
    assert _place(text, language) == expected


def test_a_relationship_carries_its_place() -> None:
    extractor = ArticleExtractor(["한빛전자", "누리텔레콤"], {})
    text = "한빛전자는 지난 5일 미국 라스베이거스에서 누리텔레콤과 업무협약을 체결했다."
    [relationship] = extractor.extract(ArticleText(text, "ko", date(2025, 1, 9))).relationships
    assert relationship.place == "라스베이거스"
    assert relationship.kind == "MemorandumOfUnderstanding"
