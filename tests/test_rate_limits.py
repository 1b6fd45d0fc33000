"""Sign-in attempts are limited per address and per account, counted in the database."""

import pytest

from rem import create_app
from rem.core.ratelimit import DatabaseStorage
from rem.extensions import db, limiter
from tests import factories
from tests.conftest import CSRF_RE


@pytest.fixture
def limited_app(app):
    """A second app on the same database with rate limits on (the shared one has them off)."""
    config = {k: app.config[k] for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI")}
    limited = create_app({**config, "TESTING": True, "RATELIMIT_ENABLED": True,
                          "RATELIMIT_STORAGE_URI": "rem+sql://",
                          "RATELIMIT_STORAGE_OPTIONS": {
                              "database_url": config["SQLALCHEMY_DATABASE_URI"]}})
    limiter.reset()
    yield limited
    limiter.reset()
    limiter.storage.engine.dispose()
    limiter.enabled = False  # the limiter object is shared: leave it as the other tests expect
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def _attempt(client, email, address):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    token = CSRF_RE.search(page.data).group(1).decode()
    return client.post("/login", data={"email": email, "password": "fout", "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_too_many_attempts_from_one_address_are_refused(limited_app):
    client = limited_app.test_client()
    statuses = [_attempt(client, f"p{i}@example.org", "10.1.1.1").status_code
                for i in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert "Even wachten" in _attempt(client, "x@example.org", "10.1.1.1").get_data(as_text=True)
    # Another address is not affected.
    assert _attempt(limited_app.test_client(), "p@example.org", "10.1.1.2").status_code == 200


def test_too_many_attempts_on_one_account_from_many_addresses(limited_app):
    with limited_app.app_context():
        factories.UserFactory(email="doel@example.org")
        db.session.commit()
    statuses = [_attempt(limited_app.test_client(), "doel@example.org", f"10.2.0.{i}").status_code
                for i in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_two_processes_share_one_count(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    first = DatabaseStorage("rem+sql://", database_url=url)
    second = DatabaseStorage("rem+sql://", database_url=url)
    first.clear("k")
    assert first.incr("k", 60) == 1
    assert second.incr("k", 60) == 2
    assert first.get("k") == 2 and second.get_expiry("k") > 0
    # An expired window starts again at the new amount.
    assert first.incr("short", -1) == 1
    assert second.incr("short", 60) == 1
    first.reset()
    assert second.get("k") == 0
    assert first.check()
    first.engine.dispose()
    second.engine.dispose()
