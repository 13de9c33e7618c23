"""Who a sentence names: known organizations, organizations the text shows to be ones, persons."""

from __future__ import annotations

import pytest

from service.extract.gazetteer import Gazetteer
from service.extract.korean import KoreanAnalyzer, analyzer
from service.extract.mentions import (
    OrgMention,
    Person,
    describes_a_place,
    english_persons,
    english_unknown,
    known_mentions,
    korean_persons,
    korean_unknown,
)

KOREAN_KNOWN = ["메타", "한빛전자", "누리텔레콤"]
ENGLISH_KNOWN = ["Norvik", "Acme", "Hanbit Semiconductor"]
GAZETTEER: Gazetteer[str] = Gazetteer((name, name) for name in [*KOREAN_KNOWN, *ENGLISH_KNOWN])


@pytest.fixture(scope="module")
def korean() -> KoreanAnalyzer:
    """The process's analyzer, with the known names in its dictionary as the extractor does."""
    shared = analyzer()
    shared.add_names(KOREAN_KNOWN)
    return shared


def known(text: str, language: str, offset: int = 0) -> list[OrgMention]:
    return known_mentions(text, offset, GAZETTEER, language)


def korean_found(
    korean: KoreanAnalyzer,
    text: str,
    domain_words: frozenset[str] = frozenset(),
    offset: int = 0,
) -> list[OrgMention]:
    tokens = korean.tokens(text)
    return korean_unknown(text, offset, tokens, known(text, "ko", offset), domain_words)


def korean_names(
    korean: KoreanAnalyzer, text: str, domain_words: frozenset[str] = frozenset()
) -> list[str]:
    return [mention.name for mention in korean_found(korean, text, domain_words)]


def english_names(text: str) -> list[str]:
    return [mention.name for mention in english_unknown(text, 0, known(text, "en"), frozenset())]


# --- known organizations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("메타와 한빛전자는 협력한다", [("메타", 0, 2), ("한빛전자", 4, 8)]),
        ("메타는 새 기기를 공개했다", [("메타", 0, 2)]),
        ("메타의 새 기기", [("메타", 0, 2)]),
        ("메타는 메타버스 사업을 키운다", [("메타", 0, 2)]),
        ("프로메타와 누리텔레콤에서도", [("누리텔레콤", 6, 11)]),
        ("메타버스 시장이 커진다", []),
    ],
)
def test_known_korean_names_may_carry_particles_but_not_more_letters(
    text: str, expected: list[tuple[str, int, int]]
) -> None:
    assert [(m.name, m.start, m.end) for m in known(text, "ko")] == expected


def test_known_mentions_are_in_article_offsets_and_known() -> None:
    mentions = known("Norvik met Acme.", "en", offset=40)
    assert mentions == [OrgMention("Norvik", 40, 46), OrgMention("Acme", 51, 55)]
    assert all(mention.known for mention in mentions)


# --- unknown Korean organizations --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("한빛전자는 세온로보틱스와 협력한다", ["세온로보틱스"]),
        ("누리텔레콤은 다온반도체와 손잡았다", ["다온반도체"]),
        ("한빛전자는 가람텔레콤과 제휴했다", ["가람텔레콤"]),
        ("한빛전자는 소담그룹과 제휴했다", ["소담그룹"]),
        ("한빛전자는 칼리온로보틱스·다온반도체와 협력한다", ["칼리온로보틱스", "다온반도체"]),
    ],
)
def test_a_korean_proper_noun_with_an_organizational_suffix_is_an_organization(
    korean: KoreanAnalyzer, text: str, expected: list[str]
) -> None:
    assert korean_names(korean, text) == expected


def test_a_name_and_its_organizational_word_written_apart_are_one_organization(
    korean: KoreanAnalyzer,
) -> None:
    assert korean_names(korean, "한빛전자는 테라 로보틱스와 손잡았다") == ["테라 로보틱스"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("한빛전자는 반도체 기업 칼리온과 협력한다", ["칼리온"]),
        ("한빛전자는 스타트업 테라픽스와 협력한다", ["테라픽스"]),
        ("한빛전자는 미국 스타트업 브렌너와 협력한다", ["브렌너"]),
    ],
)
def test_a_head_noun_introduces_an_organization(
    korean: KoreanAnalyzer, text: str, expected: list[str]
) -> None:
    assert korean_names(korean, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("한빛전자는 독일 브렌너와 협력한다", ["브렌너"]),
        ("한빛전자는 미국 브렌너와 독일 칼리온과 협력한다", ["브렌너", "칼리온"]),
    ],
)
def test_a_country_introduces_an_organization(
    korean: KoreanAnalyzer, text: str, expected: list[str]
) -> None:
    assert korean_names(korean, text) == expected


