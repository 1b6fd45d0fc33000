"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL when
REM_TEST_DATABASE_URL is set) holding the built-in codebooks. Each test runs in a
transaction rolled back after it; a test marked ``commits`` commits for real and the
tables are emptied after it. A module that builds its test data once uses
:func:`one_transaction` itself and rolls back to that data after every test."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from rem import create_app
from rem.codes.services import install_default_codebooks
from rem.core.heap import freeze_loaded
from rem.extensions import db, limiter
from tests import factories

CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
# scrypt at 1/32 of werkzeug's cost (N = 2**10 instead of 2**15): the same code path, but
# a sign-in costs 3 ms instead of 100 ms (a quarter of the suite's time went to scrypt).
# Production's full cost is checked in tests/test_config.py.
TEST_PASSWORD_HASH = "scrypt:1024:8:1"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("REM_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """Create the app on a database built by the migrations, as in production."""
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        # Start from an empty schema, whatever an earlier run left behind.
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
        "REM_DOT_TIMEOUT": 30.0,
        "REM_PASSWORD_HASH": TEST_PASSWORD_HASH,
        "REM_MAP_CACHE_DIR": str(tmp_path_factory.mktemp("map-cache")),
    })
    with app.app_context():
        upgrade()
    _empty_tables(app)  # whatever an earlier run left (a kept SQLite file, PostgreSQL)
    _quiet_collector()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # psycopg warns about pools left open at exit


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Give every test the built-in codebooks and nothing else.

    A test runs in one transaction rolled back after it (:func:`one_transaction`: the
    app's commits are savepoints in it), which costs next to nothing. A test marked
    ``commits`` (it needs real commits: other connections, threads or processes see
    its data) runs as in production, and every table is emptied after it."""
    real = request.node.get_closest_marker("commits") is not None
    try:
        if real:
            yield
        else:
            with one_transaction(app):
                yield
    finally:
        # The limiter is one object shared by every app made in this process; a test
        # that switched it on for its own app must not leave it on for the next test.
        limiter.enabled = False
    if real:
        _empty_tables(app)


def _quiet_collector() -> None:
    """Freeze what loading the app and the test modules made, as wsgi.py does in a
    worker (rem.core.heap), and collect the youngest generation less often: a test run
    makes millions of short-lived objects (measured: 4-5 s less on three files, within
    the machine's noise; docs/performance.md). Garbage is still collected, in larger
    steps."""
    freeze_loaded()
    gc.set_threshold(20_000, 20, 20)


def _empty_tables(app) -> None:
    """Empty every table and put the built-in codebooks back: the state each test
    starts from."""
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        install_default_codebooks()
        db.session.commit()
        db.session.remove()


@pytest.fixture
def ctx(app):
    """Run the test inside an app context (for services and factories)."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    """A browser-like test client that keeps cookies."""
    return app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    """Fetch a page and return the CSRF token in its first form."""
    response = client.get(path)
    match = CSRF_RE.search(response.data)
    assert match, f"no CSRF token on {path}"
    return match.group(1).decode()


def login(client, email: str, password: str = factories.PASSWORD):
    """Sign in through the real form, CSRF token included."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302, response.data[:500]
    return response


def post(client, path: str, data: dict | None = None, *, token_from: str | None = None,
         **kwargs):
    """POST a form with a valid CSRF token taken from ``token_from`` (or the home page)."""
    token = csrf_token(client, token_from or "/")
    payload = dict(data or {})
    payload["csrf_token"] = token
    return client.post(path, data=payload, **kwargs)


@contextmanager
def one_transaction(app) -> Iterator[sa.Connection]:
    """Run everything the app does on one connection inside one transaction that is rolled
    back at the end, each session's commit being a SAVEPOINT of it.

    For a module that builds its test data once and runs every test in a savepoint
    (``connection.begin_nested()``) rolled back after the test. SQLite's driver starts
    and ends transactions on its own and breaks SAVEPOINT; on this one connection it is
    told not to (``isolation_level = None``) and BEGIN is sent by SQLAlchemy's event.
    """
    engines = db._app_engines[app]  # Flask-SQLAlchemy's engines of this app, by bind key
    engine = engines[None]
    connection = engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.connection.dbapi_connection.isolation_level = None
        sa.event.listen(connection, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    outer = connection.begin()
    with app.app_context():
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
    engines[None] = connection
    try:
        yield connection
    finally:
        engines[None] = engine  # first: whatever fails below, later tests get the engine
        with app.app_context():
            db.session.remove()
        db.session.session_factory.kw.pop("join_transaction_mode", None)  # the default again
        outer.rollback()
        if sqlite:
            connection.invalidate()  # not back to the pool with the driver's setting changed
        connection.close()
