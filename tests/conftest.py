"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL when
REM_TEST_DATABASE_URL is set), emptied after every test."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from rem import create_app
from rem.codes.services import install_default_codebooks
from rem.extensions import db, limiter
from tests import factories

CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


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
        "REM_MAP_CACHE_DIR": str(tmp_path_factory.mktemp("map-cache")),
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # psycopg warns about pools left open at exit


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Give every test the built-in codebooks and nothing else, then empty the tables."""
    with app.app_context():
        install_default_codebooks()
        db.session.commit()
    yield
    # The limiter is one object shared by every app made in this process; a test that
    # switched it on for its own app must not leave it on for the next test.
    limiter.enabled = False
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            if table.name != "data_version":  # one row that counts changes: it stays
                db.session.execute(table.delete())
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
