"""Maps inside reports, read on the screen in real Chromium at 1280 px: the session report,
the borging review and the map through time show labels a person can read (at least 9 px
high; fitted to the page's width as timeline strips they were 4-5 px), and an exchange's
maps are the maps themselves, with their key under them instead of a legend box."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

MIN_LABEL_PX = 9.0
# Demo data (rem/demo): a closed session of Zoetermeer, the adopted 2024 review of
# Groningen, the exchange on financial sustainability.
SESSION_REPORT = "/collaborations/zoetermeer/sessions/1/report"
REVIEW = "/collaborations/groningen/reviews/1"
GROWTH = "/collaborations/achterveld/analysis/growth"
EXCHANGE = "/exchanges/1"


def _label_heights(page, selector: str) -> list[float]:
    """The smallest item label's height on the screen (px) of each map in ``selector``."""
    return page.evaluate("""(selector) => Array.from(document.querySelectorAll(selector))
        .map((map) => Math.min(...Array.from(map.querySelectorAll('g.node[id*="item"] text'))
            .map((text) => parseFloat(text.getAttribute('font-size'))
                * text.getScreenCTM().a)))""", selector)


@pytest.mark.parametrize(("path", "selector", "maps"), [
    (SESSION_REPORT, ".report-map .map-frame > svg", 2),
    (REVIEW, ".review-map .map-svg > svg", 1),
    (GROWTH, ".growth-map > svg", 1),
])
def test_maps_in_reports_are_readable_on_the_screen(page, path, selector, maps):
    page.goto(path)
    heights = _label_heights(page, selector)
    print(f"\n{path}: smallest label {', '.join(f'{h:.1f}' for h in heights)} px")
    assert len(heights) == maps and min(heights) >= MIN_LABEL_PX, heights
    assert page.problems.messages == []


def test_the_map_through_time_opens_at_its_newest_periods(page):
    page.goto(GROWTH)
    frame = page.locator(".growth-map")
    scroll = frame.evaluate("(f) => [f.scrollLeft, f.scrollWidth - f.clientWidth]")
    assert scroll[1] > 0 and abs(scroll[0] - scroll[1]) <= 1, scroll


def test_exchange_maps_have_their_key_under_them_not_in_the_picture(page):
    page.goto(EXCHANGE)
    assert page.locator(".exchange-map svg").count() >= 2
    assert page.locator(".exchange-map svg [id*='legend']").count() == 0
    assert page.locator(".exchange-map .map-key li").count() >= 2
    assert page.problems.messages == []
