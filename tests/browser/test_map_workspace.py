"""The map is the workspace (issue "The map is the workspace"), in real Chromium.

From the map page alone: an activity and eight effects three levels deep by mouse, one
effect of two causes (the panel's searchable picker), a second link drawn on the map, a
cycle refused; then five more effects by keyboard only on the outline. The map is checked
after every step, and the page never leaves the map (no form page is needed). Also: two
facilitators on one map see each other's changes within two seconds, and a change to the
item the other has open is shown to them.
"""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.server import PageProblems
from tests.browser.test_accessibility import _axe
from tests.browser.test_keyboard_walk import tab_to

pytestmark = pytest.mark.browser


def _new_collaboration(live_server, slug: str, name: str) -> str:
    """Make an empty collaboration in a demo hub (directly: not part of mapping)."""
    from rem.collaborations.models import Collaboration
    from rem.extensions import db
    from rem.hubs.models import Hub

    with live_server.app.app_context():
        hub = db.session.scalar(sa.select(Hub).order_by(Hub.id))
        db.session.add(Collaboration(hub_id=hub.id, name=name, slug=slug))
        db.session.commit()
        db.session.remove()
    return f"/collaborations/{slug}/map"


def _nodes(page) -> list[str]:
    """Return the texts of the drawn items (each node's label, lines joined)."""
    return page.eval_on_selector_all(
        "#map-live g.node.ripple",
        "els => els.map(g => [...g.querySelectorAll('text')].map(t => t.textContent).join(' '))")


def _links(page) -> set[tuple[str, str]]:
    """Return the drawn links as (cause title, effect title), once the map drawn last is
    ready (its data read and made pannable: a redraw may just be settling)."""
    pairs = page.wait_for_function("""() => {
        const live = document.getElementById('map-live');
        if (!live || !live.querySelector('.map-canvas')) return null;
        const ids = [...live.querySelectorAll('g.edge')].map(g => g.id)
            .filter(id => /^link-\\d+-\\d+$/.test(id))
            .map(id => id.split('-').slice(1).map(Number));
        if (ids.some(pair => pair.some(n => !window.remMap.node(n)))) return null;
        return ids.map(pair => pair.map(n => window.remMap.node(n).title));
    }""").json_value()
    return {tuple(pair) for pair in pairs}


