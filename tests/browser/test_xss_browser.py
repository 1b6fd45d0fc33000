"""Hostile text typed into the real forms never runs in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.server import DEMO_COLLABORATION
from tests.test_xss_corpus import PAYLOADS

pytestmark = pytest.mark.browser

TIMELINE = f"/collaborations/{DEMO_COLLABORATION}"


def test_no_payload_opens_a_dialog_or_runs(page):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload_text = "\n\n".join(PAYLOADS)
    page.goto(f"{TIMELINE}/effects/new")
    page.fill("#title", PAYLOADS[0] + PAYLOADS[1])
    page.fill("#date_value", "2024-05-01")
    page.fill("#description", payload_text)
    page.select_option("#evidence_kind", "quote")
    page.fill("#evidence_text", payload_text)
    page.check("input[name=intended][value=no]")  # both questions start unanswered
    page.check("input[name=valence][value=negative]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/items/*")
    item_url = page.url
    # The downloaded SVG is an attachment: its markup is put in a page of its own.
    svg = page.request.get(f"{TIMELINE}/map.svg").text()
    for path in [item_url, TIMELINE, f"{TIMELINE}/map", f"{TIMELINE}/map?layout=radial",
                 "downloaded svg", f"{item_url}/edit"]:
        if path == "downloaded svg":
            page.goto("about:blank")
            page.set_content(svg[svg.index("<svg"):])
        else:
            page.goto(path)
        page.wait_for_load_state("load")
        # Hover every node of the map, so that tooltips, the map's card and link handlers
        # would fire: the whole map in its frame first ("Passend"); the card may cover the
        # next node, so the pointer goes there regardless.
        fit = page.locator("[data-zoom=fit]")
        if fit.count() and fit.is_visible():
            fit.click()
            page.wait_for_timeout(300)
        for node in page.locator("svg a").all()[:40]:
            node.hover(force=True)
    assert dialogs == []
    assert page.evaluate("window.__xss === undefined")
    assert [m for m in page.problems.messages if "xss" in m.lower()] == []
