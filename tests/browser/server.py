"""Run the real rem app for a real browser: a werkzeug server in a background thread,
on its own SQLite database built by the Alembic migrations and filled with the demo data.

Shared by the browser tests (tests/browser/conftest.py) and scripts/screenshots.py.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.serving import WSGIRequestHandler, make_server

from tests.scratch_databases import scratch_postgres_database

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Browser, Page, Playwright

HOST = "127.0.0.1"
DEMO_EMAIL = "admin@example.org"
DEMO_PASSWORD = "demo-wachtwoord"  # public demo account (rem/demo/data.py)
DEMO_COLLABORATION = "achterveld"

CHROMIUM_ARGS = [
    "--no-sandbox",  # needed as root (CI); the pages come from our own local server
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
]

# Records Content-Security-Policy violations; Playwright injects it before any page script
# (outside the page's CSP) and exposes ``__remCspViolation`` to receive them.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__remCspViolation(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


def in_ci() -> bool:
    """True on the CI runner, where nothing may be skipped for a missing program."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def find_chromium() -> str | None:
    """The Chromium to drive: $REM_CHROMIUM, Debian's /usr/bin/chromium, or macOS's app."""
    candidates = [os.environ.get("REM_CHROMIUM", ""), "/usr/bin/chromium"]
    if sys.platform == "darwin":
        candidates.append("/Applications/Chromium.app/Contents/MacOS/Chromium")
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def build_demo_app(database: Path | str) -> Flask:
    """Create the app on a fresh database: migrations, built-in codebooks, demo data.

    ``database`` is a path for a new SQLite file, or the URL of an empty database.
    """
    from flask_migrate import upgrade

    from rem import create_app
    from rem.demo.loader import load_demo
    from rem.extensions import db
    from tests.conftest import TEST_PASSWORD_HASH

    app = create_app({
        "SECRET_KEY": "browser-test-secret",
        "SQLALCHEMY_DATABASE_URI": (database if isinstance(database, str)
                                    else "sqlite:///" + str(database)),
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
        "REM_DOT_TIMEOUT": 60.0,
        "REM_PASSWORD_HASH": TEST_PASSWORD_HASH,
    })
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        """Log only failed requests."""
        if str(code).startswith(("4", "5")):
            super().log_request(code, size)


def _answered_whole(app: Flask):
    """Wrap ``app`` so each answer is read whole and its iterable closed before werkzeug
    writes it. werkzeug's development server closes the iterable only after it drained
    the socket, and a browser that drops a request (a favicon when the page moves on)
    can make that read fail: the open static file then leaks and warns at a random later
    test. The answers here are small; nothing streams without end."""
    def whole(environ, start_response):
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
    return whole


class LiveServer:
    """A threaded werkzeug server for ``app`` on 127.0.0.1 and a free port."""

    def __init__(self, app: Flask, *, quiet: bool = True) -> None:
        self.app = app
        self._server = make_server(HOST, 0, _answered_whole(app), threaded=True,
                                   request_handler=_QuietHandler if quiet else None)
        self.url = f"http://{HOST}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="rem-live-server", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@contextmanager
def live_demo_server(workdir: Path, *, quiet: bool = True,
                     postgres_url: str | None = None) -> Iterator[LiveServer]:
    """Build the demo app (in ``workdir`` on SQLite, or in a scratch database on the
    PostgreSQL server of ``postgres_url``), serve it, and stop it afterwards."""
    from rem.extensions import db

    with contextlib.ExitStack() as stack:
        if postgres_url:
            database: Path | str = stack.enter_context(
                scratch_postgres_database(postgres_url, "rem_browser"))
        else:
            database = Path(workdir) / "rem-browser.sqlite3"
        app = build_demo_app(database)
        server = LiveServer(app, quiet=quiet).start()
        try:
            yield server
        finally:
            server.stop()
            with app.app_context():
                db.engine.dispose()


def launch_chromium(playwright: Playwright, executable: str) -> Browser:
    """Start headless Chromium from the system package (``playwright install`` is not used)."""
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def sign_in(page: Page, base_url: str, email: str = DEMO_EMAIL,
            password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form and wait until we have left it."""
    page.goto(base_url + "/login")
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


class PageProblems:
    """Collect console errors, uncaught exceptions, CSP violations and requests that
    leave the local server, for one page (across its navigations)."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.base_url = base_url
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.messages.append(f"uncaught error: {exc}"))
        page.on("request", self._request)
        page.expose_function("__remCspViolation",
                             lambda text: self.messages.append(f"CSP violation: {text}"))
        page.add_init_script(CSP_LISTENER)

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location or {}
            self.messages.append(f"console error: {message.text} ({where.get('url', '?')})")

    def _request(self, request) -> None:
        url = request.url
        if not url.startswith((self.base_url, "data:", "blob:", "about:")):
            self.messages.append(f"request outside the app: {url}")