def _wait_for_nodes(page, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#map-live g.node.ripple').length === n", arg=count)


def _node(page, title: str):
    return page.locator("#map-live g.node.ripple", has_text=title).locator("a")


def _find(page, title: str) -> None:
    """Find an item with the search box: it is centred on the map (and marked)."""
    page.locator("#map-search-input").fill(title)
    page.locator("#map-search-list [role=option]", has_text=title).first.click()
    page.wait_for_function("t => document.activeElement?.closest('g.node')"
                           "?.textContent.includes(t)", arg=title)


def _open_panel(page, title: str) -> None:
    _find(page, title)
    _node(page, title).click()
    # The panel shows the item, and no other load of it is on its way (it would close a
    # section opened now).
    page.wait_for_function(
        "t => document.querySelector('#map-panel:not([hidden]) #map-panel-title')"
        "?.textContent.trim() === t && !document.querySelector('.htmx-request')", arg=title)


def _add_effect_by_mouse(page, cause: str, title: str, count: int) -> None:
    """Open ``cause`` on the map and add an effect that grew from it, in the panel."""
    _open_panel(page, cause)
    page.locator("#map-panel details[data-section=add] > summary").click()
    page.locator("#panel-add-title").fill(title)
    add = page.locator("#map-panel details[data-section=add]")
    # Both questions start unanswered and the browser asks for them (no silent
    # "intended, positive"); "Weet ik niet" is an answer too.
    assert add.locator("input[name=intended]:checked").count() == 0
    assert add.locator("input[name=valence]:checked").count() == 0
    add.locator("button[type=submit]").click()
    assert page.evaluate("document.querySelector('#map-panel details[data-section=add] "
                         "input[name=intended]').validity.valueMissing")
    add.locator("input[name=intended][value=unknown]").check()
    add.locator("input[name=valence][value=positive]").check()
    add.locator("button[type=submit]").click()
    _wait_for_nodes(page, count)
    page.wait_for_function(
        "t => document.querySelector('#map-panel-title')?.textContent.trim() === t", arg=title)
    assert (cause, title) in _links(page)


def build_theme_of_three_effects(page, titles: list[str]) -> None:
    """Group three effects into one new theme from the side panel (the REM step after
    mapping): the map is redrawn with the theme as a labelled cluster of those effects."""
    theme = "Samen leven in de straat"
    for number, title in enumerate(titles):
        _open_panel(page, title)
        themes = page.locator("#map-panel .item-themes")
        themes.wait_for()
        if number == 0:
            themes.locator("input[name=new_theme]").fill(theme)
        else:
            themes.get_by_label(theme).check()
        themes.locator("button[type=submit]").click()
        expect(page.locator("#map-panel .item-themes [role=status]")).to_contain_text(
            "opgeslagen")
        # The redrawn map draws the theme as a cluster with its name, this effect marked.
        page.wait_for_function("""([theme, title, count]) => {
            const cluster = [...document.querySelectorAll('#map-live g.cluster.theme')]
                .find(g => g.textContent.includes(theme));
            const themed = [...document.querySelectorAll('#map-live g.node.ripple.themed')];
            return cluster && themed.length === count
                && themed.some(g => g.textContent.includes(title));
        }""", arg=[theme, title, number + 1])
    # The three effects lie inside the cluster's box on the drawing.
    inside = page.evaluate(r"""([theme, titles]) => {
        const cluster = [...document.querySelectorAll('#map-live g.cluster.theme')]
            .find(g => g.textContent.includes(theme));
        const box = cluster.querySelector('polygon, path').getBBox();
        return titles.map(title => {
            const node = [...document.querySelectorAll('#map-live g.node.ripple')]
                .find(g => g.textContent.replace(/\s+/g, ' ').includes(title));
            const b = node.getBBox();
            return b.x >= box.x - 1 && b.y >= box.y - 1 && b.x + b.width <= box.x + box.width + 1
                && b.y + b.height <= box.y + box.height + 1;
        });
    }""", [theme, titles])
    assert inside == [True, True, True]
    assert page.problems.messages == []


def test_build_a_map_on_the_map_by_mouse_then_by_keyboard(page, live_server):
    map_path = _new_collaboration(live_server, "kaartwerk", "Kaartwerkplaats Dorpshuis")
    visited: list[str] = []
    page.on("framenavigated",
            lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    page.goto(map_path)
    assert "Nog geen activiteiten of effecten" in page.locator("#map-live").inner_text()

    # --- by mouse: an activity, then eight effects three levels deep ---------------------
    page.locator(".map-build-buttons button", has_text="Activiteit").click()
    page.locator("#panel-new-title").fill("Buurtcafé opent")
    page.locator("#map-panel button[type=submit]").click()
    _wait_for_nodes(page, 1)
    assert any("Buurtcafé opent" in text for text in _nodes(page))

    plan = [("Buurtcafé opent", "Buren leren elkaar kennen"),  # level 1
            ("Buurtcafé opent", "Vrijwilligers melden zich"),
            ("Buren leren elkaar kennen", "Samen boodschappen doen"),  # level 2
            ("Buren leren elkaar kennen", "Eenzaamheid neemt af"),
            ("Vrijwilligers melden zich", "Vaste koffieochtend"),
            ("Samen boodschappen doen", "Appgroep van de straat"),  # level 3
            ("Eenzaamheid neemt af", "Minder huisartsbezoek"),
            ("Vaste koffieochtend", "Gemeente betaalt de huur")]
    for count, (cause, title) in enumerate(plan, start=2):
        _add_effect_by_mouse(page, cause, title, count)
    assert len(_links(page)) == 8

    # One effect of two causes: the panel's searchable picker (not a multi-select).
    _open_panel(page, "Vaste koffieochtend")
    page.locator("#map-panel details[data-section=link] > summary").click()
    page.wait_for_selector("#panel-picker-results form")  # the list for "this led to"
    page.locator("#map-panel input[name=direction][value=cause]").check()
    # The list of the other direction is gone at once: no choice in it links the wrong way.
    assert page.evaluate(
        "() => [...document.querySelectorAll('#panel-picker-results form')].every(f =>"
        " f.querySelector('[name=effect_id]').value === f.querySelector('[name=origin]').value)")
    page.locator("#panel-picker-query").fill("kennen")
    # Opening the section and choosing the direction each load the list too: click only
    # once the list is the one for what was typed (on a busy machine the earlier lists
    # can arrive after the click, and replace the button clicked).
    page.wait_for_function(
        "() => { const found = [...document.querySelectorAll("
        "'#panel-picker-results .map-picker-choice')];"
        " return found.length > 0 && found.every(b => b.textContent.includes('kennen')); }")
    choice = page.locator("#panel-picker-results button", has_text="Buren leren elkaar kennen")
    choice.click()
    page.wait_for_function("() => document.querySelectorAll('#map-live g.edge[id^=link-]')"
                           ".length === 9")
    assert ("Buren leren elkaar kennen", "Vaste koffieochtend") in _links(page)

    # A second link drawn on the map: the toolbar's "Pijl tekenen", a cause, then an effect.
    page.locator("[data-link-mode]").click()
    _find(page, "Samen boodschappen doen")
    _node(page, "Samen boodschappen doen").click()
    expect(page.locator("#map-status")).to_contain_text("kies op de kaart het effect")
    _find(page, "Gemeente betaalt de huur")
    _node(page, "Gemeente betaalt de huur").click()
    page.wait_for_function("() => document.querySelectorAll('#map-live g.edge[id^=link-]')"
                           ".length === 10")
    assert ("Samen boodschappen doen", "Gemeente betaalt de huur") in _links(page)
    # The changed node is marked on the redrawn map.
    expect(page.locator("#map-live g.node.map-changed")).to_have_count(1)
    expect(page.locator("#map-live g.node.map-changed")).to_contain_text("Gemeente betaalt")

    # A link that would make a circle is refused, with the reason, and nothing changes.
    _open_panel(page, "Appgroep van de straat")
    page.locator("#map-panel [data-link-from]").click()
    _find(page, "Buren leren elkaar kennen")
    _node(page, "Buren leren elkaar kennen").click()
    alert = page.locator("#map-panel [role=alert]")
    alert.wait_for()
    assert "kring" in alert.inner_text()
    assert len(_links(page)) == 10
    # The refusal is a 422 on purpose; Chromium logs every 4xx answer in the console.
    refused = [m for m in page.problems.messages if "422" in m and "/map/links" in m]
    assert len(refused) == 1
    page.problems.messages.remove(refused[0])

    # Focus: what an item grew from and what grew from it stand out; the rest is dimmed.
    _open_panel(page, "Eenzaamheid neemt af")
    page.locator("#map-panel [data-focus-toggle]").click()
    dimmed = page.eval_on_selector_all("#map-live g.node.ripple.map-dim", "els => els.length")
    assert dimmed == 9 - 4  # lit: the activity, its effect, this one and what grew from it
    page.locator("[data-focus-clear]").click()
    assert page.locator("#map-live g.node.map-dim").count() == 0

    # --- by keyboard only on the outline: five more effects ------------------------------
    tab_to(page, "[data-mapping-toggle]", limit=400)
    page.keyboard.press("Enter")  # mapping on; the focus goes to the first item of the tree
    assert page.evaluate("document.activeElement.getAttribute('role')") == "treeitem"
    assert "Buurtcafé opent" in page.evaluate("document.activeElement.textContent")
    steps = [("Tab", "Jongeren helpen mee", "Enter"),     # grew from the activity
             ("Enter", "Ouderen geven les", "Tab"),       # beside it; Tab: save, then one below
             (None, "Les in digitale zaken", "Enter"),   # grew from "Ouderen geven les"
             ("Enter", "Bibliotheek doet mee", "Enter"),  # beside it: same cause
             ("Enter", "Tweede locatie gezocht", "Enter")]
    expected_links = [("Buurtcafé opent", "Jongeren helpen mee"),
                      ("Buurtcafé opent", "Ouderen geven les"),
                      ("Ouderen geven les", "Les in digitale zaken"),
                      ("Ouderen geven les", "Bibliotheek doet mee"),
                      ("Ouderen geven les", "Tweede locatie gezocht")]
    for number, ((opener, title, closer), link) in enumerate(zip(steps, expected_links,
                                                                  strict=True), start=10):
        if opener:
            page.keyboard.press(opener)
        page.wait_for_selector(".outline-new input:focus")
        page.keyboard.type(title)
        page.keyboard.press(closer)
        _wait_for_nodes(page, number)
        page.wait_for_function(
            "t => document.activeElement?.getAttribute('role') === 'treeitem' "
            "&& document.activeElement.textContent.includes(t) || "
            "!!document.querySelector('.outline-new input:focus')", arg=title)
        assert link in _links(page), (title, _links(page))
        assert any(title in text for text in _nodes(page))
    assert len(_links(page)) == 15
    # Made by their title alone: not yet answered, and the panel asks (its edit part open).
    _open_panel(page, "Jongeren helpen mee")
    asked = page.locator("#map-panel details[data-section=edit]")
    expect(asked.locator("#panel-edit-unanswered")).to_be_visible()
    assert asked.locator("input[name=valence]:checked").count() == 0

    # No form page was needed: the page never left the map.
    assert all(url.split("?")[0].endswith(map_path) for url in visited), visited
    assert page.problems.messages == []

    build_theme_of_three_effects(page, ["Buren leren elkaar kennen", "Eenzaamheid neemt af",
                                        "Minder huisartsbezoek"])


def test_two_facilitators_see_each_others_changes(new_context, signed_in_state, live_server):
    map_path = _new_collaboration(live_server, "tweetal", "Tweetal aan de kaart")
    mapper = new_context(signed_in_state=signed_in_state).new_page()
    helper = new_context(signed_in_state=signed_in_state).new_page()
    problems = [PageProblems(mapper, live_server.url), PageProblems(helper, live_server.url)]
    mapper.goto(map_path)
    helper.goto(map_path)
    mapper.locator(".map-build-buttons button", has_text="Activiteit").click()
    mapper.locator("#panel-new-title").fill("Wijkavond")
    mapper.locator("#map-panel button[type=submit]").click()
    _wait_for_nodes(mapper, 1)
    started = time.monotonic()
    _wait_for_nodes(helper, 1)
    assert time.monotonic() - started < 2.5, "the other facilitator saw it too late"

    # The helper opens the activity and starts editing it; the mapper changes it meanwhile.
    _open_panel(helper, "Wijkavond")
    helper.locator("#map-panel details[data-section=edit] > summary").click()
    helper.locator("#panel-edit-title").fill("Wijkavond in de kerk")
    _open_panel(mapper, "Wijkavond")
    mapper.locator("#map-panel details[data-section=edit] > summary").click()
    mapper.locator("#panel-edit-title").fill("Wijkavond in het dorpshuis")
    mapper.locator("#map-panel details[data-section=edit] button[type=submit]").click()
    mapper.wait_for_function("() => document.querySelector('#map-panel-title')"
                             "?.textContent.includes('dorpshuis')")
    # Shown to the helper within two seconds, while their typing stays where it is.
    helper.locator("#map-panel [data-stale-note]").wait_for(state="visible", timeout=2500)
    assert helper.locator("#panel-edit-title").input_value() == "Wijkavond in de kerk"
    # Their save is refused with both versions; nothing is silently overwritten.
    helper.locator("#map-panel details[data-section=edit] button[type=submit]").click()
    helper.locator("#map-panel .conflict").wait_for()
    assert "Wijkavond in het dorpshuis" in helper.locator("#map-panel .conflict").inner_text()
    assert any("dorpshuis" in text for text in _nodes(helper))
    # A section the helper opened (nothing typed yet) is not pulled away by the next change.
    _open_panel(helper, "Wijkavond in het dorpshuis")
    helper.locator("#map-panel details[data-section=add] > summary").click()
    mapper.locator("#map-panel details[data-section=edit] > summary").click()
    mapper.locator("#panel-edit-title").fill("Wijkavond in de bibliotheek")
    mapper.locator("#map-panel details[data-section=edit] button[type=submit]").click()
    helper.locator("#map-panel [data-stale-note]").wait_for(state="visible", timeout=2500)
    assert helper.locator("#map-panel details[data-section=add]").get_attribute("open") is not None
    # The refused save is a 409 on purpose; Chromium logs every 4xx answer in the console.
    assert [m for m in problems[1].messages if "409" not in m] == []
    assert problems[0].messages == []


def test_map_workspace_has_no_serious_axe_violations(page, live_server):
    map_path = _new_collaboration(live_server, "toegankelijk", "Toegankelijke kaart")
    page.goto(map_path)
    page.locator(".map-build-buttons button", has_text="Activiteit").click()
    page.locator("#panel-new-title").fill("Startbijeenkomst")
    page.locator("#map-panel button[type=submit]").click()
    _wait_for_nodes(page, 1)
    for section in ("add", "link", "edit", "codes", "bin"):
        page.locator(f"#map-panel details[data-section={section}]").evaluate(
            "d => d.open = true")
    page.locator("#panel-picker-query").fill("")
    assert _axe(page) == [], "map page with the panel open"
    page.locator("[data-mapping-toggle]").click()
    page.keyboard.press("Tab")
    page.wait_for_selector(".outline-new input:focus")
    assert _axe(page) == [], "outline with a new row open"


def test_map_workspace_on_a_phone(new_context, signed_in_state, live_server):
    map_path = _new_collaboration(live_server, "telefoon", "Kaart op de telefoon")
    page = new_context(signed_in_state=signed_in_state, viewport={"width": 390, "height": 844},
                       has_touch=True, is_mobile=True).new_page()
    problems = PageProblems(page, live_server.url)
    page.goto(map_path)
    page.locator(".map-build-buttons button", has_text="Activiteit").tap()
    page.locator("#panel-new-title").fill("Inloopochtend")
    page.locator("#map-panel button[type=submit]").tap()
    _wait_for_nodes(page, 1)
    _find(page, "Inloopochtend")
    _node(page, "Inloopochtend").tap()
    page.locator("#map-panel details[data-section=add] > summary").tap()
    page.locator("#panel-add-title").fill("Buren kennen elkaar")
    page.locator("#map-panel details[data-section=add] input[name=intended][value=no]").tap()
    page.locator("#map-panel details[data-section=add] input[name=valence][value=mixed]").tap()
    page.locator("#map-panel details[data-section=add] button[type=submit]").tap()
    _wait_for_nodes(page, 2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    assert re.search(r"/map$", page.url)
    assert problems.messages == []


def test_a_large_map_loads_its_drawing_after_the_page(new_context, signed_in_state,
                                                      live_server):
    """Above REM_MAP_INLINE_NODES (here 1) the page comes without its drawing, and the
    script loads it into the frame: the search, the card on hover, the panel and a redraw
    after a change all work on it. Without JavaScript a link opens the drawing itself."""
    app = live_server.app
    limit = app.config["REM_MAP_INLINE_NODES"]
    app.config["REM_MAP_INLINE_NODES"] = 1
    try:
        map_path = _new_collaboration(live_server, "later-getekend", "Later getekend")
        page = new_context(signed_in_state=signed_in_state).new_page()
        page.problems = PageProblems(page, live_server.url)
        page.goto(map_path)
        page.locator(".map-build-buttons button", has_text="Activiteit").click()
        page.locator("#panel-new-title").fill("Buurtmarkt")
        page.locator("#map-panel button[type=submit]").click()
        _wait_for_nodes(page, 1)
        # The second item makes the map large: the redraw fetches its drawing.
        _add_effect_by_mouse(page, "Buurtmarkt", "Meer contact in de straat", 2)
        html = page.request.get(map_path).text()
        assert "data-drawing-url" in html and 'class="node ripple' not in html

        page.reload()
        _wait_for_nodes(page, 2)
        assert ("Buurtmarkt", "Meer contact in de straat") in _links(page)
        assert page.locator("#map-live .map-frame").get_attribute("aria-busy") is None
        _node(page, "Meer contact in de straat").hover()
        expect(page.locator("#map-card")).to_be_visible()
        expect(page.locator("#map-card")).to_contain_text("Meer contact in de straat")
        _open_panel(page, "Buurtmarkt")
        assert page.problems.messages == []

        plain = new_context(signed_in_state=signed_in_state, java_script_enabled=False)
        plain_page = plain.new_page()
        plain_page.goto(map_path)
        link = plain_page.get_by_role("link", name=re.compile("Open de kaart als tekening"))
        link.click()
        plain_page.wait_for_selector("g.node.ripple")
        assert plain_page.locator("g.node.ripple").count() == 2
        assert plain_page.locator("svg title#map-title").count() == 1
    finally:
        app.config["REM_MAP_INLINE_NODES"] = limit
