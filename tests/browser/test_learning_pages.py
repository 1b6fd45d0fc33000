"""The learning log, search and learning exchanges in real Chromium: no serious axe
violations, no CSP problems, no sideways scrolling on a phone, and the exchange flow."""

from __future__ import annotations

import json

import pytest

from tests.browser.server import DEMO_COLLABORATION
from tests.browser.test_accessibility import _axe

pytestmark = pytest.mark.browser

LOG = f"/collaborations/{DEMO_COLLABORATION}/log"

PAGES = [
    LOG,
    f"{LOG}/new",
    f"{LOG}/actions",
    f"{LOG}/bin",
    "/actions",
    "/search?q=financiering",
    "/search?kind=lesson&code=borging%3Afinanciele-duurzaamheid",
    "/exchanges",
    "/exchanges/new",
]


def _exchange_url(page) -> str:
    page.goto("/exchanges")
    return page.locator("ul.exchange-list a").first.get_attribute("href")


@pytest.mark.parametrize("path", PAGES)
def test_learning_pages_have_no_serious_axe_violations(page, path):
    page.goto(path)
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    assert page.problems.messages == []


def test_exchange_pages_have_no_serious_axe_violations(page):
    url = _exchange_url(page)
    for path in (url, f"{url}/pack", f"{url}/search?q=geld",
                 f"{url}/evidence?collaboration={DEMO_COLLABORATION}"):
        page.goto(path)
        violations = _axe(page)
        assert violations == [], (path, json.dumps(violations, indent=1, ensure_ascii=False))
    assert page.problems.messages == []


def test_an_entry_page_has_no_serious_axe_violations(page):
    page.goto(LOG)
    page.locator("ol.log-entries a").first.click()
    page.wait_for_url("**/log/*")
    assert _axe(page) == []


def test_phone_width_learning_pages_do_not_scroll_sideways(new_context, signed_in_state):
    page = new_context(signed_in_state=signed_in_state,
                       viewport={"width": 360, "height": 740}).new_page()
    url = _exchange_url(page)
    for path in [LOG, f"{LOG}/new", "/actions", "/search?q=geld", url]:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 362, (path, width)


def test_write_a_lesson_and_find_it(page):
    page.goto(f"{LOG}/new")
    page.locator("input[name=kind][value=lesson]").check()
    page.locator("#title").fill("Browserles: koffie helpt")
    page.locator("#body").fill("Wat gaat **goed**? De koffietafel.")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/log/*")
    assert page.locator("h1").inner_text() == "Browserles: koffie helpt"
    page.goto("/search?q=koffietafel")
    assert page.locator("ol.search-results").get_by_text("Browserles: koffie helpt").count()
