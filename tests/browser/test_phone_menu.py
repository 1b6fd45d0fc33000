"""On a phone the site's links and a collaboration's tabs fold into menus, so the page
starts near the top of the screen; on a desktop they show as a row, as before."""

from __future__ import annotations

import pytest

from tests.browser.server import DEMO_COLLABORATION, PageProblems

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
T = f"/collaborations/{DEMO_COLLABORATION}"
# Where the collaboration's tabs end, from the top of the page (breadcrumb included).
TABS_BOTTOM = "(() => { const r = document.querySelector('nav.tabs').getBoundingClientRect();" \
              " return r.bottom + window.scrollY; })()"


def _phone(new_context, signed_in_state, **options):
    return new_context(signed_in_state=signed_in_state, viewport=PHONE, **options).new_page()


def test_header_and_tabs_take_at_most_a_third_of_a_phone(new_context, signed_in_state,
                                                          live_server):
    page = _phone(new_context, signed_in_state, is_mobile=True, has_touch=True)
    problems = PageProblems(page, live_server.url)
    # The administrator sees every tab, the most there can be.
    for path in [T, f"{T}/analysis", f"{T}/map"]:
        page.goto(path)
        bottom = page.evaluate(TABS_BOTTOM)
        assert bottom <= PHONE["height"] / 3, f"{path}: header and tabs end at {bottom} px"
        assert not page.locator("nav.tabs a[href$='/log']").is_visible()
    assert problems.messages == []


def test_the_menus_open_and_their_links_work(new_context, signed_in_state):
    page = _phone(new_context, signed_in_state)
    page.goto(T)
    tabs = page.locator("nav.tabs details > summary")
    # Closed, the tab menu still says which part of the collaboration this is.
    assert "Tijdlijn" in tabs.inner_text()
    tabs.click()
    current = page.locator("nav.tabs a[aria-current=page]")
    assert current.is_visible() and current.inner_text() == "Tijdlijn"
    page.locator("nav.tabs a", has_text="Analyse").click()
    page.wait_for_url(f"**{T}/analysis")
    assert "Analyse" in page.locator("nav.tabs details > summary").inner_text()
    assert not page.locator("nav.tabs a[href$='/log']").is_visible()  # closed again

    site = page.locator(".site-menu > summary")
    help_link = page.locator(".site-menu a[href='/help/']")
    assert site.is_visible() and not help_link.is_visible()
    site.click()
    assert help_link.is_visible()
    page.mouse.click(200, 700)  # a tap beside the open menu closes it
    assert not help_link.is_visible()
    site.click()
    help_link.click()
    page.wait_for_url("**/help/")


def test_the_menus_work_by_keyboard(new_context, signed_in_state):
    page = _phone(new_context, signed_in_state)
    page.goto(T)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.site-menu') !== null")
    page.keyboard.press("Enter")
    assert page.locator(".site-menu a[href='/help/']").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator(".site-menu a[href='/help/']").is_visible()
    assert page.evaluate("document.activeElement.matches('.site-menu > summary')")
    page.locator("nav.tabs summary").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Tijdlijn"


def test_without_javascript_the_menus_still_open(new_context, signed_in_state):
    page = _phone(new_context, signed_in_state, java_script_enabled=False)
    page.goto(T)
    page.locator("nav.tabs details > summary").click()
    page.locator("nav.tabs a", has_text="Leerlogboek").click()
    page.wait_for_url(f"**{T}/log")
    page.locator(".site-menu > summary").click()
    page.locator(".site-menu a[href='/exchanges']").click()
    page.wait_for_url("**/exchanges")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_desktop_shows_every_link_in_a_row(new_context, signed_in_state, javascript):
    page = new_context(signed_in_state=signed_in_state,
                       java_script_enabled=javascript).new_page()
    page.goto(T)
    assert page.locator("details.menu-toggle > summary:visible").count() == 0
    for selector in [".site-menu a[href='/help/']", "nav.tabs a[href$='/log']",
                     "nav.tabs a[aria-current=page]"]:
        assert page.locator(selector).is_visible(), selector
    tops = page.evaluate("[...document.querySelectorAll('nav.tabs li')]"
                         ".map((li) => Math.round(li.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, f"the tabs should be one row at 1280 px: {tops}"
    assert page.evaluate(TABS_BOTTOM) < 300
