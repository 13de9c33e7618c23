"""The company explorer in a real browser: Debian's Chromium, driven by Playwright, against a
real server with the example data.

No browser is downloaded: the test uses the ``chromium`` on the PATH (``make test`` installs the
Debian package when it can). Without one it skips, saying why; in CI (``CI`` set) it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import EXAMPLES, REFERENCE_GRAPH
from tests.server import running_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

NO_CHROMIUM = "no Chromium: install the Debian package chromium (make test does, as root)"


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail in CI, where the Makefile installs the browser."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _chromium() -> str:
    found = shutil.which("chromium") or next(
        (p for p in ("/usr/bin/chromium", "/usr/lib/chromium/chromium") if Path(p).is_file()), None
    )
    if found is None:
        _unavailable(NO_CHROMIUM)
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over an on-disk store with the example data, loaded as ``make run`` does."""
    store = tmp_path_factory.mktemp("explorer") / "store"
    command = [str(Path(sys.executable).with_name("alliancegraph")), "--store", str(store), "load"]
    reference = sorted(str(p) for p in (EXAMPLES / "reference").glob("*.ttl"))
    sources = sorted(str(p) for p in (EXAMPLES / "sources").glob("*.trig"))
    for arguments in (["--graph", REFERENCE_GRAPH, *reference], sources):
        done = subprocess.run([*command, *arguments], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    with running_server(store) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, headless=True, args=["--no-sandbox"]
            )
        except PlaywrightError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            _unavailable(f"Chromium at {executable} does not start: {first_line}")
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that records script errors; a test fails if any happened."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    tab = context.new_page()
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", console)
    yield tab
    context.close()
    assert errors == [], errors


def test_search_in_korean_opens_the_company_page_with_its_partners(
    page: Page, server: str, tmp_path: Path
) -> None:
    page.goto(server + "/explore")
    page.get_by_role("combobox").fill("삼성전자")
    option = page.get_by_role("option", name=re.compile("Samsung Electronics"))
    expect(option).to_be_visible()
    option.click()
    page.wait_for_url(re.compile(r"/explore/company/samsung-electronics$"))
    expect(page.locator("#company-name")).to_contain_text("삼성전자")
    network = page.locator("#network")
    expect(network.locator("a.node[data-partner=arm]")).to_contain_text("Arm")
    expect(network.locator("a.node[data-partner=ai-ran-alliance]")).to_contain_text(
        "AI-RAN Alliance"
    )
    partners = page.locator("#partner-list")
    expect(partners).to_contain_text("Arm")
    expect(partners).to_contain_text("AI-RAN Alliance")
    expect(page.locator("#wikidata-link")).to_have_attribute(
        "href", "https://www.wikidata.org/wiki/Q20718"
    )
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("founding member of the AI-RAN Alliance")
    expect(timeline).to_contain_text("에너지경제신문")
    screenshot = tmp_path / "samsung-electronics.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.is_file()
    assert screenshot.stat().st_size > 0
    assert screenshot.read_bytes().startswith(b"\x89PNG")


def test_the_keyboard_chooses_a_suggestion(page: Page, server: str) -> None:
    page.goto(server + "/explore")
    box = page.get_by_role("combobox")
    box.fill("Samsung Electronics")
    expect(page.get_by_role("option").first).to_be_visible()
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-0")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/explore/company/samsung-electronics$"))


def test_filters_redraw_the_network_and_the_lists(page: Page, server: str) -> None:
    page.goto(server + "/explore/company/samsung-electronics")
    network = page.locator("#network")
    expect(network.locator("a.node")).to_have_count(3)
    page.locator("#filter-domain").select_option("foundry")
    expect(network.locator("a.node")).to_have_count(1)
    expect(network.locator("a.node[data-partner=arm]")).to_be_visible()
    expect(page.locator("#partner-list > li")).to_have_count(1)
    expect(page.locator("#timeline > li.relationship")).to_have_count(1)
    assert "domain=foundry" in page.url
    page.locator("#filter-domain").select_option("")
    page.locator("#filter-since").fill("2024")
    page.locator("#filter-since").press("Enter")
    # Only the dated meeting with Meta is left; undated relationships drop out with a date.
    expect(network.locator("a.node")).to_have_count(1)
    expect(network.locator("a.node[data-partner=meta-platforms]")).to_be_visible()
    expect(page.locator("#timeline .when time")).to_have_text("2024-02-28")
    page.locator("#filter-since").fill("2024-13")
    page.locator("#filter-since").press("Enter")
    expect(page.locator("#status")).to_contain_text("not a date")
    expect(page.locator("#filter-since")).to_have_attribute("aria-invalid", "true")


def test_a_relationship_opens_its_resource_page(page: Page, server: str) -> None:
    page.goto(server + "/explore/company/samsung-electronics")
    meeting = page.locator("#timeline li.relationship[data-type=Meeting]")
    meeting.get_by_role("link", name="details").click()
    page.wait_for_url(re.compile(r"/explore/resource\?iri="))
    statements = page.locator("#statements")
    expect(statements).to_contain_text("ag:Meeting")
    expect(statements).to_contain_text("Meta Platforms")
    expect(page.locator("#resource-types")).to_contain_text("ag:Meeting")
    statements.get_by_role("link", name="org/meta-platforms").click()
    page.wait_for_url(re.compile(r"/explore/company/meta-platforms$"))
    expect(page.locator("#network a.node[data-partner=lg-electronics]")).to_be_visible()
