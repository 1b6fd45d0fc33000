"""The main flows by keyboard alone: Tab, Shift+Tab, Enter, Space and the arrow keys, no
mouse clicks and no ``fill``. Each step looks for its target by pressing Tab, so a control
that the keyboard cannot reach (or that steals the focus) fails the test, and every stop on
the way must show where the focus is."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.browser.server import DEMO_COLLABORATION, DEMO_EMAIL, DEMO_PASSWORD, PageProblems

pytestmark = pytest.mark.browser

TIMELINE = f"/collaborations/{DEMO_COLLABORATION}"

FOCUS_STYLE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "no focus";
    // Chromium's own calendar button inside a date field: the browser draws its ring.
    if (el.type === "date" && !el.matches(":focus")) return "";
    const s = getComputedStyle(el);
    const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)
        || (s.boxShadow && s.boxShadow !== "none");
    return ring ? "" : `${el.tagName.toLowerCase()}#${el.id || ""}.${el.className || ""}`;
}"""


def tab_to(page, selector: str, *, limit: int = 250, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``; every
    element passed on the way must show a focus ring."""
    key = "Shift+Tab" if backwards else "Tab"
    unseen = []
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => !!document.activeElement?.matches(s)", selector):
            assert not unseen, f"no visible focus on: {unseen}"
            assert page.evaluate(FOCUS_STYLE) == "", "the target shows no focus"
            return
        problem = page.evaluate(FOCUS_STYLE)
        if problem and problem != "no focus":
            unseen.append(problem)
    pytest.fail(f"{selector} cannot be reached with {key} on {page.url}")


def test_sign_in_by_keyboard(new_context, live_server):
    page = new_context().new_page()
    problems = PageProblems(page, live_server.url)
    page.goto("/login")
    tab_to(page, "main input[name=email]")
    page.keyboard.type(DEMO_EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.locator("form[action$='/logout']").count() == 1
    assert problems.messages == []


def test_add_an_effect_with_its_cause_by_keyboard(page, live_server):
    title = "Toetsenbord: buren maken samen een moestuin"
    page.goto(TIMELINE)
    tab_to(page, f"main a[href='{TIMELINE}/effects/new']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/effects/new$"))
    tab_to(page, "#title")
    page.keyboard.type(title)
    tab_to(page, "#date_value")
    if page.evaluate("document.activeElement.type") == "date":
        page.keyboard.type("15062024")  # the date field's own segments: day, month, year
    else:
        page.keyboard.type("2024-06-15")
    tab_to(page, "#causes")
    page.keyboard.press("ArrowDown")  # the first activity or effect becomes the cause
    cause = page.evaluate("document.querySelector('#causes').selectedOptions[0]?.textContent")
    assert cause, "an arrow key chooses a cause"
    # Both questions start unanswered; Space picks the focused answer of each.
    tab_to(page, "input[name=intended]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=valence]")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/items/\d+$"))
    assert title in page.locator("h1").inner_text()
    cause_title = cause.strip().rsplit(" (", 1)[0]  # the option ends with its date
    assert cause_title in page.locator("main").inner_text()
    assert page.problems.messages == []


def test_open_the_map_and_reach_the_text_outline(page):
    page.goto(TIMELINE)
    tab_to(page, "nav.tabs a[href$='/map']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/map$"))
    # A skip link leads past the map's many node links to the same content as a list.
    tab_to(page, "a[href='#outline-heading']", limit=60)
    page.keyboard.press("Enter")
    # The outline is a tree: one Tab stop (past the keyboard-mapping switch for editors),
    # then the arrow keys; Enter opens the item's panel beside the map, Escape closes it.
    tab_to(page, ".map-outline [role=treeitem]", limit=10)
    page.keyboard.press("ArrowDown")
    title = page.evaluate(
        "document.activeElement.querySelector('.outline-row a').textContent.trim()")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "t => document.activeElement?.id === 'map-panel-title' "
        "&& document.activeElement.textContent.trim() === t", arg=title)
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "treeitem"
    assert page.url.split("#")[0].endswith("/map"), "nothing left the map"
    assert page.problems.messages == []


def test_write_a_learning_log_entry_by_keyboard(page):
    title = "Toetsenbord: persoonlijk uitnodigen werkt"
    page.goto(f"{TIMELINE}/log")
    tab_to(page, "main a[href$='/log/new']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/log/new"))
    tab_to(page, "#title")
    page.keyboard.type(title)
    tab_to(page, "#body")
    page.keyboard.type("We belden mensen op in plaats van een brief te sturen.")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/log/\d+$"))
    assert title in page.locator("h1").inner_text()
    assert page.problems.messages == []


def _open_session(live_server) -> str:
    """A live session of the demo collaboration, made directly; return its join code."""
    from rem.collaborations.models import Collaboration
    from rem.extensions import db
    from rem.workshops import services

    with live_server.app.test_request_context():
        collaboration = db.session.scalar(sa.select(Collaboration).where(
            Collaboration.slug == DEMO_COLLABORATION))
        session = services.create_workshop(collaboration, services.WorkshopInput(
            title="Toetsenbordsessie", held_on=date.today(),
            focus_question="Wat is er veranderd?"))
        db.session.commit()
        code = session.code
        db.session.remove()
    return code


def test_join_a_live_session_and_send_a_story_by_keyboard(new_context, live_server):
    code = _open_session(live_server)
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    problems = PageProblems(page, live_server.url)
    page.goto("/join")
    tab_to(page, "#code")
    page.keyboard.type(code.lower())
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/join/{code}$"))
    tab_to(page, "#first_name")
    page.keyboard.type("Fatima")
    tab_to(page, "input[type=radio]")
    page.keyboard.press("ArrowDown")  # arrows move through a radio group and choose
    assert page.evaluate("document.activeElement.checked")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/join/{code}/story$"))
    tab_to(page, "#text")
    page.keyboard.type("Sinds de markt doen buren samen boodschappen.")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sent="))
    assert "Je verhaal is binnen" in page.locator(".sent").inner_text()
    assert problems.messages == []


def test_switch_the_language_by_keyboard(page):
    page.goto(TIMELINE)
    try:
        tab_to(page, "button[name=locale][value=en]")
        page.keyboard.press("Enter")
        page.wait_for_selector("html[lang=en]")
        assert "Timeline" in page.locator("nav.tabs").inner_text()
        # And back, from the end of the page with Shift+Tab.
        page.keyboard.press("End")
        tab_to(page, "button[name=locale][value=nl]", backwards=True)
        page.keyboard.press("Enter")
        page.wait_for_selector("html[lang=nl]")
        assert "Tijdlijn" in page.locator("nav.tabs").inner_text()
    finally:
        # The demo administrator is shared by every browser test: leave it in Dutch.
        if page.evaluate("document.documentElement.lang") != "nl":
            page.goto("/profile")
            token = page.locator("input[name=csrf_token]").first.get_attribute("value")
            page.request.post("/language", form={"locale": "nl", "csrf_token": token,
                                                 "next": "/"})
    assert page.problems.messages == []


def test_arrow_keys_in_the_grouping_select_do_not_leave_the_page(page):
    page.goto(TIMELINE)
    tab_to(page, "select#group")
    page.keyboard.press("ArrowDown")  # a closed select changes its value at once
    page.wait_for_timeout(300)
    assert page.url.endswith(TIMELINE), "an arrow key alone must not reload the page"
    chosen = page.evaluate("document.querySelector('select#group').value")
    tab_to(page, "select#group ~ button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"group={chosen}"))
    assert page.problems.messages == []
