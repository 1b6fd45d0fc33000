"""Fixtures for the browser tests: one live demo server and one headless Chromium per run.

The live server has its own SQLite database (migrations + demo data), separate from the
``app`` fixture in tests/conftest.py, so the per-test table cleanup there is switched off
here: it would create that other app for nothing and could never reach this database.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.server import (
    PageProblems,
    find_chromium,
    in_ci,
    launch_chromium,
    live_demo_server,
    sign_in,
)

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def _clean_database():
    """Override the shared cleanup: the browser tests never use the ``app`` fixture."""
    yield


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium; its absence skips the browser tests, except in CI."""
    path = find_chromium()
    if path is None:
        reason = ("Chromium is not installed (/usr/bin/chromium or $REM_CHROMIUM), so the "
                  "browser tests cannot run; install it with scripts/install-system-deps.sh "
                  "--test")
        if in_ci():
            pytest.fail(reason + ". CI must run them.", pytrace=False)
        # A developer without Chromium still gets the rest of the suite; CI fails above.
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def live_server(chromium_executable, tmp_path_factory):
    """The real app with demo data, served on 127.0.0.1 and a free port; on PostgreSQL when
    the run is (REM_TEST_DATABASE_URL), in a scratch database of its own."""
    url = os.environ.get("REM_TEST_DATABASE_URL") or None
    with live_demo_server(tmp_path_factory.mktemp("browser"),
                          postgres_url=url if url and url.startswith("postgresql") else None
                          ) as server:
        yield server


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, chromium_executable)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def signed_in_state(browser, live_server) -> dict:
    """Cookies of an administrator who signed in through the form (done once per run)."""
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    try:
        page = context.new_page()
        sign_in(page, live_server.url)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts (closed after the test); signed in unless told otherwise."""
    contexts = []

    def make(*, signed_in_state=None, **options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "nl-NL")
        context = browser.new_context(base_url=live_server.url, storage_state=signed_in_state,
                                      **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context, signed_in_state, live_server):
    """A signed-in desktop page; ``page.problems`` lists console errors, CSP violations
    and requests that leave the app."""
    page = new_context(signed_in_state=signed_in_state).new_page()
    page.problems = PageProblems(page, live_server.url)
    return page
