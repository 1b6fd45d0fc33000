"""Pages that have not changed, answered again without rendering them.

A page view marked with :func:`cached_page` is remembered per person after it is made,
and the next request for the same page gets the remembered HTML, as long as nothing it
could show has changed. Three things make that safe:

- **The data version.** One row (``data_version``) counts the database's changes: every
  transaction that inserts, updates or deletes a row adds one to it *in the same
  transaction*, just before it commits (an engine hook on every statement, so ORM,
  bulk and Core writes alike; only the rate-limit counters and statements run with the
  execution option ``rem_untracked`` do not count). A page is
  remembered under the version read before its data, so any later change gives a new
  key. Several processes or machines share nothing but the database: each keeps its
  own memory of pages, and each reads the version from the database.
- **The key is per sign-in**: the account id, password stamp and sign-in token of the
  session (a new password or a sign-out gives new keys; ending a sign-in is a write),
  the language, the whole path with its query, htmx's headers (fragments differ from
  pages), and the five-minute stretch of time (a page that shows "today" or an open
  session is never older than that).
- **Only what is the same for every request of that person is kept.** The page's CSRF
  token is swapped for a placeholder and a fresh token goes in when the page is served
  again. Pages are not remembered when messages are waiting to be shown (flash), when
  the view set a cookie or answered anything but a 200 HTML page.

Each process keeps at most ``REM_PAGE_CACHE_MB`` megabytes (default 64; 0 turns this
off), oldest out first.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from flask.globals import request_ctx
from flask_wtf.csrf import generate_csrf

from rem.core.database import Base
from rem.extensions import db, login_manager

# The changes of the database, counted (one row, id 1; migration 0013).
data_version = sa.Table(
    "data_version", Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
)

# Writes that do not change what a page shows.
UNTRACKED_TABLES = frozenset({"data_version", "rate_limit_counters", "alembic_version"})
_WRITE = re.compile(r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)",
                    re.IGNORECASE)
_BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"
_READ = "SELECT n FROM data_version WHERE id = 1"

TOKEN_PLACEHOLDER = "__rem-csrf-token__"  # noqa: S105 - a placeholder, not a secret
_PLACEHOLDER_BYTES = TOKEN_PLACEHOLDER.encode()
STRETCH_SECONDS = 300  # a remembered page is never older than this
MAX_PAGE_BYTES = 4 * 1024 * 1024


def cached_page(view: Callable) -> Callable:
    """Mark a GET view whose page may be remembered (see the module's docstring)."""
    view.rem_cached_page = True  # type: ignore[attr-defined]
    return view


# --- counting the changes ------------------------------------------------------------------


def _note_write(conn, _cursor, statement, _parameters, context, _executemany) -> None:
    if context is not None and context.execution_options.get("rem_untracked"):
        return  # a write that changes no page (a sign-in's "last seen")
    found = _WRITE.match(statement)
    if found and found.group(1).lower() not in UNTRACKED_TABLES:
        conn.info["rem_wrote"] = True


_EXISTS = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'data_version'",
    "postgresql": "SELECT 1 WHERE to_regclass('data_version') IS NOT NULL",
}


def _count_change(conn) -> None:
    """Just before a transaction that wrote commits: add one to the data version."""
    if not conn.info.pop("rem_wrote", False):
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if not conn.info.get("rem_version_ready"):
            # Checked once per connection: while the migrations before 0013 run, the
            # table is not there yet and their writes are not counted.
            cursor.execute(_EXISTS.get(conn.dialect.name, _EXISTS["postgresql"]))
            if cursor.fetchone() is None:
                return
            conn.info["rem_version_ready"] = True
        cursor.execute(_BUMP)
    finally:
        cursor.close()


def _forget_write(conn) -> None:
    conn.info.pop("rem_wrote", None)


