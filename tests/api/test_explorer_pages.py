"""The explorer's pages over the example data: what they contain, their errors, their assets, and
that nothing in them is loaded from another host."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.api.app import create_app
from service.api.routers.explorer import STATIC
from service.config import Settings
from service.store.port import Store
from tests.conftest import load_examples

BASE = "https://w3id.org/alliancegraph/id/"
SAMSUNG = BASE + "org/samsung-electronics"
MEETING = BASE + "rel/fc161326e0b05d0c"  # Samsung Electronics and Meta, 2024-02-28
ARM_CODEVELOPMENT = BASE + "rel/0710284c41f7f299"
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PAGES = [
    "/explore",
    "/explore?q=삼성",
    "/explore/company/samsung-electronics",
    "/explore/resource?iri=" + MEETING,
]


class _Page(HTMLParser):
    """The elements of a page: ids, and every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, dict[str, str | None]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids[str(attributes["id"])] = {"tag": tag, **attributes}

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, make_store: Callable[[], Store]
) -> Iterator[TestClient]:
    settings = Settings(store=tmp_path_factory.mktemp("explorer") / "store")
    with TestClient(create_app(settings, make_store())) as test_client:
        load_examples(test_client.app.state.context)  # type: ignore[attr-defined]
        yield test_client


def _html(client: TestClient, url: str, status: int = 200) -> _Page:
    response = client.get(url, headers=BROWSER, follow_redirects=False)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return _parse(response.text)


def test_the_search_page_has_the_combobox_and_lists_the_companies(client: TestClient) -> None:
    response = client.get("/explore")
    page = _parse(response.text)
    box = page.ids["search-input"]
    assert box["role"] == "combobox"
    assert box["aria-controls"] == "suggestions"
    assert box["aria-autocomplete"] == "list"
    assert page.ids["suggestions"]["role"] == "listbox"
    assert any(tag == "label" and a.get("for") == "search-input" for tag, a in page.tags)
    assert "company-list" in page.ids
    assert "삼성전자" in response.text
    assert 'href="/explore/company/samsung-electronics"' in response.text
    assert '<html lang="en">' in response.text
    assert '<span lang="ko" class="secondary">삼성전자</span>' in response.text


def test_a_query_lists_the_matching_companies_without_script(client: TestClient) -> None:
    response = client.get("/explore", params={"q": "삼성전자"})
    assert response.status_code == 200
    page = _parse(response.text)
    assert page.ids["search-input"]["value"] == "삼성전자"
    links = [a.get("href") for tag, a in page.tags if tag == "a"]
    assert "/explore/company/samsung-electronics" in links
    assert "/explore/company/lg-electronics" not in links
    nothing = client.get("/explore", params={"q": "zzzz no such firm"})
    assert "No company has that name" in nothing.text


def test_the_company_page_has_its_names_and_the_places_the_script_fills(
    client: TestClient,
) -> None:
    response = client.get("/explore/company/samsung-electronics")
    page = _parse(response.text)
    for element in (
        "company-name",
        "company-facts",
        "sparql-link",
        "filter-domain",
        "filter-since",
        "filter-until",
        "status",
        "network",
        "legend",
        "partner-list",
        "timeline",
    ):
        assert element in page.ids, element
    assert page.ids["main"]["data-company"] == "samsung-electronics"
    assert page.ids["main"]["data-iri"] == SAMSUNG
    assert page.ids["network"]["tag"] == "svg"
    assert page.ids["filter-domain"]["tag"] == "select"
    for control in ("filter-domain", "filter-since", "filter-until"):
        assert any(tag == "label" and a.get("for") == control for tag, a in page.tags), control
    assert "<title>Samsung Electronics · 삼성전자 · AllianceGraph explorer</title>" in response.text
    assert '<span lang="en">Samsung Electronics</span>' in response.text
    scripts = [a.get("src") for tag, a in page.tags if tag == "script"]
    assert scripts == ["/explore/static/explorer.js", "/explore/static/company.js"]


def test_this_data_in_sparql_answers_the_companys_relationships(client: TestClient) -> None:
    page = _parse(client.get("/explore/company/samsung-electronics").text)
    href = str(page.ids["sparql-link"]["href"])
    target = urlsplit(href)
    assert target.path == "/sparql"
    [query] = parse_qs(target.query)["query"]
    assert f"<{SAMSUNG}>" in query
    answer = client.get(href, headers=BROWSER)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    assert ARM_CODEVELOPMENT in answer.text
    assert "founding member of the AI-RAN Alliance" in answer.text


