"""Every kind of page fits a 360 px wide phone: nothing scrolls sideways (tables and maps
scroll inside their own frame). Pages are found from the demo data, so new ones are easy
to add to the list; a GET route that renders no page of its own is in LEFT_OUT with the
reason, and a new GET route that is in neither fails the test."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import HTTPException

from tests.browser.server import DEMO_COLLABORATION
from tests.browser.test_keyboard_walk import _open_session

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
T = f"/collaborations/{DEMO_COLLABORATION}"
# The demo's borging reviews and themes are in Groningen (hub Noord-Nederland).
G = "/collaborations/groningen"
PAGES = [
    "/", "/actions", "/admin/audit/", "/admin/mail", "/admin/users", "/codebooks/",
    "/codebooks/borging", "/codebooks/new", T, f"{T}?group=quarter", f"{T}/activities/new",
    f"{T}/effects/new", f"{T}/bin", f"{T}/edit", f"{T}/export", f"{T}/import", f"{T}/invite",
    f"{T}/log", f"{T}/log/actions", f"{T}/log/bin", f"{T}/log/new", f"{T}/map",
    f"{T}/map?layout=radial", f"{T}/map?size=full", f"{T}/map/outline", f"{T}/members",
    f"{T}/sessions", f"{T}/sessions/new", f"{T}/analysis", f"{T}/analysis?period=month",
    f"{T}/analysis/growth", f"{T}/analysis/new", f"{T}/influence", f"{T}/themes",
    f"{T}/threads", f"{T}/threads/new", G, f"{G}/analysis", f"{G}/influence", f"{G}/themes",
    f"{G}/reviews", "/collaborations/new", "/exchanges", "/exchanges/new", "/help/",
    "/hubs/utrecht", "/hubs/utrecht/analysis", "/hubs/utrecht/edit", "/hubs/utrecht/invite",
    "/hubs/utrecht/members", "/hubs/utrecht/reviews", "/hubs/noord-nederland/analysis",
    "/hubs/noord-nederland/reviews", "/hubs/new", "/profile", "/profile/tokens", "/search",
    "/search?q=markt",
]

# GET routes left out, and why: they send no HTML page of their own.
LEFT_OUT = {
    "static": "files",
    "health": "a plain text answer for monitoring",
    "openapi": "the API's description in YAML",
    **{f"api.{name}": "JSON for scripts (the API)" for name in (
        "codebooks", "collaborations", "collaboration", "items", "item", "links",
        "ripple_map")},
    "analysis.collaboration_csv": "a CSV download",
    "analysis.hub_csv": "a CSV download",
    "analysis.collaboration_influence_csv": "a CSV download",
    "analysis.hub_influence_csv": "a CSV download",
    "maps.download": "a download of the map (SVG, PNG, PDF, DOT)",
    "reviews.report_pdf": "a PDF download",
    "workshops.report_pdf": "a PDF download",
    "exchanges.pack_pdf": "a PDF download",
    "workshops.qr": "an SVG image (shown on the projector page, which is listed)",
    "maps.drawing": "the drawing of a large map, loaded into the map page (listed)",
    "workspace.panel": "an htmx fragment inside the map page (listed)",
    "workspace.new": "an htmx fragment inside the map page (listed)",
    "workspace.candidates": "an htmx fragment inside the map page's panel",
    "inbox.list": "the inbox's polled fragment (the inbox page is listed)",
    "workshops.projector_map": "the projector's polled fragment (the projector is listed)",
    "themes.item_themes": "an htmx fragment inside an item's page (listed)",
}


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


def _tokens(live_server) -> tuple[str, str]:
    """An invitation and a password reset, made directly; return their pages' paths."""
    from rem.accounts.invitations import create_invitation, create_reset
    from rem.accounts.models import Role, User
    from rem.collaborations.models import Collaboration
    from rem.extensions import db

    with live_server.app.test_request_context():
        collaboration = db.session.scalar(sa.select(Collaboration).where(
            Collaboration.slug == DEMO_COLLABORATION))
        _invitation, invite = create_invitation(
            f"telefoon-{date.today():%Y%m%d}-{id(collaboration)}@example.org", Role.MEMBER,
            collaboration=collaboration)
        user = db.session.scalar(sa.select(User).where(User.email == "researcher@example.org"))
        _reset, reset = create_reset(user)
        db.session.commit()
        db.session.remove()
    return f"/invite/{invite}", f"/reset/{reset}"


def _session_id(live_server, code: str) -> int:
    from rem.extensions import db
    from rem.workshops.models import Workshop

    with live_server.app.app_context():
        session_id = db.session.scalar(sa.select(Workshop.id).where(Workshop.code == code))
        db.session.remove()
    return session_id