def count_changes(engine: sa.engine.Engine) -> None:
    """Make every committed write on ``engine`` add one to the data version."""
    if not sa.event.contains(engine, "before_cursor_execute", _note_write):
        sa.event.listen(engine, "before_cursor_execute", _note_write)
        sa.event.listen(engine, "commit", _count_change)
        sa.event.listen(engine, "rollback", _forget_write)


def current_version() -> int | None:
    """Return the data version (None when the table or its row is missing).

    Read on a pooled connection of its own, straight through the driver: a page from
    memory needs nothing else from the database. A page made afresh reads its data
    later, so it can only be newer than the version it is kept under, never older.
    """

    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(_READ)
            row = cursor.fetchone()
        finally:
            cursor.close()
    except db.engine.dialect.loaded_dbapi.Error:  # a database from before migration 0013
        return None
    finally:
        connection.close()  # back to the pool, rolled back
    return None if row is None else int(row[0])


# --- the remembered pages ------------------------------------------------------------------


class PageMemory:
    """Pages by key, at most ``budget`` bytes, oldest out first (thread-safe)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._pages: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[bytes, str] | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, body: bytes, mimetype: str) -> None:
        cost = len(body)
        if cost > min(self.budget, MAX_PAGE_BYTES):
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old[0])
            self._pages[key] = (body, mimetype)
            self.size += cost
            while self.size > self.budget and self._pages:
                _key, (dropped, _type) = self._pages.popitem(last=False)
                self.size -= len(dropped)


def _key() -> tuple | None:
    """Return the key of this request's page, or None when it must be made afresh.

    Read from the signed session cookie and the data version only, without loading the
    account: a page is remembered only after the account behind this exact session id
    (id, password stamp and sign-in) was checked and allowed to see it, and anything that could
    change that answer (the account, its roles, the data) is a write, which changes the
    version. The language follows from the account's own choice (data again), the
    session's and the browser's.
    """
    if request.method != "GET":
        return None
    person = session.get("_user_id")
    if not person or session.get("_flashes"):
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "rem_cached_page", False):
        return None
    if login_manager.session_protection == "strong":  # that check needs the full path
        return None
    version = current_version()
    if version is None:
        return None
    htmx = tuple(sorted((k, v) for k, v in request.headers.items() if k.startswith("Hx-")))
    languages = current_app.config.get("REM_LANGUAGES", ["nl", "en"])
    return (person, session.get("locale"), request.accept_languages.best_match(languages),
            request.full_path, htmx, version, int(time.time() // STRETCH_SECONDS))


def init_app(app: Flask) -> None:
    """Count changes on the app's engine and answer marked pages from memory."""

    with app.app_context():
        count_changes(db.engine)
    budget = int(float(app.config.get("REM_PAGE_CACHE_MB", 64)) * 1024 * 1024)
    if budget <= 0:
        return
    memory = PageMemory(budget)
    app.extensions["rem_page_memory"] = memory

    # First of the request hooks: a remembered page needs no account loaded (see _key).
    @app.before_request
    def answer_from_memory():
        key = _key()
        if key is None:
            return None
        page = memory.get(key)
        if page is None:
            g.rem_page_key = key
            return None
        body, mimetype = page
        if _PLACEHOLDER_BYTES in body:
            body = body.replace(_PLACEHOLDER_BYTES, generate_csrf().encode())
        response = Response(body, mimetype=mimetype)
        response.headers["X-Rem-Page"] = "remembered"
        return response

    @app.after_request
    def remember(response: Response) -> Response:
        key = g.pop("rem_page_key", None)
        if (key is None or response.status_code != 200 or response.mimetype != "text/html"
                or response.direct_passthrough or response.is_streamed
                or "Set-Cookie" in response.headers or session.get("_flashes")
                or getattr(request_ctx, "flashes", None)):  # a message shown on this page
            return response
        body = response.get_data()  # kept as bytes: nothing to encode when served again
        token = g.get("csrf_token")
        if token:
            body = body.replace(token.encode(), _PLACEHOLDER_BYTES)
        memory.put(key, body, response.mimetype)
        return response
