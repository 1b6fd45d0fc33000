"""Every kind of page fits a 360 px wide phone: nothing scrolls sideways (tables and maps
scroll inside their own frame). Pages are found from the demo data, so new ones are easy
to add to the list."""

from __future__ import annotations

import re

import pytest

from tests.browser.server import DEMO_COLLABORATION
from tests.browser.test_keyboard_walk import _open_session

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
T = f"/collaborations/{DEMO_COLLABORATION}"
PAGES = [
    "/", "/actions", "/admin/audit/", "/admin/users", "/codebooks/", "/codebooks/borging",
    "/codebooks/new", T, f"{T}?group=quarter", f"{T}/activities/new", f"{T}/effects/new",
    f"{T}/bin", f"{T}/edit", f"{T}/export", f"{T}/import", f"{T}/invite", f"{T}/log",
    f"{T}/log/actions", f"{T}/log/bin", f"{T}/log/new", f"{T}/map", f"{T}/map?layout=radial",
    f"{T}/map?size=full", f"{T}/members", f"{T}/sessions", f"{T}/sessions/new",
    "/collaborations/new", "/exchanges", "/exchanges/new", "/help/", "/hubs/utrecht",
    "/hubs/utrecht/edit", "/hubs/utrecht/invite", "/hubs/utrecht/members", "/hubs/new",
    "/profile", "/profile/tokens", "/search", "/search?q=markt",
]


def _links(page, path: str, pattern: str) -> list[str]:
    page.goto(path)
    hrefs = [a.get_attribute("href") or "" for a in page.locator("main a").all()]
    return [h for h in hrefs if re.search(pattern, h)][:1]


def _too_wide(page, path: str) -> str | None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response)
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    return f"{path}: {width} px" if width > PHONE["width"] + 2 else None


def test_every_page_fits_a_phone(new_context, signed_in_state, live_server):
    code = _open_session(live_server)
    page = new_context(signed_in_state=signed_in_state, viewport=PHONE).new_page()
    found = []
    for item in _links(page, T, r"/items/\d+$"):
        found += [item, f"{item}/edit", f"{item}/delete"]
    for entry in _links(page, f"{T}/log", r"/log/\d+$"):
        found += [entry, f"{entry}/edit"]
    for session in _links(page, f"{T}/sessions", r"/sessions/\d+$"):
        found += [session, f"{session}/edit", f"{session}/inbox", f"{session}/report",
                  f"{session}/projector"]
    for exchange in _links(page, "/exchanges", r"/exchanges/\d+$"):
        found += [exchange, f"{exchange}/edit", f"{exchange}/export", f"{exchange}/pack"]
    assert len(found) >= 12, f"the demo data should give items, entries, sessions: {found}"
    wide = [w for w in (_too_wide(page, path) for path in PAGES + found) if w]
    visitor = new_context(viewport=PHONE).new_page()
    wide += [w for w in (_too_wide(visitor, path)
                         for path in ["/login", "/join", f"/join/{code}"]) if w]
    assert wide == [], "these pages scroll sideways on a phone:\n" + "\n".join(wide)