def test_a_parenthesised_latin_name_after_a_head_noun_marks_an_organization(
    korean: KoreanAnalyzer,
) -> None:
    # "로부터" is not a subject or object particle: the parenthesis is what attaches it.
    text = "한빛전자는 스타트업 제노바(Xenova)로부터 투자를 받았다"
    assert korean_names(korean, text) == ["제노바"]


def test_a_parenthesised_latin_name_alone_marks_an_organization(korean: KoreanAnalyzer) -> None:
    assert korean_names(korean, "한빛전자는 제노바(Xenova)와 협력한다") == ["제노바"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("한빛전자, 누리텔레콤, 테라픽스와 협력한다", ["테라픽스"]),
        ("한빛전자와 테라픽스, 누리텔레콤이 협력한다", ["테라픽스"]),
        ("한빛전자는 누리텔레콤·테라픽스와 협력한다", ["테라픽스"]),
    ],
)
def test_a_proper_noun_listed_with_known_organizations_is_one(
    korean: KoreanAnalyzer, text: str, expected: list[str]
) -> None:
    assert korean_names(korean, text) == expected


def test_unknown_korean_organizations_carry_article_offsets_and_kinds(
    korean: KoreanAnalyzer,
) -> None:
    text = "한빛전자는 '하늘 얼라이언스'에 합류했고 세온로보틱스와 협력한다"
    found = korean_found(korean, text, offset=100)
    assert [(m.name, m.start - 100, m.end - 100, m.kind, m.known) for m in found] == [
        ("하늘 얼라이언스", 7, 15, "Alliance", False),
        ("세온로보틱스", 23, 29, "Firm", False),
    ]


@pytest.mark.parametrize(
    ("text", "domain_words"),
    [
        ("한빛전자는 목적기반모빌리티 개발에 협력한다", frozenset({"목적기반모빌리티"})),
        ("한빛전자는 전기자동차 개발에 협력한다", frozenset()),
        ("한빛전자는 수소에너지 개발에 협력한다", frozenset()),
    ],
)
def test_technology_words_are_not_organizations(
    korean: KoreanAnalyzer, text: str, domain_words: frozenset[str]
) -> None:
    assert korean_names(korean, text, domain_words) == []


@pytest.mark.parametrize(
    "text",
    [
        "한빛전자는 라스베이거스에서 누리텔레콤과 만났다",
        "한빛전자는 여의도에서 누리텔레콤과 만났다",
        "한빛전자는 미국 라스베이거스와 독일 뮌헨에서 누리텔레콤과 만났다",
        "한빛전자·누리텔레콤·여의도 등이 협력한다",
    ],
)
def test_places_are_not_organizations(korean: KoreanAnalyzer, text: str) -> None:
    assert korean_names(korean, text) == []


# --- unknown English organizations -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Norvik partnered with Talon Robotics Inc. last week.", ["Talon Robotics Inc."]),
        ("Norvik signed a deal with Talon Corp. on Monday.", ["Talon Corp."]),
        ("Norvik met Kestrel Motors in Oslo.", ["Kestrel Motors"]),
        ("Norvik met Kestrel Robotics in Oslo.", ["Kestrel Robotics"]),
        ("Sorvan Group and Norvik met.", ["Sorvan Group"]),
        ("Norvik acquired Vaara Oy last year.", ["Vaara Oy"]),
        ("Norvik joined the Open Radio Alliance in May.", ["Open Radio Alliance"]),
    ],
)
def test_an_english_name_with_an_organizational_suffix_is_an_organization(
    text: str, expected: list[str]
) -> None:
    assert english_names(text) == expected


def test_an_alliance_name_gets_the_alliance_kind() -> None:
    text = "Norvik joined the Open Radio Alliance with Kestrel Motors in May."
    found = english_unknown(text, 0, known(text, "en"), frozenset())
    assert [(m.name, m.kind, m.known) for m in found] == [
        ("Open Radio Alliance", "Alliance", False),
        ("Kestrel Motors", "Firm", False),
    ]


