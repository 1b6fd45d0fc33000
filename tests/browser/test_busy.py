"""Slow requests (imports, big maps, PDF) show a "busy" message inside the page while they
run, announced politely, with the buttons disabled against a second submit.

The request under test is held back by the browser (``page.route``) until the test has
looked at the page, so the check does not depend on how fast this machine is.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.server import DEMO_COLLABORATION

pytestmark = pytest.mark.browser

TIMELINE = f"/collaborations/{DEMO_COLLABORATION}"


# Keep the page where it is once busy.js has seen the click or submit: a listener on the
# window runs after the element's own listeners, so the busy state starts as for real, but
# no request leaves and the test does not depend on how fast this machine is.
STAY = """() => {
    const stay = (selector) => (event) => {
        if (event.target.closest(selector)) event.preventDefault();
    };
    window.addEventListener("click", stay("a[data-busy]"));
    window.addEventListener("submit", stay("form[data-busy]"));
}"""


def _tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{selector} cannot be reached by Tab")


def test_map_pdf_link_shows_busy_by_keyboard(page):
    page.goto(f"{TIMELINE}/map")
    page.evaluate(STAY)
    link = page.locator(".map-download-list a:text-is('PDF')")
    status = page.locator(".map-download-list a:text-is('PDF') + [role=status]")
    assert status.count() == 1 and status.inner_text() == "", "the live region waits, empty"
    assert status.get_attribute("aria-live") == "polite"
    _tab_to(page, ".map-download-list a:text-is('PDF')")
    page.keyboard.press("Enter")
    assert link.get_attribute("aria-busy") == "true"
    assert link.get_attribute("aria-disabled") == "true"
    assert status.inner_text() == "Bezig… dit kan even duren."
    assert status.is_visible()


def test_the_map_tab_shows_busy(page):
    page.goto(TIMELINE)
    page.evaluate(STAY)
    page.locator("nav.tabs a", has_text="Rimpelkaart").focus()
    page.keyboard.press("Enter")
    assert "De kaart wordt getekend" in page.locator("nav.tabs [role=status]").inner_text()


def test_import_preview_disables_the_button_and_says_it_is_busy(page, tmp_path):
    csv_file = tmp_path / "kaart.csv"
    csv_file.write_text("title,date\nBuurtlunch,2024-05-01\n", encoding="utf-8")
    page.goto(f"{TIMELINE}/import")
    page.evaluate(STAY)
    form = page.locator("main form[enctype]")
    form.locator("input[name=format][value=table]").check()
    form.locator("input[name=file]").set_input_files(str(csv_file))
    button = form.locator("button[type=submit]")
    button.focus()
    page.keyboard.press("Enter")
    assert form.get_attribute("aria-busy") == "true"
    page.wait_for_function(
        "() => document.querySelector('main form[enctype] button[type=submit]').disabled")
    assert button.get_attribute("aria-busy") == "true"
    assert "Het bestand wordt gelezen" in form.locator("[role=status]").inner_text()
    assert page.problems.messages == []


def test_busy_pages_still_work_for_real(page):
    """Without the test's brake the map page and the import preview load as before."""
    page.goto(TIMELINE)
    page.locator("nav.tabs a", has_text="Rimpelkaart").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/map$"))
    assert page.locator(".map-frame svg").count() >= 1
    # Back from the cache: the busy state is gone.
    page.go_back()
    page.wait_for_url(re.compile(re.escape(TIMELINE) + r"$"))
    assert page.locator("nav.tabs a[aria-busy=true]").count() == 0
    assert page.problems.messages == []


# Record what the form shows while busy (a MutationObserver sees it even if it is short).
WATCH_BUSY = """() => {
    const form = document.querySelector("form[data-busy-download]");
    window.__busySeen = [];
    new MutationObserver(() => window.__busySeen.push(
        [form.getAttribute("aria-busy"), form.querySelector("[role=status]").textContent]))
        .observe(form, {attributes: true, childList: true, subtree: true,
                        characterData: true});
}"""


def test_the_export_form_is_busy_until_the_download_begins(page):
    page.goto(f"{TIMELINE}/export")
    page.evaluate(WATCH_BUSY)
    form = page.locator("form[data-busy-download]")
    sent = []
    page.on("request", lambda request: sent.append(request.post_data or "")
            if request.method == "POST" and request.url.endswith("/export") else None)
    download_button = form.get_by_role("button", name="Downloaden", exact=True)
    with page.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename.endswith(".json")
    assert sent and re.search(r"download_token=[0-9a-f]{24}", sent[0])
    # The server handed the token back: the form is itself again, its button usable.
    page.wait_for_function(
        "() => !document.querySelector('form[data-busy-download]').hasAttribute('aria-busy')",
        timeout=10000)
    seen = page.evaluate("window.__busySeen")
    assert ["true", "De export wordt gemaakt. Bezig… bij een groot logboek kan dit even "
            "duren."] in seen
    assert form.locator("[role=status]").inner_text() == ""
    assert download_button.is_enabled()
