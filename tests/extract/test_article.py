"""ArticleExtractor end to end: short invented articles in, relationships between names out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pytest

from service.dates import Precision
from service.extract.article import ArticleExtractor
from service.extract.model import ArticleText, ExtractedRelationship

PUBLISHED = date(2024, 3, 14)  # a Thursday

Row = tuple[str, tuple[str, ...], str]
Dated = tuple[str, tuple[str, ...], date | None, Precision | None]


def extract(
    text: str,
    names: Sequence[str],
    language: str = "ko",
    domain_labels: Mapping[str, str] | None = None,
    published: date = PUBLISHED,
) -> list[ExtractedRelationship]:
    """The relationships of an article; every evidence quote is checked against the text."""
    extractor = ArticleExtractor(names, domain_labels or {})
    relationships = extractor.extract(ArticleText(text, language, published)).relationships
    for relationship in relationships:
        for evidence in relationship.evidence:
            assert text[evidence.span.start : evidence.span.end] == evidence.span.text
    return relationships


def rows(relationships: Sequence[ExtractedRelationship]) -> list[Row]:
    """Kind, participants and status of each relationship."""
    return [(r.kind, r.participants, r.status) for r in relationships]


def dated(relationships: Sequence[ExtractedRelationship]) -> list[Dated]:
    """Kind, participants, date and precision of each relationship."""
    return [(r.kind, r.participants, r.on, r.precision) for r in relationships]


def quotes(relationship: ExtractedRelationship) -> list[str]:
    return [evidence.span.text for evidence in relationship.evidence]


# --- references -------------------------------------------------------------------------------


def test_yangsa_stands_for_the_two_firms_and_inherits_their_date() -> None:
    text = "한빛전자는 지난달 28일 누리텔레콤과 업무협약을 맺었다. 양사는 XR 기기를 함께 개발한다."
    found = extract(text, ["한빛전자", "누리텔레콤"])
    assert dated(found) == [
        ("MemorandumOfUnderstanding", ("한빛전자", "누리텔레콤"), date(2024, 2, 28), Precision.DAY),
        ("CoDevelopment", ("한빛전자", "누리텔레콤"), date(2024, 2, 28), Precision.DAY),
    ]
    assert quotes(found[1]) == ["양사는 XR 기기를 함께 개발한다."]


def test_a_reference_lowers_confidence() -> None:
    text = "한빛전자와 누리텔레콤은 이날 실적을 발표했다. 이들은 XR 기기를 공동 개발하기로 했다."
    found = extract(text, ["한빛전자", "누리텔레콤"])
    assert dated(found) == [
        ("CoDevelopment", ("한빛전자", "누리텔레콤"), date(2024, 3, 14), Precision.DAY)
    ]
    assert found[0].evidence[0].confidence == pytest.approx(0.75)


def test_du_hoesa_adds_evidence_to_the_same_meeting() -> None:
    text = "한빛전자는 누리텔레콤과 만났다. 두 회사는 배터리 사업 협력을 논의했다."
    found = extract(text, ["한빛전자", "누리텔레콤"])
    assert rows(found) == [("Meeting", ("한빛전자", "누리텔레콤"), "Announced")]
    assert quotes(found[0]) == [
        "한빛전자는 누리텔레콤과 만났다.",
        "두 회사는 배터리 사업 협력을 논의했다.",
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "Norvik Energy and Kestrel Motors unveiled new products in Oslo. "
            "Both firms will collaborate on battery recycling.",
            "Partnership",
        ),
        (
            "Norvik Energy and Kestrel Motors unveiled new products in Oslo. "
            "The two companies will co-develop battery modules.",
            "CoDevelopment",
        ),
    ],
)
def test_english_references_to_two_firms(text: str, kind: str) -> None:
    found = extract(text, ["Norvik Energy", "Kestrel Motors"], "en")
    assert rows(found) == [(kind, ("Norvik Energy", "Kestrel Motors"), "Announced")]


def test_it_stands_for_the_firm_named_before() -> None:
    text = (
        "Kestrel Motors opened a plant in Oslo on Monday. "
        "It will invest in Brightwave over five years."
    )
    found = extract(text, ["Kestrel Motors", "Brightwave"], "en")
    assert rows(found) == [("Investment", ("Kestrel Motors", "Brightwave"), "Announced")]


def test_the_company_stands_for_the_firm_the_text_is_about() -> None:
    text = (
        "Kestrel Motors said on Monday it would partner with Norvik Energy in Oslo. "
        "Separately, the company will invest in Brightwave over five years."
    )
    found = extract(text, ["Kestrel Motors", "Norvik Energy", "Brightwave"], "en")
    assert dated(found) == [
        ("Partnership", ("Kestrel Motors", "Norvik Energy"), date(2024, 3, 11), Precision.DAY),
        ("Investment", ("Kestrel Motors", "Brightwave"), None, None),
    ]


@pytest.mark.parametrize("reference", ["The company", "It"])
def test_a_sentence_initial_reference_stands_for_the_topic(reference: str) -> None:
    text = (
        "Kestrel Motors said on Monday it would partner with Norvik Energy in Oslo. "
        f"{reference} will also invest in Brightwave over five years."
    )
    found = extract(text, ["Kestrel Motors", "Norvik Energy", "Brightwave"], "en")
    assert rows(found) == [
        ("Partnership", ("Kestrel Motors", "Norvik Energy"), "Announced"),
        ("Investment", ("Kestrel Motors", "Brightwave"), "Announced"),
    ]


def test_hoesa_stands_for_the_korean_topic() -> None:
    text = "한빛전자는 누리텔레콤과 협력한다고 밝혔다. 회사는 다온배터리에도 투자했다."
    found = extract(text, ["한빛전자", "누리텔레콤", "다온배터리"])
    assert rows(found) == [
        ("Partnership", ("한빛전자", "누리텔레콤"), "Announced"),
        ("Investment", ("한빛전자", "다온배터리"), "Announced"),
    ]


def test_an_omitted_korean_subject_is_the_topic() -> None:
    text = "한빛전자는 누리텔레콤과 업무협약을 맺었다. 같은 날 다온배터리와도 공급 계약을 체결했다."
    found = extract(text, ["한빛전자", "누리텔레콤", "다온배터리"])
    assert rows(found) == [
        ("MemorandumOfUnderstanding", ("한빛전자", "누리텔레콤"), "Signed"),
        ("SupplyAgreement", ("한빛전자", "다온배터리"), "Signed"),
    ]


def test_a_korean_person_stands_for_their_organization() -> None:
    text = (
        "홍길동 한빛전자 회장은 14일 서울에서 기자들과 만났다. "
        "홍 회장은 이 자리에서 누리텔레콤과 배터리 합작법인을 세운다고 밝혔다."
    )
    found = extract(text, ["한빛전자", "누리텔레콤"])
    assert rows(found) == [("JointVentureAgreement", ("한빛전자", "누리텔레콤"), "Announced")]
    assert found[0].evidence[0].confidence == pytest.approx(0.75)


@pytest.mark.parametrize(
    "introduction",
    [
        "Kestrel Motors CEO Jane Doe visited Oslo on Monday.",
        "Jane Doe, chief executive of Kestrel Motors, visited Oslo on Monday.",
    ],
)
def test_an_english_person_stands_for_their_organization(introduction: str) -> None:
    text = f"{introduction} Doe met Norvik Energy executives there."
    found = extract(text, ["Kestrel Motors", "Norvik Energy"], "en")
    assert rows(found) == [("Meeting", ("Kestrel Motors", "Norvik Energy"), "Announced")]


# --- kinds and their priority -------------------------------------------------------------------


def test_an_mou_to_co_develop_is_a_signed_mou() -> None:
    text = "한빛전자와 누리텔레콤은 14일 배터리 공동 개발을 위한 업무협약(MOU)을 체결했다."
    found = extract(text, ["한빛전자", "누리텔레콤"], domain_labels={"배터리": "battery"})
    assert rows(found) == [("MemorandumOfUnderstanding", ("한빛전자", "누리텔레콤"), "Signed")]
    assert (found[0].on, found[0].precision, found[0].domains) == (
        date(2024, 3, 14),
        Precision.DAY,
        ("battery",),
    )


def test_an_english_mou_to_co_develop_is_a_signed_mou() -> None:
    text = (
        "Norvik Energy and Talon Robotics signed a memorandum of understanding "
        "to co-develop battery packs on Feb. 28, 2024."
    )
    found = extract(text, ["Norvik Energy", "Talon Robotics"], "en")
    assert rows(found) == [
        ("MemorandumOfUnderstanding", ("Norvik Energy", "Talon Robotics"), "Signed")
    ]
    assert (found[0].on, found[0].precision) == (date(2024, 2, 28), Precision.DAY)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("한빛전자와 누리텔레콤은 배터리 합작법인 설립을 위한 업무협약을 체결했다.", "Signed"),
        ("한빛전자와 누리텔레콤이 합작법인을 설립하고 배터리를 공동 개발한다.", "Announced"),
    ],
)
def test_a_joint_venture_wins_over_other_cues(text: str, status: str) -> None:
    found = extract(text, ["한빛전자", "누리텔레콤"])
    assert rows(found) == [("JointVentureAgreement", ("한빛전자", "누리텔레콤"), status)]


@pytest.mark.parametrize(
    ("text", "names", "language", "expected"),
    [
        (
            "한빛전자는 누리텔레콤에 배터리를 공급하기로 했다.",
            ["한빛전자", "누리텔레콤"],
            "ko",
            ("SupplyAgreement", ("한빛전자", "누리텔레콤"), "Announced"),
        ),
        (
            "Norvik Energy will supply Kestrel Motors with battery cells.",
            ["Norvik Energy", "Kestrel Motors"],
            "en",
            ("SupplyAgreement", ("Norvik Energy", "Kestrel Motors"), "Announced"),
        ),
        (
            "한빛전자는 다온배터리에 500억원을 투자했다.",
            ["한빛전자", "다온배터리"],
            "ko",
            ("Investment", ("한빛전자", "다온배터리"), "Announced"),
        ),
        (
            "Norvik Energy took a stake in Talon Robotics in Oslo.",
            ["Norvik Energy", "Talon Robotics"],
            "en",
            ("Investment", ("Norvik Energy", "Talon Robotics"), "Announced"),
        ),
        (
            "한빛전자는 누리텔레콤과 회동했다.",
            ["한빛전자", "누리텔레콤"],
            "ko",
            ("Meeting", ("한빛전자", "누리텔레콤"), "Announced"),
        ),
        (
            "Norvik Energy held talks with Kestrel Motors in Oslo.",
            ["Norvik Energy", "Kestrel Motors"],
            "en",
            ("Meeting", ("Norvik Energy", "Kestrel Motors"), "Announced"),
        ),
        (
            "한빛전자는 누리텔레콤과 XR 협력 방안을 논의했다.",
            ["한빛전자", "누리텔레콤"],
            "ko",
            ("Meeting", ("한빛전자", "누리텔레콤"), "Announced"),
        ),
    ],
)
def test_each_kind_from_its_cue(text: str, names: list[str], language: str, expected: Row) -> None:
    assert rows(extract(text, names, language)) == [expected]


def test_a_signed_deal_is_signed_and_more_confident_than_an_announced_one() -> None:
    names = ["Norvik Energy", "Kestrel Motors"]
    signed = extract("Norvik Energy signed a supply deal with Kestrel Motors in Oslo.", names, "en")
    announced = extract("Norvik Energy will supply Kestrel Motors from Oslo.", names, "en")
    assert [r.status for r in signed] == ["Signed"]
    assert [r.status for r in announced] == ["Announced"]
    assert signed[0].evidence[0].confidence == pytest.approx(0.9)
    assert announced[0].evidence[0].confidence == pytest.approx(0.85)


# --- memberships ------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\n", " "])
def test_founding_members_listed_with_triangles_join_the_alliance_named_before(
    separator: str,
) -> None:
    text = (
        f"하늘로봇 얼라이언스가 지난달 출범했다.{separator}"
        "이 얼라이언스에는 △한빛전자 △누리텔레콤 △가람화학 등이 창립 멤버로 참여했다."
    )
    found = extract(text, ["하늘로봇 얼라이언스", "한빛전자", "누리텔레콤", "가람화학"])
    assert [(r.kind, r.participants, r.founding) for r in found] == [
        ("AllianceMembership", ("한빛전자", "하늘로봇 얼라이언스"), True),
        ("AllianceMembership", ("누리텔레콤", "하늘로봇 얼라이언스"), True),
        ("AllianceMembership", ("가람화학", "하늘로봇 얼라이언스"), True),
    ]


def test_joining_an_alliance_later_is_not_founding() -> None:
    text = (
        "하늘 모빌리티 얼라이언스는 2022년 출범했다. "
        "가람화학과 다온배터리는 올해 1월 회원사로 합류했다."
    )
    found = extract(text, ["하늘 모빌리티 얼라이언스", "가람화학", "다온배터리"])
    assert [(r.kind, r.participants, r.on, r.precision, r.founding) for r in found] == [
        (
            "AllianceMembership",
            ("가람화학", "하늘 모빌리티 얼라이언스"),
            date(2024, 1, 1),
            Precision.MONTH,
            False,
        ),
        (
            "AllianceMembership",
            ("다온배터리", "하늘 모빌리티 얼라이언스"),
            date(2024, 1, 1),
            Precision.MONTH,
            False,
        ),
    ]


def test_the_alliance_refers_to_the_alliance_named_before() -> None:
    text = (
        "The Open Grid Alliance was formed in Oslo in January. "
        "Brightwave joined the alliance on Tuesday."
    )
    found = extract(text, ["Open Grid Alliance", "Brightwave"], "en")
    assert [(r.kind, r.participants, r.on, r.founding) for r in found] == [
        ("AllianceMembership", ("Brightwave", "Open Grid Alliance"), date(2024, 3, 12), False)
    ]


def test_an_english_founding_member() -> None:
    text = "Norvik Energy joined the Open Grid Alliance as a founding member."
    found = extract(text, ["Norvik Energy", "Open Grid Alliance"], "en")
    assert [(r.kind, r.participants, r.founding) for r in found] == [
        ("AllianceMembership", ("Norvik Energy", "Open Grid Alliance"), True)
    ]


def test_firms_that_launch_an_alliance_are_its_founding_members() -> None:
    text = (
        "Norvik Energy, Talon Robotics and Kestrel Motors launched the Open Grid Alliance "
        "in Oslo on Monday."
    )
    names = ["Norvik Energy", "Talon Robotics", "Kestrel Motors", "Open Grid Alliance"]
    found = extract(text, names, "en")
    assert [(r.participants, r.founding) for r in found] == [
        (("Norvik Energy", "Open Grid Alliance"), True),
        (("Talon Robotics", "Open Grid Alliance"), True),
        (("Kestrel Motors", "Open Grid Alliance"), True),
    ]


# --- lists, pairing and group statements ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "한빛전자·누리텔레콤·가람화학 등과 합작법인을 설립한다고 다온배터리가 밝혔다.",
        "다온배터리는 한빛전자·누리텔레콤·가람화학 등과 합작법인을 설립한다.",
    ],
)
def test_a_listed_joint_venture_is_one_relationship_with_all_parties(text: str) -> None:
    found = extract(text, ["한빛전자", "누리텔레콤", "가람화학", "다온배터리"])
    assert [(r.kind, set(r.participants)) for r in found] == [
        ("JointVentureAgreement", {"한빛전자", "누리텔레콤", "가람화학", "다온배터리"})
    ]


def test_an_english_listed_joint_venture_is_one_relationship() -> None:
    text = "Norvik Energy, Talon Robotics and Kestrel Motors formed a joint venture to build cells."
    found = extract(text, ["Norvik Energy", "Talon Robotics", "Kestrel Motors"], "en")
    assert rows(found) == [
        (
            "JointVentureAgreement",
            ("Norvik Energy", "Talon Robotics", "Kestrel Motors"),
            "Announced",
        )
    ]


def test_a_meeting_with_one_subject_pairs_it_with_each_party() -> None:
    text = "한빛전자는 이날 누리텔레콤, 가람화학, 다온배터리와 잇따라 만났다."
    found = extract(text, ["한빛전자", "누리텔레콤", "가람화학", "다온배터리"])
    assert dated(found) == [
        ("Meeting", ("한빛전자", "누리텔레콤"), date(2024, 3, 14), Precision.DAY),
        ("Meeting", ("한빛전자", "가람화학"), date(2024, 3, 14), Precision.DAY),
        ("Meeting", ("한빛전자", "다온배터리"), date(2024, 3, 14), Precision.DAY),
    ]


def test_an_english_meeting_with_one_subject_pairs_it_with_each_party() -> None:
    text = "Norvik Energy met Talon Robotics and Kestrel Motors on Tuesday."
    found = extract(text, ["Norvik Energy", "Talon Robotics", "Kestrel Motors"], "en")
    assert dated(found) == [
        ("Meeting", ("Norvik Energy", "Talon Robotics"), date(2024, 3, 12), Precision.DAY),
        ("Meeting", ("Norvik Energy", "Kestrel Motors"), date(2024, 3, 12), Precision.DAY),
    ]


def test_an_investment_with_one_subject_pairs_it_with_each_party() -> None:
    text = "한빛전자는 누리텔레콤과 가람화학에 각각 투자했다."
    found = extract(text, ["한빛전자", "누리텔레콤", "가람화학"])
    assert rows(found) == [
        ("Investment", ("한빛전자", "누리텔레콤"), "Announced"),
        ("Investment", ("한빛전자", "가람화학"), "Announced"),
    ]


def test_an_english_investment_with_one_subject_pairs_it_with_each_party() -> None:
    text = "Norvik Energy invested in Talon Robotics and Kestrel Motors last year."
    found = extract(text, ["Norvik Energy", "Talon Robotics", "Kestrel Motors"], "en")
    assert dated(found) == [
        ("Investment", ("Norvik Energy", "Talon Robotics"), date(2023, 1, 1), Precision.YEAR),
        ("Investment", ("Norvik Energy", "Kestrel Motors"), date(2023, 1, 1), Precision.YEAR),
    ]


@pytest.mark.xfail(strict=True, reason="'each' pairs only a single subject with the others")
def test_each_of_several_subjects_forms_its_own_joint_venture() -> None:
    text = "Norvik Energy and Brightwave each formed a joint venture with Kestrel Motors in Europe."
    found = extract(text, ["Norvik Energy", "Brightwave", "Kestrel Motors"], "en")
    assert rows(found) == [
        ("JointVentureAgreement", ("Norvik Energy", "Kestrel Motors"), "Announced"),
        ("JointVentureAgreement", ("Brightwave", "Kestrel Motors"), "Announced"),
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "다온배터리·가람화학 등 배터리 기업들은 소담자동차·세온모빌리티 등 완성차 기업들과 "
            "합작 법인을 설립하고 있다.",
            "ko",
        ),
        (
            "Norvik Energy and Brightwave are forming joint ventures with Kestrel Motors "
            "and Talon Robotics in Europe.",
            "en",
        ),
    ],
)
def test_an_unpaired_group_statement_gives_nothing(text: str, language: str) -> None:
    names = [
        "다온배터리",
        "가람화학",
        "소담자동차",
        "세온모빌리티",
        "Norvik Energy",
        "Brightwave",
        "Kestrel Motors",
        "Talon Robotics",
    ]
    assert extract(text, names, language) == []


# --- hedging, signing and negation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("한빛전자가 누리텔레콤과 합작법인을 세울 것으로 관측된다.", "ko"),
        ("한빛전자는 누리텔레콤과 배터리 합작법인을 설립할 것으로 보인다.", "ko"),
        ("한빛전자가 누리텔레콤과 합작법인 설립을 검토하고 있다.", "ko"),
        ("Norvik Energy is reportedly planning a joint venture with Kestrel Motors in Oslo.", "en"),
        ("Norvik Energy is said to be planning a joint venture with Kestrel Motors in Oslo.", "en"),
        ("Norvik Energy is expected to form a joint venture with Kestrel Motors in Oslo.", "en"),
    ],
)
def test_hedged_statements_are_speculated_with_half_the_confidence(
    text: str, language: str
) -> None:
    names = ["한빛전자", "누리텔레콤", "Norvik Energy", "Kestrel Motors"]
    found = extract(text, names, language)
    assert [(r.kind, r.status) for r in found] == [("JointVentureAgreement", "Speculated")]
    assert found[0].evidence[0].confidence == pytest.approx(0.85 / 2, abs=0.01)


def test_a_speculated_deal_is_less_confident_than_a_signed_one() -> None:
    names = ["한빛전자", "누리텔레콤"]
    hedged = extract("한빛전자가 누리텔레콤과 합작법인을 세울 것으로 관측된다.", names)
    signed = extract("한빛전자는 누리텔레콤과 합작법인 계약을 체결했다.", names)
    assert [(r.kind, r.status) for r in signed] == [("JointVentureAgreement", "Signed")]
    assert hedged[0].evidence[0].confidence < signed[0].evidence[0].confidence


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("한빛전자는 누리텔레콤과 합작법인을 설립하지 않기로 했다.", "ko"),
        ("한빛전자는 누리텔레콤과의 제휴설을 부인했다.", "ko"),
        (
            "Norvik Energy denied that it would form a joint venture with Kestrel Motors in Oslo.",
            "en",
        ),
        ("Norvik Energy ruled out a joint venture with Kestrel Motors in Oslo.", "en"),
        ("Norvik Energy did not sign a supply deal with Kestrel Motors in Oslo.", "en"),
        ("Norvik Energy never partnered with Kestrel Motors, a spokesperson said.", "en"),
    ],
)
def test_a_negated_statement_gives_nothing(text: str, language: str) -> None:
    names = ["한빛전자", "누리텔레콤", "Norvik Energy", "Kestrel Motors"]
    assert extract(text, names, language) == []


def test_having_no_plan_to_invest_gives_nothing() -> None:
    text = "한빛전자는 다온배터리에 투자할 계획을 갖고 있지 않다고 밝혔다."
    assert extract(text, ["한빛전자", "다온배터리"]) == []


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "한빛전자는 배터리뿐 아니라 XR 분야에서도 누리텔레콤과 협력한다.",
            "ko",
            ("Partnership", ("한빛전자", "누리텔레콤"), "Announced"),
        ),
        (
            "한빛전자는 누리텔레콤과 공급 계약을 체결했지만 계약 규모는 밝히지 않았다.",
            "ko",
            ("SupplyAgreement", ("한빛전자", "누리텔레콤"), "Signed"),
        ),
        (
            "Norvik Energy is not only a supplier but also a partner of Kestrel Motors in Oslo.",
            "en",
            ("Partnership", ("Norvik Energy", "Kestrel Motors"), "Announced"),
        ),
        (
            "Norvik Energy signed a supply deal with Kestrel Motors "
            "but did not disclose the terms.",
            "en",
            ("SupplyAgreement", ("Norvik Energy", "Kestrel Motors"), "Signed"),
        ),
        (
            "Norvik Energy will form a joint venture with Kestrel Motors, said a person who "
            "asked not to be named.",
            "en",
            ("JointVentureAgreement", ("Norvik Energy", "Kestrel Motors"), "Announced"),
        ),
    ],
)
def test_phrases_that_only_look_negative_keep_the_relationship(
    text: str, language: str, expected: Row
) -> None:
    names = ["한빛전자", "누리텔레콤", "Norvik Energy", "Kestrel Motors"]
    assert rows(extract(text, names, language)) == [expected]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("한빛전자와 누리텔레콤은 나란히 실적을 발표했다.", "ko"),
        ("Norvik Energy and Kestrel Motors both reported record profits.", "en"),
    ],
)
def test_a_co_mention_without_a_cue_gives_nothing(text: str, language: str) -> None:
    names = ["한빛전자", "누리텔레콤", "Norvik Energy", "Kestrel Motors"]
    assert extract(text, names, language) == []


# --- domains, dates, events ---------------------------------------------------------------------


def test_domains_come_from_the_sentence_else_from_its_paragraph() -> None:
    text = (
        "배터리 시장이 커지고 있다.\n\n"
        "한빛전자는 누리텔레콤과 협력한다.\n\n"
        "누리텔레콤은 XR 시장에 진출한다. 누리텔레콤은 가람화학과 손잡았다.\n\n"
        "한빛전자는 XR 기기를 만든다. 한빛전자는 다온배터리와 배터리 사업에서 협력한다."
    )
    labels = {"배터리": "battery", "XR": "XR"}
    found = extract(text, ["한빛전자", "누리텔레콤", "가람화학", "다온배터리"], "ko", labels)
    assert [(r.participants, r.domains) for r in found] == [
        (("한빛전자", "누리텔레콤"), ()),
        (("누리텔레콤", "가람화학"), ("XR",)),
        (("한빛전자", "다온배터리"), ("battery",)),
    ]


def test_an_english_domain_label_of_several_words() -> None:
    text = "Hanbit Semiconductor will co-develop artificial intelligence chips with Brightwave."
    labels = {"artificial intelligence": "AI", "XR": "XR"}
    found = extract(text, ["Hanbit Semiconductor", "Brightwave"], "en", labels)
    assert [(r.kind, r.domains) for r in found] == [("CoDevelopment", ("AI",))]


def test_an_undated_sentence_takes_the_date_of_an_earlier_one_naming_the_same_firms() -> None:
    text = (
        "한빛전자와 누리텔레콤은 지난달 28일 배터리 업무협약을 체결했다.\n\n"
        "한빛전자는 누리텔레콤에 배터리를 공급한다. 한빛전자는 가람화학에도 배터리를 공급한다."
    )
    found = extract(text, ["한빛전자", "누리텔레콤", "가람화학"])
    assert dated(found) == [
        ("MemorandumOfUnderstanding", ("한빛전자", "누리텔레콤"), date(2024, 2, 28), Precision.DAY),
        ("SupplyAgreement", ("한빛전자", "누리텔레콤"), date(2024, 2, 28), Precision.DAY),
        ("SupplyAgreement", ("한빛전자", "가람화학"), None, None),
    ]


@pytest.mark.xfail(strict=True, reason="two dated deals in one sentence merge into one")
def test_each_date_goes_with_the_deal_after_it() -> None:
    text = (
        "한빛전자는 지난해 10월 누리텔레콤과 업무협약을 맺은 데 이어 "
        "지난달 가람화학과 합작법인을 세웠다."
    )
    found = extract(text, ["한빛전자", "누리텔레콤", "가람화학"])
    assert dated(found) == [
        (
            "MemorandumOfUnderstanding",
            ("한빛전자", "누리텔레콤"),
            date(2023, 10, 1),
            Precision.MONTH,
        ),
        ("JointVentureAgreement", ("한빛전자", "가람화학"), date(2024, 2, 1), Precision.MONTH),
    ]


def test_the_event_named_in_the_sentence() -> None:
    text = "Norvik Energy partnered with Kestrel Motors at CES 2024 in Las Vegas."
    found = extract(text, ["Norvik Energy", "Kestrel Motors"], "en", published=date(2024, 1, 20))
    assert [(r.kind, r.event) for r in found] == [("Partnership", "CES 2024")]


def test_a_korean_event_followed_by_a_particle() -> None:
    text = "한빛전자는 CES 2024에서 누리텔레콤과 업무협약을 체결했다."
    found = extract(text, ["한빛전자", "누리텔레콤"], published=date(2024, 1, 20))
    assert [(r.kind, r.event) for r in found] == [("MemorandumOfUnderstanding", "CES 2024")]


# --- meetings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "한빛전자는 지난달 28일 누리텔레콤과 회동했다. "
            "양사는 배터리 합작법인을 설립하기로 했다.",
            "ko",
            ("JointVentureAgreement", ("한빛전자", "누리텔레콤"), date(2024, 2, 28), Precision.DAY),
        ),
        (
            "Norvik Energy held talks with Kestrel Motors in Oslo on Tuesday. "
            "The two companies agreed to co-develop battery modules.",
            "en",
            (
                "CoDevelopment",
                ("Norvik Energy", "Kestrel Motors"),
                date(2024, 3, 12),
                Precision.DAY,
            ),
        ),
    ],
)
def test_a_meeting_covered_by_a_deal_between_the_same_firms_is_dropped(
    text: str, language: str, expected: Dated
) -> None:
    names = ["한빛전자", "누리텔레콤", "Norvik Energy", "Kestrel Motors"]
    assert dated(extract(text, names, language)) == [expected]


def test_firms_of_one_brand_at_a_meeting_are_one_side() -> None:
    text = "한빛전자와 한빛화학 경영진은 지난달 누리텔레콤 경영진과 만났다."
    found = extract(text, ["한빛전자", "한빛화학", "누리텔레콤"])
    assert dated(found) == [
        ("Meeting", ("한빛전자", "누리텔레콤"), date(2024, 2, 1), Precision.MONTH)
    ]


def test_a_meeting_within_one_brand_is_no_relationship() -> None:
    assert extract("한빛전자와 한빛화학 사장단이 만났다.", ["한빛전자", "한빛화학"]) == []


# --- names the article teaches ----------------------------------------------------------------


def test_a_korean_firm_the_text_introduced_is_found_again_later() -> None:
    text = (
        "한빛전자는 스타트업 테라픽스와 손잡았다. 테라픽스는 2021년 설립됐다. "
        "한빛전자는 테라픽스에 100억원을 투자했다."
    )
    extraction = ArticleExtractor(["한빛전자"], {}).extract(ArticleText(text, "ko", PUBLISHED))
    assert rows(extraction.relationships) == [
        ("Partnership", ("한빛전자", "테라픽스"), "Announced"),
        ("Investment", ("한빛전자", "테라픽스"), "Announced"),
    ]
    learned = [m for m in extraction.mentions if m.name == "테라픽스"]
    assert [(m.span.text, m.kind) for m in learned] == [("테라픽스", "Firm")] * 3


def test_an_english_firm_the_text_introduced_is_found_again_later() -> None:
    text = (
        "Norvik Energy teamed up with chipmaker Zentrix in Oslo. "
        "Norvik Energy will also invest in Zentrix over five years."
    )
    found = extract(text, ["Norvik Energy"], "en")
    assert rows(found) == [
        ("Partnership", ("Norvik Energy", "Zentrix"), "Announced"),
        ("Investment", ("Norvik Energy", "Zentrix"), "Announced"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Hanbit Semiconductor opened a lab in Oslo on Monday. Hanbit will co-develop chips with "
        "Brightwave.",
        "Hanbit to co-develop chips with Brightwave\nHanbit Semiconductor opened a lab in Oslo.",
    ],
)
def test_an_english_short_form_stands_for_the_full_name(text: str) -> None:
    found = extract(text, ["Hanbit Semiconductor", "Brightwave"], "en")
    assert rows(found) == [("CoDevelopment", ("Hanbit Semiconductor", "Brightwave"), "Announced")]


def test_a_known_name_ending_the_sentence_keeps_its_name() -> None:
    text = "Norvik Energy signed a supply deal with Kestrel Motors."
    found = extract(text, ["Norvik Energy", "Kestrel Motors"], "en")
    assert rows(found) == [("SupplyAgreement", ("Norvik Energy", "Kestrel Motors"), "Signed")]


def test_evidence_quotes_the_sentence_in_article_offsets() -> None:
    text = "가람화학, 새 공장 착공\n\n한빛전자와 누리텔레콤은 배터리 합작법인을 세운다."
    found = extract(text, ["한빛전자", "누리텔레콤"])
    evidence = found[0].evidence[0]
    assert (evidence.span.start, evidence.span.end) == (15, len(text))
    assert evidence.span.text == "한빛전자와 누리텔레콤은 배터리 합작법인을 세운다."
    assert evidence.cue == "합작법인"
