"""Smoke tests in a real headless Chromium against the real app with the demo data."""

from __future__ import annotations

import re

import pytest

from tests.browser.server import DEMO_COLLABORATION, DEMO_EMAIL, DEMO_PASSWORD, PageProblems

pytestmark = pytest.mark.browser

TIMELINE = f"/collaborations/{DEMO_COLLABORATION}"
PHONE = {"width": 360, "height": 740}


def first_item_path(page) -> str:
    """The path of the first activity or effect on the timeline."""
    page.goto(TIMELINE)
    href = page.locator("ol.timeline a.item-title").first.get_attribute("href")
    assert href and re.search(r"/items/\d+$", href), href
    return href


def test_sign_in_through_the_form(new_context, live_server):
    page = new_context().new_page()
    problems = PageProblems(page, live_server.url)
    page.goto("/")
    assert "/login" in page.url, "a visitor is sent to the login page"
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=email]").fill(DEMO_EMAIL)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    # Signed in: the header has a sign-out form and the hubs are listed.
    assert page.locator("form[action$='/logout']").count() == 1
    assert page.locator(f"a[href='{TIMELINE}']").count() >= 1
    assert problems.messages == []


def test_wrong_password_stays_on_the_form(new_context):
    page = new_context().new_page()
    page.goto("/login")
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=email]").fill(DEMO_EMAIL)
    form.locator("input[name=password]").fill("not-the-password")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" in page.url
    assert page.locator("form[action$='/logout']").count() == 0


def test_hubs_page_and_a_collaboration_timeline(page):
    page.goto("/")
    assert page.locator("article.hub-card").count() >= 2
    page.locator(f"a[href='{TIMELINE}']").first.click()
    page.wait_for_url(re.compile(re.escape(TIMELINE) + r"$"))
    assert page.locator("h1").inner_text().strip()
    items = page.locator("ol.timeline li.timeline-item")
    assert items.count() > 5, "the demo collaboration has a filled ripple log"
    assert page.locator("ol.timeline li.timeline-effect").count() >= 1
    assert page.locator("ol.timeline li.timeline-activity").count() >= 1
    assert page.problems.messages == []


def test_add_an_effect_through_the_form(page):
    title = "Browsertest: buren helpen elkaar met boodschappen"
    page.goto(TIMELINE)
    page.locator(f"a[href='{TIMELINE}/effects/new']").first.click()
    page.wait_for_url(re.compile(r"/effects/new$"))
    form = page.locator("main form[method=post]").filter(has=page.locator("input[name=title]"))
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=date_value]").fill("2024-06-15")
    form.locator("select[name=date_precision]").select_option("month")
    form.locator("input[name=intended][value=no]").check()
    form.locator("input[name=valence][value=mixed]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/items/\d+$"))
    assert title in page.locator("main").inner_text()

    page.goto(TIMELINE)
    entry = page.locator("li.timeline-item", has=page.locator("a.item-title", has_text=title))
    assert entry.count() == 1
    assert "valence-mixed" in (entry.get_attribute("class") or "")
    assert entry.locator(".badge-unintended").count() == 1
    assert page.problems.messages == []


@pytest.mark.parametrize("which", ["hubs", "timeline", "item", "effect form"])
def test_pages_fit_a_phone_screen(new_context, signed_in_state, which):
    context = new_context(signed_in_state=signed_in_state, viewport=PHONE, is_mobile=True,
                          has_touch=True, device_scale_factor=2)
    page = context.new_page()
    path = {"hubs": "/", "timeline": TIMELINE, "effect form": f"{TIMELINE}/effects/new"}.get(
        which) or first_item_path(page)
    page.goto(path)
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    client_width = page.evaluate("document.documentElement.clientWidth")
    assert client_width <= PHONE["width"]
    assert scroll_width <= PHONE["width"] + 2, (
        f"{path} scrolls sideways on a 360 px wide phone: {scroll_width} px wide"
    )


def test_no_console_errors_or_csp_violations(page):
    item = first_item_path(page)
    paths = ["/", "/hubs/utrecht", TIMELINE, f"{TIMELINE}?group=month", item,
             f"{TIMELINE}/map", f"{TIMELINE}/map?layout=radial",
             f"{TIMELINE}/effects/new", f"{TIMELINE}/activities/new", "/codebooks/"]
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response)
        page.wait_for_load_state("load")
    # The grouping select submits its form by script: exercise app.js once.
    page.goto(TIMELINE)
    page.locator("select#group").select_option("quarter")
    page.wait_for_url(re.compile(r"group=quarter"))
    assert page.problems.messages == []
