"""Wrong passwords are counted per account and per address (in the database), and only
wrong ones: a browser that signed in before is not held up."""

import re
import threading

import pytest
import sqlalchemy as sa
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from rem import create_app
from rem.core.ratelimit import DatabaseStorage
from rem.extensions import db, limiter
from tests import factories
from tests.conftest import CSRF_RE

# Every test here makes a second app (rate limits on) on the same database: real commits.
pytestmark = pytest.mark.commits


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


WRONG = "fout"


def _attempt(client, email, address, password=WRONG, headers=None):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}, headers=headers)
    token = CSRF_RE.search(page.data).group(1).decode()
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def _people(app, *emails):
    with app.app_context():
        for email in emails:
            factories.UserFactory(email=email)
        db.session.commit()


def _sign_out(client):
    token = CSRF_RE.search(client.get("/profile").data).group(1).decode()
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_eleven_colleagues_behind_one_router_all_get_in(limited_app):
    emails = [f"collega{i}@example.org" for i in range(11)]
    _people(limited_app, *emails)
    statuses = [_attempt(limited_app.test_client(), email, "192.0.2.10",
                         factories.PASSWORD).status_code for email in emails]
    assert statuses == [302] * 11


def test_signing_in_correctly_uses_nothing_up(limited_app):
    _people(limited_app, "vaak@example.org")
    for _ in range(25):
        client = limited_app.test_client()
        assert _attempt(client, "vaak@example.org", "192.0.2.11",
                        factories.PASSWORD).status_code == 302


def test_wrong_passwords_lock_the_account_but_not_a_browser_that_signed_in_before(
        limited_app):
    _people(limited_app, "doel@example.org")
    own_laptop = limited_app.test_client()
    assert _attempt(own_laptop, "doel@example.org", "192.0.2.20",
                    factories.PASSWORD).status_code == 302
    _sign_out(own_laptop)
    # Someone else tries passwords for this address from many places.
    statuses = [_attempt(limited_app.test_client(), "doel@example.org",
                         f"198.51.100.{i}").status_code for i in range(10)]
    assert statuses == [200] * 10
    # Now even the right password waits on a new browser, and the message says how long.
    refused = _attempt(limited_app.test_client(), "doel@example.org", "192.0.2.21",
                       factories.PASSWORD)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert re.search(r"Wacht 1[45] minuten", body), body[:2000]
    assert "eerder inlogde, kunt u wel meteen inloggen" in body
    # The person's own laptop signed in before: it gets in at once.
    assert _attempt(own_laptop, "doel@example.org", "192.0.2.20",
                    factories.PASSWORD).status_code == 302
    assert own_laptop.get("/").status_code == 200


def test_a_device_cookie_helps_only_its_own_account_and_cannot_be_forged(limited_app):
    _people(limited_app, "doel@example.org", "ander@example.org")
    browser = limited_app.test_client()
    assert _attempt(browser, "ander@example.org", "192.0.2.30",
                    factories.PASSWORD).status_code == 302
    _sign_out(browser)
    for i in range(10):
        _attempt(limited_app.test_client(), "doel@example.org", f"198.51.100.{i}")
    # This browser knows another account, not this one.
    assert _attempt(browser, "doel@example.org", "192.0.2.30",
                    factories.PASSWORD).status_code == 429
    forger = limited_app.test_client()
    forger.set_cookie("rem_device", "eyJ1IjoxLCJkIjoieCJ9.forged.signature", path="/login")
    assert _attempt(forger, "doel@example.org", "192.0.2.31",
                    factories.PASSWORD).status_code == 429


