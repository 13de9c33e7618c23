"""find_dates(): absolute and relative dates in Korean and English news, with their precision."""

from __future__ import annotations

from datetime import date

import pytest

from service.dates import Precision
from service.extract.when import find_dates

PUBLISHED = date(2024, 3, 14)  # a Thursday


def dates(text: str, language: str, published: date = PUBLISHED) -> list[tuple[str, str]]:
    """The dates found, as (ISO date, precision) pairs."""
    return [
        (found.on.isoformat(), found.precision.value)
        for found in find_dates(text, language, published)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("양사는 2022년 4월 협약을 맺었다", ("2022-04-01", "Month")),
        ("두 회사는 2024.02.28 계약서에 서명했다", ("2024-02-28", "Day")),
        ("가람화학은 2023년 설립됐다", ("2023-01-01", "Year")),
        ("계약은 2023년 5월 10일 체결됐다", ("2023-05-10", "Day")),
        ("계약은 2024-02-05 발효됐다", ("2024-02-05", "Day")),
    ],
)
def test_korean_absolute_dates_keep_their_precision(text: str, expected: tuple[str, str]) -> None:
    assert dates(text, "ko") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("양사는 지난달 28일 만났다", ("2024-02-28", "Day")),
        ("양사는 지난 1월 만났다", ("2024-01-01", "Month")),  # earlier this year
        ("양사는 지난 5월 만났다", ("2023-05-01", "Month")),  # May is not yet past this year
        ("양사는 작년 10월 만났다", ("2023-10-01", "Month")),
        ("양사는 지난해 10월 5일 만났다", ("2023-10-05", "Day")),
        ("양사는 올해 3월 만났다", ("2024-03-01", "Month")),
        ("양사는 올해 2월 10일 만났다", ("2024-02-10", "Day")),
        ("가람화학은 이날 협약을 발표했다", ("2024-03-14", "Day")),
        ("가람화학은 전날 협약을 발표했다", ("2024-03-13", "Day")),
        ("가람화학은 10일 협약을 발표했다", ("2024-03-10", "Day")),
        ("가람화학은 14일 협약을 발표했다", ("2024-03-14", "Day")),
        ("가람화학은 26일 협약을 발표했다", ("2024-02-26", "Day")),  # after the 14th: last month
        ("가람화학은 5월 3일 협약을 발표했다", ("2023-05-03", "Day")),
    ],
)
def test_korean_relative_dates_resolve_against_the_publication_date(
    text: str, expected: tuple[str, str]
) -> None:
    assert dates(text, "ko") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The deal was signed on Feb. 28, 2024.", ("2024-02-28", "Day")),
        ("The deal was signed on 28 February 2024.", ("2024-02-28", "Day")),
        ("The deal was signed on 2024-02-28.", ("2024-02-28", "Day")),
        ("The deal was signed on Sept. 5, 2023.", ("2023-09-05", "Day")),
        ("The firms met in April 2022.", ("2022-04-01", "Month")),
        ("The firms met last month.", ("2024-02-01", "Month")),
        ("The firms met last October.", ("2023-10-01", "Month")),
        ("The firms met on Tuesday.", ("2024-03-12", "Day")),  # the most recent Tuesday
        ("The firms met on Thursday.", ("2024-03-14", "Day")),  # the publication day itself
        ("The firms met on Friday.", ("2024-03-08", "Day")),
        ("The firms met earlier this year.", ("2024-01-01", "Year")),
        ("The firms met yesterday.", ("2024-03-13", "Day")),
        ("The firms met last year.", ("2023-01-01", "Year")),
        ("The firms met in 2021.", ("2021-01-01", "Year")),
        ("The firms met in January.", ("2024-01-01", "Month")),
        ("The firms met in June.", ("2023-06-01", "Month")),
        ("The firms met on March 20.", ("2023-03-20", "Day")),
    ],
)
def test_english_dates_resolve_against_the_publication_date(
    text: str, expected: tuple[str, str]
) -> None:
    assert dates(text, "en") == [expected]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("가람화학은 2030년까지 공장 10곳을 짓는다", "ko"),
        ("가람화학은 올해 3월 20일 신차를 출시한다", "ko"),
        ("가람화학은 올해 12월 신차를 출시한다", "ko"),
        ("The plant will open in 2030.", "en"),
        ("The plant will open by 2030.", "en"),
        ("The plant will open on Dec. 1, 2024.", "en"),
    ],
)
def test_dates_after_publication_are_plans_and_are_dropped(text: str, language: str) -> None:
    assert dates(text, language) == []


@pytest.mark.parametrize(
    "text", ["박람회는 3일간 열렸다", "박람회는 5일 동안 열렸다", "파업은 10일째 이어졌다"]
)
def test_korean_durations_are_not_dates(text: str) -> None:
    assert dates(text, "ko") == []


def test_a_duration_next_to_a_date_leaves_the_date() -> None:
    assert dates("박람회는 3일간 열렸고 양사는 10일 만났다", "ko") == [("2024-03-10", "Day")]


def test_several_dates_come_leftmost_first_with_their_offsets() -> None:
    text = "양사는 작년 10월 업무협약을 맺은 데 이어 지난달 28일 합작법인을 세웠다"
    found = find_dates(text, "ko", PUBLISHED)
    assert [(text[d.start : d.end], d.on, d.precision) for d in found] == [
        ("작년 10월", date(2023, 10, 1), Precision.MONTH),
        ("지난달 28일", date(2024, 2, 28), Precision.DAY),
    ]


def test_an_english_full_date_is_one_mention_not_a_month_and_a_year() -> None:
    text = "Norvik and Talon signed it on Feb. 28, 2024 in Oslo."
    found = find_dates(text, "en", PUBLISHED)
    assert [(text[d.start : d.end], d.precision) for d in found] == [
        ("Feb. 28, 2024", Precision.DAY)
    ]


def test_a_day_missing_from_last_month_gives_no_date() -> None:
    # Published on 14 March 2024: "30일" is not this month's yet, and February had no 30th.
    assert dates("가람화학은 30일 협약을 발표했다", "ko") == []


def test_the_language_chooses_the_patterns() -> None:
    assert dates("The firms met last month.", "ko") == []
    assert dates("양사는 지난달 28일 만났다", "en") == []


def test_the_span_of_last_month_in_korean_is_the_word_alone() -> None:
    text = "양사는 지난달 만났다"
    found = find_dates(text, "ko", PUBLISHED)
    assert [(text[d.start : d.end], d.on, d.precision) for d in found] == [
        ("지난달", date(2024, 2, 1), Precision.MONTH)
    ]
