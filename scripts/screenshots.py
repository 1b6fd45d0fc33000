"""Save screenshots of rem's main pages in docs/screenshots/ (``make screenshots``).

Starts the real app on a temporary SQLite database with the demo data (the same way as
the browser tests, see tests/browser/server.py), signs in as the demo administrator in
headless Chromium, and saves desktop (1280 px) PNGs of the main pages, one of the
timeline on a phone (360 px), the map being built on the map page (1280 px and a
390 px phone), a themed radial map with its rings, and a session's projector at 1920 x 1080.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--collaboration SLUG]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
MAP_PHONE = {"width": 390, "height": 844}
FULL_HD = {"width": 1920, "height": 1080}
# The demo collaborations with themes and with a live session, for those screenshots.
THEMED = "groningen"
WALL = "zoetermeer"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots",
                        help="folder for the PNG files (default: docs/screenshots)")
    parser.add_argument("--collaboration", default=None,
                        help="slug of the demo collaboration to show (default: achterveld)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.browser.server import (
        DEMO_COLLABORATION,
        find_chromium,
        launch_chromium,
        live_demo_server,
        sign_in,
    )

    chromium = find_chromium()
    if chromium is None:
        print("Chromium is not installed (/usr/bin/chromium or $REM_CHROMIUM); run "
              "scripts/install-system-deps.sh --test", file=sys.stderr)
        return 1
    slug = args.collaboration or DEMO_COLLABORATION
    base = f"/collaborations/{slug}"
    args.out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []

    with tempfile.TemporaryDirectory(prefix="rem-screenshots-") as workdir, \
            live_demo_server(Path(workdir)) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium)
        try:
            desktop = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="nl-NL")
            page = desktop.new_page()
            sign_in(page, server.url)
            page.goto(base)
            effect = page.locator("ol.timeline li.timeline-effect a.item-title").first
            item_path = effect.get_attribute("href") if effect.count() else None

            page.goto("/exchanges")
            exchange_path = page.evaluate(
                "[...document.querySelectorAll('main a')].map(a => a.getAttribute('href'))"
                ".find(h => /^\\/exchanges\\/\\d+$/.test(h || '')) || null")
            page.goto("/collaborations/zoetermeer/sessions")
            report = page.locator("main a[href$='/report']").first
            report_path = report.get_attribute("href") if report.count() else None

            page.goto("/collaborations/groningen/reviews")
            review_path = page.evaluate(
                "[...document.querySelectorAll('main a')].map(a => a.getAttribute('href'))"
                ".find(h => /\\/reviews\\/\\d+$/.test(h || '')) || null")

            shots = [
                ("hubs", "/"),
                ("timeline", base),
                ("map-timeline", f"{base}/map?layout=timeline"),
                ("map-radial", f"{base}/map?layout=radial"),
                ("item", item_path),
                ("effect-form", f"{base}/effects/new"),
                ("learning-log", f"{base}/log"),
                ("exchange", exchange_path),
                ("session-report", report_path),
                ("review", review_path),
                ("analysis", f"{base}/analysis"),
                ("influence", f"{base}/influence"),
                ("growth", f"{base}/analysis/growth"),
            ]
            for name, path in shots:
                _shoot(page, name, path, args.out, failures)

            _map_workspace(page, base, args.out, failures, phone=False)
            _radial_themes(page, args.out, failures)
            wall = browser.new_context(base_url=server.url, viewport=FULL_HD, locale="nl-NL",
                                       storage_state=desktop.storage_state())
            _projector(wall.new_page(), args.out, failures)
            phone = browser.new_context(base_url=server.url, viewport=PHONE, locale="nl-NL",
                                        is_mobile=True, has_touch=True, device_scale_factor=2,
                                        storage_state=desktop.storage_state())
            _shoot(phone.new_page(), "timeline-phone", base, args.out, failures)
            map_phone = browser.new_context(base_url=server.url, viewport=MAP_PHONE,
                                            locale="nl-NL", is_mobile=True, has_touch=True,
                                            device_scale_factor=2,
                                            storage_state=desktop.storage_state())
            _map_workspace(map_phone.new_page(), base, args.out, failures, phone=True)
            visitor = browser.new_context(base_url=server.url, viewport=PHONE, locale="nl-NL",
                                          is_mobile=True, has_touch=True, device_scale_factor=2)
            _shoot(visitor.new_page(), "join-phone", "/join", args.out, failures)
        finally:
            browser.close()

    if failures:
        print("Not saved:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


def _shoot(page, name: str, path: str | None, out: Path, failures: list[str]) -> bool:
    """Open ``path`` and save ``out/name.png``; record a failure instead of raising."""
    if path is None:
        failures.append(f"{name}: no page to show (no effect in the demo timeline?)")
        return False
    try:
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
    except Exception as exc:  # report it and go on with the other pages
        failures.append(f"{name}: {path}: {str(exc).splitlines()[0]}")
        return False
    status = response.status if response is not None else None
    if status != 200:
        failures.append(f"{name}: {path} answered HTTP {status}")
        return False
    target = out / f"{name}.png"
    page.screenshot(path=str(target))
    print(f"saved {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return True


def _map_workspace(page, base: str, out: Path, failures: list[str], *, phone: bool) -> None:
    """Save the map being built on the map page: the side panel adding an effect with the
    focus on one item, the redrawn map with the new effect marked, and (desktop) the outline
    while mapping by keyboard. Changes the demo data of the temporary server only."""
    suffix = "-phone" if phone else ""
    try:
        page.goto(f"{base}/map")
        page.wait_for_load_state("networkidle")
        node = page.locator("#map-live g.node.effect", has_text="Meer contact").locator("a")
        (node.first.tap if phone else node.first.click)()
        page.wait_for_selector("#map-panel:not([hidden]) #map-panel-title")
        if not phone:
            page.locator("#map-panel [data-focus-toggle]").click()
        page.locator("#map-panel details[data-section=add] > summary").click()
        page.locator("#panel-add-title").fill("Zorgpartners delen een agenda")
        page.locator("#panel-add-date").fill("2025-02-15")
        add = page.locator("#map-panel details[data-section=add]")
        add.locator("input[name=valence][value=positive]").check()
        add.locator("input[name=intended][value=no]").check()
        page.mouse.move(2, 2)
        start = "#map-panel" if phone else ".map-toolbar"
        page.evaluate(f"document.querySelector('{start}').scrollIntoView({{block: 'start'}})")
        page.wait_for_timeout(400)
        page.screenshot(path=str(out / f"map-building{suffix}.png"))
        page.locator("#map-panel details[data-section=add] button[type=submit]").click()
        page.wait_for_selector("#map-live g.node.map-changed")
        page.wait_for_timeout(600)
        page.evaluate("document.querySelector('.map-toolbar').scrollIntoView({block: 'start'})")
        page.screenshot(path=str(out / f"map-redrawn{suffix}.png"))
        if not phone:
            page.evaluate("document.querySelector('#outline-heading').scrollIntoView()")
            page.locator("[data-mapping-toggle]").click()
            page.keyboard.press("Tab")
            page.keyboard.type("Mantelzorgers vinden elkaar")
            page.wait_for_timeout(300)
            page.evaluate("document.querySelector('.outline-new').scrollIntoView("
                          "{block: 'center'})")
            page.screenshot(path=str(out / "map-outline-keyboard.png"))
        print(f"saved the map workspace screenshots{suffix}")
    except Exception as exc:  # report it and go on with the other pages
        failures.append(f"map workspace{suffix}: {str(exc).splitlines()[0]}")


def _radial_themes(page, out: Path, failures: list[str]) -> None:
    """Save the radial map coloured by theme: rings, ring labels, theme legend."""
    path = f"/collaborations/{THEMED}/map?layout=radial&color_by=theme"
    try:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        page.locator("[data-zoom=fit]").click()  # the whole map: every ring and its label
        page.evaluate("document.querySelector('.map-toolbar').scrollIntoView({block: 'start'})")
        page.wait_for_timeout(400)
        page.screenshot(path=str(out / "map-radial-themes.png"))
        print("saved the themed radial map")
    except Exception as exc:  # report it and go on with the other pages
        failures.append(f"map-radial-themes: {path}: {str(exc).splitlines()[0]}")


def _projector(page, out: Path, failures: list[str]) -> None:
    """Save the projector of the demo's latest session at 1920 x 1080."""
    try:
        page.goto(f"/collaborations/{WALL}/sessions")
        link = page.locator("main a[href$='/report']").first.get_attribute("href")
        page.goto(link.removesuffix("/report") + "/projector")
        page.wait_for_selector("#projector-live[data-zoomed]")
        page.wait_for_timeout(300)
        page.screenshot(path=str(out / "projector-1080p.png"))
        print("saved the projector at 1920 x 1080")
    except Exception as exc:  # report it and go on with the other pages
        failures.append(f"projector-1080p: {str(exc).splitlines()[0]}")


if __name__ == "__main__":
    sys.exit(main())
