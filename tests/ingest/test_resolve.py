"""Entity resolution over the example registry: languages, scripts, legal forms, ambiguity."""

from __future__ import annotations

import pytest

from service.context import ServiceContext
from service.ingest.names import normalize_name
from service.ingest.resolve import AliasIndex, mint_organization
from service.iri import organization_iri


@pytest.fixture(scope="module")
def index(examples_readonly: ServiceContext) -> AliasIndex:
    return AliasIndex.from_store(examples_readonly.store)


@pytest.mark.parametrize(
    ("name", "english"),
    [
        ("삼성전자", "Samsung Electronics"),
        ("Samsung Electronics", "Samsung Electronics"),
        ("三星電子", "Samsung Electronics"),
        ("SAMSUNG ELECTRONICS CO., LTD.", "Samsung Electronics"),
        ("삼성전자㈜", "Samsung Electronics"),
        ("주식회사 삼성전자", "Samsung Electronics"),
        ("(주)LG", "LG Corporation"),
        ("SKT", "SK Telecom"),
        ("에스케이텔레콤", "SK Telecom"),
        ("Stellantis N.V.", "Stellantis"),
        ("Deutsche Telekom AG", "Deutsche Telekom"),
        ("도이치 텔레콤", "Deutsche Telekom"),
        ("제너럴모터스(GM)", "General Motors"),
        ("AI-RAN 얼라이언스", "AI-RAN Alliance"),
    ],
)
def test_names_in_either_language_resolve_to_one_organization(
    index: AliasIndex, name: str, english: str
) -> None:
    resolution = index.resolve(name)
    assert resolution.iri is not None, name
    assert resolution.iri.value == organization_iri(english)


def test_group_and_flagship_stay_apart(index: AliasIndex) -> None:
    group = index.resolve("삼성그룹").iri
    flagship = index.resolve("삼성전자").iri
    assert group is not None
    assert flagship is not None
    assert group != flagship
    assert index.resolve("SK그룹").iri != index.resolve("SK텔레콤").iri


def test_unknown_names_resolve_to_nothing(index: AliasIndex) -> None:
    assert index.resolve("Hanwha Ocean").iri is None
    assert index.resolve("한화오션").matches == frozenset()


def test_a_name_shared_by_two_organizations_is_ambiguous() -> None:
    index = AliasIndex()
    index.add("urn:softbank-corp", ["SoftBank"])
    index.add("urn:softbank-group", ["SoftBank Group Corp.", "SoftBank"])
    resolution = index.resolve("소프트뱅크")
    assert resolution.iri is None
    shared = index.resolve("Softbank")
    assert shared.ambiguous
    assert shared.iri is None


def test_unknown_organizations_mint_stable_iris() -> None:
    assert mint_organization(["Hanwha Ocean"]).value == organization_iri("Hanwha Ocean")
    korean = mint_organization(["한화오션"])
    assert korean == mint_organization(["한화오션 주식회사"])
    assert "/org/x-" in korean.value


def test_normalisation_keeps_words_that_tell_firms_apart() -> None:
    assert normalize_name("Arm Holdings") != normalize_name("Arm")
    assert normalize_name("Ford Motor Company") == normalize_name("Ford Motor")