def _saved(page, path: str, fill: str, value: str, button: str) -> str:
    """Submit a form of ``path`` (a saved map view, a story thread); return where it led."""
    page.goto(path)
    page.locator(fill).fill(value)
    page.locator("main button[type=submit]", has_text=button).click()
    page.wait_for_load_state("load")
    return urlsplit(page.url).path


def _endpoint(app, path: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(urlsplit(path).path, method="GET")[0]
    except HTTPException:
        return None


def test_every_page_fits_a_phone(new_context, signed_in_state, live_server):
    code = _open_session(live_server)
    invite, reset = _tokens(live_server)
    page = new_context(signed_in_state=signed_in_state, viewport=PHONE).new_page()
    found = []
    for item in _links(page, T, r"/items/\d+$"):
        found += [item, f"{item}/edit", f"{item}/delete"]
    for entry in _links(page, f"{T}/log", r"/log/\d+$"):
        found += [entry, f"{entry}/edit", f"{entry}/delete"]
    for session in _links(page, f"{T}/sessions", r"/sessions/\d+$"):
        found += [session, f"{session}/edit", f"{session}/inbox", f"{session}/report",
                  f"{session}/projector"]
    for exchange in _links(page, "/exchanges", r"/exchanges/\d+$"):
        found += [exchange, f"{exchange}/edit", f"{exchange}/export", f"{exchange}/pack",
                  f"{exchange}/analysis", f"{exchange}/search", f"{exchange}/search?q=markt"]
        found += _links(page, exchange, r"/evidence\?")
        found += _links(page, f"{exchange}/analysis", r"/analysis/items\?")
    for review in _links(page, f"{G}/reviews", r"/reviews/\d+$"):
        found += [review, f"{review}/edit", f"{review}/evidence"]
    found += _links(page, f"{T}/analysis", r"/analysis/items\?")
    found += _links(page, "/hubs/utrecht/analysis", r"/analysis/items\?")
    # Opens the new thread's form along the activity's longest chain (a redirect).
    longest = _links(page, f"{G}/influence", r"/threads/longest\?activity=\d+")
    found += longest
    for start in longest:
        # A new thread opens in its edit form.
        thread = re.sub(r"/edit$", "", _saved(page, start, "#thread-title", "Telefoonverhaal",
                                               "Verhaal opslaan"))
        found += [thread, f"{thread}/edit"]
    found.append(_saved(page, f"{T}/map", "#view-name", "Telefoonweergave", "Weergave opslaan"))
    assert len(found) >= 29, f"the demo data should give each kind of page: {found}"
    wide = [w for w in (_too_wide(page, path) for path in PAGES + found) if w]
    visitor = new_context(viewport=PHONE).new_page()
    public = ["/login", "/join", f"/join/{code}", reset, invite]
    wide += [w for w in (_too_wide(visitor, path) for path in public) if w]
    # "Forgot your password?" exists only where mail is set up; a GET sends nothing.
    config = live_server.app.config
    mail_server = config.get("REM_MAIL_SERVER")
    config["REM_MAIL_SERVER"] = "smtp.example.org"
    try:
        wide += [w for w in [_too_wide(visitor, "/reset")] if w]
    finally:
        config["REM_MAIL_SERVER"] = mail_server
    # A participant who said who they are tells a story on this page.
    visitor.goto(f"/join/{code}")
    visitor.locator("#first_name").fill("Fatima")
    visitor.locator("main button[type=submit]").click()
    visitor.wait_for_url(re.compile(rf"/join/{code}/story$"))
    wide += [w for w in [_too_wide(visitor, f"/join/{code}/story")] if w]
    # The story sent lands in the session's inbox, where the facilitator takes it in.
    visitor.locator("#text").fill("Sinds de markt doen buren samen boodschappen.")
    visitor.locator("main form button[type=submit]").click()
    visitor.wait_for_url(re.compile(r"sent="))
    accept = _links(page, f"{T}/sessions/{_session_id(live_server, code)}/inbox",
                    r"/stories/\d+/accept$")
    assert accept, "the story sent should be in the inbox"
    wide += [w for w in (_too_wide(page, path) for path in accept) if w]
    assert wide == [], "these pages scroll sideways on a phone:\n" + "\n".join(wide)

    app = live_server.app
    seen = {_endpoint(app, path)
            for path in [*PAGES, *found, *public, *accept, "/reset", f"/join/{code}/story"]}
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    missing = sorted(routes - seen - set(LEFT_OUT))
    assert missing == [], ("GET routes not checked at phone width; add a page of each to "
                           f"PAGES (or the reason to LEFT_OUT): {missing}")
    assert not set(LEFT_OUT) - routes, "LEFT_OUT names routes that no longer exist"