def test_a_stock_ticker_marks_an_organization() -> None:
    assert english_names("Norvik invested in Quillon (NASDAQ: QLLN) last year.") == ["Quillon"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Norvik will work with chipmaker Teravolt on memory.", ["Teravolt"]),
        ("Norvik works with startup Teravolt and chipmaker Quillon.", ["Teravolt", "Quillon"]),
    ],
)
def test_a_head_noun_introduces_an_english_organization(text: str, expected: list[str]) -> None:
    assert english_names(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Norvik met Japan's Tanaka Motors in Tokyo.", "Norvik met Japan’s Tanaka Motors in Tokyo."],
)
def test_a_country_possessive_introduces_an_organization_without_the_country(text: str) -> None:
    found = english_unknown(text, 0, known(text, "en"), frozenset())
    assert [(m.name, text[m.start : m.end]) for m in found] == [("Tanaka Motors", "Tanaka Motors")]


def test_names_joined_by_and_stay_apart() -> None:
    text = "Kestrel Motors and Talon Robotics formed a joint venture."
    assert english_names(text) == ["Kestrel Motors", "Talon Robotics"]


def test_a_place_followed_by_a_place_noun_is_not_an_organization() -> None:
    assert english_names("Norvik opened a lab in the Fornebu Technology district.") == []


def test_the_full_stop_ending_the_sentence_is_not_part_of_a_name() -> None:
    assert english_names("Norvik partnered with chipmaker Teravolt.") == ["Teravolt"]


def test_the_full_stop_after_a_suffix_word_is_not_part_of_the_name() -> None:
    assert english_names("Norvik signed a deal with Kestrel Motors.") == ["Kestrel Motors"]


def test_a_based_in_modifier_is_not_part_of_the_name() -> None:
    assert english_names("Norvik partnered with Seoul-based Kestrel Robotics on chips.") == [
        "Kestrel Robotics"
    ]


def test_a_known_name_is_not_reported_again_as_unknown() -> None:
    assert english_names("Norvik and Hanbit Semiconductor met.") == []


# --- persons -----------------------------------------------------------------------------------


def test_a_korean_person_before_organization_and_title(korean: KoreanAnalyzer) -> None:
    text = "홍길동 한빛전자 회장은 누리텔레콤과 만났다"
    assert korean_persons(text, 0, korean.tokens(text), known(text, "ko")) == [
        Person("홍길동", "회장", "한빛전자", ("홍 회장", "홍길동", "홍길동 회장"))
    ]


def test_a_korean_person_after_organization_before_title(korean: KoreanAnalyzer) -> None:
    text = "한빛전자 홍길동 대표는 누리텔레콤과 만났다"
    assert korean_persons(text, 0, korean.tokens(text), known(text, "ko")) == [
        Person("홍길동", "대표", "한빛전자", ("홍 대표", "홍길동", "홍길동 대표"))
    ]


def test_an_organization_without_a_title_introduces_no_person(korean: KoreanAnalyzer) -> None:
    text = "홍길동 한빛전자 공장에서 누리텔레콤과 만났다"
    assert korean_persons(text, 0, korean.tokens(text), known(text, "ko")) == []


def test_an_english_person_after_organization_and_title() -> None:
    text = "Acme CEO Jane Doe met Norvik."
    assert english_persons(text, 0, known(text, "en")) == [
        Person("Jane Doe", "CEO", "Acme", ("Jane Doe", "Doe"))
    ]


def test_an_english_person_then_title_of_organization() -> None:
    text = "Jane Doe, chief executive of Acme, met Norvik."
    assert english_persons(text, 0, known(text, "en")) == [
        Person("Jane Doe", "chief executive", "Acme", ("Jane Doe", "Doe"))
    ]


def test_an_english_person_without_an_organization_is_not_introduced() -> None:
    text = "Jane Doe, chief executive of a small firm, met Norvik."
    assert english_persons(text, 0, known(text, "en")) == []


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("소담그룹 영빈관인 해솔원에서 만났다", 4, True),
        ("한빛전자 본사에서 누리텔레콤과 만났다", 4, True),
        ("한빛전자에서 누리텔레콤과 만났다", 4, True),
        ("한빛전자 파운드리 사업부는 누리텔레콤과 협력한다", 4, False),
        ("한빛전자와 누리텔레콤이 만났다", 4, False),
        ("누리텔레콤", 5, False),
    ],
)
def test_describes_a_place(text: str, end: int, expected: bool) -> None:
    assert describes_a_place(text, end) is expected