def test_a_wikidata_id_is_sent_to_the_slug(client: TestClient) -> None:
    response = client.get("/explore/company/Q20718", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/explore/company/samsung-electronics"


@pytest.mark.parametrize("company", ["no-such-company", "Not%20a%20slug", "Q1", "Q296782x"])
def test_an_unknown_company_is_a_404_page(client: TestClient, company: str) -> None:
    page = _html(client, f"/explore/company/{company}", status=404)
    assert page.ids["main"]["data-status"] == "404"
    assert "error-heading" in page.ids
    assert "search-input" in page.ids


def test_the_resource_page_is_for_instance_iris(client: TestClient) -> None:
    page = _html(client, "/explore/resource?iri=" + MEETING)
    assert page.ids["main"]["data-iri"] == MEETING
    assert page.ids["main"]["data-base"] == BASE
    for element in ("resource-name", "resource-types", "statements", "references", "sparql-link"):
        assert element in page.ids, element
    describe = client.get(str(page.ids["sparql-link"]["href"]), headers=BROWSER)
    assert describe.status_code == 200
    assert "Meeting" in describe.text


@pytest.mark.parametrize(
    "iri",
    [
        "https://example.org/id/rel/fc161326e0b05d0c",
        "https://www.wikidata.org/entity/Q20718",
        "http://w3id.org/alliancegraph/id/rel/fc161326e0b05d0c",
        BASE + "rel/not an iri",
    ],
)
def test_an_iri_outside_the_instance_base_is_a_400_page(client: TestClient, iri: str) -> None:
    response = client.get("/explore/resource", params={"iri": iri}, headers=BROWSER)
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert _parse(response.text).ids["main"]["data-status"] == "400"


def test_an_unknown_instance_iri_is_a_404_page(client: TestClient) -> None:
    _html(client, "/explore/resource?iri=" + BASE + "rel/0000000000000000", status=404)


def test_an_organization_iri_is_sent_to_its_company_page(client: TestClient) -> None:
    response = client.get("/explore/resource", params={"iri": SAMSUNG}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/explore/company/samsung-electronics"


def test_a_browser_dereferencing_an_iri_lands_on_the_explorer(client: TestClient) -> None:
    company = client.get("/id/org/samsung-electronics", headers=BROWSER)
    assert company.status_code == 200
    assert str(company.url).endswith("/explore/company/samsung-electronics")
    assert 'id="network"' in company.text
    relationship = client.get("/id/rel/fc161326e0b05d0c", headers=BROWSER)
    assert relationship.status_code == 200
    assert _parse(relationship.text).ids["main"]["data-iri"] == MEETING


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("explorer.css", "text/css; charset=utf-8"),
        ("explorer.js", "text/javascript; charset=utf-8"),
        ("company.js", "text/javascript; charset=utf-8"),
        ("resource.js", "text/javascript; charset=utf-8"),
    ],
)
def test_the_assets_are_served(client: TestClient, name: str, media_type: str) -> None:
    response = client.get(f"/explore/static/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(response.content) > 500


@pytest.mark.parametrize(
    "name", ["nothing.js", "layout.html", "company.html", "..%2Fquery.html", "EXPLORER.CSS"]
)
def test_nothing_else_under_static_is_served(client: TestClient, name: str) -> None:
    assert client.get(f"/explore/static/{name}").status_code in (400, 404)


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_nothing_from_another_host(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    page = _parse(response.text)
    loaded = [
        str(attributes.get("src") or attributes.get("href") or "")
        for tag, attributes in page.tags
        if tag in ("script", "img", "iframe", "audio", "video", "source", "object", "embed")
        or (tag == "link" and attributes.get("rel") not in (None, "canonical"))
    ]
    assert loaded, "a page loads its stylesheet and scripts"
    for reference in loaded:
        assert not reference.lower().startswith(("http://", "https://", "//")), reference
    assert "<style" not in response.text  # one stylesheet, no inline styles
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "default-src 'none'" in csp


def test_the_stylesheet_and_scripts_fetch_nothing_from_another_host() -> None:
    css = (STATIC / "explorer.css").read_text(encoding="utf-8")
    assert "url(" not in css
    assert "@import" not in css
    for script in sorted(STATIC.glob("*.js")):
        text = script.read_text(encoding="utf-8")
        for specifier in re.findall(r"\bfrom\s+\"([^\"]+)\"", text):
            assert specifier.startswith("./"), (script.name, specifier)
        for target in re.findall(r"\bfetch\(([^,)]+)", text):
            assert target.startswith("url("), (script.name, target)


def test_pages_and_assets_need_the_key_when_reads_do(
    tmp_path: Path, make_store: Callable[[], Store]
) -> None:
    settings = Settings(
        store=tmp_path / "store", require_read_auth=True, api_key=SecretStr("read-key-0001")
    )
    with TestClient(create_app(settings, make_store())) as locked:
        for url in [*PAGES, "/explore/static/explorer.js"]:
            assert locked.get(url).status_code == 401, url
        key = {"authorization": "Bearer read-key-0001"}
        assert locked.get("/explore/static/explorer.css", headers=key).status_code == 200
        assert locked.get("/explore", headers=key).status_code == 200
