"""A live evaluation session in real Chromium: a phone, the facilitator's inbox and the
projector, each in its own browser context, against the real app with the demo data."""

from __future__ import annotations

import json
import re
import time

import pytest
import sqlalchemy as sa

from tests.browser.server import DEMO_COLLABORATION, PageProblems
from tests.browser.test_accessibility import _axe

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SESSIONS = f"/collaborations/{DEMO_COLLABORATION}/sessions"


def _new_session(page, title: str) -> tuple[str, str]:
    """Create a session through the form; return its page path and join code."""
    page.goto(SESSIONS + "/new")
    form = page.locator("main form").filter(has=page.locator("#focus_question"))
    form.locator("#title").fill(title)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/sessions/\d+$"))
    code = page.locator(".join-code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{6}", code), code
    return page.url.removeprefix(page.url.split("/collaborations")[0]), code


def _join_on_phone(phone, code: str, name: str = "Fatima") -> None:
    phone.goto("/join")
    phone.locator("#code").fill(code.lower())
    phone.get_by_role("button", name="Verder").click()
    phone.wait_for_url(re.compile(rf"/join/{code}$"))
    phone.locator("#first_name").fill(name)
    phone.get_by_label("Inwoner").check()
    phone.get_by_role("button", name="Beginnen").click()
    phone.wait_for_url(re.compile(rf"/join/{code}/story$"))


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_phone_story_inbox_and_projector(new_context, signed_in_state, live_server):
    facilitator = new_context(signed_in_state=signed_in_state)
    desk = facilitator.new_page()
    desk_problems = PageProblems(desk, live_server.url)
    session_path, code = _new_session(desk, "Browsersessie")

    # The projector is open on the wall before anything happens.
    wall = facilitator.new_page()
    wall_problems = PageProblems(wall, live_server.url)
    wall.goto(session_path + "/projector?contrast=high")
    assert wall.locator("#projector-live svg").count() == 1
    wall.evaluate("window.__stillTheSamePage = true")

    # A participant on a phone, without an account.
    phone_context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    phone_problems = PageProblems(phone, live_server.url)
    _join_on_phone(phone, code)
    _no_sideways_scroll(phone)
    assert _axe(phone) == [], "axe on the story page"
    phone.locator("#text").fill("Meer buren helpen elkaar met boodschappen sinds de markt.")
    phone.locator("#for_whom").fill("Ouderen in het dorp")
    phone.locator("#year").select_option("2025")
    phone.locator("#period").select_option("q2")
    phone.get_by_label("Nee, het was een verrassing").check()
    phone.get_by_label("Goed", exact=True).check()
    phone.get_by_role("button", name="Verstuur mijn verhaal").click()
    phone.wait_for_url(re.compile(r"sent="))
    assert "Je verhaal is binnen" in phone.locator(".sent").inner_text()
    _no_sideways_scroll(phone)
    # The phone forgot its draft: the story arrived.
    assert phone.evaluate(f"localStorage.getItem('rem-story-{code}')") is None

    # The facilitator takes it in from the inbox, with a cause.
    desk.goto(session_path + "/inbox")
    card = desk.locator(".story-card", has_text="Meer buren helpen elkaar")
    card.get_by_role("button", name="Opnemen of samenvoegen").click()
    desk.wait_for_url(re.compile(r"/accept$"))
    desk.locator("#title").fill("Buren doen samen boodschappen")
    cause = desk.locator("fieldset input[name=causes]").first
    cause.check()
    cause_id = int(cause.get_attribute("value"))
    desk.get_by_role("button", name="Opnemen als effect").click()
    desk.wait_for_url(re.compile(r"/inbox"))
    saved = time.monotonic()  # the effect is committed before the redirect is answered
    assert "Opgenomen als effect" in desk.locator(".flashes").inner_text()

    from rem.extensions import db
    from rem.ripples.models import RippleItem, RippleLink

    with live_server.app.app_context():
        effect = db.session.scalar(sa.select(RippleItem).where(
            RippleItem.title == "Buren doen samen boodschappen"))
        assert effect is not None and effect.session_id is not None
        assert db.session.scalar(sa.select(RippleLink).where(
            RippleLink.effect_id == effect.id, RippleLink.cause_id == cause_id)) is not None
        effect_id = effect.id
        db.session.remove()

    # The projector grows by itself, without a reload.
    wall.wait_for_selector(f"#item-{effect_id}", timeout=15_000)
    seconds = time.monotonic() - saved
    assert wall.evaluate("window.__stillTheSamePage") is True
    assert "session-newest" in (wall.locator(f"#item-{effect_id}").get_attribute("class") or "")
    assert "Buren doen samen boodschappen" in wall.locator(".projector-recent").inner_text()
    print(f"\nthe new node was on the projector {seconds:.2f} s after it was saved")
    assert seconds < 3  # polling every second plus drawing the map (slack for slow machines)

    for problems in (desk_problems, wall_problems, phone_problems):
        assert problems.messages == [], problems.messages