def test_failures_from_one_address_wait_for_everyone_there_without_a_known_browser(app):
    config = {k: app.config[k] for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI")}
    small = create_app({**config, "TESTING": True, "RATELIMIT_ENABLED": True,
                        "RATELIMIT_STORAGE_URI": "rem+sql://",
                        "RATELIMIT_STORAGE_OPTIONS": {
                            "database_url": config["SQLALCHEMY_DATABASE_URI"]},
                        "REM_SIGNIN_LIMIT_ADDRESS": "5 per 10 minutes"})
    limiter.reset()
    try:
        _people(small, "collega@example.org")
        regular = small.test_client()
        assert _attempt(regular, "collega@example.org", "192.0.2.40",
                        factories.PASSWORD).status_code == 302
        _sign_out(regular)
        statuses = [_attempt(small.test_client(), f"gok{i}@example.org",
                             "192.0.2.40").status_code for i in range(5)]
        assert statuses == [200] * 5
        refused = _attempt(small.test_client(), "collega@example.org", "192.0.2.40",
                           factories.PASSWORD)
        assert refused.status_code == 429
        assert re.search(r"Vanaf dit netwerk .* Wacht (9|10) minuten",
                         refused.get_data(as_text=True))
        # The colleague's own browser still gets in; another address is not affected.
        assert _attempt(regular, "collega@example.org", "192.0.2.40",
                        factories.PASSWORD).status_code == 302
        assert _attempt(small.test_client(), "gok9@example.org",
                        "192.0.2.41").status_code == 200
    finally:
        limiter.reset()
        limiter.storage.engine.dispose()
        limiter.enabled = False
        with small.app_context():
            db.session.remove()
            db.engine.dispose()


def test_behind_a_proxy_the_forwarded_address_counts_and_a_made_up_one_does_not(app):
    config = {k: app.config[k] for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI")}
    settings = {**config, "TESTING": True, "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "rem+sql://",
                "RATELIMIT_STORAGE_OPTIONS": {"database_url": config["SQLALCHEMY_DATABASE_URI"]},
                "REM_SIGNIN_LIMIT_ADDRESS": "3 per 10 minutes"}
    proxied = create_app({**settings, "REM_PROXY_FIX": 1})
    direct = create_app(settings)
    limiter.reset()
    try:
        # nginx appends the address it saw; the client may have written anything before it.
        for claimed in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            _attempt(proxied.test_client(), "x@example.org", "127.0.0.1",
                     headers={"X-Forwarded-For": f"{claimed}, 203.0.113.5"})
        assert _attempt(proxied.test_client(), "y@example.org", "127.0.0.1",
                        headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 429
        assert _attempt(proxied.test_client(), "y@example.org", "127.0.0.1",
                        headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 200
        # Without REM_PROXY_FIX the header is ignored: making one up escapes nothing.
        for claimed in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            _attempt(direct.test_client(), "z@example.org", "192.0.2.50",
                     headers={"X-Forwarded-For": claimed})
        assert _attempt(direct.test_client(), "w@example.org", "192.0.2.50",
                        headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 429
        # IPv6 addresses count per /64 network (one household or office).
        for host in ("1", "2", "3"):
            _attempt(direct.test_client(), "v@example.org", f"2001:db8:1:2::{host}")
        assert _attempt(direct.test_client(), "u@example.org",
                        "2001:db8:1:2::ffff").status_code == 429
        assert _attempt(direct.test_client(), "u@example.org",
                        "2001:db8:1:3::1").status_code == 200
    finally:
        limiter.reset()
        limiter.storage.engine.dispose()
        limiter.enabled = False
        for made in (proxied, direct):
            with made.app_context():
                db.session.remove()
                db.engine.dispose()


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


def test_counts_made_together_hold_across_processes(app):
    """Two stores on one database (two gunicorn workers): counts made together in one
    transaction are shared once committed, and the limit refuses at the right count."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    first = DatabaseStorage("rem+sql://", database_url=url)
    second = DatabaseStorage("rem+sql://", database_url=url)
    per_minute, per_hour = parse("3 per minute"), parse("5 per hour")
    try:
        allowed = []
        for n in range(6):
            storage = (first, second)[n % 2]
            strategy = FixedWindowRateLimiter(storage)
            with storage.together():
                allowed.append(strategy.hit(per_minute, "p") and strategy.hit(per_hour, "p"))
        assert allowed == [True, True, True, False, False, False]
        assert first.get(per_minute.key_for("p")) == 6
        assert second.get(per_hour.key_for("p")) == 3  # not counted after a refusal

        # Inside the transaction the store sees its own counts; the other store only
        # the committed ones.
        with first.together():
            assert first.incr("t", 60) == 1 and first.incr("t", 60) == 2
            assert first.get("t") == 2
            assert second.get("t") == 0
        assert second.get("t") == 2

        # A refusal (any exception but the database's) keeps the counts ...
        with pytest.raises(RuntimeError), first.together():
            first.incr("kept", 60)
            raise RuntimeError("refused")
        assert second.get("kept") == 1
        # ... a database error drops them.
        with pytest.raises(sa.exc.OperationalError), first.together():
            first.incr("dropped", 60)
            raise sa.exc.OperationalError("stmt", {}, Exception("lost"))
        assert second.get("dropped") == 0
    finally:
        first.reset()
        first.engine.dispose()
        second.engine.dispose()


def test_a_second_process_waits_for_counts_made_together_and_loses_none(app):
    """While one worker's transaction of counts is open, another worker's count waits for
    it (SQLite: the single writer; PostgreSQL: the row) and then adds to it."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    first = DatabaseStorage("rem+sql://", database_url=url)
    second = DatabaseStorage("rem+sql://", database_url=url)
    results = []
    try:
        with first.together():
            assert first.incr("w", 60) == 1
            waiting = threading.Thread(target=lambda: results.append(second.incr("w", 60)))
            waiting.start()
            waiting.join(0.5)
            assert waiting.is_alive()  # it waits for the open transaction
        waiting.join(30)
        assert results == [2]
    finally:
        first.reset()
        first.engine.dispose()
        second.engine.dispose()
