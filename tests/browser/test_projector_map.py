"""The projector's map at 1920 x 1080 in real Chromium: a map of up to 60 items shown whole,
filling the screen, with labels readable from the back of the room (at least 18 px high),
and a zoom that follows the newest items on a larger map."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.server import PageProblems

pytestmark = pytest.mark.browser

FULL_HD = {"width": 1920, "height": 1080}
MIN_LABEL_PX = 18.0

WORDS = ["Buurthuis", "vrijwilligers", "ouderen", "jongeren", "netwerk", "moestuin",
         "wijkteam", "repaircafé", "taalmaatje", "boodschappen", "koffieochtend", "fietsles",
         "meer", "contact", "met", "de", "school", "elkaar", "helpen", "gemeente"]


def _title(index: int) -> str:
    """A realistic effect title of 30 to 70 characters."""
    target = 30 + (index * 17) % 41
    words: list[str] = []
    step = 0
    while len(" ".join(words)) < target:
        words.append(WORDS[(index * 7 + step * 5 + step * step) % len(WORDS)])
        step += 1
    text = " ".join(words)[:target].rstrip()
    return f"{text[0].upper()}{text[1:]}"


def _collaboration_with_session(live_server, slug: str, items: int) -> tuple[str, list[int]]:
    """A collaboration of ``items`` items as a real evaluation has them (up to eight
    activities; effects with one to three causes, titles of 30-70 characters, dated over
    two years) with an open session whose last six effects came in during the session;
    return the projector's path and the ids of those six, newest first."""
    from rem.extensions import db
    from rem.ripples import services
    from rem.workshops import services as workshop_services
    from tests import factories

    with live_server.app.test_request_context():
        collab = factories.CollaborationFactory(slug=slug, name=f"Projectie {items}")
        workshop = workshop_services.create_workshop(collab, workshop_services.WorkshopInput(
            title="Terugblik", held_on=date(2025, 12, 20),
            focus_question="Wat is er gegroeid sinds de start?"))
        activities = [factories.ActivityFactory(collaboration=collab, title=f"Activiteit {n}",
                                                date_start=date(2024, 1 + n, 1))
                      for n in range(min(8, max(2, items // 7)))]
        made = list(activities)
        effects = items - len(activities)
        for index in range(effects):
            effect = factories.EffectFactory(
                collaboration=collab, title=_title(index),
                date_start=date(2024, 3, 1) + timedelta(days=640 * index // effects))
            db.session.flush()
            count = 1 + (index % 3 == 0) + (index % 5 == 0)
            causes = {made[index] if index < len(activities) else made[(index * 7) % len(made)]}
            causes |= {made[(index * (3 + n) + n) % len(made)] for n in range(count - 1)}
            services.add_links([(cause, effect) for cause in causes])
            made.append(effect)
        newest = made[-6:]
        for effect in newest:
            effect.session_id = workshop.id
        db.session.commit()
        path = f"/collaborations/{slug}/sessions/{workshop.id}/projector"
        ids = [effect.id for effect in reversed(newest)]
        db.session.remove()
    return path, ids


def _labels(page) -> dict:
    """The smallest node label's height on the screen, which nodes are on the screen, the
    map's box and how much of it the drawing covers."""
    return page.evaluate("""() => {
        const svg = document.querySelector('#projector-live .projector-map svg');
        const frame = svg.closest('.map-frame').getBoundingClientRect();
        const drawn = svg.querySelector('g.graph').getBoundingClientRect();
        const heights = [];
        const visible = [];
        svg.querySelectorAll('g.node[id^="item-"]').forEach((node) => {
            const box = node.getBoundingClientRect();
            const inside = box.right > frame.left && box.left < frame.right
                && box.bottom > frame.top && box.top < frame.bottom;
            if (!inside) return;
            visible.push(node.id);
            node.querySelectorAll('text').forEach((text) => {
                const size = parseFloat(text.getAttribute('font-size'));
                const scale = text.getScreenCTM().a;
                heights.push(size * scale);
            });
        });
        return {min: Math.min(...heights), visible: visible,
                frame: [frame.width, frame.height],
                fill: [Math.min(drawn.width, frame.width) / frame.width,
                       Math.min(drawn.height, frame.height) / frame.height]};
    }""")


def _shown_whole(page, items: int, where: str) -> dict:
    """Print how the projector shows its map (``where``: the screen), and check that it
    shows it whole: no zoom, every item in view, every label at least 18 px high."""
    live = page.locator("#projector-live")
    seen = _labels(page)
    print(f"\n{items} items at {where}: labels {seen['min']:.1f} px "
          f"({live.get_attribute('data-zoomed')}), {len(seen['visible'])} items in view, "
          f"map {seen['frame'][0]:.0f} x {seen['frame'][1]:.0f} px, drawing fills "
          f"{seen['fill'][0]:.0%} x {seen['fill'][1]:.0%} of it")
    assert live.get_attribute("data-zoomed") == "all"
    assert len(seen["visible"]) == items, seen
    assert seen["min"] >= MIN_LABEL_PX, seen
    return seen


def _open_projector(new_context, signed_in_state, live_server, path, query=""):
    page = new_context(signed_in_state=signed_in_state, viewport=FULL_HD).new_page()
    problems = PageProblems(page, live_server.url)
    page.goto(path + query)
    page.wait_for_selector("#projector-live svg g.node")
    page.wait_for_function("() => document.querySelector('#projector-live').dataset.zoomed")
    return page, problems


@pytest.mark.parametrize(("items", "query"), [(12, ""), (22, ""), (60, ""),
                                               (60, "?contrast=high")])
def test_a_map_of_up_to_60_items_is_readable_whole_at_1080p(new_context, signed_in_state,
                                                            live_server, items, query):
    """High contrast draws the labels bold: Graphviz measures them so, and they still fit."""
    slug = f"projectie-{items}{'-contrast' if query else ''}"
    path, _newest = _collaboration_with_session(live_server, slug, items)
    page, problems = _open_projector(new_context, signed_in_state, live_server, path, query)
    seen = _shown_whole(page, items, f"1920x1080{query}")
    assert page.locator("[data-zoom-note]").is_hidden()
    # The map fills the screen: its box most of the width and height below the heading,
    # the drawing the whole of that box one way and most of it the other.
    assert seen["frame"][0] >= 0.8 * FULL_HD["width"], seen
    assert seen["frame"][1] >= 0.8 * FULL_HD["height"], seen
    assert max(seen["fill"]) >= 0.99 and min(seen["fill"]) >= 0.8, seen
    assert problems.messages == [], problems.messages


def test_a_larger_map_zooms_to_follow_the_newest_items(new_context, signed_in_state,
                                                       live_server):
    path, newest = _collaboration_with_session(live_server, "projectie-120", 120)
    page, problems = _open_projector(new_context, signed_in_state, live_server, path)
    live = page.locator("#projector-live")
    seen = _labels(page)
    print(f"\n120 items at 1920x1080: whole map {live.get_attribute('data-fitted-label-px')} px,"
          f" smallest label in view {seen['min']:.1f} px, {len(seen['visible'])} nodes in view")
    assert live.get_attribute("data-zoomed") == "newest"
    assert float(live.get_attribute("data-fitted-label-px")) < MIN_LABEL_PX
    assert seen["min"] >= MIN_LABEL_PX, seen
    assert f"item-{newest[0]}" in seen["visible"], (newest, seen)
    assert len(seen["visible"]) < 120
    # The room is told that it sees a part of the map.
    assert page.locator("[data-zoom-note]").is_visible()
    assert problems.messages == [], problems.messages


FOUR_THREE = {"width": 1400, "height": 1050}
# The wall on the page is drawn in its box's shape (to a twentieth), and followed.
DRAWN_IN_BOX_SHAPE = """() => {
    const live = document.querySelector('#projector-live');
    const box = live.querySelector('.map-frame').getBoundingClientRect();
    return Math.abs(parseFloat(live.dataset.shape) - box.width / box.height) <= 0.026
        && live.dataset.zoomed;
}"""


def test_on_a_4_3_projector_the_wall_takes_the_screen_shape(new_context, signed_in_state,
                                                            live_server):
    """40 items drawn for the 16:9 box are too small to read whole on a 4:3 projector. The
    page asks for its own box's shape, also after the window changes size, and gets a
    wall that shows them whole, every label at least 18 px high."""
    path, _newest = _collaboration_with_session(live_server, "projectie-4-3", 40)
    page, problems = _open_projector(new_context, signed_in_state, live_server, path)
    live = page.locator("#projector-live")
    page.wait_for_function(DRAWN_IN_BOX_SHAPE, timeout=15_000)
    wide = live.get_attribute("data-shape")
    assert float(wide) >= 1.7 and live.get_attribute("data-zoomed") == "all"
    page.set_viewport_size(FOUR_THREE)
    # The next poll brings the wall in the box's shape (each poll answers within a second).
    page.wait_for_function(f"() => document.querySelector('#projector-live').dataset.shape"
                           f" !== '{wide}'", timeout=15_000)
    page.wait_for_function(DRAWN_IN_BOX_SHAPE, timeout=15_000)
    seen = _shown_whole(page, 40, f"1400x1050, shape {live.get_attribute('data-shape')}")
    assert max(seen["fill"]) >= 0.99 and min(seen["fill"]) >= 0.8, seen
    # Its polls ask for that shape from now on, and get 204 while nothing changes.
    assert f"shape={live.get_attribute('data-shape')}" in live.get_attribute("hx-get")
    # A page opened at 4:3 asks for its shape at once.
    fresh = new_context(signed_in_state=signed_in_state, viewport=FOUR_THREE).new_page()
    fresh_problems = PageProblems(fresh, live_server.url)
    fresh.goto(path)
    fresh.wait_for_function(DRAWN_IN_BOX_SHAPE, timeout=15_000)
    assert fresh.locator("#projector-live").get_attribute("data-zoomed") == "all"
    assert problems.messages == [] and fresh_problems.messages == []
