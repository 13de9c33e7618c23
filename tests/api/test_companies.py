"""The REST lookups by company (``/companies``, ``/relationships``, ``/domains``), the JSON-LD
context and the dereferenceable IRIs (``/id/...``), over the example data.

The expected answers come from ``examples/reference/organizations.ttl`` (34 organizations) and
``examples/sources/seed-article.trig`` (15 relationships from one article).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from pydantic import SecretStr
from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from service.api.app import create_app
from service.config import Settings
from service.context import ServiceContext
from service.ingest.articles import ArticleIn
from service.namespaces import AG, RDF, RDFS, SKOS, WD
from service.store.port import Store
from tests.conftest import load_examples

KEY = "test-api-key-0001"
AUTH = {"authorization": f"Bearer {KEY}"}
PROBLEM = "application/problem+json"
JSONLD = "application/ld+json"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")

ORG = "https://w3id.org/alliancegraph/id/org/"
REL = "https://w3id.org/alliancegraph/id/rel/"
SOURCE = "https://w3id.org/alliancegraph/id/source/b5e71774da9c764a"

# The seed article's relationships, by what they are about.
LG_META = REL + "4ce38b1c88bad181"  # CoDevelopment, XR, 2024-02-28 (Day)
HD_SIEMENS_CODEV = REL + "51d38d1ec26c8892"  # CoDevelopment, 2024-02-28 (Day)
SAMSUNG_META = REL + "fc161326e0b05d0c"  # Meeting, AI and XR, 2024-02-28 (Day)
TELCO_JV = REL + "c77c376a222e1b51"  # JointVentureAgreement, LLM, 2024-02-26 (Day), MWC 2024
KIA_UBER = REL + "bb0053d99b75b853"  # CoDevelopment, PBV, 2024-01 (Month), CES 2024
HD_SIEMENS_MOU_2023 = REL + "f8510debc08f9290"  # MemorandumOfUnderstanding, 2023-10 (Month)
HD_SIEMENS_MOU_2022 = REL + "bf187ab1e40be97b"  # MemorandumOfUnderstanding, 2022-04 (Month)
SAMSUNG_ARM = REL + "0710284c41f7f299"  # CoDevelopment, foundry, undated
SAMSUNG_AIRAN = REL + "8d53c5af79b6d655"  # AllianceMembership, undated, MWC 2024
MEMBERSHIPS = {
    SAMSUNG_AIRAN,
    REL + "233e7fa727ed18a2",  # Nvidia
    REL + "a650a86c07272614",  # Arm
    REL + "5de52a5dfb1de559",  # Microsoft
    REL + "252ccec5cfd3fa7e",  # SoftBank Corp.
    REL + "67917fd9c5ed7811",  # Ericsson
    REL + "6f73e8e09438111f",  # Nokia
}
DATED = [  # newest first, as /relationships orders them
    LG_META,
    HD_SIEMENS_CODEV,
    SAMSUNG_META,
    TELCO_JV,
    KIA_UBER,
    HD_SIEMENS_MOU_2023,
    HD_SIEMENS_MOU_2022,
]
UNDATED = {SAMSUNG_ARM, *MEMBERSHIPS}
DATED_2024 = {LG_META, HD_SIEMENS_CODEV, SAMSUNG_META, TELCO_JV, KIA_UBER}
ORGANIZATIONS = 34

COMPANY_REF_KEYS = {"id", "iri", "label", "wikidata", "country"}
RELATIONSHIP_KEYS = {
    "iri",
    "type",
    "participants",
    "domains",
    "announcedOn",
    "datePrecision",
    "event",
    "status",
    "sources",
    "evidence",
}
SAMSUNG_ELECTRONICS = {
    "id": "samsung-electronics",
    "iri": ORG + "samsung-electronics",
    "label": {"en": "Samsung Electronics", "ko": "삼성전자"},
    "wikidata": "Q20718",
    "country": "Q884",
}
AI_RAN_ALLIANCE = {
    "id": "ai-ran-alliance",
    "iri": ORG + "ai-ran-alliance",
    "label": {"en": "AI-RAN Alliance", "ko": "AI-RAN 얼라이언스"},
    "wikidata": None,
    "country": None,
}
SEED_SOURCE = {
    "url": None,
    "title": None,
    "publisher": "에너지경제신문",
    "published": "2024-03-03T13:06:00+09:00",
}
ENGLISH = {
    "url": "https://news.example.com/2025/06/02/lg-meta-xr",
    "title": "LG Electronics and Meta widen their XR work",
    "publisher": "Example Business Daily",
    "published": "2025-06-02",
    "language": "en",
    "text": (
        "Seoul, June 2. LG Electronics said it will co-develop extended reality headsets with "
        "Meta Platforms for release next year.\n\nThe companies did not disclose terms."
    ),
}


@dataclass
class Api:
    """A test client, its app and the service context of the app."""

    client: TestClient
    app: FastAPI
    context: ServiceContext

    def get(self, url: str, accept: str | None = None, **headers: str) -> Response:
        if accept is not None:
            headers["accept"] = accept
        return self.client.get(url, headers=headers, follow_redirects=False)

    def json(self, url: str, **params: str | int) -> Any:
        # httpx replaces the query of the URL with params, even empty ones.
        response = self.client.get(url, params=params) if params else self.client.get(url)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        return response.json()

    def quads(self) -> int:
        return self.context.store.count()


@contextmanager
def _api(settings: Settings, store: Store) -> Iterator[Api]:
    app = create_app(settings, store)
    # A 500 must come back as a response the tests can check, not as a raised exception.
    with TestClient(app, raise_server_exceptions=False) as client:
        context: ServiceContext = app.state.context
        load_examples(context)
        yield Api(client, app, context)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, make_store: Callable[[], Store]) -> Iterator[Api]:
    """One app over the example data, for the tests that only read."""
    with _api(Settings(store=tmp_path_factory.mktemp("companies")), make_store()) as served:
        yield served


@pytest.fixture
def own_api(settings: Settings, make_store: Callable[[], Store]) -> Iterator[Api]:
    """An app of its own that accepts writes with the API key, for tests that write."""
    with _api(settings.model_copy(update={"api_key": SecretStr(KEY)}), make_store()) as served:
        yield served


def _problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def _iris(items: list[dict[str, Any]]) -> list[str]:
    return [item["iri"] for item in items]


def _links(response: Response) -> dict[str, str]:
    return {
        rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', response.headers["link"])
    }


def _triples(data: bytes, rdf_format: RdfFormat, base: str | None = None) -> set[tuple[Any, ...]]:
    return {(q.subject, q.predicate, q.object) for q in parse(data, rdf_format, base_iri=base)}


def _expanded(api: Api, url: str) -> set[tuple[Any, ...]]:
    """The triples of a JSON-LD answer, with the published context put in place of its URL."""
    response = api.get(url, JSONLD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@context"] == "http://testserver/context.jsonld"
    body["@context"] = api.client.get("/context.jsonld").json()["@context"]
    return _triples(json.dumps(body).encode(), RdfFormat.JSON_LD, "http://testserver" + url)


# --- GET /companies: search -----------------------------------------------------------------


def test_without_a_query_every_organization_is_listed_by_english_name(api: Api) -> None:
    page = api.json("/companies", limit=500)
    assert page["total"] == ORGANIZATIONS
    assert len(page["items"]) == ORGANIZATIONS
    names = [item["label"]["en"].lower() for item in page["items"]]
    assert names == sorted(names)
    assert page["items"][0] == AI_RAN_ALLIANCE
    assert SAMSUNG_ELECTRONICS in page["items"]
    for item in page["items"]:
        assert set(item) == COMPANY_REF_KEYS
        assert set(item["label"]) == {"en", "ko"}
        assert item["iri"] == ORG + item["id"]
    assert "mark-zuckerberg" not in _ids(page["items"])  # persons are not companies
    assert api.json("/companies", q="   ", limit=500) == page


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("삼성전자", "samsung-electronics"),
        ("Samsung Electronics", "samsung-electronics"),
        ("Samsung Electronics Co., Ltd.", "samsung-electronics"),
        ("samsung  electronics", "samsung-electronics"),
        ("SAMSUNG ELECTRONICS", "samsung-electronics"),
        ("삼성전자 주식회사", "samsung-electronics"),
        ("三星電子", "samsung-electronics"),
        ("메타", "meta-platforms"),
        ("메타 플랫폼스", "meta-platforms"),
        ("Facebook, Inc.", "meta-platforms"),
        ("엘지전자", "lg-electronics"),
        ("LG Electronics Inc.", "lg-electronics"),
        ("기아", "kia"),
        ("e&", "e-and"),
        ("이앤(e&)그룹", "e-and"),
        ("SKT", "sk-telecom"),
        ("Samsng Electronics", "samsung-electronics"),  # similar, not equal
        ("Deutsche Telecom", "deutsche-telekom"),  # similar, not equal
    ],
)
def test_a_name_in_either_language_finds_its_company_first(
    api: Api, query: str, first: str
) -> None:
    page = api.json("/companies", q=query)
    assert page["items"], query
    assert page["items"][0]["id"] == first
    assert page["total"] >= len(page["items"])


def test_korean_meta_finds_meta_platforms_only(api: Api) -> None:
    page = api.json("/companies", q="메타")
    assert page == {
        "items": [
            {
                "id": "meta-platforms",
                "iri": ORG + "meta-platforms",
                "label": {"en": "Meta Platforms", "ko": "메타 플랫폼스"},
                "wikidata": "Q380",
                "country": "Q30",
            }
        ],
        "total": 1,
    }


def test_samsung_is_the_group_exactly_and_a_prefix_of_the_others(api: Api) -> None:
    page = api.json("/companies", q="Samsung")
    ids = _ids(page["items"])
    # "Samsung" is an alias of the group only: that exact match comes before the prefixes.
    assert ids[0] == "samsung-group"
    assert set(ids) == {"samsung-group", "samsung-electronics", "samsung-sdi"}
    assert page["total"] == 3
    korean = _ids(api.json("/companies", q="삼성")["items"])
    assert korean[0] == "samsung-group"
    assert {"samsung-electronics", "samsung-sdi"} <= set(korean)


@pytest.mark.parametrize(
    ("query", "exact", "others"),
    [
        ("Kia", "kia", {"nokia"}),  # then a similar name
        ("Siemens", "siemens", {"siemens-digital-industries-software"}),  # then a prefix
        ("LG Electronics", "lg-electronics", {"samsung-electronics", "lg-corporation"}),
        ("SK", "sk-group", {"sk-telecom", "sk-on"}),
        ("Hyundai", "hyundai-motor-company", {"hd-hyundai", "hyundai-mipo-dockyard"}),
    ],
)
def test_an_exact_name_ranks_before_prefixes_and_similar_names(
    api: Api, query: str, exact: str, others: set[str]
) -> None:
    ids = _ids(api.json("/companies", q=query)["items"])
    assert ids[0] == exact
    assert others <= set(ids[1:])


@pytest.mark.parametrize(
    ("query", "prefix", "similar"),
    [
        ("Hyundai Mo", "hyundai-motor-company", "hyundai-mipo-dockyard"),
        ("LG El", "lg-electronics", "lg-energy-solution"),
        ("Soft", "softbank-group", "microsoft"),
    ],
)
def test_a_prefix_match_ranks_before_a_merely_similar_name(
    api: Api, query: str, prefix: str, similar: str
) -> None:
    ids = _ids(api.json("/companies", q=query)["items"])
    assert ids.index(prefix) < ids.index(similar), ids


def test_a_name_nothing_resembles_finds_nothing(api: Api) -> None:
    assert api.json("/companies", q="Apple") == {"items": [], "total": 0}
    assert api.json("/companies", q="Mark Zuckerberg") == {"items": [], "total": 0}


def test_search_by_country(api: Api) -> None:
    american = api.json("/companies", country="Q30", limit=100)
    assert set(_ids(american["items"])) == {
        "ford-motor-company",
        "general-motors",
        "meta-platforms",
        "microsoft",
        "nvidia",
        "uber",
    }
    assert american["total"] == 6
    assert all(item["country"] == "Q30" for item in american["items"])
    korean = api.json("/companies", country="Q884", limit=100)
    assert korean["total"] == 16
    assert "samsung-electronics" in _ids(korean["items"])
    assert "siemens" not in _ids(korean["items"])
    assert api.json("/companies", country="Q999999") == {"items": [], "total": 0}
    german = api.json("/companies", q="Siemens", country="Q183")
    assert _ids(german["items"]) == ["siemens"]  # its software arm has no country


def test_search_by_domain(api: Api) -> None:
    xr = api.json("/companies", domain="XR")
    assert _ids(xr["items"]) == ["lg-electronics", "meta-platforms", "samsung-electronics"]
    assert api.json("/companies", domain="XR", country="Q884")["total"] == 2
    assert _ids(api.json("/companies", domain="XR", q="메타")["items"]) == ["meta-platforms"]
    assert api.json("/companies", domain="battery") == {"items": [], "total": 0}
    shipbuilding = api.json("/companies", domain="shipbuilding")
    assert _ids(shipbuilding["items"]) == ["hd-hyundai", "siemens"]


@pytest.mark.parametrize("country", ["884", "q884", "Q0", "Q884 ", "wd:Q884", "KR"])
def test_a_malformed_country_is_a_400(api: Api, country: str) -> None:
    _problem(api.get("/companies?" + urlencode({"country": country})), 400)


def test_an_unknown_or_malformed_domain_in_search(api: Api) -> None:
    _problem(api.get("/companies?domain=Blockchain"), 404)
    _problem(api.get("/companies?domain=bad%20tag"), 400)


# --- GET /companies/{id} --------------------------------------------------------------------


def test_a_company_by_slug_has_names_facts_family_and_relationships(api: Api) -> None:
    detail = api.json("/companies/samsung-electronics")
    assert set(detail) >= {
        "company",
        "labels",
        "aliases",
        "types",
        "wikidata",
        "parent",
        "subsidiaries",
        "alliances",
        "relationships",
    }
    assert detail["company"] == SAMSUNG_ELECTRONICS
    assert detail["labels"] == [
        {"value": "Samsung Electronics", "language": "en"},
        {"value": "삼성전자", "language": "ko"},
    ]
    aliases = {(a["value"], a["language"]) for a in detail["aliases"]}
    assert {
        ("Samsung Electronics Co., Ltd.", "en"),
        ("Samsung Foundry", "en"),
        ("삼성전자 주식회사", "ko"),
        ("三星電子", "ja"),
        ("三星电子", "zh"),
    } <= aliases
    assert len(aliases) == 8
    assert detail["types"] == ["Firm"]
    assert detail["wikidata"] == {}  # no Wikidata graph is loaded
    assert _ids(detail["parent"]) == ["samsung-group"]
    assert detail["subsidiaries"] == []
    assert detail["alliances"] == [AI_RAN_ALLIANCE]
    assert _iris(detail["relationships"]) == [SAMSUNG_META, SAMSUNG_ARM, SAMSUNG_AIRAN]
    assert detail.get("relationshipsTotal", 3) == 3


def test_a_company_by_qid_is_the_same_as_by_slug(api: Api) -> None:
    assert api.json("/companies/Q20718") == api.json("/companies/samsung-electronics")
    assert api.json("/companies/Q380")["company"]["id"] == "meta-platforms"


def test_a_group_lists_its_subsidiaries_and_an_alliance_its_memberships(api: Api) -> None:
    group = api.json("/companies/samsung-group")
    assert group["types"] == ["BusinessGroup"]
    assert _ids(group["subsidiaries"]) == ["samsung-electronics", "samsung-sdi"]
    assert group["parent"] == []
    assert group["relationships"] == []
    alliance = api.json("/companies/ai-ran-alliance")
    assert alliance["types"] == ["Alliance"]
    assert set(_iris(alliance["relationships"])) == MEMBERSHIPS
    hd = api.json("/companies/hd-hyundai")
    assert _ids(hd["subsidiaries"]) == [
        "hd-hyundai-heavy-industries",
        "hd-korea-shipbuilding-and-offshore-engineering",
        "hyundai-mipo-dockyard",
        "hyundai-samho-heavy-industries",
    ]
    assert _iris(hd["relationships"]) == [
        HD_SIEMENS_CODEV,
        HD_SIEMENS_MOU_2023,
        HD_SIEMENS_MOU_2022,
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/companies/no-such-company",
        "/companies/mark-zuckerberg",  # a person, not a company
        "/companies/mwc-2024",  # an event
        "/companies/no-such-company/partners",
        "/relationships?company=no-such-company",
    ],
)
def test_an_unknown_company_is_a_404(api: Api, url: str) -> None:
    body = _problem(api.get(url), 404)
    assert body["instance"] == url.partition("?")[0]


@pytest.mark.parametrize(
    "url", ["/companies/Q1", "/companies/Q1/partners", "/relationships?company=Q1"]
)
def test_an_unknown_qid_is_a_clean_404(api: Api, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    _problem(api.get(url), 404)
    assert [str(u.exc_value) for u in unraisable] == []


@pytest.mark.parametrize(
    "url", ["/companies/Q36215", "/companies/Q36215/partners", "/relationships?company=Q36215"]
)
def test_the_qid_of_a_person_is_no_company(api: Api, url: str) -> None:
    _problem(api.get(url), 404)


@pytest.mark.parametrize(
    "company",
    [
        "Samsung-Electronics",  # upper case
        "-samsung",
        "samsung_electronics",
        "samsung electronics",
        "Q0",
        "Q01",
        "Q20718x",
        "삼성전자",
        "x" * 201,
    ],
)
def test_a_malformed_company_id_is_a_400(api: Api, company: str) -> None:
    _problem(api.get("/companies/" + quote(company, safe="")), 400)
    _problem(api.get("/companies/" + quote(company, safe="") + "/partners"), 400)
    _problem(api.get("/relationships?" + urlencode({"company": company})), 400)


@pytest.mark.parametrize(
    "url",
    [
        "/companies/samsung-electronics%0A",
        "/companies/Q20718%0A",
        "/companies/kia%0A/partners",
        "/relationships?company=kia%0A",
        "/relationships?type=Partnership%0A",
        "/companies/kia/partners?type=CoDevelopment%0A",
    ],
)
def test_a_trailing_newline_in_an_id_or_type_is_a_400(api: Api, url: str) -> None:
    before = api.quads()
    _problem(api.get(url), 400)
    assert api.quads() == before


# --- GET /companies/{id}/partners -----------------------------------------------------------


def test_samsung_electronics_partners_include_arm_and_the_ai_ran_alliance(api: Api) -> None:
    answer = api.json("/companies/samsung-electronics/partners")
    assert set(answer) >= {"company", "partners"}
    assert answer.get("total", 3) == 3
    assert answer["company"] == SAMSUNG_ELECTRONICS
    partners = {p["company"]["id"]: p for p in answer["partners"]}
    assert list(partners) == ["ai-ran-alliance", "arm", "meta-platforms"]
    assert partners["ai-ran-alliance"]["company"] == AI_RAN_ALLIANCE
    assert set(partners["arm"]) == {"company", "relationships", "relationshipsTotal"}
    assert partners["arm"]["relationshipsTotal"] == 1
    assert partners["arm"]["company"]["wikidata"] == "Q296782"
    assert partners["arm"]["company"]["country"] == "Q145"
    [arm] = partners["arm"]["relationships"]
    assert arm["iri"] == SAMSUNG_ARM
    assert arm["type"] == "CoDevelopment"
    assert arm["domains"] == ["foundry"]
    assert arm["announcedOn"] is None
    assert arm["datePrecision"] is None
    [membership] = partners["ai-ran-alliance"]["relationships"]
    assert membership["iri"] == SAMSUNG_AIRAN
    assert membership["type"] == "AllianceMembership"
    assert membership["event"] == "MWC 2024"
    assert membership["domains"] == ["6G", "AI-RAN"]
    assert [e["confidence"] for e in membership["evidence"]] == [0.9, 0.81]
    [meeting] = partners["meta-platforms"]["relationships"]
    assert meeting["iri"] == SAMSUNG_META
    assert meeting["type"] == "Meeting"
    assert meeting["status"] == "Speculated"
    assert api.json("/companies/Q20718/partners") == answer


def test_partners_with_several_relationships_come_first_newest_first(api: Api) -> None:
    answer = api.json("/companies/siemens/partners")
    [hd] = answer["partners"]
    assert hd["company"]["id"] == "hd-hyundai"
    assert _iris(hd["relationships"]) == [
        HD_SIEMENS_CODEV,
        HD_SIEMENS_MOU_2023,
        HD_SIEMENS_MOU_2022,
    ]
    assert hd["relationshipsTotal"] == 3
    jv = api.json("/companies/sk-telecom/partners")
    assert [p["company"]["id"] for p in jv["partners"]] == [
        "deutsche-telekom",
        "e-and",
        "singtel",
        "softbank-corp",
    ]
    assert all(_iris(p["relationships"]) == [TELCO_JV] for p in jv["partners"])
    softbank = api.json("/companies/softbank-corp/partners")
    assert [p["company"]["id"] for p in softbank["partners"]] == [
        "ai-ran-alliance",
        "deutsche-telekom",
        "e-and",
        "singtel",
        "sk-telecom",
    ]


@pytest.mark.parametrize(
    ("company", "params", "expected"),
    [
        ("samsung-electronics", {"domain": "foundry"}, {"arm": [SAMSUNG_ARM]}),
        ("samsung-electronics", {"domain": "AI-RAN"}, {"ai-ran-alliance": [SAMSUNG_AIRAN]}),
        ("samsung-electronics", {"domain": "XR"}, {"meta-platforms": [SAMSUNG_META]}),
        ("samsung-electronics", {"domain": "battery"}, {}),
        ("samsung-electronics", {"type": "Partnership"}, {"arm": [SAMSUNG_ARM]}),
        ("samsung-electronics", {"type": "ag:CoDevelopment"}, {"arm": [SAMSUNG_ARM]}),
        ("samsung-electronics", {"type": "Meeting"}, {"meta-platforms": [SAMSUNG_META]}),
        (
            "samsung-electronics",
            {"type": "AllianceMembership"},
            {"ai-ran-alliance": [SAMSUNG_AIRAN]},
        ),
        ("samsung-electronics", {"type": "Investment"}, {}),
        ("samsung-electronics", {"since": "2024-02-28"}, {"meta-platforms": [SAMSUNG_META]}),
        ("samsung-electronics", {"since": "2024-03"}, {}),
        ("samsung-electronics", {"until": "2024-02-27"}, {}),
        (
            "samsung-electronics",
            {"since": "2024", "domain": "AI"},
            {"meta-platforms": [SAMSUNG_META]},
        ),
        ("lg-electronics", {"type": "Partnership"}, {"meta-platforms": [LG_META]}),
        ("lg-electronics", {"type": "Meeting"}, {}),
        ("meta-platforms", {"type": "Partnership"}, {"lg-electronics": [LG_META]}),
        ("meta-platforms", {"domain": "AI"}, {"samsung-electronics": [SAMSUNG_META]}),
        (
            "meta-platforms",
            {"domain": "XR"},
            {"lg-electronics": [LG_META], "samsung-electronics": [SAMSUNG_META]},
        ),
        (
            "hd-hyundai",
            {"type": "MemorandumOfUnderstanding"},
            {"siemens": [HD_SIEMENS_MOU_2023, HD_SIEMENS_MOU_2022]},
        ),
        (
            "hd-hyundai",
            {"since": "2023-10", "until": "2024-02-28"},
            {"siemens": [HD_SIEMENS_CODEV, HD_SIEMENS_MOU_2023]},
        ),
        (
            "hd-hyundai",
            {"since": "2022-04-01", "until": "2022-04-01"},
            {"siemens": [HD_SIEMENS_MOU_2022]},
        ),
        ("hd-hyundai", {"domain": "industrial-metaverse"}, {"siemens": [HD_SIEMENS_CODEV]}),
        ("kia", {"type": "Partnership", "domain": "PBV", "since": "2024-01"}, {"uber": [KIA_UBER]}),
    ],
)
def test_partner_filters(
    api: Api, company: str, params: dict[str, str], expected: dict[str, list[str]]
) -> None:
    answer = api.json(f"/companies/{company}/partners", **params)
    assert answer["company"]["id"] == company
    found = {p["company"]["id"]: _iris(p["relationships"]) for p in answer["partners"]}
    assert found == expected


def test_per_partner_lists_the_most_recent_shared_relationships_and_counts_all(
    api: Api,
) -> None:
    [two] = api.json("/companies/siemens/partners", per_partner=2)["partners"]
    assert _iris(two["relationships"]) == [HD_SIEMENS_CODEV, HD_SIEMENS_MOU_2023]
    assert two["relationshipsTotal"] == 3
    [none] = api.json("/companies/siemens/partners", per_partner=0)["partners"]
    assert none["relationships"] == []
    assert none["relationshipsTotal"] == 3
    _problem(api.get("/companies/siemens/partners?per_partner=101"), 400)
    _problem(api.get("/companies/siemens/partners?per_partner=-1"), 400)


def test_relationships_two_companies_share(api: Api) -> None:
    shared = api.json("/relationships", company="siemens", partner="hd-hyundai")
    assert _iris(shared["items"]) == [HD_SIEMENS_CODEV, HD_SIEMENS_MOU_2023, HD_SIEMENS_MOU_2022]
    assert shared["total"] == 3
    assert api.json("/relationships", company="hd-hyundai", partner="Q81230") == shared
    assert api.json("/relationships", company="siemens", partner="kia") == {
        "items": [],
        "total": 0,
    }
    _problem(api.get("/relationships?partner=siemens"), 400)
    _problem(api.get("/relationships?company=siemens&partner=no-such-firm"), 404)
    _problem(api.get("/relationships?company=siemens&partner=%22%7D%23"), 400)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"domain": "Blockchain"}, 404),
        ({"domain": "bad tag"}, 400),
        ({"type": "Friendship"}, 400),
        ({"type": "Firm"}, 400),  # a class, but no kind of relationship
        ({"type": "ag:"}, 400),
        ({"since": "2024-13"}, 400),
        ({"until": "24-01-01"}, 400),
        ({"since": "2024-02-30"}, 400),
        ({"since": "2025", "until": "2024"}, 400),
        ({"since": "2024-02-29", "until": "2024-02-28"}, 400),
        ({"since": "x" * 11}, 400),
    ],
)
def test_bad_partner_filters_are_problems(api: Api, params: dict[str, str], status: int) -> None:
    _problem(api.get("/companies/samsung-electronics/partners?" + urlencode(params)), status)


# --- GET /relationships ---------------------------------------------------------------------


def test_every_relationship_newest_first_undated_last(api: Api) -> None:
    page = api.json("/relationships", limit=500)
    assert page["total"] == 15
    iris = _iris(page["items"])
    assert iris[:7] == DATED
    assert set(iris[7:]) == UNDATED
    assert iris[7:] == sorted(iris[7:])  # undated ones by IRI, so pages are stable
    for item in page["items"]:
        assert set(item) == RELATIONSHIP_KEYS
        for participant in item["participants"]:
            assert set(participant) == COMPANY_REF_KEYS
    assert api.json("/relationships", type="Relationship", limit=500) == page


def test_the_lg_meta_co_development_in_full(api: Api) -> None:
    [relationship] = api.json("/relationships", company="lg-electronics")["items"]
    assert relationship == {
        "iri": LG_META,
        "type": "CoDevelopment",
        "participants": [
            {
                "id": "lg-electronics",
                "iri": ORG + "lg-electronics",
                "label": {"en": "LG Electronics", "ko": "LG전자"},
                "wikidata": "Q162345",
                "country": "Q884",
            },
            {
                "id": "meta-platforms",
                "iri": ORG + "meta-platforms",
                "label": {"en": "Meta Platforms", "ko": "메타 플랫폼스"},
                "wikidata": "Q380",
                "country": "Q30",
            },
        ],
        "domains": ["XR"],
        "announcedOn": "2024-02-28",
        "datePrecision": "Day",
        "event": None,
        "status": "Announced",
        "sources": [SEED_SOURCE],
        "evidence": [
            {
                "quote": "LG Electronics and Meta held strategic talks to strengthen their XR "
                "partnership and agreed to make next-generation products together.",
                "confidence": 0.9,
                "source": SOURCE,
            },
            {
                "quote": "LG Electronics and Meta presented a concrete blueprint on this occasion.",
                "confidence": 0.81,
                "source": SOURCE,
            },
        ],
    }


def test_a_joint_venture_of_five_at_an_event_and_a_month_precise_date(api: Api) -> None:
    [jv] = api.json("/relationships", type="JointVentureAgreement")["items"]
    assert jv["iri"] == TELCO_JV
    assert _ids(jv["participants"]) == [
        "deutsche-telekom",
        "e-and",
        "singtel",
        "sk-telecom",
        "softbank-corp",
    ]
    assert jv["event"] == "MWC 2024"
    assert jv["domains"] == ["LLM"]
    assert (jv["announcedOn"], jv["datePrecision"]) == ("2024-02-26", "Day")
    [kia] = api.json("/relationships", company="Q35349")["items"]
    assert kia["iri"] == KIA_UBER
    assert (kia["announcedOn"], kia["datePrecision"], kia["event"]) == (
        "2024-01-01",
        "Month",
        "CES 2024",
    )
    mou = api.json("/relationships", type="MemorandumOfUnderstanding")
    assert _iris(mou["items"]) == [HD_SIEMENS_MOU_2023, HD_SIEMENS_MOU_2022]
    assert {m["status"] for m in mou["items"]} == {"Signed"}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        # Partnership covers its subclasses: co-developments, MOUs, joint ventures.
        (
            "Partnership",
            {
                LG_META,
                HD_SIEMENS_CODEV,
                TELCO_JV,
                KIA_UBER,
                HD_SIEMENS_MOU_2023,
                HD_SIEMENS_MOU_2022,
                SAMSUNG_ARM,
            },
        ),
        ("ag:Partnership", None),  # the same as Partnership
        ("CoDevelopment", {LG_META, HD_SIEMENS_CODEV, KIA_UBER, SAMSUNG_ARM}),
        ("MemorandumOfUnderstanding", {HD_SIEMENS_MOU_2023, HD_SIEMENS_MOU_2022}),
        ("JointVentureAgreement", {TELCO_JV}),
        ("SupplyAgreement", set()),
        ("Investment", set()),
        ("Meeting", {SAMSUNG_META}),
        ("AllianceMembership", MEMBERSHIPS),
    ],
)
def test_relationships_by_type_include_subclasses(
    api: Api, kind: str, expected: set[str] | None
) -> None:
    page = api.json("/relationships", type=kind, limit=500)
    if expected is None:
        assert page == api.json("/relationships", type="Partnership", limit=500)
        return
    assert set(_iris(page["items"])) == expected
    assert page["total"] == len(expected)


def test_the_type_reported_is_the_most_specific(api: Api) -> None:
    page = api.json("/relationships", type="Partnership", limit=500)
    assert {item["type"] for item in page["items"]} == {
        "CoDevelopment",
        "MemorandumOfUnderstanding",
        "JointVentureAgreement",
    }


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("XR", [LG_META, SAMSUNG_META]),
        ("AI", [SAMSUNG_META]),
        ("shipbuilding", [HD_SIEMENS_CODEV, HD_SIEMENS_MOU_2023, HD_SIEMENS_MOU_2022]),
        ("industrial-metaverse", [HD_SIEMENS_CODEV]),
        ("LLM", [TELCO_JV]),
        ("PBV", [KIA_UBER]),
        ("foundry", [SAMSUNG_ARM]),
        ("6G", sorted(MEMBERSHIPS)),
        ("AI-RAN", sorted(MEMBERSHIPS)),
        ("battery", []),
    ],
)
def test_relationships_by_domain(api: Api, domain: str, expected: list[str]) -> None:
    page = api.json("/relationships", domain=domain, limit=500)
    assert _iris(page["items"]) == expected
    assert page["total"] == len(expected)
    assert all(domain in item["domains"] for item in page["items"])


def test_relationships_by_company_slug_or_qid_and_combined_filters(api: Api) -> None:
    by_slug = api.json("/relationships", company="samsung-electronics")
    assert _iris(by_slug["items"]) == [SAMSUNG_META, SAMSUNG_ARM, SAMSUNG_AIRAN]
    assert api.json("/relationships", company="Q20718") == by_slug
    assert api.json("/relationships", company="ai-ran-alliance", limit=500)["total"] == 7
    assert api.json("/relationships", company="samsung-group") == {"items": [], "total": 0}
    combined = api.json(
        "/relationships", company="hd-hyundai", domain="shipbuilding", type="Partnership"
    )
    assert combined["total"] == 3
    narrowed = api.json(
        "/relationships",
        company="hd-hyundai",
        type="MemorandumOfUnderstanding",
        since="2023",
        until="2023-12-31",
    )
    assert _iris(narrowed["items"]) == [HD_SIEMENS_MOU_2023]


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        # day precision
        ("2024-02-28", None, {LG_META, HD_SIEMENS_CODEV, SAMSUNG_META}),
        ("2024-02-27", None, {LG_META, HD_SIEMENS_CODEV, SAMSUNG_META}),
        (None, "2024-02-27", {TELCO_JV, KIA_UBER, HD_SIEMENS_MOU_2023, HD_SIEMENS_MOU_2022}),
        (None, "2024-02-26", {TELCO_JV, KIA_UBER, HD_SIEMENS_MOU_2023, HD_SIEMENS_MOU_2022}),
        ("2024-02-26", "2024-02-26", {TELCO_JV}),
        ("2024-02-28", "2024-02-28", {LG_META, HD_SIEMENS_CODEV, SAMSUNG_META}),
        ("2024-02-29", None, set()),
        (None, "2022-03-31", set()),
        # month precision
        ("2024-02", None, {LG_META, HD_SIEMENS_CODEV, SAMSUNG_META, TELCO_JV}),
        ("2024-01", None, DATED_2024),
        ("2023-10", "2023-10-01", {HD_SIEMENS_MOU_2023}),
        ("2023-11", "2023-12-31", set()),
        # year precision
        ("2024", None, DATED_2024),
        ("2023", None, {*DATED_2024, HD_SIEMENS_MOU_2023}),
        ("2022", "2022-12-31", {HD_SIEMENS_MOU_2022}),
        ("2025", None, set()),
        ("", "", set(DATED) | UNDATED),  # empty is no filter
    ],
)
def test_relationships_by_date(
    api: Api, since: str | None, until: str | None, expected: set[str]
) -> None:
    params = {k: v for k, v in {"since": since, "until": until}.items() if v is not None}
    page = api.json("/relationships", limit=500, **params)
    assert set(_iris(page["items"])) == expected
    assert page["total"] == len(expected)
    if since or until:
        assert all(item["announcedOn"] for item in page["items"])


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (None, "2024-02", set(DATED)),
        ("2024", "2024", DATED_2024),
        (None, "2023", {HD_SIEMENS_MOU_2023, HD_SIEMENS_MOU_2022}),
    ],
)
def test_until_at_year_or_month_precision_covers_the_whole_period(
    api: Api, since: str | None, until: str, expected: set[str]
) -> None:
    params = {"until": until} if since is None else {"since": since, "until": until}
    page = api.json("/relationships", limit=500, **params)
    assert set(_iris(page["items"])) == expected


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"since": "2024-13"}, 400, "since must be YYYY, YYYY-MM or YYYY-MM-DD"),
        ({"until": "2024-13"}, 400, "until must be YYYY, YYYY-MM or YYYY-MM-DD"),
        ({"since": "24-01-01"}, 400, "since must be"),
        ({"since": "2024-1-1"}, 400, "since must be"),
        ({"since": "2024/01/01"}, 400, "since must be"),
        ({"since": "0000"}, 400, "since must be"),
        ({"until": "2023-02-29"}, 400, "until must be"),
        ({"since": "2024-01-01T00"}, 400, ""),  # too long for a date
        ({"since": "2025", "until": "2024"}, 400, "since is after until"),
        ({"since": "2024-03", "until": "2024-02"}, 400, "since is after until"),
        ({"since": "2024-02-29", "until": "2024-02-28"}, 400, "since is after until"),
        ({"type": "Friendship"}, 400, "not a kind of relationship"),
        ({"type": "Organization"}, 400, "not a kind of relationship"),
        ({"type": "ag:Firm"}, 400, "not a kind of relationship"),
        ({"type": "Co-Development"}, 400, "relationship type"),
        ({"domain": "Blockchain"}, 404, "no technology domain"),
        ({"domain": "-XR"}, 400, "a domain is a tag"),
        ({"company": "Samsung"}, 400, "a company id is a slug"),
        ({"company": "nobody"}, 404, "no company"),
    ],
)
def test_bad_relationship_parameters_are_problems(
    api: Api, params: dict[str, str], status: int, detail: str
) -> None:
    body = _problem(api.get("/relationships?" + urlencode(params)), status)
    assert detail in body["detail"]
    assert body.get("instance", "/relationships") == "/relationships"


# --- GET /domains and /domains/{tag}/companies ----------------------------------------------


def test_domains_with_their_counts(api: Api) -> None:
    domains = api.json("/domains")
    by_tag = {d["tag"]: d for d in domains}
    assert len(domains) == len(by_tag) == 33  # every domain of ontology/domains.ttl
    for domain in domains:
        assert set(domain) == {"tag", "label", "relationships", "companies"}
        assert set(domain["label"]) == {"en", "ko"}
    assert by_tag["XR"] == {
        "tag": "XR",
        "label": {"en": "extended reality", "ko": "확장현실"},
        "relationships": 2,
        "companies": 3,
    }
    assert (by_tag["shipbuilding"]["relationships"], by_tag["shipbuilding"]["companies"]) == (3, 2)
    assert (by_tag["LLM"]["relationships"], by_tag["LLM"]["companies"]) == (1, 5)
    assert (by_tag["battery"]["relationships"], by_tag["battery"]["companies"]) == (0, 0)
    assert by_tag["AI-RAN"]["relationships"] == by_tag["6G"]["relationships"] == 7
    counts = [d["relationships"] for d in domains]
    assert counts == sorted(counts, reverse=True)  # busiest first
    # Each domain's relationship count is what /relationships?domain= finds.
    for tag in ("XR", "shipbuilding", "LLM", "foundry", "AI-RAN", "battery"):
        total = api.json("/relationships", domain=tag)["total"]
        assert by_tag[tag]["relationships"] == total


def test_the_companies_of_a_domain(api: Api) -> None:
    answer = api.json("/domains/XR/companies")
    assert set(answer) == {"domain", "companies"}
    assert answer["domain"]["tag"] == "XR"
    assert answer["domain"]["label"] == {"en": "extended reality", "ko": "확장현실"}
    assert _ids(answer["companies"]) == ["lg-electronics", "meta-platforms", "samsung-electronics"]
    assert SAMSUNG_ELECTRONICS in answer["companies"]
    llm = api.json("/domains/LLM/companies")
    assert _ids(llm["companies"]) == [
        "deutsche-telekom",
        "e-and",
        "singtel",
        "sk-telecom",
        "softbank-corp",
    ]
    assert api.json("/domains/battery/companies")["companies"] == []
    assert "samsung-electronics" in _ids(api.json("/domains/6G/companies")["companies"])


def test_a_domain_count_of_companies_is_the_length_of_its_list(api: Api) -> None:
    for domain in api.json("/domains"):
        listed = api.json(f"/domains/{domain['tag']}/companies")
        assert listed["domain"]["companies"] == len(listed["companies"]), domain["tag"]
        searched = api.json("/companies", domain=domain["tag"], limit=500)
        assert domain["companies"] == searched["total"], domain["tag"]


@pytest.mark.parametrize(
    ("tag", "status"),
    [
        ("Blockchain", 404),
        ("xr", 404),  # tags are case-sensitive
        ("bad tag", 400),
        ("-XR", 400),
        ("XR!", 400),
        ("x" * 65, 400),
    ],
)
def test_an_unknown_or_malformed_domain_tag(api: Api, tag: str, status: int) -> None:
    _problem(api.get(f"/domains/{quote(tag, safe='')}/companies"), status)


# --- /context.jsonld and JSON-LD answers ----------------------------------------------------


def test_the_context_is_json_ld(api: Api) -> None:
    response = api.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == JSONLD
    context = response.json()["@context"]
    assert context["ag"] == AG
    assert context["iri"] == "@id"
    assert context["label"] == {"@id": "rdfs:label", "@container": "@language"}
    # Every term is a keyword, a prefixed name of a declared prefix, or an absolute IRI.
    prefixes = {k for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    for term, definition in context.items():
        target = definition["@id"] if isinstance(definition, dict) else definition
        assert isinstance(target, str), term
        prefix, _, _ = target.partition(":")
        assert target.startswith("@") or prefix in prefixes or prefix in ("http", "https"), term
    # Every key of the answers' JSON has a term, except the structural ones.
    for key in (*COMPANY_REF_KEYS, *RELATIONSHIP_KEYS, "quote", "confidence", "url", "title"):
        assert key in context, key
    # A processor accepts it: a document using it parses into triples.
    document = {"@context": context, "iri": ORG + "kia", "label": {"en": "Kia", "ko": "기아"}}
    triples = _triples(json.dumps(document).encode(), RdfFormat.JSON_LD)
    assert (NamedNode(ORG + "kia"), NamedNode(RDFS + "label"), Literal("기아", language="ko")) in (
        triples
    )


@pytest.mark.parametrize(
    "url",
    [
        "/companies?q=LG",
        "/companies/lg-electronics",
        "/companies/lg-electronics/partners",
        "/relationships?domain=XR",
        "/domains",
    ],
)
def test_json_ld_answers_point_to_the_context(api: Api, url: str) -> None:
    response = api.get(url, JSONLD)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSONLD
    body = response.json()
    assert body["@context"] == "http://testserver/context.jsonld"
    plain = api.json(url)
    if isinstance(plain, list):
        assert body == {"@context": body["@context"], "@graph": plain}
    else:
        assert body == {"@context": body["@context"], **plain}
    assert _expanded(api, url)  # parses into triples with the published context


def test_a_json_ld_company_expands_to_its_facts(api: Api) -> None:
    triples = _expanded(api, "/companies/lg-electronics")
    lg, meta = NamedNode(ORG + "lg-electronics"), NamedNode(ORG + "meta-platforms")
    relationship = NamedNode(LG_META)
    assert (lg, NamedNode(RDFS + "label"), Literal("LG Electronics", language="en")) in triples
    assert (lg, NamedNode(RDFS + "label"), Literal("LG전자", language="ko")) in triples
    assert (relationship, NamedNode(AG + "participant"), meta) in triples
    assert (relationship, NamedNode(AG + "participant"), lg) in triples
    announced = Literal("2024-02-28", datatype=XSD_DATE)
    assert (relationship, NamedNode(AG + "announcedOn"), announced) in triples
    quotes = {o.value for _, p, o in triples if p == NamedNode(AG + "quote")}
    assert "LG Electronics and Meta presented a concrete blueprint on this occasion." in quotes


def test_the_json_ld_companies_of_a_domain_point_to_the_context(api: Api) -> None:
    response = api.get("/domains/XR/companies", JSONLD)
    assert response.status_code == 200
    assert response.json() == {
        "@context": "http://testserver/context.jsonld",
        **api.json("/domains/XR/companies"),
    }


def test_the_json_ld_companies_of_a_domain_expand_to_the_companies(api: Api) -> None:
    triples = _expanded(api, "/domains/XR/companies")
    subjects = {s.value for s, _, _ in triples}
    assert {ORG + "lg-electronics", ORG + "meta-platforms", ORG + "samsung-electronics"} <= (
        subjects
    )


def test_a_json_ld_relationship_has_its_ontology_type(api: Api) -> None:
    triples = _expanded(api, "/companies/lg-electronics")
    assert (NamedNode(LG_META), NamedNode(RDF + "type"), NamedNode(AG + "CoDevelopment")) in (
        triples
    )


def test_json_ld_and_turtle_agree_on_a_company_wikidata_item_and_country(api: Api) -> None:
    lg = NamedNode(ORG + "lg-electronics")
    turtle = _triples(api.get("/companies/lg-electronics", TURTLE).content, RdfFormat.TURTLE)
    expanded = _expanded(api, "/companies/lg-electronics")
    for predicate in (NamedNode(SKOS + "exactMatch"), NamedNode(AG + "country")):
        in_turtle = {o for s, p, o in turtle if s == lg and p == predicate}
        in_json_ld = {o for s, p, o in expanded if s == lg and p == predicate}
        assert in_turtle
        assert in_json_ld == in_turtle, predicate


# --- content negotiation --------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "", "*/*", "application/json", "application/*"])
def test_json_is_the_default(api: Api, accept: str | None) -> None:
    response = api.get("/companies/kia", accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["vary"] == "Accept"
    assert response.json()["company"]["id"] == "kia"


def test_a_company_as_turtle_and_n_triples(api: Api) -> None:
    lg = NamedNode(ORG + "lg-electronics")
    for media, rdf_format in ((TURTLE, RdfFormat.TURTLE), (NTRIPLES, RdfFormat.N_TRIPLES)):
        response = api.get("/companies/lg-electronics", media)
        assert response.status_code == 200
        assert response.headers["content-type"].partition(";")[0] == media
        triples = _triples(response.content, rdf_format)
        assert {s for s, _, _ in triples} == {lg}
        assert (lg, NamedNode(RDFS + "label"), Literal("LG Electronics", language="en")) in triples
        assert (lg, NamedNode(RDFS + "label"), Literal("LG전자", language="ko")) in triples
        assert (lg, NamedNode(SKOS + "exactMatch"), NamedNode(WD + "Q162345")) in triples
        assert (lg, NamedNode(AG + "country"), NamedNode(WD + "Q884")) in triples
        assert (lg, NamedNode(AG + "subsidiaryOf"), NamedNode(ORG + "lg-corporation")) in triples
        assert (lg, NamedNode(RDF + "type"), NamedNode(AG + "Firm")) in triples


def test_relationships_and_partners_as_turtle(api: Api) -> None:
    response = api.get("/relationships?domain=XR", TURTLE)
    assert response.status_code == 200
    triples = _triples(response.content, RdfFormat.TURTLE)
    assert {s for s, _, _ in triples} == {NamedNode(LG_META), NamedNode(SAMSUNG_META)}
    announced = Literal("2024-02-28", datatype=XSD_DATE)
    assert (NamedNode(LG_META), NamedNode(AG + "announcedOn"), announced) in triples
    assert (NamedNode(LG_META), NamedNode(RDF + "type"), NamedNode(AG + "CoDevelopment")) in (
        triples
    )
    partners = api.get("/companies/samsung-electronics/partners", TURTLE)
    assert {s.value for s, _, _ in _triples(partners.content, RdfFormat.TURTLE)} == {
        SAMSUNG_META,
        SAMSUNG_ARM,
        SAMSUNG_AIRAN,
    }
    # An empty answer is an empty graph, not an error.
    for url in ("/relationships?domain=battery", "/companies/kia/partners?type=Investment"):
        empty = api.get(url, TURTLE)
        assert empty.status_code == 200
        assert _triples(empty.content, RdfFormat.TURTLE) == set()


def test_q_values_choose_the_format(api: Api) -> None:
    chosen = api.get("/companies/kia", "text/turtle;q=0.5, application/ld+json")
    assert chosen.headers["content-type"] == JSONLD
    chosen = api.get("/companies/kia", "application/json;q=0.1, text/turtle;q=0.9")
    assert chosen.headers["content-type"].startswith(TURTLE)
    chosen = api.get("/companies/kia", "application/json;q=0, */*")
    assert chosen.headers["content-type"] == JSONLD


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/companies", "image/png"),
        ("/companies/kia", "image/png"),
        ("/companies/kia/partners", "image/png"),
        ("/relationships", "image/png"),
        ("/domains", "image/png"),
        ("/domains/XR/companies", "image/png"),
        ("/id/org/kia", "image/png"),
        ("/companies/kia", "application/json;q=0, application/ld+json;q=0, text/*;q=0"),
        ("/domains", TURTLE),  # lists of domains are JSON only
    ],
)
def test_an_unsupported_accept_is_a_406(api: Api, url: str, accept: str) -> None:
    _problem(api.get(url, accept), 406)


# --- /id/{kind}/{name} ----------------------------------------------------------------------


def test_an_org_iri_dereferences_as_turtle_n_triples_and_json_ld(api: Api) -> None:
    lg = NamedNode(ORG + "lg-electronics")
    found = {}
    for media, rdf_format in (
        (TURTLE, RdfFormat.TURTLE),
        (NTRIPLES, RdfFormat.N_TRIPLES),
        (JSONLD, RdfFormat.JSON_LD),
    ):
        response = api.get("/id/org/lg-electronics", media)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].partition(";")[0] == media
        assert response.headers["etag"]
        found[media] = _triples(response.content, rdf_format)
    assert found[TURTLE] == found[NTRIPLES] == found[JSONLD]
    triples = found[TURTLE]
    assert {s for s, _, _ in triples} == {lg}
    assert (lg, NamedNode(RDFS + "label"), Literal("LG Electronics", language="en")) in triples
    assert (lg, NamedNode(AG + "partnerOf"), NamedNode(ORG + "meta-platforms")) in triples
    assert api.get("/id/org/lg-electronics").headers["content-type"].startswith(TURTLE)
    assert api.get("/id/org/lg-electronics", "*/*").headers["content-type"].startswith(TURTLE)


@pytest.mark.parametrize(
    ("path", "predicate", "value"),
    [
        ("rel/4ce38b1c88bad181", AG + "announcedOn", Literal("2024-02-28", datatype=XSD_DATE)),
        ("source/b5e71774da9c764a", "https://schema.org/publisher", None),
        ("event/mwc-2024", RDFS + "label", Literal("MWC 2024", language="en")),
        (
            "person/mark-zuckerberg",
            "https://schema.org/worksFor",
            NamedNode(ORG + "meta-platforms"),
        ),
        ("evidence/6f52c07ac53b42c7", AG + "confidence", None),
    ],
)
def test_other_instance_iris_dereference(api: Api, path: str, predicate: str, value: Any) -> None:
    response = api.get(f"/id/{path}", TURTLE)
    assert response.status_code == 200, response.text
    subject = NamedNode("https://w3id.org/alliancegraph/id/" + path)
    triples = _triples(response.content, RdfFormat.TURTLE)
    assert {s for s, _, _ in triples} == {subject}
    objects = {o for _, p, o in triples if p == NamedNode(predicate)}
    assert objects
    if value is not None:
        assert value in objects


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("org/lg-electronics", "/explore/company/lg-electronics"),
        (
            "rel/4ce38b1c88bad181",
            "/explore/resource?iri=https%3A%2F%2Fw3id.org%2Falliancegraph%2Fid%2Frel%2F"
            "4ce38b1c88bad181",
        ),
        (
            "event/mwc-2024",
            "/explore/resource?iri=https%3A%2F%2Fw3id.org%2Falliancegraph%2Fid%2Fevent%2Fmwc-2024",
        ),
    ],
)
def test_a_browser_is_sent_to_the_explorer(api: Api, path: str, location: str) -> None:
    for accept in ("text/html", "text/html,application/xhtml+xml,*/*;q=0.8"):
        response = api.get(f"/id/{path}", accept)
        assert response.status_code == 303
        assert response.headers["location"] == location


@pytest.mark.parametrize(
    "path",
    [
        "org/no-such-company",
        "org/Q20718",
        "rel/0000000000000000",
        "source/nope",
        "event/mwc-2099",
        "person/nobody",
        "evidence/nope",
    ],
)
def test_an_iri_nothing_is_known_about_is_a_404(api: Api, path: str) -> None:
    for accept in (TURTLE, "text/html"):
        body = _problem(api.get(f"/id/{path}", accept), 404)
        assert "nothing is known about" in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "company/lg-electronics",
        "ORG/lg-electronics",
        "org/lg%20electronics",
        "org/lg%3Eelectronics",
        "org/%22lg%22",
        "org/" + "x" * 201,
    ],
)
def test_a_malformed_id_iri_is_a_400(api: Api, path: str) -> None:
    _problem(api.get(f"/id/{path}", TURTLE), 400)


# --- ETags ----------------------------------------------------------------------------------

READ_URLS = [
    "/companies?q=Samsung",
    "/companies/samsung-electronics",
    "/companies/samsung-electronics/partners",
    "/relationships?type=Partnership",
    "/domains",
    "/domains/XR/companies",
]


@pytest.mark.parametrize("url", READ_URLS)
def test_if_none_match_with_the_etag_is_a_304(api: Api, url: str) -> None:
    first = api.get(url)
    etag = first.headers["etag"]
    assert re.fullmatch(r'W/"[0-9a-f]+"', etag)
    assert first.headers["cache-control"] == "no-cache"
    again = api.get(url)
    assert again.headers["etag"] == etag
    assert again.content == first.content
    revalidated = api.get(url, **{"if-none-match": etag})
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated.headers["etag"] == etag
    among = api.get(url, **{"if-none-match": f'W/"0000", {etag}'})
    assert among.status_code == 304
    stale = api.get(url, **{"if-none-match": 'W/"0000"'})
    assert stale.status_code == 200
    assert stale.content == first.content


def test_etags_differ_by_query_and_representation(api: Api) -> None:
    etags = {
        api.get("/companies/kia").headers["etag"],
        api.get("/companies/kia", JSONLD).headers["etag"],
        api.get("/companies/kia", TURTLE).headers["etag"],
        api.get("/companies/uber").headers["etag"],
        api.get("/companies?q=Kia").headers["etag"],
        api.get("/companies?q=Uber").headers["etag"],
    }
    assert len(etags) == 6
    json_etag = api.get("/companies/kia").headers["etag"]
    # The JSON validator does not revalidate the Turtle representation.
    assert api.get("/companies/kia", TURTLE, **{"if-none-match": json_etag}).status_code == 200


def test_a_dereferenced_iri_revalidates_with_its_etag(api: Api) -> None:
    first = api.get("/id/org/lg-electronics", TURTLE)
    etag = first.headers["etag"]
    again = api.get("/id/org/lg-electronics", TURTLE, **{"if-none-match": etag})
    assert again.status_code == 304


def _etags(api: Api, urls: list[str]) -> dict[str, str]:
    etags = {}
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, response.text
        etags[url] = response.headers["etag"]
    return etags


def test_the_etag_changes_after_an_ingest_through_the_ingestor(own_api: Api) -> None:
    url = "/companies/lg-electronics/partners"
    before = own_api.get(url).headers["etag"]
    assert own_api.get(url, **{"if-none-match": before}).status_code == 304
    own_api.app.state.ingestor.ingest_article(ArticleIn.model_validate(ENGLISH))
    after = own_api.get(url, **{"if-none-match": before})
    assert after.status_code == 200
    assert after.headers["etag"] != before
    [meta] = after.json()["partners"]
    assert meta["company"]["id"] == "meta-platforms"
    assert len(meta["relationships"]) == 2
    assert LG_META in _iris(meta["relationships"])
    assert own_api.json("/relationships")["total"] == 16


def test_the_etags_change_after_an_article_is_posted(own_api: Api) -> None:
    urls = [*READ_URLS, "/companies/lg-electronics"]
    before = _etags(own_api, urls)
    refused = own_api.client.post(
        "/sources/articles", json={"published": "2025-06-02", "text": ""}, headers=AUTH
    )
    _problem(refused, 400)
    assert own_api.client.post("/sources/articles", json=ENGLISH).status_code == 401
    for url, etag in before.items():  # nothing was written
        assert own_api.get(url, **{"if-none-match": etag}).status_code == 304, url
    posted = own_api.client.post("/sources/articles", json=ENGLISH, headers=AUTH)
    assert posted.status_code == 201, posted.text
    after = _etags(own_api, urls)
    for url, etag in before.items():
        assert after[url] != etag, url
        assert own_api.get(url, **{"if-none-match": etag}).status_code == 200, url
    detail = own_api.json("/companies/lg-electronics")
    assert len(detail["relationships"]) == 2


def test_names_and_relationships_read_before_a_write_are_not_served_after_it(
    own_api: Api,
) -> None:
    """Lookups keep names and relationship descriptions between requests; a write (here a
    plain SPARQL update on the store) must make them read again."""
    before = own_api.json("/companies/siemens/partners")
    [hd] = before["partners"]
    assert hd["company"]["label"]["en"] == "HD Hyundai"
    store = own_api.app.state.context.store
    store.update(
        f"""INSERT DATA {{ GRAPH <https://w3id.org/alliancegraph/graph/reference> {{
  <{ORG}hd-hyundai> <http://www.w3.org/2000/01/rdf-schema#label> "A HD Hyundai"@en .
  <{HD_SIEMENS_CODEV}> <https://w3id.org/alliancegraph/ontology#domain>
      <https://w3id.org/alliancegraph/domain/XR> . }} }}"""
    )
    [after] = own_api.json("/companies/siemens/partners")["partners"]
    assert after["company"]["label"]["en"] == "A HD Hyundai"
    assert "XR" in after["relationships"][0]["domains"]
    assert "XR" not in hd["relationships"][0]["domains"]
    assert own_api.json("/companies/hd-hyundai")["company"]["label"]["en"] == "A HD Hyundai"
    memo = own_api.app.state.lookup._current  # the memo the answers above went through
    assert memo.generation == store.generation
    assert ORG + "hd-hyundai" in memo.refs


# --- pagination -----------------------------------------------------------------------------


def _walk(api: Api, url: str) -> tuple[list[str], set[int]]:
    """Follow rel="next" from the first page; the keys of the items seen and the totals."""
    keys: list[str] = []
    totals: set[int] = set()
    next_url: str | None = url
    pages = 0
    while next_url is not None:
        response = api.client.get(next_url)
        assert response.status_code == 200, response.text
        page = response.json()
        totals.add(page["total"])
        assert len(page["items"]) == 1
        keys.extend(item.get("id") or item["iri"] for item in page["items"])
        links = _links(response)
        assert links["first"].startswith("http://testserver/")
        assert ("prev" in links) == (pages > 0)
        next_url = links.get("next")
        pages += 1
        assert pages <= 100, "the walk does not end"
    return keys, totals


@pytest.mark.parametrize(
    ("url", "everything"),
    [
        ("/companies?limit=1", "/companies?limit=500"),
        ("/companies?q=Samsung&limit=1", "/companies?q=Samsung&limit=500"),
        ("/companies?country=Q30&limit=1", "/companies?country=Q30&limit=500"),
        ("/relationships?limit=1", "/relationships?limit=500"),
        ("/relationships?type=Partnership&limit=1", "/relationships?type=Partnership&limit=500"),
    ],
)
def test_limit_1_walks_every_page_through_link_next(api: Api, url: str, everything: str) -> None:
    keys, totals = _walk(api, url)
    whole = api.client.get(everything).json()
    assert totals == {whole["total"]}
    assert len(keys) == whole["total"]
    assert len(set(keys)) == len(keys)
    assert keys == [item.get("id") or item["iri"] for item in whole["items"]]


def test_page_links_keep_the_filters(api: Api) -> None:
    response = api.get("/relationships?type=Partnership&limit=2&offset=2")
    links = _links(response)
    assert set(links) == {"first", "prev", "next", "last"}
    for link in links.values():
        assert "type=Partnership" in link
        assert "limit=2" in link
    assert "offset=0" in links["first"]
    assert "offset=0" in links["prev"]
    assert "offset=4" in links["next"]
    assert "offset=6" in links["last"]  # 7 partnerships
    page = response.json()
    assert page["total"] == 7
    assert _iris(page["items"]) == [TELCO_JV, KIA_UBER]
    last = api.client.get(links["last"]).json()
    assert _iris(last["items"]) == [SAMSUNG_ARM]


@pytest.mark.parametrize("url", ["/companies", "/relationships"])
def test_an_offset_beyond_the_total_is_an_empty_page_with_the_total(api: Api, url: str) -> None:
    total = api.client.get(url).json()["total"]
    for offset in (total, total + 1, 1_000_000):
        response = api.get(f"{url}?offset={offset}&limit=5")
        assert response.status_code == 200
        assert response.json() == {"items": [], "total": total}
        links = _links(response)
        assert "next" not in links
        assert "prev" in links
    empty = api.get("/companies?q=Apple")
    assert empty.json() == {"items": [], "total": 0}
    assert set(_links(empty)) == {"first", "last"}


@pytest.mark.parametrize(
    "params",
    [
        "limit=0",
        "limit=501",
        "limit=-1",
        "limit=abc",
        "limit=1.5",
        "limit=99999999999999999999999",
        "offset=-1",
        "offset=1000001",
        "offset=x",
    ],
)
@pytest.mark.parametrize("url", ["/companies", "/relationships"])
def test_bad_paging_is_a_400(api: Api, url: str, params: str) -> None:
    body = _problem(api.get(f"{url}?{params}"), 400)
    assert body["errors"][0]["where"] == "query." + params.partition("=")[0]


def test_limit_500_is_allowed(api: Api) -> None:
    assert api.json("/companies", limit=500)["total"] == ORGANIZATIONS
    assert len(api.json("/companies", limit=500, offset=30)["items"]) == 4


# --- hostile input --------------------------------------------------------------------------

PAYLOADS = [
    pytest.param('"', id="double-quote"),
    pytest.param("'", id="single-quote"),
    pytest.param('samsung" } } SELECT * WHERE { ?s ?p ?o } #', id="close-and-select"),
    pytest.param("} { SELECT ?s WHERE { ?s ?p ?o } }", id="braces-select"),
    pytest.param("#", id="hash"),
    pytest.param("kia#", id="trailing-hash"),
    pytest.param("line1\nline2", id="newline-inside"),
    pytest.param("\r\n", id="crlf"),
    pytest.param("\\", id="backslash"),
    pytest.param("kia\\u003E", id="escaped-gt"),
    pytest.param("<http://evil>", id="iri"),
    pytest.param("kia> ?p ?o } #", id="close-iri"),
    pytest.param("> . } INSERT DATA { <urn:a> <urn:b> <urn:c> } #", id="insert"),
    pytest.param("Q20718> } ; DROP ALL ; #", id="drop-all"),
    pytest.param('2024-01-01"^^<http://evil>', id="typed-literal"),
    pytest.param("ag:Partnership> } #", id="type-iri"),
    pytest.param("\x00", id="nul"),
    pytest.param("삼성전자' OR '1'='1", id="korean-or"),
    pytest.param("../../etc/passwd", id="traversal"),
    pytest.param("%27%22%7D", id="double-encoded"),
    pytest.param("x" * 10_000, id="10k"),
    pytest.param("삼" * 5_000, id="5k-hangul"),  # 45k once percent-encoded
]
QUERY_TARGETS = [
    ("/companies", "q"),
    ("/companies", "country"),
    ("/companies", "domain"),
    ("/companies", "limit"),
    ("/companies", "offset"),
    ("/companies/samsung-electronics/partners", "domain"),
    ("/companies/samsung-electronics/partners", "type"),
    ("/companies/samsung-electronics/partners", "since"),
    ("/companies/samsung-electronics/partners", "until"),
    ("/relationships", "company"),
    ("/relationships", "domain"),
    ("/relationships", "type"),
    ("/relationships", "since"),
    ("/relationships", "until"),
    ("/relationships", "limit"),
    ("/relationships", "offset"),
]
PATH_TARGETS = [
    "/companies/{}",
    "/companies/{}/partners",
    "/domains/{}/companies",
    "/id/{}/lg-electronics",
    "/id/org/{}",
]


def _is_clean(api: Api, response: Response, before: int, generation: int) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == PROBLEM, response.text
        assert response.json()["status"] == response.status_code
    elif response.status_code == 200 and "json" in response.headers["content-type"]:
        response.json()
    assert api.quads() == before
    assert api.context.store.generation == generation


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(("url", "name"), QUERY_TARGETS)
def test_hostile_query_parameters_are_refused_or_harmless(
    api: Api, url: str, name: str, payload: str
) -> None:
    before, generation = api.quads(), api.context.store.generation
    response = api.client.get(url, params={name: payload})
    _is_clean(api, response, before, generation)
    if name in ("limit", "offset", "country", "since", "until") or len(payload) > 500:
        assert response.status_code == 400, response.text
    if name == "q" and response.status_code == 200:
        assert response.json()["total"] <= ORGANIZATIONS


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("template", PATH_TARGETS)
def test_hostile_path_segments_are_refused_or_harmless(
    api: Api, template: str, payload: str
) -> None:
    before, generation = api.quads(), api.context.store.generation
    response = api.get(template.format(quote(payload, safe="")), TURTLE + ", */*;q=0.1")
    _is_clean(api, response, before, generation)
    assert response.status_code in (400, 404), response.text


@pytest.mark.parametrize(
    "headers",
    [
        {"accept": '"'},
        {"accept": "text/turtle;q=abc"},
        {"accept": "text/turtle;q=-1, application/json;q=2"},
        {"accept": "*/*;q=0.5;q=0.1"},
        {"accept": ";;;,,,/"},
        {"accept": "x" * 10_000},
        {"if-none-match": '"} SELECT * WHERE { ?s ?p ?o }'},
        {"if-none-match": "x" * 10_000},
        {"if-none-match": "*"},
    ],
)
@pytest.mark.parametrize("url", ["/companies/kia", "/companies?q=Kia", "/id/org/kia"])
def test_hostile_headers_are_refused_or_harmless(
    api: Api, url: str, headers: dict[str, str]
) -> None:
    before, generation = api.quads(), api.context.store.generation
    response = api.client.get(url, headers=headers)
    _is_clean(api, response, before, generation)
    assert response.status_code in (200, 304, 406), response.text


def test_hostile_search_text_finds_nothing_or_real_companies(api: Api) -> None:
    for text in ('" } SELECT * WHERE { ?s ?p ?o } #', "<http://evil>", "\\", "#", "'"):
        page = api.json("/companies", q=text)
        assert page["total"] == len(page["items"]) <= ORGANIZATIONS
        for item in page["items"]:
            assert item["iri"] == ORG + item["id"]
    _problem(api.get("/companies?" + urlencode({"q": "x" * 501})), 400)
    assert api.get("/companies?" + urlencode({"q": "삼" * 500})).status_code == 200


# --- read access ----------------------------------------------------------------------------


def test_reads_need_the_key_when_the_server_says_so(
    settings: Settings, make_store: Callable[[], Store]
) -> None:
    guarded = settings.model_copy(update={"api_key": SecretStr(KEY), "require_read_auth": True})
    with _api(guarded, make_store()) as served:
        for url in ("/companies", "/companies/kia", "/relationships", "/domains", "/id/org/kia"):
            _problem(served.get(url), 401)
            assert served.get(url, **AUTH).status_code == 200, url
        assert served.get("/companies/kia", **{"authorization": "Bearer wrong"}).status_code == 403