def test_typed_text_survives_a_lost_connection(new_context, signed_in_state, live_server):
    desk = new_context(signed_in_state=signed_in_state).new_page()
    _session_path, code = _new_session(desk, "Sessie zonder wifi")
    phone_context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    problems = PageProblems(phone, live_server.url)
    _join_on_phone(phone, code, name="Kees")
    story = "Het buurthuis is nu ook op zondag open, door vrijwilligers."
    phone.locator("#text").fill(story)
    phone.get_by_label("Allebei: goed en niet goed").check()
    key = phone.locator("input[name=key]").input_value()

    # The wifi drops: sending is stopped in the browser, the text stays.
    phone_context.set_offline(True)
    phone.get_by_role("button", name="Verstuur mijn verhaal").click()
    assert phone.locator("[data-offline-note]").is_visible()
    assert phone.locator("#text").input_value() == story
    saved = json.loads(phone.evaluate(f"localStorage.getItem('rem-story-{code}')"))
    assert saved["fields"]["text"] == story and saved["key"] == key

    # Back online, a fresh page (another key) offers the text again, with the old key.
    phone_context.set_offline(False)
    phone.goto(f"/join/{code}/story")
    offer = phone.locator("[data-draft-offer]")
    assert offer.is_visible()
    assert phone.locator("input[name=key]").input_value() != key
    offer.get_by_role("button", name="Tekst terugzetten").click()
    assert phone.locator("#text").input_value() == story
    assert phone.locator("input[name=key]").input_value() == key
    assert phone.get_by_label("Allebei: goed en niet goed").is_checked()
    phone.get_by_role("button", name="Verstuur mijn verhaal").click()
    phone.wait_for_url(re.compile(r"sent="))
    assert phone.evaluate(f"localStorage.getItem('rem-story-{code}')") is None

    # Sending the same text again after all (say, from the back button) stores it once.
    from rem.extensions import db
    from rem.workshops.models import WorkshopStory

    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkshopStory).where(
            WorkshopStory.idempotency_key == key)) == 1
        db.session.remove()
    assert problems.messages == [], problems.messages


def test_session_pages_have_no_serious_axe_violations(new_context, signed_in_state):
    page = new_context(signed_in_state=signed_in_state).new_page()
    session_path, code = _new_session(page, "Sessie voor axe")
    for path in [SESSIONS, SESSIONS + "/new", session_path, session_path + "/inbox",
                 session_path + "/projector", session_path + "/report"]:
        page.goto(path)
        violations = _axe(page)
        assert violations == [], (path, json.dumps(violations, indent=1, ensure_ascii=False))
    phone = new_context(viewport=PHONE).new_page()
    for path in ["/join", f"/join/{code}", "/join/ZZZZZZ"]:
        phone.goto(path)
        assert _axe(phone) == [], path
        _no_sideways_scroll(phone)
