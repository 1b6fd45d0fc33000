"""axe-core (vendored) inside real Chromium: no serious or critical WCAG 2.1 AA violations,
and the main flows work by keyboard alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.server import DEMO_COLLABORATION

pytestmark = pytest.mark.browser

AXE = next((Path(__file__).parent / "vendor").glob("axe-core-*.min.js"))
AXE_SOURCE = AXE.read_text(encoding="utf-8")
TIMELINE = f"/collaborations/{DEMO_COLLABORATION}"

MAIN_PAGES = [
    "/",
    TIMELINE,
    f"{TIMELINE}?group=quarter",
    f"{TIMELINE}/map",
    f"{TIMELINE}/map?layout=radial",
    f"{TIMELINE}/activities/new",
    f"{TIMELINE}/effects/new",
    f"{TIMELINE}/bin",
    f"{TIMELINE}/edit",
    "/codebooks/",
    "/codebooks/borging",
    "/help/",
    "/profile",
    "/admin/audit/",
    "/collaborations/groningen/reviews",
    "/hubs/noord-nederland/reviews?year=2024",
    # Ripple analysis (rem/analysis): charts, tables, the stepper and story threads.
    f"{TIMELINE}/analysis",
    f"{TIMELINE}/analysis?period=quarter&year=2024",
    f"{TIMELINE}/influence",
    f"{TIMELINE}/analysis/growth",
    f"{TIMELINE}/analysis/new?from=2023&to=2024",
    f"{TIMELINE}/threads",
    f"{TIMELINE}/threads/new",
    "/hubs/utrecht/analysis",
]


def _axe(page) -> list[dict]:
    # Evaluated through the DevTools protocol: the app's CSP rightly blocks injected tags.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def _first_item(page) -> str:
    page.goto(TIMELINE)
    return page.locator("ol.timeline a.item-title").first.get_attribute("href")


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_page_has_no_serious_axe_violations(page, path):
    page.goto(path)
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def test_item_page_has_no_serious_axe_violations(page):
    page.goto(_first_item(page))
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def test_borging_review_pages_have_no_serious_axe_violations(page):
    """The adopted 2024 review of the demo, then a 2025 review opened through the form:
    its form, its evidence page and its draft report (radar and map inline)."""
    page.goto("/collaborations/groningen/reviews")
    page.get_by_role("link", name="Review 2024").click()
    assert page.locator("svg.radar title").count() >= 1
    assert _axe(page) == [], "adopted report"
    page.goto("/collaborations/groningen/reviews")
    page.locator("#year").fill("2025")
    page.get_by_role("button", name="Review openen").click()
    page.wait_for_url("**/edit")
    edit_url = page.url
    for label, path in [("form", edit_url), ("evidence", edit_url[:-5] + "/evidence"),
                        ("draft report", edit_url[:-5])]:
        page.goto(path)
        violations = _axe(page)
        assert violations == [], label + json.dumps(violations, indent=1, ensure_ascii=False)


def test_sign_in_page_has_no_serious_axe_violations(new_context):
    page = new_context().new_page()
    page.goto("/login")
    assert _axe(page) == []


def test_phone_width_pages_do_not_scroll_sideways(new_context, signed_in_state):
    page = new_context(signed_in_state=signed_in_state,
                       viewport={"width": 360, "height": 740}).new_page()
    for path in ["/", TIMELINE, f"{TIMELINE}/effects/new", "/help/"]:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 362, (path, width)


def test_add_an_activity_by_keyboard_alone(page):
    page.goto(TIMELINE)
    # Tab from the top of the page to the "add activity" button and press Enter.
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused == "Activiteit toevoegen":
            break
    else:
        pytest.fail("the add-activity button cannot be reached by Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/activities/new")
    page.keyboard.press("Tab")  # skip link
    page.locator("#title").focus()
    page.keyboard.type("Toetsenbordtest: buurtlunch")
    page.keyboard.press("Tab")
    page.keyboard.type("2024-06-01") if page.evaluate(
        "document.activeElement.type") == "text" else page.locator("#date_value").fill(
        "2024-06-01")
    page.locator("#title").focus()
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_url("**/items/*")
    assert "Toetsenbordtest: buurtlunch" in page.locator("h1").inner_text()


def test_focus_is_visible(page):
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' ' + "
        "getComputedStyle(document.activeElement).outlineWidth")
    assert outline.split()[0] != "none" and outline.split()[1] != "0px", outline
